"""The archive's search: a query and its filters in, the exact set of matches out.

What a person types becomes a safe FTS5 expression (every typed term a quoted phrase,
duplicates dropped, at most `MAX_TERMS` terms; with the glossary on, each term ORed
with its translations, archive/glossary.py). Filters (source, kind, language, year,
publication dates) restrict the set *before* anything is ranked or cut, so every match
can be reached: the count, the facet counts and the pages all come from the same set.
Ranking is FTS5's bm25 with the title weighing 10, the summary 4, the body 1, over all
matching items (`ranked_rowids`, exact); the newest and oldest sorts order by
publication date. Snippets are cut in Python from a bounded part of each text.

Everything here takes a sqlite3 connection and runs under a time limit, so the same
functions serve Datasette's page (archive/search_page.py, through ``execute_fn``) and
the raw-storage baseline of the benchmarks.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache

from archive import search_index
from archive.glossary import Glossary, fold, tokens

# A search may name at most this many distinct terms; more are dropped (and said so):
# each term is one more posting list to merge, and no real question needs twenty.
MAX_TERMS = 8
# At most this many phrases stand for one term once translated (the typed one included).
MAX_ALTERNATIVES = 8
WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body: as the canned `search` query
BM25 = "bm25(items_fts, 10.0, 4.0, 1.0)"
PAGE_SIZE = 20
SORTS = ("relevance", "newest", "oldest")
FACETS = ("source", "kind", "language", "year")
# Snippets are cut from at most this many characters of each field: a hostile or huge
# body costs no more than a normal one.
SNIPPET_TEXT_LIMIT = 20_000
SNIPPET_WORDS = 30
# Datasette's sql_time_limit_ms (archive/publish.py SETTINGS), for each statement.
DEFAULT_TIME_LIMIT_MS = 1000
RESULT_ENGINE_INDEX = "index"  # SearchResult.engine when archive/search_index.py answered
_WORD = re.compile(r"[^\s\"]+")
_TEXT_WORD = re.compile(r"\S+")
_EDGES = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.DOTALL)


class SearchInterrupted(Exception):
    """A statement of the search ran past its time limit."""


# The query ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing every match must contain: the typed words (each typed term a phrase),
    or, when the glossary knew them, any of their translations."""

    typed: tuple[tuple[str, ...], ...]
    alternatives: tuple[tuple[str, ...], ...] = ()

    def expression(self) -> str:
        typed = " AND ".join(_phrase(p) for p in self.typed)
        if not self.alternatives:
            return typed
        typed = f"({typed})" if len(self.typed) > 1 else typed
        return "(" + " OR ".join([typed, *(_phrase(p) for p in self.alternatives)]) + ")"

    def phrases(self) -> list[tuple[str, ...]]:
        return [*self.typed, *self.alternatives]


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    dropped: tuple[str, ...] = ()

    def match(self) -> str:
        """The FTS5 MATCH expression: every term required."""
        return " AND ".join(t.expression() for t in self.terms)

    @property
    def expanded(self) -> list[tuple[str, list[str]]]:
        """(what was typed, what it was expanded to), for the page's note."""
        return [
            (" ".join(" ".join(p) for p in t.typed), [" ".join(p) for p in t.alternatives])
            for t in self.terms
            if t.alternatives
        ]

    def highlight_words(self) -> frozenset[str]:
        """Folded words to mark in snippets: every word of every phrase searched."""
        return frozenset(fold(w) for t in self.terms for p in t.phrases() for w in p)

    def __bool__(self) -> bool:
        return bool(self.terms)


def _phrase(words: tuple[str, ...]) -> str:
    """An FTS5 string: words are letters and digits only, so quoting is all it needs."""
    return '"' + " ".join(words) + '"'


def parse_query(text: str | None, glossary: Glossary | None = None) -> ParsedQuery:
    """The terms of a search: typed terms split on spaces (punctuation inside a term
    makes it a phrase: "d'azur", "saint-etienne"), repeated terms dropped (case and
    accents ignored), at most `MAX_TERMS`; with a glossary, consecutive terms that
    form one of its phrases become one term ORed with the entry's other phrases."""
    typed: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    dropped: list[str] = []
    for raw in _WORD.findall(text or ""):
        words = tuple(tokens(raw))
        key = tuple(fold(w) for w in words)
        if not words or key in seen:
            continue
        if len(typed) == MAX_TERMS:
            dropped.append(raw)
            continue
        seen.add(key)
        typed.append(words)
    terms: list[Term] = []
    start = 0
    folded = [tuple(fold(w) for w in p) for p in typed]
    while start < len(typed):
        found = glossary.match_at(folded, start) if glossary else None
        if found is None:
            terms.append(Term((typed[start],)))
            start += 1
            continue
        n, entry = found
        own = tuple(w for p in folded[start : start + n] for w in p)
        alternatives = tuple(entry.translations_of(own))[: MAX_ALTERNATIVES - 1]
        terms.append(Term(tuple(typed[start : start + n]), alternatives))
        start += n
    return ParsedQuery(tuple(terms), tuple(dropped))


