"""The task a Dask worker runs on one WARC file: read, prefilter, read pages, score.

Workers only read and filter: nothing here writes anywhere. The result is one plain,
picklable dict per file (`scan_file`), sent back to the driver (crawler/newscrawl/job.py),
which alone hands the items to the pipelines and the archive. So a worker may run on
any machine that can read the file, and a task that dies is simply run again.

A page that survives the byte prefilter (crawler/newscrawl/prefilter.py) is read by the
project's own article reader (crawler/extract/article.py: the page-metadata date
ladder, title, body with trafilatura, language), with the WARC record's date as the
capture date (no publication date after it), then scored by the relevance rules as a
filtered source's item. Before the reader, a second stage (crawler/newscrawl/textfilter.py)
scores the page's text and drops the pages whose text cannot reach the threshold; the
page is parsed once, for both. A relevant item goes through the pipelines that are pure
functions of it (validate → normalize → relevance, `prepare_item`) here, not in the
driver. Only relevant items travel back, with the capture they were read from (WARC
file, offset, record id, date).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from dateparser.conf import settings as dateparser_settings
from dateparser.languages.loader import default_loader

from crawler.extract.article import extract_article
from crawler.newscrawl.prefilter import prefilter_for
from crawler.newscrawl.reader import MAX_PAGE_BYTES, Page, Problem, ReadCounts, read_warc
from crawler.newscrawl.textfilter import text_may_be_relevant
from partnews.relevance import RULES_PATH, load_rules, score_text
from partnews.text import parse_html_document
from pipelines.normalize import normalize_item
from pipelines.relevance import NotRelevant, RelevancePipeline
from pipelines.validate import problems as item_problems

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


def read_article(
    page: Page,
    rules_path: Path = RULES_PATH,
    *,
    html: str | None = None,
    doc: lxml.html.HtmlElement | None = None,
) -> dict[str, Any] | None:
    """The archive item of a page about the partnership (source ``press``), or None:
    the article reader and the rules, on the page's text and tree when already made."""
    html = page_text(page) if html is None else html
    captured = datetime.fromisoformat(page.captured) if page.captured else None
    item = extract_article(html, page.url, captured=captured, doc=doc)
    item.source = SOURCE
    rules = load_rules(rules_path)
    relevance = score_text(item.title, item.summary, item.body, rules, sectors=False)
    if not relevance.is_relevant(rules):
        return None
    return item.to_dict()


def prepare_item(item: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The first pipelines of an item, run by the worker that read it: validate →
    normalize → relevance (pure functions of the item), so that the driver, the one
    process every result goes through, only deduplicates and writes. The outcome is
    None for an item to store, ``rejected`` (the item then holds ``reasons``) or
    ``not_relevant`` (the text changed in normalisation)."""
    reasons = item_problems(item)
    if reasons:
        return "rejected", dict(item, reasons=reasons)
    item = normalize_item(item, None)  # a new dict, which the relevance pipeline fills in
    try:
        return None, RelevancePipeline().process_item(item)
    except NotRelevant:
        return "not_relevant", item


def read_page(page: Page, rules_path: Path = RULES_PATH) -> tuple[dict[str, Any] | None, bool]:
    """The page's item (or None), and whether its text passed the second stage
    (crawler/newscrawl/textfilter.py). The page is decoded and parsed once; its text is
    scored first, and only a page that passes is read, on the same tree."""
    html = page_text(page)
    doc = parse_html_document(html)
    if not text_may_be_relevant(doc, load_rules(rules_path), prefilter_for(rules_path)):
        return None, False
    return read_article(page, rules_path, html=html, doc=doc), True


# Pages that take the article reader and the pipelines down each of their paths once (a
# declared date, a dateline in English and in French, no date at all, a body too short
# for trafilatura's first pass, a canonical URL and a translation): each path compiles
# its patterns and loads its tables on first use, a second or more per worker process,
# which is start-up, not any file's reading time.
WARM_UP_PAGES = (
    "<html lang='en'><head><title>Warm up</title><link rel='canonical' href='/warm-up/0'>"
    "<link rel='alternate' hreflang='fr' href='/fr/warm-up/0'>"
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Warm up",'
    ' "datePublished": "2025-06-01T08:00:00+02:00"}</script></head><body><article>'
    "<h1>Warm up</h1><p>Published June 1, 2025. San Diego and Marseille sign an agreement."
    "</p><p>A second paragraph of the article, long enough to be its body text.</p>"
    "</article></body></html>",
    "<html lang='fr'><head><title>Échauffement</title></head><body><h1>Échauffement</h1>"
    "<p class='date'>Publié le 3 mars 2024 à 10h15</p><p>San Diego et Marseille signent un"
    " accord de coopération, selon la délégation de la Région Sud.</p></body></html>",
    "<html><head><title>Warm up without a date</title></head><body><div id='main'><h2>"
    "Warm up</h2><div>San Diego, Marseille. Nothing else.</div></div><div class='comments'>"
    "<p>Posted on 2 Jan 2021 by a reader</p></div><footer>© 2024</footer></body></html>",
)


def warm_up(rules_path: str | None = None) -> bool:
    """Load a worker's reading stack once (the prefilter, lxml, trafilatura, the date
    parsers) by reading a few small pages down every path of the reader: run on every
    worker before the first file, so that a worker that cannot import partnews fails at
    once, and a file's time is its own."""
    path = Path(rules_path) if rules_path else RULES_PATH
    prefilter_for(path)
    for number, html in enumerate(WARM_UP_PAGES):
        page = Page(f"https://example.org/warm-up/{number}", 0, None, None, "utf-8", html.encode())
        read_page(page, path)
        item = read_article(page, path)
        if item is not None:
            prepare_item(item)  # the language identifier's model, the URL rules
    warm_dateparser()
    return True


def warm_dateparser() -> None:
    """Build dateparser's tables for all its locales, as a long job ends up doing.

    The date ladder tells dateparser the page's language (crawler/extract/page_metadata.py,
    partnews/dates.py), which may be any of its locales; a locale compiles its patterns
    and builds its tables of relative dates ("il y a 3 jours") the first time it reads a
    string, a fraction of a second each, spread over a worker's first files. Translating
    a digit with each locale builds them all at start-up."""
    for locale in default_loader.get_locales(use_given_order=False):
        locale.translate("1", settings=dateparser_settings)


def scan_file(
    location: str, rules_path: str | None = None, max_bytes: int = MAX_PAGE_BYTES
) -> dict[str, Any]:
    """Read one WARC file and return what the driver needs: counts, relevant items with
    their captures, and every problem with its offset (see the module docstring)."""
    path = Path(rules_path) if rules_path else RULES_PATH
    prefilter = prefilter_for(path)
    counts = ReadCounts()
    started, cpu_started = time.perf_counter(), time.process_time()
    passed = text_passed = 0
    found: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for entry in read_warc(location, counts, max_bytes=max_bytes, keep=prefilter.keeps):
        if isinstance(entry, Problem):
            problems.append(vars(entry) | {"file": location})
            continue
        passed += 1
        try:
            item, text_ok = read_page(entry, path)
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
        text_passed += text_ok
        if item is not None:
            outcome, item = prepare_item(item)
            found.append(
                {
                    "outcome": outcome,
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
        "passed": passed,
        "text_passed": text_passed,
        "relevant": len(found),
        "items": found,
        "problems": problems,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
    }
