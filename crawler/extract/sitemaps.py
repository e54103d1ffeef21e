"""XML sitemaps (urlset and sitemapindex) to a list of URLs with their lastmod.

Sitemaps list every page of a site with its last change date, which is how the
spiders discover articles that no listing page links any more.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.etree

from crawler.extract.dates import normalize_iso

_XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass
class SitemapEntry:
    """One <url> or <sitemap> entry."""

    loc: str
    lastmod: str | None = None
    # hreflang -> URL from <xhtml:link rel="alternate">.
    alternates: dict[str, str] = field(default_factory=dict)


@dataclass
class Sitemap:
    """A parsed sitemap: ``kind`` is "urlset" (pages) or "sitemapindex" (sitemaps)."""

    kind: str
    entries: list[SitemapEntry] = field(default_factory=list)


def _local(tag: object) -> str:
    """Tag name without its namespace: sitemaps are written with, without, and with the
    wrong namespace, and all of them mean the same thing."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(data: bytes | str, *, base_url: str | None = None) -> Sitemap:
    """Parse a sitemap (gzip bytes accepted, leading whitespace tolerated).

    ``lastmod`` is normalised to ISO 8601 when it is readable and kept as written
    otherwise. *base_url* resolves relative ``<loc>`` values, which static exports of
    WordPress sites produce. Raises ValueError, and nothing else, when the body is not
    a sitemap: empty, not XML, a broken gzip file, or a root that is neither urlset nor
    sitemapindex.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"not a sitemap (broken gzip: {error})") from error
    raw = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    if not raw:
        raise ValueError("not a sitemap (empty body)")
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, huge_tree=True)
    try:
        root = lxml.etree.fromstring(raw, parser=parser)
    except lxml.etree.LxmlError as error:
        raise ValueError(f"not a sitemap ({error})") from error
    kind = _local(root.tag) if root is not None else ""
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"not a sitemap (root element {kind or 'missing'!r})")
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        values = {_local(c.tag): (c.text or "").strip() for c in node}
        loc = values.get("loc")
        if not loc:
            continue
        if base_url:
            loc = urljoin(base_url, loc)
        lastmod = values.get("lastmod") or None
        alternates = {
            link.get("hreflang"): urljoin(base_url or "", link.get("href"))
            for link in node.iter(f"{{{_XHTML_NS}}}link")
            if link.get("rel") == "alternate" and link.get("hreflang") and link.get("href")
        }
        entries.append(SitemapEntry(loc, normalize_iso(lastmod) or lastmod, alternates))
    return Sitemap(kind, entries)