# The request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    source: str = ""
    kind: str = ""
    language: str = ""
    year: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    size: int = PAGE_SIZE
    expand: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def filters(self) -> tuple[str, dict[str, str]]:
        """SQL conditions on ``items`` for the chosen filters, and their parameters."""
        clauses, params = [], {}
        for name in ("source", "kind", "language"):
            value = getattr(self, name)
            if value:
                clauses.append(f"items.{name} = :{name}")
                params[name] = value
        if self.year:
            clauses.append("items.year = :year")
            params["year"] = int(self.year) if self.year.isdigit() else self.year
        if self.date_from:
            clauses.append("items.published >= :date_from")
            params["date_from"] = self.date_from
        if self.date_to:
            # Published on the last day counts: compare with the day after.
            clauses.append("items.published < date(:date_to, '+1 day')")
            params["date_to"] = self.date_to
        return " and ".join(clauses), params

    def without(self, *names: str) -> SearchRequest:
        return replace(self, page=1, **{n: "" for n in names})


def request_from(params, *, size: int = PAGE_SIZE) -> SearchRequest:
    """A request from URL parameters (a mapping of str to str); bad values fall back to
    the defaults rather than failing: page 1, relevance."""
    get = params.get

    def text(name: str) -> str:
        return (get(name) or "").strip()[:500]

    page = text("page")
    sort = text("sort")
    return SearchRequest(
        q=text("q"),
        source=text("source"),
        kind=text("kind"),
        language=text("language"),
        year=text("year"),
        date_from=text("from"),
        date_to=text("to"),
        sort=sort if sort in SORTS else "relevance",
        page=max(1, min(int(page), 10**7)) if page.isdigit() else 1,
        size=size,
        expand=text("expand") != "off",
    )


# Running it -----------------------------------------------------------------------------------


@contextmanager
def time_limit(conn: sqlite3.Connection, ms: int | None) -> Iterator[None]:
    """Interrupt any statement past ``ms`` (as Datasette's sql_time_limit_ms does)."""
    if not ms:
        yield
        return
    deadline = time.perf_counter() + ms / 1000
    conn.set_progress_handler(lambda: time.perf_counter() > deadline, 1000)
    try:
        yield
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise SearchInterrupted(str(error)) from error
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _matching(parsed: ParsedQuery, request: SearchRequest) -> tuple[str, dict]:
    """FROM and WHERE of the matching set, filters included, and their parameters."""
    where, params = request.filters()
    params = {"match": parsed.match(), **params}
    if where:
        sql = (
            "from items_fts join items on items.rowid = items_fts.rowid "
            f"where items_fts match :match and {where}"
        )
    else:
        sql = "from items_fts where items_fts match :match"
    return sql, params


