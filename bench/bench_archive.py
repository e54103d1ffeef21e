"""The archive people use, at 1,000,000 items: build time, and the latency of ranked search,
faceted table pages and item pages through Datasette over HTTP, beside the same SQL on
raw sqlite3 in the same run.

`python -m bench archive` (part of `make bench`). ``BENCH_ARCHIVE_ITEMS`` sets the size
(default 1,000,000), ``BENCH_ARCHIVE_REQUESTS`` the requests per page kind (default
100), ``BENCH_ARCHIVE_METADATA`` serves another metadata file,
``BENCH_ARCHIVE_DB`` keeps the built archive at that path (and reuses it when it
already has the right size) instead of a temporary file.

The archive is built with the real schema (`archive.schema.ensure_schema`); rows go in
through the store's own row function (`archive.store._item_row`), in large
transactions with the secondary indexes and the FTS triggers dropped and made again
at the end (the same definitions, read back from sqlite_master), then ANALYZE, the FTS5
``optimize`` and ``PRAGMA optimize``. Datasette is started exactly as `partnews serve`
starts it (`archive.publish.datasette_command`). Goals (issue "The archive people
use", 9): ranked search p95 ≤ 150 ms and ≤ 2× raw; no facet timed out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive import datasette_plugin
from archive.publish import METADATA_PATH, SETTINGS, datasette_command
from archive.relations import STORY_SQL
from archive.schema import ensure_schema
from archive.store import _event_row, _item_row
from bench.generate import SOURCE_PROFILES, TextPools, archive_items

COUNT = int(os.environ.get("BENCH_ARCHIVE_ITEMS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_ARCHIVE_REQUESTS", "100"))
# Another metadata file (a changed search SQL or facet list) for both Datasette and the
# raw side, to measure a change before making it.
METADATA = Path(os.environ.get("BENCH_ARCHIVE_METADATA") or METADATA_PATH)
BATCH = 20_000
QUICK_ITEMS, QUICK_REQUESTS = 1000, 3
FIGURE_LABEL = "HTTP p95"
BASELINE_LABEL = "raw p95"
# Tables whose secondary indexes and triggers are dropped during the load.
LOADED_TABLES = ("items", "events", "item_urls", "item_versions", "story_members")
BUILD_TIME = "2026-11-27T03:00:00+00:00"


# Building ---------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """What the build did and how long each step took (seconds)."""

    items: int = 0
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def _deferred_definitions(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the loaded tables' secondary indexes and triggers: cheaper to
    build once over a million rows than to maintain row by row."""
    marks = ",".join("?" * len(LOADED_TABLES))
    return conn.execute(
        f"select type, name, sql from sqlite_master where type in ('index', 'trigger') "
        f"and sql is not null and tbl_name in ({marks})",
        LOADED_TABLES,
    ).fetchall()


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = (
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' * len(columns))})"
    )
    conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _rows_for(item: dict, index: int, rng: random.Random) -> dict[str, list[dict]]:
    """The rows `Archive.save_item` would write for a new item (signatures and leads
    left out: no page or query served by Datasette reads them)."""
    row = _item_row(item)
    row.update(version=1, first_seen=BUILD_TIME, last_seen=BUILD_TIME, last_run_id=None)
    rows: dict[str, list[dict]] = {
        "items": [row],
        "item_urls": [
            {
                "url": item["url"],
                "item_id": item["id"],
                "relation": "canonical",
                "first_seen": BUILD_TIME,
                "last_seen": BUILD_TIME,
            }
        ],
        "item_versions": [
            {
                "item_id": item["id"],
                "version": 1,
                "captured_at": BUILD_TIME,
                "run_id": None,
                "content_hash": row["content_hash"],
                "changed_fields": None,
                "title": row["title"],
                "summary": row["summary"],
                "body": row["body"],
                "published": row["published"],
                "modified": row["modified"],
                "event": None,
            }
        ],
        "events": [],
        "story_members": [],
    }
    if item["kind"] == "event":
        event = _event_row(item)
        rows["events"].append(dict(event, item_id=item["id"]))
        rows["item_versions"][0]["event"] = json.dumps(event, ensure_ascii=False)
    # About 4 % of items are reposts: joined to the story of an item a little earlier.
    if index and rng.random() < 0.04:
        rows["story_members"].append(
            {
                "item_id": item["id"],
                "story_id": f"story-{index // 50}",
                "role": "repost",
                "similarity": round(rng.uniform(0.5, 0.95), 3),
                "matched_id": None,
                "matched_similarity": None,
                "linked_at": BUILD_TIME,
            }
        )
    return rows


