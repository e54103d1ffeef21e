"""Team Côte d'Azur (investincotedazur.com) crawled over HTTP from the mirror, and the
WordPress base spider's rungs: REST with ``since``, the feeds, core and Yoast sitemaps,
the listing pages, another host. Expected values come from the content files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import Request, XmlResponse

from crawler.spiders.team_cote_dazur import TeamCoteDazurSpider
from crawler.spiders.wordpress import WordPressSpider
from mirror import SITES_DIR
from mirror.site import Fault
from tests.conftest import fetch_url
from tests.crawling import REPO_ROOT, crawl_and_open, open_archive
from tests.mirror_content import front_matter, wordpress_posts

CONTENT = SITES_DIR / "www.investincotedazur.com"
WWW = "https://www.investincotedazur.com"
BARE = "https://investincotedazur.com"


POSTS = wordpress_posts(CONTENT)


def url_of(meta: dict, base: str = WWW) -> str:
    return f"{base}{'/en' if meta['lang'] == 'en' else ''}/{meta['slug']}/"


def paris(naive: datetime) -> str:
    return naive.replace(tzinfo=ZoneInfo("Europe/Paris")).isoformat()


def scrapy_crawl(mirror_url: str, archive, *args: str) -> subprocess.CompletedProcess:
    """`scrapy crawl team_cote_dazur -a ...` from the repository root, against the mirror."""
    env = dict(os.environ, PARTNEWS_MIRROR=mirror_url, PARTNEWS_ARCHIVE=str(archive))
    env["PARTNEWS_LOG_LEVEL"] = "WARNING"
    command = [sys.executable, "-m", "scrapy", "crawl", "team_cote_dazur"]
    for arg in args:
        command += ["-a", arg]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def rows(path) -> dict[str, dict]:
    conn = open_archive(path)
    found = {r["url"]: dict(r) for r in conn.execute("select * from items")}
    conn.close()
    return found


def url_owners(path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    found = dict(conn.execute("select url, item_id from item_urls").fetchall())
    conn.close()
    return found


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory):
    path = tmp_path_factory.mktemp("tca") / "partnews.db"
    crawl_and_open(mirror, path, "team_cote_dazur").close()
    requests = [
        r.path for r in mirror.requests.records() if r.host.endswith("investincotedazur.com")
    ]
    return path, requests


def test_every_post_of_both_languages_is_archived_once(crawled):
    path, _ = crawled
    items = rows(path)
    assert sorted(items) == sorted(url_of(m) for m in POSTS)
    for meta in POSTS:
        item = items[url_of(meta)]
        assert item["language"] == meta["lang"], meta["slug"]
        assert item["source"] == "team_cote_dazur"
        assert item["cms_id"] == f"wp:post/{meta['id']}"


def test_dates_are_the_posts_dates_in_paris_time(crawled):
    path, requests = crawled
    items = rows(path)
    for meta in POSTS:
        item = items[url_of(meta)]
        assert item["published"] == paris(meta["date"]), meta["slug"]
        assert item["modified"] == paris(meta["modified"]), meta["slug"]
        assert item["published_from"] == "api"
    assert any(p.startswith("/wp-json/wp/v2/posts") for p in requests)


def test_translations_link_both_ways_and_single_posts_have_none(crawled):
    path, _ = crawled
    items = rows(path)
    groups: dict[str, list[dict]] = {}
    for meta in POSTS:
        groups.setdefault(meta.get("translation") or f"alone-{meta['id']}", []).append(meta)
    pairs = [g for g in groups.values() if len(g) == 2]
    assert len(pairs) >= 3
    for group in groups.values():
        expected = {m["lang"]: url_of(m) for m in group} if len(group) > 1 else {}
        for meta in group:
            assert json.loads(items[url_of(meta)]["translations"] or "{}") == expected


def test_a_crawl_through_the_bare_host_merges_into_the_same_items(crawled, mirror, tmp_path):
    path, _ = crawled
    archive = tmp_path / "partnews.db"
    archive.write_bytes(path.read_bytes())
    before = rows(archive)
    result = scrapy_crawl(mirror.url, archive, "host=investincotedazur.com")
    assert result.returncode == 0, result.stderr[-3000:]
    after = rows(archive)
    assert sorted(after) == sorted(before), "no new item: the bare host's posts are the same"
    owners = url_owners(archive)
    for meta in POSTS:
        bare = url_of(meta, BARE).rstrip("/")  # the bare host's links have no slash
        assert owners[bare] == before[url_of(meta)]["id"], meta["slug"]


def test_a_host_that_is_not_the_sources_is_refused():
    with pytest.raises(ValueError, match="hosts"):
        TeamCoteDazurSpider(host="example.org")


def test_since_asks_rest_for_posts_modified_after_that_day():
    request = TeamCoteDazurSpider(since="2021-01-01").posts_api_request(1)
    assert "modified_after=2021-01-01T00%3A00%3A00" in request.url
    assert "modified_after" not in TeamCoteDazurSpider().posts_api_request(1).url
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        TeamCoteDazurSpider(since="01/02/2021")


def test_since_crawl_archives_only_posts_changed_since_with_their_translations(mirror, tmp_path):
    archive = tmp_path / "partnews.db"
    result = scrapy_crawl(mirror.url, archive, "since=2022-01-01")
    assert result.returncode == 0, result.stderr[-3000:]
    changed = [m for m in POSTS if m["modified"].date() >= date(2022, 1, 1)]
    assert changed and len(changed) < len(POSTS)
    items = rows(archive)
    assert sorted(items) == sorted(url_of(m) for m in changed)
    # An old translation outside the window is still linked, by its real URL.
    for meta in changed:
        partners = [
            m
            for m in POSTS
            if meta.get("translation") and m.get("translation") == meta["translation"]
        ]
        for partner in partners:
            assert json.loads(items[url_of(meta)]["translations"])[partner["lang"]] == url_of(
                partner
            )


def test_sitemap_rung_finds_every_post_when_rest_and_feeds_are_down(mirror_factory, tmp_path):
    server = mirror_factory(
        faults=[Fault(path=r"^/wp-json/", status=404), Fault(path=r"/feed/", status=404)]
    )
    archive = tmp_path / "partnews.db"
    crawl_and_open(server, archive, "team_cote_dazur").close()
    requested = [r.path for r in server.requests.records()]
    assert "/wp-sitemap.xml" in requested
    assert "/wp-sitemap-posts-post-en-1.xml" in requested
    assert not any("/page/" in p for p in requested), "the sitemap was enough"
    items = rows(archive)
    assert sorted(items) == sorted(url_of(m) for m in POSTS)
    for meta in POSTS:
        item = items[url_of(meta)]
        assert item["language"] == meta["lang"]
        assert item["published"] == paris(meta["date"])  # from article:published_time
        assert item["cms_id"] == f"wp:post/{meta['id']}"
        if meta.get("translation"):
            partner = next(
                m for m in POSTS if m.get("translation") == meta["translation"] and m is not meta
            )
            assert json.loads(item["translations"])[partner["lang"]] == url_of(partner)


def test_listing_rung_when_rest_feeds_and_sitemaps_are_down(mirror_factory, tmp_path):
    server = mirror_factory(
        faults=[
            Fault(path=r"^/wp-json/", status=404),
            Fault(path=r"/feed/", status=404),
            Fault(path=r"sitemap", status=404),
        ]
    )
    archive = tmp_path / "partnews.db"
    crawl_and_open(server, archive, "team_cote_dazur").close()
    requested = {r.path for r in server.requests.records()}
    assert {"/wp-sitemap.xml", "/sitemap_index.xml", "/", "/en/"} <= requested
    assert sorted(rows(archive)) == sorted(url_of(m) for m in POSTS)


class YoastSiteSpider(WordPressSpider):
    """The base spider on a one-language site with Yoast SEO (the timesofsandiego mirror)."""

    name = "times_of_san_diego"


def xml_response(mirror, path: str, meta: dict | None = None) -> XmlResponse:
    url = "https://timesofsandiego.com" + path
    fetched = fetch_url(mirror.url, path, host="timesofsandiego.com")
    assert fetched.status == 200
    return XmlResponse(url=url, body=fetched.body, request=Request(url, meta=meta or {}))


def test_yoast_sitemap_rung_reads_post_sitemaps_and_skips_the_home(mirror):
    spider = YoastSiteSpider()
    assert "/sitemap_index.xml" in spider.sitemap_paths
    index = xml_response(mirror, "/sitemap_index.xml", {"sitemap_index": 1})
    followed = [r.url for r in spider.parse_sitemap_index(index)]
    assert followed == ["https://timesofsandiego.com/post-sitemap.xml"], "no category sitemap"
    posts = xml_response(mirror, "/post-sitemap.xml")
    articles = [r.url for r in spider.parse_post_sitemap(posts)]
    post_files = list((SITES_DIR / "timesofsandiego.com" / "posts").glob("*.html"))
    assert "https://timesofsandiego.com/" not in articles
    slugs = [url.rstrip("/").rsplit("/", 1)[1] for url in articles]
    assert sorted(slugs) == sorted(p.stem for p in post_files)


def test_since_skips_sitemap_entries_older_than_that_day(mirror):
    spider = YoastSiteSpider(since="2023-01-01")
    posts = xml_response(mirror, "/post-sitemap.xml")
    articles = [r.url for r in spider.parse_post_sitemap(posts)]
    assert articles, "some posts changed after 2023"
    for path in (SITES_DIR / "timesofsandiego.com" / "posts").glob("*.html"):
        meta, _ = front_matter(path)
        changed = meta.get("modified", meta["date"]).date() >= date(2023, 1, 1)
        assert any(a.endswith(f"/{path.stem}/") for a in articles) == changed, path.stem
