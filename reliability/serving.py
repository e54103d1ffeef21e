"""Serve an archive with the real `partnews serve` in a child process, for a while.

The hostile-input and load checks look at the archive as readers get it: Datasette in
its own process, on loopback. The child is started in its own process group (`partnews
serve` runs Datasette as a grandchild) so that stopping it stops both.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reliability.runner import REPO_ROOT


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(archive: Path, startup_seconds: float = 60) -> Iterator[str]:
    """`partnews serve --archive ARCHIVE` on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "partnews.cli", "serve", "--archive", str(archive)]
        + ["--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                urllib.request.urlopen(base + "/-/metadata.json", timeout=1)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("partnews serve did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the group this function started
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        _kill_what_is_left(process.pid)
        process.wait(timeout=20)


def _kill_what_is_left(group: int, grace_seconds: float = 10) -> None:
    """SIGKILL the group this module started if any of it outlives SIGTERM: a Datasette
    stuck in one long SQLite step does not stop on SIGTERM (issue 14)."""
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
