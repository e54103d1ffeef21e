"""The search index beside the archive: tantivy, so that ranked search stays fast at
any size, with FTS5's exact bm25 order.

Why: FTS5 must compute bm25 for every match before it can return the best 20, which at
a million items takes seconds for common words. tantivy finds the top of a ranking with
block-max WAND without scoring every match, and counts and facets the matching set from
its column store.

The same order as FTS5. FTS5's bm25 saturates one weighted frequency per phrase (10 ×
title hits + 4 × summary hits + body hits) over the row's whole length in tokens, D.
The index has one field, ``text``, that holds the title 10 times, the summary 4 times,
the body once (each copy a separate value, so no phrase runs from one copy into the
next) and filler tokens that bring its length to exactly 10 × D. So tantivy's term
frequency is FTS5's weighted frequency, its length over its average length is FTS5's
D over its average, and each clause is boosted by FTS5's idf over tantivy's. What is
left is tantivy's one-byte length, rounded *down*: its score is never below FTS5's.
`search` therefore takes tantivy's top K, scores them with FTS5's exact formula
(`exact_scores`), and keeps the order only when it is proven: the last kept score
beats tantivy's K-th score, which bounds every row outside the K. Otherwise K grows.

Files: ``<archive>.search/`` holds one folder per build and ``CURRENT``, which names
the live one and is replaced atomically, so a crash mid-build leaves the last complete
index live. Each build records the archive's fingerprint (`fingerprint`); a search uses
the index only while the archive still has that fingerprint, and FTS5 otherwise.
The index is written by `build` (through archive.store.Archive.rebuild_search_index,
the one writer, at the end of each nightly) and only read when served.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.glossary import fold, load_glossary, tokens

FORMAT = 3
WEIGHTS = (10, 4, 1)  # title, summary, body: FTS5's bm25(items_fts, 10.0, 4.0, 1.0)
SCALE = WEIGHTS[0]  # the text field's length is SCALE × D: never less than its content
K1, B = 1.2, 0.75  # FTS5's and tantivy's bm25 parameters
FILLER = "_"  # never a word: archive.glossary.tokens splits on "_"
BATCH = 5_000
# A search proves its order on at most this many candidates; past that it falls back
# to FTS5's own ranking (exact, but slow on a large archive).
MAX_CANDIDATES = 20_000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IndexUnusable(Exception):
    """This search cannot be answered from the index (a filter it does not hold, or
    more candidates than `MAX_CANDIDATES`): use FTS5."""


# Where the index lives ------------------------------------------------------------------------


def index_root(archive: Path) -> Path:
    """``<archive>.search`` beside the real file (the server may see it through a link)."""
    archive = Path(archive).resolve()
    return archive.with_name(archive.name + ".search")


def current_folder(archive: Path) -> Path | None:
    """The live build's folder, or None when no complete build exists."""
    root = index_root(archive)
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = root / name
    return folder if (folder / "partnews.json").exists() else None


def fingerprint(conn: sqlite3.Connection) -> str:
    """What changes whenever a searchable text or a filtered column changes, in three
    constant-time reads: FTS5's totals record (row count and token count per column),
    the last item's rowid and the last version's rowid."""
    parts = []
    for sql in (
        "select hex(block) from items_fts_data where id = 1",
        "select max(rowid) from items",
        "select max(rowid) from item_versions",
    ):
        try:
            row = conn.execute(sql).fetchone()
        except sqlite3.OperationalError:
            row = None
        parts.append(str(row[0] if row else None))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


# FTS5's own figures ---------------------------------------------------------------------------


def varints(blob: bytes) -> list[int]:
    """SQLite's big-endian varints (FTS5 stores its totals and row sizes this way)."""
    values, position = [], 0
    while position < len(blob):
        value = 0
        for i in range(9):
            byte = blob[position]
            position += 1
            if i == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def fts5_totals(conn: sqlite3.Connection) -> tuple[int, float]:
    """(rows, average row length in tokens) as FTS5's bm25 reads them."""
    row = conn.execute("select block from items_fts_data where id = 1").fetchone()
    if row is None:
        return 0, 0.0
    values = varints(row[0])
    rows, tokens_total = values[0], sum(values[1:4])
    return rows, (tokens_total / rows if rows else 0.0)


