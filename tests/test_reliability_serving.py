"""Serving under load: concurrent readers see no error, a slow query is cut by the time
limit without starving them, and no write path exists.

The crawled mirror archive is served by the real `partnews serve` in its own process
and loaded from this one (reliability/load.py), on 127.0.0.1. CI runs a small load
(5 clients for 5 seconds); `make reliability` sets PARTNEWS_LOAD_CLIENTS=50 and
PARTNEWS_LOAD_SECONDS=60.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from archive.publish import SETTINGS
from reliability.load import run_load, write_attempts
from reliability.runner import record
from reliability.serving import served

CLIENTS = int(os.environ.get("PARTNEWS_LOAD_CLIENTS", "5"))
SECONDS = float(os.environ.get("PARTNEWS_LOAD_SECONDS", "5"))


@pytest.fixture(scope="module")
def site(crawled_archive):
    with served(crawled_archive) as base:
        yield base, crawled_archive


def test_concurrent_readers_get_every_page_without_error(site):
    base, archive = site
    report = run_load(base, archive, clients=CLIENTS, seconds=SECONDS)
    record("load", report)
    assert report["errors"] == 0, report["error_samples"]
    assert set(report["kinds"]) == {"search", "facets", "item", "csv"}
    assert all(kind["requests"] > 0 for kind in report["kinds"].values())


def test_a_slow_query_is_cut_by_the_time_limit_and_readers_go_on(site):
    base, archive = site
    report = run_load(base, archive, clients=CLIENTS, seconds=max(SECONDS, 4), slow_queries=2)
    record("load_with_slow_query", report)
    slow = report["slow_query"]
    assert slow["answers"] >= 2
    assert slow["interrupted"] == slow["answers"], "every slow query was interrupted"
    assert slow["statuses"] == [400]  # Datasette's answer to an interrupted query
    limit_s = SETTINGS["sql_time_limit_ms"] / 1000
    # cut near the limit, not run to its end (a billion rows would take minutes)
    assert slow["max_s"] < limit_s * 10
    assert report["errors"] == 0, report["error_samples"]
    assert all(kind["requests"] > 0 for kind in report["kinds"].values()), "no kind starved"


@pytest.fixture(scope="module")
def write_answers(site):
    base, archive = site
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    conn = sqlite3.connect(archive)
    item_id = conn.execute("select id from items limit 1").fetchone()[0]
    conn.close()
    answers = write_attempts(base, item_id)
    errors = [a for a in answers if a["status"] >= 500]
    unchanged = digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    record(
        "write_paths",
        {
            "attempts": len(answers),
            "statuses": sorted({a["status"] for a in answers}),
            "accepted": sum(1 for a in answers if a["status"] < 400),
            "server_errors": errors,
            "archive_unchanged": unchanged,
        },
    )
    return answers, unchanged


def test_no_write_path_exists(write_answers):
    answers, unchanged = write_answers
    assert len(answers) == 14 * 3
    accepted = [a for a in answers if a["status"] < 400]
    assert accepted == [], "no POST, PUT or DELETE is accepted"
    assert unchanged, "the archive file is byte for byte the same"


def test_every_write_attempt_is_refused_cleanly(write_answers):
    # Datasette 0.65.5 alone answers POST to a table page of an immutable database with
    # a 500; the plugin's read-only door answers every write 405 with an Allow header.
    answers, _ = write_answers
    assert {a["status"] for a in answers} == {405}
