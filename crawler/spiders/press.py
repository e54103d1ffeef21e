"""Base spider for press outlets: what a newspaper published about the partnership.

A newspaper writes about everything; partnews wants the few articles about San Diego and
Région Sud. WordPress answers a search with a feed (``/?s=TERM&feed=rss2``), so the
spider reads one search feed per term of the source's ``search_terms`` (sources.toml),
page after page (``&paged=N``) while pages bring items, and never walks the rest of the
site. A feed entry with the full text (``content:encoded``) is the item; when the feed
has only an excerpt (WordPress's "Summary" setting), the article page is read for its
full text, ``<time>``/JSON-LD dates, author and section. An article found by several
terms is read once. Such sources are ``relevance = "filtered"``: the relevance pipeline
keeps only the articles about the partnership.

A new press outlet needs no code: a ``cms = "press"`` block in sources.toml (see
crawler/spiders/configured.py).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.feeds import parse_feed
from crawler.extract.structured import extract_structured, is_article
from crawler.extract.text import clean_inline
from crawler.items import ArchiveItem
from crawler.spiders.base import PartnewsSpider

# A search page past the last result is a 404 (with an empty feed); errors end a term.
UNAVAILABLE = [400, 401, 403, 404, 410, 500, 502, 503]


def search_feed_query(term: str, page: int) -> str:
    """The query string of a WordPress search feed page ("s=Provence&feed=rss2&paged=2")."""
    params: dict = {"s": term, "feed": "rss2"}
    if page > 1:
        params["paged"] = page
    return urlencode(params)


def _names(value) -> list[str]:
    """Strings from a JSON-LD value that is a string, a list, or comma-separated text."""
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        if isinstance(v, str):
            names += [clean_inline(part) for part in v.split(",")]
    return [n for n in dict.fromkeys(names) if n]


def merge_feed_entry(page: ArchiveItem, entry: ArchiveItem) -> ArchiveItem:
    """The article page's item, with what only the feed entry knew filled in: the page
    is the better witness (full text, exact dates), the feed the fallback."""
    for name in ("title", "summary", "published", "modified", "language", "cms_id"):
        if not getattr(page, name) and getattr(entry, name):
            setattr(page, name, getattr(entry, name))
            if name == "published":
                page.published_from = entry.published_from
    page.authors = page.authors or entry.authors
    page.categories = page.categories or entry.categories
    page.body = page.body or entry.body
    return page


class PressSpider(PartnewsSpider):
    """Reads the WordPress search feeds of a press site for each of its search terms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._yielded: set[str] = set()

    async def start(self):
        for term in self.source.search_terms:
            yield self.search_request(term, 1)

    def search_request(self, term: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.url("/?" + search_feed_query(term, page)),
            callback=self.parse_search_feed,
            meta={"term": term, "page": page, "handle_httpstatus_list": UNAVAILABLE},
        )

    def is_own(self, url: str) -> bool:
        """Whether a link is an article of this site (feeds can carry other sites' links)."""
        return (urlsplit(url).hostname or "") in self.source.hosts

    def parse_search_feed(self, response):
        entries = parse_feed(response.body, url=response.url) if response.status == 200 else []
        for entry in entries:
            if not entry.url or not self.is_own(entry.url) or entry.url in self._yielded:
                continue
            if entry.body:
                self._yielded.add(entry.url)
                yield self.finish(entry, response)
            else:
                # The dupe filter reads an article found by several terms only once.
                yield scrapy.Request(
                    entry.url, callback=self.parse_article, cb_kwargs={"entry": entry}
                )
        if entries:
            yield self.search_request(response.meta["term"], response.meta["page"] + 1)

    def parse_article(self, response, entry: ArchiveItem | None = None):
        item = extract_article(response.text, response.url)
        self.add_section_and_keywords(item, response)
        if entry is not None:
            item = merge_feed_entry(item, entry)
        self._yielded.add(item.url)
        yield self.finish(item, response)

    def add_section_and_keywords(self, item: ArchiveItem, response) -> None:
        """The newspaper's section (JSON-LD ``articleSection``) as the item's categories,
        its ``keywords`` as tags: the sections a reader browses by."""
        for node in extract_structured(response.text, response.url).flattened:
            if is_article(node):
                item.categories = item.categories or _names(node.get("articleSection"))
                item.tags = item.tags or _names(node.get("keywords"))