def facet_counts(
    conn: sqlite3.Connection, parsed: ParsedQuery, request: SearchRequest
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The number of matches and, for each facet, its values' counts among them, in one
    pass over the matching set."""
    where, params = request.filters()
    params = {"match": parsed.match(), **params}
    sql = (
        "select items.source, items.kind, items.language, items.year, count(*) "
        "from items_fts join items on items.rowid = items_fts.rowid "
        "where items_fts match :match" + (f" and {where}" if where else "") + " group by 1, 2, 3, 4"
    )
    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    total = 0
    for *values, count in conn.execute(sql, params):
        total += count
        for name, value in zip(FACETS, values, strict=True):
            if value is not None:
                counters[name][str(value)] += count
    facets = {
        name: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        for name, counter in counters.items()
    }
    facets["year"] = sorted(counters["year"].items(), reverse=True)
    return total, facets


def count_matches(conn: sqlite3.Connection, parsed: ParsedQuery, request: SearchRequest) -> int:
    sql, params = _matching(parsed, request)
    return conn.execute(f"select count(*) {sql}", params).fetchone()[0]


def ranked_rowids(
    conn: sqlite3.Connection,
    parsed: ParsedQuery,
    request: SearchRequest,
    limit: int | None,
    offset: int = 0,
) -> list[tuple[int, float]]:
    """(rowid, bm25) of the matches best first, exact: bm25 over every match, ties by
    the newest archived first. ``limit`` None gives them all (exports)."""
    sql, params = _matching(parsed, request)
    tail = "" if limit is None else f" limit {int(limit)} offset {int(offset)}"
    return conn.execute(
        f"select items_fts.rowid, {BM25} as score {sql} order by score, items_fts.rowid desc{tail}",
        params,
    ).fetchall()


def dated_rowids(
    conn: sqlite3.Connection,
    parsed: ParsedQuery,
    request: SearchRequest,
    limit: int | None,
    offset: int = 0,
) -> list[tuple[int, None]]:
    """Rowids of the matches by publication date (undated items last either way)."""
    where, params = request.filters()
    params = {"match": parsed.match(), **params}
    direction = "desc" if request.sort == "newest" else "asc"
    tail = "" if limit is None else f" limit {int(limit)} offset {int(offset)}"
    rows = conn.execute(
        "select items.rowid from items_fts join items on items.rowid = items_fts.rowid "
        "where items_fts match :match" + (f" and {where}" if where else "") + " "
        f"order by items.published is null, items.published {direction}, "
        f"items.rowid {direction}{tail}",
        params,
    ).fetchall()
    return [(r[0], None) for r in rows]


ITEM_COLUMNS = (
    "id",
    "title",
    "source",
    "kind",
    "language",
    "published",
    "url",
    "summary",
    "body",
)


def items_by_rowid(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, dict]:
    """The shown columns of these items (texts cut to the snippet limit), by rowid."""
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    columns = ", ".join(
        f"substr(items.{c}, 1, {SNIPPET_TEXT_LIMIT}) as {c}"
        if c in ("summary", "body")
        else f"items.{c}"
        for c in ITEM_COLUMNS
    )
    cursor = conn.execute(
        f"select items.rowid, {columns}, sources.name as source_name from items "
        f"left join sources on sources.id = items.source where items.rowid in ({marks})",
        rowids,
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor}


@dataclass
class SearchResult:
    request: SearchRequest
    parsed: ParsedQuery
    total: int = 0
    rows: list[dict] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    engine: str = "FTS5"  # or RESULT_ENGINE_INDEX, or "FTS5 (why not the index)"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.size))


class Memo:
    """What later pages of a search can reuse from earlier ones: the count and facets,
    and the whole order of the matches. Only for an archive that cannot change while it
    is served (Datasette opens it immutable); first pages never read it, so their cost
    is always the real one. Least recently used entries go first."""

    def __init__(self, entries: int = 16, max_order: int = 300_000):
        self.entries, self.max_order = entries, max_order
        self._data: dict[tuple, object] = {}

    def get(self, key: tuple):
        value = self._data.pop(key, None)
        if value is not None:
            self._data[key] = value
        return value

    def put(self, key: tuple, value) -> None:
        self._data.pop(key, None)
        self._data[key] = value
        while len(self._data) > self.entries:
            self._data.pop(next(iter(self._data)))


def _memo_key(kind: str, parsed: ParsedQuery, request: SearchRequest) -> tuple:
    return (
        kind,
        parsed.match(),
        request.filters()[0],
        tuple(sorted(request.filters()[1].items())),
        request.sort if kind == "order" else "",
    )


def run_search(
    conn: sqlite3.Connection,
    request: SearchRequest,
    glossary: Glossary | None = None,
    *,
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS,
    facets: bool = True,
    memo: Memo | None = None,
    index: search_index.Handle | None = None,
) -> SearchResult:
    """One page of a search, with the number of matches and the facet counts. With a
    ``memo``, pages after the first reuse the count, facets and order found before.
    With an ``index`` (archive/search_index.py, in step with this archive), a search by
    relevance is counted, faceted and ranked there, in FTS5's exact order; FTS5 does it
    when the index cannot (``result.engine`` says which did and why)."""
    parsed = parse_query(request.q, glossary if request.expand else None)
    result = SearchResult(request, parsed)
    if not parsed:
        return result
    if index is not None:
        try:
            return _run_indexed(conn, index, result, facets, time_limit_ms, memo)
        except (search_index.IndexUnusable, ValueError, OSError) as reason:
            # ValueError, OSError: tantivy could not read its files. FTS5 gives the
            # same results, slower; the page shows why.
            result.engine = f"FTS5 ({reason})"
            result.total, result.rows, result.facets = 0, [], {}
    later = memo is not None and request.page > 1
    counted = memo.get(_memo_key("count", parsed, request)) if later else None
    if counted is not None and (counted[1] or not facets):
        result.total, result.facets = counted
    else:
        with time_limit(conn, time_limit_ms):
            if facets:
                result.total, result.facets = facet_counts(conn, parsed, request)
            else:
                result.total = count_matches(conn, parsed, request)
        if memo is not None:
            memo.put(_memo_key("count", parsed, request), (result.total, result.facets))
    if request.offset >= result.total:
        return result
    order = ranked_rowids if request.sort == "relevance" else dated_rowids
    if later and result.total <= memo.max_order:
        key = _memo_key("order", parsed, request)
        everything = memo.get(key)
        if everything is None:
            with time_limit(conn, time_limit_ms):
                everything = order(conn, parsed, request, None)
            memo.put(key, everything)
        ranked = everything[request.offset : request.offset + request.size]
    else:
        with time_limit(conn, time_limit_ms):
            ranked = order(conn, parsed, request, request.size, request.offset)
    _add_rows(conn, result, ranked, time_limit_ms)
    return result


def _add_rows(
    conn: sqlite3.Connection,
    result: SearchResult,
    ranked: list[tuple[int, float | None]],
    time_limit_ms: int | None,
) -> None:
    """The shown rows of one page, in the order of ``ranked``, with their snippets."""
    with time_limit(conn, time_limit_ms):
        found = items_by_rowid(conn, [r for r, _ in ranked])
    words = result.parsed.highlight_words()
    for position, (rowid, score) in enumerate(ranked, start=result.request.offset + 1):
        row = found[rowid]
        row["position"], row["score"] = position, score
        row["snippet"] = snippet(row, words)
        result.rows.append(row)


def _run_indexed(
    conn: sqlite3.Connection,
    index: search_index.Handle,
    result: SearchResult,
    facets: bool,
    time_limit_ms: int | None,
    memo: Memo | None,
) -> SearchResult:
    """`run_search` by relevance on the search index: the count and the exact order
    from search_index.ranked, the facets from its column store. Later pages reuse the
    proven order a memo holds when it reaches far enough."""
    request, parsed = result.request, result.parsed
    need = request.offset + request.size
    if request.sort != "relevance":
        runner = search_index.plan(index, parsed, request)
        result.facets = search_index.facets(index, runner) if facets else {}
        with time_limit(conn, time_limit_ms):
            result.total = (
                sum(count for _, count in result.facets["source"])
                if facets
                else search_index.count(index, runner)
            )
        ranked = search_index.dated(
            index, runner, request.sort == "newest", request.size, request.offset
        )
        result.engine = RESULT_ENGINE_INDEX
        _add_rows(conn, result, ranked, time_limit_ms)
        return result
    key = _memo_key("index", parsed, request)
    known = memo.get(key) if memo is not None and request.page > 1 else None
    if known is not None and (len(known[1]) >= need or len(known[1]) == known[0]):
        result.total, order, result.facets = known
    else:
        runner = search_index.plan(index, parsed, request)
        total = None
        if facets:
            result.facets = search_index.facets(index, runner)
            total = sum(count for _, count in result.facets["source"])
        with time_limit(conn, time_limit_ms):
            result.total, order = search_index.ranked(index, conn, runner, need, total=total)
        if memo is not None:
            memo.put(key, (result.total, order, result.facets))
    result.engine = RESULT_ENGINE_INDEX
    _add_rows(conn, result, order[request.offset : need], time_limit_ms)
    return result


EXPORT_CHUNK = 500


def match_order(
    conn: sqlite3.Connection,
    request: SearchRequest,
    glossary: Glossary | None = None,
    *,
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS,
) -> tuple[ParsedQuery, list[tuple[int, float | None]]]:
    """Every match in the page's order, as (rowid, score), in one statement: what the
    streamed exports read in chunks with `rows_in_order`."""
    parsed = parse_query(request.q, glossary if request.expand else None)
    if not parsed:
        return parsed, []
    with time_limit(conn, time_limit_ms):
        order = ranked_rowids if request.sort == "relevance" else dated_rowids
        return parsed, order(conn, parsed, request, None)


def rows_in_order(
    conn: sqlite3.Connection,
    parsed: ParsedQuery,
    part: list[tuple[int, float | None]],
    start: int,
    *,
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS,
) -> list[dict]:
    """The rows of one chunk of `match_order`, in its order, with position and snippet."""
    with time_limit(conn, time_limit_ms):
        found = items_by_rowid(conn, [r for r, _ in part])
    words = parsed.highlight_words()
    rows = []
    for position, (rowid, score) in enumerate(part, start=start + 1):
        row = found[rowid]
        row["position"], row["score"] = position, score
        row["snippet"] = snippet(row, words)
        rows.append(row)
    return rows


def newest_matches(
    conn: sqlite3.Connection,
    request: SearchRequest,
    glossary: Glossary | None,
    limit: int,
    *,
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS,
) -> list[dict]:
    """The ``limit`` matches first archived most recently, as Atom rows (archive/feeds.py)."""
    parsed = parse_query(request.q, glossary if request.expand else None)
    if not parsed:
        return []
    where, params = request.filters()
    params = {"match": parsed.match(), **params}
    with time_limit(conn, time_limit_ms):
        cursor = conn.execute(
            "select items.id as atom_id, items.title as atom_title, "
            "coalesce(items.published, items.first_seen) as atom_updated, "
            "items.url as atom_link, "
            "coalesce(items.summary, substr(items.body, 1, 500)) as atom_content, "
            "json_extract(items.authors, '$[0]') as atom_author_name "
            "from items_fts join items on items.rowid = items_fts.rowid "
            "where items_fts match :match" + (f" and {where}" if where else "") + " "
            f"order by items.first_seen desc, items.published desc limit {int(limit)}",
            params,
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


# Snippets -------------------------------------------------------------------------------------


def snippet(row: dict, words: frozenset[str], size: int = SNIPPET_WORDS) -> list[tuple[str, bool]]:
    """A window of ``size`` words of the summary or body with the most searched words in
    it, as (text, is_match) pieces; the start of the text when no word is found there
    (a title-only match). Reads at most SNIPPET_TEXT_LIMIT characters of each field."""
    best: tuple[int, list[str], int] = (-1, [], 0)
    for name in ("summary", "body"):
        text = (row.get(name) or "")[:SNIPPET_TEXT_LIMIT]
        parts = _TEXT_WORD.findall(text)
        if not parts:
            continue
        hits = [i for i, part in enumerate(parts) if _is_match(part, words)]
        if not hits:
            if best[0] < 0:
                best = (0, parts, 0)
            continue
        start, score = _densest(hits, size)
        if score > best[0]:
            best = (score, parts, start)
    _, parts, start = best
    window = parts[start : start + size]
    pieces: list[tuple[str, bool]] = []
    if start > 0:
        pieces.append(("… ", False))
    for i, part in enumerate(window):
        gap = " " if i else ""
        if _is_match(part, words):
            # Punctuation around the word stays unmarked: "(jumelage)." marks jumelage.
            lead, core, trail = _EDGES.match(part).groups()
            pieces.append((gap + lead, False))
            pieces.append((core, True))
            pieces.append((trail, False))
        else:
            pieces.append((gap + part, False))
    if start + size < len(parts):
        pieces.append((" …", False))
    return _merged(pieces)


def _is_match(part: str, words: frozenset[str]) -> bool:
    return any(w in words for w in _part_words(part))


@lru_cache(maxsize=65_536)
def _part_words(part: str) -> tuple[str, ...]:
    """The folded words of one space-separated piece of text. Cached: texts share most
    of their pieces, and folding each word in Python was most of a page's snippet time."""
    return tuple(fold(t) for t in tokens(part))


def _densest(hits: list[int], size: int) -> tuple[int, int]:
    """(first word, number of hits) of the window of ``size`` words holding most hits."""
    best_start, best_count, j = hits[0], 0, 0
    for i, start in enumerate(hits):
        while j < len(hits) and hits[j] < start + size:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    return max(0, best_start - 3), best_count


def _merged(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for text, mark in pieces:
        if not text:
            continue
        if merged and merged[-1][1] == mark and not mark:
            merged[-1] = (merged[-1][0] + text, mark)
        else:
            merged.append((text, mark))
    return merged


def snippet_text(pieces: list[tuple[str, bool]]) -> str:
    """A snippet for JSON and CSV: matches marked with ** as the canned query does."""
    return "".join(f"**{text}**" if mark else text for text, mark in pieces)
