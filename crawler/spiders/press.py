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

On an incremental night (``mode=incremental``) the site's own feed (``/feed/``) is
asked first, with a conditional GET: WordPress changes it whenever a post is published
or edited, so a 304 means no search can have changed and the night ends there (two
requests with robots.txt). Otherwise each search feed is revalidated, its pages walked
only while they list articles not yet known, and an article page read only when new.

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
from crawler.spiders.base import UNAVAILABLE, PartnewsSpider

# A search page past the last result is a 404 (with an empty feed); errors end a term
# (UNAVAILABLE, crawler/spiders/base.py).


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

    site_feed_path = "/feed/"

    async def start(self):
        # A nightly's full pass reads the site feed too, for the next night's validators.
        if self.incremental or self.night:
            yield self.entry_request(
                self.url(self.site_feed_path),
                self.parse_site_feed,
                meta={"handle_httpstatus_list": UNAVAILABLE},
            )
        if not self.incremental:
            for term in self.source.search_terms:
                yield self.search_request(term, 1)

    def parse_site_feed(self, response):
        """The site's newest posts: unchanged (304), nothing to search tonight."""
        if self.unchanged(response):
            return
        entries = (
            parse_feed(response.body, url=response.url, on_failure=self.record_failed)
            if response.status == 200
            else []
        )
        self.report_entry(response, len(entries))
        if self.incremental:
            for term in self.source.search_terms:
                yield self.search_request(term, 1)

    def search_request(self, term: str, page: int) -> scrapy.Request:
        url = self.url("/?" + search_feed_query(term, page))
        meta = {"term": term, "page": page, "handle_httpstatus_list": UNAVAILABLE}
        if page == 1:
            return self.entry_request(url, self.parse_search_feed, meta=meta)
        return scrapy.Request(url, callback=self.parse_search_feed, meta=meta)

    def is_own(self, url: str) -> bool:
        """Whether a link is an article of this site (feeds can carry other sites' links)."""
        return (urlsplit(url).hostname or "") in self.source.hosts

    def parse_search_feed(self, response):
        if self.unchanged(response):
            return
        entries = (
            parse_feed(response.body, url=response.url, on_failure=self.record_failed)
            if response.status == 200
            else []
        )
        if response.meta["page"] == 1:
            self.report_entry(response, len(entries))
        own = [e.url for e in entries if e.url and self.is_own(e.url)]
        for entry in entries:
            if not entry.url or not self.is_own(entry.url) or entry.url in self._yielded:
                continue
            if entry.body:
                self._yielded.add(entry.url)
                yield self.finish(entry, response)
            elif self.wants_page(entry.url):
                # The dupe filter reads an article found by several terms only once.
                yield self.page_request(entry.url, self.parse_article, cb_kwargs={"entry": entry})
        if entries and not self.all_known(own):
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
