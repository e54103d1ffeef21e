"""`partnews crawl`: run the spiders of some or all sources into the archive."""

from __future__ import annotations

import argparse
import os
import sys

from archive.store import Archive

EXAMPLE = """examples:
  partnews crawl                                   # every source, from the real sites
  partnews crawl sdfacc --mirror http://127.0.0.1:8001   # one source, from the local mirror
  partnews crawl --archive /tmp/test.db provence_promotion
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl sources into the archive",
        description=(
            "Crawl the partner sites (all sources, or the ones named) into the SQLite archive. "
            "Items are validated, normalised and deduplicated on the way; rejected items "
            "are recorded in the archive's rejects table with the reason. Prints one line "
            "per source when done, and exits 1 when a source yielded nothing or failed."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids (default: all)")
    parser.add_argument(
        "--mirror",
        default=os.environ.get("PARTNEWS_MIRROR"),
        help="base URL of a `partnews mirror` to crawl instead of the real sites "
        "(default: $PARTNEWS_MIRROR, else the real sites)",
    )
    parser.add_argument(
        "--archive",
        default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"),
        help="archive file to write (default: data/partnews.db)",
    )
    parser.add_argument(
        "--warc-dir",
        metavar="DIR",
        default=None,
        help="folder of the WARC files every response is captured in (default: "
        '$PARTNEWS_WARC_DIR, else a warc folder beside the archive; "" turns capture off)',
    )
    parser.add_argument("--verbose", action="store_true", help="show Scrapy's log")
    parser.set_defaults(func=run)


def crawl_settings(
    archive: str, *, mirror: str | None = None, log_level: str = "WARNING", warc_dir=None
):
    """The project's Scrapy settings for one crawl (`partnews crawl` and `partnews nightly`):
    the archive, the log level, the WARC folder ("" turns capture off), the mirror."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("PARTNEWS_ARCHIVE", str(archive))
    settings.set("LOG_LEVEL", log_level)
    if warc_dir is not None:
        settings.set("PARTNEWS_WARC_DIR", warc_dir)
    if mirror:
        settings.set("PARTNEWS_MIRROR", mirror.rstrip("/"))
        # The mirror is this machine: no need to spare it.
        settings.set("DOWNLOAD_DELAY", 0)
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
    return settings


def crawl(
    sources: list[str],
    *,
    archive: str,
    mirror: str | None = None,
    log_level: str = "WARNING",
    warc_dir: str | None = None,
) -> list[dict]:
    """Crawl the given sources in one Scrapy process; return their crawl_runs rows."""
    from scrapy.crawler import CrawlerProcess

    from crawler.process import run_crawls

    settings = crawl_settings(archive, mirror=mirror, log_level=log_level, warc_dir=warc_dir)
    settings.set("PARTNEWS_PROGRESS", True)
    before = _last_run_id(archive)
    process = CrawlerProcess(settings)
    for source in sources:
        process.crawl(source)
    run_crawls(process)
    db = Archive(archive).db
    rows = list(db.query("select * from crawl_runs where id > ? order by id", [before]))
    db.close()
    return rows


def _last_run_id(path: str) -> int:
    archive = Archive(path)
    row = archive.db.execute("select max(id) from crawl_runs").fetchone()
    archive.close()
    return row[0] or 0


def summarize(rows: list[dict]) -> tuple[str, list[str]]:
    """A human summary, and the sources that look broken."""
    from crawler.health import selector_line, selectors

    lines = [
        f"{'source':<22}{'requests':>9}{'items':>7}{'new':>6}{'upd':>6}{'same':>6}"
        f"{'rejected':>9}{'off-topic':>10}{'no date':>8}  finish"
    ]
    broken = []
    for r in rows:
        lines.append(
            f"{r['source']:<22}{r['requests'] or 0:>9}{r['items_seen'] or 0:>7}"
            f"{r['items_new'] or 0:>6}{r['items_updated'] or 0:>6}{r['items_unchanged'] or 0:>6}"
            f"{r['items_rejected'] or 0:>9}{r['items_not_relevant'] or 0:>10}"
            f"{r['items_without_date'] or 0:>8}  {r['finish_reason']}"
        )
        # Each selector hint of the source's reader, with how often it matched.
        lines += [f"{'':<4}{selector_line(css, count)}" for css, count in selectors(r).items()]
        if r["finish_reason"] != "finished" or not r["items_seen"]:
            broken.append(r["source"])
    return "\n".join(lines), broken


def crawlable_sources() -> list[str]:
    """Sources of the registry that have a spider, in registry order."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from crawler.sources import load_sources

    spiders = set(get_spider_loader(get_project_settings()).list())
    return [source for source in load_sources() if source in spiders]


def run(args) -> int:
    known = crawlable_sources()
    unknown = [s for s in args.sources if s not in known]
    if unknown:
        print(
            f"Unknown source(s): {', '.join(unknown)}. Known: {', '.join(known)}.",
            file=sys.stderr,
        )
        return 2
    sources = args.sources or list(known)
    where = f"the mirror at {args.mirror}" if args.mirror else "the real sites"
    print(f"Crawling {', '.join(sources)} from {where} into {args.archive}…", file=sys.stderr)
    rows = crawl(
        sources,
        archive=args.archive,
        mirror=args.mirror,
        log_level="INFO" if args.verbose else "WARNING",
        warc_dir=args.warc_dir,
    )
    table, broken = summarize(rows)
    print(table)
    if broken:
        print(
            f"\nNo items or an abnormal finish from: {', '.join(broken)}. "
            "Re-run with --verbose to see Scrapy's log, and check the archive's rejects table.",
            file=sys.stderr,
        )
        return 1
    return 0
