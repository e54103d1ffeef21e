"""`partnews demo`: the whole path on this machine: mirror → crawl → archive → Datasette."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path

from mirror import SITES_DIR

EXAMPLE = """examples:
  partnews demo                  # then open http://127.0.0.1:8001/
  partnews demo --port 8080 --no-serve
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled mirror into a fresh archive and serve it",
        description=(
            "Start the local mirror of the partner sites (tests/sites), crawl every source "
            "from it through Scrapy's real download stack into a fresh archive "
            "(data/demo/partnews.db), then serve that archive with Datasette."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--archive", default="data/demo/partnews.db")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="Datasette's port")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the mirror's 'today' (YYYY-MM-DD) for upcoming vs past events",
    )
    parser.add_argument("--no-serve", action="store_true", help="build the archive and stop")
    parser.set_defaults(func=run)


def run(args) -> int:
    from archive.store import Archive
    from mirror.server import MirrorServer
    from mirror.site import MirrorConfig
    from partnews.commands.crawl import crawl, crawlable_sources, summarize
    from partnews.commands.search_index import report_search_index
    from partnews.commands.serve import serve

    archive = Path(args.archive)
    for leftover in archive.parent.glob(archive.name + "*"):
        if leftover.is_dir():  # the search index of an earlier demo
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    config = MirrorConfig(sites_dir=SITES_DIR)
    if args.today:
        config.today = args.today
    with MirrorServer(config) as mirror:
        print(f"Mirror of the partner sites running at {mirror.url}", file=sys.stderr)
        rows = crawl(crawlable_sources(), archive=str(archive), mirror=mirror.url)
    table, broken = summarize(rows)
    print(table)
    store = Archive(archive)
    search_index = store.rebuild_search_index()
    store.close()
    report_search_index(search_index)
    if broken:
        print(f"Demo crawl found nothing for: {', '.join(broken)}", file=sys.stderr)
        return 1
    if args.no_serve:
        print(f"Archive written to {archive}", file=sys.stderr)
        return 0
    return serve(archive, args.host, args.port)
