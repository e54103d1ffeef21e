"""The task a Dask worker runs on one WARC file: read, prefilter, read pages, score.

Workers only read and filter: nothing here writes anywhere. The result is one plain,
picklable dict per file (`scan_file`), sent back to the driver (crawler/newscrawl/job.py),
which alone hands the items to the pipelines and the archive. So a worker may run on
any machine that can read the file, and a task that dies is simply run again.

A page that survives the byte prefilter (crawler/newscrawl/prefilter.py) is read by the
project's own article reader (crawler/extract/article.py: the page-metadata date
ladder, title, body with trafilatura, language), with the WARC record's date as the
capture date (no publication date after it), then scored by the relevance rules as a
filtered source's item. Only relevant items travel back, with the capture they were
read from (WARC file, offset, record id, date).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.article import extract_article
from crawler.newscrawl.prefilter import prefilter_for
from crawler.newscrawl.reader import MAX_PAGE_BYTES, Page, Problem, ReadCounts, read_warc
from partnews.relevance import RULES_PATH, load_rules, score_text

# The archive source of every item this crawl finds; the site is the URL's host.
SOURCE = "press"


def page_text(page: Page) -> str:
    """The page's HTML as text: its declared charset, else UTF-8, else cp1252 (the
    encoding of old Western pages that declare none; every byte maps to a character)."""
    for encoding in (page.charset, "utf-8"):
        if not encoding:
            continue
        try:
            return page.payload.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return page.payload.decode("cp1252", errors="replace")


def read_page(page: Page, rules_path: Path = RULES_PATH) -> dict[str, Any] | None:
    """The archive item of a page about the partnership (source ``press``), or None."""
    captured = datetime.fromisoformat(page.captured) if page.captured else None
    item = extract_article(page_text(page), page.url, captured=captured)
    item.source = SOURCE
    rules = load_rules(rules_path)
    relevance = score_text(item.title, item.summary, item.body, rules)
    if not relevance.is_relevant(rules):
        return None
    return item.to_dict()


def warm_up(rules_path: str | None = None) -> bool:
    """Load a worker's reading stack once (the prefilter, lxml, trafilatura, the date
    parsers) by reading a tiny page: run on every worker before the first file, so that
    a worker that cannot import partnews fails at once, and a file's time is its own."""
    prefilter_for(Path(rules_path) if rules_path else RULES_PATH)
    html = (
        "<html lang='en'><head><title>Warm up</title></head><body><h1>Warm up</h1>"
        "<p>Published June 1, 2025. San Diego and Marseille.</p></body></html>"
    )
    page = Page("https://example.org/warm-up", 0, None, None, "utf-8", html.encode())
    read_page(page, Path(rules_path) if rules_path else RULES_PATH)
    return True


def scan_file(
    location: str, rules_path: str | None = None, max_bytes: int = MAX_PAGE_BYTES
) -> dict[str, Any]:
    """Read one WARC file and return what the driver needs: counts, relevant items with
    their captures, and every problem with its offset (see the module docstring)."""
    path = Path(rules_path) if rules_path else RULES_PATH
    prefilter = prefilter_for(path)
    counts = ReadCounts()
    started = time.perf_counter()
    passed = 0
    found: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for entry in read_warc(location, counts, max_bytes=max_bytes):
        if isinstance(entry, Problem):
            problems.append(vars(entry) | {"file": location})
            continue
        if not prefilter.keeps(entry.payload):
            continue
        passed += 1
        try:
            item = read_page(entry, path)
        except Exception as error:  # noqa: BLE001 (one bad page must not end the file; reported)
            problems.append(
                {
                    "kind": "unreadable_page",
                    "offset": entry.offset,
                    "message": f"{type(error).__name__}: {error}",
                    "url": entry.url,
                    "file": location,
                }
            )
            continue
        if item is not None:
            found.append(
                {
                    "item": item,
                    "host": (urlsplit(entry.url).hostname or "").lower(),
                    "capture": {
                        "url": entry.url,
                        "status": 200,
                        "captured_at": entry.captured,
                        "warc_file": location,
                        "warc_offset": entry.offset,
                        "record_id": entry.record_id,
                    },
                }
            )
    return {
        "file": location,
        "failed": counts.problems.get("unreadable", 0) > 0,
        "records": counts.records,
        "pages": counts.pages,
        "bytes": counts.bytes_read,
        "passed": passed,
        "relevant": len(found),
        "items": found,
        "problems": problems,
        "seconds": time.perf_counter() - started,
    }
