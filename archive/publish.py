"""Publishing the archive with Datasette: the settings a public, read-only archive needs.

`datasette_command` builds the one command line that `partnews serve` and `partnews
demo` run, so the two never drift apart; `datasette_app` builds the same thing in
process, for tests that go through Datasette's real app.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from partnews import REPO_ROOT

METADATA_PATH = REPO_ROOT / "datasette_metadata.json"
TEMPLATES_DIR = Path(__file__).with_name("templates")

# Chosen for a public archive on a small machine: queries are cut after a second,
# facets give up quickly rather than hold a page, responses may be cached for 5 minutes.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 500,
    "default_facet_size": 10,
    "max_returned_rows": 1000,
    "default_cache_ttl": 300,
    "allow_download": 1,
    "suggest_facets": 0,
    "template_debug": 0,
    "trace_debug": 0,
}


def as_partnews_db(archive: str | Path) -> Path:
    """The archive under the name the metadata and the plugin expect ("partnews").

    Datasette names a database after its file; an archive kept as, say,
    ``nightly-2026-11-27.db`` is served through a ``partnews.db`` symlink to it.
    """
    archive = Path(archive).resolve()
    if archive.stem == "partnews":
        return archive
    link = Path(tempfile.mkdtemp(prefix="partnews-serve-")) / "partnews.db"
    link.symlink_to(archive)
    return link


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file: an immutable Datasette reads the file only,
    so an archive whose writer has not checkpointed would be served stale."""
    import sqlite3

    conn = sqlite3.connect(database.resolve())
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def ensure_inspect_file(database: Path) -> Path:
    """Datasette's inspect file for an archive, made again when the archive is newer.

    With it, an immutable Datasette takes table row counts from the file instead of
    counting a million rows on page views.
    """
    inspect_file = database.resolve().with_suffix(".inspect.json")
    if (
        not inspect_file.exists()
        or inspect_file.stat().st_mtime < database.resolve().stat().st_mtime
    ):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datasette",
                "inspect",
                str(database),
                "--inspect-file",
                str(inspect_file),
            ],
            check=True,
        )
    return inspect_file


def datasette_command(
    archive: str | Path, *, host: str = "127.0.0.1", port: int = 8001
) -> list[str]:
    """The `datasette serve` command line for an archive file (immutable: read-only)."""
    database = as_partnews_db(archive)
    checkpoint(database)
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(database),
        "--inspect-file",
        str(ensure_inspect_file(database)),
        "--metadata",
        str(METADATA_PATH),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def datasette_app(archive: str | Path):
    """An in-process Datasette for the archive, configured as `partnews serve` does."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(as_partnews_db(archive))],
        metadata=json.loads(METADATA_PATH.read_text()),
        settings=SETTINGS,
        template_dir=str(TEMPLATES_DIR),
    )
