"""The WordPress mirror's other sites, over HTTP: Polylang languages and two hosts
(investincotedazur.com), section permalinks, search feeds and Yoast sitemaps
(timesofsandiego.com). Expectations come from the content files, read here."""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote_plus

import feedparser
import lxml.etree
import lxml.html

from mirror import SITES_DIR
from tests.mirror_content import wordpress_posts

TCA_DIR = SITES_DIR / "www.investincotedazur.com"
TCA = "www.investincotedazur.com"
TCA_BARE = "investincotedazur.com"
TOSD_DIR = SITES_DIR / "timesofsandiego.com"
TOSD = "timesofsandiego.com"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


TCA_POSTS = wordpress_posts(TCA_DIR)
TOSD_POSTS = wordpress_posts(TOSD_DIR)


def tca_path(meta: dict) -> str:
    return ("/en" if meta["lang"] == "en" else "") + f"/{meta['slug']}/"


def tosd_path(meta: dict) -> str:
    return f"/{meta['categories'][0]}/{meta['date']:%Y/%m/%d}/{meta['slug']}/"


def locs(xml: bytes) -> list[str]:
    return [el.text for el in lxml.etree.fromstring(xml).iter(SITEMAP_NS + "loc")]


# -- investincotedazur.com ------------------------------------------------------------------


def test_tca_content_is_as_large_as_the_brief_requires():
    years = {m["date"].year for m in TCA_POSTS}
    pairs = {m["translation"] for m in TCA_POSTS if m.get("translation")}
    assert len(TCA_POSTS) >= 12 and min(years) == 2015 and max(years) == 2024
    assert {m["lang"] for m in TCA_POSTS} == {"en", "fr"}
    assert len(pairs) >= 3


def test_tca_rest_lists_every_language_and_filters_with_lang(fetch):
    everything = json.loads(fetch("/wp-json/wp/v2/posts?per_page=100", host=TCA).body)
    assert sorted(p["id"] for p in everything) == sorted(m["id"] for m in TCA_POSTS)
    english = fetch("/wp-json/wp/v2/posts?per_page=100&lang=en", host=TCA)
    expected = [m["id"] for m in TCA_POSTS if m["lang"] == "en"]
    assert english.headers["x-wp-total"] == str(len(expected))
    assert sorted(p["id"] for p in json.loads(english.body)) == sorted(expected)


def test_tca_rest_posts_carry_polylang_language_and_translations(fetch):
    data = json.loads(fetch("/wp-json/wp/v2/posts?per_page=100", host=TCA).body)
    by_id = {p["id"]: p for p in data}
    for meta in TCA_POSTS:
        post = by_id[meta["id"]]
        assert post["lang"] == meta["lang"]
        assert post["link"] == f"https://{TCA}{tca_path(meta)}"
        group = [
            m
            for m in TCA_POSTS
            if meta.get("translation") and m.get("translation") == meta["translation"]
        ]
        assert post["translations"] == (
            {m["lang"]: m["id"] for m in group} or {meta["lang"]: meta["id"]}
        )


def test_tca_article_pages_declare_language_and_hreflang_but_print_no_date(fetch):
    pair = [m for m in TCA_POSTS if m.get("translation") == "results-2021"]
    assert {m["lang"] for m in pair} == {"en", "fr"}
    urls = {m["lang"]: f"https://{TCA}{tca_path(m)}" for m in pair}
    for meta in pair:
        page = fetch(tca_path(meta), host=TCA)
        assert page.status == 200
        doc = lxml.html.fromstring(page.body)
        assert doc.get("lang") == {"en": "en-US", "fr": "fr-FR"}[meta["lang"]]
        hreflang = {el.get("hreflang"): el.get("href") for el in doc.xpath("//link[@hreflang]")}
        assert hreflang == {"en-US": urls["en"], "fr-FR": urls["fr"], "x-default": urls["fr"]}
        time = doc.xpath("//article//time[contains(@class, 'published')]")[0]
        assert time.get("datetime").startswith(meta["date"].isoformat())
        assert time.text_content().strip() == "", "the date is machine-readable only"
        header = doc.xpath("//article/header")[0]
        title = header.xpath("h1")[0].text_content().strip()
        assert header.text_content().strip() == title, "the header shows the title only"