# Building -------------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:
    return fold(word)


def words(text: str | None) -> list[str]:
    """The folded words of a text, as FTS5's unicode61 remove_diacritics tokenizer
    sees them."""
    return [_folded(w) for w in tokens(text or "")]


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", tokenizer_name="words", index_option="position")
    # Each occurrence of a glossary phrase as one token, weighted and padded like
    # ``text``: a translated search looks its phrases up instead of intersecting
    # positions of common words.
    builder.add_text_field("phrases", tokenizer_name="words", index_option="freq")
    for name in ("source", "kind", "language"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("rowid", indexed=True, fast=True)
    builder.add_integer_field("length", fast=True)  # FTS5's D
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)  # published, as YYYYMMDD
    # The date sorts' keys (`date_keys`): newest first and oldest first, undated last.
    builder.add_integer_field("newest", fast=True)
    builder.add_integer_field("oldest", fast=True)
    return builder.build()


def _register(index) -> None:
    import tantivy

    index.register_tokenizer(
        "words", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )


def _document(
    row: tuple, length: int, starts: dict[str, list[tuple[str, ...]]], force: bool = False
):
    """One item as an index document (see the module docstring for the ``text`` field;
    ``phrases`` holds the glossary phrases found, ``starts`` by first word). None when
    the row's words weigh more than 10 × its FTS5 length (a tokenizer difference),
    unless ``force``."""
    import tantivy

    rowid, title, summary, body, source, kind, language, year, published = row
    columns = [words(title), words(summary), words(body)]
    document = tantivy.Document(rowid=rowid, length=length)
    weighted = found = 0
    for weight, column in zip(WEIGHTS, columns, strict=True):
        if column:
            joined = " ".join(column)
            for _ in range(weight):
                document.add_text("text", joined)
            weighted += weight * len(column)
            hits = phrase_tokens(column, starts)
            if hits:
                joined = " ".join(hits)
                for _ in range(weight):
                    document.add_text("phrases", joined)
                found += weight * len(hits)
    if weighted > SCALE * length and not force:
        return None
    for field, used in (("text", weighted), ("phrases", found)):
        pad = SCALE * length - used
        if pad > 0:
            document.add_text(field, (FILLER + " ") * pad)
    for name, value in (("source", source), ("kind", kind), ("language", language)):
        if value:
            document.add_text(name, value)
    if isinstance(year, int) or (isinstance(year, str) and year.isdigit()):
        document.add_integer("year", int(year))
    day = _day_number(published)
    if day is not None:
        document.add_integer("day", day)
    return document


def published_ranks(conn: sqlite3.Connection) -> dict[str, int]:
    """Each distinct publication date string to its place (from 1) in SQLite's order
    of that column (binary: code point order, as Python compares strings)."""
    values = [
        r[0]
        for r in conn.execute(
            "select distinct published from items where published is not null order by published"
        )
    ]
    return {value: rank for rank, value in enumerate(values, start=1)}


def date_keys(rank: int | None, ranks: int, rowid: int, span: int) -> tuple[int, int]:
    """The sort keys of one row that give FTS5's date orders (archive.search.dated_rowids:
    ``published is null, published DIR, rowid DIR``) as one integer each: newest first
    is ``newest`` descending, oldest first is ``oldest`` ascending; undated rows go last
    in both. ``span`` is more than any rowid."""
    newest = (rank or 0) * span + rowid
    oldest = (rank if rank else ranks + 1) * span + rowid
    return newest, oldest


def _day_number(published: str | None) -> int | None:
    if published and len(published) >= 10 and _DAY.match(published[:10]):
        return int(published[:10].replace("-", ""))
    return None


