"""The search index (archive/search_index.py) ranks exactly as FTS5 does, stays in step
with the archive, and survives a killed build.

The archive is bench/bench_archive.py's generated one at 4,000 items (its texts draw on
a Zipf vocabulary, so common words match most items, as on the real archive), indexed
by the real tantivy. The oracle is the same search run by FTS5 on the same file:
archive.search.run_search without the index.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from archive import search_index
from archive.glossary import load_glossary
from archive.publish import datasette_app
from archive.search import RESULT_ENGINE_INDEX, SearchRequest, parse_query, request_from, run_search
from tests.crawling import REPO_ROOT

SEARCHES = [
    {"q": "the"},
    {"q": "de"},
    {"q": "San Diego"},
    {"q": "programme"},
    {"q": "biotech Marseille"},
    {"q": "économie bleue"},  # the glossary adds phrases ORed with the typed words
    {"q": "sister cities"},
    {"q": "provence", "source": "city_of_san_diego"},
    {"q": "region", "language": "de"},
    {"q": "the", "language": "en", "year": "2019"},
    {"q": "San Diego", "kind": "event"},
    {"q": "de", "source": "region_sud", "from": "2020-01-01"},
    {"q": "innovation", "to": "2015-12-31"},
    {"q": "innovation", "expand": "off"},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from bench.bench_archive import build_archive

    path = tmp_path_factory.mktemp("indexed") / "partnews.db"
    build_archive(path, 4_000)
    search_index.build(path)
    return path


@pytest.fixture
def conn(archive):
    connection = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    yield connection
    connection.close()


def both(conn, archive, params: dict, page: int = 1):
    """The same search by the index and by FTS5 alone."""
    request = request_from({**params, "page": str(page)})
    glossary = load_glossary()
    index = search_index.in_step(archive, conn, {})
    assert index is not None
    with_index = run_search(conn, request, glossary, index=index)
    plain = run_search(conn, request, glossary)
    return with_index, plain


def rows(result) -> list[tuple[str, float]]:
    return [(row["id"], row["score"]) for row in result.rows]


@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: " ".join(p.values()))
def test_the_index_gives_fts5s_count_facets_and_exact_order(conn, archive, params):
    indexed, plain = both(conn, archive, params)
    assert indexed.engine == RESULT_ENGINE_INDEX
    assert plain.engine != RESULT_ENGINE_INDEX
    assert indexed.total == plain.total > 0
    assert indexed.facets == plain.facets
    assert [i for i, _ in rows(indexed)] == [i for i, _ in rows(plain)]
    for (_, a), (_, b) in zip(rows(indexed), rows(plain), strict=True):
        assert a == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize("params", [{"q": "the"}, {"q": "économie bleue"}], ids=["the", "eco"])
def test_later_and_last_pages_are_exact_too(conn, archive, params):
    first, _ = both(conn, archive, params)
    for page in (2, 7, first.pages):
        indexed, plain = both(conn, archive, params, page)
        assert [i for i, _ in rows(indexed)] == [i for i, _ in rows(plain)], page
        assert indexed.rows, page


def test_too_few_candidates_grow_until_the_order_is_proven(conn, archive):
    handle = search_index.in_step(archive, conn, {})
    request = request_from({"q": "region"})
    parsed = parse_query(request.q, load_glossary())
    runner = search_index.plan(handle, parsed, request)
    total, order = search_index.ranked(handle, conn, runner, 60, candidates=10)
    plain = run_search(conn, SearchRequest(q="region", size=60), load_glossary())
    assert total == plain.total > 60
    assert [r for r, _ in order[:60]] == [row["rowid"] for row in plain.rows]


def test_an_unprovable_order_falls_back_to_fts5_and_says_so(conn, archive, monkeypatch):
    monkeypatch.setattr(search_index, "MAX_CANDIDATES", 30)
    indexed, plain = both(conn, archive, {"q": "the"}, page=3)
    assert indexed.engine.startswith("FTS5 (") and "could not be proven" in indexed.engine
    assert rows(indexed) == rows(plain)


def test_a_changed_archive_is_searched_by_fts5_until_the_index_is_rebuilt(archive, tmp_path):
    from archive.store import Archive

    copy = tmp_path / "partnews.db"
    shutil.copy(archive, copy)
    shutil.copytree(search_index.index_root(archive), search_index.index_root(copy))
    check = sqlite3.connect(copy)
    assert search_index.in_step(copy, check, {}) is not None
    store = Archive(copy)
    assert store.rebuild_search_index()["state"] == "current"
    item = next(
        store.db["items"].rows_where(limit=1, select="id, source, kind, url, title, language")
    )
    item.update(body="A new paragraph about Zyxquorp, a word no other item has.")
    store.save_item(item)
    assert search_index.in_step(copy, check, {}) is None
    result = run_search(check, request_from({"q": "Zyxquorp"}), None, index=None)
    assert result.total == 1
    outcome = store.rebuild_search_index()
    store.close()
    assert outcome["state"] == "built"
    index = search_index.in_step(copy, check, {})
    assert index is not None
    found = run_search(check, request_from({"q": "Zyxquorp"}), None, index=index)
    assert (found.engine, found.total) == (RESULT_ENGINE_INDEX, 1)
    check.close()


def test_a_killed_build_leaves_the_last_complete_index_live(archive, tmp_path):
    copy = tmp_path / "partnews.db"
    shutil.copy(archive, copy)
    first = search_index.build(copy)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    build = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from archive import search_index; search_index.build({str(copy)!r})",
        ],
        env=env,
    )
    root = search_index.index_root(copy)
    deadline = time.monotonic() + 60
    while len([p for p in root.iterdir() if p.is_dir()]) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert search_index.current_folder(copy) == first
    conn = sqlite3.connect(copy)
    assert search_index.in_step(copy, conn, {}) is not None
    second = search_index.build(copy)
    assert search_index.current_folder(copy) == second
    assert [p for p in root.iterdir() if p.is_dir()] == [second]
    conn.close()


async def test_the_search_page_uses_the_index_and_says_so(conn, archive):
    ds = datasette_app(archive)
    response = await ds.client.get("/-/search", params={"q": "Marseille"})
    assert response.status_code == 200
    assert "found with the archive&#39;s search index" in response.text or (
        "found with the archive's search index" in response.text
    )
    plain = run_search(conn, request_from({"q": "Marseille"}), load_glossary())
    shown = [
        line.split("/partnews/items/")[1].split('"')[0]
        for line in response.text.split('class="result-title" href="')[1:]
        if "/partnews/items/" in line
    ]
    assert shown == [row["id"] for row in plain.rows]


def test_the_cli_reports_and_builds_the_index(archive, tmp_path):
    copy = tmp_path / "partnews.db"
    shutil.copy(archive, copy)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "partnews.cli", "search-index", *args, "--archive", str(copy)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )

    missing = cli("status")
    assert missing.returncode == 1 and '"state": "missing"' in missing.stdout
    assert "partnews search-index build" in missing.stderr
    built = cli("build")
    assert built.returncode == 0, built.stderr
    assert "Search index rebuilt" in built.stderr
    assert cli("status").returncode == 0
    again = cli("build")
    assert again.returncode == 0 and "already in step" in again.stderr


def test_glossary_phrases_are_tokens_counted_at_every_start():
    starts = {"a": [("a", "a")], "blue": [("blue", "economy")]}
    column = ["a", "a", "a", "blue", "economy", "blue"]
    assert search_index.phrase_tokens(column, starts) == ["a_a", "a_a", "blue_economy"]
    assert search_index.phrase_tokens(["economy", "blue"], starts) == []


def test_an_index_built_with_another_glossary_is_not_in_step(archive, conn, monkeypatch):
    assert search_index.in_step(archive, conn, {}) is not None
    monkeypatch.setattr(search_index, "glossary_phrases", lambda: (("villes", "soeurs"),))
    assert search_index.in_step(archive, conn, {}) is None


def test_a_row_whose_words_outnumber_fts5s_tokens_keeps_the_index_out(archive, tmp_path):
    """A decomposed accent splits a word for Python but not for FTS5 (the pipelines
    store NFC, so this is a guard): that row's length cannot be FTS5's, the order could
    not be proven, so the build records it and the search uses FTS5."""
    from archive.store import Archive

    copy = tmp_path / "partnews.db"
    shutil.copy(archive, copy)
    store = Archive(copy)
    item = next(
        store.db["items"].rows_where(limit=1, select="id, source, kind, url, title, language")
    )
    item.update(title="Cafe\u0301 cre\u0300me bru\u0302le\u0301e", body="", summary=None)
    store.save_item(item)
    assert store.rebuild_search_index()["state"] == "built"
    store.close()
    folder = search_index.current_folder(copy)
    assert search_index.open_index(folder).meta["length_mismatches"]
    conn = sqlite3.connect(copy)
    assert search_index.in_step(copy, conn, {}) is None
    conn.close()


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize(
    "params", [{"q": "the"}, {"q": "provence", "source": "city_of_san_diego"}], ids=["the", "src"]
)
def test_date_sorts_page_as_fts5_does(conn, archive, sort, params):
    first, plain = both(conn, archive, {**params, "sort": sort})
    assert first.engine == RESULT_ENGINE_INDEX
    assert first.total == plain.total and first.facets == plain.facets
    for page in (1, 2, first.pages):
        indexed, plain = both(conn, archive, {**params, "sort": sort}, page)
        assert [r["id"] for r in indexed.rows] == [r["id"] for r in plain.rows], page
        assert indexed.rows, page
