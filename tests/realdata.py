"""Locate the shared real third-party data (shared/realdata) and read its MANIFEST.tsv.

Tests that prove the extractors on real pages use this, and skip with a clear message
on a machine without the shared folder.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

SKIP_REASON = "shared/realdata not found (set PARTNEWS_SHARED to the shared folder)"


def shared_dir() -> Path:
    """The shared folder: $PARTNEWS_SHARED, else ../shared beside the repository."""
    env = os.environ.get("PARTNEWS_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"


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
    a single skipped parameter when the shared data is absent, so the skip is visible."""
    rows = rows_of_kind(*kinds)
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))]
    return [pytest.param(row, id=row["local_path"]) for row in rows]


def read_bytes(row: dict[str, str]) -> bytes:
    return (realdata_dir() / row["local_path"]).read_bytes()


def read_text(row: dict[str, str]) -> str:
    return read_bytes(row).decode("utf-8", errors="replace")


def require(relative: str) -> Path:
    """Path of one realdata file, skipping the test when it is absent."""
    path = realdata_dir() / relative
    if not path.exists():
        pytest.skip(SKIP_REASON)
    return path
