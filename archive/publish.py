"""Publishing the archive with Datasette: the settings a public, read-only archive needs.

`datasette_command` builds the one command line that `partnews serve` and `partnews
demo` run, so the two never drift apart; `datasette_app` builds the same thing in
process, for tests that go through Datasette's real app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from partnews import REPO_ROOT

METADATA_PATH = REPO_ROOT / "datasette_metadata.json"

# Chosen for a public archive on a small machine: queries are cut after a second,
# facets give up quickly rather than hold a page, responses may be cached for 5 minutes.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "default_facet_size": 10,
    "max_returned_rows": 1000,
    "default_cache_ttl": 300,
    "allow_download": 1,
    "suggest_facets": 0,
    "template_debug": 0,
    "trace_debug": 0,
}


def datasette_command(
    archive: str | Path, *, host: str = "127.0.0.1", port: int = 8001
) -> list[str]:
    """The `datasette serve` command line for an archive file (immutable: read-only)."""
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(archive),
        "--metadata",
        str(METADATA_PATH),
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
        immutables=[str(archive)],
        metadata=json.loads(METADATA_PATH.read_text()),
        settings=SETTINGS,
    )
