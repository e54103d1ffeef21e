"""The charts' canned queries on the 1,000,000-item archive: each query's time, without and
with the indexes the charts need, against Datasette's time limit (publish.SETTINGS).

`python -m bench charts` (part of `make bench`). The archive is the one of
bench/bench_archive.py (`build_archive`, same generator): ``BENCH_ARCHIVE_DB`` reuses a
kept one of the right size; ``BENCH_CHARTS_ITEMS`` sets the size (default 1,000,000).
Three years of nightly crawl runs (every source, every night) are added for the health
query. Each query runs through raw sqlite3 (median and worst of a few runs, page cache
warm) and once through Datasette's real app with the public settings, which must answer
it (not cut it off at the time limit). The proposed indexes are then created, measured,
and dropped again, so a kept archive is left as it was found.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from archive.publish import METADATA_PATH, SETTINGS, datasette_app

COUNT = int(os.environ.get("BENCH_CHARTS_ITEMS", "1000000"))
REPEAT = 5
NIGHTS = 3 * 365
QUICK_ITEMS, QUICK_NIGHTS = 1000, 30
FIGURE_LABEL = "With the proposed chart indexes"
BASELINE_LABEL = "With archive/schema.py's indexes"

# The charts' queries with the parameters a page sends (every filter of the monthly chart).
CASES = [
    ("chart_items_per_month", {"kind": "", "language": ""}),
    ("chart_items_per_month", {"kind": "event", "language": ""}),
    ("chart_items_per_month", {"kind": "news", "language": "fr"}),
    ("chart_sectors_per_year", {}),
    ("chart_relevance_bands", {}),
    ("chart_story_timeline", {}),
    ("crawl_nights", {"nights": ""}),
    ("crawl_nights", {"nights": "14"}),
]

# What the charts need beyond archive/schema.py's indexes: a covering index per chart, so
# that each query reads an index, never the million rows with their texts.
PROPOSED_INDEXES = {
    "charts_items_month": "create index charts_items_month "
    "on items (month, source, kind, language)",
    "charts_items_year_sectors": "create index charts_items_year_sectors on items (year, sectors)",
    "charts_items_year_band": "create index charts_items_year_band on items (year, relevance_band)",
}


def chart_queries() -> dict[str, str]:
    queries = json.loads(METADATA_PATH.read_text())["databases"]["partnews"]["queries"]
    return {name: queries[name]["sql"] for name, _ in CASES}


def add_nightly_runs(path: Path, nights: int = NIGHTS, seed: int = 3) -> int:
    """Every source crawled every night for `nights` nights, with verdicts; how many runs."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    if conn.execute("select count(*) from crawl_runs").fetchone()[0] >= nights:
        conn.close()
        return 0
    sources = [r[0] for r in conn.execute("select id from sources")]
    first = date(2026, 11, 27) - timedelta(days=nights - 1)
    rows = []
    for n in range(nights):
        night = first + timedelta(days=n)
        for source in sources:
            health = rng.choices(["healthy", "degraded", "broken", None], [90, 6, 2, 2])[0]
            rows.append(
                (
                    source,
                    f"{night.isoformat()}T10:00:00+00:00",
                    f"{night.isoformat()}T10:04:00+00:00",
                    "finished",
                    rng.randint(10, 80),
                    rng.randint(0, 40),
                    rng.randint(5, 60),
                    rng.randint(0, 5),
                    rng.randint(0, 3),
                    health,
                    json.dumps(["fewer items than usual"]) if health == "degraded" else None,
                )
            )
    with conn:
        conn.executemany(
            "insert into crawl_runs (source, started, finished, finish_reason, requests, "
            "responses_304, items_seen, items_new, items_updated, health, health_reasons) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()
    return len(rows)


def raw_times(path: Path, sql: str, params: dict) -> tuple[float, float, int]:
    """Median and worst milliseconds over REPEAT runs (after one warm-up), and the rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = len(conn.execute(sql, params).fetchall())
        samples = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            conn.execute(sql, params).fetchall()
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return statistics.median(samples), max(samples), rows


def plans(path: Path, sql: str, params: dict) -> str:
    """The query plan's table and index choices, condensed to one line."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        steps = [r[3] for r in conn.execute("explain query plan " + sql, params)]
    finally:
        conn.close()
    reads = [s for s in steps if s.startswith(("SCAN items", "SEARCH items"))]
    return "; ".join(dict.fromkeys(reads)) or "crawl_runs and story_members only"


async def through_datasette(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """Each case three times through Datasette: (worst HTTP status, median query_ms)."""
    ds = datasette_app(path)
    answers = {}
    for name, params in CASES:
        statuses, times = [], []
        for _ in range(3):
            response = await ds.client.get(
                f"/partnews/{name}.json", params={**params, "_shape": "objects"}
            )
            statuses.append(response.status_code)
            if response.status_code == 200:
                times.append(response.json()["query_ms"])
        status = max(statuses)
        answers[(name, json.dumps(params))] = (status, statistics.median(times or [0]))
    return answers


def measure(path: Path, label: str) -> None:
    queries = chart_queries()
    limit = SETTINGS["sql_time_limit_ms"]
    served = asyncio.run(through_datasette(path))
    print(f"### {label}\n")
    print("| query | parameters | rows | raw median ms | raw worst ms | Datasette | plan |")
    print("|---|---|---:|---:|---:|---|---|")
    for name, params in CASES:
        median, worst, rows = raw_times(path, queries[name], params)
        status, ms = served[(name, json.dumps(params))]
        verdict = f"{ms:.0f} ms" if status == 200 else f"HTTP {status} (over {limit} ms?)"
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "none"
        plan = plans(path, queries[name], params)
        print(f"| {name} | {shown} | {rows:,} | {median:.0f} | {worst:.0f} | {verdict} | {plan} |")
    print()


def main(argv: list[str] | None = None) -> int:
    from bench.bench_archive import build_archive, existing_archive

    parser = argparse.ArgumentParser(
        prog="python -m bench charts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=COUNT, help=f"(default {COUNT:,})")
    parser.add_argument("--nights", type=int, default=NIGHTS, help=f"(default {NIGHTS})")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ITEMS:,} items, {QUICK_NIGHTS} nights: to check the bench works",
    )
    args = parser.parse_args(argv)
    count, nights = (QUICK_ITEMS, QUICK_NIGHTS) if args.quick else (args.items, args.nights)
    # A quick run never touches a kept archive (it would rebuild it at the tiny size).
    keep = None if args.quick else os.environ.get("BENCH_ARCHIVE_DB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep else Path(tmp) / "partnews.db"
        if existing_archive(path, count):
            print(f"Reusing {path} ({count:,} items).")
        else:
            path.with_suffix(".inspect.json").unlink(missing_ok=True)
            report = build_archive(path, count)
            print(f"Built {count:,} items in {report.total:.0f} s.")
        runs = add_nightly_runs(path, nights)
        print(f"Added {runs:,} nightly crawl runs ({nights} nights).\n" if runs else "")
        print(f"Datasette's time limit: {SETTINGS['sql_time_limit_ms']} ms per query.\n")
        measure(path, BASELINE_LABEL + " (the baseline)")
        conn = sqlite3.connect(path)
        try:
            for sql in PROPOSED_INDEXES.values():
                conn.execute(sql)
            conn.execute("analyze")
            conn.commit()
            measure(path, FIGURE_LABEL + ": " + ", ".join(PROPOSED_INDEXES))
        finally:
            for name in PROPOSED_INDEXES:
                conn.execute(f"drop index if exists {name}")
            conn.execute("analyze")
            conn.commit()
            conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