def test_tca_feeds_are_per_language(fetch):
    for prefix, lang, locale in (("", "fr", "fr-FR"), ("/en", "en", "en-US")):
        feed = feedparser.parse(fetch(prefix + "/feed/", host=TCA).body)
        assert feed.feed.language == locale
        newest = sorted(
            (m for m in TCA_POSTS if m["lang"] == lang), key=lambda m: m["date"], reverse=True
        )[:10]
        assert [e.link for e in feed.entries] == [f"https://{TCA}{tca_path(m)}" for m in newest]


def test_tca_bare_host_serves_both_forms_with_slashless_links(fetch):
    meta = next(
        m for m in TCA_POSTS if m["slug"] == "the-french-riviera-confirms-its-business-appeal"
    )
    path = tca_path(meta).rstrip("/")
    for form in (path, path + "/"):
        page = fetch(form, host=TCA_BARE)
        assert page.status == 200
        canonical = lxml.html.fromstring(page.body).xpath("//link[@rel='canonical']/@href")
        assert canonical == [f"https://{TCA_BARE}{path}"]
    data = json.loads(fetch("/wp-json/wp/v2/posts?per_page=100", host=TCA_BARE).body)
    assert all(p["link"].startswith(f"https://{TCA_BARE}/") for p in data)
    assert not any(p["link"].endswith("/") for p in data)
    www = fetch(path, host=TCA)
    assert www.status == 301 and www.headers["location"] == f"https://{TCA}{path}/"


def test_tca_core_sitemaps_list_every_post_once_per_language(fetch):
    index = fetch("/wp-sitemap.xml", host=TCA)
    children = locs(index.body)
    assert children == [
        f"https://{TCA}/wp-sitemap-posts-post-fr-1.xml",
        f"https://{TCA}/wp-sitemap-posts-post-en-1.xml",
    ]
    listed = []
    for child in children:
        listed += locs(fetch(child.split(TCA, 1)[1], host=TCA).body)
    assert sorted(listed) == sorted(f"https://{TCA}{tca_path(m)}" for m in TCA_POSTS)
    assert (
        "Sitemap: https://www.investincotedazur.com/wp-sitemap.xml"
        in fetch("/robots.txt", host=TCA).text
    )


# -- timesofsandiego.com --------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expected_matches(query: str) -> set[int]:
    """Posts holding every word of the query (English stopwords and lone letters aside) in
    their title or stored HTML, accents and case ignored, as WordPress's search does."""
    words = [w for w in query.split() if w.lower() not in {"of", "the", "in", "a"}]
    return {
        m["id"]
        for m in TOSD_POSTS
        if all(fold(w) in fold(m["title"]) or fold(w) in fold(m["body"]) for w in words)
    }


def search_feed(fetch, query: str, page: int = 1):
    path = f"/?s={quote_plus(query)}&feed=rss2" + (f"&paged={page}" if page > 1 else "")
    return fetch(path, host=TOSD)


def ids_of(feed_bytes: bytes) -> list[int]:
    return [int(e.id.rsplit("=", 1)[1]) for e in feedparser.parse(feed_bytes).entries]


def test_tosd_content_is_as_large_as_the_brief_requires():
    years = {m["date"].year for m in TOSD_POSTS}
    assert len(TOSD_POSTS) >= 14 and min(years) == 2016 and max(years) == 2025
    assert any(m.get("relevant") is True for m in TOSD_POSTS)
    assert any(m.get("relevant") is False for m in TOSD_POSTS)
    assert any("relevant" not in m for m in TOSD_POSTS), "some articles match no search term"


