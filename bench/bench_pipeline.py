"""Pipeline throughput: items per second through validate → normalize → dedupe → store.

Baseline, in the same run: a raw sqlite-utils upsert of the same (already normalised)
rows into a table with the same FTS5 set-up (tokenizer and triggers), one transaction
per row as the store does, and batched. The ratio says what validation, text/URL/date
normalisation and duplicate lookups cost on top of the writes themselves.

Also in the same run: the pipeline with 200 items per transaction (`Archive.batch`), as
the bulk paths write (a reprocess's writer, a news crawl's files), and the archive's own
floor: every SQL statement the pipeline ran
(recorded in an untimed run of the same items), replayed alone into a fresh archive,
once with the store's transaction per item and once with 200 items per transaction.
That is what the pipeline would cost if its Python work (validation, normalisation,
hashing, the duplicate check's decisions) took no time at all.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import sqlite_utils

from archive.schema import FTS_COLUMNS, FTS_PREFIX, FTS_TOKENIZE, fts_table_sql, fts_trigger_sql
from archive.store import WAL_AUTOCHECKPOINT_PAGES, Archive, _item_row
from bench.generate import generated_items
from crawler.sources import load_sources
from pipelines.dedupe import assign_item_id
from pipelines.normalize import normalize_item
from pipelines.validate import problems

COUNT = int(os.environ.get("BENCH_PIPELINE_ITEMS", "3000"))
QUICK_COUNT = 30
REPEAT = 3
FIGURE_LABEL = "validate → normalize → dedupe → store (partnews)"
FIGURE_BATCHED_LABEL = "the same pipeline, 200 items per commit (bulk paths)"
BASELINE_LABEL = "baseline: raw sqlite-utils upsert, one per row"
BATCHED_LABEL = "baseline: raw sqlite-utils upsert_all, one batch"
FLOOR_LABEL = "floor: partnews's own SQL replayed, one per item"
FLOOR_BATCHED_LABEL = "floor: partnews's own SQL replayed, 200 per commit"
FLOOR_BATCH = 200
# The measures of a round, in the table's order.
LABELS = (
    FIGURE_LABEL,
    FIGURE_BATCHED_LABEL,
    BASELINE_LABEL,
    BATCHED_LABEL,
    FLOOR_LABEL,
    FLOOR_BATCHED_LABEL,
)
# CPU seconds of each measure (this process): on a shared machine whose load changes
# between the measures, the fairer clock for the ratio.
CPU_SECONDS: dict[str, float] = {}


def run_pipeline(
    items: list[dict], path: Path, batch: int | None = None
) -> tuple[float, list[dict]]:
    """Seconds and stored items of the pipeline over `items`: a transaction per item as
    a crawl writes, or `batch` items per transaction (`Archive.batch`) as the bulk
    paths do."""
    sources = load_sources()
    archive = Archive(path)
    stored = []
    chunk = batch or 1
    cpu = time.process_time()
    start = time.perf_counter()
    for first in range(0, len(items), chunk):
        with archive.batch() if batch else nullcontext():
            for raw in items[first : first + chunk]:
                if problems(raw):
                    continue
                item = normalize_item(raw, sources.get(raw["source"]))
                item = assign_item_id(item, archive)
                archive.save_item(item)
                stored.append(item)
    elapsed = time.perf_counter() - start
    CPU_SECONDS[FIGURE_BATCHED_LABEL if batch else FIGURE_LABEL] = time.process_time() - cpu
    archive.close()
    return elapsed, stored


class _RecordingConnection:
    """A sqlite3 connection that notes every statement and its parameters, in order."""

    def __init__(self, conn, log: list) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_log", log)

    def execute(self, sql, parameters=()):
        self._log.append((False, sql, parameters))
        return self._conn.execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        rows = [tuple(p) for p in seq_of_parameters]
        self._log.append((True, sql, rows))
        return self._conn.executemany(sql, rows)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        setattr(self._conn, name, value)


def record_statements(items: list[dict], path: Path) -> tuple[list, list[int]]:
    """(every statement the pipeline runs on these items, where each item's end) in an
    untimed run: the script the floor replays."""
    sources = load_sources()
    archive = Archive(path)
    log: list = []
    archive.db.conn = _RecordingConnection(archive.db.conn, log)
    ends = []
    for raw in items:
        if problems(raw):
            continue
        item = assign_item_id(normalize_item(raw, sources.get(raw["source"])), archive)
        archive.save_item(item)
        ends.append(len(log))
    archive.db.conn = archive.db.conn._conn
    archive.close()
    return log, ends


def replay(log: list, ends: list[int], path: Path, batch: int | None) -> float:
    """Seconds to run the recorded statements into a fresh archive: as recorded (the
    store's transaction per item), or `batch` items per transaction."""
    import sqlite3

    Archive(path).close()  # the schema, as the pipeline's archive had it
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")

    def run(statements) -> None:
        for many, sql, parameters in statements:
            if batch and sql in ("BEGIN", "COMMIT"):
                continue
            if many:
                conn.executemany(sql, parameters)
            else:
                conn.execute(sql, parameters).fetchall()

    label = FLOOR_BATCHED_LABEL if batch else FLOOR_LABEL
    cpu = time.process_time()
    start = time.perf_counter()
    if not batch:
        run(log)
    else:
        begin = 0
        for first in range(0, len(ends), batch):
            end = ends[min(first + batch, len(ends)) - 1]
            conn.execute("BEGIN")
            run(log[begin:end])
            conn.execute("COMMIT")
            begin = end
    elapsed = time.perf_counter() - start
    CPU_SECONDS[label] = time.process_time() - cpu
    conn.close()
    return elapsed


def raw_upserts(rows: list[dict], path: Path, batched: bool) -> float:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # The archive's own checkpoint interval, which also makes the baseline's commits cheaper.
    db.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    db["items"].create({k: type(v) if v is not None else str for k, v in rows[0].items()}, pk="id")
    # The archive's own full-text set-up (prefix indexes included), so the baseline pays
    # the same index cost per row.
    for statement in [fts_table_sql(), *fts_trigger_sql()]:
        db.execute(statement)
    cpu = time.process_time()
    start = time.perf_counter()
    if batched:
        with db.conn:
            db["items"].upsert_all(rows, pk="id", alter=True)
    else:
        for row in rows:
            with db.conn:
                db["items"].upsert(row, pk="id", alter=True)
    elapsed = time.perf_counter() - start
    CPU_SECONDS[BATCHED_LABEL if batched else BASELINE_LABEL] = time.process_time() - cpu
    db.close()
    return elapsed


def profile(items: list[dict], top: int) -> None:
    """The pipeline's own-time profile over these items (what to speed up first)."""
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        run_pipeline(items[:30], Path(tmp) / "warm.db")  # the language model's load
        profiler = cProfile.Profile()
        profiler.enable()
        seconds, stored = run_pipeline(items, Path(tmp) / "profiled.db")
        profiler.disable()
    print(f"cProfile: {len(stored)} items in {seconds:.1f} s under the profiler")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench pipeline", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--items", type=int, default=COUNT, help=f"generated items (default {COUNT})"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_COUNT} items, to check the bench works"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="also run the pipeline under cProfile and print its N costliest functions "
        "(own time), after a warm-up run so one-time loads are left out",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"rounds of the three measures, medians reported (default {REPEAT}; 1 with --quick)",
    )
    args = parser.parse_args(argv)
    items = list(generated_items(QUICK_COUNT if args.quick else args.items))
    repeat = 1 if args.quick else max(1, args.repeat)
    if args.profile:
        profile(items, args.profile)
    with tempfile.TemporaryDirectory() as tmp:
        log, ends = record_statements(items, Path(tmp) / "recorded.db")
    # label -> (wall seconds, CPU seconds) of each round.
    rounds: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            seconds = {}
            seconds[FIGURE_LABEL], stored = run_pipeline(items, tmp / "pipeline.db")
            seconds[FIGURE_BATCHED_LABEL], _ = run_pipeline(
                items, tmp / "pipeline-batched.db", batch=FLOOR_BATCH
            )
            rows = [_item_row(item) for item in stored]
            seconds[BASELINE_LABEL] = raw_upserts(rows, tmp / "raw.db", batched=False)
            seconds[BATCHED_LABEL] = raw_upserts(rows, tmp / "raw-batched.db", batched=True)
            seconds[FLOOR_LABEL] = replay(log, ends, tmp / "floor.db", batch=None)
            seconds[FLOOR_BATCHED_LABEL] = replay(
                log, ends, tmp / "floor-batched.db", batch=FLOOR_BATCH
            )
        for label in LABELS:
            rounds.setdefault(label, []).append((seconds[label], CPU_SECONDS[label]))
    # The medians of the rounds: on a shared 2-core machine one round varies by a quarter.
    medians = {
        label: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for label, runs in rounds.items()
    }
    pipeline_s, per_row_s = medians[FIGURE_LABEL][0], medians[BASELINE_LABEL][0]
    floor_s, floor_batched_s = medians[FLOOR_LABEL][0], medians[FLOOR_BATCHED_LABEL][0]
    CPU_SECONDS.update({label: cpu for label, (_, cpu) in medians.items()})
    n = len(stored)
    print(
        f"{n} generated items (EN/FR), FTS5 '{FTS_TOKENIZE}' prefix '{FTS_PREFIX}' "
        f"on {', '.join(FTS_COLUMNS)}\n"
    )
    print(
        f"| {'what':<52} | {'items/s':>9} | {'ms/item':>8} | {'ratio':>6} "
        f"| {'CPU ms/item':>11} | {'CPU ratio':>9} |"
    )
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 10}|{'-' * 8}|{'-' * 13}|{'-' * 11}|")
    pipeline_cpu = CPU_SECONDS[FIGURE_LABEL]
    for label in LABELS:
        seconds, cpu = medians[label][0], CPU_SECONDS[label]
        print(
            f"| {label:<52} | {n / seconds:>9.0f} | {1000 * seconds / n:>8.3f} "
            f"| {pipeline_s / seconds:>6.1f} | {1000 * cpu / n:>11.3f} "
            f"| {pipeline_cpu / cpu:>9.1f} |"
        )
    print(
        f"\npartnews pipeline at {100 * per_row_s / pipeline_s:.0f} % of the raw per-row "
        f"upsert's items/s (wall clock), {100 * CPU_SECONDS[BASELINE_LABEL] / pipeline_cpu:.0f} "
        "% by CPU time (target: 50 %); with "
        f"{FLOOR_BATCH} items per transaction, as the bulk paths write, at "
        f"{100 * per_row_s / medians[FIGURE_BATCHED_LABEL][0]:.0f} % (wall clock)."
    )
    shares = ", ".join(
        f"{100 * base[0] / ours[0]:.0f} %"
        for ours, base in zip(rounds[FIGURE_LABEL], rounds[BASELINE_LABEL], strict=True)
    )
    print(f"each round, by wall clock: {shares}; times are the medians of {repeat} round(s).")
    print(
        f"\nthe floor: {len(log) / n:.1f} statements an item. With no Python work at all, the "
        f"archive's own SQL would run at {100 * per_row_s / floor_s:.0f} % of the raw per-row "
        f"upsert with a transaction per item, {100 * per_row_s / floor_batched_s:.0f} % with "
        f"{FLOOR_BATCH} items per transaction; the pipeline's Python work is "
        f"{1000 * (pipeline_s - floor_s) / n:.3f} ms an item (pipeline − floor)."
    )
    print(
        "\nratio = time of the partnews pipeline / time of the row: what validation, "
        "normalisation and duplicate lookups cost on top of the writes."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
