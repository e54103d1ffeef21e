"""Base spider for Drupal news sites: the RSS feed, views listings, the XML sitemap, node pages.

Every Drupal site has the same ways in, tried here in the order of the structured ones
first: the front-page feed ``/rss.xml``, the news views (zero-based ``?page=N`` pager,
walked until a page has no rows), the XML sitemap, which also holds the URLs no listing
shows (nodes under another language prefix, such as ``/de/node/N``), and the links to
other nodes in a body (``/node/N``, which the redirect module sends to the alias). The
feeds and listings only say where the nodes are: their teasers are cut, so every item is
read from its node page, once (Scrapy drops a request for a URL already asked for, and a
``/node/N`` redirect lands on the alias).

On an incremental night (``mode=incremental``) the feed and the sitemap are revalidated
(304: unchanged), the listings are walked only when the sitemap cannot be read, a node
page is read only when it is new or its sitemap ``lastmod`` changed, and a listing stops
at the first page whose nodes are all known.

A node page gives its title, canonical URL, shortlink (the node id), language and body
field; its date comes from the page-metadata ladder (crawler.extract.page_metadata:
JSON-LD, meta tags, the visible dateline, htmldate, the URL), to which the theme's
text dateline (``dateline_css``, read in `PartnewsSpider.dateline_hint`) is a hint;
a theme's own ``<time datetime>`` (``time_css``) outranks a guessed one. A site's
spider sets these class attributes and overrides nothing else unless its site differs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.dates import normalize_iso
from crawler.extract.feeds import is_feed, parse_feed
from crawler.extract.sitemaps import parse_sitemap
from crawler.extract.text import clean_inline, html_to_text
from crawler.items import DATE_EVIDENCE, ArchiveItem
from crawler.spiders.base import PartnewsSpider

NODE_PATH = re.compile(r"^/(?:[a-z]{2}/)?node/\d+$")


def path_of(url: str) -> str:
    """The path of a URL, without query or fragment ("/" for a bare host)."""
    return urlsplit(url).path or "/"


def better_date(current_from: str | None, candidate_from: str) -> bool:
    """Whether a date of `candidate_from` evidence should replace one of `current_from`.

    The archive ranks date evidence (crawler.items.DATE_EVIDENCE): a site's own <time>
    beats a <time> the extractor guessed at, but not JSON-LD or a meta tag.
    """
    if current_from is None:
        return True
    if current_from not in DATE_EVIDENCE:
        return True
    return DATE_EVIDENCE.index(candidate_from) <= DATE_EVIDENCE.index(current_from)


def failure_fallback_once(spider) -> bool:
    """True the first time a spider asks: the listing fallback runs once per run."""
    if getattr(spider, "_listings_started", False):
        return False
    spider._listings_started = True
    return True


class DrupalNewsSpider(PartnewsSpider):
    # The front-page feed(s): the newest nodes with their aliases.
    feed_paths: tuple[str, ...] = ("/rss.xml",)
    # Listing paths, one per language ("/en/news", "/actualites").
    listing_paths: tuple[str, ...] = ()
    # A hint of where the listing's rows link to (counted per page, see
    # PartnewsSpider.selector_hint); when it matches nothing, every link of the page to
    # an article new to the listing.
    listing_row_link_css: str | None = ".view-content .views-row .views-field-title a::attr(href)"
    sitemap_path: str | None = "/sitemap.xml"
    # Which URLs are items (matched against the path).
    article_path_pattern = re.compile(r"^/(en/news|actualites)/[^/]+$")
    # The body field; its text is the item's body (no menu, caption or date block).
    body_css: str | None = (
        "article .field--name-body.field__item, article .field--name-body > .field__item"
    )
    # The element holding the dateline ("30 November 2018 / term, term"), if the site has one.
    dateline_css: str | None = None
    # The <time> element whose datetime attribute is the publication date, if the site has one.
    time_css: str | None = None
    # The byline's author, if the site shows one ("By Office of the Mayor").
    author_css: str | None = None
    # Follow links from a body to other nodes (their aliases or /node/N).
    follow_body_links = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Per listing path, the article links its pages gave (the generic way's pager).
        self.listed: dict[str, set[str]] = {}

    async def start(self):
        for path in self.feed_paths:
            yield self.entry_request(self.url(path), self.parse_feed, errback=self.entry_failed)
        # Incremental nights walk the listings only when the sitemap cannot be read.
        if not (self.incremental and self.sitemap_path):
            for path in self.listing_paths:
                yield self.listing_request(path, 0)
        if self.sitemap_path:
            yield self.entry_request(
                self.url(self.sitemap_path), self.parse_sitemap, errback=self.sitemap_failed
            )

    # -- where the nodes are

    def entry_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Entry point failed (%s)", failure.value)

    def parse_feed(self, response):
        if self.unchanged(response):
            return
        if not is_feed(response.body):
            self.report_entry(response, 0)
            self.logger.warning("%s is not an RSS or Atom feed", response.url)
            return
        urls = [
            entry.url
            for entry in parse_feed(response.body, url=response.url, on_failure=self.record_failed)
            if entry.url and self.is_article_url(entry.url)
        ]
        self.report_entry(response, len(urls))
        for url in urls:
            if self.wants_page(url):
                yield self.page_request(url, self.parse_article)

    def listing_request(self, path: str, page: int) -> scrapy.Request:
        url = self.url(path if page == 0 else f"{path}?page={page}")
        meta = {"listing_path": path, "page": page}
        if page == 0:
            return self.entry_request(url, self.parse_listing, errback=self.entry_failed, meta=meta)
        return scrapy.Request(url, callback=self.parse_listing, meta=meta)

    def parse_listing(self, response):
        if self.unchanged(response):
            return
        path = response.meta["listing_path"]
        urls, hinted = self.links_of_listing(self.listing_row_link_css, response, path)
        if not hinted:
            # The generic way: the page's links to articles, new to this listing (a page
            # past the end still links to the latest articles in its blocks).
            seen = self.listed.setdefault(path, set())
            urls = [u for u in urls if self.is_article_url(u) and u not in seen]
            seen.update(urls)
        if response.meta["page"] == 0:
            self.report_entry(response, len(urls))
        for url in urls:
            if self.wants_page(url):
                yield self.page_request(url, self.parse_article)
        if urls and not self.all_known(urls):
            yield self.listing_request(response.meta["listing_path"], response.meta["page"] + 1)

    def parse_sitemap(self, response):
        if self.unchanged(response):
            return
        try:
            sitemap = parse_sitemap(response.body, base_url=response.url)
        except ValueError:
            sitemap = None
        if sitemap is None:
            self.report_entry(response, 0)
            yield from self.sitemap_fallback()
            return
        articles = 0
        for entry in sitemap.entries:
            if sitemap.kind == "sitemapindex":
                yield self.entry_request(entry.loc, self.parse_sitemap, errback=self.sitemap_failed)
                continue
            for url in [entry.loc, *entry.alternates.values()]:
                if self.is_article_url(url):
                    articles += 1
                    if self.wants_page(url, entry.lastmod):
                        yield self.page_request(url, self.parse_article)
        found = len(sitemap.entries) if sitemap.kind == "sitemapindex" else articles
        self.report_entry(response, found)
        if not found:
            yield from self.sitemap_fallback()

    def sitemap_failed(self, failure):
        self.entry_failed(failure)
        return list(self.sitemap_fallback())

    def sitemap_fallback(self):
        """No usable sitemap on an incremental night: the listings, as a full pass reads."""
        if self.incremental and failure_fallback_once(self):
            for path in self.listing_paths:
                yield self.listing_request(path, 0)

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_path_pattern.match(path_of(url)))

    def body_links(self, response) -> list[str]:
        """Absolute URLs of the items and raw node paths a body links to, on this site."""
        if not self.follow_body_links or not self.body_css:
            return []
        links = []
        for href in response.css(self.body_css).css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).hostname not in self.source.hosts:
                continue
            if self.is_article_url(url) or NODE_PATH.match(path_of(url)):
                links.append(url)
        return list(dict.fromkeys(links))

    # -- the node page

    def parse_article(self, response):
        if not self.is_article_url(response.url):
            # A /node/N link that redirected to a page this source does not archive.
            return
        for url in self.body_links(response):
            if self.wants_page(url):
                yield self.page_request(url, self.parse_article)
        dateline = self.dateline_hint(response)
        byline = None
        if self.author_css:
            byline = clean_inline(" ".join(response.css(self.author_css + " ::text").getall()))
        item = extract_article(
            response.text,
            response.url,
            captured=datetime.now(UTC),
            dateline=dateline,
            byline=byline,
            languages=self.source.languages,
            day_first=self.source.day_first,
        )
        self.apply_body(item, response)
        self.apply_time(item, response)
        self.apply_author(item, response)
        if dateline:
            self.apply_dateline(item, dateline)
        yield self.finish(item, response)

    def apply_body(self, item: ArchiveItem, response) -> None:
        """The body field's text, when the theme has one: exact, where a text extractor
        may keep a section header or a date label."""
        if not self.body_css:
            return
        fragments = response.css(self.body_css).getall()
        body = html_to_text("\n".join(fragments)) if fragments else None
        if body:
            item.body = body

    def apply_time(self, item: ArchiveItem, response) -> None:
        """The site's own <time datetime> as the publication date (UTC "Z" kept as such:
        the normalize pipeline shows it in the source's timezone)."""
        if not self.time_css:
            return
        found = self.selector_hint(f"{self.time_css}::attr(datetime)", response, "time")
        value = normalize_iso(found.get())
        if value and better_date(item.published_from, "time"):
            item.published = value
            item.published_from = "time"

    def apply_author(self, item: ArchiveItem, response) -> None:
        """The byline's author, without the "By" Drupal themes print before it."""
        if not self.author_css or item.authors:
            return
        found = self.selector_hint(self.author_css + " ::text", response, "author")
        text = clean_inline(" ".join(found.getall()))
        name = re.sub(r"^(?:by|par)\s+", "", text or "", flags=re.IGNORECASE).strip()
        if name:
            item.authors = [name]

    def apply_dateline(self, item: ArchiveItem, dateline: str) -> None:
        """Use the page's dateline as the publication date when nothing better was found."""
        if dateline and not item.published:
            item.published = dateline
            item.published_from = "dateline"