def test_tosd_section_permalinks_on_the_bare_host(fetch):
    for meta in TOSD_POSTS:
        assert fetch(tosd_path(meta), host=TOSD).status == 200, tosd_path(meta)
    agreement = (
        "/politics/2017/02/15/san-diego-provence-region-of-france-sign-cooperation-agreement/"
    )
    assert agreement in {tosd_path(m) for m in TOSD_POSTS}
    moved = fetch("/feed/", host="www.timesofsandiego.com")
    assert moved.status == 301 and moved.headers["location"] == "https://timesofsandiego.com/feed/"


def test_tosd_search_ignores_accents_and_case(fetch):
    accented = ids_of(search_feed(fetch, "Côte d'Azur").body)
    plain = ids_of(search_feed(fetch, "cote D'AZUR").body)
    assert accented and sorted(accented) == sorted(plain)
    assert set(accented) == expected_matches("Côte d'Azur")


def test_tosd_search_needs_every_word_and_drops_stopwords(fetch):
    found = set(ids_of(search_feed(fetch, "South of France").body))
    found |= set(ids_of(search_feed(fetch, "South of France", 2).body))
    assert found == expected_matches("South of France")
    assert len(found) > 10, "the content makes this search run over two pages"


def test_tosd_search_feed_pages_hold_ten_and_404_past_the_end(fetch):
    matches = expected_matches("South of France")
    first, second = search_feed(fetch, "South of France"), search_feed(fetch, "South of France", 2)
    assert len(ids_of(first.body)) == 10
    assert len(ids_of(second.body)) == len(matches) - 10
    beyond = search_feed(fetch, "South of France", 3)
    assert beyond.status == 404
    assert feedparser.parse(beyond.body).entries == [] and b"<channel>" in beyond.body


def test_tosd_search_single_term_puts_title_matches_first(fetch):
    ids = ids_of(search_feed(fetch, "Marseille").body)
    by_id = {m["id"]: m for m in TOSD_POSTS}
    in_title = [fold("marseille") in fold(by_id[i]["title"]) for i in ids]
    assert in_title == sorted(in_title, reverse=True)


def test_tosd_feeds_carry_only_the_excerpt(fetch):
    body = search_feed(fetch, "Provence").body
    assert b"<description>" in body and b"content:encoded>" not in body
    assert b"content:encoded>" not in fetch("/feed/", host=TOSD).body


def test_tosd_yoast_sitemaps(fetch):
    redirect = fetch("/wp-sitemap.xml", host=TOSD)
    assert redirect.status == 301
    assert redirect.headers["location"] == "https://timesofsandiego.com/sitemap_index.xml"
    children = locs(fetch("/sitemap_index.xml", host=TOSD).body)
    assert "https://timesofsandiego.com/post-sitemap.xml" in children
    listed = locs(fetch("/post-sitemap.xml", host=TOSD).body)
    assert listed[0] == "https://timesofsandiego.com/", "Yoast lists the blog home first"
    assert sorted(listed[1:]) == sorted(f"https://{TOSD}{tosd_path(m)}" for m in TOSD_POSTS)


def test_tosd_article_page_has_yoast_graph_with_author_and_section(fetch):
    meta = next(m for m in TOSD_POSTS if m["id"] == 40211)
    page = fetch(tosd_path(meta), host=TOSD).text
    graph = json.loads(re.search(r'yoast-schema-graph">(.*?)</script>', page, re.S)[1])
    article = next(n for n in graph["@graph"] if n["@type"] == "NewsArticle")
    person = next(n for n in graph["@graph"] if n["@type"] == "Person")
    assert person["name"] == "Chris Jennewein" and article["author"]["@id"] == person["@id"]
    assert article["articleSection"] == ["Politics"]
    assert article["datePublished"] == "2017-02-15T22:05:00+00:00"  # 14:05 PST
