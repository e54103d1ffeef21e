"""Backups of the archive before a night writes to it, with SQLite's online backup API.

The online backup copies a consistent snapshot page by page while readers (Datasette)
keep reading, and it copies the WAL's committed pages too, which a plain file copy of
an archive in WAL mode would miss. The last KEEP_BACKUPS copies are kept.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

KEEP_BACKUPS = 3


def backup_archive(
    archive: Path, folder: Path, stamp: str, keep: int = KEEP_BACKUPS
) -> Path | None:
    """Copy `archive` to `folder/<stem>-<stamp>.db`; None when there is no archive yet.

    The copy is written under a temporary name and renamed, so a backup killed halfway
    never looks like a complete one."""
    archive = Path(archive)
    if not archive.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{archive.stem}-{stamp}.db"
    partial = target.with_suffix(".db.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(archive)
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.replace(target)
    prune_backups(folder, archive.stem, keep)
    return target


def backups_of(folder: Path, stem: str) -> list[Path]:
    """The complete backups of an archive, oldest first (the stamps sort as times)."""
    return sorted(Path(folder).glob(f"{stem}-*.db"))


def prune_backups(folder: Path, stem: str, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups; return the removed ones."""
    backups = backups_of(folder, stem)
    removed = backups[: max(0, len(backups) - keep)]
    for path in removed:
        path.unlink()
    return removed
