"""The ville_de_marseille spider against the marseille.fr mirror, over real HTTP.

Expected values come from the mirror's content files (tests/sites/www.marseille.fr/),
read here with tomllib, never from the crawler's output. The source is `filtered`: only
the nodes marked `relevant = true` may be archived, and the run still counts them all.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from mirror import SITES_DIR
from tests.crawling import archived_urls, crawl_and_open, item_at, requested_paths
from tests.mirror_content import body_text, first_paragraph, node_files, site_settings

FOLDER = SITES_DIR / "www.marseille.fr"
BASE = "https://www.marseille.fr"
NODES = node_files(FOLDER)
ZONE = ZoneInfo("Europe/Paris")


def meta_at(alias: str) -> tuple[dict, str]:
    return next((m, b) for m, b in NODES if m["alias"] == alias)


@pytest.fixture(scope="module")
def crawl(mirror, tmp_path_factory):
    archive = tmp_path_factory.mktemp("ville_de_marseille") / "partnews.db"
    conn = crawl_and_open(mirror, archive, "ville_de_marseille")
    yield conn, requested_paths(mirror, "www.marseille.fr")
    conn.close()


def test_archives_exactly_the_relevant_nodes(crawl):
    conn, _ = crawl
    relevant = {BASE + m["alias"] for m, _ in NODES if m["relevant"]}
    archived = archived_urls(conn)
    assert archived == relevant
    run = conn.execute("select * from crawl_runs").fetchone()
    assert run["items_seen"] == len(NODES), "every news node and page was read"
    assert run["items_new"] == len(relevant)


def test_news_item_field_by_field(crawl):
    conn, _ = crawl
    meta, body = meta_at("/international/actualites/jumelage-san-diego")
    item = item_at(conn, BASE + meta["alias"])
    assert item["title"] == meta["title"]
    assert item["url"] == item["canonical_url"] == BASE + meta["alias"]
    # The <time datetime> is UTC; the archive shows it in Paris time (15:00 +02:00 in May).
    assert item["published"] == meta["created"].astimezone(ZONE).isoformat()
    assert item["published_from"] == "time"
    assert item["language"] == "fr"
    assert item["cms_id"] == f"drupal:node/{meta['nid']}"
    assert item["body"].startswith(first_paragraph(body))
    assert item["source"] == "ville_de_marseille" and item["kind"] == "news"


def test_body_is_the_body_field_without_boilerplate(crawl):
    conn, _ = crawl
    site = site_settings(FOLDER)
    for meta, body in NODES:
        if not meta["relevant"]:
            continue
        item = item_at(conn, BASE + meta["alias"])
        assert item["body"] == body_text(body), meta["alias"]
        for text in ("Aller au contenu principal", "Dernière mise à jour", site["footer_address"]):
            assert text not in item["body"]


def test_dates_come_from_time_markup_never_today(crawl):
    conn, _ = crawl
    for meta, _ in NODES:
        if not meta["relevant"]:
            continue
        item = item_at(conn, BASE + meta["alias"])
        # The page's one date is its "Dernière mise à jour" <time>: the node's last change.
        expected = meta.get("changed", meta["created"]).astimezone(ZONE)
        assert item["published"] == expected.isoformat(), meta["alias"]
        assert item["published_from"] == "time"
        assert item["published"][:10] != date.today().isoformat()


def test_page_with_an_english_title_is_french(crawl):
    conn, _ = crawl
    meta, body = meta_at("/international/marseille-ouverte-sur-le-monde/marseille-open-world")
    item = item_at(conn, BASE + meta["alias"])
    assert item["title"] == "Marseille open on the world"
    assert item["language"] == "fr"
    assert item["body"].startswith(first_paragraph(body))
    assert "Description" not in item["body"], "the field label is not body text"


def test_structured_rungs_first_and_the_pager_walked_to_its_end(crawl):
    _, paths = crawl
    assert paths[0] == "/robots.txt"
    assert "/rss.xml" in paths and "/sitemap.xml" in paths
    site = site_settings(FOLDER)
    listing = site["listings"]["fr"]["path"]
    news = [m for m, _ in NODES if m.get("type", "news") == "news"]
    pages = -(-len(news) // site["rows_per_page"])
    assert listing in paths
    for number in range(1, pages + 1):  # the last request finds the view's empty text
        assert f"{listing}?page={number}" in paths
    assert f"{listing}?page={pages + 1}" not in paths


def test_feed_listing_and_sitemap_fetch_each_node_once(crawl):
    conn, paths = crawl
    for meta, _ in NODES:
        assert paths.count(meta["alias"]) == 1, meta["alias"]
    ids = [r[0] for r in conn.execute("select cms_id from items")]
    assert len(ids) == len(set(ids))


def test_node_path_link_gives_the_one_item_at_the_alias(crawl):
    conn, paths = crawl
    linked = {int(nid) for _, body in NODES for nid in re.findall(r'href="/node/(\d+)"', body)}
    assert linked, "a news body links to another node by its /node/N path"
    for nid in linked:
        meta = next(m for m, _ in NODES if m["nid"] == nid)
        assert meta["relevant"], "the linked node is one the archive keeps"
        assert f"/node/{nid}" in paths
        rows = conn.execute(
            "select url from items where cms_id = ?", [f"drupal:node/{nid}"]
        ).fetchall()
        assert [r[0] for r in rows] == [BASE + meta["alias"]]
    assert (
        conn.execute("select count(*) from item_urls where url like '%/node/%'").fetchone()[0] == 0
    )
