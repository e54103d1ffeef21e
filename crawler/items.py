"""The one item schema for everything partnews archives: news articles and events.

Every spider yields `ArchiveItem`s and every extractor returns them, so the pipelines,
the archive and the exports only ever deal with one shape (the City Scrapers way). News
and events share the common fields; the event fields stay ``None`` on news items.

Conventions (documented for users in docs/architecture.md):

* dates are ISO 8601 strings, with a UTC offset where the source gives the time
  ("2019-05-14T09:00:00-07:00"), a bare date where it gives only the day ("2019-05-14");
  spiders may put a raw dateline ("28 Januar 2019") in ``published``: the normalize
  pipeline turns it into ISO 8601 with the source's languages and records where it
  came from in ``published_from`` (``DATE_EVIDENCE``; ``htmldate`` when no declared
  date or dateline was found and the htmldate library dated the page, see
  crawler/extract/page_metadata.py);
* ``timezone`` is an IANA name (America/Los_Angeles for San Diego sources,
  Europe/Paris for French ones);
* ``url`` is the real URL the page was read from, never the local mirror's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("news", "event")
EVENT_STATUSES = ("scheduled", "cancelled", "postponed")
# Where a publication date came from, best evidence first (see docs/architecture.md).
DATE_EVIDENCE = ("jsonld", "api", "feed", "meta", "time", "dateline", "htmldate", "url")


@dataclass
class ArchiveItem:
    """A news article or an event announcement, as one source published it."""

    source: str = ""
    kind: str = "news"
    url: str = ""
    canonical_url: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    published: str | None = None
    published_from: str | None = None
    modified: str | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    # Other URLs known to carry this same item (aliases, www/bare host, listing pages).
    alternate_urls: list[str] = field(default_factory=list)
    # hreflang alternates: language code -> URL of the translation.
    translations: dict[str, str] = field(default_factory=dict)
    # A CMS's own stable id when the page exposes one ("drupal:node/1944", "wp:post/123").
    cms_id: str | None = None
    # Event details (None on news items).
    start: str | None = None
    end: str | None = None
    timezone: str | None = None
    all_day: bool | None = None
    venue_name: str | None = None
    venue_address: str | None = None
    venue_city: str | None = None
    venue_country: str | None = None
    organizer: str | None = None
    registration_url: str | None = None
    cost: str | None = None
    status: str | None = None
    # Set by the relevance pipeline: how much the item is about the partnership (0 = not at
    # all), the rule terms that matched, and the economic sectors it is about.
    relevance_score: float | None = None
    relevance_terms: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    # Set by the pipelines, not by spiders: the archive id (dedupe), the matching form of
    # the title for sorting, and the hash of the normalised content (normalize).
    id: str | None = None
    title_sort: str | None = None
    content_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a new dict, lists and dicts copied: what `dataclasses.asdict`
        gives for this schema (strings, numbers, lists and dicts of strings), without
        its deep copy of every value, which cost five times as much per item."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {
            name: list(value)
            if isinstance(value, list)
            else dict(value)
            if isinstance(value, dict)
            else value
            for name, value in values.items()
        }

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


EVENT_FIELDS = (
    "start",
    "end",
    "timezone",
    "all_day",
    "venue_name",
    "venue_address",
    "venue_city",
    "venue_country",
    "organizer",
    "registration_url",
    "cost",
    "status",
)