def build_archive(path: Path, count: int, seed: int = 1) -> BuildReport:
    """A fresh archive of ``count`` generated items at ``path``, ready to serve."""
    report = BuildReport(items=count)
    start = time.perf_counter()
    db = sqlite_utils.Database(path, recreate=True)
    ensure_schema(db)
    db["sources"].insert_all(
        [{"id": s, "name": s.replace("_", " ").title()} for s in SOURCE_PROFILES], pk="id"
    )
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    deferred = _deferred_definitions(conn)
    for kind, name, _ in deferred:
        conn.execute(f"drop {kind} [{name}]")
    pools = TextPools()
    report.steps["schema and text pools"] = time.perf_counter() - start

    start = time.perf_counter()
    rng = random.Random(seed + 100)
    batch: dict[str, list[dict]] = {t: [] for t in LOADED_TABLES}
    conn.execute("begin")
    for index, item in enumerate(archive_items(count, seed=seed, pools=pools)):
        for table, rows in _rows_for(item, index, rng).items():
            batch[table].extend(rows)
        if len(batch["items"]) >= BATCH:
            for table, rows in batch.items():
                _insert(conn, table, rows)
                rows.clear()
    for table, rows in batch.items():
        _insert(conn, table, rows)
    conn.execute("commit")
    report.steps["generate and insert rows"] = time.perf_counter() - start

    start = time.perf_counter()
    conn.execute("insert into items_fts(items_fts) values ('rebuild')")
    report.steps["full-text index (FTS5 rebuild)"] = time.perf_counter() - start

    start = time.perf_counter()
    for kind, _, sql in deferred:
        if kind == "index":
            conn.execute(sql)
    for kind, _, sql in deferred:
        if kind == "trigger":
            conn.execute(sql)
    report.steps["indexes and triggers"] = time.perf_counter() - start

    start = time.perf_counter()
    conn.execute("insert into items_fts(items_fts) values ('optimize')")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA optimize")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    report.steps["FTS optimize, ANALYZE"] = time.perf_counter() - start
    return report


# What is measured ---------------------------------------------------------------------------


def metadata() -> dict:
    return json.loads(METADATA.read_text())["databases"]["partnews"]


def search_queries(rng: random.Random, pools: TextPools, n: int) -> list[tuple[str, str]]:
    """``n`` searches for each canned query, as (canned query, q) pairs: for ``search`` a
    realistic mix of common words, rare names, two words and French with accents; for
    ``search_prefix`` word beginnings."""
    common = ["innovation", "San Diego", "Marseille", "partnership", "entreprises", "delegation"]
    # Names of rank 20,000+ are in a handful of items each (Zipf, see generate.py).
    rare = [pools.names[rng.randrange(20_000, len(pools.names))] for _ in range(40)]
    two_words = ["biotech Marseille", "hydrogen port", "mission économique", "sister cities"]
    french = ["coopération", "Région Sud", "économie bleue", "santé numérique", "délégation"]
    prefixes = ["biot", "hydro", "aéro", "numéri", pools.names[100][:4]]
    words = common * 3 + rare[:12] + two_words * 2 + french * 2
    return [("search", rng.choice(words)) for _ in range(n)] + [
        ("search_prefix", rng.choice(prefixes)) for _ in range(n)
    ]


SEARCH_PARAMS = ("source", "kind", "language", "from", "to")

# Datasette 0.65's facet SQL (datasette/facets.py), to time the same statements raw.
COLUMN_FACET_SQL = """
    select {col} as value, count(*) as count from (
        {sql}
    )
    where {col} is not null
    group by {col} order by count desc, value limit {limit}
"""
ARRAY_FACET_SQL = """
    with inner as ({sql}),
    deduped_array_items as (
        select distinct j.value, inner.* from json_each([inner].{col}) j join inner
    )
    select value as value, count(*) as count from deduped_array_items
    group by value order by count(*) desc, value limit {limit}
"""


