"""risingSUD (risingsud.fr) crawled through the mirror: JSON-LD dates, a sitemap index and
no feed, French and English news linked as translations.

Expected values come from the mirror's content files (tests/sites/www.risingsud.fr/),
read here with tomllib, never from the crawler's output.
"""

from __future__ import annotations

import json

import pytest

from mirror import SITES_DIR
from mirror.site import Fault
from tests.crawling import archived_urls, crawl_and_open, item_at, requested_paths
from tests.mirror_content import read_site

FOLDER = SITES_DIR / "www.risingsud.fr"
SOURCE = "rising_sud"
HOST = "www.risingsud.fr"


SITE, POSTS = read_site(FOLDER)


@pytest.fixture(scope="module")
def rising_sud(mirror, tmp_path_factory):
    conn = crawl_and_open(mirror, tmp_path_factory.mktemp("rising_sud") / "partnews.db", SOURCE)
    requests = requested_paths(mirror, HOST)
    yield conn, requests
    conn.close()


def test_every_post_archived_once(rising_sud):
    conn, _ = rising_sud
    assert len(POSTS) >= 8
    assert {p["lang"] for p in POSTS} == {"fr", "en"}
    assert archived_urls(conn) == {p["url"] for p in POSTS}
    assert conn.execute("select count(*) from items").fetchone()[0] == len(POSTS)


def test_no_feed_so_the_sitemap_index_and_its_children_are_read(rising_sud):
    _, requests = rising_sud
    assert requests[0] == "/robots.txt"
    children = [c["path"] for c in SITE["sitemap"]["children"]]
    assert "/sitemap.xml" in requests
    assert all(child in requests for child in children)
    assert not any("rss" in p or "feed" in p for p in requests)
    assert not any("/page/" in p for p in requests), "the sitemap made the listings unneeded"


@pytest.mark.parametrize("post", POSTS, ids=[p["url"].rsplit("/", 1)[-1] for p in POSTS])
def test_post_field_by_field(rising_sud, post):
    conn, _ = rising_sud
    item = item_at(conn, post["url"])
    assert item["source"] == "rising_sud"
    assert item["title"] == post["title"]
    assert item["published"] == post["published"].isoformat()
    assert item["published_from"] == "jsonld"
    assert item["modified"] == post.get("modified", post["published"]).isoformat()
    assert item["language"] == post["lang"]
    assert json.loads(item["authors"]) == [post.get("author", SITE["name"])]
    for paragraph in post["paragraphs"]:
        assert paragraph in item["body"]
    assert not item["body"].startswith(post["title"])
    assert SITE["ui"]["newsletter"] not in item["body"]
    assert SITE["footer"] not in item["body"]


def test_translations_link_both_ways(rising_sud):
    conn, _ = rising_sud
    pairs: dict[str, dict[str, str]] = {}
    for post in POSTS:
        if post.get("translation"):
            pairs.setdefault(post["translation"], {})[post["lang"]] = post["url"]
    assert pairs and all(set(p) == {"fr", "en"} for p in pairs.values())
    for urls in pairs.values():
        fr, en = item_at(conn, urls["fr"]), item_at(conn, urls["en"])
        assert fr["id"] != en["id"]
        assert json.loads(fr["translations"])["en"] == urls["en"]
        assert json.loads(en["translations"])["fr"] == urls["fr"]


def test_without_the_sitemap_the_listings_find_everything(mirror_factory, tmp_path):
    server = mirror_factory(faults=[Fault(path=r"sitemap", host=HOST, status=404)])
    conn = crawl_and_open(server, tmp_path / "partnews.db", SOURCE)
    requests = requested_paths(server, HOST)
    assert archived_urls(conn) == {p["url"] for p in POSTS}
    french = [p for p in POSTS if p["lang"] == "fr"]
    per_page = {s["id"]: s["per_page"] for s in SITE["sections"]}
    pages = -(-len(french) // per_page["actualites"])
    assert pages >= 3
    assert f"/actualites/page/{pages}" in requests
    for post in POSTS:
        assert item_at(conn, post["url"])["published"] == post["published"].isoformat()
