"""The marseille.fr and sandiego.gov Drupal mirrors answer like their real sites.

The site objects are called directly with a `MirrorRequest`; expected values come from
the content files (read here with tomllib, independently of the renderer) and from
what ../shared/sources.md §1.7 and §1.8 record: "Aller au contenu principal", a
"Dernière mise à jour :" label with no date in the text, /international/actualites/<slug>,
the "Inside San Diego" header over /insidesd/<slug> stories.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest
from parsel import Selector

from mirror import SITES_DIR
from mirror.drupal import format_date
from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse
from partnews.dates import parse_date
from tests.mirror_content import node_files, site_settings
from tests.mirror_sites import CityOfSanDiegoSite, VilleDeMarseilleSite

MARSEILLE = SITES_DIR / "www.marseille.fr"
SAN_DIEGO = SITES_DIR / "www.sandiego.gov"


def nodes(folder: Path) -> list[dict]:
    """Every node file's front matter, read straight from the files."""
    return [meta for meta, _ in node_files(folder)]


def news(folder: Path) -> list[dict]:
    """The news nodes, newest first (the listing's order), read from the files."""
    rows = [m for m in nodes(folder) if m.get("type", "news") == "news"]
    return sorted(rows, key=lambda m: m["created"], reverse=True)


def get(site, path: str, host: str, **query: str) -> MirrorResponse | None:
    return site.handle(MirrorRequest("GET", host, path, {k: [v] for k, v in query.items()}, {}))


def page(site, path: str, host: str, **query: str) -> Selector:
    response = get(site, path, host, **query)
    assert response is not None, f"{path} is a 404"
    assert response.status == 200
    return Selector(text=response.body.decode("utf-8"))


def visible_text(selector: Selector) -> str:
    """What a browser without JavaScript shows: the text of <body> minus its scripts."""
    doc = lxml.html.fromstring(selector.get())
    for script in doc.xpath("//script"):
        script.drop_tree()
    return " ".join(doc.body.text_content().split())


def utc_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def marseille() -> VilleDeMarseilleSite:
    return VilleDeMarseilleSite(MirrorConfig(sites_dir=SITES_DIR))


@pytest.fixture(scope="module")
def san_diego() -> CityOfSanDiegoSite:
    return CityOfSanDiegoSite(MirrorConfig(sites_dir=SITES_DIR))


# --- the content itself -------------------------------------------------------------------


@pytest.mark.parametrize("folder", [MARSEILLE, SAN_DIEGO])
def test_content_spans_years_and_marks_relevance(folder):
    metas = news(folder)
    assert len(metas) >= 12
    years = {m["created"].year for m in metas}
    assert min(years) <= 2016 and max(years) == 2025 and len(years) >= 7
    relevance = {m["relevant"] for m in nodes(folder)}
    assert relevance == {True, False}, "both relevant and off-topic items"


# --- marseille.fr ---------------------------------------------------------------------------

M_HOST = "www.marseille.fr"


def test_marseille_news_at_the_real_url_shape_with_the_french_skip_link(marseille):
    meta = next(m for m in nodes(MARSEILLE) if m["alias"].endswith("/jumelage-san-diego"))
    assert meta["alias"] == "/international/actualites/jumelage-san-diego"
    selector = page(marseille, meta["alias"], M_HOST)
    assert selector.css("html::attr(lang)").get() == "fr"
    assert selector.css("a.skip-link::text").get().strip() == "Aller au contenu principal"
    assert selector.css("h1 span::text").get() == meta["title"]
    canonical = selector.css("link[rel=canonical]::attr(href)").get()
    assert canonical == "https://www.marseille.fr" + meta["alias"]
    shortlink = selector.css("link[rel=shortlink]::attr(href)").get()
    assert shortlink == f"https://www.marseille.fr/node/{meta['nid']}"


def test_marseille_date_is_only_in_time_markup(marseille):
    for meta in nodes(MARSEILLE):
        selector = page(marseille, meta["alias"], M_HOST)
        times = selector.css("time")
        assert len(times) == 1, meta["alias"]
        changed = meta.get("changed", meta["created"])
        assert times[0].attrib["datetime"] == utc_z(changed)
        assert times[0].css("::text").get() is None, "the visible date is left to a script"
        block = " ".join(selector.css(".block-last-update ::text").getall()).split()
        assert " ".join(block) == "Dernière mise à jour :"


def test_marseille_page_text_alone_gives_no_date(marseille):
    meta = next(m for m in nodes(MARSEILLE) if m["alias"].endswith("/jumelage-san-diego"))
    text = visible_text(page(marseille, meta["alias"], M_HOST))
    label = text.index("Dernière mise à jour :")
    after_label = text[label : label + 60]
    # The label is followed by the footer, not by a date.
    result = parse_date(after_label, languages=["fr"], tz="Europe/Paris", day_first=True)
    assert result.start is None
    assert str(meta["created"].year) not in after_label


