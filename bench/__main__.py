"""`make bench`: run every benchmark in turn; each prints its figures beside a baseline.

`python -m bench` runs them all at their documented sizes; `python -m bench NAME
[OPTIONS]` runs one and hands it the options (`python -m bench dates --quick`);
`python -m bench NAME NAME…` runs several. Record the results in docs/benchmarks.md.

BENCHES is the one registry: a bench is a module with ``main(argv: list[str]) -> int``
that parses only the argv it is given, accepts ``--quick`` (a tiny size, used by
tests/test_benches_run.py so that no bench can rot), and prints its figure and its
baseline on lines that start with FIGURE_LABEL and BASELINE_LABEL (module constants).
Adding a bench is one line here.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time

BENCHES: dict[str, str] = {
    "pipeline": "bench.bench_pipeline",
    "dates": "bench.bench_dates",
    "extraction": "bench.bench_extraction",
    "page_metadata": "bench.bench_page_metadata",
    "dedupe": "bench.bench_dedupe",
    "archive": "bench.bench_archive",
    "charts": "bench.bench_charts",
    "nightly": "bench.bench_nightly",
    "newscrawl": "bench.bench_newscrawl",
    "reprocess": "bench.bench_reprocess",
    "safe_csv": "bench.bench_safe_csv",
    "search_quality": "bench.bench_search_quality",
}


def machine() -> str:
    """One line on the machine: cores, CPU model, memory, Python (for docs/benchmarks.md)."""
    model = "unknown CPU"
    memory = "unknown memory"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                model,
            )
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
            memory = f"{kib / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError) as error:  # not Linux: say what is unknown
        model = f"{model} ({error.__class__.__name__} reading /proc)"
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({model}, {platform.machine()}), {memory}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def main(argv: list[str]) -> int:
    # Names first, then the options of the one bench named: dates --per-kind 5.
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:first_option], argv[first_option:]
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        print(
            f"Unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHES)}", file=sys.stderr
        )
        return 2
    if options and len(names) != 1:
        print("Options go to one bench: python -m bench NAME [OPTIONS]", file=sys.stderr)
        return 2
    print(f"# partnews benchmarks, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"# {machine()}")
    status = 0
    for name in names or list(BENCHES):
        print(f"\n## {name}\n", flush=True)
        module = importlib.import_module(BENCHES[name])
        status = module.main(options) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
