"""The city_of_san_diego spider against the sandiego.gov mirror, over real HTTP.

Expected values come from the mirror's content files (tests/sites/www.sandiego.gov/),
read here with tomllib, never from the crawler's output. The source is `filtered`: only
the stories marked `relevant = true` may be archived, and the run still counts them all.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest

from mirror import SITES_DIR
from tests.crawling import archived_urls, crawl_and_open, item_at, requested_paths
from tests.mirror_content import body_text, node_files, site_settings

FOLDER = SITES_DIR / "www.sandiego.gov"
BASE = "https://www.sandiego.gov"
NODES = node_files(FOLDER)
ZONE = ZoneInfo("America/Los_Angeles")


def meta_at(slug: str) -> tuple[dict, str]:
    return next((m, b) for m, b in NODES if m["alias"] == f"/insidesd/{slug}")


@pytest.fixture(scope="module")
def crawl(mirror, tmp_path_factory):
    archive = tmp_path_factory.mktemp("city_of_san_diego") / "partnews.db"
    conn = crawl_and_open(mirror, archive, "city_of_san_diego")
    yield conn, requested_paths(mirror, "www.sandiego.gov")
    conn.close()


def test_archives_exactly_the_partnership_stories(crawl):
    conn, _ = crawl
    relevant = {BASE + m["alias"] for m, _ in NODES if m["relevant"]}
    archived = archived_urls(conn)
    assert archived == relevant
    tijuana = BASE + "/insidesd/san-diego-and-tijuana-joint-cities-meeting"
    assert tijuana not in archived, "a border meeting is not about the Région Sud"
    run = conn.execute("select * from crawl_runs").fetchone()
    assert run["items_seen"] == len(NODES)
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
    site = site_settings(FOLDER)
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
    for meta, _ in NODES:
        if meta["relevant"]:
            published = item_at(conn, BASE + meta["alias"])["published"]
            assert published[:10] != date.today().isoformat()


def test_feed_then_listing_walked_to_its_end(crawl):
    _, paths = crawl
    assert paths[0] == "/robots.txt"
    assert "/rss.xml" in paths and "/sitemap.xml" in paths
    site = site_settings(FOLDER)
    pages = -(-len(NODES) // site["rows_per_page"])
    assert "/insidesd" in paths
    for number in range(1, pages + 1):  # the last request finds the view's empty text
        assert f"/insidesd?page={number}" in paths
    assert f"/insidesd?page={pages + 1}" not in paths


def test_each_story_fetched_once_and_archived_once(crawl):
    conn, paths = crawl
    for meta, _ in NODES:
        assert paths.count(meta["alias"]) == 1, meta["alias"]
    ids = [r[0] for r in conn.execute("select cms_id from items")]
    assert len(ids) == len(set(ids))


def test_node_path_link_gives_the_one_item_at_the_alias(crawl):
    conn, paths = crawl
    linked = {int(nid) for _, body in NODES for nid in re.findall(r'href="/node/(\d+)"', body)}
    assert linked, "a story links to another story by its /node/N path"
    for nid in linked:
        meta = next(m for m, _ in NODES if m["nid"] == nid)
        assert meta["relevant"], "the linked story is one the archive keeps"
        assert f"/node/{nid}" in paths
        rows = conn.execute("select url from items where cms_id = ?", [f"drupal:node/{nid}"])
        assert [r[0] for r in rows] == [BASE + meta["alias"]]
    assert (
        conn.execute("select count(*) from item_urls where url like '%/node/%'").fetchone()[0] == 0
    )
    # A body link to a department page (not a story) is not followed.
    assert "/economic-development" not in paths
