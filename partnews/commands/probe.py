"""`partnews probe URL…`: what a site offers the crawler, and a ready registry block."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXAMPLE = """examples:
  partnews probe https://www.nice.fr/
  partnews probe --json https://www.portofsandiego.org/news > port.json
  partnews probe --mirror http://127.0.0.1:8001 https://www.france-sandiego.org/
  partnews probe --save tests/sites https://www.marseille.fr/

--save DIR stores every response fetched, with its headers, as DIR/<host>/recorded/:
the local mirror then serves those real answers in place of the invented pages
(docs/adding-a-source.md, "Refreshing a mirror site from the real one").
"""


def register(subparsers) -> None:
    from partnews.probe import DEFAULT_BUDGET, DEFAULT_DELAY, DEFAULT_TIMEOUT

    parser = subparsers.add_parser(
        "probe",
        help="find a site's CMS, API, feeds, sitemaps, listings; print a sources.toml block",
        description=(
            "Look at a site the way the base spiders would: robots.txt, the WordPress and "
            "The Events Calendar REST APIs and iCal export, Drupal's signs and JSON:API, "
            "feeds, sitemaps and their dates, listing pages and their pagers, languages; "
            "then read up to three article pages and show where each date, title and body "
            "comes from. Prints which rungs of the ladder work and a ready "
            "crawler/sources.toml block. Polite: robots.txt obeyed, the project's user "
            f"agent, at most --budget requests (default {DEFAULT_BUDGET}) with --delay "
            "seconds between them (or the site's Crawl-delay, when longer)."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="a homepage or any page")
    parser.add_argument(
        "--json", action="store_true", help="print JSON (one object per URL, in a list)"
    )
    parser.add_argument("--id", help="the source id of the printed block (default: from the host)")
    parser.add_argument(
        "--mirror",
        metavar="URL",
        help="send every request to this local mirror, real Host header kept",
    )
    parser.add_argument(
        "--save", metavar="DIR", type=Path, help="store each response under DIR/<host>/recorded/"
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=DEFAULT_BUDGET,
        help=f"requests per site (default {DEFAULT_BUDGET})",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=DEFAULT_DELAY,
        help=f"seconds between requests (default {DEFAULT_DELAY})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per request (default {DEFAULT_TIMEOUT})",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from crawler.settings import USER_AGENT
    from partnews.probe import Fetcher, format_report, probe

    reports = []
    for url in args.urls:
        fetcher = Fetcher(
            USER_AGENT,
            budget=args.budget,
            delay=args.delay,
            timeout=args.timeout,
            mirror=args.mirror,
            save_dir=args.save,
        )
        report = probe(url, fetcher)
        reports.append(report)
        if not args.json:
            print(format_report(report, args.id if len(args.urls) == 1 else None))
            print()
    if args.json:
        json.dump([r.to_json() for r in reports], sys.stdout, ensure_ascii=False, indent=1)
        print()
    # 1 when a site gave nothing at all to crawl: no rung works
    return 0 if all(r.ladder for r in reports) else 1
