"""Every bench of the registry runs at a tiny size (`--quick`), so that none can rot
unnoticed: it exits 0 and prints its figure and its named baseline on table rows.

The benches run in this process through `python -m bench`'s own main, with pytest's
command line still in sys.argv: a bench that read the outer command line instead of
the argv it is given (the old `python -m bench extraction` crash) fails here. No timing
is asserted. Benches that need ../shared skip without it, and fail under CI=true.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHES
from bench.__main__ import main as bench_main
from bench.shared import realdata_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
# Benches whose figure needs the shared real data (the others run on generated data).
NEEDS_SHARED = {"extraction", "page_metadata"}
# A table row holding a figure: "| label | 12.3 |".
FIGURE_ROW = re.compile(r"\|[^|\n]*\|\s*[0-9][0-9.,]*\s*(?:%|x|ms)?\s*\|")


def _shared_present() -> bool:
    return (realdata_dir() / "MANIFEST.tsv").exists()


def _require_shared(what: str) -> None:
    if _shared_present():
        return
    message = f"{what} needs shared/realdata, not found at {realdata_dir()}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


def _rows_with(output: str, label: str) -> list[str]:
    return [line for line in output.splitlines() if label in line and FIGURE_ROW.search(line)]


@pytest.mark.parametrize("name", list(BENCHES))
def test_bench_runs_at_a_tiny_size(name, capsys):
    if name in NEEDS_SHARED:
        _require_shared(f"bench {name}")
    status = bench_main([name, "--quick"])
    output = capsys.readouterr().out
    assert status == 0, output[-3000:]
    module = importlib.import_module(BENCHES[name])
    # Two different names, so that one line cannot stand for both.
    assert module.FIGURE_LABEL != module.BASELINE_LABEL
    assert module.FIGURE_LABEL in output, f"{name}: no {module.FIGURE_LABEL!r} in its output"
    assert module.BASELINE_LABEL in output, f"{name}: no {module.BASELINE_LABEL!r} in its output"
    assert FIGURE_ROW.search(output), f"{name}: no table row with a figure"
    if name == "dates":
        # The real-strings section: a row per parser, or the skip line without the data.
        section = output.split("### Real date strings", 1)[1]
        if _shared_present():
            assert _rows_with(section, module.FIGURE_LABEL), section
            assert _rows_with(section, module.BASELINE_LABEL), section
        else:
            assert "skipped: shared/realdata not found" in section
            _require_shared("the real-strings section of bench dates")


def test_command_line_hands_options_to_the_one_bench_named():
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    ok = subprocess.run(
        [sys.executable, "-m", "bench", "dates", "--help"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "python -m bench dates" in ok.stdout and "--quick" in ok.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "bench", "no-such-bench"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2
    assert "choose from" in unknown.stderr


def test_options_with_several_benches_are_refused(capsys):
    assert bench_main(["dates", "pipeline", "--quick"]) == 2
    assert "Options go to one bench" in capsys.readouterr().err
