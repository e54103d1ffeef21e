"""The archive's side of a reprocess: what changed in an item's reading, and its relations
recomputed when it did.

`partnews reprocess` (crawler/reprocess.py) hands `Archive.reprocess_item` each item
today's readers made of a captured response. Whether the reading changed is decided on
every column the readers and pipelines fill (not only the versioned text and dates: a
language, a category, a translation link read better is a better reading too), on the
event's details and on the URLs. Relations that a changed reading may have made wrong
are taken apart and rebuilt from the new reading: the item's translation links (and
those of the items they pointed at), and the story it belonged to (every former member
is checked again, so a story that hung on the old text splits as a fresh crawl would
have built it). URLs are never removed: an archive keeps every URL an item was seen at.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from archive import relations

# The items-table columns that are bookkeeping, not reading.
BOOKKEEPING = frozenset({"id", "first_seen", "last_seen", "last_run_id", "version"})


def reading_differences(
    old_row: dict[str, Any],
    new_row: dict[str, Any],
    old_event: dict[str, Any] | None,
    new_event: dict[str, Any] | None,
    new_urls: list[str],
) -> dict[str, tuple[Any, Any]]:
    """field -> (archived, re-read) for every field whose reading differs.

    Columns derived from others (year, month, relevance_band, sector) are left out: their
    source field names the change. ``urls`` lists URLs the archive did not know the item at.
    """
    derived = {"year", "month", "relevance_band", "sector"}
    changes = {
        name: (old_row.get(name), value)
        for name, value in new_row.items()
        if name not in BOOKKEEPING and name not in derived and old_row.get(name) != value
    }
    if new_event is not None:
        before = old_event or {}
        for name, value in new_event.items():
            if before.get(name) != value:
                changes[name] = (before.get(name), value)
    if new_urls:
        changes["urls"] = (None, new_urls)
    return changes


def unknown_urls(db: sqlite_utils.Database, item_id: str, item: dict[str, Any]) -> list[str]:
    """The item's URLs (fetched, canonical, aliases) that the archive has not got for it."""
    urls = [item.get("url"), item.get("canonical_url"), *(item.get("alternate_urls") or [])]
    urls = [u for u in dict.fromkeys(urls) if u]
    if not urls:
        return []
    marks = ",".join("?" * len(urls))
    known = {
        row[0]
        for row in db.execute(
            f"select url from item_urls where item_id = ? and url in ({marks})", [item_id, *urls]
        )
    }
    return [u for u in urls if u not in known]


def _stored_item(db: sqlite_utils.Database, item_id: str) -> dict[str, Any] | None:
    """An archived item as relations need it (source, kind, language, cms_id, body,
    summary, translations)."""
    row = db.execute(
        "select id, source, kind, language, cms_id, body, summary, translations "
        "from items where id = ?",
        [item_id],
    ).fetchone()
    if row is None:
        return None
    names = ("id", "source", "kind", "language", "cms_id", "body", "summary", "translations")
    item = dict(zip(names, row, strict=True))
    item["translations"] = json.loads(item["translations"]) if item["translations"] else {}
    return item


def relink_translations(db: sqlite_utils.Database, item_id: str, item: dict, now: str) -> None:
    """Drop every translation link to or from the item, then link it again from its new
    reading, and the items that were linked to it from their own archived readings."""
    others = [
        row[0]
        for row in db.execute(
            "select item_id from item_translations where translation_id = ? and item_id != ? "
            "union select translation_id from item_translations where item_id = ? "
            "and translation_id is not null",
            [item_id, item_id, item_id],
        )
    ]
    db.execute(
        "delete from item_translations where item_id = ? or translation_id = ?", [item_id, item_id]
    )
    relations.link_translations(db, item_id, item, now)
    for other in dict.fromkeys(others):
        stored = _stored_item(db, other)
        if stored is not None:
            relations.link_translations(db, other, stored, now)
    # Translations without hreflang, from the new reading's evidence (as a crawl links them).
    relations.link_translations_by_evidence(db, item_id, item, now)
    relations.link_series(db, item_id, item, now)


def rebuild_story(db: sqlite_utils.Database, index, item_id: str, item: dict, now: str) -> None:
    """Take the item's story apart and let each member (the item first, with its new text)
    find its reposts again, as a fresh crawl would have."""
    row = db.execute("select story_id from story_members where item_id = ?", [item_id]).fetchone()
    members = []
    if row is not None:
        members = [
            r[0]
            for r in db.execute(
                "select item_id from story_members where story_id = ? order by item_id", [row[0]]
            )
            if r[0] != item_id
        ]
        db.execute("delete from story_members where story_id = ?", [row[0]])
    relations.record_lead(db, item_id, item["source"], item.get("body") or item.get("summary"))
    matches = relations.check_reposts(
        db, index, item_id, item["source"], item["kind"], item.get("body")
    )
    relations.join_story(db, item_id, matches, now)
    for member in members:
        stored = _stored_item(db, member)
        if stored is None:
            continue
        found = relations.check_reposts(
            db, index, member, stored["source"], stored["kind"], stored.get("body")
        )
        relations.join_story(db, member, found, now)