def table_page_sql(filters: dict[str, str]) -> tuple[str, list[str]]:
    """The table's SQL as Datasette builds it for ``?column=value`` filters."""
    where = " and ".join(f"[{c}] = ?" for c in filters)
    sql = "select * from items" + (f" where {where}" if where else "")
    return sql, list(filters.values())


def raw_table_page(
    limit: TimeLimit, filters: dict[str, str], facet_size: int = 10
) -> dict[str, float]:
    """The statements of one faceted table page on raw sqlite3, with Datasette's time
    limits: the rows, the count (only when filtered: the inspect file has the total), and
    each declared facet. Returns each facet's time in ms, to find a slow one."""
    sql, params = table_page_sql(filters)
    sql_ms, facet_ms = SETTINGS["sql_time_limit_ms"], SETTINGS["facet_time_limit_ms"]
    limit.run(f"select * from ({sql}) order by published desc, id limit 51", params, sql_ms)
    if filters:
        limit.run(f"select count(*) from ({sql})", params, sql_ms)
    timings = {}
    for facet in metadata()["tables"]["items"]["facets"]:
        if isinstance(facet, dict):
            col, template = facet["array"], ARRAY_FACET_SQL
        else:
            col, template = facet, COLUMN_FACET_SQL
        start = time.perf_counter()
        limit.run(template.format(col=f"[{col}]", sql=sql, limit=facet_size + 1), params, facet_ms)
        timings[col] = 1000 * (time.perf_counter() - start)
    return timings


def raw_item_page(conn: sqlite3.Connection, item_id: str) -> None:
    """The statements of an item page: Datasette's row and its foreign-key counts, then
    the plugin's (archive/datasette_plugin.py `_item_page`)."""
    item = conn.execute("select * from items where id = ?", [item_id]).fetchone()
    for table, column in (
        ("events", "item_id"),
        ("item_urls", "item_id"),
        ("item_versions", "item_id"),
        ("item_signatures", "item_id"),
        ("item_leads", "item_id"),
        ("story_members", "item_id"),
        ("item_translations", "item_id"),
    ):
        conn.execute(f"select count(*) from [{table}] where [{column}] = ?", [item_id]).fetchall()
    conn.execute("select * from events where item_id = ?", [item_id]).fetchall()
    conn.execute(
        "select version, captured_at, content_hash, title from item_versions "
        "where item_id = ? order by version desc",
        [item_id],
    ).fetchall()
    conn.execute(
        "select url, relation, first_seen, last_seen from item_urls "
        "where item_id = ? order by relation, url",
        [item_id],
    ).fetchall()
    conn.execute("select * from sources where id = ?", [item[1]]).fetchall()
    conn.execute(STORY_SQL, {"item_id": item_id}).fetchall()


class TimeLimit:
    """Interrupt a raw query after ``ms``, as Datasette does (sql_time_limit_ms and
    facet_time_limit_ms), so that both sides stop at the same point; ``hit`` counts the
    interrupted queries."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.hit = 0

    def run(self, sql: str, params, ms: int) -> list:
        deadline = time.perf_counter() + ms / 1000
        self.conn.set_progress_handler(lambda: time.perf_counter() > deadline, 1000)
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "interrupted" not in str(error):
                raise
            self.hit += 1
            return []
        finally:
            self.conn.set_progress_handler(None, 0)


def raw_connection(path: Path) -> sqlite3.Connection:
    """Read-only, immutable, with the plugin's SQL functions: as Datasette opens it."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
    datasette_plugin.prepare_connection(conn)
    return conn


