"""The generic "custom CMS" mirror renderer: pagers, date markup, feeds, sitemaps, and the
three sites built on it, over real HTTP.

Expected values are derived from the content (the tmp sites written here, or the content
files read with tomllib), and checked through the same extractors a crawler uses.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from markupsafe import escape

from crawler.extract.article import extract_article
from crawler.extract.feeds import parse_feed
from crawler.extract.sitemaps import parse_sitemap
from crawler.extract.structured import items_from_structured
from mirror import SITES_DIR
from mirror.generic import (
    GenericSite,
    Section,
    format_date,
    listing_index,
    page_path,
)
from mirror.site import MirrorConfig, MirrorRequest
from tests.mirror_content import front_matter, site_settings

# --- pure helpers ------------------------------------------------------------------------


def test_french_and_english_visible_dates():
    assert format_date(datetime(2019, 3, 1), "fr") == "1er mars 2019"
    assert format_date(datetime(2018, 8, 31), "fr") == "31 août 2018"
    assert format_date(datetime(2016, 6, 21), "en") == "June 21, 2016"


@pytest.mark.parametrize(
    ("pager", "first_page", "second_page"),
    [
        ("?page={n}", 1, "/news?page=2"),
        ("?page={n}", 0, "/news?page=1"),  # Drupal's zero-based pager
        ("/page/{n}", 1, "/news/page/2"),
    ],
)
def test_pager_shapes(pager, first_page, second_page):
    section = Section("news", "/news", "/news/{slug}", "News", "en", pager, first_page)
    assert page_path(section, 0) == "/news"
    assert page_path(section, 1) == second_page
    for index in range(5):
        path, _, query = page_path(section, index).partition("?")
        parsed = {k: [v] for k, v in (q.split("=") for q in query.split("&") if q)}
        assert listing_index(section, path, parsed) == index


def test_a_query_pager_reads_garbage_as_the_first_page():
    section = Section("news", "/news", "/news/{slug}", "News", "en")
    assert listing_index(section, "/news", {"page": ["abc"]}) == 0
    assert listing_index(section, "/other", {"page": ["2"]}) is None


# --- a site of one's own: every date markup, Atom, a sitemap index -----------------------

SITE_TOML = """
name = "Test Site"
base_url = "https://www.example.org"
language = "en"
locale = "en_US"
theme = "test"
date_style = "en"
dateline = "Posted {date}"
menu = [["News", "/jsonld"]]
footer = "Footer text"
footer_menu = []

[ui]
home = "Home"
related = "Related"
newsletter = "Newsletter"
empty = "Nothing here."

[[feeds]]
path = "/feed.atom"
format = "atom"
items = 3

