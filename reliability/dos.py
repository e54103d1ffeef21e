"""Denial-of-service replay: each costly request of issue 14 against a served archive,
with a plain reader's latency measured before and during it.

`replay` first measures a reader alone (the home page and an item page in turn, one
client, after one warm-up round) for `seconds`, then sends the attack again and again
(`concurrent` copies at once, a round every `interval` seconds at most), at least
`repeats` times and for at least `seconds`, while the same reader keeps reading. It
reports each attack answer's status and duration, the reader's p95 unloaded and under
attack, and the reader's errors. The server is the real `partnews serve` on 127.0.0.1
(reliability/serving.py).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from reliability.load import percentile


@dataclass(frozen=True)
class DosCase:
    """One costly request: what the review found, and the path that replays it."""

    name: str
    path: str
    found: str  # what the review measured before the fix


def sql(statement: str) -> str:
    return "/partnews.json?sql=" + quote(statement)


# The cases of issue 14 that are this branch's (custom SQL, _where, LIKE filters), plus
# the other unbounded single steps measured while fixing them.
SQL_CASES = [
    DosCase(
        "_where randomblob(900000000)",
        "/partnews/items.json?_where=" + quote("length(randomblob(900000000))>0") + "&_size=1",
        "161 s",
    ),
    DosCase(
        "SQL printf width 900000000",
        sql("select length(printf('%.*c',900000000,'x'))"),
        "4 s and 2-3 GB of memory",
    ),
    DosCase(
        "body__like % and a long pattern",
        "/partnews/items.json?body__like=" + quote("%" + "lorem ipsum " * 20 + "x"),
        "13 s",
    ),
    DosCase(
        "body__contains a long phrase",
        "/partnews/items.json?body__contains=" + quote("ipsum lorem " * 8 + "x"),
        "(not in the review: LIKE again)",
    ),
    DosCase(
        "SQL snippet() over every match",
        sql(
            "select snippet(items_fts, -1, '**', '**', '…', 64) from items_fts "
            "where items_fts match 'lorem OR ipsum'"
        ),
        "(measured while fixing: 25 s)",
    ),
    DosCase(
        "_where with highlight() in a subquery",
        "/partnews/items.json?_where="
        + quote(
            "rowid in (select rowid from items_fts where items_fts match 'lorem' "
            "and length(highlight(items_fts, 2, '[', ']')) > 0)"
        ),
        "(measured while fixing: highlight has snippet's cost)",
    ),
    DosCase(
        "SQL instr() of two long texts",
        sql(
            "select sum(instr(a.body, substr(b.body, 1, 40000) || 'x')) from items as a, items as b"
        ),
        "(measured while fixing: SQLite's instr, 8 s on two strings of 1 MB)",
    ),
    DosCase(
        "SQL LIKE with a long pattern, every pair of items",
        sql(
            "select count(*) from items as a, items as b "
            "where a.body like '%' || substr(b.body, 1, 90) || 'x'"
        ),
        "(measured while fixing: 0.2 s a row at 1 MB)",
    ),
    DosCase(
        "SQL recursive CTE of 1 MB rows",
        sql(
            "with recursive r(s, i) as (select zeroblob(999000), 1 union all "
            "select s, i + 1 from r where i < 100000000) select count(*) from r"
        ),
        "(not in the review)",
    ),
    DosCase(
        "SQL replace() blow-up",
        sql(
            "select length(replace(replace(replace(body, 'l', 'llllllllll'), 'l', "
            "'llllllllll'), 'l', 'llllllllll')) from items"
        ),
        "(not in the review)",
    ),
]

# The search cases: the canned searches are rebuilt by the search half of issue 14
# (de-duplicated, capped terms and bounded snippets), not by this branch.
SEARCH_CASES = [
    DosCase("search lorem (long bodies)", "/partnews/search.json?q=lorem", "9.3 s and 229 s"),
    DosCase(
        "search lorem twenty times",
        "/partnews/search.json?q=" + "+".join(["lorem"] * 20),
        "17 s on a 72 KB body",
    ),
]


def summary_ms(latencies: list[float]) -> dict:
    if not latencies:
        return {"requests": 0}
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(ms[-1], 1),
    }


async def _reader(client, paths, stop: asyncio.Event, latencies, errors):
    step = 0
    while not stop.is_set():
        path = paths[step % len(paths)]
        step += 1
        started = time.monotonic()
        try:
            response = await client.get(path)
            await response.aread()
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code}")
                continue
        except httpx.HTTPError as error:
            errors.append(f"{path}: {type(error).__name__}")
            continue
        latencies.append(time.monotonic() - started)


async def _attack(client, path: str, timeout: float) -> dict:
    started = time.monotonic()
    try:
        response = await client.get(path, timeout=timeout)
        body = response.text
        status = response.status_code
    except httpx.HTTPError as error:
        body, status = type(error).__name__, 0
    return {"status": status, "seconds": round(time.monotonic() - started, 3), "body": body[:300]}


async def _replay(base, case, reader_paths, seconds, repeats, concurrent, timeout, interval):
    limits = httpx.Limits(max_connections=concurrent + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        for path in reader_paths:  # warm: the first answer of a page is not its p95
            await client.get(path)
        # Unloaded: the reader alone.
        stop, quiet, quiet_errors = asyncio.Event(), [], []
        task = asyncio.create_task(_reader(client, reader_paths, stop, quiet, quiet_errors))
        await asyncio.sleep(seconds)
        stop.set()
        await task
        # Under attack: the same reader while the attack runs.
        stop, loaded, loaded_errors = asyncio.Event(), [], []
        task = asyncio.create_task(_reader(client, reader_paths, stop, loaded, loaded_errors))
        answers = []
        deadline = time.monotonic() + seconds
        # At least `repeats` rounds, and for as long as the reader was measured alone.
        while len(answers) < repeats * concurrent or time.monotonic() < deadline:
            started = time.monotonic()
            answers += await asyncio.gather(
                *(_attack(client, case.path, timeout) for _ in range(concurrent))
            )
            # One attacker repeating its request, not a flood: a flood of cheap requests
            # is a matter for rate limits, not for the per-request bounds measured here.
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
        stop.set()
        await task
    return quiet, quiet_errors, loaded, loaded_errors, answers


def replay(
    base: str,
    case: DosCase,
    reader_paths: list[str],
    *,
    seconds: float = 2.0,
    repeats: int = 3,
    concurrent: int = 1,
    timeout: float = 30.0,
    interval: float = 0.5,
) -> dict:
    """Replay `case` against the served archive at `base`; the measured report."""
    if urlsplit(base).hostname != "127.0.0.1":
        raise ValueError("the replay only talks to 127.0.0.1")
    quiet, quiet_errors, loaded, loaded_errors, answers = asyncio.run(
        _replay(base, case, reader_paths, seconds, repeats, concurrent, timeout, interval)
    )
    unloaded, under = summary_ms(quiet), summary_ms(loaded)
    return {
        "case": case.name,
        "interval_s": interval,
        "found_before": case.found,
        "attacks": len(answers),
        "concurrent": concurrent,
        "statuses": sorted({a["status"] for a in answers}),
        "longest_s": max(a["seconds"] for a in answers),
        "answers": answers,
        "reader_unloaded": unloaded,
        "reader_under_attack": under,
        "reader_errors": len(quiet_errors) + len(loaded_errors),
        "reader_error_samples": (quiet_errors + loaded_errors)[:5],
        "p95_ratio": (
            round(under["p95_ms"] / unloaded["p95_ms"], 2)
            if under.get("p95_ms") and unloaded.get("p95_ms")
            else None
        ),
    }
