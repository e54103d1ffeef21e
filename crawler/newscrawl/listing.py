"""Which WARC files a news crawl reads: local paths, URLs, or a month of CC-NEWS.

Common Crawl lists each month's news files in
``crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`` (one path per line, relative to its data
server). A file is named by its absolute path or its full URL everywhere after this
module: that name is the key of its progress row and what an item's capture cites.
"""

from __future__ import annotations

import gzip
import os
import re
import urllib.request
from pathlib import Path

from crawler.newscrawl.reader import USER_AGENT

# Common Crawl's public HTTPS server; PARTNEWS_CC_BASE points elsewhere (a mirror, a test).
CC_BASE = os.environ.get("PARTNEWS_CC_BASE", "https://data.commoncrawl.org/")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_listing_url(month: str, base: str = CC_BASE) -> str:
    """The URL of a month's ``warc.paths.gz`` ("2024-03")."""
    found = _MONTH.match(month)
    if not found:
        raise ValueError(f"--month takes YYYY-MM, not {month!r}")
    year, number = found.groups()
    return f"{base.rstrip('/')}/crawl-data/CC-NEWS/{year}/{number}/warc.paths.gz"


def month_files(month: str, base: str = CC_BASE) -> list[str]:
    """The full URLs of a month's CC-NEWS WARC files, in the listing's order."""
    request = urllib.request.Request(
        month_listing_url(month, base), headers={"User-Agent": USER_AGENT}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http(s) only)
        listing = gzip.decompress(response.read()).decode("utf-8")
    return [
        f"{base.rstrip('/')}/{line.strip().lstrip('/')}"
        for line in listing.splitlines()
        if line.strip()
    ]


def file_name(location: str) -> str:
    """The stable name of a WARC file: a URL as given, a local path made absolute."""
    if location.startswith(("http://", "https://")):
        return location
    return str(Path(location).resolve())
