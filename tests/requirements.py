"""What a test needs from outside the repository, and the one rule when it is missing:
on a workstation the test skips and says how to get it; in CI (``CI=true``) it fails.

The tests on real third-party pages (../shared), in Chromium and through pywb are the
only ones not written against our own mirror; a CI run that silently skipped them would
pass without having tested them. Every such test asks through `require` (or one of the
`need_*` shortcuts), so that the rule and its message live in one place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

SHARED_HOW = (
    "check out the shared folder beside the repository (../shared, with realdata/) "
    "or set PARTNEWS_SHARED to it"
)
CHROMIUM_HOW = (
    "run `make chromium` as root, or `sudo apt-get install chromium` "
    "(or set PARTNEWS_CHROMIUM to a Chromium binary)"
)
PYWB_HOW = "run `make pywb` (or set PARTNEWS_PYWB_BIN to the folder of pywb's commands)"


def in_ci() -> bool:
    """Whether this is a CI run (CI=true, as GitHub Actions and most CI services set)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(what: str, found: bool, how: str) -> None:
    """Nothing when `found`; else skip (workstation) or fail (CI) saying what is missing
    and how to get it."""
    if found:
        return
    message = f"{what} not found: {how}"
    if in_ci():
        pytest.fail(f"{message}. CI=true, so this test must run, not skip.", pytrace=False)
    pytest.skip(message)


def shared_dir() -> Path:
    """The shared folder: $PARTNEWS_SHARED, else ../shared beside the repository."""
    env = os.environ.get("PARTNEWS_SHARED")
    return Path(env) if env else REPO_ROOT / ".." / "shared"


def need_shared(relative: str = "realdata") -> Path:
    """A path inside the shared folder (realdata/ by default), which must exist."""
    path = shared_dir() / relative
    require(f"shared data ({path})", path.exists(), SHARED_HOW)
    return path


def need_chromium() -> str:
    """Debian's chromium (or $PARTNEWS_CHROMIUM)."""
    path = os.environ.get("PARTNEWS_CHROMIUM") or shutil.which("chromium")
    require("Debian's chromium", bool(path), CHROMIUM_HOW)
    return str(path)


def pywb_bin() -> Path | None:
    """The folder of pywb's commands: $PARTNEWS_PYWB_BIN, else `make pywb`'s .venv-pywb,
    else wherever `wayback` is."""
    folder = os.environ.get("PARTNEWS_PYWB_BIN")
    if folder:
        return Path(folder)
    own = REPO_ROOT / ".venv-pywb" / "bin"
    if (own / "wb-manager").exists():
        return own
    found = shutil.which("wayback")
    return Path(found).parent if found else None


def need_pywb() -> Path:
    """The folder holding pywb's wb-manager and wayback."""
    folder = pywb_bin()
    require("pywb", folder is not None and (folder / "wb-manager").exists(), PYWB_HOW)
    assert folder is not None
    return folder
