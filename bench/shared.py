"""Where the benches find the shared real third-party data (../shared/realdata).

The benches that score against real pages and stamps read them from the shared folder
beside the checkout (or $PARTNEWS_SHARED), the same place tests/realdata.py looks. When
it is absent, a bench prints why it skipped instead of failing: `make bench` must still
run the others on a machine without it.
"""

from __future__ import annotations

import os
from pathlib import Path

SKIP_MESSAGE = (
    "skipped: shared/realdata not found at {path} "
    "(put the shared folder beside the checkout or set PARTNEWS_SHARED)"
)


def shared_dir() -> Path:
    """The shared folder: $PARTNEWS_SHARED, else ../shared beside the repository."""
    env = os.environ.get("PARTNEWS_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"


def realdata_dir() -> Path:
    return shared_dir() / "realdata"


def skip_message(path: Path) -> str:
    """The line a bench prints when the data it needs is absent."""
    return SKIP_MESSAGE.format(path=path)
