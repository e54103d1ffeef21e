"""The city_of_san_diego spider against the sandiego.gov mirror, over real HTTP.

Expected values come from the mirror's content files (tests/sites/www.sandiego.gov/),
read here with tomllib, never from the crawler's output. The source is `filtered`: only
the stories marked `relevant = true` may be archived, and the run still counts them all.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from partnews import SITES_DIR
from tests.crawling import run_crawl

FOLDER = SITES_DIR / "www.sandiego.gov"
BASE = "https://www.sandiego.gov"
ZONE = ZoneInfo("America/Los_Angeles")


def node_files() -> list[tuple[dict, str]]:
    """(front matter, body text) of every node file."""
    out = []
    for path in sorted((FOLDER / "nodes").glob("*.md")):
        _, meta, body = path.read_text(encoding="utf-8").split("+++", 2)
        out.append((tomllib.loads(meta), body.strip()))
    return out


def meta_at(slug: str) -> tuple[dict, str]:
    return next((m, b) for m, b in node_files() if m["alias"] == f"/insidesd/{slug}")


def body_text(body: str) -> str:
    """The text a reader sees of a node file's body: tags dropped, one blank line between
    paragraphs."""
    paragraphs = (" ".join(re.sub(r"<[^>]+>", "", p).split()) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


@pytest.fixture(scope="module")
def crawl(mirror, tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("city_of_san_diego") / "partnews.db"
    mirror.requests.clear()
    result = run_crawl(mirror.url, path, "city_of_san_diego")
    assert result.returncode == 0, result.stderr[-3000:]
    requests = [r for r in mirror.requests.records() if r.host == "www.sandiego.gov"]
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    yield conn, requests
    conn.close()


def item_at(conn, url: str) -> dict:
    row = conn.execute(
        "select items.* from item_urls join items on items.id = item_urls.item_id "
        "where item_urls.url = ?",
        [url],
    ).fetchone()
    assert row is not None, f"no item archived at {url}"
    return dict(row)


def test_archives_exactly_the_partnership_stories(crawl):
    conn, _ = crawl
    relevant = {BASE + m["alias"] for m, _ in node_files() if m["relevant"]}
    archived = {r[0] for r in conn.execute("select url from items")}
    assert archived == relevant
    tijuana = BASE + "/insidesd/san-diego-and-tijuana-joint-cities-meeting"
    assert tijuana not in archived, "a border meeting is not about the Région Sud"
    run = conn.execute("select * from crawl_runs").fetchone()
    assert run["items_seen"] == len(node_files())
    assert run["items_new"] == len(relevant)


def test_story_field_by_field(crawl):
    conn, _ = crawl
    meta, body = meta_at("san-diego-provence-alpes-cote-dazur-cooperation-agreement")
    item = item_at(conn, BASE + meta["alias"])
    assert item["title"] == meta["title"]
    assert item["url"] == item["canonical_url"] == BASE + meta["alias"]
    assert item["published"] == meta["created"].astimezone(ZONE).isoformat()
    assert item["published_from"] == "time"
    assert item["language"] == "en"
    assert item["cms_id"] == f"drupal:node/{meta['nid']}"
    assert json.loads(item["authors"]) == [meta["author"]]
    assert item["body"] == body_text(body)
    assert meta["caption"] not in item["body"], "the photo caption is not body text"


def test_bodies_have_no_boilerplate(crawl):
    conn, _ = crawl
    site = tomllib.loads((FOLDER / "site.toml").read_text(encoding="utf-8"))
    boilerplate = [
        "Skip to main content",
        site["section_header"]["tagline"],
        site["share_text"],
        site["official_banner"],
        site["footer_address"],
    ]
    for row in conn.execute("select url, body from items"):
        for text in boilerplate:
            assert text not in row["body"], (row["url"], text)


def test_byline_time_is_the_date_in_san_diego_time(crawl):
    conn, _ = crawl
    meta, _ = meta_at("city-council-marseille-sister-city-resolution")
    created = meta["created"]
    # The precondition that makes this test bite: 5 pm in San Diego is the next day in UTC.
    assert created.astimezone(UTC).date() != created.date()
    item = item_at(conn, BASE + meta["alias"])
    assert item["published"] == created.astimezone(ZONE).isoformat()
    assert item["published"][:10] == created.date().isoformat()


def test_dates_in_the_text_are_not_the_publication_date(crawl):
    conn, _ = crawl
    meta, body = meta_at("mayor-gloria-trade-mission-france")
    assert "on Sunday, Sept. 21," in body, "the text names a later day, without a year"
    item = item_at(conn, BASE + meta["alias"])
    assert item["published"][:10] == meta["created"].date().isoformat() == "2025-05-13"
    for meta, _ in node_files():
        if meta["relevant"]:
            published = item_at(conn, BASE + meta["alias"])["published"]
            assert published[:10] != date.today().isoformat()


def test_feed_then_listing_walked_to_its_end(crawl):
    _, requests = crawl
    paths = [r.path for r in requests]
    assert paths[0] == "/robots.txt"
    assert "/rss.xml" in paths and "/sitemap.xml" in paths
    site = tomllib.loads((FOLDER / "site.toml").read_text(encoding="utf-8"))
    pages = -(-len(node_files()) // site["rows_per_page"])
    assert "/insidesd" in paths
    for number in range(1, pages + 1):  # the last request finds the view's empty text
        assert f"/insidesd?page={number}" in paths
    assert f"/insidesd?page={pages + 1}" not in paths


def test_each_story_fetched_once_and_archived_once(crawl):
    conn, requests = crawl
    paths = [r.path for r in requests]
    for meta, _ in node_files():
        assert paths.count(meta["alias"]) == 1, meta["alias"]
    ids = [r[0] for r in conn.execute("select cms_id from items")]
    assert len(ids) == len(set(ids))


def test_node_path_link_gives_the_one_item_at_the_alias(crawl):
    conn, requests = crawl
    linked = {
        int(nid) for _, body in node_files() for nid in re.findall(r'href="/node/(\d+)"', body)
    }
    assert linked, "a story links to another story by its /node/N path"
    paths = [r.path for r in requests]
    for nid in linked:
        meta = next(m for m, _ in node_files() if m["nid"] == nid)
        assert meta["relevant"], "the linked story is one the archive keeps"
        assert f"/node/{nid}" in paths
        rows = conn.execute("select url from items where cms_id = ?", [f"drupal:node/{nid}"])
        assert [r[0] for r in rows] == [BASE + meta["alias"]]
    assert (
        conn.execute("select count(*) from item_urls where url like '%/node/%'").fetchone()[0] == 0
    )
    # A body link to a department page (not a story) is not followed.
    assert "/economic-development" not in paths
