"""Where each crawled response sits in the WARC files, and which capture an item is cited by.

The crawl writes every response it receives to a WARC file (crawler/warc.py) and one
``captures`` row per record here: file, offset, length, record id, status and capture
time. An item's capture is what a researcher cites ("this page as it was on that night")
and what a replay tool opens: the record of the item's own page when the crawl fetched
it, else the record of the response the item was read from (a REST API page or a feed),
which ``item_captures`` remembers because its URL is not the item's.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from archive import statements

# Which capture an item was read from in a run (one per item and run: the last one).
ITEM_CAPTURE_COLUMNS = {"item_id": str, "run_id": int, "capture_id": int}

_OWN_PAGE = """
    select captures.*, 1 as own_page
    from captures join item_urls on item_urls.url = captures.url
    where item_urls.item_id = :item_id"""
_READ_FROM = """
    union all
    select captures.*, 0 as own_page
    from captures join item_captures on item_captures.capture_id = captures.id
    where item_captures.item_id = :item_id"""
_CHOOSE = """
select candidates.id, candidates.run_id, candidates.url, candidates.status,
       candidates.captured_at, candidates.warc_file, candidates.warc_offset,
       candidates.warc_length, candidates.record_id,
       coalesce(original.captured_at, candidates.captured_at) as content_captured_at,
       coalesce(original.record_id, candidates.record_id) as content_record_id
from candidates join item
left join captures as original on candidates.status = 304 and original.id = (
    select id from captures as o
    where o.url = candidates.url and o.status between 200 and 299 and o.id < candidates.id
    order by o.captured_at desc, o.id desc limit 1
)
where candidates.run_id <= coalesce(item.last_run_id, candidates.run_id)
order by candidates.run_id desc,
         candidates.own_page desc,
         case when candidates.status between 200 and 299 then 0
              when candidates.status = 304 then 1 else 2 end,
         candidates.id desc
limit 1"""
_ITEM = "with item as (select id, last_run_id from items where id = :item_id),\ncandidates as ("

# The capture of one item (:item_id): in the run that last saw it, or else the latest
# earlier one; its own page before the feed or API response it was read from; a full
# response before a revisit (304) before anything else (a redirect). For a revisit,
# content_* name the earlier full capture it repeats: what replay tools should open
# (pywb replays a 304 revisit as the empty 304 it was). Also the proposed canned query
# `item_capture`.
ITEM_CAPTURE_SQL = _ITEM + _OWN_PAGE + _READ_FROM + "\n)" + _CHOOSE
# The same for an archive that has no item_captures table yet (no WARC crawl so far).
ITEM_CAPTURE_BY_URL_SQL = _ITEM + _OWN_PAGE + "\n)" + _CHOOSE


def ensure_capture_tables(db: sqlite_utils.Database) -> None:
    """``item_captures``, next to the ``captures`` table archive/schema.py creates.

    Created here, idempotently, so that an archive gains it on its first WARC crawl.
    """
    db["item_captures"].create(ITEM_CAPTURE_COLUMNS, pk=("item_id", "run_id"), if_not_exists=True)
    db["item_captures"].create_index(["capture_id"], if_not_exists=True)


def record_capture(db: sqlite_utils.Database, capture: dict[str, Any]) -> int:
    """Insert one ``captures`` row (run_id, url, status, captured_at, warc_file,
    warc_offset, warc_length, record_id) and return its id, committed at once so that a
    crawl killed later keeps every capture it wrote to disk."""
    with db.atomic():
        return statements.insert(db, "captures", capture)


def set_run_warc_file(db: sqlite_utils.Database, run_id: int, warc_file: str) -> None:
    """Name the run's WARC file in ``crawl_runs`` as soon as it exists (not at the end:
    a run that dies still points at its file)."""
    with db.atomic():
        db["crawl_runs"].update(run_id, {"warc_file": warc_file})


def earlier_capture(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The newest full (2xx) capture of `url`: what a 304 for that URL says is unchanged."""
    rows = list(
        db.query(
            "select * from captures where url = ? and status between 200 and 299 "
            "order by captured_at desc, id desc limit 1",
            [url],
        )
    )
    return rows[0] if rows else None


def capture_in_run(db: sqlite_utils.Database, run_id: int, url: str) -> dict[str, Any] | None:
    """The last capture of `url` in one run (a retried URL has several)."""
    rows = list(
        db.query(
            "select * from captures where run_id = ? and url = ? order by id desc limit 1",
            [run_id, url],
        )
    )
    return rows[0] if rows else None


def link_item(db: sqlite_utils.Database, item_id: str, run_id: int, capture_id: int) -> None:
    """Remember that the item was read from this capture in this run."""
    with db.atomic():
        statements.upsert(
            db,
            "item_captures",
            {"item_id": item_id, "run_id": run_id, "capture_id": capture_id},
            ("item_id", "run_id"),
        )


def item_capture(db: sqlite_utils.Database, item_id: str) -> dict[str, Any] | None:
    """The capture an item is cited by (see `ITEM_CAPTURE_SQL`), or None when the archive
    holds no capture of it (an item archived before WARC capture was turned on)."""
    sql = ITEM_CAPTURE_SQL if db["item_captures"].exists() else ITEM_CAPTURE_BY_URL_SQL
    rows = list(db.query(sql, {"item_id": item_id}))
    return rows[0] if rows else None
