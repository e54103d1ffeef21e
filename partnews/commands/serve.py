"""`partnews serve`: publish an archive file with Datasette, read-only."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from archive.publish import datasette_command

EXAMPLE = """examples:
  partnews serve                         # data/partnews.db on http://127.0.0.1:8001/
  partnews serve --archive data/demo/partnews.db --port 8080
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the archive with Datasette",
        description="Serve an archive file read-only with Datasette, with the project's "
        "metadata (descriptions, facets, ranked search) and public-archive settings.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--archive", default=os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.set_defaults(func=run)


def serve(archive: str | Path, host: str, port: int) -> int:
    if not Path(archive).exists():
        print(
            f"No archive at {archive}. Build one with `partnews crawl` "
            "(or `partnews demo` for the bundled mirror).",
            file=sys.stderr,
        )
        return 1
    print(f"Serving {archive} on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    return subprocess.call(datasette_command(archive, host=host, port=port))


def run(args) -> int:
    return serve(args.archive, args.host, args.port)
