"""One writer at a time: the lock every writing command (`partnews nightly`, `reprocess`,
`newscrawl`, `search-index build`) holds on an archive while it runs.

An advisory `flock` on a file beside the archive: the kernel releases it when its
process ends, however it ends (even SIGKILL), so a lock is never stale in the sense of
blocking forever. The file keeps the holder's command, pid and start time: a second run
is told who holds it, and a run that finds the record of a process that died says it
takes over.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from archive.store import utc_now


class LockHeld(RuntimeError):
    """Another process holds the lock."""


@dataclass
class ArchiveLock:
    path: Path
    fd: int
    took_over_from: dict | None = None  # the record a dead holder left, if any

    def release(self) -> None:
        """Empty the record (a clean release leaves nothing to take over) and unlock."""
        os.ftruncate(self.fd, 0)
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def lock_path(archive: Path) -> Path:
    archive = Path(archive)
    return archive.with_name(archive.name + ".lock")


def _read_record(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096)
    if not data.strip():
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return {"pid": None, "started": None}
    return record if isinstance(record, dict) else None


def acquire(archive: Path, command: str = "nightly") -> ArchiveLock:
    """Lock the archive for this process (running ``partnews COMMAND``), or raise
    LockHeld saying who holds it."""
    path = lock_path(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_record(fd) or {}
        os.close(fd)
        raise LockHeld(
            f"partnews {holder.get('command') or 'nightly'} is running on {archive} "
            f"(pid {holder.get('pid', '?')}, started {holder.get('started', '?')}); "
            f"lock file {path}"
        ) from None
    previous = _read_record(fd)
    record = {
        "command": command,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": utc_now(),
    }
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(record).encode())
    os.fsync(fd)
    return ArchiveLock(path=path, fd=fd, took_over_from=previous)
