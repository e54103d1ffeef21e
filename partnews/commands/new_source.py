"""`partnews new-source`: start a new partner source from its registry block, mirror and test."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLE = """examples:
  partnews new-source port_of_san_diego --cms wordpress --name "Port of San Diego" \\
      --homepage https://www.portofsandiego.org/
  partnews new-source nice_cote_dazur --cms drupal --name "Ville de Nice" \\
      --homepage https://www.nice.fr/ --side "Région Sud" --languages fr,en
  partnews new-source la_provence --cms press --name "La Provence" \\
      --homepage https://www.laprovence.com/ --relevance filtered

  partnews new-source nice_cote_dazur --from-probe https://www.nice.fr/
      (cms, name, hosts, languages, timezone, feed/sitemap/listing paths: what
      `partnews probe` found on the real site; any option given here wins)

Then edit the mirror folder to look like the real site (docs/adding-a-source.md) and run
  .venv/bin/pytest tests/test_source_ID.py
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "new-source",
        help="scaffold a new source: registry block, mirror folder, test",
        description=(
            "Add a source to crawler/sources.toml (every field, and an [ID.spider] table "
            "listing the base spider's attributes), create its mirror folder "
            "tests/sites/HOST/ with two placeholder items (kept if it exists), and "
            "tests/test_source_ID.py, which crawls that folder and checks every item is "
            "archived with its title, URL and date. With --spider-file, also "
            "crawler/spiders/ID.py for a site that needs code. Nothing is written when "
            "a check fails (id taken or invalid, bad URL, host already a source's)."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("id", help="source id: lower_case_with_underscores, unique")
    parser.add_argument(
        "--from-probe",
        metavar="URL",
        help="probe this page of the real site first (partnews probe) and prefill the "
        "block from what it finds; --cms, --name and --homepage are then optional",
    )
    parser.add_argument(
        "--mirror",
        metavar="URL",
        help="with --from-probe: probe through this local mirror instead of the internet",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=1.0,
        help="with --from-probe: seconds between the probe's requests (default 1)",
    )
    parser.add_argument(
        "--cms",
        choices=["wordpress", "drupal", "generic", "press"],
        help="the base spider: wordpress (REST API), drupal (feed, views, sitemap), "
        "generic (feed → sitemap → listing) or press (WordPress search feeds)",
    )
    parser.add_argument("--name", help='the source\'s name ("Ville de Nice")')
    parser.add_argument("--homepage", help="https://www.example.org/")
    parser.add_argument(
        "--side",
        help='"San Diego" or "Région Sud" (default: Région Sud for a .fr host)',
    )
    parser.add_argument(
        "--languages",
        type=lambda text: [code.strip() for code in text.split(",") if code.strip()],
        help="comma-separated, most common first (default: fr on the Région Sud side, else en)",
    )
    parser.add_argument(
        "--timezone",
        help="IANA zone (default: Europe/Paris or America/Los_Angeles, by side)",
    )
    parser.add_argument(
        "--relevance",
        choices=["all", "filtered"],
        help="archive every item, or only those about the partnership "
        "(default: filtered for press, else all)",
    )
    parser.add_argument(
        "--spider-file",
        action="store_true",
        help="also create crawler/spiders/ID.py, for a site that needs code of its own",
    )
    parser.add_argument(
        "--root", type=Path, help="repository to write into (default: this checkout)"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    import partnews
    from partnews.scaffold import ScaffoldError, create_source, new_source

    root = (args.root or partnews.REPO_ROOT).resolve()
    if args.from_probe:
        new = from_probe(args)
    else:
        missing = [f"--{n}" for n in ("cms", "name", "homepage") if not getattr(args, n)]
        if missing:
            print(f"new-source: {', '.join(missing)} needed (or --from-probe URL)", file=sys.stderr)
            return 2
        new = new_source(
            args.id,
            args.cms,
            args.name,
            args.homepage,
            side=args.side,
            languages=args.languages,
            timezone=args.timezone,
            relevance=args.relevance,
            spider_file=args.spider_file,
        )
    try:
        made = create_source(new, root)
    except ScaffoldError as error:
        print(f"new-source: nothing written: {error}", file=sys.stderr)
        return 2
    print(f"Source {new.id} ({new.cms}, {new.side}, {', '.join(new.languages)}):")
    for path in made.created:
        verb = "appended to" if path.name == "sources.toml" else "created"
        print(f"  {verb} {path}")
    if made.kept_mirror:
        print(f"  kept {new.mirror_folder}/ (it exists already)")
    print(
        "\nNext steps (docs/adding-a-source.md):\n"
        f"  1. edit {new.mirror_folder}/ to answer like the real site "
        "(what ../shared/sources.md records), with your own text\n"
        f"  2. set the [{new.id}] block (and its spider attributes) to match\n"
        f"  3. .venv/bin/pytest tests/test_source_{new.id}.py\n"
        f"  4. partnews mirror, then partnews crawl {new.id} --mirror http://127.0.0.1:8001"
    )
    return 0


def from_probe(args):
    """The NewSource `partnews probe` suggests for args.from_probe, the options given winning."""
    from dataclasses import replace

    from crawler.settings import USER_AGENT
    from partnews.probe import Fetcher, format_report, new_source_for, probe

    fetcher = Fetcher(USER_AGENT, delay=args.delay, mirror=args.mirror)
    report = probe(args.from_probe, fetcher)
    print(format_report(report, args.id).split("\ncrawler/sources.toml block:")[0])
    new = new_source_for(
        report,
        args.id,
        side=args.side,
        languages=args.languages,
        timezone=args.timezone,
        relevance=args.relevance,
        spider_file=args.spider_file,
    )
    given = {k: getattr(args, k) for k in ("cms", "name", "homepage") if getattr(args, k)}
    return replace(new, **given) if given else new