def glossary_phrases() -> tuple[tuple[str, ...], ...]:
    """The glossary's phrases of two words or more (one word needs no phrase token)."""
    return tuple(
        sorted({p for entry in load_glossary().entries for p in entry.phrases if len(p) > 1})
    )


def glossary_stamp(phrases: tuple[tuple[str, ...], ...]) -> str:
    """Which phrases an index holds as tokens: an index built with another glossary is
    not in step (its translated searches would miss the new phrases)."""
    return hashlib.sha256(repr(phrases).encode()).hexdigest()[:16]


def phrase_token(phrase: tuple[str, ...]) -> str:
    return "_".join(phrase)  # "_" never occurs inside a word (archive.glossary.tokens)


def phrase_tokens(column: list[str], starts: dict[str, list[tuple[str, ...]]]) -> list[str]:
    """A token for each place a glossary phrase starts in ``column`` (FTS5 counts every
    start, overlapping ones too)."""
    if starts.keys().isdisjoint(column):
        return []
    found = []
    for i, word in enumerate(column):
        for phrase in starts.get(word, ()):
            if tuple(column[i : i + len(phrase)]) == phrase:
                found.append(phrase_token(phrase))
    return found


def build(
    archive: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    threads: int = 2,
) -> Path:
    """Index every item of ``archive`` in a new folder, then make it the live one. The
    archive is only read. Returns the new folder."""
    import tantivy

    archive = Path(archive)
    root = index_root(archive)
    root.mkdir(exist_ok=True)
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        stamp = fingerprint(conn)
        rows_total, average = fts5_totals(conn)
        count = conn.execute("select count(*) from items").fetchone()[0]
        ranks = published_ranks(conn)
        span = (conn.execute("select max(rowid) from items").fetchone()[0] or 0) + 1
        folder = root / f"build-{int(time.time() * 1000)}-{os.getpid()}"
        folder.mkdir()
        index = tantivy.Index(_schema(), path=str(folder))
        _register(index)
        writer = index.writer(heap_size=400_000_000, num_threads=threads)
        glossary = glossary_phrases()
        starts: dict[str, list[tuple[str, ...]]] = {}
        for phrase in glossary:
            starts.setdefault(phrase[0], []).append(phrase)
        done, last, mismatched = 0, -1, []
        while True:
            batch = conn.execute(
                "select items.rowid, title, summary, body, source, kind, language, year, "
                "published, items_fts_docsize.sz from items "
                "left join items_fts_docsize on items_fts_docsize.id = items.rowid "
                "where items.rowid > ? order by items.rowid limit ?",
                [last, BATCH],
            ).fetchall()
            if not batch:
                break
            for *row, size in batch:
                length = sum(varints(size)[:3]) if size else 0
                document = _document(tuple(row), length, starts)
                if document is None:
                    # Python's words outnumber FTS5's tokens for this row: its length
                    # cannot be made FTS5's, so the order could not be proven.
                    mismatched.append(row[0])
                    document = _document(tuple(row), length, starts, force=True)
                newest, oldest = date_keys(ranks.get(row[8]), len(ranks), row[0], span)
                document.add_integer("newest", newest)
                document.add_integer("oldest", oldest)
                writer.add_document(document)
            done += len(batch)
            last = batch[-1][0]
            if progress:
                progress(done, count)
        writer.commit()
        writer.wait_merging_threads()
        meta = {
            "format": FORMAT,
            "fingerprint": stamp,
            "glossary": glossary_stamp(glossary),
            "rows": rows_total,
            "average_length": average,
            "items": done,
            # Rows whose length could not be FTS5's (see `_document`); `in_step`
            # refuses an index with any, so the page falls back to FTS5 rather than
            # risk an unproven order.
            "length_mismatches": mismatched[:100],
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _write_atomic(folder / "partnews.json", json.dumps(meta, indent=1))
        _write_atomic(root / "CURRENT", folder.name)
    finally:
        conn.close()
    for old in root.iterdir():
        if old.is_dir() and old.name != folder.name:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# Searching ------------------------------------------------------------------------------------


@dataclass
class Handle:
    """An open index and what its build recorded."""

    folder: Path
    index: object
    searcher: object
    meta: dict

    @property
    def fingerprint(self) -> str:
        return self.meta["fingerprint"]


def open_index(folder: Path) -> Handle:
    import tantivy

    meta = json.loads((folder / "partnews.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise IndexUnusable(f"{folder} has format {meta.get('format')}, not {FORMAT}")
    index = tantivy.Index.open(str(folder))
    _register(index)
    return Handle(folder, index, index.searcher(), meta)


def in_step(archive: str | Path | None, conn: sqlite3.Connection, opened: dict) -> Handle | None:
    """The archive's live index when it was built from exactly what ``conn`` reads,
    else None (no index yet, a build from before the last change, an older format).
    ``opened`` keeps open handles between calls, by folder."""
    if not archive:
        return None
    folder = current_folder(Path(archive))
    if folder is None:
        return None
    handle = opened.get(str(folder))
    if handle is None:
        try:
            handle = open_index(folder)
        except (IndexUnusable, ValueError, OSError) as error:
            print(f"partnews: not using the search index {folder}: {error}", file=sys.stderr)
            return None
        opened.clear()
        opened[str(folder)] = handle
    if handle.meta.get("glossary") != glossary_stamp(glossary_phrases()):
        return None
    if handle.meta.get("length_mismatches"):
        return None
    return handle if handle.fingerprint == fingerprint(conn) else None


def _phrase_query(schema, phrase: tuple[str, ...]):
    import tantivy

    if len(phrase) == 1:
        return tantivy.Query.term_query(schema, "text", phrase[0], "freq")
    return tantivy.Query.phrase_query(schema, "text", list(phrase))


def _phrase_hits(index, searcher, phrase: tuple[str, ...]) -> int:
    """Rows holding the phrase anywhere: FTS5's nHit for its idf."""
    if len(phrase) == 1:
        return searcher.doc_freq("text", phrase[0])
    return searcher.search(_phrase_query(index.schema, phrase), 1, count=True).count


def fts5_idf(rows: int, hits: int) -> float:
    """fts5_aux.c: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    idf = math.log((rows - hits + 0.5) / (hits + 0.5)) if rows else 0.0
    return idf if idf > 0.0 else 1e-6


def _tantivy_idf(rows: int, hits: int) -> float:
    return math.log(1 + (rows - hits + 0.5) / (hits + 0.5))


def _filters(schema, request) -> list:
    """The request's filters as clauses that add nothing to the score."""
    import tantivy

    clauses = []
    for name in ("source", "kind", "language"):
        value = getattr(request, name)
        if value:
            clauses.append(tantivy.Query.term_query(schema, name, value))
    if request.year:
        if not request.year.isdigit():
            return [tantivy.Query.empty_query()]
        clauses.append(tantivy.Query.term_query(schema, "year", int(request.year)))
    if request.date_from or request.date_to:
        for value in (request.date_from, request.date_to):
            if value and not _DAY.match(value):
                raise IndexUnusable(f"date {value!r} is not YYYY-MM-DD")
        low = int((request.date_from or "0001-01-01").replace("-", ""))
        high = int((request.date_to or "9999-12-31").replace("-", ""))
        clauses.append(
            tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, low, high)
        )
    return [tantivy.Query.const_score_query(c, 0.0) for c in clauses]


@dataclass(frozen=True)
class Plan:
    """A parsed search as the index runs it: its phrases with FTS5's idf, and the query."""

    phrases: tuple[tuple[str, ...], ...]
    idfs: tuple[float, ...]
    groups: tuple[tuple[int, ...], ...]
    query: object


def plan(handle: Handle, parsed, request) -> Plan:
    import tantivy

    schema = handle.index.schema
    searcher = handle.searcher
    rows = searcher.num_docs
    glossary = glossary_phrases()
    tokens_held = (
        set(glossary) if handle.meta.get("glossary") == glossary_stamp(glossary) else set()
    )
    phrases, idfs, groups, must = [], [], [], []

    def clause(phrase: tuple[str, ...]):
        folded = tuple(_folded(w) for w in phrase)
        if folded in tokens_held:
            # A glossary phrase is one token of the ``phrases`` field: one posting list.
            token = phrase_token(folded)
            hits = searcher.doc_freq("phrases", token)
            tv_idf = _tantivy_idf(rows, hits)
            query = tantivy.Query.term_query(schema, "phrases", token, "freq")
        else:
            hits = _phrase_hits(handle.index, searcher, folded)
            tv_idf = sum(_tantivy_idf(rows, searcher.doc_freq("text", w)) for w in folded)
            query = _phrase_query(schema, folded)
        fts_idf = fts5_idf(rows, hits)
        phrases.append(folded)
        idfs.append(fts_idf)
        boost = fts_idf / tv_idf if tv_idf > 0 else 0.0
        return tantivy.Query.boost_query(query, boost)

    for term in parsed.terms:
        # FTS5's expression for a term: (typed AND typed…) OR alternative OR …; its bm25
        # sums every phrase of the whole expression, as these nested clauses do.
        first = len(phrases)
        typed = [clause(p) for p in term.typed]
        groups.append(tuple(range(first, len(phrases))))
        group = (
            typed[0]
            if len(typed) == 1
            else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in typed])
        )
        alternatives = [clause(p) for p in term.alternatives]
        groups += [(i,) for i in range(first + len(typed), len(phrases))]
        query = (
            tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in [group, *alternatives]])
            if alternatives
            else group
        )
        must.append((tantivy.Occur.Must, query))
    must += [(tantivy.Occur.Must, q) for q in _filters(schema, request)]
    return Plan(tuple(phrases), tuple(idfs), tuple(groups), tantivy.Query.boolean_query(must))


