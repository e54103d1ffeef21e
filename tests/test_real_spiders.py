"""The base spiders crawl real sites' recorded responses, not only our mirror's templates.

Each test serves some files of ../shared/realdata (what a real WordPress, The Events
Calendar, feed or sitemap answered) as a recorded mirror site of the real host, at the
URLs the base spider asks for; it defines a test source for that host, crawls it
through the real download stack into a SQLite archive (tests/realsources.py), and
checks the archive against values read here, independently, from the raw real files
(json for the REST APIs, feedparser for the feeds, a few lines of RFC 5545 for iCal,
lxml for the sitemaps and JSON-LD).

Where a file was saved under another path than the one the spider asks (the REST posts
saved without their query string, say), the test says so: the body is the real answer
to that endpoint. Everything else is a 404, which is what a site answers for an endpoint
it does not have (the REST API switched off, no sitemap); robots.txt, never kept, is a
404 too (which allows everything). The comments on SITES and PAGE_RUNS name the 404s
each crawl relies on. Skipped without the shared folder, failed instead under CI=true.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from mirror.server import MirrorServer
from mirror.site import MirrorConfig
from tests.crawling import item_at, open_archive, requested_paths
from tests.realdata import realdata_dir
from tests.realsites import build_sites, require_realdata
from tests.realsources import real_source, record_site, run_real_crawl

POSTS_QUERY = "?per_page=100&page=1&_embed=1"  # the WordPress spider's first REST page
EVENTS_QUERY = "?per_page=50&start_date=1990-01-01"  # TribeEventsMixin's first page


# What each recorded host serves (URL path -> realdata file, MANIFEST kind), and the test
# source that crawls it with which base spider. One crawl runs them all (one Scrapy
# process: the suite stays fast); each test then checks its own hosts.
POSTS = "/wp-json/wp/v2/posts" + POSTS_QUERY
EVENTS = "/wp-json/tribe/events/v1/events" + EVENTS_QUERY
SAINT_GILLES = "saint-gilles-vieux-marché.net".encode("idna").decode("ascii")
SITES = {
    # WordPress REST posts. unitingnc's were saved by wget as posts/index.html (the first
    # page, 10 posts), python-wp's as posts.json: each is the real answer of the posts
    # endpoint, served at the spider's own query; no X-WP-TotalPages was kept, so the
    # spider reads one page.
    "www.unitingnc.org": {POSTS: ("unitingnc/wp-json/wp/v2/posts/index.html", "wp-rest-posts")},
    "demo.wp-api.org": {POSTS: ("python-wp/posts.json", "wp-rest-posts")},
    # The Events Calendar REST: real /wp-json/tribe/events/v1/events answers kept by City
    # Scrapers (beltline's names a page 2 that was not kept: a 404). Posts API, feed,
    # sitemaps and listings: 404 (not kept).
    "dced.pa.gov": {
        EVENTS: ("city-scrapers/city-scrapers-pitt/pa_development.json", "tribe-events")
    },
    "beltline.org": {EVENTS: ("city-scrapers/city-scrapers-atl/atl_beltline.html", "tribe-events")},
    # The Events Calendar iCal exports (its /events/?ical=1), kept by City Scrapers; the
    # events REST API is a 404 here (not kept), so the spider falls back to iCal.
    "winwichita.org": {
        "/events/?ical=1": ("city-scrapers/city-scrapers-wichita/wicks_win.ics", "ics")
    },
    "clihtf.org": {
        "/events/?ical=1": (
            "city-scrapers/city-scrapers/chi_low_income_housing_trust_fund.ics",
            "ics",
        )
    },
    # WordPress feeds, read after a 404 from the posts API: saint-gilles (relative item
    # links, empty channel link), amap-chaudeau (then its core sitemaps, which list the
    # same posts: nothing read twice), a WordPress 2.7 blog's RSS2, a WordPress 2.8
    # blog's Atom at its own /feed/atom/.
    SAINT_GILLES: {"/feed/": ("saint-gilles-vieux-marche/feed/index.html", "rss")},
    "www.jardins-de-la-chaudeau.fr": {
        "/feed/": ("amap-chaudeau/feed/index.html", "rss"),
        "/wp-sitemap.xml": ("amap-chaudeau/wp-sitemap.xml", "sitemap"),
        "/wp-sitemap-posts-post-1.xml": ("amap-chaudeau/wp-sitemap-posts-post-1.xml", "sitemap"),
        "/wp-sitemap-posts-page-1.xml": ("amap-chaudeau/wp-sitemap-posts-page-1.xml", "sitemap"),
        "/calendrier-2026-2027/": ("amap-chaudeau/calendrier-2026-2027/index.html", "html-article"),
    },
    "tenderlovemaking.com": {"/feed/": ("feeds/feedjira/TenderLovemaking.xml", "rss")},
    "www.norm2782.com": {"/feed/atom/": ("feeds/laminas-feed/wordpress-atom10.xml", "atom")},
    # Drupal 7's xmlsitemap module: its index at /sitemap.xml, page 1 at ?page=1. The
    # feed /rss.xml and the node pages were not kept (404).
    "fossasia.org": {
        "/sitemap.xml": ("fossasia-drupal/index.xml", "sitemap"),
        "/sitemap.xml?page=1": ("fossasia-drupal/1.xml", "sitemap"),
    },
}
# source id -> (host, base spider, spider attributes, registry fields)
RUNS = {
    "real_unitingnc": ("www.unitingnc.org", "wordpress", {}, {}),
    "real_wp_demo": ("demo.wp-api.org", "wordpress", {}, {}),
    "real_tec_pa": ("dced.pa.gov", "wordpress+tribe", {}, {"timezone": "America/New_York"}),
    "real_tec_beltline": ("beltline.org", "wordpress+tribe", {}, {"timezone": "America/New_York"}),
    "real_ical_win": ("winwichita.org", "wordpress+tribe", {}, {"timezone": "America/Chicago"}),
    "real_ical_clihtf": ("clihtf.org", "wordpress+tribe", {}, {"timezone": "America/Chicago"}),
    "real_feed_saint_gilles": (SAINT_GILLES, "wordpress", {}, {"languages": ("fr",)}),
    "real_feed_amap": ("www.jardins-de-la-chaudeau.fr", "wordpress", {}, {"languages": ("fr",)}),
    "real_feed_tenderlove": ("tenderlovemaking.com", "wordpress", {}, {}),
    "real_atom_norm": ("www.norm2782.com", "wordpress", {"feed_path": "/feed/atom/"}, {}),
    "real_drupal_fossasia": (
        "fossasia.org",
        "drupal",
        # 25,000 URLs, mostly user profiles: the test reads the events' 86 nodes only
        {"listing_paths": [], "article_path_pattern": r"^/events/[^/]+$"},
        {},
    ),
}


def crawl_once(tmp: Path, runs: dict) -> tuple:
    """Serve the recorded sites under `tmp` and crawl `runs` into tmp/archive.db."""
    server = MirrorServer(MirrorConfig(sites_dir=tmp / "sites"))
    server.start()
    runs_list = [
        (real_source(source_id, host, cms=cms_of(base), **fields), base, attributes)
        for source_id, (host, base, attributes, fields) in runs.items()
    ]
    result = run_real_crawl(server.url, tmp / "archive.db", runs_list)
    return server, result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of every test source above from one mirror of the recorded hosts."""
    require_realdata()
    tmp = tmp_path_factory.mktemp("real_spiders")
    for host, served in SITES.items():
        record_site(tmp / "sites", host, served)
    server, result = crawl_once(tmp, RUNS)
    try:
        assert result.returncode == 0, result.stderr[-3000:]
        yield open_archive(tmp / "archive.db"), server
    finally:
        server.stop()


