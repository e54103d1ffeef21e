"""A plain article page (HTML) to an archive news item: the fallback when a source has
no API or feed entry for the page.

Metadata comes from what the page declares (JSON-LD, meta tags, <time>, link rels);
the body text comes from trafilatura. Dates are recorded with where they came from
(``published_from``) because the archive ranks date evidence (see crawler/items.py).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
import trafilatura

from crawler.extract.dates import normalize_iso
from crawler.extract.structured import extract_structured, is_article, types_of
from crawler.extract.text import clean_inline, plain_to_text
from crawler.items import ArchiveItem
from partnews.text import parse_html_document

# Measured with `python -m bench.bench_extraction` on the 181 pages of the
# article-extraction benchmark (4-token shingles, benchmark metric):
#   favor_precision=True   P 0.958  R 0.971  F1 0.964
#   favor_precision=False  P 0.942  R 0.978  F1 0.960
#   trafilatura defaults   P 0.928  R 0.978  F1 0.953
# Precision matters more here: boilerplate in a body pollutes full-text search.
FAVOR_PRECISION = True

_TITLE_SUFFIX_RE = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "dc.date.issued",
    "DC.date.issued",
    "pubdate",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "dateModified",
    "og:article:modified_time",
)


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


def _title(doc: lxml.html.HtmlElement) -> str | None:
    """og:title (minus an appended og:site_name), then the first <h1>, then <title>
    without its " | Site" suffix."""
    og = clean_inline(_meta(doc, ("og:title",)))
    site = clean_inline(_meta(doc, ("og:site_name",)))
    if og and site and og != site:
        # SEO plugins append the site name ("An App - Uniting NC"): not part of the title.
        og = re.sub(rf"\s+[|–—-]\s+{re.escape(site)}$", "", og)
    if og:
        return og
    for h1 in doc.xpath("//h1"):
        text = clean_inline(h1.text_content())
        if text:
            return text
    title = clean_inline(" ".join(doc.xpath("//title//text()")))
    if title:
        title = _TITLE_SUFFIX_RE.sub("", title) or title
    return title


def _language(doc: lxml.html.HtmlElement) -> str | None:
    """Primary subtag of <html lang>, else of og:locale ("fr_FR" -> "fr")."""
    for value in doc.xpath("/html/@lang") + [_meta(doc, ("og:locale",)) or ""]:
        primary = re.split(r"[-_]", value.strip())[0].lower()
        if re.fullmatch(r"[a-z]{2,3}", primary):
            return primary
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


def _time_element(doc: lxml.html.HtmlElement) -> str | None:
    """The first <time datetime> inside the article (else the page), preferring the one
    marked as the publication date."""
    scopes = doc.xpath("//article") or [doc]
    for scope in scopes:
        times = scope.xpath(".//time[@datetime]")
        marked = [
            t
            for t in times
            if t.get("pubdate") is not None
            or "publi" in (t.get("class") or "")
            or t.get("itemprop") == "datePublished"
        ]
        for t in marked + times:
            value = normalize_iso(t.get("datetime"))
            if value:
                return value
    return None


def _jsonld_dates(nodes: list[dict]) -> tuple[str | None, str | None]:
    """(datePublished, dateModified) from an Article first, else a WebPage (Yoast puts
    the post dates on the WebPage node only)."""
    ranked = [n for n in nodes if is_article(n)] + [
        n for n in nodes if any(t.endswith("Page") for t in types_of(n))
    ]
    for node in ranked:
        published = normalize_iso(node.get("datePublished"))
        if published:
            return published, normalize_iso(node.get("dateModified"))
    return None, None


def extract_article(html: str, url: str) -> ArchiveItem:
    """A news item from an article page (see the module docstring for the sources of
    each field). Missing facts stay None: no date is ever invented."""
    doc = parse_html_document(html)
    structured = extract_structured(html, url)
    published, modified = _jsonld_dates(structured.flattened)
    published_from = "jsonld" if published else None
    if not published:
        published = normalize_iso(_meta(doc, _PUBLISHED_META))
        published_from = "meta" if published else None
    if not published:
        published = _time_element(doc)
        published_from = "time" if published else None
    modified = modified or normalize_iso(_meta(doc, _MODIFIED_META))
    canonical = next((el.get("href") for el in _link(doc, "canonical") if el.get("href")), None)
    translations = {
        el.get("hreflang"): urljoin(url, el.get("href"))
        for el in _link(doc, "alternate")
        if el.get("hreflang") and el.get("href") and el.get("hreflang") != "x-default"
    }
    authors = []
    for node in structured.flattened:
        if is_article(node):
            author = node.get("author")
            for a in author if isinstance(author, list) else [author]:
                name = clean_inline(a.get("name") if isinstance(a, dict) else a)
                if name and name not in authors:
                    authors.append(name)
    if not authors and _meta(doc, ("author",)):
        authors = [clean_inline(_meta(doc, ("author",)))]
    image = _meta(doc, ("og:image", "og:image:url", "twitter:image"))
    return ArchiveItem(
        kind="news",
        url=url,
        canonical_url=urljoin(url, canonical) if canonical else None,
        title=_title(doc),
        summary=clean_inline(_meta(doc, ("description", "og:description"))),
        body=main_text(html, url),
        published=published,
        published_from=published_from,
        modified=modified,
        language=_language(doc),
        authors=[a for a in authors if a],
        image=urljoin(url, image) if image else None,
        translations=translations,
        cms_id=_cms_id(doc),
    )
