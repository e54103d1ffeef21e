"""`partnews reprocess`: re-read the archive from its WARC captures with today's readers.

After an upgrade of the readers (better dates, cross-language links, recurring events),
run it once: every source's spider is run again over its captured responses, with no
network (crawler/reprocess.py); items whose reading changed get a new version with
reason ``reprocessed``, the others are not touched. It takes the nightly's lock, shows
progress, and an interrupted run is resumed by the next identical invocation: the
sources it finished are not read again, and the rest is idempotent (a reading already
stored is unchanged). ``--dry-run`` says what would change, per source and field, with
examples, and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXAMPLE = """examples:
  partnews reprocess --dry-run                      # what would change, nothing written
  partnews reprocess                                # every source, one worker per core
  partnews reprocess --source provence_promotion --since 2025-01-01 --workers 2

exit status: 0 done; 1 a source could not be re-read (named on stderr); 2 bad arguments;
3 another nightly or reprocess holds the archive's lock.
"""

EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 1, 2, 3


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reprocess",
        help="re-read the archive from its WARC captures with today's readers",
        description=(
            "Run every source's spider again over the responses captured in the WARC "
            "files (no network), through today's readers and pipelines, and update the "
            "archive: a changed reading is a new version with reason 'reprocessed', an "
            "unchanged one is left alone. Resumable; takes the nightly's lock."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--source",
        action="append",
        metavar="ID",
        help="only this source (repeatable; default: every source with captures)",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="only items read from responses captured on or after DATE (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report what would change, per source and field, with examples; write nothing",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="reading processes (default: one per core)",
    )
    parser.add_argument(
        "--commit-every",
        type=int,
        default=None,
        metavar="N",
        help="items per transaction of the writer (default 200): fewer commits are faster; "
        "a kill loses at most N items' writes, which the resume re-reads",
    )
    parser.add_argument(
        "--archive",
        default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"),
        help="archive file (default: $PARTNEWS_ARCHIVE, else data/partnews.db)",
    )
    parser.add_argument(
        "--warc-dir",
        help="folder of the WARC files (default: $PARTNEWS_WARC_DIR, else warc/ beside the "
        "archive)",
    )
    parser.add_argument("--report", help="also write the outcome as JSON to this file")
    parser.set_defaults(func=run)


def warc_folder(args, archive: Path) -> Path:
    value = args.warc_dir or os.environ.get("PARTNEWS_WARC_DIR")
    return Path(value) if value else archive.parent / "warc"


def print_outcome(outcome: dict, dry_run: bool) -> None:
    """Per source: readings, items changed (or that would change), per field, examples."""
    verb = "would change" if dry_run else "changed"
    for source, counts in outcome["sources"].items():
        print(
            f"{source}: {counts['responses']} captured responses replayed, "
            f"{counts['readings']} readings; {counts['changed']} items {verb}, "
            f"{counts['new']} new, {counts['unchanged']} readings unchanged"
            + (
                f", {counts['skipped_before_since']} captured before --since"
                if counts["skipped_before_since"]
                else ""
            )
        )
        for name, count in sorted(counts["fields"].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {name:<18}{count:>6}")
            for example in counts["examples"].get(name, []):
                print(
                    f"      {example['url']}\n        before: {example['before']!r}\n"
                    f"        after:  {example['after']!r}"
                )
    if outcome["missing_captures"]:
        print(f"{len(outcome['missing_captures'])} responses could not be replayed:")
        for missing in outcome["missing_captures"][:20]:
            print(f"  {missing['url']}: {missing['reason']}")


def run(args) -> int:
    from archive.lock import LockHeld, acquire
    from archive.store import Archive, utc_now
    from crawler.reprocess import (
        COMMIT_EVERY,
        captured_sources,
        clear_state,
        load_state,
        run_reprocess,
        save_state,
    )
    from partnews.commands.crawl import crawlable_sources

    archive = Path(args.archive)
    if not archive.exists():
        print(f"No archive at {archive}.", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1:
        print("--workers must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    if args.commit_every is not None and args.commit_every < 1:
        print("--commit-every must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    if args.since and not (len(args.since) == 10 and args.since[4] == "-"):
        print(f"--since must be a date, YYYY-MM-DD, not {args.since!r}.", file=sys.stderr)
        return EXIT_USAGE
    known = crawlable_sources()
    unknown = [s for s in args.source or [] if s not in known]
    if unknown:
        print(
            f"Unknown source(s): {', '.join(unknown)}. Known: {', '.join(known)}.", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        lock = acquire(archive, "reprocess")
    except LockHeld as held:
        print(f"Not starting: {held}.", file=sys.stderr)
        return EXIT_LOCKED
    try:
        store = Archive(archive)
        captured = captured_sources(store.db)
        store.close()
        sources = [s for s in (args.source or known) if s in captured]
        request = {"sources": sources, "since": args.since}
        done, started = ([], None) if args.dry_run else load_state(archive, request)
        if started:
            print(
                f"Resuming an interrupted reprocess; already done: {', '.join(done) or 'none'}.",
                file=sys.stderr,
            )
        started = started or utc_now()
        todo = [s for s in sources if s not in done]
        if not sources:
            print("No source has captures in this archive: nothing to re-read.", file=sys.stderr)
        elif todo:
            print(
                f"Re-reading {', '.join(todo)} from {sum(captured[s] for s in todo)} captures "
                f"with {args.workers} worker(s){' (dry run)' if args.dry_run else ''}…",
                file=sys.stderr,
            )

        def source_done(source: str) -> None:
            if not args.dry_run:
                done.append(source)
                save_state(archive, request, done, started)

        if not args.dry_run and todo:
            save_state(archive, request, done, started)
        outcome = run_reprocess(
            archive,
            warc_folder(args, archive),
            todo,
            workers=args.workers,
            since=args.since,
            dry_run=args.dry_run,
            progress=True,
            on_done=source_done,
            started=started,
            commit_every=args.commit_every or COMMIT_EVERY,
        )
        report = outcome.as_dict()
        print_outcome(report, args.dry_run)
        if args.report:
            Path(args.report).write_text(json.dumps(report, indent=2, ensure_ascii=False))
        if outcome.failed:
            print(f"Not finished: {'; '.join(outcome.failed)}.", file=sys.stderr)
            return EXIT_FAILED
        if not args.dry_run:
            clear_state(archive)
            store = Archive(archive)
            store.optimize_fts()
            search_index = store.rebuild_search_index()
            store.close()
            from partnews.commands.search_index import report_search_index

            report_search_index(search_index)
    finally:
        lock.release()
    return 0