def exact_scores(
    texts: Iterable[tuple[int, str | None, str | None, str | None, int]],
    phrases: tuple[tuple[str, ...], ...],
    idfs: tuple[float, ...],
    groups: tuple[tuple[int, ...], ...],
    average_length: float,
) -> dict[int, float]:
    """FTS5's bm25 of each (rowid, title, summary, body, D), as a positive number, by
    fts5_aux.c's formula and in its order of operations, so that equal rows tie exactly
    as they do in FTS5. A phrase counts only when its whole group matches the row: FTS5
    clears the hits of an AND whose other side is missing (fts5ExprCheckPoslists), so in
    ("économie" AND "bleue") OR "économie maritime" a row with no "bleue" scores only
    its "économie maritime"."""
    scores = {}
    for rowid, title, summary, body, length in texts:
        columns = [words(title), words(summary), words(body)]
        frequencies = []
        for phrase in phrases:
            frequency = 0.0
            size = len(phrase)
            for weight, column in zip(WEIGHTS, columns, strict=True):
                if size == 1:
                    found = column.count(phrase[0])
                else:
                    found = sum(
                        1
                        for i in range(len(column) - size + 1)
                        if column[i] == phrase[0] and tuple(column[i : i + size]) == phrase
                    )
                frequency += float(weight) * found
            frequencies.append(frequency)
        for group in groups:
            if not all(frequencies[i] for i in group):
                for i in group:
                    frequencies[i] = 0.0
        score = 0.0
        for frequency, idf in zip(frequencies, idfs, strict=True):
            score += idf * (
                (frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * length / average_length))
            )
        scores[rowid] = score
    return scores


