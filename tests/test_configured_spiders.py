"""Spiders made from registry blocks (crawler/spiders/configured.py): each CMS gets its
base spider, the [<id>.spider] table's TOML values become the base attributes' types,
and a mistake in the table is an error that names the source and the attribute.

Sources are built in memory (or in a registry file under tmp_path): the real registry
is never touched.
"""

from __future__ import annotations

import re

import pytest

from crawler.sources import Source, load_sources
from crawler.spiders.configured import SpiderConfigError, configured_spiders
from crawler.spiders.drupal import DrupalNewsSpider
from crawler.spiders.generic import GenericNewsSpider, Listing
from crawler.spiders.press import PressSpider
from crawler.spiders.wordpress import WordPressSpider


def source(source_id: str = "test_site", cms: str = "generic", **spider) -> Source:
    return Source(
        id=source_id,
        name="Test site",
        organisation="Test",
        side="San Diego",
        homepage="https://www.test-site.org/",
        hosts=("www.test-site.org", "test-site.org"),
        cms=cms,
        spider=spider,
    )


def make(tmp_path, *sources: Source) -> dict[str, type]:
    """The configured spiders of `sources`, with an empty spider folder (no own files)."""
    return configured_spiders({s.id: s for s in sources}, spiders_dir=tmp_path)


@pytest.mark.parametrize(
    ("cms", "base"),
    [
        ("wordpress", WordPressSpider),
        ("drupal", DrupalNewsSpider),
        ("generic", GenericNewsSpider),
        ("press", PressSpider),
    ],
)
def test_every_cms_gets_its_base_spider_named_after_the_source(tmp_path, cms, base):
    spiders = make(tmp_path, source("port_of_nice", cms))
    assert list(spiders) == ["PortOfNiceSpider"]
    spider = spiders["PortOfNiceSpider"]
    assert spider.__bases__ == (base,)
    assert spider.name == "port_of_nice"


def test_a_source_of_another_cms_gets_no_spider(tmp_path):
    assert make(tmp_path, source(cms="static_site")) == {}


def test_a_regular_expression_string_is_compiled(tmp_path):
    spider = make(tmp_path, source(article_path_pattern=r"^/news/\d{4}/[^/]+$"))["TestSiteSpider"]
    assert isinstance(spider.article_path_pattern, re.Pattern)
    assert spider.article_path_pattern.match("/news/2024/a-visit")
    assert not spider.article_path_pattern.match("/news/a-visit")


def test_a_list_becomes_a_tuple(tmp_path):
    spider = make(tmp_path, source(feed_paths=["/rss.xml", "/en/rss.xml"]))["TestSiteSpider"]
    assert spider.feed_paths == ("/rss.xml", "/en/rss.xml")


def test_listings_from_paths_and_tables(tmp_path):
    table = {"path": "/archive", "pager": "?page={n}", "first_page": 0}
    spider = make(
        tmp_path, source(listings=["/news", {"path": "/blog", "pager": "/page/{n}"}, table])
    )
    news, blog, archive = spider["TestSiteSpider"].listings
    assert news == Listing("/news")
    assert news.page(1) == "/news?page=2"  # the default pager, one-based
    assert blog.page(0) == "/blog"
    assert blog.page(2) == "/blog/page/3"
    assert archive.page(1) == "/archive?page=1"  # zero-based: the second page is ?page=1


def test_plain_values_keep_their_type(tmp_path):
    spider = make(
        tmp_path,
        source(
            "wp_site",
            "wordpress",
            language_prefixes={"fr": "", "en": "/en"},
            posts_per_page=20,
            feed_path="/rss/",
        ),
    )["WpSiteSpider"]
    assert spider.language_prefixes == {"fr": "", "en": "/en"}
    assert spider.posts_per_page == 20
    assert spider.feed_path == "/rss/"


def test_a_selector_whose_default_is_none_takes_a_string(tmp_path):
    spider = make(tmp_path, source("town_hall", "drupal", time_css=".byline time"))
    assert spider["TownHallSpider"].time_css == ".byline time"
    assert DrupalNewsSpider.time_css is None, "the base spider is left as it was"


