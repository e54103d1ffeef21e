"""`partnews newscrawl`: find the partnership's press coverage in CC-NEWS WARC files, on Dask."""

from __future__ import annotations

import argparse
import os
import sys

# Exit status: 0 done; 1 a file failed or the scheduler could not be reached; 2 usage;
# 3 another command (a nightly, a reprocess, another news crawl) holds the archive's lock.
EXIT_LOCKED = 3

EXAMPLE = """examples:
  partnews newscrawl data/cc-news/*.warc.gz
  partnews newscrawl --month 2024-03 --workers 8
  partnews newscrawl --month 2024-03 --scheduler tcp://dask-scheduler:8786
  partnews newscrawl https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/03/CC-NEWS-20240301000000-00001.warc.gz
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "newscrawl",
        help="find the partnership's press coverage in CC-NEWS WARC files (Dask)",
        description=(
            "Read WARC files (local paths, http(s) URLs, or a month of Common Crawl's "
            "CC-NEWS) with one Dask task per file, keep the HTML pages that name both sides "
            "of the partnership (a byte prefilter from crawler/relevance.toml, then the "
            "page readers and the relevance rules), and archive them as source 'press' "
            "through the pipelines, each with its capture (WARC file and offset). Files "
            "already read are skipped, so a killed run resumes. Bad records are filed in "
            "rejects with file and offset. See docs/newscrawl.md."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("warcs", nargs="*", metavar="WARC", help="WARC file paths or URLs")
    parser.add_argument(
        "--month",
        action="append",
        default=[],
        metavar="YYYY-MM",
        help="read every CC-NEWS file of the month (its warc.paths.gz); repeatable",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="Common Crawl's data server for --month (default $PARTNEWS_CC_BASE, else "
        "https://data.commoncrawl.org/)",
    )
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        help="a running Dask scheduler (tcp://HOST:8786); default: a local cluster",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of the local cluster (default: every core)",
    )
    parser.add_argument(
        "--rescan", action="store_true", help="read files again even when already done"
    )
    parser.add_argument(
        "--archive",
        default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"),
        help="archive file to write (default: data/partnews.db)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from archive.lock import LockHeld
    from crawler.newscrawl.job import SchedulerUnreachable, run_newscrawl
    from crawler.newscrawl.listing import CC_BASE, month_files

    locations = list(args.warcs)
    for month in args.month:
        try:
            locations += month_files(month, args.base_url or CC_BASE)
        except ValueError as error:  # not YYYY-MM
            print(error, file=sys.stderr)
            return 2
        except OSError as error:  # the listing could not be fetched: nothing to resume
            print(f"Cannot read the CC-NEWS listing of {month}: {error}", file=sys.stderr)
            return 1
    if not locations:
        print("Nothing to read: give WARC files or --month YYYY-MM.")
        return 2
    try:
        totals = run_newscrawl(
            locations,
            args.archive,
            scheduler=args.scheduler,
            workers=args.workers,
            rescan=args.rescan,
        )
    except SchedulerUnreachable as error:
        print(error, file=sys.stderr)
        return 1
    except LockHeld as held:
        print(f"Not starting: {held}. Run the news crawl when it has finished.", file=sys.stderr)
        return EXIT_LOCKED
    new = totals.outcomes.get("new", 0)
    print(
        f"newscrawl: {totals.files} files read ({totals.skipped} already done, "
        f"{totals.failed} failed), {totals.records} records, {totals.pages} HTML pages, "
        f"{totals.passed} past the prefilter, {totals.text_passed} past the text stage, "
        f"{totals.relevant} relevant: {new} new, "
        f"{totals.outcomes.get('updated', 0)} updated, "
        f"{totals.outcomes.get('unchanged', 0)} unchanged, "
        f"{totals.outcomes.get('known', 0)} already archived by a partner source; "
        f"problems: {', '.join(f'{k} {v}' for k, v in sorted(totals.problems.items())) or 'none'}"
    )
    return 1 if totals.failed else 0
