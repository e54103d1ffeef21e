"""Validate: reject an item that cannot be archived, and say why.

An item needs a source, a kind (news or event), an http(s) URL and a title with some
text in it; an event also needs a start. Anything else missing is kept as NULL: a
news item without a readable date is still archived (and counted in the run report).
A rejected item is not lost: the run report writes it to the ``rejects`` table with its
URL and the reason given here, and the crawl goes on.
"""

from __future__ import annotations

import re

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import EVENT_STATUSES, KINDS
from partnews.text import display_title

_TAGS = re.compile(r"<[^>]*>")


class RejectItem(DropItem):
    """An item that cannot be archived; the message is the reason users will read."""


def problems(item: dict) -> list[str]:
    """Every reason this item cannot be archived (empty when it can)."""
    found = []
    if not item.get("source"):
        found.append("missing source")
    if item.get("kind") not in KINDS:
        found.append(f"kind must be one of {', '.join(KINDS)}, not {item.get('kind')!r}")
    url = item.get("url") or ""
    if not url.startswith(("http://", "https://")):
        found.append(f"url is not an http(s) URL: {url[:200]!r}")
    title = item.get("title")
    # What will be displayed: a title of only zero-width or control characters is none.
    if not isinstance(title, str) or not display_title(_TAGS.sub("", title)):
        found.append("missing title")
    if item.get("kind") == "event":
        if not item.get("start"):
            found.append("event without a start date")
        status = item.get("status")
        if status is not None and status not in EVENT_STATUSES:
            found.append(f"event status must be one of {', '.join(EVENT_STATUSES)}")
    return found


class ValidatePipeline:
    def process_item(self, item):
        found = problems(ItemAdapter(item).asdict())
        if found:
            raise RejectItem("; ".join(found))
        return item
