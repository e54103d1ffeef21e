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
* custom SQL (``?sql=``, ``_where``) that calls FTS5's ``snippet``/``highlight`` is
  refused with a 400 before it runs (`functions_called` compiles it to see);
* ``handle_exception`` (`limit_errors`): a query stopped by a limit answers 400 saying
  so, and an unexpected error answers 500 without echoing its message;
* ``extra_template_vars`` (`item_page_limits`): the item page says when an item's text
  was shortened to the pipeline's limit (pipelines/normalize.py ``TEXT_LIMITS``).

`unsupported_feed` is the ``.atom``/``.ics`` renderers' 400 for a query without the feed
columns.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from urllib.parse import parse_qs, quote, unquote, urlsplit

from datasette import hookimpl

from archive.safe_csv import CsvRewriter

# Above the longest text the pipelines store (50,000 characters, at most 4 bytes each
# in UTF-8), far below what makes one step slow.
MAX_VALUE_BYTES = 1_000_000
# A search phrase, not a program: `__contains`, `__like` and LIKE in SQL cost up to the
# text's length times the pattern's, per row.
MAX_LIKE_PATTERN_BYTES = 100
# The canned queries are under 4,000 characters; a URL cannot carry much more.
MAX_SQL_BYTES = 50_000
# SQL functions refused at prepare time (the query is answered 400 "not authorized").
REFUSED_FUNCTIONS = frozenset({"printf", "format"})

# FTS5's snippet() and highlight() cost the square of the matches in one row, in one
# step: over a long text, seconds that no time limit can cut (measured: 25 s for one
# custom query on two items of 100,000 characters). The canned searches bound their
# snippets; custom SQL and ``_where`` may not call them.
REFUSED_IN_CUSTOM_SQL = frozenset({"snippet", "highlight"})

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
    """A 400 answer naming the missing columns, or None when the query can be a feed.

    A dict, not a Response: Datasette sets a canned query's Response to its own status
    (200), but takes a dict's ``status_code``.
    """
    from archive.feeds import missing_columns

    missing = missing_columns(columns, required)
    if not missing:
        return None
    return {
        "status_code": 400,
        "content_type": "text/plain; charset=utf-8",
        "body": f"This query cannot be shown as .{extension}: it lacks the columns "
        f"{', '.join(missing)}. Feeds are made from queries that return them, such as "
        "/partnews/feed.atom, /partnews/new_since.atom and /partnews/upcoming_events.ics.\n",
    }


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


class _AnyParameters(dict):
    """Bindings for compiling a statement only: every named parameter is NULL."""

    def __missing__(self, key):
        return None


_compilers: dict[str, sqlite3.Connection] = {}
_compile_lock = threading.Lock()


def functions_called(database_path: str, sql: str) -> set[str] | None:
    """The SQL functions `sql` calls (lower case), found by compiling it, not running it
    (EXPLAIN), on a read-only connection to the archive; None when it does not compile
    (Datasette will then answer the error itself)."""
    found: set[str] = set()

    def record(action, arg1, arg2, database, trigger):
        if action == sqlite3.SQLITE_FUNCTION and arg2:
            found.add(arg2.lower())
        return sqlite3.SQLITE_OK

    with _compile_lock:
        conn = _compilers.get(database_path)
        if conn is None:
            uri = f"file:{quote(database_path)}?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
            conn.create_function("partnews_fts_query", 1, str)
            conn.create_function("partnews_fts_prefix", 1, str)
            _compilers[database_path] = conn
        conn.set_authorizer(record)
        try:
            conn.execute("explain " + sql, _AnyParameters()).fetchall()
        except (sqlite3.Error, ValueError):
            return None
        finally:
            conn.set_authorizer(None)
    return found


def custom_sql_of(path: str, query_string: bytes, database: str) -> tuple[str, str] | None:
    """(table or "", SQL) a request asks Datasette to run that is not a canned query:
    ``?sql=`` on the database, or ``_where`` on a table; None otherwise."""
    args = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0].split(".")[0] != database:
        return None
    if len(parts) == 1 and args.get("sql"):
        return "", args["sql"][0]
    wheres = args.get("_where")
    if len(parts) == 2 and wheres:
        table = parts[1].rsplit(".", 1)[0]
        condition = " and ".join(f"({w})" for w in wheres)
        return table, f'select 1 from "{table}" where {condition}'
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


def _is_closed(scope: dict) -> bool:
    """True for a debug or introspection page, however its path is spelled (Datasette
    routes on the raw path, so a percent-encoded spelling is checked too)."""
    raw = scope.get("raw_path") or scope["path"].encode()
    spellings = {scope["path"], unquote(raw.decode("latin-1"))}
    return any(p.rstrip("/").removesuffix(".json") in CLOSED_PATHS for p in spellings)


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
            if _is_closed(scope):
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
            refusal = _refuse_custom_sql(datasette, scope)
            if refusal:
                for message in _plain(400, refusal.encode()):
                    await send(message)
                return
            rewriter = CsvRewriter() if _is_csv(scope) else None
            await app(scope, receive, _hardened_send(send, rewriter, vary_host))

        return hardened

    return wrap


def _refuse_custom_sql(datasette, scope: dict) -> str | None:
    """Why the custom SQL of this request is refused, or None."""
    custom = custom_sql_of(scope["path"], scope.get("query_string", b""), "partnews")
    db = datasette.databases.get("partnews")
    if custom is None or db is None or not db.path:
        return None
    called = functions_called(db.path, custom[1]) or set()
    refused = sorted(called & REFUSED_IN_CUSTOM_SQL)
    if not refused:
        return None
    return (
        f"Refused: {', '.join(refused)}() cannot be used in custom SQL on this public archive "
        "(its cost grows with the square of the matches in a text, beyond any time limit). "
        "Use the search page, /partnews/search?q=..., which shows bounded snippets.\n"
    )


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


@hookimpl(specname="handle_exception")
def limit_errors(datasette, request, exception):
    """A query stopped by a limit is a 400 that says so; any other unexpected error is a
    500 that does not echo its message (it may hold a path; the server's log has it)."""
    from datasette.handle_exception import handle_exception as default_handler
    from datasette.utils.asgi import Base400
    from datasette.views.base import DatasetteError

    if isinstance(exception, Base400 | DatasetteError):
        return None
    if isinstance(exception, sqlite3.DataError | sqlite3.OperationalError):
        replacement = DatasetteError(
            f"Query refused: {exception} (this public archive bounds the work of one "
            "request; see /partnews for what it offers).",
            title="Query refused",
            status=400,
        )
    else:
        replacement = DatasetteError(
            "Internal error: it has been logged.", title="Internal error", status=500
        )
    return default_handler(datasette, request, replacement)


@hookimpl(specname="extra_template_vars")
def item_page_limits(template, database, table, view_name):
    """The text limit, for the item page's note on a shortened text."""
    if view_name == "row" and database == "partnews" and table == "items":
        from pipelines.normalize import BODY_LIMIT

        return {"partnews_body_limit": BODY_LIMIT}
    return None
