"""Public-archive hardening: bounded work per request, no leaks, no poisoning, safe CSV.

The archive is published to anyone on the internet (issue 14). Datasette cuts a query
after ``sql_time_limit_ms``, but it checks the clock every 1,000 SQLite steps, so one
step that runs long escapes the limit; this module bounds what one step can do, and
closes what a public archive should not answer. Its Datasette hooks (registered from
archive/datasette_plugin.py) are:

* ``prepare_connection`` (`limit_connection`): on every SQLite connection, a value may
  not exceed `MAX_VALUE_BYTES` (``randomblob(900000000)`` fails at once instead of
  running 161 s), a LIKE/GLOB pattern `MAX_LIKE_PATTERN_BYTES`, an SQL text
  `MAX_SQL_BYTES`; ``printf``/``format`` are refused (their width runs one step for
  seconds whatever the length limit: measured 10 s for a width of 900,000,000), and
  ``instr`` is replaced by Python's linear-time search (SQLite's is quadratic: 8 s on
  two strings of 1 MB); ``pragma_database_list`` answers no file path;
* ``asgi_wrapper`` (`harden_asgi`): debug and introspection pages answer 404, links are
  built from the configured base URL instead of the request's Host header (or, with no
  base URL, the Host is checked and ``Vary: Host`` set), and every ``.csv`` answer is
  rewritten cell by cell so that no cell is a live spreadsheet formula
  (archive/safe_csv.py);
* ``extra_template_vars`` (`item_page_limits`): the item page says when an item's text
  was shortened to the pipeline's limit (pipelines/normalize.py ``TEXT_LIMITS``).

`unsupported_feed` is the ``.atom``/``.ics`` renderers' 400 for a query without the feed
columns.
"""

from __future__ import annotations

import os
import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

from datasette import hookimpl

from archive.safe_csv import CsvRewriter

# Above the longest text the pipelines store (100,000 characters, at most 4 bytes each
# in UTF-8), far below what makes one step slow.
MAX_VALUE_BYTES = 1_000_000
# A search phrase, not a program: `__contains`, `__like` and LIKE in SQL cost up to the
# text's length times the pattern's, per row.
MAX_LIKE_PATTERN_BYTES = 100
# The canned queries are under 4,000 characters; a URL cannot carry much more.
MAX_SQL_BYTES = 50_000
# SQL functions refused at prepare time (the query is answered 400 "not authorized").
REFUSED_FUNCTIONS = frozenset({"printf", "format"})

BASE_URL_ENV = "PARTNEWS_BASE_URL"

# Datasette's debug and introspection pages: what a public archive must not show (the
# archive's absolute path in /-/databases, the server's threads, versions and plugins,
# the permission debugger, the message tester, the URL patterns).
CLOSED_PATHS = frozenset(
    {
        "/-/messages",
        "/-/allow-debug",
        "/-/patterns",
        "/-/permissions",
        "/-/versions",
        "/-/threads",
        "/-/plugins",
        "/-/databases",
        "/-/actor",
        "/-/create-token",
        "/-/auth-token",
        "/-/logout",
        "/-/api",
    }
)
_CLOSED_BODY = b"Not found: this public archive has no debug or introspection pages.\n"
_HOST_RE = re.compile(r"^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


def _python_instr(haystack, needle):
    """SQLite's ``instr`` in linear time: the 1-based position of `needle`, 0 if absent."""
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) or isinstance(needle, bytes):
        as_bytes = [v if isinstance(v, bytes) else str(v).encode() for v in (haystack, needle)]
        return as_bytes[0].find(as_bytes[1]) + 1
    return str(haystack).find(str(needle)) + 1