def _texts(conn: sqlite3.Connection, rowids: list[int], lengths: dict[int, int]):
    found = []
    for start in range(0, len(rowids), 900):
        part = rowids[start : start + 900]
        marks = ",".join("?" * len(part))
        found += [
            (*row, lengths[row[0]])
            for row in conn.execute(
                f"select rowid, title, summary, body from items where rowid in ({marks})", part
            )
        ]
    return found


def ranked(
    handle: Handle,
    conn: sqlite3.Connection,
    runner: Plan,
    need: int,
    candidates: int | None = None,
    total: int | None = None,
) -> tuple[int, list[tuple[int, float]]]:
    """(number of matches, the longest proven start of FTS5's exact order, at least
    ``need`` rows long when there are that many matches), as [(rowid, bm25)]: best
    first, ties newest archived first, bm25 negative as FTS5 gives it.

    A row is proven in place when its exact score beats tantivy's score of the last
    candidate, which is at least the exact score of every row left out (module
    docstring). Raises IndexUnusable when ``need`` rows cannot be proven within
    `MAX_CANDIDATES` candidates. A ``total`` known already (from `facets`) spares
    tantivy the count, which would visit every match instead of skipping blocks."""
    searcher = handle.searcher
    average = handle.meta["average_length"]
    # About half of K is proven in one round (measured on the generated archive).
    candidates = min(candidates or max(3 * need, 60), MAX_CANDIDATES)
    scored: dict[int, float] = {}
    while True:
        result = searcher.search(runner.query, candidates, count=total is None)
        total = result.count if total is None else total
        addresses = [address for _, address in result.hits]
        rowids = searcher.fast_field_values("rowid", addresses)
        lengths = dict(zip(rowids, searcher.fast_field_values("length", addresses), strict=True))
        fresh = [r for r in rowids if r not in scored]
        scored.update(
            exact_scores(
                _texts(conn, fresh, lengths), runner.phrases, runner.idfs, runner.groups, average
            )
        )
        order = sorted((-scored[r], -r) for r in rowids)
        if len(addresses) < total:
            bound = result.hits[-1][0] * (1 + 1e-5) + 1e-9  # float32 rounding
            order = [entry for entry in order if -entry[0] > bound]
        if len(order) >= need or len(addresses) >= total:
            return total, [(-negative_rowid, score) for score, negative_rowid in order]
        if candidates >= min(MAX_CANDIDATES, total):
            raise IndexUnusable(
                f"the top {need:,} could not be proven within {candidates:,} candidates"
            )
        candidates = min(candidates * 4, MAX_CANDIDATES)