# Article and event pages read by the generic spider (structured data first), reached the
# way it reaches them on a site: the feed, the sitemap index, a listing page. The whole
# realdata folder is served, each file at the URL it was saved from (tests/realsites.py);
# the pages the feed, sitemaps or listing name but nobody kept are 404s.
PAGE_RUNS = {
    # a Yoast sitemap index (relative locs, as kept) -> the events' sitemap -> one
    # Events Calendar Pro occurrence page with its Event JSON-LD
    "real_pages_curtis": (
        "curtismethod.com",
        "generic",
        {
            "sitemap_path": "/sitemap_index.xml",
            "article_path_pattern": r"^/class/[^/]+/\d{4}-\d{2}-\d{2}/$",
        },
        {"timezone": "America/Denver"},
    ),
    # The Events Calendar's day view as a listing -> a single event page (Event JSON-LD)
    "real_pages_unitingnc": (
        "www.unitingnc.org",
        "generic",
        {
            "sitemap_path": "/sitemap.xml",  # not kept: a 404, and the listing is walked
            "listings": ["/stand-with-us/2017-05-01/"],
            "listing_link_css": "a::attr(href)",
            "article_path_pattern": r"^/stand-with-us/(?!\d{4}-)[^/]+/$",
        },
        {"timezone": "America/New_York"},
    ),
    # the RSS feed, then core's sitemaps -> a French post page
    "real_pages_amap": (
        "www.jardins-de-la-chaudeau.fr",
        "generic",
        {
            "feed_paths": ["/feed/"],
            "sitemap_path": "/wp-sitemap.xml",
            "article_path_pattern": r"^/[^/]+/$",
        },
        {"languages": ("fr",), "timezone": "Europe/Paris"},
    ),
}


