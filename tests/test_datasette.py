"""The archive as people use it: every canned query, feed, export and page, through
Datasette's real app on a real crawled archive. Expected answers are computed from the
archive's rows in Python, not from Datasette."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata

import feedparser
import icalendar
import pytest

from archive.publish import datasette_app


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(row: dict) -> list[str]:
    return re.findall(r"\w+", fold(" ".join(row[c] or "" for c in ("title", "summary", "body"))))


@pytest.fixture(scope="module")
def db(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def items(db):
    return [dict(r) for r in db.execute("select * from items")]


@pytest.fixture
def ds(crawled_archive):
    return datasette_app(crawled_archive)


async def rows_of(ds, path: str, **params) -> list[dict]:
    response = await ds.client.get(path, params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


# Search ----------------------------------------------------------------------------------


async def test_search_filters_narrow_the_ranked_results(ds, items):
    everything = await rows_of(ds, "/partnews/search.json", q="San Diego")
    french = await rows_of(ds, "/partnews/search.json", q="San Diego", language="fr")
    chamber = await rows_of(ds, "/partnews/search.json", q="San Diego", source="sdfacc")
    dated = await rows_of(
        ds, "/partnews/search.json", q="San Diego", **{"from": "2019-01-01", "to": "2019-12-31"}
    )
    expected_fr = {
        r["id"]
        for r in items
        if r["language"] == "fr" and "san" in words(r) and "diego" in words(r)
    }
    assert {r["id"] for r in french} == expected_fr and expected_fr
    assert {r["source"] for r in chamber} == {"sdfacc"}
    assert dated and all(r["published"][:4] == "2019" for r in dated)
    assert {r["id"] for r in french} < {r["id"] for r in everything}


async def test_search_prefix_matches_word_beginnings(ds, items):
    found = {r["id"] for r in await rows_of(ds, "/partnews/search_prefix.json", q="biot")}
    expected = {r["id"] for r in items if any(w.startswith("biot") for w in words(r))}
    assert expected and found == expected


@pytest.mark.parametrize("query", ["saint-etienne", "Côte-d'Or", "l'agence", "cote d'azur"])
async def test_table_search_accepts_punctuated_words(ds, query):
    response = await ds.client.get("/partnews/items.json", params={"_search": query})
    assert response.status_code == 200, response.text[:300]


async def test_table_search_finds_french_elisions(ds, items):
    found = {r["id"] for r in await rows_of(ds, "/partnews/items.json", _search="l'agence")}
    expected = {r["id"] for r in items if re.search(r"\bl agence\b", " ".join(words(r)))}
    assert expected and found == expected


# Feeds -----------------------------------------------------------------------------------


async def test_atom_feed_of_the_latest_items(ds, items):
    response = await ds.client.get("/partnews/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert len(feed.entries) == min(100, len(items))
    urls = {r["url"] for r in items}
    assert all(entry.link in urls for entry in feed.entries)


async def test_atom_feed_of_a_search_and_an_empty_one(ds, items):
    response = await ds.client.get("/partnews/feed.atom", params={"q": "Marseille"})
    feed = feedparser.parse(response.content)
    expected = {r["url"] for r in items if "marseille" in words(r)}
    assert {entry.link for entry in feed.entries} == expected
    empty = await ds.client.get("/partnews/feed.atom", params={"q": "zzzzunknownword"})
    assert empty.status_code == 200, "a search with no match is an empty feed, not an error"
    assert feedparser.parse(empty.content).entries == []


async def test_ical_of_upcoming_events(ds, db):
    response = await ds.client.get("/partnews/upcoming_events.ics", params={"from": "2025-06-01"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    expected = db.execute(
        "select item_id, start, status, all_day from events "
        "where coalesce(\"end\", start) >= '2025-06-01'"
    ).fetchall()
    assert set(events) == {r["item_id"] for r in expected} and expected
    for row in expected:
        event = events[row["item_id"]]
        start = event.decoded("DTSTART")
        if row["all_day"]:
            assert start.isoformat() == row["start"], "all-day events are dates"
        else:
            assert start.isoformat() == row["start"], "same instant, same zone offset"
            assert event["DTSTART"].params.get("TZID"), "timed events carry their zone"
        if row["status"] == "cancelled":
            assert str(event["STATUS"]) == "CANCELLED"


async def test_new_since(ds, items):
    assert len(await rows_of(ds, "/partnews/new_since.json", since="2000-01-01")) == len(items)
    assert await rows_of(ds, "/partnews/new_since.json", since="2999-01-01") == []


# Story and health ------------------------------------------------------------------------


async def test_story_of_a_repost_holds_the_original_and_its_translation(ds, db):
    repost = db.execute(
        "select item_id from story_members where role = 'repost' and item_id in "
        "(select id from items where source = 'sdfacc') limit 1"
    ).fetchone()
    assert repost, "the chamber reposts Provence Promotion articles"
    story = await rows_of(ds, "/partnews/story.json", item_id=repost[0])
    sources = {r["source"] for r in story}
    assert {"sdfacc", "provence_promotion"} <= sources
    assert [r["role"] for r in story if r["role"]].count("original") == 1
    languages = {r["language"] for r in story}
    assert "en" in languages


async def test_source_health_lists_every_source_with_its_last_run(ds, db):
    health = {r["source"]: r for r in await rows_of(ds, "/partnews/source_health.json")}
    sources = [r[0] for r in db.execute("select id from sources")]
    assert set(health) == set(sources)
    for source, row in health.items():
        archived = db.execute("select count(*) from items where source = ?", [source]).fetchone()
        assert row["items_archived"] == archived[0]
        assert row["status"] == "ok"


# Exports and pages -----------------------------------------------------------------------


async def test_csv_streams_every_event_and_json_lines(ds, db):
    response = await ds.client.get("/partnews/events.csv", params={"_stream": "on"})
    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert len(exported) == db.execute("select count(*) from events").fetchone()[0]
    response = await ds.client.get(
        "/partnews/items.json", params={"_shape": "array", "_nl": "on", "_size": "max"}
    )
    lines = response.text.strip().splitlines()
    assert len(lines) == db.execute("select count(*) from items").fetchone()[0]
    assert all(json.loads(line)["id"] for line in lines)


async def test_item_page_shows_the_item_and_its_story(ds, db):
    repost = db.execute(
        "select items.id, items.title from items join story_members on story_members.item_id = "
        "items.id where story_members.role = 'repost' limit 1"
    ).fetchone()
    response = await ds.client.get(f"/partnews/items/{repost['id']}")
    assert response.status_code == 200
    html = response.text
    assert "Its story" in html
    assert f"/partnews/story?item_id={repost['id']}" in html
    assert "<script>alert" not in html


async def test_home_page_says_what_the_archive_holds(ds, db):
    html = (await ds.client.get("/")).text
    total = db.execute("select count(*) from items").fetchone()[0]
    assert f"<strong>{total:,}</strong> items" in html
    for (name,) in db.execute("select name from sources"):
        assert name.replace("'", "&#39;") in html


async def test_every_table_view_and_canned_query_page_answers(ds, db):
    """Each page a visitor can reach from the database page, with its default facets."""
    names = [
        r[0] for r in db.execute("select name from sqlite_master where type in ('table', 'view')")
    ]
    metadata = ds.metadata(database="partnews")
    pages = [f"/partnews/{name}" for name in names if not name.startswith("items_fts")]
    pages += [f"/partnews/{name}" for name in metadata["queries"]]
    for page in pages:
        response = await ds.client.get(page)
        assert response.status_code == 200, (page, response.text[:300])
        assert "facet timed out" not in response.text.lower(), page


async def test_robots_policy_lets_pages_be_indexed_but_not_searches_and_exports(ds):
    from urllib.robotparser import RobotFileParser

    response = await ds.client.get("/robots.txt")
    assert response.status_code == 200
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    assert robots.can_fetch("Googlebot", "/partnews/items/0123456789abcdef")
    assert robots.can_fetch("Googlebot", "/partnews/items")
    assert not robots.can_fetch("Googlebot", "/partnews/search?q=marseille")
    assert not robots.can_fetch("Googlebot", "/partnews.db")
    assert robots.crawl_delay("Googlebot") == 5


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_write_methods_are_refused_with_405_and_reads_still_work(ds, items, method):
    path = f"/partnews/items/{items[0]['id']}"
    refused = await ds.client.request(method, path, json={"title": "overwritten"})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS"
    assert "read-only" in refused.text
    page = await ds.client.get(path)
    assert page.status_code == 200 and "overwritten" not in page.text
