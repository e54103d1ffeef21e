"""Région Sud (maregionsud.fr) crawled through the mirror: every rung of the ladder.

Expected values come from the mirror's content files (tests/sites/www.maregionsud.fr/),
read here with tomllib, never from the crawler's output.
"""

from __future__ import annotations

import pytest

from crawler.spiders.generic import Listing, strip_furniture
from mirror import SITES_DIR
from mirror.site import Fault
from tests.crawling import archived_urls, crawl_and_open, item_at, requested_paths
from tests.mirror_content import read_site

FOLDER = SITES_DIR / "www.maregionsud.fr"
SOURCE = "region_sud"
HOST = "www.maregionsud.fr"


SITE, POSTS = read_site(FOLDER)


@pytest.fixture(scope="module")
def region_sud(mirror, tmp_path_factory):
    conn = crawl_and_open(mirror, tmp_path_factory.mktemp("region_sud") / "partnews.db", SOURCE)
    requests = requested_paths(mirror, HOST)
    yield conn, requests
    conn.close()


def test_every_post_archived_once_at_its_real_url(region_sud):
    conn, _ = region_sud
    assert len(POSTS) >= 10
    assert archived_urls(conn) == {p["url"] for p in POSTS}
    assert conn.execute("select count(*) from items").fetchone()[0] == len(POSTS)


def test_site_tree_pages_are_not_news(region_sud):
    conn, requests = region_sud
    page = "/votre-region/competences/europe-et-international/cooperation-internationale"
    assert (
        conn.execute(
            "select count(*) from item_urls where url = ?", ["https://www.maregionsud.fr" + page]
        ).fetchone()[0]
        == 0
    )
    assert page not in requests, "the sitemap lists it, but it is not an article"


def test_feed_then_sitemap_and_no_listing_needed(region_sud):
    _, requests = region_sud
    assert requests[0] == "/robots.txt"
    assert requests.index("/rss.xml") < requests.index("/sitemap.xml")
    assert not any(p.startswith(("/actualites?", "/espace-presse/communiques?")) for p in requests)
    assert "/actualites" not in requests and "/espace-presse/communiques" not in requests


@pytest.mark.parametrize("post", POSTS, ids=[p["url"].rsplit("/", 1)[-1] for p in POSTS])
def test_post_field_by_field(region_sud, post):
    conn, _ = region_sud
    item = item_at(conn, post["url"])
    assert item["source"] == "region_sud" and item["kind"] == "news"
    assert item["title"] == post["title"]
    assert item["published"] == post["published"].isoformat()
    assert item["published_from"] == "time"
    assert item["modified"] == post.get("modified", post["published"]).isoformat()
    assert item["language"] == "fr"
    assert item["year"] == post["published"].year
    body = item["body"]
    assert not body.startswith(post["title"]), "the <h1> is not body text"
    assert "Publié le" not in body, "the dateline is not body text"
    for paragraph in post["paragraphs"]:
        assert paragraph in body
    for boilerplate in (SITE["ui"]["related"], SITE["ui"]["newsletter"], SITE["footer"]):
        assert boilerplate not in body
    others = [p["title"] for p in POSTS if p["title"] != post["title"]]
    assert not any(title in body for title in others), "related links are not body text"


def test_french_dateline_day_one(region_sud):
    """ "Publié le 1er mars 2020": the visible date uses the French ordinal for day one."""
    conn, _ = region_sud
    firsts = [p for p in POSTS if p["published"].day == 1]
    assert firsts, "the mirror has a post published on the first of a month"
    for post in firsts:
        assert item_at(conn, post["url"])["published"][:10] == post["published"].date().isoformat()


# The ladder's lower rungs ----------------------------------------------------------------


def test_without_the_feed_the_sitemap_finds_everything(mirror_factory, tmp_path):
    server = mirror_factory(faults=[Fault(path=r"^/rss\.xml", host=HOST, status=404)])
    conn = crawl_and_open(server, tmp_path / "partnews.db", SOURCE)
    requests = requested_paths(server, HOST)
    assert archived_urls(conn) == {p["url"] for p in POSTS}
    assert "/sitemap.xml" in requests
    assert "/actualites" not in requests


def test_without_feed_and_sitemap_the_listings_find_everything(mirror_factory, tmp_path):
    faults = [Fault(path=r"^/(rss|sitemap)\.xml", host=HOST, status=404)]
    server = mirror_factory(faults=faults)
    conn = crawl_and_open(server, tmp_path / "partnews.db", SOURCE)
    requests = requested_paths(server, HOST)
    assert archived_urls(conn) == {p["url"] for p in POSTS}
    per_page = {s["path"]: s["per_page"] for s in SITE["sections"]}
    news = [p for p in POSTS if p["section"] == "actualites"]
    assert len(news) > per_page["/actualites"], "the listing has a second page"
    assert "/actualites?page=2" in requests
    for post in POSTS:  # the same dates as from the upper rungs
        assert item_at(conn, post["url"])["published"] == post["published"].isoformat()


# The ladder's pure parts -----------------------------------------------------------------


def test_strip_furniture_drops_only_title_and_dateline_lines():
    title = "La Région en mission en Tunisie"
    body = f"{title}\n\nPublié le\n\nUne délégation est partie.\n\nPublié le rapport annuel."
    assert strip_furniture(body, [title, "Publié le 17 juillet 2019"]) == (
        "Une délégation est partie.\n\nPublié le rapport annuel."
    )
    assert strip_furniture("Un texte.", [title]) == "Un texte."


def test_listing_pages_of_both_pager_shapes():
    assert Listing("/actualites").page(0) == "/actualites"
    assert Listing("/actualites").page(1) == "/actualites?page=2"
    assert Listing("/wtc", "?page={n}", first_page=0).page(1) == "/wtc?page=1"
    assert Listing("/actualites", "/page/{n}").page(2) == "/actualites/page/3"
