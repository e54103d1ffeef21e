"""`partnews search-index`: build or check the search index beside an archive.

The index (archive/search_index.py) makes ranked search fast on a large archive. The
nightly and `partnews reprocess` rebuild it when they change the archive; this command
is for an archive changed some other way, for a first build, and to see whether the
index is in step (the search page uses it only then, and FTS5 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HELP = "build or check the search index that keeps ranked search fast at any size"
EXAMPLES = """\
examples:
  partnews search-index status                     # is the index in step with the archive?
  partnews search-index build                      # (re)build it, with progress
  partnews search-index build --archive other.db

exit status: 0 done (status: the index is in step); 1 the index is missing or stale
(status) or the build failed; 3 a nightly or reprocess holds the archive's lock (build).
"""
EXIT_STALE, EXIT_LOCKED = 1, 3


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the search-index sub-command to the partnews parser."""
    parser = subparsers.add_parser(
        "search-index",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("build", "status"))
    parser.add_argument(
        "--archive",
        default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"),
        help="archive file (default: $PARTNEWS_ARCHIVE, else data/partnews.db)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sqlite3

    from archive import search_index

    archive = Path(args.archive)
    if not archive.exists():
        print(
            f"No archive at {archive}: crawl first (make demo) or pass --archive.", file=sys.stderr
        )
        return EXIT_STALE
    if args.action == "status":
        conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
        try:
            handle = search_index.in_step(archive, conn, {})
            folder = search_index.current_folder(archive)
        finally:
            conn.close()
        state = "in step" if handle else ("stale" if folder else "missing")
        print(
            json.dumps(
                {"archive": str(archive), "index": str(folder) if folder else None, "state": state}
            )
        )
        if handle is None:
            print("The search page uses FTS5: run `partnews search-index build`.", file=sys.stderr)
        return 0 if handle else EXIT_STALE
    from archive.lock import LockHeld, acquire
    from archive.store import Archive

    try:
        lock = acquire(archive, "search-index build")
    except LockHeld as held:
        print(f"Not building: {held}", file=sys.stderr)
        return EXIT_LOCKED
    try:
        store = Archive(archive)
        try:
            outcome = store.rebuild_search_index(progress=search_index.main_progress)
        finally:
            store.close()
    finally:
        lock.release()
    print(file=sys.stderr)
    report_search_index(outcome)
    if outcome["state"] == "current":
        print("The search index is already in step with the archive.", file=sys.stderr)
    return EXIT_STALE if outcome["state"] == "failed" else 0


def report_search_index(outcome: dict) -> None:
    """Say what happened to the search index; a failed build is loud, because the
    search page then falls back to the slower FTS5 ranking."""
    if outcome["state"] == "built":
        print(f"Search index rebuilt in {outcome['seconds']} s.", file=sys.stderr)
    elif outcome["state"] == "failed":
        print(
            f"WARNING: the search index was not rebuilt ({outcome['error']}); the search "
            "page uses SQLite full-text search until `partnews search-index build` succeeds.",
            file=sys.stderr,
        )
