"""A plain article page (HTML) to an archive news item: the fallback when a source has
no API or feed entry for the page.

The date, title, authors and language come from the page-metadata ladder
(crawler.extract.page_metadata: what the page declares, the dateline, htmldate, the
URL); link rels give the canonical URL, translations and CMS id; the body text comes
from trafilatura. Dates are recorded with where they came from (``published_from``)
because the archive ranks date evidence (see crawler/items.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura

from crawler.extract.page_metadata import read_page_metadata
from crawler.extract.text import clean_inline, plain_to_text
from crawler.items import ArchiveItem
from partnews.text import parse_html_document

# Measured with `python -m bench extraction` on the 181 pages of the article-extraction
# benchmark (4-token shingles, benchmark metric; the bench's baseline is trafilatura with
# these same options, the defaults row is for reference; docs/benchmarks.md):
#   favor_precision=True   P 0.958  R 0.971  F1 0.964
#   favor_precision=False  P 0.942  R 0.978  F1 0.960
#   trafilatura defaults   P 0.928  R 0.978  F1 0.953
# Precision matters more here: boilerplate in a body pollutes full-text search.
FAVOR_PRECISION = True


def main_text(html: str, url: str | None = None) -> str | None:
    """The main text of a page with trafilatura, paragraphs separated by a blank line.

    trafilatura's text output puts one paragraph per line; the archive's convention is
    "\\n\\n" between paragraphs.
    """
    text = trafilatura.extract(
        html,
        url=url,
        favor_precision=FAVOR_PRECISION,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    if not text:
        return None
    return plain_to_text(text.replace("\n", "\n\n"))


def _meta(doc: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = doc.xpath(f'//meta[@{attr}="{name}"]/@content')
            for value in values:
                if value.strip():
                    return value.strip()
    return None


def _link(doc: lxml.html.HtmlElement, rel: str) -> list[lxml.html.HtmlElement]:
    return [el for el in doc.xpath("//link[@rel]") if rel in (el.get("rel") or "").lower().split()]


def _cms_id(doc: lxml.html.HtmlElement) -> str | None:
    """The CMS's own id from <link rel=shortlink>: Drupal /node/N or WordPress ?p=N."""
    for el in _link(doc, "shortlink"):
        href = el.get("href") or ""
        node = re.search(r"/node/(\d+)/?$", href)
        if node:
            return f"drupal:node/{node.group(1)}"
        post = re.search(r"[?&]p=(\d+)\b", href)
        if post:
            return f"wp:post/{post.group(1)}"
    return None


def extract_article(
    html: str,
    url: str,
    *,
    captured: datetime | None = None,
    dateline: str | None = None,
    byline: str | None = None,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
    doc: lxml.html.HtmlElement | None = None,
) -> ArchiveItem:
    """A news item from an article page (see the module docstring for the sources of
    each field). ``captured``, ``dateline``, ``byline``, ``languages`` and ``day_first``
    go to the page-metadata ladder (read_page_metadata). Missing facts stay None: no
    date is ever invented. ``doc`` is the page's tree when the caller already parsed
    ``html`` with `parse_html_document` (it is read, never changed), to parse it once.
    """
    doc = parse_html_document(html) if doc is None else doc
    page = read_page_metadata(
        doc,
        url,
        captured=captured,
        dateline=dateline,
        byline=byline,
        languages=languages,
        day_first=day_first,
    )
    canonical = next((el.get("href") for el in _link(doc, "canonical") if el.get("href")), None)
    translations = {
        el.get("hreflang"): urljoin(url, el.get("href"))
        for el in _link(doc, "alternate")
        if el.get("hreflang") and el.get("href") and el.get("hreflang") != "x-default"
    }
    image = _meta(doc, ("og:image", "og:image:url", "twitter:image"))
    return ArchiveItem(
        kind="news",
        url=url,
        canonical_url=urljoin(url, canonical) if canonical else None,
        title=page.title,
        summary=clean_inline(_meta(doc, ("description", "og:description"))),
        body=main_text(html, url),
        published=page.published,
        published_from=page.published_from,
        modified=page.modified,
        language=page.language,
        authors=list(page.authors),
        image=urljoin(url, image) if image else None,
        translations=translations,
        cms_id=_cms_id(doc),
    )
