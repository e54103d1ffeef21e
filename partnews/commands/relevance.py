"""`partnews relevance`: how a text scores against the partnership rules, and why."""

from __future__ import annotations

import argparse
import json
import sys

EXAMPLE = """examples:
  partnews relevance "Marseille and San Diego sign a sister city agreement"
  partnews relevance --source sdfacc "AVENCOD TAKES ROOT IN PROVENCE"
  cat article.txt | partnews relevance -
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "relevance",
        help="score a text against the partnership rules",
        description="Score a text with the rules of crawler/relevance.toml and print the "
        "score, whether a filtered source would archive it, the terms that matched and "
        "the sectors, as JSON.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("text", help="the text, or - to read it from stdin")
    parser.add_argument(
        "--source", help="score as this source's item (a partner's own side counts as named)"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from crawler.sources import get_source
    from partnews.relevance import SIDES, load_rules, score_text

    text = sys.stdin.read() if args.text == "-" else args.text
    side = None
    if args.source:
        try:
            source = get_source(args.source)
        except KeyError as error:
            print(error.args[0], file=sys.stderr)
            return 2
        side = SIDES.get(source.side) if source.relevance == "all" else None
    rules = load_rules()
    result = score_text(text, None, None, rules, publisher_side=side)
    print(
        json.dumps(
            {
                "score": result.score,
                "relevant": result.is_relevant(rules),
                "threshold": rules.threshold,
                "terms": result.terms,
                "sectors": result.sectors,
            },
            ensure_ascii=False,
        )
    )
    return 0
