"""Serving under load: many concurrent readers of a served archive, on loopback only.

`run_load` sends `clients` concurrent clients for `seconds` at a running `partnews
serve` (127.0.0.1 only), each looping over the kinds of page readers ask for: ranked
search, facets, item pages and CSV export. It counts errors (a refused connection, a
timeout, any status but 200) and reports latencies per kind (p50, p95, max). With
`slow_queries`, that many extra clients keep sending a deliberately slow custom SQL
query (a recursive CTE counting to a billion), which Datasette's time limit must cut,
and the other clients' latencies are measured while it runs. `write_attempts` checks
that no write path exists: POST, PUT and DELETE on pages, tables, rows and the /-/ API.

    python -m reliability.load --archive data/demo/partnews.db --clients 50 --seconds 60

Stops by itself; prints a JSON report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

SLOW_SQL = (
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000000000) "
    "select count(*) from n"
)
SEARCHES = ["marseille", "san diego", "provence", "cote d'azur", "export", "région"]


def targets(archive: Path) -> dict[str, list[str]]:
    """The paths of each kind of page, from what the archive holds."""
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    ids = [r[0] for r in conn.execute("select id from items order by id limit 200")]
    conn.close()
    return {
        "search": [f"/partnews/search?q={quote(q)}" for q in SEARCHES],
        "facets": [
            "/partnews/items?_facet=source&_facet=language",
            "/partnews/items?_facet=year&_facet=kind",
            "/partnews/items?source=region_sud&_facet=month",
        ],
        "item": [f"/partnews/items/{item_id}" for item_id in ids],
        "csv": ["/partnews/items.csv?_size=100", "/partnews/search.csv?q=marseille"],
    }


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(latencies: list[float]) -> dict:
    """Count and p50 / p95 / max in milliseconds."""
    if not latencies:
        return {"requests": 0}
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


async def _reader(client, paths_by_kind, deadline, number, latencies, errors):
    kinds = sorted(paths_by_kind)
    step = number
    while time.monotonic() < deadline:
        kind = kinds[step % len(kinds)]
        paths = paths_by_kind[kind]
        path = paths[(step // len(kinds)) % len(paths)]
        step += 1
        started = time.monotonic()
        try:
            response = await client.get(path)
            await response.aread()
            if response.status_code != 200:
                errors.append(f"{kind} {path}: {response.status_code}")
        except httpx.HTTPError as error:
            errors.append(f"{kind} {path}: {type(error).__name__}")
            continue
        latencies.setdefault(kind, []).append(time.monotonic() - started)


async def _slow(client, deadline, outcomes):
    path = "/partnews.json?sql=" + quote(SLOW_SQL)
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            response = await client.get(path)
            body = response.text
            outcomes.append((response.status_code, time.monotonic() - started, body[:200]))
        except httpx.HTTPError as error:
            outcomes.append((0, time.monotonic() - started, type(error).__name__))


async def _run(base, paths_by_kind, clients, seconds, slow_queries):
    host = urlsplit(base).hostname
    if host != "127.0.0.1":
        raise ValueError("the load test only talks to 127.0.0.1")
    limits = httpx.Limits(max_connections=clients + slow_queries + 5)
    timeout = httpx.Timeout(30.0)
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    slow: list[tuple] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        deadline = time.monotonic() + seconds
        tasks = [
            _reader(client, paths_by_kind, deadline, n, latencies, errors) for n in range(clients)
        ]
        tasks += [_slow(client, deadline, slow) for _ in range(slow_queries)]
        await asyncio.gather(*tasks)
    return latencies, errors, slow


def run_load(
    base: str,
    archive: Path,
    *,
    clients: int = 50,
    seconds: float = 60,
    slow_queries: int = 0,
) -> dict:
    """Load a served archive; the report: per-kind latencies, errors, slow-query answers."""
    paths_by_kind = targets(archive)
    started = time.monotonic()
    latencies, errors, slow = asyncio.run(_run(base, paths_by_kind, clients, seconds, slow_queries))
    report = {
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(time.monotonic() - started, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "kinds": {kind: summary(values) for kind, values in sorted(latencies.items())},
        "all": summary([x for values in latencies.values() for x in values]),
    }
    if slow_queries:
        report["slow_query"] = {
            "clients": slow_queries,
            "answers": len(slow),
            "statuses": sorted({status for status, _, _ in slow}),
            "interrupted": sum(1 for _, _, body in slow if "took too long" in body),
            "max_s": round(max((t for _, t, _ in slow), default=0), 2),
        }
    return report


WRITE_PATHS = [
    "/",
    "/partnews",
    "/partnews/items",
    "/partnews/items/{item_id}",
    "/partnews/items/{item_id}/-/update",
    "/partnews/items/{item_id}/-/delete",
    "/partnews/items/-/insert",
    "/partnews/items/-/upsert",
    "/partnews/items/-/drop",
    "/partnews/-/create",
    "/partnews/search",
    "/-/create-token",
    "/-/permissions",
    "/-/allow-debug",
]


def write_attempts(base: str, item_id: str) -> list[dict]:
    """POST, PUT and DELETE on every page kind and write API path; each answer's status."""
    answers = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for template in WRITE_PATHS:
            path = template.format(item_id=item_id)
            for method in ("POST", "PUT", "DELETE"):
                response = client.request(
                    method,
                    path,
                    json={"row": {"id": item_id, "title": "overwritten"}, "table": "x"},
                )
                answers.append({"method": method, "path": path, "status": response.status_code})
    return answers


def main(argv: list[str] | None = None) -> int:
    from reliability.serving import served

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", required=True, type=Path)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--slow-queries", type=int, default=2)
    args = parser.parse_args(argv)
    with served(args.archive) as base:
        report = run_load(
            base,
            args.archive,
            clients=args.clients,
            seconds=args.seconds,
            slow_queries=args.slow_queries,
        )
    json.dump(report, sys.stdout, indent=2)
    print()
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
