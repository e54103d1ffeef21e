"""Dedupe: give each item its archive id, so one article at several URLs is one item.

An item is the same as an archived one when any of its URLs is already known (fetched,
canonical or alias URL), when its CMS id matches (a Drupal node served at
``/de/node/1944`` and at ``/en/news/<slug>``), when its normalised content hash
matches another item of the same source, or when one is a listing teaser of the other
(the cut start of its text, ending with an ellipsis) in the same source. Duplicates are
never dropped: they are linked, their URLs all kept in ``item_urls``; a teaser becomes
the article's summary when it has none, and a copy without a body never erases one. A
new item's id is derived from its canonical URL, so ids are stable across runs and
machines.

Items that resemble each other without being one (translations, reposts on other
sites) stay separate items; the archive links them when it stores them
(archive/relations.py).
"""

from __future__ import annotations

import hashlib
import re

from itemadapter import ItemAdapter

from archive.store import Archive
from partnews.text import has_teaser_tail, matching_form, teaser_prefix_of
from pipelines import CrawlerPipeline, item_dict

_RAW_NODE_PATH = re.compile(r"/node/\d+/?$|[?&](?:p|page_id)=\d+")


def new_item_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def url_preference(url: str) -> int:
    """Lower is better: a CMS's raw node path (or WordPress ``?p=`` id) is the worst URL
    to cite."""
    return 1 if _RAW_NODE_PATH.search(url) else 0


def is_teaser_of(copy: dict, article: dict) -> bool:
    """True when ``copy`` is a listing teaser (or a body-less feed entry) of ``article``.

    The copy has no body but a summary starting the article's body, or a body that is
    the article's body cut short with an ellipsis (`partnews.text.teaser_prefix_of`).
    A text equal to the article's is not a teaser: it is the same text.
    """
    body = article.get("body")
    if not body or copy.get("kind", "news") != article.get("kind", "news"):
        return False
    short = copy.get("body") or copy.get("summary")
    # Without an ellipsis the copy can only be the same text (not a teaser) or another
    # text: decided before the two whole texts' matching forms are taken.
    if not short or not has_teaser_tail(short):
        return False
    if matching_form(short) == matching_form(body):
        return False
    return teaser_prefix_of(short, body)


def merge_copies(item: dict, archived: dict) -> dict:
    """The item to store when ``item`` is a new copy of the ``archived`` one.

    A teaser (or a copy without a body) never replaces the article: the archived text
    and dates stay, and the teaser becomes the summary when the article has none. An
    article arriving after its teaser replaces it and keeps the teaser as its summary
    when it brings none. Otherwise the copy is the item's current content.
    """
    article_text = ("title", "title_sort", "body", "published", "published_from", "modified")
    if is_teaser_of(item, archived) or (not item.get("body") and archived.get("body")):
        teaser = item.get("summary") or item.get("body")
        for name in (*article_text, "language", "content_hash"):
            if archived.get(name) is not None:
                item[name] = archived[name]
        item["summary"] = archived.get("summary") or teaser
    elif is_teaser_of(archived, item) or (not archived.get("body") and item.get("body")):
        item["summary"] = item.get("summary") or archived.get("summary") or archived.get("body")
    return item


def _teaser_twin(item: dict, archive: Archive) -> tuple[str, bool] | None:
    """The archived item of the same source this one is a teaser of, or the teaser of;
    with True when the archived one is the teaser."""
    for candidate in archive.items_with_lead(
        item["source"], item.get("body") or item.get("summary")
    ):
        if is_teaser_of(item, candidate):
            return candidate["id"], False
        if is_teaser_of(candidate, item):
            return candidate["id"], True
    return None


def is_other_occurrence(item: dict, identity: tuple | None) -> bool:
    """True when the archived item found at one of this event's URLs is another occurrence
    of a recurring event: both events, and their CMS ids differ (when both have one) or,
    without CMS ids, their starts differ. A moved event keeps its CMS id: same item."""
    if item.get("kind") != "event" or identity is None:
        return False
    kind, start, cms_id = identity
    if kind != "event":
        return False
    if item.get("cms_id") and cms_id:
        return item["cms_id"] != cms_id
    return bool(item.get("start") and start and item["start"] != start)


def occurrence_id(item: dict) -> str:
    """The stable id of an occurrence whose URL another occurrence already holds: its
    URL with its CMS id (or start)."""
    url = item.get("canonical_url") or item["url"]
    return new_item_id(f"{url}#{item.get('cms_id') or item.get('start')}")


