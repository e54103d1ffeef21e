"""Locate the shared real third-party data (shared/realdata) and read its MANIFEST.tsv.

Tests that prove the extractors on real pages use this. Without the shared folder they
skip with a message saying how to get it, and fail in CI (tests/requirements.py).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.requirements import need_shared, shared_dir

# A test parameter standing for the shared data when it is absent: tests/conftest.py
# skips it, or fails it in CI, before the test runs.
NEEDS_SHARED = pytest.mark.needs_shared


def realdata_dir() -> Path:
    return shared_dir() / "realdata"


def manifest() -> list[dict[str, str]]:
    """MANIFEST.tsv rows (local_path, repo, kind, real_site, ...); [] when absent."""
    path = realdata_dir() / "MANIFEST.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def rows_of_kind(*kinds: str) -> list[dict[str, str]]:
    return [row for row in manifest() if row["kind"] in kinds]


def params(*kinds: str) -> list:
    """pytest parameters, one per manifest file of these kinds (id = its local path);
    when the shared data is absent, a single parameter marked `needs_shared`, which
    skips (fails in CI) with the message of tests/requirements.py, so it is visible."""
    rows = rows_of_kind(*kinds)
    if not rows:
        return [pytest.param(None, marks=NEEDS_SHARED, id="shared-data-missing")]
    return [pytest.param(row, id=row["local_path"]) for row in rows]


def read_bytes(row: dict[str, str]) -> bytes:
    return (realdata_dir() / row["local_path"]).read_bytes()


def read_text(row: dict[str, str]) -> str:
    return read_bytes(row).decode("utf-8", errors="replace")


def require(relative: str) -> Path:
    """Path of one realdata file; the test skips (fails in CI) when it is absent."""
    return need_shared(f"realdata/{relative}")
