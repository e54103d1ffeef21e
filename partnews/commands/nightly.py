"""`partnews nightly`: the one command for cron; cheap, polite, resumable, loud on failure.

One night: take the archive's lock, back the archive up, crawl every enabled source
(incrementally when it has been crawled before, see crawler/incremental.py), judge each
source's run with the health rules (crawler/health.py), optimise the full-text index,
refresh Datasette's inspect file, print a summary, write a JSON report, and exit 0
only when every source is healthy. A night killed at any moment is resumed by the next
invocation (crawler/night.py). docs/nightly.md explains it all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

EXAMPLE = """examples:
  partnews nightly                                  # every source, incremental
  partnews nightly --full                           # the weekly pass: read everything again
  partnews nightly --source sdfacc --archive /srv/partnews/partnews.db
  partnews nightly --mirror http://127.0.0.1:8002 --report /tmp/night.json

exit status: 0 every source healthy; 1 a source is degraded or broken (named on stderr);
2 bad arguments; 3 another nightly holds the archive's lock.
"""

EXIT_UNHEALTHY, EXIT_USAGE, EXIT_LOCKED = 1, 2, 3


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nightly",
        help="the scheduled crawl: incremental, resumable, with health checks",
        description=(
            "Crawl every source into the archive the way a scheduled job should: one run "
            "at a time (a lock), a backup first, only what changed since the last night "
            "(conditional GET, sitemap dates, WordPress modified_after), health rules per "
            "source, a summary and a JSON report. A night killed at any moment resumes on "
            "the next invocation. Exits non-zero naming the sources that are not healthy."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--full", action="store_true", help="read every page again (weekly)")
    parser.add_argument(
        "--source",
        action="append",
        metavar="ID",
        help="only this source (repeatable; default: every source with a spider)",
    )
    parser.add_argument(
        "--archive",
        default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"),
        help="archive file (default: $PARTNEWS_ARCHIVE, else data/partnews.db)",
    )
    parser.add_argument(
        "--mirror",
        default=os.environ.get("PARTNEWS_MIRROR"),
        help="base URL of a `partnews mirror` to crawl instead of the real sites",
    )
    parser.add_argument(
        "--report",
        help="JSON report file (default: nightly-report.json beside the archive)",
    )
    parser.add_argument(
        "--warc-dir",
        help="folder of the WARC files (default: warc/ beside the archive)",
    )
    parser.add_argument("--verbose", action="store_true", help="show Scrapy's log")
    parser.set_defaults(func=run)


def crawl_settings(args, archive: Path):
    """Scrapy settings for the night: the same as `partnews crawl`'s."""
    from partnews.commands.crawl import crawl_settings as settings_for

    return settings_for(
        archive,
        mirror=args.mirror,
        log_level="INFO" if args.verbose else "WARNING",
        warc_dir=args.warc_dir or None,
    )


def last_finished_starts(archive: Path, sources: list[str]) -> dict[str, str | None]:
    """Each source's last finished run start (crawl_runs.started), None if never."""
    from archive.store import Archive

    db = Archive(archive).db
    rows = dict(
        db.execute(
            "select source, max(started) from crawl_runs where finish_reason = 'finished' "
            "group by source"
        ).fetchall()
    )
    db.close()
    return {s: rows.get(s) for s in sources}


def open_night(archive: Path, sources: list[str], full: bool):
    """The unfinished night this invocation resumes, or a new one; and what was said."""
    from crawler.night import new_night, same_request, unfinished_nights

    notes = []
    for night in unfinished_nights(archive):
        if same_request(night, sources, full):
            notes.append(f"Resuming the night {night.id}, interrupted before it completed.")
            return night, notes
        notes.append(
            f"Dropping the unfinished night {night.id} (other sources or mode); its archived "
            "items stay, and tonight's plan starts from the last finished runs."
        )
        night.finish()
    night = new_night(
        archive, sources, full, last_finished_starts(archive, sources), datetime.now(UTC)
    )
    return night, notes


def sources_to_crawl(db, night) -> list[str]:
    """The night's sources whose run has not finished yet tonight (all, for a new night)."""
    done = {
        row[0]
        for row in db.execute(
            "select source from crawl_runs where night = ? and finish_reason = 'finished'",
            [night.id],
        )
    }
    return [s for s in night.sources if s not in done]


def crawl_night(settings, night, sources: list[str]) -> None:
    """Run the sources' spiders in one Scrapy process, each with its plan."""
    from scrapy.crawler import CrawlerProcess

    from crawler.process import run_crawls
    from crawler.spiders.wordpress import WordPressSpider

    process = CrawlerProcess(settings)
    for source in sources:
        plan = night.plan[source]
        kwargs = {"mode": plan.mode, "night": night.id}
        spidercls = process.spider_loader.load(source)
        if plan.since and issubclass(spidercls, WordPressSpider):
            kwargs["since"] = plan.since
        process.crawl(spidercls, **kwargs)
    run_crawls(process)


