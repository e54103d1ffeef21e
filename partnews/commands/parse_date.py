"""`partnews parse-date`: read datelines into ISO 8601 from the command line.

A way to check what the archive will store for a dateline before writing a spider, and
to clean a column of dates in bulk (one text per line on stdin). It prints one JSON
object per text, the shape of ``partnews.dates.DateResult.to_dict()``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from partnews.dates import parse_date

HELP = "read dates from datelines (en/fr/de) into ISO 8601 JSON"
EXAMPLES = """\
examples:
  partnews parse-date --lang fr --tz Europe/Paris "publié le 23 JUIL 2018 à 09:00"
  partnews parse-date --base 2018-08-20 "du 27 au 30 août"
  partnews parse-date --month-first "11/29/2025"
  printf '28 Januar 2019\\n05 May 2022\\n' | partnews parse-date -

Each text gives one line {"input", "start", "end", "precision", "language"}; a text
without a date gives "start": null (exit status 0: that is an answer, not an error).
Dates without a year ("le 30 mai prochain") need --base, the page's publication date.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the parse-date sub-command to the partnews parser."""
    parser = subparsers.add_parser(
        "parse-date",
        help=HELP,
        description=HELP[0].upper() + HELP[1:] + ".",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "texts",
        nargs="+",
        metavar="TEXT",
        help="a dateline to read; '-' reads one text per line from stdin",
    )
    parser.add_argument(
        "--lang",
        type=_languages,
        default=None,
        metavar="CODES",
        help="the source's languages, comma-separated (default: en,fr,de told apart)",
    )
    parser.add_argument(
        "--base",
        type=_base_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the page's publication date, to place dates without a year",
    )
    parser.add_argument(
        "--tz",
        type=_zone_name,
        default=None,
        metavar="ZONE",
        help="the source's IANA time zone, for times without an offset (Europe/Paris)",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first",
        dest="day_first",
        action="store_true",
        default=None,
        help="read 05/06/2019 as 5 June (French and German sources)",
    )
    order.add_argument(
        "--month-first",
        dest="day_first",
        action="store_false",
        help="read 05/06/2019 as May 6 (US sources)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one JSON line per text; 0 even for texts without a date."""
    for text in _texts(args.texts, sys.stdin):
        result = parse_date(
            text, languages=args.lang, base=args.base, tz=args.tz, day_first=args.day_first
        )
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0


def _texts(arguments: list[str], stdin: TextIO) -> Iterator[str]:
    """The texts to read: the arguments, with '-' standing for the lines of stdin."""
    for argument in arguments:
        if argument == "-":
            for line in stdin:
                yield line.rstrip("\r\n")
        else:
            yield argument


def _languages(value: str) -> list[str]:
    """Check --lang: comma-separated codes that dateparser knows (en, fr, de, es…)."""
    from dateparser.data.languages_info import language_order

    codes = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in language_order]
    if not codes or unknown:
        shown = ", ".join(unknown) or repr(value)
        raise argparse.ArgumentTypeError(f"unknown language code(s): {shown}")
    return codes


def _base_date(value: str) -> date:
    """Check --base: an ISO date."""
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from error


def _zone_name(value: str) -> str:
    """Check --tz: an IANA zone name the system knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(f"unknown time zone: {value!r}") from error
    return value