def dated(
    handle: Handle, runner: Plan, newest: bool, limit: int, offset: int
) -> list[tuple[int, None]]:
    """Rows offset…offset+limit of the matches by publication date, in FTS5's order
    (`date_keys`), read from the column store: no score is computed."""
    import tantivy

    result = handle.searcher.search(
        runner.query,
        limit,
        count=False,
        order_by_field="newest" if newest else "oldest",
        offset=offset,
        order=tantivy.Order.Desc if newest else tantivy.Order.Asc,
    )
    addresses = [address for _, address in result.hits]
    return [(rowid, None) for rowid in handle.searcher.fast_field_values("rowid", addresses)]


def count(handle: Handle, runner: Plan) -> int:
    return handle.searcher.search(runner.query, 0, count=True).count


def facets(handle: Handle, runner: Plan) -> dict[str, list[tuple[str, int]]]:
    """Each facet's values and counts among the matches, from the column store. Every
    item has a source, so the source counts add up to the number of matches."""
    spec = {
        name: {"terms": {"field": name, "size": 1000}}
        for name in ("source", "kind", "language", "year")
    }
    result = handle.searcher.aggregate(runner.query, spec)
    out = {}
    for name in ("source", "kind", "language", "year"):
        buckets = result.get(name, {}).get("buckets", [])
        pairs = [
            (str(int(b["key"]) if name == "year" else b["key"]), int(b["doc_count"]))
            for b in buckets
        ]
        if name == "year":
            out[name] = sorted(pairs, reverse=True)
        else:
            out[name] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
    return out


def main_progress(done: int, total: int) -> None:
    print(f"\rIndexed {done:,} of {total:,} items", end="", file=sys.stderr, flush=True)