def test_marseille_listing_walks_every_news_node_once_and_no_page(marseille):
    site = site_settings(MARSEILLE)
    per_page = site["rows_per_page"]
    expected = news(MARSEILLE)
    seen = []
    number = 0
    while True:
        selector = page(marseille, site["listings"]["fr"]["path"], M_HOST, page=str(number))
        links = selector.css(".view-content .views-row .node__title a::attr(href)").getall()
        if not links:
            assert site["listings"]["fr"]["empty"] in selector.get()
            break
        assert len(links) <= per_page
        seen += links
        number += 1
    assert seen == [m["alias"] for m in expected]
    assert number == -(-len(expected) // per_page)
    page_aliases = {m["alias"] for m in nodes(MARSEILLE) if m.get("type") == "page"}
    assert page_aliases and not page_aliases & set(seen)


def test_marseille_pager_links_are_zero_based(marseille):
    path = site_settings(MARSEILLE)["listings"]["fr"]["path"]
    selector = page(marseille, path, M_HOST, page="1")
    assert selector.css("li.pager__item--next a::attr(href)").get() == "?page=2"
    assert selector.css("li.pager__item--previous a::attr(href)").get() == "?page=0"
    active = " ".join(selector.css("li.is-active a ::text").getall()).split()
    assert active == ["Page", "courante", "2"], "French pager label, one-based number shown"


def test_marseille_open_world_page_has_an_english_title_over_french_text(marseille):
    path = "/international/marseille-ouverte-sur-le-monde/marseille-open-world"
    meta = next(m for m in nodes(MARSEILLE) if m["alias"] == path)
    selector = page(marseille, path, M_HOST)
    assert selector.css("h1 span::text").get() == meta["title"] == "Marseille open on the world"
    assert selector.css("html::attr(lang)").get() == "fr"
    assert selector.css(".field--name-body .field__label::text").get() == "Description"


def test_marseille_node_path_redirects_and_both_hosts_serve_www_links(marseille):
    meta = next(m for m in news(MARSEILLE))
    redirect = get(marseille, f"/node/{meta['nid']}", "marseille.fr")
    assert redirect.status == 301
    assert redirect.headers["Location"] == "https://www.marseille.fr" + meta["alias"]
    bare = page(marseille, meta["alias"], "marseille.fr")
    assert bare.css("link[rel=canonical]::attr(href)").get() == (
        "https://www.marseille.fr" + meta["alias"]
    )


def test_marseille_rss_has_the_newest_news_and_no_page(marseille):
    response = get(marseille, "/rss.xml", M_HOST)
    feed = feedparser.parse(response.body)
    count = site_settings(MARSEILLE)["feed_items"]
    expected = news(MARSEILLE)[:count]
    assert [e.link for e in feed.entries] == [
        "https://www.marseille.fr" + m["alias"] for m in expected
    ]


def test_marseille_sitemap_lists_news_and_pages(marseille):
    root = ET.fromstring(get(marseille, "/sitemap.xml", M_HOST).body)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in root.findall("s:url/s:loc", namespace)}
    for meta in nodes(MARSEILLE):
        assert "https://www.marseille.fr" + meta["alias"] in locs
    robots = get(marseille, "/robots.txt", M_HOST).body.decode()
    assert "Sitemap: https://www.marseille.fr/sitemap.xml" in robots


# --- sandiego.gov ----------------------------------------------------------------------------

SD_HOST = "www.sandiego.gov"


def test_format_date_f_j_y():
    assert format_date(datetime(2015, 11, 24, tzinfo=UTC), "en", "F j, Y") == "November 24, 2015"
    with pytest.raises(ValueError):
        format_date(datetime(2015, 11, 24, tzinfo=UTC), "en", "Y/m/d")


def test_san_diego_story_has_the_section_header_and_a_time_byline(san_diego):
    meta = next(m for m in nodes(SAN_DIEGO) if "tijuana" in m["alias"])
    assert meta["alias"] == "/insidesd/san-diego-and-tijuana-joint-cities-meeting"
    selector = page(san_diego, meta["alias"], SD_HOST)
    header = " ".join(" ".join(selector.css(".insidesd-header ::text").getall()).split())
    assert header == (
        "Inside San Diego Stories about City Services, Employees, Residents and Communities"
    )
    time = selector.css(".story-byline time")
    assert time.attrib["datetime"] == utc_z(meta["created"])
    # 5:30 pm on Nov. 24 in San Diego: already Nov. 25 in UTC; the byline shows the local day.
    assert time.css("::text").get() == "November 24, 2015"
    assert selector.css(".story-byline__author::text").get() == f"By {meta['author']}"
    assert "on Monday, Nov. 23," in " ".join(selector.css(".field--name-body ::text").getall())


def test_san_diego_listing_walks_every_story_once(san_diego):
    site = site_settings(SAN_DIEGO)
    expected = news(SAN_DIEGO)
    seen, number = [], 0
    while (
        links := page(san_diego, "/insidesd", SD_HOST, page=str(number))
        .css(".views-row .story-card__title a::attr(href)")
        .getall()
    ):
        seen += links
        number += 1
    assert seen == [m["alias"] for m in expected]
    assert number == -(-len(expected) // site["rows_per_page"])


def test_san_diego_rss_and_node_redirect(san_diego):
    feed = feedparser.parse(get(san_diego, "/rss.xml", SD_HOST).body)
    newest = news(SAN_DIEGO)[0]
    assert feed.entries[0].link == "https://www.sandiego.gov" + newest["alias"]
    redirect = get(san_diego, f"/node/{newest['nid']}", "sandiego.gov")
    assert redirect.status == 301
    assert redirect.headers["Location"] == "https://www.sandiego.gov" + newest["alias"]
    assert get(san_diego, "/insidesd/no-such-story", SD_HOST) is None
