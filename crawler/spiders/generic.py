"""Base spider for news sites of no known CMS: the feed → sitemap → listing ladder.

Such a site offers no API, so the spider finds article URLs on three rungs, best first:

1. the feed(s) (``feed_paths``): exact dates, but only the newest posts;
2. the sitemap (``sitemap_path``, a urlset or a sitemap index): every page, with its
   ``lastmod``; when it lists articles the listings are not needed;
3. the listing pages (``listings``, each with its pager): walked page by page until a
   page brings no new article, when the sitemap is missing, broken or lists no article.

The rungs run one after the other, so that everything known of a URL (its feed date,
its lastmod) is known before its page is fetched, whatever the order of the answers.
Every article is then read from its OWN page, never from a listing (listings that carry
full bodies would otherwise duplicate it): the page's structured data first
(`crawler.extract.structured.items_from_structured`), then what the page itself shows
(`crawler.extract.article.extract_article`, trafilatura for the body), dated by the
page-metadata ladder (crawler.extract.page_metadata), to which the site's visible
dateline (``dateline_css``, read in `PartnewsSpider.dateline_hint`) is one rung.

On an incremental night (``mode=incremental``) the feeds, the sitemap and the first
listing pages are revalidated: a 304 sitemap means no article changed (its index's
lastmods follow its children's), and an article is read only when it is new or its
lastmod changed; a listing stops at the first page whose articles are all known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.feeds import is_feed, parse_feed
from crawler.extract.sitemaps import parse_sitemap
from crawler.extract.structured import items_from_structured
from crawler.items import ArchiveItem
from crawler.records import RecordFailure
from crawler.spiders.base import UNAVAILABLE, PartnewsSpider


@dataclass(frozen=True)
class Listing:
    """A listing's first page and its pager: "?page={n}" or "/page/{n}" appended to `path`.

    `first_page` is the number the first page has in the pager's counting: 1 when the
    second page is "?page=2" or "/page/2", 0 for zero-based pagers (Drupal's "?page=1").
    """

    path: str
    pager: str = "?page={n}"
    first_page: int = 1

    def page(self, index: int) -> str:
        """The path of page `index` (0 is the first page, which has no pager)."""
        if index == 0:
            return self.path
        return self.path + self.pager.format(n=self.first_page + index)


@dataclass
class Found:
    """What the feed and the sitemap said about an article URL before its page is read."""

    feed_published: str | None = None
    lastmod: str | None = None


def merge_items(structured: ArchiveItem, page: ArchiveItem) -> ArchiveItem:
    """The structured item completed by the page's: declared facts win, the page fills
    in what structured data rarely carries (the body, canonical URL, translations).

    The fetched URL is the page's: `mainEntityOfPage` names the canonical URL, which the
    canonical field already keeps.
    """
    merged = ArchiveItem()
    for f in fields(ArchiveItem):
        mine, theirs = getattr(structured, f.name), getattr(page, f.name)
        setattr(merged, f.name, mine if mine not in (None, "", [], {}) else theirs)
    merged.url = page.url
    return merged


def extract_page(
    html: str,
    url: str,
    *,
    captured: datetime | None = None,
    dateline: str | None = None,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> ArchiveItem:
    """The item of an article (or event) page: structured data first, then the page itself;
    the date and title are the page-metadata ladder's (crawler.extract.page_metadata),
    which reads the structured data too but weighs it against the visible dateline.

    ``dateline`` is the text of the source's dateline element, if its spider names one;
    ``captured`` (the fetch time), ``languages`` and ``day_first`` go to the ladder. A
    structured-data object that cannot be read goes to *on_failure* (crawler/records.py).
    """
    page = extract_article(
        html, url, captured=captured, dateline=dateline, languages=languages, day_first=day_first
    )
    structured = items_from_structured(html, url, on_failure=on_failure)
    articles = [i for i in structured if i.kind == "news"]
    events = [i for i in structured if i.kind == "event"]
    if articles:
        merged = merge_items(articles[0], page)
        ladder = ("published", "published_from", "title")
    elif len(events) == 1:
        # an event's own page: its start, end and venue are the item; the page's date is
        # when it was published, and the event's name stays its title
        merged = merge_items(events[0], page)
        ladder = ("published", "published_from")
    else:  # no structured item, or a listing of several events: the page itself
        return page
    for name in ladder:
        if getattr(page, name):
            setattr(merged, name, getattr(page, name))
    return merged


def strip_furniture(body: str | None, furniture: list[str]) -> str | None:
    """The body without the leading paragraphs that only repeat the page's furniture.

    trafilatura keeps an article's <h1> and its dateline line when they sit inside the
    <article> element; they are not body text. A leading paragraph is dropped only when
    it is contained in one of `furniture` (the title, the dateline text), so a real
    first paragraph, which says more than the title, is never lost.
    """
    if not body:
        return body
    paragraphs = body.split("\n\n")
    pieces = [" ".join(f.split()) for f in furniture if f]
    while paragraphs and any(" ".join(paragraphs[0].split()) in f for f in pieces):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs) or None


def url_path(url: str) -> str:
    return urlsplit(url).path or "/"


class GenericNewsSpider(PartnewsSpider):
    # Feeds read first, in this order ("/rss.xml"); empty when the site has none.
    feed_paths: tuple[str, ...] = ()
    # The sitemap (or sitemap index); None when the site has none.
    sitemap_path: str | None = "/sitemap.xml"
    # Listing pages walked when the sitemap gives nothing.
    listings: tuple[Listing, ...] = ()
    # A hint of where article links are on a listing page (counted per page, see
    # PartnewsSpider.selector_hint); without one, or when it matches nothing, every link
    # of the page. Only links matching the article pattern count.
    listing_link_css: str | None = None
    # Which URLs are articles (matched against the path).
    article_path_pattern: re.Pattern = re.compile(r"^/.+")
    # The element holding the visible date ("Publié le 31 août 2018"), if any.
    dateline_css: str | None = None
    # A listing is never walked further than this, whatever its pager does.
    max_listing_pages = 500

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[str, Found] = {}
        self.requested: set[str] = set()
        self.listed: dict[Listing, set[str]] = {}
        self.sitemaps_pending = 0
        self.sitemap_articles = 0
        self.sitemap_unchanged = False

    async def start(self):
        for request in self.next_rung_after_feed(-1):
            yield request

    def is_article_url(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host in self.source.hosts and bool(self.article_path_pattern.match(url_path(url)))

    def note(self, url: str) -> Found:
        return self.found.setdefault(url, Found())

    # Rung 1: feeds -----------------------------------------------------------------------

    def next_rung_after_feed(self, index: int):
        """The next feed, or the sitemap rung once every feed has been read."""
        if index + 1 < len(self.feed_paths):
            yield self.entry_request(
                self.url(self.feed_paths[index + 1]),
                self.parse_feed,
                errback=self.feed_failed,
                meta={"feed_index": index + 1, "handle_httpstatus_list": UNAVAILABLE},
                dont_filter=True,
            )
        else:
            yield from self.start_sitemap_rung()

    def parse_feed(self, response):
        if self.unchanged(response):
            yield from self.next_rung_after_feed(response.meta["feed_index"])
            return
        ok = response.status == 200 and is_feed(response.body)
        items = (
            parse_feed(response.body, url=response.url, on_failure=self.record_failed) if ok else []
        )
        if not items:
            self.logger.warning("No feed entries at %s (%s)", response.url, response.status)
        articles = [item for item in items if self.is_article_url(item.url)]
        self.report_entry(response, len(articles))
        for item in articles:
            self.note(item.url).feed_published = item.published
        yield from self.next_rung_after_feed(response.meta["feed_index"])

    def feed_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Feed failed (%s)", failure.value)
        return self.next_rung_after_feed(failure.request.meta["feed_index"])

    # Rung 2: the sitemap -----------------------------------------------------------------

    def start_sitemap_rung(self):
        if not self.sitemap_path:
            yield from self.start_listing_rung()
            return
        self.sitemaps_pending = 1
        yield self.sitemap_request(self.url(self.sitemap_path))

    def sitemap_request(self, url: str) -> scrapy.Request:
        return self.entry_request(
            url,
            self.parse_sitemap,
            errback=self.sitemap_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE},
            dont_filter=True,
        )

    def parse_sitemap(self, response):
        if self.unchanged(response):
            self.sitemap_unchanged = True
            yield from self.sitemap_done()
            return
        try:
            ok = response.status == 200
            sitemap = parse_sitemap(response.body, base_url=response.url) if ok else None
        except ValueError:
            sitemap = None
        if sitemap is None:
            self.report_entry(response, 0)
            self.logger.warning("No sitemap at %s (%s)", response.url, response.status)
        elif sitemap.kind == "sitemapindex":
            self.report_entry(response, len(sitemap.entries))
            for entry in sitemap.entries:
                self.sitemaps_pending += 1
                yield self.sitemap_request(entry.loc)
        else:
            articles = [e for e in sitemap.entries if self.is_article_url(e.loc)]
            self.report_entry(response, len(articles))
            for entry in articles:
                self.note(entry.loc).lastmod = entry.lastmod
                self.sitemap_articles += 1
        yield from self.sitemap_done()

    def sitemap_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Sitemap failed (%s)", failure.value)
        return self.sitemap_done()

    def sitemap_done(self):
        """When the last sitemap is in: read the articles, or fall back to the listings."""
        self.sitemaps_pending -= 1
        if self.sitemaps_pending > 0:
            return
        if self.sitemap_articles or self.sitemap_unchanged:
            yield from self.article_requests(list(self.found))
        else:
            self.logger.warning("The sitemap lists no article; walking the listing pages")
            yield from self.start_listing_rung()

    # Rung 3: listing pages ---------------------------------------------------------------

    def start_listing_rung(self):
        yield from self.article_requests(list(self.found))  # what the feeds found
        for listing in self.listings:
            yield self.listing_request(listing, 0)

    def listing_request(self, listing: Listing, index: int) -> scrapy.Request:
        meta = {"listing": listing, "index": index}
        if index == 0:
            return self.entry_request(self.url(listing.page(0)), self.parse_listing, meta=meta)
        return scrapy.Request(self.url(listing.page(index)), callback=self.parse_listing, meta=meta)

    def parse_listing(self, response):
        """Follow the page's article links; go on while a page brings new articles (a
        page past the end is empty, a 404, or repeats the last one)."""
        if self.unchanged(response):
            return
        listing = response.meta["listing"]
        seen = self.listed.setdefault(listing, set())
        links, _ = self.links_of_listing(self.listing_link_css, response, listing.path)
        new = [u for u in dict.fromkeys(links) if self.is_article_url(u) and u not in seen]
        index = response.meta["index"]
        if index == 0:
            self.report_entry(response, len(new))
        seen.update(new)
        for url in new:
            self.note(url)
        yield from self.article_requests(new)
        if new and index + 1 < self.max_listing_pages and not self.all_known(new):
            yield self.listing_request(listing, index + 1)

    # Article pages -----------------------------------------------------------------------

    def article_requests(self, urls: list[str]):
        for url in urls:
            if url not in self.requested and self.wants_page(url, self.note(url).lastmod):
                self.requested.add(url)
                yield self.page_request(url, self.parse_article, meta={"found_url": url})

    def parse_article(self, response):
        dateline = self.dateline_hint(response)
        item = extract_page(
            response.text,
            response.url,
            captured=datetime.now(UTC),
            dateline=dateline,
            languages=self.source.languages,
            day_first=self.source.day_first,
            on_failure=self.record_failed,
        )
        if dateline and not item.published:
            # A dateline the ladder could not read to the day: the normalize pipeline
            # reads it with the source's languages, or records no date.
            item.published, item.published_from = dateline, "dateline"
        item.body = strip_furniture(item.body, [item.title, dateline or ""])
        found = self.found.get(response.meta["found_url"], Found())
        if not item.published and found.feed_published:
            item.published, item.published_from = found.feed_published, "feed"
        item.modified = item.modified or found.lastmod
        yield self.finish(item, response)
