"""The ville_de_marseille spider against the marseille.fr mirror, over real HTTP.

Expected values come from the mirror's content files (tests/sites/www.marseille.fr/),
read here with tomllib, never from the crawler's output. The source is `filtered`: only
the nodes marked `relevant = true` may be archived, and the run still counts them all.
"""

from __future__ import annotations

import re
import sqlite3
import tomllib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from partnews import SITES_DIR
from tests.crawling import run_crawl

FOLDER = SITES_DIR / "www.marseille.fr"
BASE = "https://www.marseille.fr"
ZONE = ZoneInfo("Europe/Paris")


def node_files() -> list[tuple[dict, str]]:
    """(front matter, body text) of every node file."""
    out = []
    for path in sorted((FOLDER / "nodes").glob("*.md")):
        _, meta, body = path.read_text(encoding="utf-8").split("+++", 2)
        out.append((tomllib.loads(meta), body.strip()))
    return out


def meta_at(alias: str) -> tuple[dict, str]:
    return next((m, b) for m, b in node_files() if m["alias"] == alias)


def first_paragraph(body: str) -> str:
    return re.sub(r"<[^>]+>", "", body.split("\n\n")[0])


def body_text(body: str) -> str:
    """The text a reader sees of a node file's body: tags dropped, one blank line between
    paragraphs."""
    paragraphs = (" ".join(re.sub(r"<[^>]+>", "", p).split()) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


@pytest.fixture(scope="module")
def crawl(mirror, tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("ville_de_marseille") / "partnews.db"
    mirror.requests.clear()
    result = run_crawl(mirror.url, path, "ville_de_marseille")
    assert result.returncode == 0, result.stderr[-3000:]
    requests = [r for r in mirror.requests.records() if r.host == "www.marseille.fr"]
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


def test_archives_exactly_the_relevant_nodes(crawl):
    conn, _ = crawl
    relevant = {BASE + m["alias"] for m, _ in node_files() if m["relevant"]}
    archived = {r[0] for r in conn.execute("select url from items")}
    assert archived == relevant
    run = conn.execute("select * from crawl_runs").fetchone()
    assert run["items_seen"] == len(node_files()), "every news node and page was read"
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
    site = tomllib.loads((FOLDER / "site.toml").read_text(encoding="utf-8"))
    for meta, body in node_files():
        if not meta["relevant"]:
            continue
        item = item_at(conn, BASE + meta["alias"])
        assert item["body"] == body_text(body), meta["alias"]
        for text in ("Aller au contenu principal", "Dernière mise à jour", site["footer_address"]):
            assert text not in item["body"]


def test_dates_come_from_time_markup_never_today(crawl):
    conn, _ = crawl
    for meta, _ in node_files():
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
    _, requests = crawl
    paths = [r.path for r in requests]
    assert paths[0] == "/robots.txt"
    assert "/rss.xml" in paths and "/sitemap.xml" in paths
    site = tomllib.loads((FOLDER / "site.toml").read_text(encoding="utf-8"))
    listing = site["listings"]["fr"]["path"]
    news = [m for m, _ in node_files() if m.get("type", "news") == "news"]
    pages = -(-len(news) // site["rows_per_page"])
    assert listing in paths
    for number in range(1, pages + 1):  # the last request finds the view's empty text
        assert f"{listing}?page={number}" in paths
    assert f"{listing}?page={pages + 1}" not in paths


def test_feed_listing_and_sitemap_fetch_each_node_once(crawl):
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
    assert linked, "a news body links to another node by its /node/N path"
    paths = [r.path for r in requests]
    for nid in linked:
        meta = next(m for m, _ in node_files() if m["nid"] == nid)
        assert meta["relevant"], "the linked node is one the archive keeps"
        assert f"/node/{nid}" in paths
        rows = conn.execute(
            "select url from items where cms_id = ?", [f"drupal:node/{nid}"]
        ).fetchall()
        assert [r[0] for r in rows] == [BASE + meta["alias"]]
    assert (
        conn.execute("select count(*) from item_urls where url like '%/node/%'").fetchone()[0] == 0
    )