def percentiles(samples: Iterable[float]) -> tuple[float, float]:
    """(p50, p95) in the unit of the samples."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94]


def timed(calls: Iterable[Callable[[], object]]) -> list[float]:
    """Milliseconds each call took."""
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append(1000 * (time.perf_counter() - start))
    return samples


# Serving --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`partnews serve`'s Datasette on a free loopback port, in a subprocess."""

    def __init__(self, archive: Path, command: list[str] | None = None):
        self.port = free_port()
        self.command = command or datasette_command(archive, port=self.port)
        if METADATA != METADATA_PATH:
            self.command[self.command.index("--metadata") + 1] = str(METADATA)
        start = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        deadline = time.monotonic() + 600
        while True:
            try:
                status, _ = self.get("/-/metadata.json")
                if status == 200:
                    break
            except OSError:
                self.connection.close()
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        self.startup = time.perf_counter() - start

    def get(self, path: str) -> tuple[int, str]:
        """One GET on the kept-alive connection, opened again if the server closed it
        while idle (uvicorn closes idle connections after 5 s)."""
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                return response.status, response.read().decode()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def search_path(query: str, q: str) -> str:
    params = {"q": q} | ({p: "" for p in SEARCH_PARAMS} if query == "search" else {})
    return f"/partnews/{query}?{urllib.parse.urlencode(params)}"


_TIMED_OUT = re.compile(r"These facets timed out: ([^<]*)<")


def facets_timed_out(page: str) -> list[str]:
    """The facets Datasette gave up on, as a table page's HTML says (its JSON does not)."""
    found = _TIMED_OUT.search(page)
    return [name.strip() for name in found.group(1).split(",")] if found else []


@dataclass
class Measure:
    """One line of the results table."""

    what: str
    http_ms: list[float]
    raw_ms: list[float]
    errors: int = 0
    notes: str = ""


def measure(path: Path, requests: int, server: Server, seed: int = 5) -> list[Measure]:
    """Time every page kind over HTTP, then the same SQL raw, with the same inputs."""
    rng = random.Random(seed)
    pools = TextPools()
    conn = raw_connection(path)
    limit = TimeLimit(conn)
    searches = search_queries(rng, pools, requests)
    sql = {name: q["sql"] for name, q in metadata()["queries"].items()}
    total = conn.execute("select max(rowid) from items").fetchone()[0]
    item_ids = [
        conn.execute(
            "select id from items where rowid >= ? limit 1", [rng.randint(1, total)]
        ).fetchone()[0]
        for _ in range(requests)
    ]
    filtered = [
        {"source": "provence_promotion", "language": "fr"},
        {"year": "2024"},
        {"kind": "event"},
        {"relevance_band": "high", "language": "en"},
    ]
    pages = {
        "faceted table page (/partnews/items)": [{}] * requests,
        "faceted table page, filtered": [filtered[i % len(filtered)] for i in range(requests)],
    }
    results = []

    # Warm both: the OS page cache, Datasette's templates and connections.
    for query, q in searches[:10] + searches[-10:]:
        server.get(search_path(query, q))
    for item_id in item_ids[:10]:
        server.get(f"/partnews/items/{item_id}")
    server.get("/partnews/items")

    timed_out: Counter[str] = Counter()

    def http_calls(paths: list[str]) -> tuple[list[float], int]:
        """Milliseconds per request; errors are non-200 answers and interrupted queries.
        Timed-out facets are counted in ``timed_out``."""
        errors = 0
        samples = []
        for p in paths:
            start = time.perf_counter()
            status, body = server.get(p)
            samples.append(1000 * (time.perf_counter() - start))
            if status != 200 or "SQL query took too long" in body or "interrupted" in body:
                errors += 1
            timed_out.update(facets_timed_out(body))
        return samples, errors

    def raw_search(query: str, q: str) -> None:
        params = {"q": q} | ({p: "" for p in SEARCH_PARAMS} if query == "search" else {})
        limit.run(sql[query], params, SETTINGS["sql_time_limit_ms"])

    # The two canned searches on their own lines: ranked search of whole words takes
    # about 20 ms raw, a prefix search ("hydro*") 30-110 ms, because FTS5 merges the
    # posting lists of every word it stands for. A percentile of the mixed sample falls
    # on the cliff between the two groups and swings with noise.
    for label, query_name in (
        ("ranked search (canned search)", "search"),
        ("prefix search (canned search_prefix)", "search_prefix"),
    ):
        chosen = [(query, q) for query, q in searches if query == query_name]
        http_ms, errors = http_calls([search_path(query, q) for query, q in chosen])
        limit.hit = 0
        raw_ms = timed(lambda query=query, q=q: raw_search(query, q) for query, q in chosen)
        interrupted = limit.hit
        slow = sorted(zip(raw_ms, chosen, strict=True), reverse=True)[:3]
        results.append(
            Measure(
                label,
                http_ms,
                raw_ms,
                errors,
                f"{len({q for _, q in chosen})} different queries; raw queries cut at the "
                f"time limit: {interrupted}; slowest raw: "
                + ", ".join(f"{q!r} {ms:.0f} ms" for ms, (_, q) in slow),
            )
        )

    for label, filters_list in pages.items():
        paths = [
            "/partnews/items" + (f"?{urllib.parse.urlencode(f)}" if f else "") for f in filters_list
        ]
        timed_out.clear()
        http_ms, errors = http_calls(paths)
        facet_ms: dict[str, list[float]] = {}
        raw_ms = []
        for filters in filters_list:
            start = time.perf_counter()
            for name, ms in raw_table_page(limit, filters).items():
                facet_ms.setdefault(name, []).append(ms)
            raw_ms.append(1000 * (time.perf_counter() - start))
        slowest = sorted(((statistics.median(v), k) for k, v in facet_ms.items()), reverse=True)
        notes = "facets timed out: " + (
            ", ".join(f"{k} in {n} of {len(paths)}" for k, n in timed_out.items()) or "none"
        )
        notes += "; slowest facets raw (p50): " + ", ".join(
            f"{k} {ms:.0f} ms" for ms, k in slowest[:3]
        )
        results.append(Measure(label, http_ms, raw_ms, errors, notes))

    http_ms, errors = http_calls([f"/partnews/items/{i}" for i in item_ids])
    raw_ms = timed(lambda i=i: raw_item_page(conn, i) for i in item_ids)
    results.append(Measure("item page (/partnews/items/<id>)", http_ms, raw_ms, errors))
    conn.close()
    return results