@pytest.fixture(scope="module")
def crawled_pages(tmp_path_factory):
    require_realdata()
    tmp = tmp_path_factory.mktemp("real_pages")
    build_sites(tmp / "sites", ["curtismethod", "unitingnc", "amap-chaudeau"])
    server, result = crawl_once(tmp, PAGE_RUNS)
    try:
        assert result.returncode == 0, result.stderr[-3000:]
        yield open_archive(tmp / "archive.db"), server
    finally:
        server.stop()


def cms_of(base: str) -> str:
    return base.split("+")[0]


def raw(relative: str) -> bytes:
    return (realdata_dir() / relative).read_bytes()


def served_file(host: str, path: str) -> bytes:
    return raw(SITES[host][path][0])


def text(value: str) -> str:
    """What a reader shows of an HTML-escaped title: entities decoded, spaces folded."""
    return " ".join(html.unescape(value).split())


def items_of(conn, source: str) -> dict[str, dict]:
    """The source's archived items (with their event fields), by URL."""
    rows = conn.execute(
        "select items.*, events.* from items left join events on events.item_id = items.id "
        "where items.source = ?",
        [source],
    )
    return {row["url"]: dict(row) for row in rows}


# WordPress REST API ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "host"),
    [("real_unitingnc", "www.unitingnc.org"), ("real_wp_demo", "demo.wp-api.org")],
)
def test_wordpress_rest_posts_are_archived_with_their_real_titles_dates_and_links(
    crawled, source, host
):
    conn, _ = crawled
    posts = json.loads(served_file(host, POSTS))
    archived = items_of(conn, source)
    for post in posts:
        title = text(post["title"]["rendered"])
        if not title:
            continue  # checked below: a post without a title
        row = item_at(conn, post["link"])
        assert row["title"] == title
        assert row["published"][:10] == post["date_gmt"][:10]
        assert row["kind"] == "news"
        assert row["cms_id"].endswith(f"/{post['id']}")  # "wp:post/5169"
        assert row["language"] == "en"
    # Posts of the "status"/"aside" formats have no title on the real site (python-wp's
    # 457, 455…): never archived untitled, and never lost silently either.
    untitled = {p["link"] for p in posts if not text(p["title"]["rendered"])}
    rejects = {r["url"]: r["reason"] for r in conn.execute("select url, reason from rejects")}
    assert untitled <= set(rejects)
    assert all("title" in rejects[url] for url in untitled), rejects
    assert len(archived) == len(posts) - len(untitled)


# The Events Calendar -----------------------------------------------------------------


def tribe_events(host: str) -> list[dict]:
    return json.loads(served_file(host, EVENTS))["events"]


