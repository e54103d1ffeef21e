"""Helpers for tests that crawl the mirror: run the real `partnews crawl` in a subprocess.

Scrapy's reactor starts once per process, so every crawl runs as the command a user
would type, over real HTTP against the mirror served by this test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_crawl(mirror_url: str, archive: Path, *sources: str, timeout: int = 300):
    """`partnews crawl --mirror URL --archive PATH SOURCE…`; returns the CompletedProcess."""
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "partnews.cli",
            "crawl",
            "--mirror",
            mirror_url,
            "--archive",
            str(archive),
            *sources,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
