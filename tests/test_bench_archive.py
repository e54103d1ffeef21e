"""The archive bench at a small size: the generated archive has the real archive's shape
(counts, full-text index in sync, facet columns filled), and the bench's measuring code
runs every page kind through a real Datasette. No timings are asserted."""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils

from archive.schema import ensure_schema
from bench.bench_archive import (
    Server,
    TimeLimit,
    build_archive,
    facets_timed_out,
    measure,
    metadata,
    percentiles,
    raw_connection,
    raw_table_page,
    search_queries,
)
from bench.generate import ARCHIVE_YEARS, SECTOR_LABELS, SOURCE_PROFILES, TextPools

COUNT = 3000


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "partnews.db"
    build_archive(path, COUNT)
    return path


@pytest.fixture(scope="module")
def db(archive):
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_every_item_has_its_url_version_and_event_rows(db):
    count = db.execute("select count(*) from items").fetchone()[0]
    assert count == COUNT
    assert db.execute("select count(distinct id) from items").fetchone()[0] == COUNT
    # save_item writes one canonical URL and a first version for each new item.
    assert db.execute("select count(*) from item_urls").fetchone()[0] == COUNT
    assert db.execute("select count(*) from item_versions where version = 1").fetchone()[0] == COUNT
    events = db.execute("select count(*) from items where kind = 'event'").fetchone()[0]
    assert events > 0
    assert db.execute("select count(*) from events").fetchone()[0] == events
    # Only the chamber publishes events (crawler/sources.toml).
    assert {r[0] for r in db.execute("select source from items where kind = 'event'")} == {"sdfacc"}


def test_full_text_index_is_in_sync_with_items(db):
    assert db.execute("select count(*) from items_fts").fetchone()[0] == COUNT
    # FTS5 compares its index with the items table and raises if they differ.
    db.execute("insert into items_fts(items_fts, rank) values ('integrity-check', 1)")
    # A word of one item's title finds that item.
    rowid, title = db.execute("select rowid, title from items where rowid = 1234").fetchone()
    word = max(title.replace(":", " ").split(), key=len)
    found = {
        r[0]
        for r in db.execute("select rowid from items_fts where items_fts match ?", [f'"{word}"'])
    }
    assert rowid in found


def test_indexes_and_triggers_are_those_of_the_real_schema(tmp_path, db):
    fresh = sqlite_utils.Database(tmp_path / "fresh.db")
    ensure_schema(fresh)
    query = "select type, name from sqlite_master where type in ('index', 'trigger', 'view')"
    expected = set(fresh.execute(query).fetchall())
    assert set(map(tuple, db.execute(query).fetchall())) == expected
    # The triggers work: a new item gets into the full-text index.
    db.execute(
        "insert into items (id, source, kind, url, title) values "
        "('x1', 'sdfacc', 'news', 'https://example.org/x', 'Zanzibarquest')"
    )
    assert (
        db.execute(
            "select count(*) from items_fts where items_fts match 'zanzibarquest'"
        ).fetchone()[0]
        == 1
    )
    db.rollback()


def test_facet_columns_are_filled_the_way_the_store_fills_them(db):
    rows = [dict(r) for r in db.execute("select * from items")]
    for row in rows:
        assert row["source"] in SOURCE_PROFILES
        assert row["language"] in SOURCE_PROFILES[row["source"]][1]
        assert row["year"] in ARCHIVE_YEARS
        assert row["month"] == row["published"][:7]
        assert row["year"] == int(row["published"][:4])
        assert row["relevance_band"] in {"high", "medium", "low", "none"}
        if row["sectors"]:
            assert set(json.loads(row["sectors"])) <= set(SECTOR_LABELS)
    # Filtered sources keep only items at or above the relevance threshold (1.0).
    filtered = [r for r in rows if SOURCE_PROFILES[r["source"]][3] == "filtered"]
    assert filtered and all(r["relevance_score"] >= 1.0 for r in filtered)
    # Every facet has more than one value, and sectors are on some items, not all.
    for column in ("source", "kind", "language", "year", "month", "relevance_band"):
        assert len({r[column] for r in rows}) > 1, column
    with_sectors = sum(1 for r in rows if r["sectors"])
    assert 0 < with_sectors < COUNT
    # French text keeps its accents.
    french = " ".join(r["body"] for r in rows if r["language"] == "fr")
    assert "é" in french


def test_raw_table_page_times_every_declared_facet(archive):
    conn = raw_connection(archive)
    limit = TimeLimit(conn)
    declared = [
        f["array"] if isinstance(f, dict) else f for f in metadata()["tables"]["items"]["facets"]
    ]
    assert set(raw_table_page(limit, {})) == set(declared)
    assert set(raw_table_page(limit, {"source": "sdfacc", "kind": "event"})) == set(declared)
    conn.close()


def test_search_mix_has_every_kind_of_query():
    searches = search_queries(random.Random(1), TextPools(), 300)
    queries = {q for _, q in searches}
    assert Counter(name for name, _ in searches) == {"search": 300, "search_prefix": 300}
    assert any(" " in q for q in queries)
    assert any(c in "éèà" for q in queries for c in q)


def test_percentiles_of_known_samples():
    p50, p95 = percentiles(float(x) for x in range(1, 101))
    # Median of 1..100 is between 50 and 51; the 95th percentile, interpolated, 95.05.
    assert p50 == 50.5
    assert p95 == pytest.approx(95.05)


def test_timed_out_facets_are_read_from_the_page():
    page = '<p class="facets-timed-out">These facets timed out: sectors, month</p><div>'
    assert facets_timed_out(page) == ["sectors", "month"]
    assert facets_timed_out("<p>no facets here</p>") == []


def test_measure_serves_every_page_kind(archive):
    server = Server(archive)
    try:
        results = measure(archive, 6, server)
    finally:
        server.stop()
    assert [m.what.split(" (")[0] for m in results] == [
        "ranked search",
        "prefix search",
        "faceted table page",
        "faceted table page, filtered",
        "item page",
    ]
    for m in results:
        assert len(m.http_ms) == len(m.raw_ms) == 6
        assert m.errors == 0, m.what