def ical_events(body: bytes) -> list[dict[str, str]]:
    """VEVENTs as {NAME: value} (first value of each property; parameters kept in
    the name, "DTSTART;TZID=America/Chicago"): RFC 5545 unfolding and text escapes,
    nothing more, so that the expected values owe nothing to the reader under test."""
    lines = body.decode("utf-8").replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "")
    events, current = [], None
    for line in lines.split("\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current.setdefault(name, value)
    return events


def ical_property(event: dict[str, str], name: str) -> str | None:
    """A property's value whatever its parameters, text escapes undone."""
    for key, value in event.items():
        if key.split(";")[0] == name:
            return re.sub(r"\\([,;\\nN])", lambda m: " " if m[1] in "nN" else m[1], value)
    return None


@pytest.mark.parametrize(
    ("source", "host"), [("real_tec_pa", "dced.pa.gov"), ("real_tec_beltline", "beltline.org")]
)
def test_events_calendar_rest_events_keep_their_real_times_and_venues(crawled, source, host):
    conn, _ = crawled
    events = tribe_events(host)
    titles = Counter(e["title"] for e in events)
    urls = Counter(e["url"] for e in events)
    assert len(events) > 5 and 1 in titles.values()
    for event in events:
        row = item_at(conn, event["url"])
        assert row["source"] == source and row["kind"] == "event"
        if "/" in event["timezone"]:  # an IANA zone; "UTC+0" is a manual WordPress offset
            assert row["timezone"] == event["timezone"]
        if urls[event["url"]] > 1:
            continue  # several events at one URL (a "#register" link): see the test below
        assert row["title"] == text(event["title"])
        # start_date/end_date are the site's local wall time, in the event's timezone
        assert row["start"][:16] == event["start_date"][:16].replace(" ", "T")
        assert row["end"][:16] == event["end_date"][:16].replace(" ", "T")
        if not event.get("all_day"):  # the offset is local time minus the UTC time given
            local = datetime.fromisoformat(event["start_date"])
            offset = local - datetime.fromisoformat(event["utc_start_date"])
            assert datetime.fromisoformat(row["start"]).utcoffset() == offset
        venue = event.get("venue")
        if isinstance(venue, dict) and venue.get("venue"):
            assert row["venue_name"] == text(venue["venue"])


@pytest.mark.parametrize(
    ("source", "host"), [("real_tec_pa", "dced.pa.gov"), ("real_tec_beltline", "beltline.org")]
)
def test_every_occurrence_of_a_recurring_event_is_its_own_item(crawled, source, host):
    conn, _ = crawled
    assert set(items_of(conn, source)) == {e["url"] for e in tribe_events(host)}


@pytest.mark.parametrize(
    ("source", "host"), [("real_tec_pa", "dced.pa.gov"), ("real_tec_beltline", "beltline.org")]
)
def test_occurrences_of_a_real_recurring_event_are_linked_as_one_series(crawled, source, host):
    """Issue 15: events repeating their title and description are one series of
    separate items; different events are in different series."""
    conn, _ = crawled
    events = tribe_events(host)
    repeated = Counter((text(e["title"]), e.get("description")) for e in events)
    assert max(repeated.values()) > 1, "the real answer has recurring events"
    rows = conn.execute(
        "select items.title, event_series.series_id from items "
        "join event_series on event_series.item_id = items.id where items.source = ?",
        [source],
    ).fetchall()
    series_of_title: dict[str, set[str]] = {}
    for title, series_id in rows:
        series_of_title.setdefault(title, set()).add(series_id)
    for (title, _description), count in repeated.items():
        if count > 1 and sum(1 for t, _ in repeated if t == title) == 1:
            assert len(series_of_title[title]) == 1, title
            members = [r for r in rows if r[1] in series_of_title[title]]
            assert len(members) == count, "every occurrence kept, in the series"
    assert len({r[1] for r in rows}) == len(repeated), "one series per distinct event"


def test_events_sharing_one_url_stay_apart(crawled):
    conn, _ = crawled
    events = tribe_events("beltline.org")
    urls = Counter(e["url"] for e in events)
    shared = [e for e in events if urls[e["url"]] > 1]
    assert shared, "beltline.org's real answer has events sharing a URL"
    starts = {
        row[0]
        for row in conn.execute(
            "select start from events join items on items.id = events.item_id"
            " where items.source = 'real_tec_beltline'"
        )
    }
    assert {e["start_date"][:16].replace(" ", "T") for e in shared} <= {s[:16] for s in starts}


ICAL_SITES = [("real_ical_win", "winwichita.org"), ("real_ical_clihtf", "clihtf.org")]


@pytest.mark.parametrize(("source", "host"), ICAL_SITES)
def test_events_calendar_ical_export_gives_every_event(crawled, source, host):
    conn, server = crawled
    vevents = ical_events(served_file(host, "/events/?ical=1"))
    titles = Counter(ical_property(v, "SUMMARY") for v in vevents)
    assert len(vevents) > 5 and 1 in titles.values()
    # the REST API's 404 sends the spider to the export
    assert "/events/?ical=1" in requested_paths(server, host)
    for vevent in vevents:
        row = item_at(conn, ical_property(vevent, "URL"))
        assert row["source"] == source and row["kind"] == "event"
        assert row["title"] == text(ical_property(vevent, "SUMMARY"))
        start = re.sub(r"\D", "", ical_property(vevent, "DTSTART"))  # 20240509083000
        assert row["start"][:10] == f"{start[:4]}-{start[4:6]}-{start[6:8]}"
        if len(start) > 8:
            assert row["start"][11:16] == f"{start[8:10]}:{start[10:12]}"
        location = ical_property(vevent, "LOCATION")
        if location:
            assert row["venue_name"] and row["venue_name"] in text(location)


@pytest.mark.parametrize(("source", "host"), ICAL_SITES)
def test_every_occurrence_in_an_ical_export_is_its_own_item(crawled, source, host):
    conn, _ = crawled
    vevents = ical_events(served_file(host, "/events/?ical=1"))
    assert set(items_of(conn, source)) == {ical_property(v, "URL") for v in vevents}


# Feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "host", "path", "language"),
    [
        ("real_feed_saint_gilles", SAINT_GILLES, "/feed/", "fr"),
        ("real_feed_amap", "www.jardins-de-la-chaudeau.fr", "/feed/", "fr"),
        ("real_feed_tenderlove", "tenderlovemaking.com", "/feed/", "en"),
        ("real_atom_norm", "www.norm2782.com", "/feed/atom/", "en"),
    ],
)
def test_wordpress_feed_entries_are_archived_after_the_rest_api_404(
    crawled, source, host, path, language
):
    conn, server = crawled
    feed_url = f"https://{host}{path}"
    feed = feedparser.parse(served_file(host, path))
    assert feed.entries
    archived = items_of(conn, source)
    expected = {urljoin(feed_url, e.link) for e in feed.entries}
    assert set(archived) == expected
    for entry in feed.entries:
        row = archived[urljoin(feed_url, entry.link)]
        assert row["title"] == text(entry.title)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        assert row["published"][:10] == "{:04d}-{:02d}-{:02d}".format(*stamp[:3])
        assert row["kind"] == "news"
        assert row["language"] == language
    # robots.txt (a 404: not kept), the posts API (a 404: not kept), then the feed
    asked = [urlsplit(p).path for p in requested_paths(server, host)]
    assert asked[1:3] == ["/wp-json/wp/v2/posts", path], asked


