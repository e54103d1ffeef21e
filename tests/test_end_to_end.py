"""End to end: mirror → `partnews crawl` → archive file → Datasette's real app.

The expected answers are computed from the archive's rows in Python (casefolded,
accents removed), an independent path from SQLite's FTS5 and Datasette's facets.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import unicodedata

import pytest
from datasette.app import Datasette

from archive.publish import datasette_app


def fold(text: str | None) -> str:
    """Lower case without accents, as the FTS index's tokenizer sees words."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def archive_path(crawled_archive):
    return crawled_archive


@pytest.fixture(scope="module")
def rows(archive_path):
    conn = sqlite3.connect(archive_path)
    conn.row_factory = sqlite3.Row
    items = [dict(r) for r in conn.execute("select * from items")]
    conn.close()
    return items


@pytest.fixture
def ds(archive_path) -> Datasette:
    return datasette_app(archive_path)


def containing(rows, word: str) -> set[str]:
    """Ids of the rows with this word in a searchable column (words as unicode61 cuts them)."""
    word = fold(word)
    return {
        r["id"]
        for r in rows
        if any(word in re.findall(r"\w+", fold(r[col])) for col in ("title", "summary", "body"))
    }


async def search(ds: Datasette, q: str) -> list[dict]:
    response = await ds.client.get("/partnews/search.json", params={"q": q, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_archive_holds_both_sources_news_and_events(rows):
    by_source_kind = {(r["source"], r["kind"]) for r in rows}
    assert ("sdfacc", "news") in by_source_kind
    assert ("sdfacc", "event") in by_source_kind
    assert ("provence_promotion", "news") in by_source_kind
    assert len(rows) >= 40


async def test_search_provence_returns_every_matching_item_best_first(ds, rows):
    results = await search(ds, "Provence")
    expected = containing(rows, "provence")
    assert expected, "the mirror has items about Provence"
    assert {r["id"] for r in results} == expected
    ranks = [r["rank"] for r in results]
    assert ranks == sorted(ranks), "bm25 ranks come best (lowest) first"
    assert "provence" in fold(results[0]["title"]), "a title match ranks first"
    assert all("**" in r["snippet"] for r in results), "snippets mark the matches"


async def test_accent_free_search_finds_accented_items(ds, rows):
    accented = {r["id"] for r in rows if "côte" in (r["title"] or "").casefold()}
    assert accented, "the mirror has titles with 'Côte'"
    found = {r["id"] for r in await search(ds, "cote")}
    assert accented <= found
    assert found == containing(rows, "cote")


async def test_search_input_is_never_fts_syntax(ds):
    for q in ("cote d'azur", '"unbalanced', "AND OR NOT", "saint-etienne*", "()"):
        response = await ds.client.get("/partnews/search.json", params={"q": q})
        assert response.status_code == 200, (q, response.text)


async def test_facet_counts_match_the_rows(ds, rows):
    response = await ds.client.get(
        "/partnews/items.json", params={"_facet": ["source", "kind", "year"], "_size": 0}
    )
    facets = response.json()["facet_results"]
    for name in ("source", "kind", "year"):
        counted = {}
        for r in rows:
            if r[name] is not None:
                counted[r[name]] = counted.get(r[name], 0) + 1
        shown = {f["value"]: f["count"] for f in facets[name]["results"]}
        top = dict(sorted(counted.items(), key=lambda kv: -kv[1])[: len(shown)])
        assert shown == {k: counted[k] for k in shown}, name
        assert sum(shown.values()) == sum(top.values()), name


async def test_json_and_csv_exports_return_every_item(ds, rows):
    response = await ds.client.get(
        "/partnews/items.json", params={"_shape": "array", "_size": "max"}
    )
    assert {r["id"] for r in response.json()} == {r["id"] for r in rows}
    response = await ds.client.get("/partnews/items.csv", params={"_stream": "on"})
    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["id"] for r in exported} == {r["id"] for r in rows}
    assert {r["title"] for r in exported} == {r["title"] for r in rows}


async def test_items_are_sorted_newest_first_by_default(ds):
    response = await ds.client.get("/partnews/items.json", params={"_shape": "array"})
    published = [r["published"] for r in response.json() if r["published"]]
    assert published == sorted(published, reverse=True)


async def test_the_archive_is_served_read_only(ds):
    response = await ds.client.post("/partnews/items/-/insert", json={"row": {"id": "x"}})
    assert response.status_code in (403, 404, 405)
