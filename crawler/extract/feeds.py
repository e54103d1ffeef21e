"""RSS 0.9x/1.0/2.0 and Atom feeds to archive items, with feedparser.

A feed gives exact publication dates and the full post body (content:encoded) for
every WordPress site, so spiders read /feed/ before any HTML listing.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from crawler.extract.text import any_to_text, clean_inline, strip_read_more
from crawler.items import ArchiveItem
from crawler.records import RecordFailure, read_records

_FEED_ROOT_RE = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)


def _as_bytes(data: bytes | str) -> bytes:
    # WordPress themes and plugins that print a newline before "<?xml" (the classic
    # "leading whitespace" bug) make the XML declaration illegal, and strict parsers
    # then reject the whole feed; the whitespace carries nothing, so drop it.
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return raw.lstrip(b"\xef\xbb\xbf").lstrip()


def is_feed(data: bytes | str) -> bool:
    """True when *data* looks like an RSS/Atom/RDF document (root element in the first
    2 KB), so a spider can tell a feed from an HTML page served at the same URL."""
    head = _as_bytes(data)[:2048]
    return bool(_FEED_ROOT_RE.search(head))


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC struct_time as ISO 8601 UTC."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()


def _authors(entry: Any) -> list[str]:
    names = [clean_inline(a.get("name")) for a in entry.get("authors") or []]
    names = [n for n in names if n]
    if not names and entry.get("author"):
        name = clean_inline(entry.get("author"))
        names = [name] if name else []
    return names


def _body(entry: Any) -> str | None:
    """content:encoded / atom:content when present: the full post, not the teaser."""
    contents = entry.get("content") or []
    best = max((c.get("value") or "" for c in contents), key=len, default="")
    return any_to_text(best) if best else None


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry with what the feed says for all its entries."""

    entry: Any  # feedparser's FeedParserDict
    base: str | None  # resolves relative links
    language: str | None


def feed_entries(data: bytes | str, *, url: str | None = None) -> list[FeedEntry]:
    """The entries of a feed, in feed order (none when *data* is not a feed)."""
    parsed = feedparser.parse(_as_bytes(data))
    base = url or parsed.feed.get("link") or None
    language = (parsed.feed.get("language") or "").split("-")[0].split("_")[0].lower() or None
    return [FeedEntry(entry, base, language) for entry in parsed.entries]


def parse_feed(
    data: bytes | str,
    *,
    url: str | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> list[ArchiveItem]:
    """News items, one per entry, in feed order.

    *url* (the feed's own URL) resolves relative entry links. Dates come from
    feedparser's parsed struct_time, which it normalises to UTC; an entry without a
    date keeps ``published`` None. An entry whose reading raises is logged and handed to
    *on_failure* (crawler/records.py); the other entries are still read.
    """
    entries = feed_entries(data, url=url)
    return read_records(entries, read_feed_entry, reader="feed", url=url, on_failure=on_failure)


def read_feed_entry(record: FeedEntry) -> ArchiveItem:
    """One feed entry as a news item."""
    entry = record.entry
    link = entry.get("link") or ""
    if record.base and link:
        link = urljoin(record.base, link)
    # dict.get: feedparser's own .get maps a missing updated_parsed to
    # published_parsed, which would invent a modification date.
    updated = _iso(dict.get(entry, "updated_parsed"))
    published = _iso(dict.get(entry, "published_parsed")) or updated
    tags = [clean_inline(t.get("term")) for t in entry.get("tags") or []]
    return ArchiveItem(
        kind="news",
        url=link,
        title=clean_inline(entry.get("title")),
        summary=strip_read_more(any_to_text(entry.get("summary"))),
        body=_body(entry),
        published=published,
        published_from="feed" if published else None,
        modified=updated,
        language=record.language,
        authors=_authors(entry),
        categories=[t for t in dict.fromkeys(tags) if t],
        cms_id=_cms_id(entry.get("id") or entry.get("guid")),
    )


def _cms_id(guid: str | None) -> str | None:
    """WordPress guids are "https://site/?p=123": that is the post id."""
    match = re.search(r"[?&]p=(\d+)\b", guid or "")
    return f"wp:post/{match.group(1)}" if match else None
