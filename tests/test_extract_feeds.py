"""Feed extractor, on real RSS/Atom files (some starting with a blank line) and small ones."""

from __future__ import annotations

import html
import re

import pytest
from realdata import params, read_bytes

from crawler.extract.feeds import is_feed, parse_feed
from tests.requirements import need_shared


@pytest.mark.parametrize("row", params("rss", "atom"))
def test_real_feeds_parse_every_entry(row):
    raw = read_bytes(row)
    tag = "item" if row["kind"] == "rss" else "entry"
    blocks = re.findall(rb"<%s[\s>](.*?)</%s>" % (tag.encode(), tag.encode()), raw, re.DOTALL)
    items = parse_feed(raw)
    assert is_feed(raw)
    assert len(items) == len(blocks) > 0
    for item, block in zip(items, blocks, strict=True):
        title = re.search(rb"<title[^>]*>(.*?)</title>", block, re.DOTALL).group(1).decode()
        title = re.sub(r"^<!\[CDATA\[(.*)\]\]>$", r"\1", title.strip(), flags=re.DOTALL)
        assert item.title == " ".join(html.unescape(title).split())
        assert item.published and item.published.endswith("+00:00")
        assert item.published_from == "feed"


def test_real_feeds_with_leading_blank_line_are_among_them():
    starts = [read_bytes(r.values[0])[:1] for r in params("rss") if r.values[0] is not None]
    if not starts:
        need_shared("realdata/MANIFEST.tsv")
    assert b"\n" in starts  # the WordPress leading-whitespace case is really covered


RSS = """
  <?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Site</title><link>https://example.org/</link><language>fr-FR</language>
<item>
  <title>Journ&#233;e partenaires</title>
  <link>/2019/05/14/journee/</link>
  <pubDate>Tue, 14 May 2019 09:00:00 -0700</pubDate>
  <dc:creator><![CDATA[Jane Doe]]></dc:creator>
  <category><![CDATA[Actualités]]></category>
  <guid isPermaLink="false">https://example.org/?p=77</guid>
  <description><![CDATA[<p>Short teaser [&#8230;]</p>]]></description>
  <content:encoded><![CDATA[<p>Full text one.</p><p>Full text two.</p>]]></content:encoded>
</item>
</channel></rss>"""


def test_rss_with_leading_whitespace_and_content_encoded():
    [item] = parse_feed(RSS.encode(), url="https://example.org/feed/")
    assert item.title == "Journée partenaires"
    assert item.url == "https://example.org/2019/05/14/journee/"
    assert item.published == "2019-05-14T16:00:00+00:00"  # -0700 converted to UTC
    assert item.summary == "Short teaser"
    assert item.body == "Full text one.\n\nFull text two."
    assert item.authors == ["Jane Doe"]
    assert item.categories == ["Actualités"]
    assert item.language == "fr"
    assert item.cms_id == "wp:post/77"


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Site</title>
<entry><title>Atom post</title><link href="https://example.org/a"/>
<id>urn:x</id><updated>2019-05-15T10:00:00+02:00</updated>
<published>2019-05-14T10:00:00+02:00</published>
<author><name>A. Writer</name></author><summary>Plain summary</summary></entry>
</feed>"""


def test_atom_entry_dates_in_utc():
    [item] = parse_feed(ATOM)
    assert item.published == "2019-05-14T08:00:00+00:00"
    assert item.modified == "2019-05-15T08:00:00+00:00"
    assert item.authors == ["A. Writer"]
    assert item.summary == "Plain summary"
    assert item.body is None


def test_entry_without_date_has_no_invented_date():
    rss = "<rss version='2.0'><channel><item><title>Undated</title></item></channel></rss>"
    [item] = parse_feed(rss)
    assert item.published is None and item.published_from is None


def test_is_feed():
    assert is_feed(RSS)
    assert is_feed(ATOM.encode())
    assert not is_feed("<!DOCTYPE html><html><body>Not a feed</body></html>")
