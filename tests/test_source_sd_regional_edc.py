"""San Diego Regional EDC (sandiegobusiness.org) crawled through the mirror: a `filtered`
source whose listings carry full post bodies, with two blog generations.

Expected values come from the mirror's content files (tests/sites/www.sandiegobusiness.org/),
read here with tomllib, never from the crawler's output. Each post says in its front
matter whether it is about the partnership (`relevant`); only those are archived.
"""

from __future__ import annotations

import sqlite3

import pytest

from mirror import SITES_DIR
from mirror.site import Fault
from tests.crawling import archived_urls, crawl_and_open, item_at, requested_paths
from tests.mirror_content import read_site

FOLDER = SITES_DIR / "www.sandiegobusiness.org"
SOURCE = "sd_regional_edc"
HOST = "www.sandiegobusiness.org"


SITE, POSTS = read_site(FOLDER)
RELEVANT = [p for p in POSTS if p["relevant"]]
OTHERS = [p for p in POSTS if not p["relevant"]]


def last_run(conn: sqlite3.Connection) -> dict:
    return dict(conn.execute("select * from crawl_runs order by id desc limit 1").fetchone())


@pytest.fixture(scope="module")
def edc(mirror, tmp_path_factory):
    archive = tmp_path_factory.mktemp("sd_regional_edc") / "partnews.db"
    conn = crawl_and_open(mirror, archive, SOURCE)
    requests = requested_paths(mirror, HOST)
    yield conn, requests
    conn.close()


def test_the_content_has_both_kinds_of_posts():
    assert len(POSTS) >= 14
    assert len(RELEVANT) >= 4 and len(OTHERS) >= 4
    assert {p["published"].year for p in POSTS} >= {2016, 2017, 2019, 2025}


def test_only_posts_about_the_partnership_are_archived(edc):
    conn, _ = edc
    assert archived_urls(conn) == {p["url"] for p in RELEVANT}
    run = last_run(conn)
    assert run["items_seen"] == len(POSTS), "every post was read once, listings made none"
    assert run["items_not_relevant"] == len(OTHERS)


def test_reads_feed_then_sitemap(edc):
    _, requests = edc
    assert requests[0] == "/robots.txt"
    assert requests.index("/blog/rss.xml") < requests.index("/sitemap.xml")
    assert not any(p.startswith(("/blog/category/", "/blog/tag/", "/category/")) for p in requests)


@pytest.mark.parametrize("post", RELEVANT, ids=[p["url"].rsplit("/", 1)[-1] for p in RELEVANT])
def test_relevant_post_field_by_field(edc, post):
    conn, _ = edc
    item = item_at(conn, post["url"])
    assert item["source"] == "sd_regional_edc"
    assert item["title"] == post["title"]
    assert item["language"] == "en"
    if post["section"] == "wtc":  # the old blog: only "June 21, 2016" on the page
        assert item["published"] == post["published"].date().isoformat()
        assert item["published_from"] == "dateline"
    else:
        assert item["published"] == post["published"].isoformat()
        assert item["published_from"] == "meta"
    for paragraph in post["paragraphs"]:
        assert paragraph in item["body"]
    for boilerplate in (SITE["ui"]["related"], SITE["ui"]["newsletter"], SITE["footer"]):
        assert boilerplate not in item["body"]


def test_weekly_newsletters_share_a_title_but_stay_separate(edc):
    conn, _ = edc
    weekly = [p for p in POSTS if p["title"] == "Good News of the Week"]
    assert len(weekly) >= 2
    for post in weekly:
        archived = conn.execute("select body from items where url = ?", [post["url"]]).fetchone()
        assert (archived is not None) == post["relevant"]
        if archived:
            assert archived["body"].startswith(post["paragraphs"][0])  # "For the week of …"


def test_full_body_listings_alone_still_give_each_post_once(mirror_factory, tmp_path):
    faults = [Fault(path=r"^/(blog/rss|sitemap)\.xml", host=HOST, status=404)]
    server = mirror_factory(faults=faults)
    conn = crawl_and_open(server, tmp_path / "partnews.db", SOURCE)
    requests = requested_paths(server, HOST)
    assert "/blog/category/blog/page/2" in requests
    assert "/category/category/wtc-san-diego?page=1" in requests
    assert archived_urls(conn) == {p["url"] for p in RELEVANT}
    run = last_run(conn)
    assert run["items_seen"] == len(POSTS)
    assert run["items_not_relevant"] == len(OTHERS)
    listing_urls = conn.execute(
        "select count(*) from item_urls where url like '%/category/%' or url like '%/tag/%'"
    ).fetchone()[0]
    assert listing_urls == 0
    for post in RELEVANT:
        assert item_at(conn, post["url"])["title"] == post["title"]