# The search page (/-/search, archive/search.py) -------------------------------------------------

# Issue 16's query mix: the archive's most common words (the generator's Zipf vocabulary
# starts with them), the same words filtered by source, kind, language, year and dates,
# two-word and French searches, rare names. Each dict is one search page's parameters.
SEARCH_PAGE_MIX: list[dict[str, str]] = [
    {"q": "the"},
    {"q": "de"},
    {"q": "San Diego"},
    {"q": "region"},
    {"q": "programme"},
    {"q": "innovation"},
    {"q": "Marseille"},
    {"q": "partenariat"},
    {"q": "délégation"},
    {"q": "biotech Marseille"},
    {"q": "économie bleue"},
    {"q": "sister cities"},
    {"q": "provence", "source": "city_of_san_diego"},
    {"q": "programme", "source": "times_of_san_diego"},
    {"q": "provence", "to": "2011-06-30"},
    {"q": "region", "language": "de"},
    {"q": "the", "language": "en", "year": "2019"},
    {"q": "San Diego", "kind": "event"},
    {"q": "de", "source": "region_sud", "from": "2020-01-01"},
    {"q": "innovation", "language": "fr", "year": "2024"},
]
OVERLAP_TARGET = 0.95
SEARCH_PAGE_P95_MS = 150
SEARCH_PAGE_RATIO = 1.5
_RESULT_ID = re.compile(r'class="result-title" href="/partnews/items/([0-9a-f]+)"')
_RESULT_COUNT = re.compile(r'id="search-count"><strong>([\d,]+)</strong>')


def search_page_mix(rng: random.Random, pools: TextPools, n: int) -> list[dict[str, str]]:
    """``n`` searches: the fixed mix in turn, one in five a rare name instead."""
    mix = []
    for i in range(n):
        if i % 5 == 4:
            mix.append({"q": pools.names[rng.randrange(20_000, len(pools.names))]})
        else:
            mix.append(SEARCH_PAGE_MIX[i % len(SEARCH_PAGE_MIX)])
    return mix


def search_request(params: dict[str, str]):
    from archive.search import request_from

    return request_from(params)


