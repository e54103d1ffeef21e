"""Datasette plugin: the SQL functions the archive's canned queries need.

Registered through the ``datasette`` entry point in pyproject.toml, so any Datasette
started from this project's environment has it.

``partnews_fts_query(text)`` turns what a person types into a safe FTS5 query: each
word becomes a quoted string, so "cote d'azur" or "Saint-Étienne" can never be an FTS5
syntax error, and all words must match. Accents are already optional in the index
(``remove_diacritics 2``). ``partnews_fts_prefix(text)`` does the same with a prefix
``*`` on every word ("biot" finds "biotech").
"""

from __future__ import annotations

import re

from datasette import hookimpl

_WORD = re.compile(r"[^\s\"]+")


def _terms(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


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
