"""`partnews export`: full dumps of the archive as JSON Lines or CSV, with filters.

Datasette streams every row as CSV but not as JSON; this command does both, with the
event details joined to their items, for journalists who want the whole archive. In CSV,
a cell a spreadsheet would run as a formula gets a leading "'" (archive/safe_csv.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from archive.safe_csv import neutralise_cell
from archive.schema import EVENT_COLUMNS, ITEM_COLUMNS

EXAMPLE = """examples:
  partnews export --format jsonl > items.jsonl
  partnews export --format csv --source sdfacc --kind event --output events.csv
  partnews export --format jsonl --since 2019-01-01 --until 2019-12-31 --query "San Diego"
"""

EXPORT_COLUMNS = [c for c in ITEM_COLUMNS if c not in ("title_sort", "last_run_id")] + [
    c for c in EVENT_COLUMNS if c != "item_id"
]
_JSON_COLUMNS = ("authors", "categories", "tags", "translations")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="dump the archive as JSON Lines or CSV",
        description="Write every item (events with their details) as JSON Lines or CSV, "
        "optionally filtered by source, kind, publication dates or a full-text query.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--archive", default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"))
    parser.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--kind", choices=("news", "event"))
    parser.add_argument("--since", help="published on or after YYYY-MM-DD")
    parser.add_argument("--until", help="published on or before YYYY-MM-DD")
    parser.add_argument("--query", help="full-text query (accents optional)")
    parser.set_defaults(func=run)


def export_rows(
    db: sqlite_utils.Database,
    *,
    sources: list[str] | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    query: str | None = None,
) -> Iterator[dict]:
    """Items with their event details, newest first, filtered as asked."""
    from archive.datasette_plugin import fts_query

    where, params = [], []
    if sources:
        where.append(f"items.source in ({','.join('?' * len(sources))})")
        params += sources
    if kind:
        where.append("items.kind = ?")
        params.append(kind)
    if since:
        where.append("items.published >= ?")
        params.append(since)
    if until:
        where.append("items.published < date(?, '+1 day')")
        params.append(until)
    if query:
        where.append("items.rowid in (select rowid from items_fts where items_fts match ?)")
        params.append(fts_query(query))
    columns = ", ".join(
        f"items.{c}" if c in ITEM_COLUMNS else f'events."{c}"' for c in EXPORT_COLUMNS
    )
    sql = (
        f"select {columns} from items left join events on events.item_id = items.id"
        + (" where " + " and ".join(where) if where else "")
        + " order by items.published desc, items.id"
    )
    for row in db.query(sql, params):
        for name in _JSON_COLUMNS:
            if row.get(name):
                row[name] = json.loads(row[name])
        yield row


def run(args) -> int:
    if not Path(args.archive).exists():
        print(f"No archive at {args.archive}. Run `partnews crawl` first.", file=sys.stderr)
        return 1
    db = sqlite_utils.Database(args.archive)
    rows = export_rows(
        db,
        sources=args.source,
        kind=args.kind,
        since=args.since,
        until=args.until,
        query=args.query,
    )
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="", encoding="utf-8")
    count = 0
    try:
        if args.format == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        else:
            writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        k: neutralise_cell(
                            json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                        )
                        for k, v in row.items()
                    }
                )
                count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"Exported {count} items.", file=sys.stderr)
    return 0