def exact_top(
    conn: sqlite3.Connection, facets: dict[int, tuple], params: dict[str, str], k: int = 20
) -> list[int]:
    """The exact bm25 top ``k`` by another road than the page's: every match's bm25 from
    the full-text index alone, the filters then applied in Python to the items' columns
    (``facets``: rowid -> source, kind, language, year, published), ties newest-archived
    first. Returns rowids."""
    from archive.glossary import load_glossary
    from archive.search import BM25, parse_query

    request = search_request(params)
    parsed = parse_query(request.q, load_glossary() if request.expand else None)
    scored = conn.execute(
        f"select rowid, {BM25} from items_fts where items_fts match ?", [parsed.match()]
    ).fetchall()

    def passes(rowid: int) -> bool:
        source, kind, language, year, published = facets[rowid]
        return (
            (not request.source or source == request.source)
            and (not request.kind or kind == request.kind)
            and (not request.language or language == request.language)
            and (not request.year or str(year) == request.year)
            and (
                not request.date_from or (published is not None and published >= request.date_from)
            )
            and (
                not request.date_to or (published is not None and published[:10] <= request.date_to)
            )
        )

    kept = [(score, -rowid) for rowid, score in scored if passes(rowid)]
    return [-negative for _, negative in sorted(kept)[:k]]


@dataclass
class SearchPageReport:
    measure: Measure
    overlaps: dict[str, float]
    totals: dict[str, int]


def _describe(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" if k != "q" else repr(v) for k, v in params.items())


def measure_search_page(
    path: Path, requests: int, server: Server, seed: int = 7
) -> SearchPageReport:
    """First page of /-/search with its count and facets: over HTTP, and the same work
    (archive.search.run_search) on raw sqlite3; then each distinct query's top 20 beside
    the exact bm25 ranking (`exact_top`)."""
    from archive import search_index
    from archive.glossary import load_glossary
    from archive.search import SearchInterrupted, run_search

    rng = random.Random(seed)
    mix = search_page_mix(rng, TextPools(), requests)
    glossary = load_glossary()
    conn = raw_connection(path)
    paths = [f"/-/search?{urllib.parse.urlencode(params)}" for params in mix]
    for p in paths[:5]:
        server.get(p)  # warm: templates, page cache
    http_ms, errors, pages = [], 0, {}
    for p, params in zip(paths, mix, strict=True):
        start = time.perf_counter()
        status, body = server.get(p)
        http_ms.append(1000 * (time.perf_counter() - start))
        if status != 200:
            errors += 1
        pages[_describe(params)] = body
    raw_ms, interrupted, engines, opened = [], 0, Counter(), {}
    for params in mix:
        start = time.perf_counter()
        try:
            # The same work as the page: the index when it is in step, as the page does.
            index = search_index.in_step(path, conn, opened)
            engines[run_search(conn, search_request(params), glossary, index=index).engine] += 1
        except SearchInterrupted:
            interrupted += 1
        raw_ms.append(1000 * (time.perf_counter() - start))
    # Every search of the fixed mix is checked, also those the timed sample replaced by
    # a rare name (fetched now, untimed).
    for params in SEARCH_PAGE_MIX:
        if _describe(params) not in pages:
            pages[_describe(params)] = server.get(f"/-/search?{urllib.parse.urlencode(params)}")[1]
    facets = {
        row[0]: row[1:]
        for row in conn.execute("select rowid, source, kind, language, year, published from items")
    }
    ids = dict(conn.execute("select rowid, id from items"))
    overlaps, totals = {}, {}
    for params in {_describe(p): p for p in [*SEARCH_PAGE_MIX, *mix]}.values():
        name = _describe(params)
        shown = _RESULT_ID.findall(pages[name])
        count = _RESULT_COUNT.search(pages[name])
        totals[name] = int(count.group(1).replace(",", "")) if count else 0
        exact = [ids[r] for r in exact_top(conn, facets, params)]
        overlaps[name] = len(set(shown) & set(exact)) / len(exact) if exact else float(not shown)
    conn.close()
    slow = sorted(zip(raw_ms, mix, strict=True), key=lambda pair: -pair[0])[:3]
    notes = (
        f"{len(set(map(_describe, mix)))} different searches; raw searches cut at the time "
        f"limit: {interrupted}; ranked by: "
        + ", ".join(f"{engine} {n}" for engine, n in engines.most_common())
        + "; slowest raw: "
        + ", ".join(f"{_describe(q)} {ms:.0f} ms" for ms, q in slow)
    )
    label = "search page /-/search (first page, count, facets)"
    return SearchPageReport(Measure(label, http_ms, raw_ms, errors, notes), overlaps, totals)


def print_search_page(report: SearchPageReport) -> None:
    h50, h95 = percentiles(report.measure.http_ms)
    r50, r95 = percentiles(report.measure.raw_ms)
    worst = min(report.overlaps.values())
    print("\n| search (first page) | matches | top-20 overlap with exact bm25 |\n|---|---:|---:|")
    for name, overlap in report.overlaps.items():
        print(f"| {name} | {report.totals[name]:,} | {overlap:.2f} |")
    print(
        f"\nSearch page targets: HTTP p95 {h95:.1f} ms (target ≤ {SEARCH_PAGE_P95_MS} ms: "
        f"{'met' if h95 <= SEARCH_PAGE_P95_MS else 'MISSED'}), {h95 / r95:.2f}× raw p95 "
        f"{r95:.1f} ms (target ≤ {SEARCH_PAGE_RATIO}×: "
        f"{'met' if h95 / r95 <= SEARCH_PAGE_RATIO else 'MISSED'}); worst top-20 overlap "
        f"{worst:.2f} (target ≥ {OVERLAP_TARGET}: {'met' if worst >= OVERLAP_TARGET else 'MISSED'})"
    )


def print_results(results: list[Measure], requests: int) -> None:
    print(
        f"| {'page':<44} | {'HTTP p50':>8} | {'HTTP p95':>8} | {'raw p50':>8} | "
        f"{'raw p95':>8} | {'p95 ÷ raw':>9} | {'errors':>6} |"
    )
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 8}|")
    for m in results:
        h50, h95 = percentiles(m.http_ms)
        r50, r95 = percentiles(m.raw_ms)
        print(
            f"| {m.what:<44} | {h50:>8.1f} | {h95:>8.1f} | {r50:>8.1f} | {r95:>8.1f} "
            f"| {h95 / r95:>9.1f} | {m.errors:>6} |"
        )
    print(f"\n{requests} requests each, milliseconds; raw = the same SQL on sqlite3 (immutable).")
    for m in results:
        if m.notes:
            print(f"- {m.what}: {m.notes}")


