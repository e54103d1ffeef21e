"""Sitemap parser, on real WordPress/Yoast/Drupal sitemaps and small hand-written ones."""

from __future__ import annotations

import gzip
import html
import re

import pytest
from realdata import params, read_bytes

from crawler.extract.sitemaps import parse_sitemap


@pytest.mark.parametrize("row", params("sitemap"))
def test_real_sitemaps_entry_count_and_locs(row):
    raw = read_bytes(row)
    urls = len(re.findall(rb"<url[\s>]", raw))
    sitemaps = len(re.findall(rb"<sitemap[\s>]", raw))
    locs = [html.unescape(m.decode().strip()) for m in re.findall(rb"<loc>(.*?)</loc>", raw, re.S)]
    parsed = parse_sitemap(raw)
    assert parsed.kind == ("urlset" if urls else "sitemapindex")
    assert len(parsed.entries) == urls + sitemaps > 0
    assert [e.loc for e in parsed.entries] == locs


SITEMAP = """
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url><loc>/en/news/partner-day</loc><lastmod>2013-06-23T14:09Z</lastmod>
    <xhtml:link rel="alternate" hreflang="fr" href="/actualites/journee"/></url>
  <url><loc>https://example.org/b</loc><lastmod>2019-05-14</lastmod></url>
  <url><loc>https://example.org/c</loc></url>
</urlset>"""


def test_urlset_with_relative_locs_alternates_and_lastmod():
    parsed = parse_sitemap(SITEMAP, base_url="https://example.org/")
    assert parsed.kind == "urlset"
    first, second, third = parsed.entries
    assert first.loc == "https://example.org/en/news/partner-day"
    assert first.lastmod == "2013-06-23T14:09:00+00:00"
    assert first.alternates == {"fr": "https://example.org/actualites/journee"}
    assert second.lastmod == "2019-05-14"
    assert third.lastmod is None and third.alternates == {}


def test_gzip_sitemap_index():
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.org/s1.xml</loc></sitemap></sitemapindex>"
    )
    parsed = parse_sitemap(gzip.compress(index))
    assert parsed.kind == "sitemapindex"
    assert [e.loc for e in parsed.entries] == ["https://example.org/s1.xml"]


def test_not_a_sitemap_raises():
    with pytest.raises(ValueError):
        parse_sitemap("<html><body>nope</body></html>")


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n", b"\x1f\x8b\x08\x00broken gzip", b"\x00\x01\x02", "</html>", "<!-- -->"],
)
def test_what_is_not_a_sitemap_raises_value_error_only(body):
    # The spiders catch ValueError and fall back to listings; anything else would
    # stop the page.
    with pytest.raises(ValueError, match="not a sitemap"):
        parse_sitemap(body)
