"""`partnews sources`: the partner sources of the registry and how their last run went."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import sqlite_utils

EXAMPLE = """examples:
  partnews sources
  partnews sources --archive data/demo/partnews.db
  partnews sources --json
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="list the sources and their last run",
        description="List every source of crawler/sources.toml (id, side, CMS, relevance "
        "policy) with its last crawl run in the archive: when, how it finished, items seen "
        "and new, rejects, and the health `partnews nightly` found (healthy, degraded, "
        "broken, with the reasons).",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--archive", default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"))
    parser.add_argument("--json", action="store_true", help="one JSON object per source")
    parser.set_defaults(func=run)


def last_runs(archive: str | Path) -> dict[str, dict]:
    """The newest crawl_runs row of each source (empty when there is no archive yet)."""
    if not Path(archive).exists():
        return {}
    db = sqlite_utils.Database(archive)
    if not db["crawl_runs"].exists():
        return {}
    rows = db.query(
        "select * from crawl_runs where id in (select max(id) from crawl_runs group by source)"
    )
    return {row["source"]: row for row in rows}


def run_status(run: dict | None) -> str:
    """The last run's verdict: the nightly's health when it judged the run, else what
    the counts say."""
    if run is None:
        return "never crawled"
    if run.get("health"):
        reasons = json.loads(run.get("health_reasons") or "[]")
        return run["health"] + (f": {'; '.join(reasons)}" if reasons else "")
    if run["finish_reason"] != "finished":
        return f"failed ({run['finish_reason'] or 'did not finish'})"
    if not run["items_seen"]:
        return "no items"
    return "ok"


def run(args) -> int:
    from crawler.sources import load_sources
    from partnews.commands.crawl import crawlable_sources

    runs = last_runs(args.archive)
    with_spider = set(crawlable_sources())
    rows = []
    for source in load_sources().values():
        last = runs.get(source.id)
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "side": source.side,
                "cms": source.cms,
                "relevance": source.relevance,
                "spider": source.id in with_spider,
                "status": run_status(last) if source.id in with_spider else "no spider yet",
                "last_run": last["finished"] if last else None,
                "items_seen": last["items_seen"] if last else None,
                "items_new": last["items_new"] if last else None,
                "items_rejected": last["items_rejected"] if last else None,
                "health": last.get("health") if last else None,
            }
        )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    print(
        f"{'source':<20} {'side':<10} {'cms':<9} {'policy':<9} {'last run':<26} {'seen':>5} "
        f"{'new':>5}  status"
    )
    for row in rows:
        seen, new = ("-" if row[k] is None else row[k] for k in ("items_seen", "items_new"))
        print(
            f"{row['id']:<20} {row['side']:<10} {row['cms']:<9} {row['relevance']:<9} "
            f"{row['last_run'] or '-':<26} {seen:>5} {new:>5}  {row['status']}"
        )
    return 0
