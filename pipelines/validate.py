"""Validate: reject an item that cannot be archived, and say why.

An item needs a source, a kind (news or event), a web URL (parsed: http(s), a host, no
space, CR, LF or control character) and a title with some text in it; an event also
needs a start, and a start or end that looks like an ISO date must be a real one.
Anything else missing is kept as NULL: a news item without a readable date is still
archived (and counted in the run report). A rejected item is not lost: the run report
writes it to the ``rejects`` table with its URL and the reason given here, and the crawl
goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import EVENT_STATUSES, KINDS
from partnews import urls
from partnews.text import display_title

_TAGS = re.compile(r"<[^>]*>")


class RejectItem(DropItem):
    """An item that cannot be archived; the message is the reason users will read."""


def problems(item: Mapping[str, Any]) -> list[str]:
    """Every reason this item cannot be archived (empty when it can)."""
    found = []
    if not item.get("source"):
        found.append("missing source")
    if item.get("kind") not in KINDS:
        found.append(f"kind must be one of {', '.join(KINDS)}, not {item.get('kind')!r}")
    url = item.get("url") or ""
    url_problem = urls.web_url_problem(url)
    if url_problem:
        found.append(f"url is not an http(s) URL ({url_problem}): {str(url)[:200]!r}")
    title = item.get("title")
    # What will be displayed: a title of only zero-width or control characters is none.
    if not isinstance(title, str) or not display_title(_TAGS.sub("", title)):
        found.append("missing title")
    if item.get("kind") == "event":
        if not item.get("start"):
            found.append("event without a start date")
        for name in ("start", "end"):
            impossible = impossible_iso_date(item.get(name))
            if impossible:
                found.append(
                    f"event {name} is not a real date ({impossible}): "
                    + impossible_value(item.get(name))
                )
        status = item.get("status")
        if status is not None and status not in EVENT_STATUSES:
            found.append(f"event status must be one of {', '.join(EVENT_STATUSES)}")
    return found


# A value written wholly as an ISO 8601 date or date-time must be a real one; one that only
# starts with a date ("2019-06-05/2019-06-07") must start with a real date; datelines in
# words are the normaliser's to read.
_ISO_DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_ISO_WHOLE = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def impossible_iso_date(value: object) -> str | None:
    """Why an ISO-looking date is impossible ("day is out of range for month"), or None.

    "2030-02-30" or "2030-01-01T25:00" look like dates but are none: stored, they would
    break every calendar feed they reach, so the item is rejected with this reason.
    """
    if not isinstance(value, str):
        return None
    prefix = _ISO_DATE_PREFIX.match(value)
    if prefix is None:
        return None
    try:
        if _ISO_WHOLE.match(value):
            datetime.fromisoformat(value.strip())
        else:
            date.fromisoformat(prefix.group(1))
    except ValueError as error:
        return str(error)
    return None


def impossible_value(value: object) -> str:
    return repr(str(value)[:100])


class ValidatePipeline:
    def process_item(self, item):
        # Top-level reads only: the adapter itself, not `asdict()`, whose deep copy of
        # every field cost 0.5 ms an item (issue 17's profile of a reprocess worker).
        found = problems(ItemAdapter(item))
        if found:
            raise RejectItem("; ".join(found))
        return item
