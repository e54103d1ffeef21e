"""The investinprovence.com Drupal mirror answers like the real Drupal 9 site.

Most tests call the site object directly with a `MirrorRequest`; expected values come
from the content files (read here independently of the renderer) or from the datelines
recorded in ../shared/sources.md §1.2. One test goes through the HTTP server.
"""

from __future__ import annotations

import http.client
import shutil
import tomllib
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from parsel import Selector

from mirror import SITES_DIR
from mirror.drupal import (
    format_date,
    page_number,
    pager_window,
    trim_text,
)
from mirror.server import MirrorServer
from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse
from tests.mirror_sites import InvestInProvenceSite

BASE = "https://www.investinprovence.com"
SITE_FOLDER = SITES_DIR / "www.investinprovence.com"


# --- helpers ------------------------------------------------------------------------------


def front_matters(folder: Path = SITE_FOLDER) -> list[dict]:
    """Every node file's front matter, read straight from the files."""
    metas = []
    for path in sorted((folder / "nodes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        metas.append(tomllib.loads(text.split("+++\n")[1]))
    return metas


def get(
    site: InvestInProvenceSite, path: str, host: str = "www.investinprovence.com", **query: str
) -> MirrorResponse | None:
    request = MirrorRequest("GET", host, path, {k: [v] for k, v in query.items()}, {})
    return site.handle(request)


def page(site: InvestInProvenceSite, path: str, **query: str) -> Selector:
    response = get(site, path, **query)
    assert response is not None, f"{path} is a 404"
    assert response.status == 200
    return Selector(text=response.body.decode("utf-8"))


def dateline(selector: Selector) -> str:
    return "".join(selector.css("div.news-date ::text").getall())


def body_text(selector: Selector) -> str:
    return " ".join(selector.css("div.field--name-body p::text").getall())


def listing_titles(selector: Selector) -> list[str]:
    return selector.css(".views-row .views-field-title a::text").getall()


@pytest.fixture(scope="module")
def site() -> InvestInProvenceSite:
    return InvestInProvenceSite(MirrorConfig(sites_dir=SITES_DIR))


def synthetic_site(tmp_path: Path, count: int) -> InvestInProvenceSite:
    """The real site.toml with `count` English nodes, node i created on day i of 2020."""
    folder = tmp_path / "www.investinprovence.com"
    (folder / "nodes").mkdir(parents=True)
    shutil.copy(SITE_FOLDER / "site.toml", folder / "site.toml")
    start = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
    for i in range(1, count + 1):
        created = start + timedelta(days=i)
        changed = created + timedelta(hours=i)  # node i changed i hours after creation
        (folder / "nodes" / f"{i}.en.md").write_text(
            "+++\n"
            f"nid = {i}\n"
            'langcode = "en"\n'
            f'title = "Story {i}"\n'
            f'alias = "/en/news/story-{i}"\n'
            f"created = {created.isoformat()}\n"
            f"changed = {changed.isoformat()}\n"
            "terms = [12]\n"
            "+++\n"
            f"Body of story number {i}.\n",
            encoding="utf-8",
        )
    return InvestInProvenceSite(MirrorConfig(sites_dir=tmp_path))


# --- pure helpers ---------------------------------------------------------------------------


def test_format_date_zero_pads_the_day_and_localises_the_month():
    moment = datetime(2019, 1, 28, tzinfo=UTC)
    assert format_date(moment, "en") == "28 January 2019"
    assert format_date(moment, "de") == "28 Januar 2019"
    assert format_date(datetime(2018, 9, 1, tzinfo=UTC), "fr") == "01 Septembre 2018"


def test_trim_text_cuts_on_a_word_and_ends_with_one_ellipsis_character():
    text = "alpha beta gamma delta"
    assert trim_text(text, 100) == text
    trimmed = trim_text(text, 13)  # "alpha beta g" would split "gamma"
    assert trimmed == "alpha beta…"
    assert len(trimmed) <= 13


def test_page_number_reads_only_non_negative_integers():
    assert page_number({}) == 0
    assert page_number({"page": ["3"]}) == 3
    assert page_number({"page": ["-1"]}) == 0
    assert page_number({"page": ["abc"]}) == 0


def test_pager_window_lists_at_most_nine_pages_around_the_current_one():
    assert list(pager_window(0, 2)) == [0, 1, 2]
    assert list(pager_window(10, 20)) == list(range(6, 15))
    assert list(pager_window(20, 20)) == list(range(12, 21))


# --- listings and the pager ----------------------------------------------------------------


@pytest.mark.parametrize("count", [9, 10, 11, 23])
def test_every_node_appears_once_across_the_pages_newest_first(tmp_path, count):
    site = synthetic_site(tmp_path, count)
    pages = -(-count // 10)
    seen = []
    for number in range(pages):
        titles = listing_titles(page(site, "/en/news", **({"page": str(number)} if number else {})))
        expected_rows = min(10, count - 10 * number)
        assert len(titles) == expected_rows
        seen += titles
    assert seen == [f"Story {i}" for i in range(count, 0, -1)]


def test_pager_links_are_zero_based_with_next_and_last(tmp_path):
    site = synthetic_site(tmp_path, 23)  # 3 pages: 10, 10, 3
    first = page(site, "/en/news")
    assert first.css(".pager__item--next a::attr(href)").get() == "?page=1"
    assert first.css(".pager__item--next a[rel=next] span[aria-hidden]::text").get() == "Next ›"
    assert first.css(".pager__item--last a::attr(href)").get() == "?page=2"
    assert first.css(".pager__item--last span[aria-hidden]::text").get() == "Last »"
    assert first.css(".pager__item--previous").get() is None
    assert first.css("nav.pager ul.pager__items.js-pager__items").get() is not None
    middle = page(site, "/en/news", page="1")
    assert middle.css(".pager__item--previous a::attr(href)").get() == "?page=0"
    assert middle.css(".pager__item.is-active a::text").getall()[-1].strip() == "2"
    last = page(site, "/en/news", page="2")
    assert listing_titles(last) == ["Story 3", "Story 2", "Story 1"]
    assert last.css(".pager__item--next").get() is None


def test_a_page_past_the_end_is_200_with_the_empty_text(tmp_path):
    site = synthetic_site(tmp_path, 23)
    past = get(site, "/en/news", page="3")
    assert past.status == 200
    selector = Selector(text=past.body.decode())
    assert listing_titles(selector) == []
    assert selector.css(".view-empty p::text").get() == "No news matches your search."
    assert past.last_modified is None


def test_a_non_numeric_page_is_the_first_page(tmp_path):
    site = synthetic_site(tmp_path, 11)
    assert listing_titles(page(site, "/en/news", page="x")) == listing_titles(
        page(site, "/en/news")
    )


def test_listing_last_modified_is_the_newest_change_among_the_rows_shown(tmp_path):
    site = synthetic_site(tmp_path, 23)
    # Page 1 shows stories 13..4; story 13 changed last: created day 13, +13 hours.
    expected = datetime(2020, 1, 1, 9, 0, tzinfo=UTC) + timedelta(days=13, hours=13)
    assert get(site, "/en/news", page="1").last_modified == expected


def test_real_listings_split_english_and_french_nodes(site):
    metas = front_matters()
    english = sorted(
        (m for m in metas if m["langcode"] == "en"), key=lambda m: m["created"], reverse=True
    )
    french = [m for m in metas if m["langcode"] == "fr"]
    assert len(english) > 10, "the English listing should need a second page"
    first = listing_titles(page(site, "/en/news"))
    second = listing_titles(page(site, "/en/news", page="1"))
    assert first + second == [m["title"] for m in english]
    assert len(listing_titles(page(site, "/actualites"))) == len(french)


def test_listing_rows_carry_date_and_a_teaser_cut_with_an_ellipsis(site):
    listing = page(site, "/en/news")
    row = listing.css(".views-row")[0]
    url = row.css(".views-field-title a::attr(href)").get()
    teaser = row.css(".views-field-body .field-content::text").get()
    article = page(site, url)
    assert teaser.endswith("…")
    assert body_text(article).startswith(teaser[:-1])
    assert dateline(article).startswith(row.css(".views-field-created span::text").get())


# --- articles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [  # the datelines recorded in sources.md §1.2
        (
            "/en/news/provence-promotion-celebrated-20-towards-new-horizons",
            "30 November 2018 / Grow your business, invest in provence, Start your business",
        ),
        (
            "/en/news/provence-promotion-s-greatest-annual-results",
            "05 May 2022 / invest in provence",
        ),
        (
            "/en/news/aix-marseille-provence-and-arles-one-of-france-s-leading-territories-for-inward-investment",
            "16 May 2024 / doing business in provence, Grow your business, invest in provence,"
            " Start your business",
        ),
        (
            "/actualites/journee-immersion-provence-treize-ambassadeurs-francais",
            "11 Septembre 2018 / Développez votre entreprise, Implantez-vous, Investir en provence",
        ),
        (
            "/actualites/provence-promotion-presente-son-rapport-annuel",
            "26 Juin 2020 / Investir en provence",
        ),
        (
            "/actualites/provence-promotion-affute-ses-armes-2021",
            "28 Janvier 2021 / Investir en provence",
        ),
        (
            "/de/node/1973",
            "28 Januar 2019 / Cosmetics, E-Commerce/E-Tourism, Energy, Grow your business,"
            " Internet of Things, Logistics, Naval, Smart Cities,"
            " Software/Digital Services & Consulting",
        ),
    ],
)
def test_datelines_have_the_real_sites_shapes(site, path, expected):
    assert dateline(page(site, path)) == expected


def test_german_path_serves_the_english_text_with_a_german_month(site):
    german = page(site, "/de/node/1973")
    english = page(
        site, "/en/news/attracting-startups-core-ambition-aix-marseille-provence-metropolis"
    )
    assert german.css("html::attr(lang)").get() == "de"
    assert english.css("html::attr(lang)").get() == "en"
    assert dateline(german).startswith("28 Januar 2019 /")
    assert dateline(english).startswith("28 January 2019 /")
    assert body_text(german) == body_text(english)
    assert german.css("h1 span::text").get() == english.css("h1 span::text").get()
    assert german.css("link[rel=canonical]::attr(href)").get() == f"{BASE}/de/node/1973"
    assert german.css("link[rel=shortlink]::attr(href)").get() == f"{BASE}/node/1973"
    assert english.css("link[rel=shortlink]::attr(href)").get() == f"{BASE}/node/1973"


def test_every_also_de_node_exists_under_de_and_no_other(site):
    metas = front_matters()
    german = {m["nid"] for m in metas if m.get("also_de")}
    assert len(german) >= 4
    for nid in {m["nid"] for m in metas}:
        response = get(site, f"/de/node/{nid}")
        if nid in german:
            assert response.status == 200
        else:
            assert response is None


def test_article_head_has_canonical_shortlink_og_and_generator(site):
    article = page(site, "/en/news/provence-promotion-s-greatest-annual-results")
    url = f"{BASE}/en/news/provence-promotion-s-greatest-annual-results"
    assert article.css("link[rel=canonical]::attr(href)").get() == url
    assert article.css("link[rel=shortlink]::attr(href)").get() == f"{BASE}/node/2471"
    assert article.css("meta[property='og:url']::attr(content)").get() == url
    assert article.css("meta[property='og:type']::attr(content)").get() == "article"
    title = "Provence Promotion's greatest annual results"
    assert article.css("meta[property='og:title']::attr(content)").get() == title
    assert article.css("title::text").get() == f"{title} | Provence Promotion"
    assert article.css("h1 span::text").get() == title
    assert article.css("meta[name=Generator]::attr(content)").get().startswith("Drupal 9")
    assert article.css("script[type='application/ld+json']").get() is None
    assert article.css("time").get() is None


def test_translations_link_to_each_other_with_hreflang(site):
    english_url = f"{BASE}/en/news/provence-promotion-s-greatest-annual-results"
    english = page(site, "/en/news/provence-promotion-s-greatest-annual-results")
    french_url = english.css("link[rel=alternate][hreflang=fr]::attr(href)").get()
    assert french_url.startswith(f"{BASE}/actualites/")
    french = page(site, french_url.removeprefix(BASE))
    assert french.css("html::attr(lang)").get() == "fr"
    assert french.css("link[rel=alternate][hreflang=en]::attr(href)").get() == english_url
    assert french.css("link[rel=shortlink]::attr(href)").get() == f"{BASE}/node/2471"


def test_untranslated_nodes_have_no_hreflang_links(site):
    article = page(site, "/en/news/provence-promotion-celebrated-20-towards-new-horizons")
    assert article.css("link[rel=alternate][hreflang]").getall() == []


def test_photo_caption_comes_before_the_dateline_then_the_standfirst(site):
    html = get(site, "/en/news/provence-promotion-celebrated-20-towards-new-horizons").body.decode()
    assert html.index("<figcaption>") < html.index('class="news-date"')
    assert html.index('class="news-date"') < html.index("field--name-field-chapo")
    assert html.index("field--name-field-chapo") < html.index("field--name-body")


def test_french_breadcrumb_and_english_breadcrumb(site):
    french = page(site, "/actualites/provence-promotion-affute-ses-armes-2021")
    english = page(site, "/en/news/provence-promotion-s-greatest-annual-results")
    assert "Actualités" in french.css("nav.breadcrumb a::text").getall()
    assert "News" in english.css("nav.breadcrumb a::text").getall()


def test_article_last_modified_is_the_changed_date(site):
    meta = next(m for m in front_matters() if m["nid"] == 1944)
    response = get(site, meta["alias"])
    assert response.last_modified == meta["changed"]
    assert response.last_modified.utcoffset() == timedelta(0)


def test_both_hosts_serve_the_same_page_with_www_links(site):
    path = "/en/news/provence-promotion-s-greatest-annual-results"
    www = get(site, path)
    bare = get(site, path, host="investinprovence.com")
    assert bare.body == www.body
    assert set(InvestInProvenceSite.hosts) == {"www.investinprovence.com", "investinprovence.com"}


# --- redirects and 404 ----------------------------------------------------------------------


def test_node_paths_redirect_to_the_alias_of_their_language(site):
    french_only = get(site, "/node/2318")
    assert french_only.status == 301
    assert french_only.headers["Location"] == (
        f"{BASE}/actualites/provence-promotion-presente-son-rapport-annuel"
    )
    english = get(site, "/en/node/2471")
    assert (
        english.headers["Location"]
        == f"{BASE}/en/news/provence-promotion-s-greatest-annual-results"
    )
    default_language = get(site, "/node/2471")  # French is the unprefixed default language
    assert default_language.headers["Location"].startswith(f"{BASE}/actualites/")
    english_only = get(site, "/node/1944")
    assert english_only.headers["Location"] == (
        f"{BASE}/en/news/provence-promotion-celebrated-20-towards-new-horizons"
    )


def test_trailing_slash_redirects_and_unknown_paths_are_404(site):
    slash = get(site, "/en/news/provence-promotion-s-greatest-annual-results/")
    assert slash.status == 301
    assert (
        slash.headers["Location"] == f"{BASE}/en/news/provence-promotion-s-greatest-annual-results"
    )
    assert get(site, "/en/news/no-such-article") is None
    assert get(site, "/en/news/no-such-article/") is None
    assert get(site, "/node/999999") is None
    assert get(site, "/de/node/999999") is None


# --- feeds, sitemap, robots -----------------------------------------------------------------


def test_rss_lists_the_ten_newest_node_versions(site):
    response = get(site, "/rss.xml")
    assert response.content_type.startswith("application/rss+xml")
    feed = feedparser.parse(response.body)
    assert not feed.bozo
    newest = sorted(front_matters(), key=lambda m: (m["created"], m["nid"]), reverse=True)[:10]
    assert [e.title for e in feed.entries] == [m["title"] for m in newest]
    assert [e.link for e in feed.entries] == [BASE + m["alias"] for m in newest]
    assert [e.id for e in feed.entries] == [f"{m['nid']} at {BASE}" for m in newest]
    for entry, meta in zip(feed.entries, newest, strict=True):
        published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
        assert published == meta["created"]
        assert entry.summary.startswith("<p>")  # the teaser's HTML, escaped in the XML
        assert entry.summary.endswith("…</p>")


def test_english_rss_has_only_english_nodes(site):
    feed = feedparser.parse(get(site, "/en/rss.xml").body)
    english = [m for m in front_matters() if m["langcode"] == "en"]
    assert len(feed.entries) == min(10, len(english))
    assert all(e.link.startswith(f"{BASE}/en/news/") for e in feed.entries)
    assert feed.feed.language == "en"


def test_sitemap_lists_every_alias_and_german_path_with_alternates(site):
    response = get(site, "/sitemap.xml")
    root = ET.fromstring(response.body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    metas = front_matters()
    for meta in metas:
        assert BASE + meta["alias"] in urls
        if meta.get("also_de"):
            assert f"{BASE}/de/node/{meta['nid']}" in urls
    for meta in metas:
        entry = urls[BASE + meta["alias"]]
        alternates = {
            link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)
        }
        translations = {m["langcode"]: BASE + m["alias"] for m in metas if m["nid"] == meta["nid"]}
        assert translations.items() <= alternates.items()
        datetime.fromisoformat(entry.findtext("s:lastmod", namespaces=ns))


def test_robots_txt_is_drupals_with_the_sitemap(site):
    response = get(site, "/robots.txt")
    assert response.content_type.startswith("text/plain")
    text = response.body.decode()
    assert f"Sitemap: {BASE}/sitemap.xml" in text.splitlines()
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    assert parser.can_fetch(
        "partnews", f"{BASE}/en/news/provence-promotion-s-greatest-annual-results"
    )
    assert parser.can_fetch("partnews", f"{BASE}/de/node/1944")
    assert not parser.can_fetch("partnews", f"{BASE}/admin/content")
    assert not parser.can_fetch("partnews", f"{BASE}/core/install.php")


# --- over real HTTP -------------------------------------------------------------------------


def test_served_over_http_by_the_mirror_server():
    with MirrorServer(MirrorConfig(sites_dir=SITES_DIR)) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        headers = {"Host": "www.investinprovence.com"}
        connection.request("GET", "/de/node/1973", headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/html")
        assert '<html lang="de"' in body
        assert "28 Januar 2019 /" in body
        connection.request("GET", "/node/1944", headers={"Host": "investinprovence.com"})
        redirect = connection.getresponse()
        redirect.read()
        assert redirect.status == 301
        assert redirect.getheader("Location") == (
            f"{BASE}/en/news/provence-promotion-celebrated-20-towards-new-horizons"
        )
        connection.close()