[sitemap]
path = "/sitemap.xml"
children = [
  { path = "/sitemap-a.xml", sections = ["jsonld", "opengraph"] },
  { path = "/sitemap-b.xml", sections = ["time", "dateline"] },
]
"""
MARKUPS = ("jsonld", "opengraph", "time", "dateline")


@pytest.fixture
def tmp_site(tmp_path) -> GenericSite:
    sections = "".join(
        f'\n[[sections]]\nid = "{m}"\npath = "/{m}"\nitem_path = "/{m}/{{slug}}"\n'
        f'title = "{m}"\npager = "/page/{{n}}"\nper_page = 2\ndate_markup = ["{m}"]\n'
        for m in MARKUPS
    )
    (tmp_path / "site.toml").write_text(SITE_TOML + sections, encoding="utf-8")
    (tmp_path / "posts").mkdir()
    for day, markup in enumerate(MARKUPS, start=10):
        (tmp_path / "posts" / f"post-{markup}.md").write_text(
            f'+++\nsection = "{markup}"\ntitle = "A post with {markup} dates"\n'
            f"published = 2020-05-{day}T09:30:00-07:00\n"
            f"modified = 2020-06-{day}T12:00:00-07:00\n+++\n"
            f"The first paragraph of the {markup} post.\n\nThe second paragraph.\n",
            encoding="utf-8",
        )
    return GenericSite(MirrorConfig(sites_dir=tmp_path), tmp_path, ("www.example.org",))


def get(site: GenericSite, path: str, query: dict | None = None):
    return site.handle(MirrorRequest("GET", site.hosts[0], path, query or {}, {}))


@pytest.mark.parametrize("day,markup", list(enumerate(MARKUPS, start=10)))
def test_each_date_markup_is_what_the_extractors_read(tmp_site, day, markup):
    url = f"https://www.example.org/{markup}/post-{markup}"
    page = get(tmp_site, f"/{markup}/post-{markup}").body.decode()
    published = f"2020-05-{day}T09:30:00-07:00"
    item = extract_article(page, url)
    structured = items_from_structured(page, url)
    assert f"Posted {format_date(datetime(2020, 5, day), 'en')}" in re.sub(r"<[^>]+>", "", page)
    if markup == "jsonld":
        assert [i.published for i in structured] == [published]
        assert structured[0].title == f"A post with {markup} dates"
    else:
        assert structured == []
    expected_from = {
        "jsonld": "jsonld",
        "opengraph": "meta",
        "time": "time",
        "dateline": "dateline",
    }
    assert item.published_from == expected_from[markup]
    # A text dateline beside the headline gives the day (the page-metadata ladder reads
    # it without the spider's selector); the markup gives the time too.
    assert item.published == (published if markup != "dateline" else f"2020-05-{day}")


def test_atom_feed_lists_the_newest_posts(tmp_site):
    response = get(tmp_site, "/feed.atom")
    assert response.content_type.startswith("application/atom+xml")
    items = parse_feed(response.body, url="https://www.example.org/feed.atom")
    # Three newest of the four posts (published on the 10th to the 13th), newest first.
    assert [i.url.rsplit("-", 1)[-1] for i in items] == ["dateline", "time", "opengraph"]
    assert items[0].published == "2020-05-13T16:30:00+00:00"


def test_sitemap_index_and_children_carry_lastmod(tmp_site):
    index = parse_sitemap(get(tmp_site, "/sitemap.xml").body)
    assert index.kind == "sitemapindex"
    assert [e.loc for e in index.entries] == [
        "https://www.example.org/sitemap-a.xml",
        "https://www.example.org/sitemap-b.xml",
    ]
    # sitemap-a holds the jsonld (10th) and opengraph (11th) posts: its lastmod is the 11th.
    assert index.entries[0].lastmod == "2020-06-11T12:00:00-07:00"
    child = parse_sitemap(get(tmp_site, "/sitemap-a.xml").body)
    posts = {e.loc: e.lastmod for e in child.entries if "/post-" in e.loc}
    assert posts == {
        "https://www.example.org/jsonld/post-jsonld": "2020-06-10T12:00:00-07:00",
        "https://www.example.org/opengraph/post-opengraph": "2020-06-11T12:00:00-07:00",
    }


def test_reload_sees_edited_content(tmp_site):
    path = tmp_site.folder / "posts" / "post-time.md"
    path.write_text(path.read_text().replace("A post with time dates", "Edited"))
    tmp_site.reload()
    assert '<h1 class="post-title">Edited</h1>' in get(tmp_site, "/time/post-time").body.decode()


# --- the three sites over real HTTP ------------------------------------------------------

HOSTS = ("www.maregionsud.fr", "www.risingsud.fr", "www.sandiegobusiness.org")


@pytest.mark.parametrize("host", HOSTS)
def test_robots_names_the_sitemap(fetch, host):
    response = fetch("/robots.txt", host=host)
    assert response.status == 200
    assert f"Sitemap: https://{host}/sitemap.xml" in response.text
    assert "User-agent: *" in response.text


@pytest.mark.parametrize("host", HOSTS)
def test_every_post_is_served_at_its_path_with_its_title(fetch, host):
    site = site_settings(SITES_DIR / host)
    sections = {s["id"]: s for s in site["sections"]}
    for path in (SITES_DIR / host / "posts").glob("*.md"):
        meta, _ = front_matter(path)
        url_path = sections[meta["section"]]["item_path"].format(slug=path.stem)
        response = fetch(url_path, host=host)
        assert response.status == 200, url_path
        assert f'<h1 class="post-title">{escape(meta["title"])}</h1>' in response.text
        assert f'<link rel="canonical" href="{site["base_url"]}{url_path}">' in response.text


def test_bare_host_and_trailing_slash(fetch):
    response = fetch("/espace-presse/communiques/budget-2025/", host="maregionsud.fr")
    assert response.status == 301
    assert (
        response.headers["location"]
        == "https://www.maregionsud.fr/espace-presse/communiques/budget-2025"
    )
    assert fetch("/no-such-page", host="maregionsud.fr").status == 404


def test_past_the_last_page_query_pager_is_empty_path_pager_is_404(fetch):
    empty = site_settings(SITES_DIR / "www.maregionsud.fr")["ui"]["empty"]
    beyond = fetch("/actualites?page=40", host="www.maregionsud.fr")
    assert beyond.status == 200 and empty in beyond.text
    english = [
        p
        for p in (SITES_DIR / "www.risingsud.fr" / "posts").glob("*.md")
        if front_matter(p)[0]["section"] == "news"
    ]
    per_page = {
        s["id"]: s["per_page"] for s in site_settings(SITES_DIR / "www.risingsud.fr")["sections"]
    }
    last = -(-len(english) // per_page["news"])
    assert (
        fetch(f"/en/news/page/{last}" if last > 1 else "/en/news", host="www.risingsud.fr").status
        == 200
    )
    assert fetch(f"/en/news/page/{last + 1}", host="www.risingsud.fr").status == 404


def test_rising_sud_has_no_feed_and_a_sitemap_index(fetch):
    assert fetch("/rss.xml", host="www.risingsud.fr").status == 404
    assert fetch("/feed", host="www.risingsud.fr").status == 404
    index = parse_sitemap(fetch("/sitemap.xml", host="www.risingsud.fr").body)
    assert index.kind == "sitemapindex"
    locs = []
    for entry in index.entries:
        child = fetch(entry.loc.replace("https://www.risingsud.fr", ""), host="www.risingsud.fr")
        locs += [e.loc for e in parse_sitemap(child.body).entries]
    posts = list((SITES_DIR / "www.risingsud.fr" / "posts").glob("*.md"))
    assert sum(1 for loc in locs if loc.rsplit("/", 1)[-1] in {p.stem for p in posts}) == len(posts)


def test_sd_business_listings_carry_full_bodies(fetch):
    """A tag listing and the blog listing show each post's whole text (sources.md §1.6)."""
    folder = SITES_DIR / "www.sandiegobusiness.org" / "posts"
    blog = [
        (meta, body)
        for meta, body in (front_matter(p) for p in sorted(folder.glob("*.md")))
        if meta["section"] == "blog"
    ]
    newest_meta, newest_body = max(blog, key=lambda t: t[0]["published"])
    last_paragraph = newest_body.strip().split("\n\n")[-1].strip()
    first_page = fetch("/blog/category/blog", host="www.sandiegobusiness.org").text
    assert last_paragraph in first_page
    tag = newest_meta["tags"][0]
    tag_page = fetch(f"/blog/tag/{tag}", host="www.sandiegobusiness.org").text
    assert last_paragraph in tag_page


def test_sd_business_feed_holds_only_the_newest_blog_posts(fetch):
    site = site_settings(SITES_DIR / "www.sandiegobusiness.org")
    feed_options = site["feeds"][0]
    folder = SITES_DIR / "www.sandiegobusiness.org" / "posts"
    blog = sorted(
        (front_matter(p)[0]["published"], p.stem)
        for p in folder.glob("*.md")
        if front_matter(p)[0]["section"] == "blog"
    )
    newest = [stem for _, stem in reversed(blog)][: feed_options["items"]]
    response = fetch(feed_options["path"], host="www.sandiegobusiness.org")
    items = parse_feed(response.body, url="https://www.sandiegobusiness.org/blog/rss.xml")
    assert [i.url.rsplit("/", 1)[-1] for i in items] == newest
    assert len(blog) > len(newest), "older posts are only in the sitemap and the listings"
