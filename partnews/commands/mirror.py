"""`partnews mirror`: serve the local mirror of the source sites over HTTP.

The mirror answers for the real hostnames (the crawler sends the real Host header) and,
for a person with a browser, under http://HOST:PORT/<real hostname>/...
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mirror",
        help="Serve the local mirror of the source sites (for tests and the demo).",
        description=(
            "Serve the mirrored source sites on a local port until Ctrl-C. Requests are "
            "routed by their Host header (www.france-sandiego.org, "
            "www.investinprovence.com, ...), or by the first path segment when browsing."
        ),
        epilog=(
            "Example: partnews mirror --port 8001 --today 2025-06-01\n"
            "then: partnews crawl --mirror http://127.0.0.1:8001\n"
            "or browse http://127.0.0.1:8001/www.france-sandiego.org/events/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (8001)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date(2025, 6, 1),
        help="the mirror's date for upcoming vs past events, YYYY-MM-DD (2025-06-01)",
    )
    parser.add_argument(
        "--sites-dir",
        type=Path,
        default=SITES_DIR,
        help=f"folder of the sites' content ({SITES_DIR})",
    )
    parser.add_argument(
        "--redesign",
        action="store_true",
        help="serve every site through a redesigned theme: new class names and ids, "
        "datelines moved; JSON-LD, meta tags, <time datetime>, feeds, sitemaps and APIs kept",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = MirrorConfig(sites_dir=args.sites_dir, today=args.today, redesign=args.redesign)
    server = MirrorServer(config, host=args.host, port=args.port, verbose=args.verbose)
    server.bind()  # bind first so that the printed URL has the real port
    theme = ", redesigned theme" if config.redesign else ""
    print(f"Mirror serving on {server.url} (today is {config.today.isoformat()}{theme})")
    for site in server.sites:
        print(f"  {site.hosts[0]}: {', '.join(site.hosts)}  ({server.url}/{site.hosts[0]}/)")
    print(f"Crawl it with: partnews crawl --mirror {server.url}")
    print("Press Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Mirror stopped.")
    return 0
