"""Fuzzing the extractors and the normaliser: whatever a page holds, they never raise,
and normalising twice gives what normalising once gave.

Dates, text normalisation and URL canonicalisation already have property tests
(tests/test_dates.py, test_text.py, test_urls.py); these cover what reads pages and API
answers: article pages, structured data, feeds, sitemaps, iCalendar, WordPress and The
Events Calendar's JSON, and the normalize pipeline as a whole.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.extract.article import extract_article
from crawler.extract.feeds import is_feed, parse_feed
from crawler.extract.ical import parse_ical
from crawler.extract.sitemaps import parse_sitemap
from crawler.extract.structured import items_from_structured
from crawler.extract.tribe_events import parse_tribe_event
from crawler.extract.wordpress import parse_wp_post
from crawler.items import ArchiveItem
from crawler.sources import load_sources
from pipelines.normalize import normalize_item
from pipelines.validate import problems

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples every run: a known bug stays a known failure
    suppress_health_check=[HealthCheck.too_slow],
)


URL = "https://www.maregionsud.fr/actualites/essai"

# Pieces of markup that extractors meet, glued together in any order.
FRAGMENTS = st.sampled_from(
    [
        "<html>",
        "</html>",
        "<head>",
        "<title>",
        "</title>",
        "<h1>",
        "</h1>",
        "<p>",
        "</p>",
        "<article>",
        "<main>",
        '<time datetime="2024-02-30">',
        '<meta property="article:published_time" content="0000-00-00">',
        '<meta property="og:title" content="',
        '<link rel="canonical" href="javascript:x">',
        '<script type="application/ld+json">',
        '{"@type": "NewsArticle", "headline": ',
        '{"@graph": [',
        "</script>",
        "<!--",
        "-->",
        "&amp;",
        "&#0;",
        "\x00",
        "\u202e",
        "<![CDATA[",
        "]]>",
    ]
)
MARKUP = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=40).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
WP_KEYS = ["id", "date", "date_gmt", "modified", "link", "title", "content", "excerpt", "lang"]
TRIBE_KEYS = ["id", "url", "title", "description", "start_date", "end_date", "all_day", "venue"]


@FUZZ
@given(MARKUP)
def test_article_and_structured_extraction_never_raise(html):
    if not html.strip():
        html = "<p></p>"  # an empty document is refused by lxml before we see it
    item = extract_article(html, URL)
    assert isinstance(item, ArchiveItem) and item.url == URL
    failures = []
    items = items_from_structured(html, URL, on_failure=failures.append)
    assert all(isinstance(i, ArchiveItem) for i in items)
    assert failures == [], "malformed objects are validated, not caught"


@FUZZ
@given(st.one_of(MARKUP, st.binary(max_size=200)))
def test_feeds_never_raise(data):
    is_feed(data)
    failures = []
    assert isinstance(parse_feed(data, url=URL, on_failure=failures.append), list)
    assert failures == [], "malformed entries are validated, not caught"


@FUZZ
@given(st.one_of(MARKUP, st.binary(max_size=200)))
def test_sitemaps_raise_only_the_documented_value_error(data):
    try:
        parse_sitemap(data)
    except ValueError:
        pass  # "neither urlset nor sitemapindex": the spider falls back to listings


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "BEGIN:VCALENDAR",
                "BEGIN:VEVENT",
                "END:VEVENT",
                "END:VCALENDAR",
                "DTSTART:20240230T250000",
                "DTSTART;VALUE=DATE:00000101",
                "SUMMARY:<script>x</script>",
                "TZID:Mars/Olympus",
                "DTEND:99991231T235959Z",
                "UID:1",
                "LOCATION:\\,\\;",
            ]
        )
        | st.text(max_size=30),
        max_size=20,
    ).map("\r\n".join)
)
def test_ical_never_raises(text):
    failures = []
    items = parse_ical(text, default_timezone="Europe/Paris", on_failure=failures.append)
    assert isinstance(items, list)
    assert failures == [], "malformed events are validated, not caught"


@FUZZ
@given(st.dictionaries(st.sampled_from(WP_KEYS), JSON_VALUES))
def test_wordpress_posts_never_raise(post):
    post.setdefault("link", URL)
    try:
        parse_wp_post(json.loads(json.dumps(post, default=str)), site_url=URL)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise AssertionError(f"parse_wp_post raised on {post!r}") from error


@FUZZ
@given(st.dictionaries(st.sampled_from(TRIBE_KEYS), JSON_VALUES))
def test_tribe_events_never_raise(event):
    try:
        parse_tribe_event(event, default_timezone="America/Los_Angeles")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise AssertionError(f"parse_tribe_event raised on {event!r}") from error


TEXT = st.one_of(st.none(), st.text(max_size=60), MARKUP)


@FUZZ
@given(
    title=TEXT,
    body=TEXT,
    published=st.one_of(
        st.none(),
        st.sampled_from(
            ["31 février 2024", "0000-00-00", "9999-12-31T23:59:59Z", "hier", "2024-03-12"]
        ),
        st.text(max_size=20),
    ),
    canonical=st.one_of(st.none(), st.text(max_size=30), st.just("javascript:alert(1)")),
    image=st.one_of(st.none(), st.sampled_from(["data:x", "javascript:x", "https://a.fr/i.png"])),
)
@example(title="Titre", body=None, published=None, canonical=" ", image=None)
def test_normalizing_never_raises_and_is_idempotent(title, body, published, canonical, image):
    item = {
        "source": "region_sud",
        "kind": "news",
        "url": URL,
        "canonical_url": canonical,
        "title": title,
        "body": body,
        "published": published,
        "image": image,
    }
    source = load_sources()["region_sud"]
    once = normalize_item(item, source)
    twice = normalize_item(once, source)
    for name in ("title", "body", "canonical_url", "image", "language", "content_hash"):
        assert twice[name] == once[name], name
    assert once["image"] in (None, "https://a.fr/i.png")
    problems(once)  # validation reads any normalised item