def test_attributes_not_set_keep_the_base_defaults(tmp_path):
    spider = make(tmp_path, source(dateline_css=".date"))["TestSiteSpider"]
    assert spider.sitemap_path == GenericNewsSpider.sitemap_path
    assert spider.article_path_pattern is GenericNewsSpider.article_path_pattern


def test_two_sources_do_not_share_attributes(tmp_path):
    spiders = make(
        tmp_path, source("site_a", feed_paths=["/a.xml"]), source("site_b", feed_paths=["/b.xml"])
    )
    assert spiders["SiteASpider"].feed_paths == ("/a.xml",)
    assert spiders["SiteBSpider"].feed_paths == ("/b.xml",)
    assert GenericNewsSpider.feed_paths == ()


@pytest.mark.parametrize(
    ("cms", "attribute"),
    [
        ("generic", "feed_path"),  # WordPress's, not the generic spider's
        ("wordpress", "listings"),  # the generic spider's
        ("drupal", "article_path"),  # a typo
        ("generic", "name"),  # the source id is the name
        ("generic", "parse_article"),  # a method: code belongs in a spider file
        ("press", "search_terms"),  # a registry field, not a spider attribute
    ],
)
def test_an_unknown_attribute_names_the_source_and_the_attribute(tmp_path, cms, attribute):
    with pytest.raises(SpiderConfigError) as error:
        make(tmp_path, source("la_gazette", cms, **{attribute: "x"}))
    message = str(error.value)
    assert "[la_gazette.spider]" in message
    assert f"unknown attribute {attribute!r}" in message


@pytest.mark.parametrize(
    ("attribute", "value", "expected"),
    [
        ("feed_paths", "/rss.xml", "expected a list"),
        ("feed_paths", [1, 2], "expected a list of strings"),
        ("article_path_pattern", "^/news/(", "is not a regular expression"),
        ("article_path_pattern", ["^/news/"], "regular expression as a string"),
        ("max_listing_pages", True, "expected a whole number"),
        ("max_listing_pages", "10", "expected a whole number"),
        ("dateline_css", 3, "expected a string"),
        ("listings", [{"path": "/news", "pages": 3}], "a listing table needs 'path'"),
        ("listings", [{"pager": "/page/{n}"}], "a listing table needs 'path'"),
        ("listings", [{"path": "/news", "pager": "/page/2"}], "must contain {n}"),
        ("listings", [3], "a listing is a path or a table"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_attribute(tmp_path, attribute, value, expected):
    with pytest.raises(SpiderConfigError) as error:
        make(tmp_path, source(**{attribute: value}))
    assert f"[test_site.spider]: {attribute}: " in str(error.value)
    assert expected in str(error.value)


def test_a_spider_file_takes_precedence(tmp_path):
    (tmp_path / "test_site.py").write_text("# the source's own spider\n")
    assert list(make(tmp_path, source(), source("other_site"))) == ["OtherSiteSpider"]


def test_a_spider_table_beside_a_spider_file_is_an_error(tmp_path):
    (tmp_path / "test_site.py").write_text("# the source's own spider\n")
    with pytest.raises(SpiderConfigError, match=r"\[test_site\.spider\].*own.*test_site\.py"):
        make(tmp_path, source(dateline_css=".date"))


def test_the_registry_reads_the_spider_table(tmp_path):
    registry = tmp_path / "sources.toml"
    registry.write_text(
        """
[nice_matin]
name = "Nice-Matin"
organisation = "Nice-Matin (press)"
side = "Région Sud"
homepage = "https://www.nicematin.com/"
hosts = ["www.nicematin.com"]
cms = "generic"
colour = "blue"

[nice_matin.spider]
listings = ["/economie"]
dateline_css = "time"
""",
        encoding="utf-8",
    )
    nice_matin = load_sources(registry)["nice_matin"]
    assert nice_matin.spider == {"listings": ["/economie"], "dateline_css": "time"}
    assert nice_matin.extra == {"colour": "blue"}, "the table is not an unknown field"
    spider = make(tmp_path / "none", nice_matin)["NiceMatinSpider"]
    assert spider.listings == (Listing("/economie"),)