def search_index_ready(path: Path) -> str:
    """Build the archive's search index (archive/search_index.py) unless one in step
    with it exists, as the nightly does; says what it did and how long it took."""
    from archive import search_index

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        current = search_index.in_step(path, conn, {})
    finally:
        conn.close()
    if current is not None:
        return f"Reusing the search index {current.folder} (build time not measured).\n"
    start = time.perf_counter()
    folder = search_index.build(path)
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    return f"Built the search index in {time.perf_counter() - start:.0f} s ({size:,.0f} MiB).\n"


def existing_archive(path: Path, count: int) -> bool:
    """A kept archive of the right size is reused (building is the slow part)."""
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from items").fetchone()[0] == count
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench archive", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=COUNT, help=f"(default {COUNT:,})")
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help=f"per page kind (default {REQUESTS})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ITEMS:,} items, {QUICK_REQUESTS} requests: to check the bench works",
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="measure the search page /-/search only (not the canned queries and tables)",
    )
    args = parser.parse_args(argv)
    count, requests = (QUICK_ITEMS, QUICK_REQUESTS) if args.quick else (args.items, args.requests)
    # A quick run never touches a kept archive (it would rebuild it at the tiny size).
    keep = None if args.quick else os.environ.get("BENCH_ARCHIVE_DB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep else Path(tmp) / "partnews.db"
        if existing_archive(path, count):
            print(f"Reusing {path} ({count:,} items); build time not measured.\n")
        else:
            path.with_suffix(".inspect.json").unlink(missing_ok=True)
            report = build_archive(path, count)
            size = path.stat().st_size / 2**20
            print(f"Built {count:,} items in {report.total:.0f} s ({size:,.0f} MiB):")
            for step, seconds in report.steps.items():
                print(f"- {step}: {seconds:.1f} s")
            print()
        print(search_index_ready(path))
        server = Server(path)
        try:
            print(f"Datasette ready in {server.startup:.1f} s (inspect file included)\n")
            print("baseline: raw = the same SQL on raw sqlite3 (immutable), in the same run\n")
            results = [] if args.search_only else measure(path, requests, server)
            search_page = measure_search_page(path, requests, server)
            print_results([*results, search_page.measure], requests)
            print_search_page(search_page)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
