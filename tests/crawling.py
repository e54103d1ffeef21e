"""Helpers for tests that crawl the mirror: run the real `partnews crawl` in a subprocess,
then read the archive it wrote as a user of the SQLite file would.

Scrapy's reactor starts once per process, so every crawl runs as the command a user
would type, over real HTTP against the mirror served by this test process.
"""

from __future__ import annotations

import os
import sqlite3
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


def open_archive(path: Path) -> sqlite3.Connection:
    """The archive at `path`, with rows readable by column name (sqlite3.Row)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def crawl_and_open(server, archive: Path, *sources: str) -> sqlite3.Connection:
    """Crawl `sources` from `server` (a MirrorServer) into `archive` and open it.

    The server's request log is cleared first, so that afterwards it holds this crawl's
    requests only; a failed crawl fails the test with the end of its stderr.
    """
    server.requests.clear()
    result = run_crawl(server.url, archive, *sources)
    assert result.returncode == 0, result.stderr[-3000:]
    return open_archive(archive)


def requested_paths(server, host: str | None = None) -> list[str]:
    """The paths the crawler asked `server` for, in order; only `host`'s when given."""
    return [r.path for r in server.requests.records() if host is None or r.host == host]


def item_at(conn: sqlite3.Connection, url: str) -> dict:
    """The item archived at `url` (any of its URLs, through item_urls), with its event
    fields when it is an event; fails the test when no item has that URL."""
    row = conn.execute(
        "select items.*, events.* from item_urls join items on items.id = item_urls.item_id "
        "left join events on events.item_id = items.id where item_urls.url = ?",
        [url],
    ).fetchone()
    assert row is not None, f"no item archived at {url}"
    return dict(row)


def archived_urls(conn: sqlite3.Connection) -> set[str]:
    """The URL of every archived item (its cited URL, not its other URLs)."""
    return {r[0] for r in conn.execute("select url from items")}
