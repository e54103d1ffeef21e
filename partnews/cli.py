"""The `partnews` command line: one entry point, one module per sub-command.

Each module in partnews.commands exposes ``register(subparsers)``, which adds its
parser (whose help text is the documentation, with an example) and sets
``func=run``; ``run(args) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Order here is the order `partnews --help` lists them.
COMMANDS = (
    "crawl",
    "nightly",
    "reprocess",
    "mirror",
    "serve",
    "demo",
    "export",
    "parse_date",
    "relevance",
    "sources",
    "new_source",
    "probe",
    "newscrawl",
    "search_index",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnews",
        description=(
            "Crawl the San Diego / Région Sud partners' news and events into a SQLite "
            "archive and publish it with Datasette."
        ),
        epilog="Run 'partnews COMMAND --help' for a command's options and an example.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"partnews.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0


if __name__ == "__main__":
    sys.exit(main())
