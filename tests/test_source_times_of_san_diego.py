"""Times of San Diego (timesofsandiego.com), a press source: its spider made from the
registry block alone, reading WordPress search feeds for the registry's search terms,
over HTTP from the mirror. Which articles match is worked out here from the content
files (every word of a term in the title or text, accents and case ignored)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import unicodedata
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from crawler.sources import REGISTRY_PATH
from crawler.spiders.configured import class_name
from crawler.spiders.press import search_feed_query
from mirror import SITES_DIR
from tests.crawling import REPO_ROOT, archived_urls, crawl_and_open, requested_paths
from tests.mirror_content import site_settings, wordpress_posts

CONTENT = SITES_DIR / "timesofsandiego.com"
BASE = "https://timesofsandiego.com"
SEARCH_TERMS = tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["times_of_san_diego"][
    "search_terms"
]
STOPWORDS = {"of", "the", "a", "in", "on"}


POSTS = wordpress_posts(CONTENT)
SITE = site_settings(CONTENT)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(meta: dict, term: str) -> bool:
    words = [w for w in term.split() if w.lower() not in STOPWORDS]
    text = fold(meta["title"] + " " + meta["body"])
    return all(fold(w) in text for w in words)


MATCHED = [m for m in POSTS if any(matches(m, t) for t in SEARCH_TERMS)]
UNMATCHED = [m for m in POSTS if m not in MATCHED]


def path_of(meta: dict) -> str:
    return f"/{meta['categories'][0]}/{meta['date']:%Y/%m/%d}/{meta['slug']}/"


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory):
    archive = tmp_path_factory.mktemp("tosd") / "partnews.db"
    conn = crawl_and_open(mirror, archive, "times_of_san_diego")
    yield conn, requested_paths(mirror, "timesofsandiego.com")
    conn.close()


def test_the_content_has_matching_relevant_irrelevant_and_unmatched_articles():
    assert len(POSTS) >= 14
    assert {m["date"].year for m in POSTS} >= {2016, 2017, 2025}
    assert all("relevant" in m for m in MATCHED), "every matching article states its intent"
    assert all("relevant" not in m for m in UNMATCHED)
    assert UNMATCHED and any(m["relevant"] for m in MATCHED)
    assert any(not m["relevant"] for m in MATCHED)


def test_scrapy_list_shows_the_configured_press_spider():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "times_of_san_diego" in result.stdout.split()
    assert not (REPO_ROOT / "crawler" / "spiders" / "times_of_san_diego.py").exists()


def test_configured_spider_is_a_press_spider_named_after_the_source():
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.press import PressSpider
    from crawler.spiders.team_cote_dazur import TeamCoteDazurSpider

    loader = get_spider_loader(get_project_settings())
    spider_class = loader.load("times_of_san_diego")
    assert spider_class.__name__ == class_name("times_of_san_diego") == "TimesOfSanDiegoSpider"
    assert spider_class.name == "times_of_san_diego"
    assert issubclass(spider_class, PressSpider)
    # A source with its own file gets that file's class, not a configured one.
    assert loader.load("team_cote_dazur") is TeamCoteDazurSpider


def test_search_feed_query_pages_after_the_first():
    assert parse_qs(search_feed_query("Côte d'Azur", 1)) == {"s": ["Côte d'Azur"], "feed": ["rss2"]}
    assert parse_qs(search_feed_query("sister city", 3))["paged"] == ["3"]


def test_only_search_feeds_robots_and_matching_articles_are_requested(crawled):
    _, requests = crawled
    article_paths = {path_of(m) for m in MATCHED}
    for path in requests:
        query = parse_qs(urlsplit(path).query)
        is_feed = urlsplit(path).path == "/" and query.get("feed") == ["rss2"] and "s" in query
        assert path == "/robots.txt" or is_feed or path in article_paths, path
    for meta in UNMATCHED:
        assert path_of(meta) not in requests, f"{meta['slug']} matches no term"
    assert sorted(p for p in requests if p in article_paths) == sorted(article_paths)


def test_every_term_is_searched_and_pages_follow_while_items_come(crawled):
    _, requests = crawled
    searched: dict[str, set[int]] = {}
    for path in requests:
        query = parse_qs(urlsplit(path).query)
        if "s" in query:
            searched.setdefault(query["s"][0], set()).add(int(query.get("paged", ["1"])[0]))
    assert set(searched) == set(SEARCH_TERMS)
    for term, pages in searched.items():
        count = sum(matches(m, term) for m in MATCHED)
        full_pages = -(-count // 10)
        # every page with items, then the first empty one that says stop
        assert pages == set(range(1, full_pages + 2)), term


def test_exactly_the_relevant_articles_are_archived(crawled):
    conn, _ = crawled
    archived = archived_urls(conn)
    assert archived == {BASE + path_of(m) for m in MATCHED if m["relevant"]}
    run = conn.execute("select * from crawl_runs").fetchone()
    assert run["items_seen"] == len(MATCHED), "each matching article is seen once"


def test_the_cooperation_agreement_field_by_field(crawled):
    conn, _ = crawled
    meta = next(m for m in POSTS if m["slug"].startswith("san-diego-provence-region"))
    url = BASE + path_of(meta)
    assert url == (
        "https://timesofsandiego.com/politics/2017/02/15/"
        "san-diego-provence-region-of-france-sign-cooperation-agreement/"
    )
    item = dict(conn.execute("select * from items where url = ?", [url]).fetchone())
    assert item["title"] == meta["title"]
    assert item["source"] == "times_of_san_diego" and item["kind"] == "news"
    assert json.loads(item["authors"]) == ["Chris Jennewein"]
    sections = {c["slug"]: c["name"] for c in SITE["categories"]}
    assert json.loads(item["categories"]) == [sections[meta["categories"][0]]]  # "Politics"
    tags = {t["slug"]: t["name"] for t in SITE["tags"]}
    assert json.loads(item["tags"]) == [tags[t] for t in meta["tags"]]
    local = meta["date"].replace(tzinfo=ZoneInfo("America/Los_Angeles"))
    assert item["published"] == local.isoformat()  # 2017-02-15T14:05:00-08:00
    assert item["published_from"] == "jsonld"
    assert item["cms_id"] == f"wp:post/{meta['id']}"
    assert item["language"] == "en"
    # The full text, not the feed's excerpt: every paragraph, straight quotes curled.
    for paragraph in re.findall(r"<p>(.*?)</p>", meta["body"], re.S):
        assert paragraph.replace("'", "\u2019") in item["body"]


def test_every_archived_article_has_its_authors_section_and_date(crawled):
    conn, _ = crawled
    authors = {a["slug"]: a["name"] for a in SITE["authors"]}
    sections = {c["slug"]: c["name"] for c in SITE["categories"]}
    for meta in (m for m in MATCHED if m["relevant"]):
        row = conn.execute("select * from items where url = ?", [BASE + path_of(meta)]).fetchone()
        assert json.loads(row["authors"]) == [authors[meta["author"]]], meta["slug"]
        assert json.loads(row["categories"]) == [sections[meta["categories"][0]]]
        local = meta["date"].replace(tzinfo=ZoneInfo("America/Los_Angeles"))
        assert datetime.fromisoformat(row["published"]) == local
        assert row["title"] == meta["title"].replace("'", "\u2019")
