"""The open news crawl's tables: each WARC file's progress, and the site of each press find.

`partnews newscrawl` (crawler/newscrawl/) reads CC-NEWS WARC files on a Dask cluster.
``newscrawl_files`` has one row per file once it has been read to its end (or could not
be opened): a killed job resumes by skipping the files marked ``done``, and the row
says what the file held (records, HTML pages, prefilter survivors, relevant pages,
problems). ``newscrawl_items`` has one row per relevant record: the item it became,
the site's host, and where it sits (file and offset), so a press item can be cited
and replayed. Its capture is also a ``captures`` row (archive/captures.py) whose
``warc_file`` is the CC-NEWS file's URL or path. Only `archive.store.Archive` calls the
writers here.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from archive import statements

FILE_COLUMNS = {
    "warc_file": str,
    "status": str,  # done, or failed (could not be opened: tried again next run)
    "run_id": int,
    "records": int,
    "pages": int,
    "passed": int,
    "relevant": int,
    "items_new": int,
    "problems": int,
    "seconds": float,
    "finished": str,
}
HIT_COLUMNS = {
    "warc_file": str,
    "warc_offset": int,
    "item_id": str,
    "host": str,
    "url": str,
    "capture_id": int,
    "run_id": int,
}


def ensure_newscrawl_tables(db: sqlite_utils.Database) -> None:
    """Both tables and their indexes, idempotently (an archive gains them on its first
    news crawl)."""
    db["newscrawl_files"].create(FILE_COLUMNS, pk="warc_file", if_not_exists=True)
    db["newscrawl_items"].create(HIT_COLUMNS, pk=("warc_file", "warc_offset"), if_not_exists=True)
    db["newscrawl_items"].create_index(["item_id"], if_not_exists=True)
    db["newscrawl_items"].create_index(["host"], if_not_exists=True)


def done_files(db: sqlite_utils.Database) -> set[str]:
    """The files read to their end by an earlier run: never read again."""
    if not db["newscrawl_files"].exists():
        return set()
    rows = db.execute("select warc_file from newscrawl_files where status = 'done'")
    return {row[0] for row in rows}


def item_source(db: sqlite_utils.Database, item_id: str) -> str | None:
    row = db.execute("select source from items where id = ?", [item_id]).fetchone()
    return row[0] if row else None


def capture_at(db: sqlite_utils.Database, warc_file: str, warc_offset: int) -> int | None:
    """The captures row of a record already recorded (a file read again)."""
    row = db.execute(
        "select id from captures where warc_file = ? and warc_offset = ? limit 1",
        [warc_file, warc_offset],
    ).fetchone()
    return row[0] if row else None


def record_hit(db: sqlite_utils.Database, hit: dict[str, Any]) -> None:
    with db.atomic():
        statements.upsert(db, "newscrawl_items", hit, ("warc_file", "warc_offset"))


def record_file(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    with db.atomic():
        statements.upsert(db, "newscrawl_files", row, ("warc_file",))
