"""WordPress REST posts extractor, on real /wp/v2/posts responses and hand-written ones."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urljoin

import pytest
from realdata import params, read_bytes, read_text
from scrapy.http.headers import Headers

from crawler.extract.wordpress import parse_wp_posts, wp_total_pages


def _plain(rendered: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


@pytest.mark.parametrize("row", params("wp-rest-posts"))
def test_real_posts_title_dates_link_text(row):
    raw = json.loads(read_text(row))
    posts = raw if isinstance(raw, list) else [raw]
    site = row["real_site"].split()[0]
    items = parse_wp_posts(read_bytes(row), site_url=site)
    assert len(items) == len(posts) > 0
    for item, post in zip(items, posts, strict=True):
        assert item.title == (_plain(post["title"]["rendered"]) or None)
        assert item.url == urljoin(site, post["link"])
        assert item.published == post["date_gmt"] + "+00:00"
        assert item.modified == post["modified_gmt"] + "+00:00"
        assert item.published_from == "api"
        assert item.cms_id == f"wp:post/{post['id']}"
        rendered = post["content"]["rendered"]
        # Same characters in the same order once tags and all whitespace are removed:
        # the extractor only changes markup and spacing (and drops <iframe> fallback
        # markup, which no reader sees, and invisible soft hyphens and zero-width spaces).
        visible = re.sub(r"<iframe.*?</iframe>", "", rendered, flags=re.DOTALL)
        expected = "".join(html.unescape(re.sub(r"<[^>]+>", "", visible)).split())
        expected = re.sub("[\u00ad\u200b-\u200d\u2060\ufeff]", "", expected)
        assert "".join((item.body or "").split()) == expected
        paragraphs = [
            p
            for p in re.findall(r"<p[^>]*>(.*?)</p>", visible, re.DOTALL)
            if html.unescape(re.sub(r"<[^>]+>", "", p)).strip()
        ]
        if len(paragraphs) >= 2:  # paragraph breaks are kept
            assert item.body.count("\n\n") >= len(paragraphs) - 1


def _post(**overrides) -> dict:
    post = {
        "id": 42,
        "date": "2019-05-14T09:00:00",
        "date_gmt": "2019-05-14T16:00:00",
        "modified": "2019-05-15T09:00:00",
        "modified_gmt": "2019-05-15T16:00:00",
        "link": "/2019/05/14/partner-day/",
        "title": {"rendered": "Partner day &#8211; <em>San Diego</em>"},
        "content": {"rendered": "<p>One   two\nthree.</p>\n<p>Four.</p>"},
        "excerpt": {"rendered": "<p>One two three. [&hellip;]</p>"},
        "categories": [3],
        "tags": [9],
    }
    post.update(overrides)
    return post


def test_text_fields_and_relative_link():
    [item] = parse_wp_posts([_post()], site_url="https://example.org/")
    assert item.title == "Partner day – San Diego"
    assert item.body == "One two three.\n\nFour."
    assert item.summary == "One two three."
    assert item.url == "https://example.org/2019/05/14/partner-day/"
    assert item.published == "2019-05-14T16:00:00+00:00"


def test_local_date_kept_naive_without_gmt():
    [item] = parse_wp_posts(_post(date_gmt=None, modified_gmt=None))
    assert item.published == "2019-05-14T09:00:00"
    assert item.modified == "2019-05-15T09:00:00"


def test_continue_reading_link_is_cut_from_summary():
    excerpt = (
        '<p>Teaser text. <a class="more-link" href="/x">'
        "Continue reading <span>Partner day</span></a></p>"
    )
    [item] = parse_wp_posts(_post(excerpt={"rendered": excerpt}))
    assert item.summary == "Teaser text."


def test_embedded_terms_authors_and_image():
    embedded = {
        "author": [{"name": "Jane Doe"}],
        "wp:featuredmedia": [{"source_url": "https://example.org/img.jpg"}],
        "wp:term": [
            [{"id": 3, "taxonomy": "category", "name": "Trade &amp; Investment"}],
            [{"id": 9, "taxonomy": "post_tag", "name": "biotech"}],
        ],
    }
    [item] = parse_wp_posts(json.dumps(_post(_embedded=embedded)).encode())
    assert item.categories == ["Trade & Investment"]
    assert item.tags == ["biotech"]
    assert item.authors == ["Jane Doe"]
    assert item.image == "https://example.org/img.jpg"


def test_term_ids_without_embed_are_not_turned_into_names():
    [item] = parse_wp_posts(_post())
    assert item.categories == [] and item.tags == []


def test_single_post_object_and_bom():
    data = b"\xef\xbb\xbf" + json.dumps(_post()).encode()
    assert [i.cms_id for i in parse_wp_posts(data)] == ["wp:post/42"]


def test_total_pages_header():
    assert wp_total_pages(Headers({"X-WP-TotalPages": "7"})) == 7
    assert wp_total_pages({"x-wp-totalpages": "3"}) == 3
    assert wp_total_pages({"Content-Type": "application/json"}) is None


def test_fields_of_the_wrong_type_are_missing_not_fatal():
    # A plugin writing 1.0 where a date or a link belongs loses that field, not the post.
    [item] = parse_wp_posts(
        [_post(date_gmt=1.0, date=True, link=1.0, id=2.5, categories="3", _embedded=[])],
        site_url="https://example.org/",
    )
    assert item.title == "Partner day – San Diego"
    assert item.body == "One two three.\n\nFour."
    assert (item.url, item.published, item.cms_id, item.categories) == ("", None, None, [])


def test_numeric_string_id_is_an_id():
    [item] = parse_wp_posts([_post(id="42")])
    assert item.cms_id == "wp:post/42"
