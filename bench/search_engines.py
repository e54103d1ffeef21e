"""The option beside FTS5 for ranked search at 1,000,000 items: tantivy, measured.

`python -m bench.search_engines --archive PATH [--index DIR]` builds a tantivy index of
an archive's items (title, summary, body as text folded like FTS5's unicode61
remove_diacritics; source, kind, language, year, publication day as filters), then
runs bench/bench_archive.py's search page mix on it: count plus top 20, timed in
process, beside the exact FTS5 bm25 ranking of the same searches (the baseline, same
run, `exact_top`), and the top-20 overlap between the two.

Scores: FTS5's bm25 saturates one weighted frequency per phrase (10 × title hits + 4 ×
summary hits + body hits) over the row's whole length. tantivy searches a ``weighted``
field holding the title 10 times and the summary 4 times (same frequency; its length
differs), each word boosted by FTS5's idf over tantivy's, takes the top K candidates,
and FTS5's exact formula re-ranks them in Python (`exact_rerank`, with FTS5's own row
count and average lengths). This was
the measurement that chose the design of the served index, archive/search_index.py
(one field whose length is exactly FTS5's, so the re-rank is cheap and provably
exact); `python -m bench archive` measures that one through Datasette. Kept to compare
the two; not in `python -m bench`'s registry.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import statistics
import time
from pathlib import Path

from archive.glossary import load_glossary
from archive.search import WEIGHTS, parse_query, request_from
from bench.bench_archive import SEARCH_PAGE_MIX, _describe, exact_top, percentiles

FIELDS = ("title", "summary", "body")
BATCH = 10_000


def build_index(archive: Path, directory: Path):
    import tantivy

    directory.mkdir(parents=True, exist_ok=True)
    builder = tantivy.SchemaBuilder()
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="fold", index_option="position")
    builder.add_text_field("all", tokenizer_name="fold", index_option="basic")
    # FTS5's bm25 saturates one weighted frequency per phrase (10 × title hits + 4 ×
    # summary hits + body hits): a field holding the title 10 times and the summary 4
    # times has exactly that frequency.
    builder.add_text_field("weighted", tokenizer_name="fold", index_option="position")
    for name in ("source", "kind", "language"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    schema = builder.build()
    index = tantivy.Index(schema, path=str(directory))
    index.register_tokenizer("fold", _analyzer())
    writer = index.writer(heap_size=1_000_000_000, num_threads=2)
    conn = sqlite3.connect(f"file:{archive}?immutable=1", uri=True)
    last = 0
    while True:
        rows = conn.execute(
            "select rowid, title, summary, body, source, kind, language, year, published "
            "from items where rowid > ? order by rowid limit ?",
            [last, BATCH],
        ).fetchall()
        if not rows:
            break
        for rowid, title, summary, body, source, kind, language, year, published in rows:
            fields = {"title": title or "", "summary": summary or "", "body": body or ""}
            document = tantivy.Document(rowid=rowid, **fields)
            document.add_text("all", " ".join(fields.values()))
            document.add_text(
                "weighted",
                " ".join([fields["title"]] * 10 + [fields["summary"]] * 4 + [fields["body"]]),
            )
            for name, value in (("source", source), ("kind", kind), ("language", language)):
                if value:
                    document.add_text(name, value)
            if year:
                document.add_integer("year", int(year))
            if published:
                document.add_integer("day", int(published[:10].replace("-", "")))
            writer.add_document(document)
        last = rows[-1][0]
    writer.commit()
    writer.wait_merging_threads()
    conn.close()
    index.reload()
    return index


def _analyzer():
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def open_index(directory: Path):
    import tantivy

    index = tantivy.Index.open(str(directory))
    index.register_tokenizer("fold", _analyzer())
    return index


def _fold(word: str) -> str:
    from archive.glossary import fold

    return fold(word.casefold())


def to_query(index, searcher, params: dict[str, str]):
    """The search page's query as tantivy clauses: every term required, each term any
    of its phrases in any of the three fields, weighted as FTS5's bm25; filters as
    clauses that add nothing to the score."""
    import tantivy

    schema = index.schema
    request = request_from(params)
    parsed = parse_query(request.q, load_glossary() if request.expand else None)
    total = searcher.num_docs
    must = []
    for term in parsed.terms:
        should = []
        for phrase in term.phrases():
            words = [_fold(w) for w in phrase]
            if len(words) == 1:
                # FTS5's idf (clamped at 1e-6 for a word in more than half the rows) in
                # place of tantivy's, which never falls under ln 2.
                n = searcher.doc_freq("weighted", words[0])
                idf_fts = max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6)
                idf_tv = math.log(1 + (total - n + 0.5) / (n + 0.5))
                clause = tantivy.Query.term_query(schema, "weighted", words[0], "freq")
                should.append(tantivy.Query.boost_query(clause, idf_fts / idf_tv))
            else:
                should.append(tantivy.Query.phrase_query(schema, "weighted", words))
        if not should:
            return None
        must.append(
            (
                tantivy.Occur.Must,
                tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should]),
            )
        )
    for name in ("source", "kind", "language"):
        value = getattr(request, name)
        if value:
            clause = tantivy.Query.term_query(schema, name, value)
            must.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
    if request.year:
        clause = tantivy.Query.term_query(schema, "year", int(request.year))
        must.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
    if request.date_from or request.date_to:
        low = int((request.date_from or "0001-01-01").replace("-", ""))
        high = int((request.date_to or "9999-12-31").replace("-", ""))
        clause = tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, low, high)
        must.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
    return tantivy.Query.boolean_query(must)


def fts5_averages(conn: sqlite3.Connection) -> tuple[int, list[float]]:
    """FTS5's own figures for bm25: the number of rows and each column's average length
    in tokens, read from its "averages" record (items_fts_data, id 1: SQLite varints)."""
    from archive.search_index import varints

    blob = conn.execute("select block from items_fts_data where id = 1").fetchone()[0]
    values = varints(blob)
    rows, totals = values[0], values[1 : 1 + len(FIELDS)]
    return rows, [t / rows for t in totals]


def exact_rerank(
    conn: sqlite3.Connection,
    searcher,
    index,
    parsed,
    rowids: list[int],
    averages: tuple[int, list[float]],
) -> list[int]:
    """FTS5's bm25 (fts5_aux.c: per phrase, idf × f × 2.2 / (f + 1.2 × (0.25 + 0.75 ×
    D / avgdl)), f the hits weighted 10/4/1 by column, D the row's length in tokens, idf
    clamped at 1e-6; summed over every phrase of the expression) computed in Python for
    the candidate rows, best first, ties newest archived first: their exact order."""
    import tantivy

    from archive.glossary import tokens

    rows_total, average = averages
    average_row = sum(average)
    phrases = [tuple(_fold(w) for w in p) for t in parsed.terms for p in t.phrases()]
    hits = {}
    for phrase in phrases:
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.phrase_query(index.schema, f, list(phrase)))
            if len(phrase) > 1
            else (tantivy.Occur.Should, tantivy.Query.term_query(index.schema, f, phrase[0]))
            for f in FIELDS
        ]
        hits[phrase] = searcher.search(tantivy.Query.boolean_query(clauses), 1, count=True).count
    marks = ",".join("?" * len(rowids))
    texts = conn.execute(
        f"select rowid, title, summary, body from items where rowid in ({marks})", rowids
    ).fetchall()
    scored = []
    for rowid, *columns in texts:
        column_tokens = [[_fold(t) for t in tokens(text or "")] for text in columns]
        size_of_row = sum(len(words) for words in column_tokens)
        score = 0.0
        for phrase in phrases:
            n = hits[phrase]
            idf = math.log((rows_total - n + 0.5) / (n + 0.5))
            idf = idf if idf > 0 else 1e-6
            size = len(phrase)
            # One weighted frequency per phrase, over the row's whole length (fts5_aux.c).
            frequency = sum(
                weight
                * sum(
                    1 for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == phrase
                )
                for weight, words in zip(WEIGHTS, column_tokens, strict=True)
            )
            if frequency:
                norm = 1.2 * (1 - 0.75 + 0.75 * size_of_row / average_row)
                score += idf * frequency * 2.2 / (frequency + norm)
        scored.append((-score, -rowid))
    return [-negative for _, negative in sorted(scored)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_engines")
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--index", type=Path, help="index folder (built when absent)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--candidates", type=int, default=200, help="tantivy top K re-ranked exactly (default 200)"
    )
    args = parser.parse_args(argv)
    directory = args.index or args.archive.with_suffix(".tantivy")
    if (directory / "meta.json").exists():
        index = open_index(directory)
        print(f"Reusing the tantivy index {directory}")
    else:
        start = time.perf_counter()
        index = build_index(args.archive, directory)
        print(f"Built the tantivy index in {time.perf_counter() - start:.0f} s")
    searcher = index.searcher()
    conn = sqlite3.connect(f"file:{args.archive}?immutable=1", uri=True)
    from archive import datasette_plugin

    datasette_plugin.prepare_connection(conn)
    facets = {
        row[0]: row[1:]
        for row in conn.execute("select rowid, source, kind, language, year, published from items")
    }
    print(f"{searcher.num_docs:,} documents\n")
    averages = fts5_averages(conn)
    print(
        "| search | matches (tantivy) | tantivy count + top 20, p50 ms | overlap "
        f"| + exact re-rank of top {args.candidates}, p50 ms | overlap | exact FTS5 bm25, ms "
        "|\n|---|---:|---:|---:|---:|---:|---:|"
    )
    tv_all, fts_all, overlaps, rr_all, rr_overlaps = [], [], [], [], []
    for params in SEARCH_PAGE_MIX:
        query = to_query(index, searcher, params)
        samples = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = searcher.search(query, 20, count=True)
            samples.append(1000 * (time.perf_counter() - start))
        shown = [searcher.doc(address)["rowid"][0] for _, address in result.hits]
        request = request_from(params)
        parsed = parse_query(request.q, load_glossary() if request.expand else None)
        reranked_ms = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            found = searcher.search(query, args.candidates, count=True)
            candidates = [searcher.doc(a)["rowid"][0] for _, a in found.hits]
            reranked = exact_rerank(conn, searcher, index, parsed, candidates, averages)[:20]
            reranked_ms.append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        exact = exact_top(conn, facets, params)
        fts_ms = 1000 * (time.perf_counter() - start)

        def overlap_of(top: list[int], exact=exact) -> float:
            return len(set(top) & set(exact)) / len(exact) if exact else float(not top)

        tv_all += samples
        rr_all += reranked_ms
        fts_all.append(fts_ms)
        overlaps.append(overlap_of(shown))
        rr_overlaps.append(overlap_of(reranked))
        print(
            f"| {_describe(params)} | {result.count:,} | {statistics.median(samples):.1f} "
            f"| {overlaps[-1]:.2f} | {statistics.median(reranked_ms):.1f} "
            f"| {rr_overlaps[-1]:.2f} | {fts_ms:.0f} |"
        )
    conn.close()
    tv50, tv95 = percentiles(tv_all)
    r50, r95 = percentiles(rr_all)
    f50, f95 = percentiles(fts_all)
    print(
        f"\ntantivy alone (count + top 20, in process): p50 {tv50:.1f} ms, p95 {tv95:.1f} ms, "
        f"top-20 overlap worst {min(overlaps):.2f}, mean {statistics.mean(overlaps):.3f}\n"
        f"tantivy top {args.candidates} re-ranked by FTS5's exact bm25 formula: p50 "
        f"{r50:.1f} ms, p95 {r95:.1f} ms, top-20 overlap worst {min(rr_overlaps):.2f}, "
        f"mean {statistics.mean(rr_overlaps):.3f}\n"
        f"baseline, same run: exact FTS5 bm25 over every match: p50 {f50:.0f} ms, "
        f"p95 {f95:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
