"""Article page extractor: metadata precedence, link rels, and a real dedup pair."""

from __future__ import annotations

import json
import re

import pytest
from realdata import require

from crawler.extract.article import extract_article, main_text

BODY = "".join(
    f"<p>Paragraph {n} of a long enough article about the partnership between two "
    f"regions, written for this test so the extractor has real prose to keep.</p>"
    for n in range(1, 6)
)


def _page(head: str = "", body_top: str = "", lang: str = "fr-FR", body_end: str = "") -> str:
    return (
        f'<html lang="{lang}"><head><title>Journée partenaires | Région Test</title>{head}'
        f"</head><body><nav>Menu Home Contact</nav><article>{body_top}<h1>H1 title</h1>"
        f"{BODY}{body_end}</article><footer>Copyright</footer></body></html>"
    )


def test_title_precedence():
    og = '<meta property="og:title" content="Journée - Région Test">'
    site = '<meta property="og:site_name" content="Région Test">'
    assert extract_article(_page(og + site), "https://x.org/a").title == "Journée"
    assert extract_article(_page(), "https://x.org/a").title == "H1 title"
    no_h1 = _page().replace("<h1>H1 title</h1>", "")
    assert extract_article(no_h1, "https://x.org/a").title == "Journée partenaires"


def test_date_evidence_order():
    jsonld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
        ' "datePublished": "2019-05-01T10:00:00+02:00"}</script>'
    )
    meta = '<meta property="article:published_time" content="2019-04-01T10:00:00+00:00">'
    time = '<time datetime="2019-03-01">1 mars 2019</time>'
    # The <time> after the body: beside the headline it would be the visible dateline,
    # which outranks a declared date that disagrees (tests/test_page_metadata.py).
    item = extract_article(_page(jsonld + meta, body_end=time), "https://x.org/a")
    assert (item.published, item.published_from) == ("2019-05-01T10:00:00+02:00", "jsonld")
    item = extract_article(_page(meta, body_end=time), "https://x.org/a")
    assert (item.published, item.published_from) == ("2019-04-01T10:00:00+00:00", "meta")
    item = extract_article(_page("", time), "https://x.org/a")
    assert (item.published, item.published_from) == ("2019-03-01", "time")
    item = extract_article(_page(), "https://x.org/a")
    assert (item.published, item.published_from) == (None, None)


def test_links_language_summary_image_and_cms_ids():
    head = (
        '<link rel="canonical" href="/fr/actualites/journee">'
        '<link rel="alternate" hreflang="en" href="/en/news/partner-day">'
        '<link rel="alternate" hreflang="x-default" href="/">'
        '<link rel="shortlink" href="https://x.org/node/1944">'
        '<meta name="description" content="Une courte description.">'
        '<meta property="og:image" content="/img/a.jpg">'
    )
    item = extract_article(_page(head), "https://x.org/fr/actualites/journee")
    assert item.canonical_url == "https://x.org/fr/actualites/journee"
    assert item.translations == {"en": "https://x.org/en/news/partner-day"}
    assert item.cms_id == "drupal:node/1944"
    assert item.language == "fr"
    assert item.summary == "Une courte description."
    assert item.image == "https://x.org/img/a.jpg"
    wp = _page('<link rel="shortlink" href="https://x.org/?p=123">', lang="")
    wp = wp.replace("<head>", '<head><meta property="og:locale" content="en_US">')
    item = extract_article(wp, "https://x.org/a")
    assert (item.cms_id, item.language) == ("wp:post/123", "en")


def test_body_keeps_paragraphs_and_drops_boilerplate():
    body = main_text(_page(), "https://x.org/a")
    assert body.count("\n\n") >= 4
    assert "Paragraph 1 of" in body and "Paragraph 5 of" in body
    assert "Copyright" not in body and "Menu Home" not in body


def test_real_page_agrees_with_its_rest_api_post():
    page = require("unitingnc/2020/01/an-app-for-the-ministry/index.html")
    posts = json.loads(require("unitingnc/wp-json/wp/v2/posts/index.html").read_text())
    [post] = [p for p in posts if p["id"] == 5169]
    item = extract_article(page.read_text(encoding="utf-8"), post["link"])
    assert item.title == post["title"]["rendered"]
    assert item.published == post["date_gmt"] + "+00:00"
    # Yoast puts datePublished on the WebPage node only: a page's date ranks below the
    # article:published_time meta, which gives the same instant.
    assert item.published_from == "meta"
    assert item.canonical_url == post["link"]
    assert item.language == "en"
    first_words = " ".join(item.body.split()[:8])
    assert first_words in " ".join(post["content"]["rendered"].replace("\xa0", " ").split())


@pytest.mark.parametrize("relative", ["federation-apcp/actualites/index.html"])
def test_real_jsonld_article_page_dates(relative):
    path = require(relative)
    page = path.read_text(encoding="utf-8")
    published = re.search(r'"datePublished":"([^"]+)"', page).group(1)
    item = extract_article(page, "https://www.federation-apcp.org/actualites/")
    assert item.published == published
    assert item.published_from == "jsonld"


@pytest.mark.parametrize("html", ["</html>", "<!-- only a comment -->", "\x00\x01", "<?xml?>"])
def test_a_page_lxml_refuses_gives_an_empty_item_not_an_error(html):
    # The validate pipeline then rejects it with "missing title", and the URL is kept.
    item = extract_article(html, "https://www.maregionsud.fr/actualites/vide")
    assert item.url == "https://www.maregionsud.fr/actualites/vide"
    assert item.title is item.published is item.body is None


def test_control_characters_do_not_hide_the_page():
    item = extract_article(_page().replace("<h1>", "\x00<h1>\x0b"), "https://a.fr/x")
    assert item.title == "H1 title"  # the <h1> the control characters surround
    assert "Paragraph 5" in item.body
