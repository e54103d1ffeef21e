"""The dedupe rules against a real archive file: what makes two copies one item.

One article at several URLs, a CMS node under two paths, the same content at an old
slug, and a listing teaser with its full article (in either crawl order) are one item;
repost and translation links are in test_relations.py.
"""

import json

import pytest
from realdata import require

from archive.store import Archive
from partnews.text import content_hash
from pipelines.dedupe import assign_item_id, new_item_id


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "partnews.db")
    yield archive
    archive.close()


def stored(archive, **fields):
    item = {
        "source": "provence_promotion",
        "kind": "news",
        "url": "https://www.investinprovence.com/en/news/new-board",
        "canonical_url": "https://www.investinprovence.com/en/news/new-board",
        "title": "New Board, New Ambitions",
        "language": "en",
        "cms_id": "drupal:node/1745",
        "content_hash": "hash-en",
    }
    item.update(fields)
    item = assign_item_id(item, archive)
    archive.save_item(item)
    return item


def test_a_new_item_gets_a_stable_id_from_its_canonical_url(archive):
    item = stored(archive)
    assert item["id"] == new_item_id("https://www.investinprovence.com/en/news/new-board")


def test_a_known_url_is_the_same_item(archive):
    first = stored(archive, alternate_urls=["https://investinprovence.com/en/news/new-board"])
    again = assign_item_id(
        {"source": "provence_promotion", "url": "https://investinprovence.com/en/news/new-board"},
        archive,
    )
    assert again["id"] == first["id"]


def test_the_node_at_two_urls_is_one_item_and_keeps_its_alias_url(archive):
    first = stored(archive)
    de = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/de/node/1745",
            "canonical_url": "https://www.investinprovence.com/de/node/1745",
            "language": "en",
            "cms_id": "drupal:node/1745",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert de["id"] == first["id"]
    assert de["url"] == first["url"], "the alias stays the URL to cite"
    assert "https://www.investinprovence.com/de/node/1745" in de["alternate_urls"]


def test_a_node_path_seen_first_gives_way_to_the_alias(archive):
    first = stored(
        archive,
        url="https://www.investinprovence.com/de/node/1745",
        canonical_url="https://www.investinprovence.com/de/node/1745",
    )
    alias = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/en/news/new-board",
            "canonical_url": "https://www.investinprovence.com/en/news/new-board",
            "language": "en",
            "cms_id": "drupal:node/1745",
        },
        archive,
    )
    assert alias["id"] == first["id"]
    assert alias["url"] == "https://www.investinprovence.com/en/news/new-board"


def test_a_translation_sharing_the_node_id_is_another_item(archive):
    first = stored(archive)
    french = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/actualites/nouveau-conseil",
            "language": "fr",
            "cms_id": "drupal:node/1745",
            "content_hash": "hash-fr",
        },
        archive,
    )
    assert french["id"] != first["id"]


