"""WordPress REST API v2 posts (/wp-json/wp/v2/posts) to archive items.

The REST API is the best source for a WordPress site: exact GMT dates, the CMS id and
clean taxonomy ids, where the HTML page only has what the theme chose to print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import urljoin

from crawler.extract.dates import naive_iso, utc_iso
from crawler.extract.jsonload import json_id, json_string, load_json
from crawler.extract.text import clean_inline, html_to_text, strip_read_more
from crawler.items import ArchiveItem
from crawler.records import RecordFailure, read_records


def _rendered(value: Any) -> str | None:
    """The "rendered" string of a WP field ({"rendered": "..."}), or the value itself."""
    if isinstance(value, Mapping):
        value = value.get("rendered")
    return value if isinstance(value, str) else None


def _date(post: Mapping, gmt_key: str, local_key: str) -> str | None:
    """UTC from the *_gmt field when present, else the site-local time left naive
    (its offset is unknown here, and guessing one would shift the day)."""
    return utc_iso(post.get(gmt_key)) or naive_iso(post.get(local_key))


def _embedded(post: Mapping) -> Mapping:
    """The ``_embedded`` object of a ?_embed response ({} when absent or malformed)."""
    embedded = post.get("_embedded")
    return embedded if isinstance(embedded, Mapping) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _embedded_terms(post: Mapping) -> dict[int, tuple[str, str]]:
    """id -> (taxonomy, name) for the terms embedded by ?_embed."""
    terms: dict[int, tuple[str, str]] = {}
    for group in _list(_embedded(post).get("wp:term")):
        for term in _list(group):
            if isinstance(term, Mapping) and isinstance(term.get("id"), int):
                name = clean_inline(term.get("name"))
                if name:
                    terms[term["id"]] = (json_string(term.get("taxonomy")) or "", name)
    return terms


def _term_names(ids: Any, terms: dict[int, tuple[str, str]]) -> list[str]:
    """Names for taxonomy ids. Ids with no embedded name are left out: a bare number
    would read as a category called "11" in the archive."""
    if not isinstance(ids, list):
        return []
    return [terms[i][1] for i in ids if isinstance(i, int) and i in terms]


def _authors(post: Mapping) -> list[str]:
    names = []
    for author in _list(_embedded(post).get("author")):
        if isinstance(author, Mapping):
            name = clean_inline(author.get("name"))
            if name:
                names.append(name)
    return names


def _image(post: Mapping) -> str | None:
    for media in _list(_embedded(post).get("wp:featuredmedia")):
        if isinstance(media, Mapping) and json_string(media.get("source_url")):
            return media["source_url"]
    return json_string(post.get("jetpack_featured_media_url"))


def parse_wp_post(post: Mapping, *, site_url: str | None = None) -> ArchiveItem:
    """One REST post object as an ArchiveItem (see parse_wp_posts)."""
    link = json_string(post.get("link")) or ""
    if site_url and link:
        link = urljoin(site_url, link)  # some exports carry site-relative links
    terms = _embedded_terms(post)
    post_id = json_id(post.get("id"))
    published = _date(post, "date_gmt", "date")
    return ArchiveItem(
        kind="news",
        url=link,
        title=clean_inline(_rendered(post.get("title"))),
        summary=strip_read_more(html_to_text(_rendered(post.get("excerpt")))),
        body=html_to_text(_rendered(post.get("content"))),
        published=published,
        published_from="api" if published else None,
        modified=_date(post, "modified_gmt", "modified"),
        authors=_authors(post),
        categories=_term_names(post.get("categories"), terms),
        tags=_term_names(post.get("tags"), terms),
        image=_image(post),
        cms_id=f"wp:post/{post_id}" if post_id else None,
    )


def parse_wp_posts(
    data: bytes | str | list | dict,
    *,
    site_url: str | None = None,
    url: str | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> list[ArchiveItem]:
    """Archive items from a /wp/v2/posts response (a list of posts, or one post).

    *site_url* resolves relative ``link`` values. Categories, tags, authors and the
    featured image are filled when the response was fetched with ``?_embed`` (the
    plain response only has ids). A post whose reading raises is logged and handed to
    *on_failure* (crawler/records.py); the other posts are still read.
    """
    payload = load_json(data)
    posts = [
        p for p in (payload if isinstance(payload, list) else [payload]) if isinstance(p, Mapping)
    ]
    return read_records(
        posts,
        partial(parse_wp_post, site_url=site_url),
        reader="wordpress post",
        url=url,
        on_failure=on_failure,
    )


def wp_total_pages(headers: Mapping[Any, Any]) -> int | None:
    """The X-WP-TotalPages header as an int (None when absent), for pagination.

    Accepts Scrapy's Headers (bytes keys/values, list values) or a plain dict."""
    for key, value in headers.items():
        name = key.decode() if isinstance(key, bytes) else str(key)
        if name.lower() != "x-wp-totalpages":
            continue
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, bytes):
            value = value.decode()
        try:
            return int(str(value).strip())
        except (TypeError, ValueError):
            return None
    return None
