"""Each spider against the mirror over real HTTP: counts for all items, a sample field by field.

Expected values come from the mirror's content files (tests/sites/<host>/), read here
with tomllib, never from the crawler's output: the spider must find what the site
published, through the site's CMS output.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mirror import SITES_DIR
from tests.crawling import crawl_and_open, item_at, requested_paths
from tests.mirror_content import first_paragraph, front_matter, node_files, site_settings

SDFACC_DIR = SITES_DIR / "www.france-sandiego.org"
PROVENCE_DIR = SITES_DIR / "www.investinprovence.com"


def local_iso(naive: datetime, zone: str) -> str:
    return naive.replace(tzinfo=ZoneInfo(zone)).isoformat()


@pytest.fixture(scope="module")
def sdfacc(mirror, tmp_path_factory):
    conn = crawl_and_open(mirror, tmp_path_factory.mktemp("sdfacc") / "partnews.db", "sdfacc")
    requests = requested_paths(mirror)
    yield conn, requests
    conn.close()


@pytest.fixture(scope="module")
def provence(mirror, tmp_path_factory):
    archive = tmp_path_factory.mktemp("provence_promotion") / "partnews.db"
    conn = crawl_and_open(mirror, archive, "provence_promotion")
    yield conn
    conn.close()


# france-sandiego.org -------------------------------------------------------------------


def test_sdfacc_archives_every_post_and_event(sdfacc):
    conn, _ = sdfacc
    counts = dict(conn.execute("select kind, count(*) from items group by kind").fetchall())
    posts = [front_matter(p)[0] for p in (SDFACC_DIR / "posts").glob("*.html")]
    # Untitled posts are rejected; a teaser of another post is that post (one item).
    assert counts["news"] == len([p for p in posts if p["title"].strip() and "teaser_of" not in p])
    assert counts["event"] == len(list((SDFACC_DIR / "events").glob("*.html")))
    urls = [r[0] for r in conn.execute("select url from items")]
    assert all(u.startswith("https://www.france-sandiego.org/") for u in urls), "real URLs only"


def test_sdfacc_untitled_post_is_rejected_with_its_url_and_reason(sdfacc):
    conn, _ = sdfacc
    untitled = [p for p in (SDFACC_DIR / "posts").glob("*.html") if not front_matter(p)[0]["title"]]
    assert untitled, "the mirror has a post without a title, as WordPress allows"
    rejects = conn.execute("select url, reason, run_id from rejects").fetchall()
    meta, _ = front_matter(untitled[0])
    url = f"https://www.france-sandiego.org/{meta['date']:%Y/%m/%d}/{untitled[0].stem}/"
    assert [(r["url"], r["reason"]) for r in rejects] == [(url, "missing title")]
    run = conn.execute("select * from crawl_runs where id = ?", [rejects[0]["run_id"]]).fetchone()
    assert run["items_rejected"] == 1
    archived = run["items_new"] + run["items_updated"] + run["items_unchanged"]
    assert archived == run["items_seen"] - 1, "the crawl went on after the reject"


def test_sdfacc_reads_structured_endpoints_first_and_obeys_robots(sdfacc):
    _, requests = sdfacc
    assert requests[0] == "/robots.txt"
    assert any(p.startswith("/wp-json/wp/v2/posts") for p in requests)
    assert any(p.startswith("/wp-json/tribe/events/v1/events") for p in requests)
    # Every post and event came from the APIs: no article page had to be fetched.
    assert not any(re.match(r"^/\d{4}/\d{2}/\d{2}/", p) for p in requests)


def test_sdfacc_post_field_by_field(sdfacc):
    conn, _ = sdfacc
    site = site_settings(SDFACC_DIR)
    meta, body = front_matter(SDFACC_DIR / "posts" / "paca-region-sandiego.html")
    item = item_at(conn, "https://www.france-sandiego.org/2017/06/17/paca-region-sandiego/")
    assert item["title"] == meta["title"]
    assert item["published"] == local_iso(meta["date"], "America/Los_Angeles")
    assert item["published_from"] == "api"
    assert item["modified"] == local_iso(meta["modified"], "America/Los_Angeles")
    assert item["language"] == "en"
    assert item["source"] == "sdfacc" and item["kind"] == "news"
    category_names = {c["slug"]: c["name"] for c in site["categories"]}
    assert json.loads(item["categories"]) == [category_names[s] for s in meta["categories"]]
    author_names = {a["slug"]: a["name"] for a in site["authors"]}
    assert json.loads(item["authors"]) == [author_names[meta["author"]]]
    assert item["body"].startswith(first_paragraph(body))
    assert item["year"] == 2017 and item["month"] == "2017-06"


def test_sdfacc_multi_day_event_field_by_field(sdfacc):
    conn, _ = sdfacc
    site = site_settings(SDFACC_DIR)
    meta, _ = front_matter(SDFACC_DIR / "events" / "south-of-france-business-summit-2019.html")
    venue = next(v for v in site["venues"] if v["slug"] == meta["venue"])
    item = item_at(
        conn, "https://www.france-sandiego.org/event/south-of-france-business-summit-2019/"
    )
    assert item["kind"] == "event"
    assert item["title"] == meta["title"]
    assert item["start"] == local_iso(meta["start"], meta["timezone"])  # 2019-05-14T08:00-07:00
    assert item["end"] == local_iso(meta["end"], meta["timezone"])
    assert item["timezone"] == "America/Los_Angeles"
    assert item["all_day"] == 0
    assert item["venue_name"] == venue["name"]
    assert item["venue_city"] == venue["city"]
    assert venue["address"] in item["venue_address"]
    assert item["cost"] == meta["cost"]
    assert item["registration_url"] == meta["website"]
    assert item["status"] == "scheduled"


@pytest.mark.parametrize("status", ["cancelled", "postponed"])
def test_sdfacc_event_status(sdfacc, status):
    conn, _ = sdfacc
    files = [
        p
        for p in (SDFACC_DIR / "events").glob("*.html")
        if front_matter(p)[0].get("status") == status
    ]
    assert files, f"the mirror has a {status} event"
    for path in files:
        item = item_at(conn, f"https://www.france-sandiego.org/event/{path.stem}/")
        assert item["status"] == status


def test_sdfacc_all_day_and_paris_events(sdfacc):
    conn, _ = sdfacc
    for path in (SDFACC_DIR / "events").glob("*.html"):
        meta, _ = front_matter(path)
        item = item_at(conn, f"https://www.france-sandiego.org/event/{path.stem}/")
        assert item["timezone"] == meta["timezone"], path.name
        if meta.get("all_day"):
            assert item["all_day"] == 1
            assert item["start"] == meta["start"].date().isoformat()
        else:
            assert item["start"] == local_iso(meta["start"], meta["timezone"]), path.name


# investinprovence.com ------------------------------------------------------------------

NODES = [meta for meta, _ in node_files(PROVENCE_DIR)]


def test_provence_archives_every_node_translation_once(provence):
    expected = {(meta["nid"], meta["langcode"]) for meta in NODES}
    assert provence.execute("select count(*) from items").fetchone()[0] == len(expected)
    assert (
        provence.execute("select count(*) from items where url like '%/node/%'").fetchone()[0] == 0
    )


def test_provence_node_at_two_urls_is_one_item(provence):
    twins = [meta for meta in NODES if meta.get("also_de")]
    assert twins, "the mirror serves some nodes at /de/node/N"
    for meta in twins:
        alias = item_at(provence, "https://www.investinprovence.com" + meta["alias"])
        de = item_at(provence, f"https://www.investinprovence.com/de/node/{meta['nid']}")
        assert alias["id"] == de["id"]
        assert alias["url"] == "https://www.investinprovence.com" + meta["alias"]
        assert alias["language"] == "en", "English text under /de/ is English"
        assert alias["published"] == meta["created"].date().isoformat()


def test_provence_english_article_field_by_field(provence):
    site = site_settings(PROVENCE_DIR)
    meta, body = front_matter(PROVENCE_DIR / "nodes" / "1944.en.md")
    item = item_at(provence, "https://www.investinprovence.com" + meta["alias"])
    assert item["title"] == meta["title"]
    assert item["published"] == "2018-11-30"
    assert item["published_from"] == "dateline"
    assert item["language"] == "en"
    assert item["cms_id"] == "drupal:node/1944"
    term_names = {int(tid): names["en"] for tid, names in site["terms"].items()}
    assert sorted(json.loads(item["categories"])) == sorted(term_names[t] for t in meta["terms"])
    assert first_paragraph(body) in item["body"]
    assert meta["caption"] not in item["body"], "the photo caption is not body text"


def test_provence_translations_are_separate_linked_items(provence):
    by_nid = {}
    for meta in NODES:
        by_nid.setdefault(meta["nid"], {})[meta["langcode"]] = meta
    pairs = {nid: langs for nid, langs in by_nid.items() if {"en", "fr"} <= set(langs)}
    assert pairs, "the mirror has French/English pairs"
    for langs in pairs.values():
        en = item_at(provence, "https://www.investinprovence.com" + langs["en"]["alias"])
        fr = item_at(provence, "https://www.investinprovence.com" + langs["fr"]["alias"])
        assert en["id"] != fr["id"]
        assert (en["language"], fr["language"]) == ("en", "fr")
        assert json.loads(en["translations"])["fr"] == fr["url"]
        assert json.loads(fr["translations"])["en"] == en["url"]


def test_provence_french_dateline(provence):
    meta, _ = front_matter(PROVENCE_DIR / "nodes" / "1921.fr.md")
    item = item_at(provence, "https://www.investinprovence.com" + meta["alias"])
    assert item["language"] == "fr"
    assert item["published"] == meta["created"].date().isoformat()
