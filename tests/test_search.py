"""The search page /-/search and its exports, through Datasette's real app on the crawled
mirror; the query parser and the glossary on their own. Expected answers come from the
archive's rows read in Python (words folded as FTS5 folds them), never from the page."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata

import feedparser
import pytest

from archive.glossary import load_glossary, parse_glossary
from archive.publish import datasette_app
from archive.search import (
    MAX_TERMS,
    SearchRequest,
    parse_query,
    ranked_rowids,
    snippet,
    snippet_text,
)


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(row: dict) -> set[str]:
    text = " ".join(row[c] or "" for c in ("title", "summary", "body"))
    return set(re.findall(r"[^\W_]+", fold(text)))


def text_form(row: dict) -> str:
    text = " ".join(row[c] or "" for c in ("title", "summary", "body"))
    return " " + " ".join(re.findall(r"[^\W_]+", fold(text))) + " "


@pytest.fixture(scope="module")
def db(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def items(db):
    return [dict(r) for r in db.execute("select rowid, * from items")]


@pytest.fixture
def ds(crawled_archive):
    return datasette_app(crawled_archive)


RESULT_ID = re.compile(r'class="result-title" href="/partnews/items/([0-9a-f]+)"')
COUNT = re.compile(r'id="search-count"><strong>([\d,]+)</strong>')


async def page(ds, **params) -> str:
    response = await ds.client.get("/-/search", params=params)
    assert response.status_code == 200, response.text[:500]
    return response.text


async def every_page(ds, **params) -> tuple[int, list[str]]:
    """The count the first page states, and the ids of every page, followed by its
    "next" links until there is none."""
    html = await page(ds, **params)
    total = int(COUNT.search(html).group(1).replace(",", ""))
    ids = RESULT_ID.findall(html)
    while (found := re.search(r'<a rel="next" href="([^"]+)"', html)) is not None:
        response = await ds.client.get(found.group(1).replace("&amp;", "&"))
        html = response.text
        ids += RESULT_ID.findall(html)
    return total, ids


# The query ------------------------------------------------------------------------------


def test_terms_are_quoted_deduplicated_and_capped():
    parsed = parse_query('Côte cote COTE "d\'azur" saint-etienne a)b*')
    assert parsed.match() == '"côte" AND "d azur" AND "saint etienne" AND "a b"'
    many = parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 3)))
    assert len(many.terms) == MAX_TERMS and many.dropped == ("w8", "w9", "w10")
    assert not parse_query("  --  ") and parse_query("").match() == ""


def test_glossary_expands_the_longest_phrase_into_the_other_language():
    glossary = parse_glossary(
        '[[entry]]\nen = ["trade mission"]\nfr = ["mission économique"]\n'
        '[[entry]]\nen = ["mission"]\nfr = ["mission", "missions"]\n'
    )
    parsed = parse_query("Trade Mission marseille", glossary)
    assert parsed.expanded == [("trade mission", ["mission economique"])]
    assert parsed.match() == '(("trade" AND "mission") OR "mission economique") AND "marseille"'
    # Without the glossary, the same words are plain required terms.
    assert parse_query("Trade Mission", None).match() == '"trade" AND "mission"'


def test_the_shipped_glossary_links_the_issue_examples():
    glossary = load_glossary()
    for english, french in [
        ("sister city", "jumelage"),
        ("biotech", "biotechnologies"),
        ("trade mission", "mission economique"),
    ]:
        for typed, other in ((english, french), (french, english)):
            alternatives = parse_query(typed, glossary).expanded[0][1]
            assert other in alternatives, (typed, alternatives)


def test_snippet_marks_the_words_from_bounded_text():
    body = "word " * 3000 + "Le (Jumelage) signé. " + "fin " * 10
    pieces = snippet({"summary": "", "body": body}, frozenset({"jumelage"}))
    assert ("Jumelage", True) in pieces
    assert "**Jumelage**" in snippet_text(pieces)
    far = {"summary": "", "body": "word " * 30_000 + "jumelage"}
    assert not any(mark for _, mark in snippet(far, frozenset({"jumelage"})))


# The page -------------------------------------------------------------------------------


async def test_count_pages_and_facets_cover_every_match(ds, items):
    expected = {r["id"] for r in items if {"san", "diego"} <= words(r)}
    total, ids = await every_page(ds, q="san diego", expand="off")
    assert total == len(expected) and len(expected) > 20, "more than one page"
    assert len(ids) == len(set(ids)) and set(ids) == expected
    html = await page(ds, q="san diego", expand="off")
    for source in {r["source"] for r in items if r["id"] in expected}:
        count = sum(1 for r in items if r["id"] in expected and r["source"] == source)
        assert re.search(
            rf'source={source}[^"]*">[^<]+</a> <span class="count">{count}</span>', html
        ), source


async def test_filters_restrict_before_ranking(ds, items):
    expected = {
        r["id"]
        for r in items
        if "marseille" in words(r) and r["language"] == "fr" and (r["published"] or "") >= "2020"
    }
    total, ids = await every_page(ds, q="Marseille", language="fr", **{"from": "2020-01-01"})
    assert expected and total == len(expected) and set(ids) == expected


async def test_relevance_order_is_bm25_over_all_matches_and_dates_sort(ds, db, items):
    parsed = parse_query("provence", None)
    exact = [r for r, _ in ranked_rowids(db, parsed, SearchRequest(q="provence"), None)]
    by_rowid = {r["rowid"]: r["id"] for r in items}
    _, ids = await every_page(ds, q="provence", expand="off")
    assert ids == [by_rowid[r] for r in exact]
    _, newest = await every_page(ds, q="provence", expand="off", sort="newest")
    dates = {r["id"]: r["published"] or "" for r in items}
    assert [dates[i] for i in newest] == sorted((dates[i] for i in newest), reverse=True)
    assert set(newest) == set(ids)


async def test_the_page_keeps_the_query_and_links_each_result(ds, items):
    html = await page(ds, q="cote d'azur")
    assert 'value="cote d&#39;azur"' in html
    first = RESULT_ID.findall(html)[0]
    item = next(r for r in items if r["id"] == first)
    assert item["title"].replace("'", "&#39;") in html
    assert "<mark>" in html
    response = await ds.client.get(f"/partnews/items/{first}")
    assert response.status_code == 200


async def test_english_finds_french_with_the_glossary_and_says_so(ds, items):
    french_twinning = {r["id"] for r in items if "jumelage" in words(r) and r["language"] == "fr"}
    assert french_twinning
    _, expanded = await every_page(ds, q="sister city")
    _, typed = await every_page(ds, q="sister city", expand="off")
    assert french_twinning <= set(expanded)
    assert not french_twinning & set(typed)
    assert set(typed) < set(expanded)
    assert 'id="search-expanded"' in await page(ds, q="sister city")
    html = await page(ds, q="sister city", expand="off")
    assert 'id="search-unexpanded"' in html and 'id="search-expanded"' not in html


async def test_no_results_says_what_to_try(ds):
    html = await page(ds, q="zzzunknownword", source="sdfacc")
    assert 'id="no-results"' in html
    assert "Search again without the filters" in html and "search_prefix?q=zzzunknownword" in html


async def test_exports_stream_every_match_in_page_order(ds, items):
    _, ids = await every_page(ds, q="provence", expand="off")
    response = await ds.client.get("/-/search.csv", params={"q": "provence", "expand": "off"})
    assert response.headers["content-type"].startswith("text/csv")
    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in exported] == ids and len(ids) > 20
    response = await ds.client.get("/-/search.json", params={"q": "provence", "expand": "off"})
    document = json.loads(response.text)
    assert document["total"] == len(ids) and [r["id"] for r in document["rows"]] == ids
    assert all("**" in r["snippet"] or r["snippet"] for r in document["rows"])


async def test_atom_of_a_search(ds, items):
    response = await ds.client.get("/-/search.atom", params={"q": "Marseille", "language": "fr"})
    feed = feedparser.parse(response.content)
    expected = {r["url"] for r in items if "marseille" in words(r) and r["language"] == "fr"}
    assert not feed.bozo and {e.link for e in feed.entries} == expected


async def test_canned_search_filters_before_it_limits(ds, items):
    """The SQL form keeps working, and a filter no longer loses matches to a cut."""
    response = await ds.client.get(
        "/partnews/search.json", params={"q": "Marseille", "language": "fr", "_shape": "array"}
    )
    expected = {r["id"] for r in items if "marseille" in words(r) and r["language"] == "fr"}
    assert {r["id"] for r in response.json()} == expected


async def test_items_table_page_shows_rows_before_column_descriptions(ds):
    html = (await ds.client.get("/partnews/items")).text
    details = html.index('<details class="partnews-columns"')
    assert html.count("<dt>title_sort</dt>") == 1, "descriptions listed once"
    assert details < html.index("<dt>title_sort</dt>")
    assert "What each of the" in html
    # The rows come before any column description a reader would have to scroll past.
    assert html.index('<table class="rows-and-columns"') > details
    assert re.search(r"<details[^>]*partnews-columns[^>]*>\s*<summary>", html)
    assert "open" not in html[details : details + 60]


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "'; DROP TABLE items; --", '"a"*'])
async def test_hostile_queries_are_text(ds, query):
    response = await ds.client.get("/-/search", params={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert 'id="no-results"' in response.text or 'id="search-count"' in response.text