def night_runs(db, night_id: str) -> list[dict]:
    """The latest run of each source in this night (resumed sources have two)."""
    return list(
        db.query(
            "select * from crawl_runs where id in (select max(id) from crawl_runs "
            "where night = ? and finish_reason is not 'interrupted' group by source) "
            "order by id",
            [night_id],
        )
    )


def judge_night(archive, runs: list[dict]) -> list[dict]:
    """Apply the health rules to the night's runs; the rows with their verdicts."""
    from crawler.health import judge_and_record

    judged = []
    for run in runs:
        verdict = judge_and_record(archive, run)
        judged.append(dict(run, health=verdict.health, health_reasons=verdict.reasons))
    return judged


def summary(runs: list[dict]) -> str:
    """One line per source: mode, requests (of them 304), items, health."""
    lines = [
        f"{'source':<22}{'mode':<12}{'requests':>9}{'304':>5}{'new':>6}{'upd':>6}"
        f"{'same':>6}{'rej':>5}  health"
    ]
    for r in runs:
        lines.append(
            f"{r['source']:<22}{r['mode'] or '-':<12}{r['requests'] or 0:>9}"
            f"{r['responses_304'] or 0:>5}{r['items_new'] or 0:>6}{r['items_updated'] or 0:>6}"
            f"{r['items_unchanged'] or 0:>6}{r['items_rejected'] or 0:>5}  {r['health']}"
            + (f": {'; '.join(r['health_reasons'])}" if r["health_reasons"] else "")
        )
    return "\n".join(lines)


REPORT_FIELDS = (
    "source",
    "mode",
    "since",
    "started",
    "finished",
    "finish_reason",
    "requests",
    "responses_2xx",
    "responses_3xx",
    "responses_304",
    "responses_4xx",
    "responses_429",
    "responses_5xx",
    "download_errors",
    "items_seen",
    "items_new",
    "items_updated",
    "items_unchanged",
    "items_rejected",
    "items_not_relevant",
    "duration_seconds",
    "health",
    "health_reasons",
)


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    partial.replace(path)


def run(args) -> int:
    from archive.backup import backup_archive
    from archive.lock import LockHeld, acquire
    from archive.publish import ensure_inspect_file
    from archive.store import Archive, utc_now
    from partnews.commands.crawl import crawlable_sources

    known = crawlable_sources()
    unknown = [s for s in args.source or [] if s not in known]
    if unknown:
        print(
            f"Unknown source(s): {', '.join(unknown)}. Known: {', '.join(known)}.", file=sys.stderr
        )
        return EXIT_USAGE
    sources = args.source or known
    archive = Path(args.archive)
    existed = archive.exists()  # a new archive has nothing to back up
    try:
        lock = acquire(archive)
    except LockHeld as held:
        print(f"Not starting: {held}.", file=sys.stderr)
        return EXIT_LOCKED
    try:
        if lock.took_over_from:
            print(
                f"Taking over the lock left by pid {lock.took_over_from.get('pid')} "
                f"(started {lock.took_over_from.get('started')}), which is no longer running.",
                file=sys.stderr,
            )
        night, notes = open_night(archive, sources, args.full)
        for note in notes:
            print(note, file=sys.stderr)
        backup = None
        if existed and not night.resumed:
            backup = backup_archive(archive, archive.resolve().parent / "backups", night.id)
            if backup:
                print(f"Backed up the archive to {backup}.", file=sys.stderr)
        store = Archive(archive)
        store.mark_interrupted(night.id)
        todo = sources_to_crawl(store.db, night)
        store.close()
        where = f"the mirror at {args.mirror}" if args.mirror else "the real sites"
        if todo:
            modes = ", ".join(f"{s} ({night.plan[s].mode})" for s in todo)
            print(f"Night {night.id}: crawling {modes} from {where}…", file=sys.stderr)
            crawl_night(crawl_settings(args, archive), night, todo)
        store = Archive(archive)
        runs = judge_night(store, night_runs(store.db, night.id))
        store.optimize_fts()
        search_index = store.rebuild_search_index()
        store.close()
        from partnews.commands.search_index import report_search_index

        report_search_index(search_index)
        ensure_inspect_file(archive)
        failing = [r["source"] for r in runs if r["health"] != "healthy"]
        failing += [s for s in sources if s not in {r["source"] for r in runs}]
        report = {
            "night": night.id,
            "started": night.started,
            "finished": utc_now(),
            "resumed": night.resumed,
            "full": night.full,
            "archive": str(archive),
            "backup": str(backup) if backup else None,
            "sources": [{k: r.get(k) for k in REPORT_FIELDS} for r in runs],
            "failing": failing,
            "search_index": search_index,
        }
        report_path = Path(args.report) if args.report else archive.with_name("nightly-report.json")
        write_report(report_path, report)
        print(summary(runs))
        print(f"\nReport: {report_path}", file=sys.stderr)
        night.finish()
    finally:
        lock.release()
    if failing:
        print(f"Not healthy: {', '.join(failing)}.", file=sys.stderr)
        return EXIT_UNHEALTHY
    print(f"All {len(runs)} sources healthy.", file=sys.stderr)
    return 0