def _authorizer(action, arg1, arg2, database, trigger):
    """Refuse the unbounded functions; hide the file path of pragma_database_list."""
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ and arg1 == "pragma_database_list" and arg2 == "file":
        return sqlite3.SQLITE_IGNORE  # read as NULL
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl(specname="prepare_connection")
def limit_connection(conn):
    """Bound what one SQLite step can cost on this connection (see the module doc)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.create_function("instr", 2, _python_instr, deterministic=True)
    conn.set_authorizer(_authorizer)


def unsupported_feed(extension: str, columns, required: set[str]):
    """A 400 answer naming the missing columns, or None when the query can be a feed."""
    from datasette.utils.asgi import Response

    from archive.feeds import missing_columns

    missing = missing_columns(columns, required)
    if not missing:
        return None
    return Response.text(
        f"This query cannot be shown as .{extension}: it lacks the columns "
        f"{', '.join(missing)}. Feeds are made from queries that return them, such as "
        "/partnews/feed.atom, /partnews/new_since.atom and /partnews/upcoming_events.ics.\n",
        status=400,
    )


def configured_base_url(datasette=None) -> str | None:
    """The public base URL ("https://archive.example.org"): the plugin's ``base_url``
    setting in the metadata, else $PARTNEWS_BASE_URL (`partnews serve --base-url`)."""
    config = {}
    if datasette is not None:
        config = datasette.plugin_config("partnews") or {}
    value = (config.get("base_url") or os.environ.get(BASE_URL_ENV) or "").strip()
    return value.rstrip("/") or None


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the base URL (scheme and host only), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return str(error)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must be http(s)://host[:port]"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return "it must have no path, query, fragment or user"
    return None


def _with_host(scope: dict, host: bytes, scheme: str | None) -> dict:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"host"]
    headers.append((b"host", host))
    scope = dict(scope, headers=headers)
    if scheme:
        scope["scheme"] = scheme
    return scope


def _is_csv(scope: dict) -> bool:
    return scope["path"].endswith(".csv") or "csv" in parse_qs(
        scope.get("query_string", b"").decode("latin-1")
    ).get("_format", [])


def _plain(status: int, body: bytes) -> list[dict]:
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        },
        {"type": "http.response.body", "body": body},
    ]


@hookimpl(specname="asgi_wrapper")
def harden_asgi(datasette):
    """Closed debug pages, links from the base URL (not the Host), inert CSV cells."""

    def wrap(app):
        async def hardened(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            path = scope["path"].rstrip("/")
            if path.removesuffix(".json") in CLOSED_PATHS:
                for message in _plain(404, _CLOSED_BODY):
                    await send(message)
                return
            base = configured_base_url(datasette)
            vary_host = False
            if base:
                parts = urlsplit(base)
                scope = _with_host(scope, parts.netloc.encode("ascii"), parts.scheme)
            else:
                host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
                if host and not _HOST_RE.match(host):
                    for message in _plain(400, b"Bad Host header.\n"):
                        await send(message)
                    return
                vary_host = True
            rewriter = CsvRewriter() if _is_csv(scope) else None
            await app(scope, receive, _hardened_send(send, rewriter, vary_host))

        return hardened

    return wrap


def _hardened_send(send, rewriter: CsvRewriter | None, vary_host: bool):
    """`send` with ``Vary: Host`` added, and a CSV body rewritten as it streams."""
    state = {"rewrite": False}

    async def hardened_send(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if vary_host:
                headers = _add_vary_host(headers)
            state["rewrite"] = rewriter is not None and message.get("status") == 200
            if state["rewrite"]:
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            message = dict(message, headers=headers)
        elif message["type"] == "http.response.body" and state["rewrite"]:
            body = rewriter.feed(message.get("body", b""))
            if not message.get("more_body", False):
                body += rewriter.close()
            message = dict(message, body=body)
        await send(message)

    return hardened_send


def _add_vary_host(headers: list) -> list:
    for index, (key, value) in enumerate(headers):
        if key.lower() == b"vary":
            if b"host" not in value.lower():
                headers[index] = (key, value + b", Host")
            return headers
    return headers + [(b"vary", b"Host")]


@hookimpl(specname="extra_template_vars")
def item_page_limits(template, database, table, view_name):
    """The text limit, for the item page's note on a shortened text."""
    if view_name == "row" and database == "partnews" and table == "items":
        from pipelines.normalize import BODY_LIMIT

        return {"partnews_body_limit": BODY_LIMIT}
    return None
