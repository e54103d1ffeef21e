"""The search page, ``/-/search``, and its exports: the archive's search for people.

A template of its own (archive/templates/search.html), not Datasette's SQL form: the
query box keeps the query, each result shows its title linked to its item page, date,
source, kind, language and a snippet with the searched words marked; filters are
choices with counts from the matching set; pages are numbered; the same search is
offered as JSON and CSV (every match, streamed) and Atom (the newest 100). It works
without JavaScript. The search itself is archive/search.py, run on Datasette's read
connection under its ``sql_time_limit_ms``; archive/datasette_plugin.py imports this
module so that its hooks are registered.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from pathlib import Path
from typing import Any

from datasette import hookimpl

from archive import search, search_index
from archive.glossary import load_glossary

DATABASE = "partnews"
PATH = "/-/search"
EXPORT_COLUMNS = (
    "position",
    "id",
    "title",
    "source",
    "kind",
    "language",
    "published",
    "url",
    "score",
    "snippet",
)
FACET_LABELS = {"source": "Source", "kind": "Kind", "language": "Language", "year": "Year"}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German"}
# Filters kept in links, by URL parameter, and the request attribute each one sets.
PARAMS = {
    "q": "q",
    "source": "source",
    "kind": "kind",
    "language": "language",
    "year": "year",
    "from": "date_from",
    "to": "date_to",
    "sort": "sort",
}
ATOM_ITEMS = 100
# Pages after the first of a search reuse its count, facets and order (the archive is
# served immutable), so paging to the last match costs a slice, not a new ranking.
_MEMOS: dict[tuple, search.Memo] = {}
# The open search index of the served archive (archive/search_index.py), by folder.
_INDEXES: dict[str, search_index.Handle] = {}


def _memo(db) -> search.Memo:
    """The memo of one served archive file (a file replaced on disk gets a new one)."""
    path = Path(db.path).resolve() if db.path else None
    key = (str(path), path.stat().st_mtime_ns if path and path.exists() else 0)
    if key not in _MEMOS:
        if len(_MEMOS) > 8:
            _MEMOS.clear()
        _MEMOS[key] = search.Memo()
    return _MEMOS[key]


def query_string(request: search.SearchRequest, **changes: Any) -> str:
    """The URL query of ``request`` with ``changes`` (None removes a parameter); the
    defaults (page 1, relevance, expansion on) are left out, so links stay short."""
    values = {param: getattr(request, attr) for param, attr in PARAMS.items()}
    values["page"] = request.page
    values["expand"] = "" if request.expand else "off"
    values.update(changes)
    kept = {
        k: v
        for k, v in values.items()
        if v not in (None, "")
        and not (k == "page" and v == 1)
        and not (k == "sort" and v == "relevance")
    }
    return urllib.parse.urlencode(kept)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last, and ``around`` either side of the
    current one; None marks a gap."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


async def _sources(db) -> dict[str, str]:
    rows = (await db.execute("select id, name from sources")).rows
    return {r["id"]: r["name"] or r["id"] for r in rows}


def _time_limit(datasette) -> int:
    return int(datasette.setting("sql_time_limit_ms") or search.DEFAULT_TIME_LIMIT_MS)


def _label(facet: str, value: str, names: dict[str, str]) -> str:
    if facet == "source":
        return names.get(value, value)
    if facet == "language":
        return LANGUAGE_NAMES.get(value, value)
    return value


def page_context(result: search.SearchResult, names: dict[str, str], base: str) -> dict:
    """What search.html shows, with every link made here (the template only prints)."""
    request = result.request

    def link(**changes: Any) -> str:
        query = query_string(request, **changes)
        return f"{base}?{query}" if query else base

    facets = []
    for name in search.FACETS:
        chosen = getattr(request, name)
        values = [
            {
                "label": _label(name, value, names),
                "count": count,
                "href": link(**{name: value, "page": 1}),
                "selected": value == chosen,
            }
            for value, count in result.facets.get(name, [])
        ]
        facets.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "values": values,
                "chosen": _label(name, chosen, names) if chosen else "",
                "remove": link(**{name: None, "page": 1}),
            }
        )
    pages = result.pages
    rows = []
    for row in result.rows:
        rows.append(
            {
                **row,
                "source_name": row.get("source_name") or row["source"],
                "language_name": LANGUAGE_NAMES.get(row["language"], row["language"]),
            }
        )
    exports = {fmt: f"{base}.{fmt}?{query_string(request, page=None)}" for fmt in ("json", "csv")}
    exports["atom"] = f"{base}.atom?{query_string(request, page=None, sort=None)}"
    return {
        "search": request,
        "parsed": result.parsed,
        "total": result.total,
        "engine": result.engine,
        "rows": rows,
        "first": request.offset + 1,
        "last_shown": request.offset + len(result.rows),
        "pages": pages,
        "page_links": [
            {"number": n, "href": link(page=n) if n else None, "current": n == request.page}
            for n in page_numbers(request.page, pages)
        ],
        "previous": link(page=request.page - 1) if request.page > 1 else None,
        "next": link(page=request.page + 1) if request.page < pages else None,
        "facets": facets,
        "sorts": [
            {"value": s, "label": label, "href": link(sort=s, page=1), "current": s == request.sort}
            for s, label in zip(
                search.SORTS, ("most relevant", "newest first", "oldest first"), strict=True
            )
        ],
        "expanded": result.parsed.expanded,
        "unexpanded": link(expand="off", page=1),
        "reexpanded": link(expand=None, page=1),
        "dropped": result.parsed.dropped,
        "exports": exports,
        "filtered": any(getattr(request, a) for a in search.FACETS + ("date_from", "date_to")),
        "clear_filters": link(**{p: None for p in PARAMS if p not in ("q", "sort")}, page=1),
        "max_terms": search.MAX_TERMS,
    }


async def search_view(datasette, request):
    """/-/search (HTML), /-/search.json and .csv (every match), /-/search.atom."""
    from datasette.utils.asgi import NotFound, Response

    db = datasette.databases.get(DATABASE)
    if db is None:
        raise NotFound("No archive is served")
    fmt = request.url_vars.get("format") or ""
    wanted = search.request_from(request.args)
    glossary = load_glossary()
    limit_ms = _time_limit(datasette)
    if fmt in (".json", ".csv"):
        return _export(db, wanted, glossary, limit_ms, fmt[1:])
    if fmt == ".atom":
        return await _atom(datasette, db, request, wanted, glossary, limit_ms)
    names = await _sources(db)
    memo = _memo(db)
    context: dict[str, Any] = {"search": wanted, "interrupted": False, "names": names}
    try:
        result = await db.execute_fn(
            lambda conn: search.run_search(
                conn,
                wanted,
                glossary,
                time_limit_ms=limit_ms,
                memo=memo,
                index=search_index.in_step(db.path, conn, _INDEXES),
            )
        )
        context.update(page_context(result, names, datasette.urls.path(PATH)))
    except search.SearchInterrupted:
        context["interrupted"] = True
        context["parsed"] = search.parse_query(wanted.q, glossary if wanted.expand else None)
    context.update(
        metadata=datasette.metadata(),
        limit_ms=limit_ms,
        item_base=datasette.urls.table(DATABASE, "items"),
        prefix_search=datasette.urls.database(DATABASE) + "/search_prefix",
        canned_search=datasette.urls.database(DATABASE) + "/search",
        path=datasette.urls.path(PATH),
    )
    html = await datasette.render_template("search.html", context, request=request)
    return Response.html(html, status=503 if context["interrupted"] else 200)


def _export_row(row: dict) -> dict:
    out = {c: row.get(c) for c in EXPORT_COLUMNS}
    out["snippet"] = search.snippet_text(row["snippet"])
    return out


def _export(db, wanted: search.SearchRequest, glossary, limit_ms: int, fmt: str):
    """Every match, in the page's order, streamed: the order is one statement, then
    rows are read and written a chunk at a time."""
    from datasette.utils.asgi import AsgiStream

    async def stream(response):
        try:
            parsed, order = await db.execute_fn(
                lambda conn: search.match_order(conn, wanted, glossary, time_limit_ms=limit_ms)
            )
        except search.SearchInterrupted:
            await response.write("error: the search took longer than the time limit\n")
            return
        writer_buffer = io.StringIO()
        writer = csv.DictWriter(writer_buffer, fieldnames=EXPORT_COLUMNS)
        if fmt == "csv":
            writer.writeheader()
        else:
            head = {
                "q": wanted.q,
                "match": parsed.match() if parsed else "",
                "expanded": dict(parsed.expanded),
                "total": len(order),
            }
            writer_buffer.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
        first = True
        for start in range(0, len(order), search.EXPORT_CHUNK):
            part = order[start : start + search.EXPORT_CHUNK]
            rows = await db.execute_fn(
                lambda conn, part=part, start=start: search.rows_in_order(
                    conn, parsed, part, start, time_limit_ms=limit_ms
                )
            )
            for row in rows:
                if fmt == "csv":
                    writer.writerow(_export_row(row))
                else:
                    writer_buffer.write(("" if first else ",") + "\n")
                    writer_buffer.write(json.dumps(_export_row(row), ensure_ascii=False))
                    first = False
            await response.write(writer_buffer.getvalue())
            writer_buffer.seek(0)
            writer_buffer.truncate()
        if fmt == "json":
            writer_buffer.write("\n]}\n")
        await response.write(writer_buffer.getvalue())

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    headers = {}
    if fmt == "csv":
        headers["content-disposition"] = 'attachment; filename="partnews-search.csv"'
    return AsgiStream(stream, headers=headers, content_type=content_type)


async def _atom(datasette, db, request, wanted, glossary, limit_ms: int):
    """The search's newest matches (by first archived) as an Atom feed."""
    from datasette.utils.asgi import Response

    from archive.feeds import atom_feed

    def newest(conn):
        return search.newest_matches(conn, wanted, glossary, ATOM_ITEMS, time_limit_ms=limit_ms)

    try:
        rows = await db.execute_fn(newest)
    except search.SearchInterrupted:
        return Response.text("The search took longer than the time limit.\n", status=503)
    body = atom_feed(
        rows,
        title=f"partnews: search for {wanted.q}" if wanted.q else "partnews: search",
        feed_url=str(request.url),
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl(specname="register_routes")
def search_routes():
    return [(r"^/-/search(?P<format>\.json|\.csv|\.atom)?$", search_view)]