def test_core_sitemaps_after_the_feed_read_nothing_twice(crawled):
    conn, server = crawled
    host = "www.jardins-de-la-chaudeau.fr"
    paths = requested_paths(server, host)
    assert {"/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml"} <= set(paths)
    tree = etree.fromstring(served_file(host, "/wp-sitemap-posts-post-1.xml"))
    locs = [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and set(locs) <= set(items_of(conn, "real_feed_amap"))
    assert len(paths) == len(set(paths)), paths


# Sitemaps ----------------------------------------------------------------------------


def test_drupal_xmlsitemap_index_leads_to_every_node_page_it_lists(crawled):
    _, server = crawled
    index = etree.fromstring(served_file("fossasia.org", "/sitemap.xml"))
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    children = [loc.text for loc in index.iter(f"{ns}loc")]
    assert "http://fossasia.org/sitemap.xml?page=1" in children
    page = etree.fromstring(served_file("fossasia.org", "/sitemap.xml?page=1"))
    wanted = {
        urlsplit(loc.text).path
        for loc in page.iter(f"{ns}loc")
        if re.fullmatch(r"/events/[^/]+", urlsplit(loc.text).path)
    }
    asked = set(requested_paths(server, "fossasia.org"))
    assert len(wanted) > 50
    assert wanted <= asked
    assert {"/sitemap.xml", "/sitemap.xml?page=1"} <= asked


# Pages: JSON-LD events and articles, through the generic spider -------------------------


CURTIS_PAGE = "curtismethod/class/hypno-doula-training-104/2019-04-27/index.html"
UNITINGNC_PAGE = (
    "unitingnc/stand-with-us/1-de-mayo-huelga-y-resistencia-strike-resist-raleigh/index.html"
)


def json_ld_nodes(relative: str, kind: str) -> list[dict]:
    """The page's JSON-LD objects of one @type, read with lxml and json."""
    page = lxml_html.fromstring(raw(relative))
    found = []
    for script in page.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        nodes = data if isinstance(data, list) else data.get("@graph", [data])
        found += [node for node in nodes if node.get("@type") == kind]
    return found


def test_a_listing_leads_to_the_event_page_it_names(crawled_pages):
    """The Events Calendar's day view, walked as a listing, reaches the single event page;
    its JSON-LD gives the title and its WebPage node the publication instant."""
    conn, server = crawled_pages
    [event] = json_ld_nodes(UNITINGNC_PAGE, "Event")
    [webpage] = json_ld_nodes(UNITINGNC_PAGE, "WebPage")
    row = item_at(conn, event["url"])
    assert row["source"] == "real_pages_unitingnc"
    assert row["title"] == text(event["name"])
    published = datetime.fromisoformat(webpage["datePublished"])
    assert datetime.fromisoformat(row["published"]) == published
    # the day view's other events were not kept: asked for, 404, nothing invented
    asked = requested_paths(server, "www.unitingnc.org")
    assert "/stand-with-us/may-1-day-without-immigrants-dia-sin-inmigrantes-charlotte/" in asked
    assert len(items_of(conn, "real_pages_unitingnc")) == 1


def test_a_sitemap_index_with_relative_locs_leads_to_its_pages(crawled_pages):
    conn, _ = crawled_pages
    [event] = json_ld_nodes(CURTIS_PAGE, "Event")
    assert item_at(conn, event["url"])["source"] == "real_pages_curtis"


@pytest.mark.parametrize(
    ("source", "page"),
    [("real_pages_curtis", CURTIS_PAGE), ("real_pages_unitingnc", UNITINGNC_PAGE)],
)
def test_event_pages_give_their_json_ld_event(crawled_pages, source, page):
    conn, _ = crawled_pages
    [event] = json_ld_nodes(page, "Event")
    row = item_at(conn, event["url"])
    assert row["source"] == source and row["kind"] == "event"
    assert row["title"] == text(event["name"])
    assert datetime.fromisoformat(row["start"]) == datetime.fromisoformat(event["startDate"])
    assert row["venue_name"] == text(event["location"]["name"])


def test_a_post_page_found_by_the_feed_keeps_the_feeds_title_and_date(crawled_pages):
    conn, server = crawled_pages
    host = "www.jardins-de-la-chaudeau.fr"
    feed = feedparser.parse(raw("amap-chaudeau/feed/index.html"))
    [entry] = [e for e in feed.entries if e.link.endswith("/calendrier-2026-2027/")]
    row = item_at(conn, entry.link)
    assert row["source"] == "real_pages_amap"
    assert row["title"] == text(entry.title)
    assert row["published"][:10] == "{:04d}-{:02d}-{:02d}".format(*entry.published_parsed[:3])
    assert row["language"] == "fr"
    assert "/wp-sitemap-posts-post-1.xml" in requested_paths(server, host)