def test_same_content_at_an_unknown_url_of_the_same_source_is_one_item(archive):
    first = stored(archive)
    copy = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/en/news/new-board-old-slug",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert copy["id"] == first["id"]
    other_source = assign_item_id(
        {
            "source": "sdfacc",
            "url": "https://www.france-sandiego.org/x/",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert other_source["id"] != first["id"], "a repost on another site is not merged"


# Teasers: a listing teaser and its article are one item, in either crawl order ---------

ARTICLE = (
    "Provence Promotion held its general assembly in Marseille on Tuesday. Members elected "
    "a renewed board and approved a roadmap that puts North America and San Diego first."
)
TEASER = "Provence Promotion held its general assembly in Marseille on Tuesday. Members…"


def archived(archive, **fields):
    """Dedupe then store, as the pipelines do; return the item as stored."""
    item = {
        "source": "sdfacc",
        "kind": "news",
        "title": "New board",
        "language": "en",
        **fields,
    }
    item.setdefault("canonical_url", item["url"])
    item["content_hash"] = content_hash(item["title"], item.get("body") or item.get("summary"))
    item = assign_item_id(item, archive)
    archive.save_item(item)
    return item


@pytest.mark.parametrize("teaser_first", [False, True])
def test_a_teaser_at_another_url_and_its_article_are_one_item(archive, teaser_first):
    article = dict(url="https://www.france-sandiego.org/2017/07/17/new-board/", body=ARTICLE)
    teaser = dict(url="https://www.france-sandiego.org/in-brief/", body=TEASER + " Read more")
    first, second = (teaser, article) if teaser_first else (article, teaser)
    a = archived(archive, **first)
    b = archived(archive, **second)
    assert a["id"] == b["id"]
    [row] = list(archive.db.query("select * from items"))
    assert row["body"] == ARTICLE, "the article's text, never the teaser's"
    assert row["url"] == article["url"], "the article's URL is cited, the teaser's kept"
    assert row["summary"] == TEASER + " Read more", "the teaser is the summary it lacked"
    urls = {r["url"]: r["item_id"] for r in archive.db.query("select * from item_urls")}
    assert urls == {article["url"]: row["id"], teaser["url"]: row["id"]}


def test_a_teaser_does_not_replace_an_articles_own_summary(archive):
    archived(archive, url="https://www.france-sandiego.org/a/", body=ARTICLE, summary="Own.")
    archived(archive, url="https://www.france-sandiego.org/b/", body=TEASER)
    [row] = list(archive.db.query("select summary, version from items"))
    assert row == {"summary": "Own.", "version": 1}


def test_a_feed_entry_without_body_never_erases_the_article_at_its_url(archive):
    url = "https://www.france-sandiego.org/2017/07/17/new-board/"
    archived(archive, url=url, body=ARTICLE)
    archived(archive, url=url, body=None, summary="The board was renewed")
    [row] = list(archive.db.query("select body, summary from items"))
    assert row == {"body": ARTICLE, "summary": "The board was renewed"}


def test_texts_that_only_share_their_first_words_stay_two_items(archive):
    shared = "Provence Promotion held its general assembly in Marseille on Tuesday. "
    a = archived(archive, url="https://www.france-sandiego.org/a/", body=shared + "Members met.")
    b = archived(archive, url="https://www.france-sandiego.org/b/", body=shared + "It rained.")
    assert a["id"] != b["id"]


def test_a_teaser_of_another_source_is_not_merged(archive):
    a = archived(archive, url="https://www.france-sandiego.org/a/", body=ARTICLE)
    b = archived(
        archive, source="provence_promotion", url="https://www.investinprovence.com/b", body=TEASER
    )
    assert a["id"] != b["id"]


def test_real_wordpress_excerpts_are_teasers_of_their_own_posts_only(archive):
    """Each real excerpt ("… […] Read More"), archived at the blog's listing URL before or
    after its post, lands on its own post and no other."""
    from crawler.extract.wordpress import parse_wp_posts
    from partnews.text import html_to_text, teaser_prefix_of

    posts = json.loads(require("unitingnc/wp-json/wp/v2/posts/index.html").read_text())
    items = parse_wp_posts(posts, site_url="https://www.unitingnc.org")
    pairs = [
        (item, html_to_text(post["excerpt"]["rendered"]))
        for post, item in zip(posts, items, strict=True)
    ]
    pairs = [(item, excerpt) for item, excerpt in pairs if teaser_prefix_of(excerpt, item.body)]
    assert len(pairs) >= 5
    ids = {}
    for n, (item, excerpt) in enumerate(pairs):
        teaser = dict(url=f"https://www.unitingnc.org/page/{n}/#post", body=excerpt)
        post = dict(url=item.url, body=item.body, title=item.title)
        for fields in (teaser, post) if n % 2 else (post, teaser):
            ids.setdefault(item.url, set()).add(archived(archive, source="unc", **fields)["id"])
    assert all(len(found) == 1 for found in ids.values())
    assert archive.db["items"].count == len(pairs)
    bodies = {r["url"]: r["body"] for r in archive.db.query("select url, body from items")}
    assert bodies == {item.url: item.body for item, _ in pairs}
