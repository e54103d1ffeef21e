"""Rows written to the archive's own tables in one plain statement each.

sqlite-utils' ``db[table].insert(row)`` and ``.upsert(row, pk=...)`` look at the table
before every call (whether it is a view, whether it exists, its columns): about ten
statements for one row, most of the cost of a small write. These tables are the
archive's own, created by archive/schema.py and its ``ensure_*`` functions, so their
columns are known. Each helper writes the same SQL sqlite-utils writes, and nothing
else; an unknown column fails as it does there.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import sqlite_utils


def quoted(columns: Iterable[str]) -> list[str]:
    """Column names quoted for SQL."""
    return [f'"{c}"' for c in columns]


@lru_cache(maxsize=64)
def upsert_sql(table: str, columns: tuple[str, ...], pk: tuple[str, ...]) -> str:
    """sqlite-utils' upsert statement (insert, or update every other column on a key
    conflict), built once per table and column set."""
    names = ", ".join(quoted(columns))
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in pk)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return (
        f'INSERT INTO "{table}" ({names}) VALUES ({marks}) '
        f"ON CONFLICT({', '.join(quoted(pk))}) {action}"
    )


def upsert(db: sqlite_utils.Database, table: str, row: dict[str, Any], pk: tuple[str, ...]):
    """``db[table].upsert(row, pk=pk)`` in one statement."""
    columns = tuple(row)
    db.conn.execute(upsert_sql(table, columns, pk), [row[c] for c in columns])


def insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    """``db[table].insert(row).last_pk`` for a table with an integer key, in one
    statement: the new row's id."""
    return int(_insert(db, "INSERT", table, row).lastrowid)


def insert_or_replace(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> None:
    """``db[table].insert(row, replace=True)`` in one statement."""
    _insert(db, "INSERT OR REPLACE", table, row)


def _insert(db: sqlite_utils.Database, verb: str, table: str, row: dict[str, Any]):
    columns = tuple(row)
    names = ", ".join(quoted(columns))
    marks = ", ".join("?" * len(columns))
    return db.conn.execute(
        f'{verb} INTO "{table}" ({names}) VALUES ({marks})', [row[c] for c in columns]
    )
