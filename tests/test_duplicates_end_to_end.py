"""Every duplicate kind of the mirror, end to end: `partnews crawl` → the archive's relations.

The mirror holds (tests/sites/): the chamber's English reposts of two Provence Promotion
articles that also exist in French, a Provence Promotion article published again as a
second node, two different texts about the 2019 summit, and a chamber "in brief" post
that is a teaser of an earlier chamber post (its front matter says `teaser_of`). The
crawl is the session's `crawled_archive`. Expected URLs and pairs are read from the content files
with tomllib, independently of the mirror's loader; expected similarities are counted
here from the archived bodies.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from mirror import SITES_DIR
from tests.crawling import crawl_and_open, item_at, open_archive
from tests.mirror_content import front_matter, node_files

SITES = Path(SITES_DIR)
PP_SITE = SITES / "www.investinprovence.com"
CHAMBER_SITE = SITES / "www.france-sandiego.org"
PP = "https://www.investinprovence.com"
CHAMBER = "https://www.france-sandiego.org"


def node_url(nid: int, lang: str) -> str:
    meta, _ = front_matter(PP_SITE / "nodes" / f"{nid}.{lang}.md")
    return PP + meta["alias"]


def post_url(name: str, sites: Path = SITES) -> str:
    meta, _ = front_matter(sites / "www.france-sandiego.org" / "posts" / f"{name}.html")
    slug = meta.get("slug", name)
    return f"{CHAMBER}/{meta['date'].strftime('%Y/%m/%d')}/{slug}/"


def five_word_runs(text: str) -> set[tuple[str, ...]]:
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    words = re.findall(r"[a-z0-9]+", "".join(c for c in folded if not unicodedata.combining(c)))
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = five_word_runs(a), five_word_runs(b)
    return len(sa & sb) / len(sa | sb)


IN_BRIEF_NAME = "in-brief-the-chamber-represents-the-region-in-san-diego"


@pytest.fixture(scope="module")
def archive_path(crawled_archive):
    return crawled_archive


@pytest.fixture(scope="module")
def db(archive_path):
    conn = open_archive(archive_path)
    yield conn
    conn.close()


def story_of(db, item_id: str) -> dict[str, sqlite3.Row]:
    from archive.relations import STORY_SQL

    return {row["id"]: row for row in db.execute(STORY_SQL, {"item_id": item_id})}


@pytest.mark.parametrize(
    ("nid", "post"),
    [
        (1745, "new-board-new-ambitions-for-investors-favorite-agency"),
        (2471, "provence-promotions-greatest-annual-results"),
    ],
)
def test_the_chambers_repost_joins_the_english_original_and_reaches_the_french(db, nid, post):
    english, french = item_at(db, node_url(nid, "en")), item_at(db, node_url(nid, "fr"))
    repost = item_at(db, post_url(post))
    assert len({english["id"], french["id"], repost["id"]}) == 3, "three items, none merged"
    story = story_of(db, repost["id"])
    assert set(story) == {english["id"], french["id"], repost["id"]}
    assert story[english["id"]]["role"] == "original", "published first (the agency's date)"
    assert story[repost["id"]]["role"] == "repost"
    assert story[repost["id"]]["similarity"] == pytest.approx(
        exact_jaccard(english["body"], repost["body"]), abs=1e-4
    )
    assert story[repost["id"]]["similarity"] >= 0.5
    assert story[french["id"]]["role"] is None, "linked as a translation, not as a repost"
    french_links = set(story[french["id"]]["translation_ids"].split(","))
    assert english["id"] in french_links
    # The chamber's English copy also translates the French node (issue 15: found by its
    # names, numbers and dates, not by hreflang); nothing outside the story is linked.
    assert french_links <= {english["id"], repost["id"]}
    evidence = dict(
        db.execute(
            "select translation_id, evidence from item_translations where item_id = ?",
            [french["id"]],
        ).fetchall()
    )
    assert evidence[english["id"]] in ("hreflang", "cms_id")


def test_an_article_published_again_as_a_second_node_is_a_repost_within_the_source(db):
    first, again = item_at(db, node_url(2688, "en")), item_at(db, node_url(2695, "en"))
    assert first["id"] != again["id"]
    story = story_of(db, again["id"])
    assert set(story) == {first["id"], again["id"]}
    assert story[first["id"]]["role"] == "original"
    assert story[again["id"]]["similarity"] == pytest.approx(
        exact_jaccard(first["body"], again["body"]), abs=1e-4
    )


def test_every_node_with_two_languages_is_linked_both_ways(db):
    by_nid: dict[int, set[str]] = {}
    for meta, _ in node_files(PP_SITE):
        by_nid.setdefault(meta["nid"], set()).add(meta["langcode"])
    pairs = [nid for nid, langs in by_nid.items() if langs == {"en", "fr"}]
    assert pairs, "the mirror has translated nodes"
    links = {
        (r["item_id"], r["translation_id"])
        for r in db.execute(
            "select * from item_translations where translation_id is not null and item_id in "
            "(select id from items where source = 'provence_promotion') and translation_id in "
            "(select id from items where source = 'provence_promotion')"
        )
    }
    expected = set()
    for nid in pairs:
        en, fr = item_at(db, node_url(nid, "en"))["id"], item_at(db, node_url(nid, "fr"))["id"]
        expected |= {(en, fr), (fr, en)}
    assert links == expected


def test_two_texts_about_the_same_summit_are_never_linked(db):
    article = item_at(db, node_url(2046, "en"))
    event = item_at(db, f"{CHAMBER}/event/south-of-france-business-summit-2019/")
    assert article["id"] != event["id"]
    assert set(story_of(db, article["id"])) == {article["id"]}
    assert set(story_of(db, event["id"])) == {event["id"]}
    assert exact_jaccard(article["body"], event["body"]) < 0.1


def test_the_in_brief_teaser_is_the_same_item_as_its_post(db):
    teaser_url = post_url(IN_BRIEF_NAME)
    article_url = post_url("partnership-provence-alpes-cote-dazur-region-city-san-diego")
    item = item_at(db, teaser_url)
    assert item["id"] == item_at(db, article_url)["id"]
    assert item["url"] == article_url, "the article's URL is the one cited"
    _, body = front_matter(
        CHAMBER_SITE / "posts" / "partnership-provence-alpes-cote-dazur-region-city-san-diego.html"
    )
    last_words = re.sub(r"<[^>]+>", "", body).split()[-6:]
    assert item["body"].split()[-6:] == last_words, "the full text, not the teaser"
    titles = [r[0] for r in db.execute("select title from items where source = 'sdfacc'")]
    assert not any(t.startswith("In brief") for t in titles)


def test_a_second_crawl_keeps_links_records_what_changed_and_deletes_nothing(
    archive_path, mirror_factory, tmp_path
):
    """Re-crawl an edited copy of the sites: one repost's text changed, one post gone."""
    sites = tmp_path / "sites"
    shutil.copytree(SITES, sites)
    changed = (
        sites / "www.france-sandiego.org/posts/provence-promotions-greatest-annual-results.html"
    )
    text = changed.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("First published by", "This news was first published by"), encoding="utf-8"
    )
    gone = "erik-caldwell-director-economic-development-city-san-diego"
    (sites / "www.france-sandiego.org/posts" / f"{gone}.html").unlink()
    copy = tmp_path / "partnews.db"
    shutil.copy(archive_path, copy)
    server = mirror_factory(sites_dir=sites)
    db = crawl_and_open(server, copy, "sdfacc", "provence_promotion")
    repost = item_at(db, post_url("provence-promotions-greatest-annual-results"))
    assert repost["version"] == 2
    assert "This news was first published by" in repost["body"]
    [version] = db.execute(
        "select changed_fields from item_versions where item_id = ? and version = 2",
        [repost["id"]],
    ).fetchall()
    assert version["changed_fields"] == '["body"]'
    story = story_of(db, repost["id"])
    assert story[repost["id"]]["role"] == "repost"
    assert story[repost["id"]]["similarity"] == pytest.approx(
        exact_jaccard(item_at(db, node_url(2471, "en"))["body"], repost["body"]), abs=1e-4
    )
    assert item_at(db, post_url(gone))["version"] == 1, "not seen, still archived"
    db.close()
