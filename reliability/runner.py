"""Run `partnews crawl` with test overrides, and keep each check's measured outcome.

The reliability tests crawl the mirror in a subprocess exactly as a user would, with the
settings module of reliability/crawl_settings.py so that one test may shorten a timeout
or a size limit. What each check measured is written as JSON under
test-output/reliability/, from which `python -m reliability.report` writes
docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(
    os.environ.get("PARTNEWS_RELIABILITY_RESULTS", REPO_ROOT / "test-output" / "reliability")
)


def run_crawl(
    mirror_url: str,
    archive: Path,
    *sources: str,
    settings: dict | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess:
    """`partnews crawl --mirror URL --archive PATH SOURCE…` with Scrapy setting overrides."""
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    env["SCRAPY_SETTINGS_MODULE"] = "reliability.crawl_settings"
    env["PARTNEWS_SETTINGS_JSON"] = json.dumps(settings or {})
    command = [sys.executable, "-m", "partnews.cli", "crawl", "--mirror", mirror_url]
    command += ["--archive", str(archive), *sources]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def record(check: str, outcome: dict) -> Path:
    """Keep what a check measured (test-output/reliability/<check>.json) for the report."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{check}.json"
    path.write_text(json.dumps(outcome, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