def _find_archived(item: dict, archive: Archive) -> tuple[str | None, bool]:
    """(the archived item this one is, whether it was found by its text at another URL
    of the source rather than by URL, CMS id or content hash)."""
    source = item["source"]
    item_urls = [item["url"], item.get("canonical_url"), *(item.get("alternate_urls") or [])]
    by_url = archive.item_id_for_urls(item_urls)
    if by_url and is_other_occurrence(item, archive.event_identity(by_url)):
        by_url = occurrence_id(item) if archive.item_text(occurrence_id(item)) else None
    item_id = (
        by_url
        or archive.item_id_for_cms_id(source, item.get("cms_id"), item.get("language"))
        or archive.item_id_for_content(source, item.get("content_hash"))
    )
    if item_id is not None:
        return item_id, bool(by_url) and _variant_at_alias(item, item_id, archive)
    variant = archive.same_item_elsewhere(item)
    return (variant[0], True) if variant else (None, False)


def _variant_at_alias(item: dict, item_id: str, archive: Archive) -> bool:
    """Whether a copy found by URL is a copy at one of the item's aliases (a same-site copy
    that an earlier crawl found by its text, a slug it used to have): the text at the URL
    the item cites is its text, and a copy at an alias never replaces it, or crawling both
    URLs would make the item flip between two texts night after night. A teaser and its
    article are left to `merge_copies`; an event's URLs are its occurrences'."""
    archived = archive.item_text(item_id)
    if archived is None or item.get("kind", "news") == "event":
        return False
    if archived.get("content_hash") == item.get("content_hash"):
        return False
    mine = item.get("canonical_url") or item["url"]
    if mine in (archived["url"], archived["canonical_url"]):
        return False
    if not item.get("body") or not archived.get("body"):
        return False
    return not (is_teaser_of(item, archived) or is_teaser_of(archived, item))


def assign_item_id(item: dict, archive: Archive) -> dict:
    """Set ``item["id"]``: the archived item it duplicates, or a new stable id.

    When it duplicates an archived item, the archived citation URL is kept unless this
    copy's is better (a raw node path is worse than an alias, a teaser's URL worse than
    its article's), and this copy's other URLs become aliases. Text fields are merged
    with `merge_copies`. A copy found by its text at another URL of the source (a slug
    change, an old host) keeps the archived text unless its URL is the better one, so
    that crawling both URLs never makes the item flip between the two texts.
    An occurrence of a recurring event sharing its URL with another gets its own id.
    """
    item_id, variant = _find_archived(item, archive)
    archived_is_teaser = False
    if item_id is None:
        twin = _teaser_twin(item, archive)
        if twin is None:
            url_id = new_item_id(item.get("canonical_url") or item["url"])
            taken = item.get("kind") == "event" and is_other_occurrence(
                item, archive.event_identity(url_id)
            )
            item["id"] = occurrence_id(item) if taken else url_id
            return item
        item_id, archived_is_teaser = twin
    item["id"] = item_id
    archived = archive.item_text(item_id)
    if archived is None:
        return item
    stored_url, stored_canonical = archived["url"], archived["canonical_url"]
    mine = item.get("canonical_url") or item["url"]
    better = url_preference(mine) < url_preference(stored_canonical or stored_url)
    if variant and not better:
        for name in (*TEXT_KEPT, "content_hash"):
            if archived.get(name) is not None:
                item[name] = archived[name]
    else:
        merge_copies(item, archived)
    if archived_is_teaser or better:
        alternates = list(item.get("alternate_urls") or [])
        for url in (stored_url, stored_canonical):
            if url and url not in alternates and url not in (item["url"], mine):
                alternates.append(url)
        item["alternate_urls"] = alternates
        return item
    alternates = list(item.get("alternate_urls") or [])
    for url in (item["url"], item.get("canonical_url")):
        if url and url not in alternates and url not in (stored_url, stored_canonical):
            alternates.append(url)
    item.update(alternate_urls=alternates, url=stored_url, canonical_url=stored_canonical)
    return item


# The archived fields a same-site copy found by its text does not replace.
TEXT_KEPT = ("title", "title_sort", "summary", "body", "published", "published_from", "modified")


class DedupePipeline(CrawlerPipeline):
    def process_item(self, item):
        adapter = ItemAdapter(item)
        linked = assign_item_id(item_dict(item), self.state.archive)
        for key, value in linked.items():
            if key in adapter.field_names():
                adapter[key] = value
        return item
