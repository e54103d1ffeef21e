"""Datasette plugin: what the archive's pages and canned queries need beyond Datasette.

Registered through the ``datasette`` entry point in pyproject.toml, so any Datasette
started from this project's environment has it. It adds:

* SQL functions for search: ``partnews_fts_query(text)`` turns what a person types into
  a safe FTS5 query (each word a quoted string, so "cote d'azur" or "Saint-Étienne" is
  never an FTS5 syntax error; all words must match; accents are already optional in the
  index), and ``partnews_fts_prefix(text)`` does the same with a prefix ``*`` on every
  word ("biot" finds "biotech");
* the home page's and the item page's figures (``extra_template_vars``);
* Atom and iCalendar output formats (``.atom``, ``.ics``, see archive/feeds.py);
* search snippets with their ``**`` markers shown as highlights, and titles linked to
  their item page (``render_cell``). Scraped text is always escaped first: no markup
  from a source ever reaches a page.
* a read-only front door (``asgi_wrapper``): any method but GET, HEAD and OPTIONS is
  answered 405 before it reaches Datasette, which on an immutable database answers
  some POSTs with a 500 (nothing is written, but it is an error, not a refusal);
* the chart pages ``/-/charts``, ``/-/charts/<slug>`` and ``/-/health``, the home
  page's charts (archive/charts.py), and the chart libraries they use, served from
  archive/static at ``/-/partnews-static/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import asgi_static
from markupsafe import Markup, escape

from archive import charts, search
from archive.hardening import (  # noqa: F401 (hooks registered with this plugin)
    harden_asgi,
    item_page_limits,
    limit_connection,
    limit_errors,
)
from archive.relations import SERIES_SQL, STORY_SQL
from archive.search_page import search_routes  # noqa: F401 (its hook: the /-/search page)

_WORD = re.compile(r"[^\s\"]+")
_MARKED = re.compile(r"\*\*(.+?)\*\*")
DATABASE = "partnews"
# The archive's own static files (the vendored chart libraries, archive/static/vega).
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/-/partnews-static/"


def _terms(text: str | None) -> list[str]:
    """The words searched: each once (case ignored), at most `search.MAX_TERMS`, so a
    query cannot multiply its own cost by repeating a word (issue 14)."""
    terms: dict[str, str] = {}
    for word in _WORD.findall(text or ""):
        terms.setdefault(word.casefold(), word)
    return list(terms.values())[: search.MAX_TERMS]


def snippet_of(
    title: str | None,
    summary: str | None,
    body: str | None,
    text: str | None,
    prefix: int = 0,
) -> str:
    """The canned searches' snippet, marked with ``**``: the window of the summary or body
    with most searched words, read from a bounded part of each text
    (`search.SNIPPET_TEXT_LIMIT`), so its cost does not grow with a huge body the way
    FTS5's snippet() does (issue 14). With *prefix*, a word that starts with a searched
    word is marked too."""
    words = frozenset(search.fold(w) for t in _terms(text) for w in search.tokens(t))
    row = {"summary": summary, "body": body}
    if prefix:
        starts = tuple(words)
        seen = " ".join(
            (part or "")[: search.SNIPPET_TEXT_LIMIT] for part in (title, summary, body)
        )
        words = frozenset(
            w
            for w in (search.fold(t) for part in seen.split() for t in search.tokens(part))
            if w.startswith(starts)
        )
    pieces = search.snippet(row, words)
    if not any(mark for _, mark in pieces) and title:
        # Only the title matched: it is the snippet, as FTS5's snippet() would choose.
        in_title = search.snippet({"summary": title}, words)
        if any(mark for _, mark in in_title):
            pieces = in_title
    return search.snippet_text(pieces)


def fts_query(text: str | None) -> str:
    """Quote every word; an empty search matches nothing rather than failing."""
    terms = _terms(text)
    return " ".join(f'"{t}"' for t in terms) if terms else '""'


def fts_prefix_query(text: str | None) -> str:
    terms = _terms(text)
    return " ".join(f'"{t}"*' for t in terms) if terms else '""'


@hookimpl
def prepare_connection(conn):
    conn.create_function("partnews_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("partnews_fts_prefix", 1, fts_prefix_query, deterministic=True)
    conn.create_function("partnews_snippet", 5, snippet_of, deterministic=True)


def highlight(snippet: str) -> Markup:
    """A snippet with its ``**match**`` markers as <mark>, everything else escaped."""
    escaped = str(escape(snippet))
    return Markup(_MARKED.sub(r"<mark>\1</mark>", escaped))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or table is not None or not isinstance(value, str):
        return None
    if column == "snippet":
        return highlight(value)
    if column == "title" and row is not None and "id" in row.keys() and row["id"]:
        return Markup(
            f'<a href="{datasette.urls.row(DATABASE, "items", row["id"])}">{escape(value)}</a>'
        )
    return None


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if template == "index.html":
        return _archive_overview(datasette)
    if view_name == "row" and database == DATABASE and table == "items":
        return _item_page(datasette, request)
    return None


def _archive_overview(datasette):
    async def inner():
        db = datasette.databases.get(DATABASE)
        if db is None:
            return {}
        totals = (
            await db.execute(
                "select count(*) as items, sum(kind = 'news') as news, "
                "sum(kind = 'event') as events, min(published) as first, "
                "max(published) as last from items"
            )
        ).first()
        sources = (
            await db.execute(
                "select sources.id, sources.name, sources.side, "
                "(select count(*) from items where items.source = sources.id) as items, "
                "(select max(finished) from crawl_runs where crawl_runs.source = sources.id "
                "and finish_reason = 'finished') as last_success "
                "from sources order by items desc, sources.id"
            )
        ).rows
        return {"archive": dict(totals), "archive_sources": [dict(r) for r in sources]}

    return inner


def _item_page(datasette, request):
    async def inner():
        db = datasette.databases[DATABASE]
        item_id = request.url_vars.get("pks")
        item = (await db.execute("select * from items where id = ?", [item_id])).first()
        if item is None:
            return {}
        event = (await db.execute("select * from events where item_id = ?", [item_id])).first()
        versions = (
            await db.execute(
                "select version, captured_at, content_hash, title from item_versions "
                "where item_id = ? order by version desc",
                [item_id],
            )
        ).rows
        urls = (
            await db.execute(
                "select url, relation, reason, first_seen, last_seen from item_urls "
                "where item_id = ? order by relation, url",
                [item_id],
            )
        ).rows
        source = (await db.execute("select * from sources where id = ?", [item["source"]])).first()
        story = (await db.execute(STORY_SQL, {"item_id": item_id})).rows
        # The other occurrences of a recurring event (issue 15: each its own item).
        series = (await db.execute(SERIES_SQL, {"item_id": item_id})).rows
        item = dict(item)
        for name in ("authors", "categories", "tags", "sectors", "relevance_terms"):
            item[name] = json.loads(item[name]) if item.get(name) else []
        item["paragraphs"] = [p for p in (item.get("body") or "").split("\n\n") if p.strip()]
        # A summary worth showing says something the body's opening does not repeat.
        summary, body = (
            (item.get("summary") or "").strip(),
            " ".join((item.get("body") or "").split()),
        )
        item["show_summary"] = bool(summary) and not body.startswith(" ".join(summary.split())[:60])
        return {
            "item": item,
            "event": dict(event) if event else None,
            "versions": [dict(v) for v in versions],
            # Only web links are shown as links (the pipelines keep no others; belt and braces).
            "item_urls": [dict(u) for u in urls if u["url"].startswith(("http://", "https://"))],
            "source": dict(source) if source else None,
            # The other copies and translations of this item (the item itself left out).
            "story": [dict(r) for r in story if r["id"] != item_id],
            "series": [dict(r) for r in series if r["id"] != item_id],
        }

    return inner


def _feed_title(datasette, database, query_name, table, request) -> str:
    """A canned query's title, else the table's name."""
    if query_name:
        queries = (datasette.metadata(database=database) or {}).get("queries", {})
        title = (queries.get(query_name) or {}).get("title")
        if title:
            return f"partnews: {title}"
    return f"partnews: {table or query_name or 'query'}"


def _render_atom(datasette, request, database, table, query_name, rows, columns):
    from datasette.utils.asgi import Response

    from archive.feeds import ATOM_COLUMNS, atom_feed
    from archive.hardening import unsupported_feed

    refusal = unsupported_feed("atom", columns, ATOM_COLUMNS)
    if refusal is not None:
        return refusal
    body = atom_feed(
        [dict(zip(columns, row, strict=False)) for row in rows],
        title=_feed_title(datasette, database, query_name, table, request),
        feed_url=str(request.url),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _render_ics(datasette, request, database, table, query_name, rows, columns):
    from datasette.utils.asgi import Response

    from archive.feeds import ICS_COLUMNS, ics_calendar
    from archive.hardening import unsupported_feed

    refusal = unsupported_feed("ics", columns, ICS_COLUMNS)
    if refusal is not None:
        return refusal
    body = ics_calendar(
        [dict(zip(columns, row, strict=False)) for row in rows],
        name=_feed_title(datasette, database, query_name, table, request),
    )
    return Response(body, content_type="text/calendar; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    from archive.feeds import ATOM_COLUMNS, ICS_COLUMNS

    return [
        {
            "extension": "atom",
            "render": _render_atom,
            "can_render": lambda columns: ATOM_COLUMNS <= set(columns),
        },
        {
            "extension": "ics",
            "render": _render_ics,
            "can_render": lambda columns: ICS_COLUMNS <= set(columns),
        },
    ]


@hookimpl
def register_routes():
    return [
        (r"^/-/charts$", charts.charts_page),
        (r"^/-/charts/(?P<slug>[a-z0-9-]+)$", charts.chart_page),
        (r"^/-/health$", charts.health_page),
        (rf"^{STATIC_PREFIX}(?P<path>.*)$", asgi_static(STATIC_DIR)),
    ]


# A second extra_template_vars (pluggy's specname), so the home page's charts stay apart
# from its figures.
@hookimpl(specname="extra_template_vars")
def chart_template_vars(template, datasette):
    if template != "index.html" or datasette.databases.get(DATABASE) is None:
        return None

    async def inner():
        return {"archive_charts": await charts.archive_charts(datasette)}

    return inner


READ_METHODS = ("GET", "HEAD", "OPTIONS")
_READ_ONLY_BODY = (
    b"This archive is read-only: only GET and HEAD requests are served.\n"
    b"To work with the data, download it: every page links its CSV and JSON.\n"
)


@hookimpl
def asgi_wrapper(datasette):
    """Refuse every write method with 405 Method Not Allowed and an Allow header.

    The archive has no write path: Datasette serves it immutable, and no plugin writes.
    Datasette 0.65.5 still routes a POST to a table or row page of an immutable
    database into code that fails with a 500 (tests/test_reliability_serving.py); a
    refusal at the door gives a clear answer for every path at once.
    """

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"allow", ", ".join(READ_METHODS).encode()),
                            (b"content-type", b"text/plain; charset=utf-8"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": _READ_ONLY_BODY})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
