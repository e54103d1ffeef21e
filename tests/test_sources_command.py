"""`partnews sources`: every registry source with its last run, read from a real archive."""

import json
import subprocess
import sys

from archive.store import Archive
from crawler.sources import load_sources


def sources_json(archive_path) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "sources", "--json", "--archive", str(archive_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {row["id"]: row for row in rows}


def test_lists_every_source_with_its_last_run(tmp_path):
    path = tmp_path / "partnews.db"
    archive = Archive(path)
    old = archive.start_run("sdfacc")
    archive.finish_run(old, {"finish_reason": "finished", "items_seen": 3, "items_new": 3})
    new = archive.start_run("sdfacc")
    archive.finish_run(new, {"finish_reason": "finished", "items_seen": 36, "items_new": 1})
    failed = archive.start_run("provence_promotion")
    archive.finish_run(failed, {"finish_reason": "shutdown", "items_seen": 2, "items_new": 0})
    archive.close()

    rows = sources_json(path)
    assert list(rows) == list(load_sources()), "every source, in registry order"
    assert (rows["sdfacc"]["items_seen"], rows["sdfacc"]["items_new"]) == (36, 1)
    assert rows["sdfacc"]["status"] == "ok"
    assert rows["provence_promotion"]["status"] == "failed (shutdown)"
    assert rows["sdfacc"]["side"] == "San Diego" and rows["sdfacc"]["cms"] == "wordpress"


def test_without_an_archive_sources_are_never_crawled(tmp_path):
    rows = sources_json(tmp_path / "missing.db")
    assert rows["sdfacc"]["status"] == "never crawled"
    assert rows["sdfacc"]["last_run"] is None
