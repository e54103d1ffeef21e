"""Normalize: turn what a spider found into what researchers can trust and search.

Text is repaired and cleaned for display (partnews.text), URLs put in canonical form
(partnews.urls), dates read into ISO 8601 with the source's languages, timezone and day
order (partnews.dates), the language checked against the text (partnews.language), and
the content hash computed for dedupe. Every rule is the source registry's
(crawler/sources.toml), not the spider's. A field that cannot be read becomes NULL; it
never stops the item: a news item without a readable date is archived without one and
counted in the run report.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter

from crawler.sources import Source, load_sources
from partnews import dates, language, text, urls
from pipelines import CrawlerPipeline, item_dict

logger = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TEXT_FIELDS = ("summary", "body", "venue_name", "venue_address", "venue_city", "organizer")

# The most characters the archive stores of each text field. A real article's text is a
# few thousand characters; a page of megabytes is an error or an attack, and every
# search, snippet and LIKE over it costs time in proportion (issue 14: one 3.6 MB body
# made a search run 229 s). The full response stays in the crawl's WARC file, and the
# item page says when its text was shortened (archive/hardening.py). The archive's SQLite
# connections refuse any value longer than archive.hardening.MAX_VALUE_BYTES, which these
# caps stay well under (4 bytes a character at most in UTF-8).
TEXT_LIMITS = {
    "title": 1_000,
    "summary": 10_000,
    "body": 50_000,
    "venue_name": 1_000,
    "venue_address": 1_000,
    "venue_city": 1_000,
    "organizer": 1_000,
}
BODY_LIMIT = TEXT_LIMITS["body"]


def capped(value: str | None, limit: int) -> str | None:
    """At most `limit` characters of `value`, cut where it reaches the limit.

    Cut exactly at the limit, so that a stored text of exactly `limit` characters is a
    shortened one (the item page reads it so).
    """
    if value is None or len(value) <= limit:
        return value
    return value[:limit]


def valid_iso(value: str | None) -> str | None:
    """`value` when it is a real ISO 8601 date or date-time, else None (never a string
    that only looks like a date: "2030-02-30" would break the calendar feeds)."""
    if not value or not _ISO_DATE.match(value):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def _source(source_id: str) -> Source | None:
    return load_sources().get(source_id)


def normalize_date(
    value: str | None, source: Source | None, *, lang: str | None = None, base: date | None = None
) -> str | None:
    """ISO 8601 for a date string already in ISO form or in a dateline; None if unreadable."""
    if not value:
        return None
    languages = [lang] if lang else []
    languages += [code for code in (source.languages if source else ()) if code not in languages]
    result = dates.parse_date(
        value,
        languages=languages or None,
        base=base,
        tz=source.timezone if source else None,
        day_first=source.day_first if source else None,
    )
    return result.start


def in_zone(iso: str | None, zone: str | None) -> str | None:
    """An instant with an offset, shown in the source's timezone.

    APIs give UTC ("2017-06-17T17:00:00+00:00"); the source's local time keeps the date
    its readers saw (a post of 31 December at 8 pm in San Diego is not a January post),
    and that date is what the year and month facets use.
    """
    if not iso or not zone or len(iso) <= 10:
        return iso
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return iso
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def normalize_item(item: dict, source: Source | None) -> dict:
    """The normalised copy of one item (pure: no I/O, same input gives the same output)."""
    out = dict(item)
    out["title"] = capped(text.display_title(item.get("title")), TEXT_LIMITS["title"])
    for name in _TEXT_FIELDS:
        out[name] = capped(text.clean_text(item.get(name)), TEXT_LIMITS[name])
    out["authors"] = [a for a in (text.display_title(x) for x in item.get("authors") or []) if a]
    out["categories"] = _clean_terms(item.get("categories"))
    out["tags"] = _clean_terms(item.get("tags"))

    prefer_www = source.prefer_www if source else None
    # A page may only claim a canonical URL on its own site, over http(s): a hostile or
    # copied page's canonical must neither merge it with another item nor become a link.
    canonical = urls.resolve_canonical(item["url"], item.get("canonical_url"))
    out["canonical_url"] = urls.canonicalize_url(canonical, prefer_www=prefer_www)
    out["alternate_urls"] = _unique(
        urls.canonicalize_url(u, prefer_www=prefer_www)
        for u in item.get("alternate_urls") or []
        if u and urls.resolve_canonical(item["url"], u) != item["url"]
    )
    out["translations"] = {
        language.normalize_language_tag(code) or code: urls.canonicalize_url(
            u, prefer_www=prefer_www
        )
        for code, u in (item.get("translations") or {}).items()
        if urls.is_web_url(u)
    }

    declared = language.normalize_language_tag(item.get("language")) or language.language_from_url(
        item["url"]
    )
    candidates = tuple(source.languages) if source else ("en", "fr", "de")
    sample = " ".join(filter(None, [out["title"], out.get("summary"), out.get("body")]))
    out["language"] = (
        language.detect_language(sample[:4000], declared=declared, candidates=candidates)
        or declared
    )

    # The dateline's language is the page's declared one (German month names on /de/
    # over English text), so parse with it first.
    date_lang = declared
    out["published"] = normalize_date(item.get("published"), source, lang=date_lang)
    if item.get("published") and not out["published"]:
        logger.info("Unreadable publication date %r on %s", item.get("published"), item["url"])
    if not out["published"]:
        from_url = dates.date_from_url(item["url"])
        out["published"] = from_url.start if from_url else None
        out["published_from"] = "url" if out["published"] else None
    out["modified"] = normalize_date(item.get("modified"), source, lang=date_lang)
    zone = source.timezone if source else None
    out["published"] = in_zone(out["published"], zone)
    out["modified"] = in_zone(out["modified"], zone)
    if item.get("kind") == "event":
        base = date.fromisoformat(out["published"][:10]) if out.get("published") else None
        out["start"] = normalize_date(
            item.get("start"), source, lang=date_lang, base=base
        ) or valid_iso(item.get("start"))
        out["end"] = normalize_date(
            item.get("end"), source, lang=date_lang, base=base
        ) or valid_iso(item.get("end"))
        out["timezone"] = item.get("timezone") or (source.timezone if source else None)
    # Links shown to readers must be web links: a scraped "javascript:" or "data:" URL
    # in a registration or image field is dropped, never rendered.
    for name in ("image", "registration_url"):
        if item.get(name) and not urls.is_web_url(item[name]):
            out[name] = None
    out["title_sort"] = text.sort_key(out["title"])
    # An event's start is part of what it is: the occurrences of a recurring event share
    # their title and text but are different events (real calendars publish dozens).
    parts = [out["title"], out.get("body") or out.get("summary")]
    if out.get("kind") == "event":
        parts.append(out.get("start"))
    out["content_hash"] = text.content_hash(*parts)
    return out


def _clean_terms(values) -> list[str]:
    return _unique(t for t in (text.display_title(v) for v in values or []) if t)


def _unique(values) -> list:
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


class NormalizePipeline(CrawlerPipeline):
    def process_item(self, item):
        adapter = ItemAdapter(item)
        normalized = normalize_item(item_dict(item), _source(adapter.get("source")))
        for key, value in normalized.items():
            adapter[key] = value
        if not adapter.get("published") and adapter.get("kind") == "news":
            self.crawler.stats.inc_value("partnews/items_without_date")
        return item
