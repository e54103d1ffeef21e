"""`partnews serve`: publish an archive file with Datasette, read-only."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from archive.publish import datasette_command

# How long the server has to finish its requests when stopped, before it is killed.
STOP_SECONDS = 10

EXAMPLE = """examples:
  partnews serve                         # data/partnews.db on http://127.0.0.1:8001/
  partnews serve --archive data/demo/partnews.db --port 8080
  partnews serve --host 0.0.0.0 --base-url https://archive.example.org
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
    parser.add_argument(
        "--base-url",
        default=os.environ.get("PARTNEWS_BASE_URL"),
        help="the archive's public address, e.g. https://archive.example.org: every link "
        "and feed id is built from it, never from the request's Host header (default: "
        "http://HOST:PORT on a loopback host; elsewhere the Host is checked and answers "
        "carry Vary: Host)",
    )
    parser.set_defaults(func=run)


def default_base_url(host: str, port: int, base_url: str | None) -> str | None:
    """The base URL to serve with: the given one, else this address on loopback only
    (a server bound to all interfaces does not know the name it is reached by)."""
    if base_url:
        return base_url.rstrip("/")
    if host in ("127.0.0.1", "localhost", "::1"):
        return f"http://{'[::1]' if host == '::1' else host}:{port}"
    return None


def serve(archive: str | Path, host: str, port: int, base_url: str | None = None) -> int:
    from archive.hardening import BASE_URL_ENV, base_url_problem

    base_url = default_base_url(host, port, base_url)
    if base_url and base_url_problem(base_url):
        print(f"Bad --base-url {base_url}: {base_url_problem(base_url)}", file=sys.stderr)
        return 2
    if not Path(archive).exists():
        print(
            f"No archive at {archive}. Build one with `partnews crawl` "
            "(or `partnews demo` for the bundled mirror).",
            file=sys.stderr,
        )
        return 1
    print(f"Serving {archive} on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    env = dict(os.environ)
    env.pop(BASE_URL_ENV, None)
    if base_url:
        env[BASE_URL_ENV] = base_url
    else:
        print(
            "No --base-url: links follow the Host header (checked, with Vary: Host). "
            "Give --base-url for a public server.",
            file=sys.stderr,
        )
    return run_in_foreground(datasette_command(archive, host=host, port=port), env)


def run_in_foreground(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it exits, and stop it when this process is told to stop.

    Ctrl-C reaches the server anyway (the terminal signals the whole process group), but
    `kill` (SIGTERM) reaches only this process: without passing it on, this process
    would die and Datasette go on serving, orphaned. The server's exit status is
    returned; on any other way out (Ctrl-C) it is stopped before this returns."""
    server = subprocess.Popen(command, env=env)
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def run(args) -> int:
    return serve(args.archive, args.host, args.port, args.base_url)
