"""Base spider for Drupal news sites: views listings, the XML sitemap, article pages.

Drupal pages carry no article JSON-LD on the partner sites, so the article pages are
read (crawler.extract.article) and the site's dateline line gives the publication
date. Listings are Drupal views with a zero-based ``?page=N`` pager: the spider walks
them until a page has no rows. The sitemap adds the URLs no listing shows (nodes under
another language prefix, such as ``/de/node/N``); the dedupe pipeline recognises those
as the same items.
"""

from __future__ import annotations

import re

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.sitemaps import parse_sitemap
from crawler.spiders.base import PartnewsSpider


class DrupalNewsSpider(PartnewsSpider):
    # Listing paths, one per language ("/en/news", "/actualites").
    listing_paths: tuple[str, ...] = ()
    listing_row_link_css = ".view-content .views-row .views-field-title a::attr(href)"
    sitemap_path = "/sitemap.xml"
    # Which sitemap URLs are articles (matched against the path).
    article_path_pattern = re.compile(r"^/(en/news|actualites)/[^/]+$")
    # The element holding the dateline ("30 November 2018 / term, term"), if the site has one.
    dateline_css: str | None = None

    async def start(self):
        for path in self.listing_paths:
            yield self.listing_request(path, 0)
        if self.sitemap_path:
            yield scrapy.Request(self.url(self.sitemap_path), callback=self.parse_sitemap)

    def listing_request(self, path: str, page: int) -> scrapy.Request:
        url = self.url(path if page == 0 else f"{path}?page={page}")
        return scrapy.Request(
            url, callback=self.parse_listing, meta={"listing_path": path, "page": page}
        )

    def parse_listing(self, response):
        links = response.css(self.listing_row_link_css).getall()
        for href in dict.fromkeys(links):
            yield response.follow(href, callback=self.parse_article)
        if links:
            yield self.listing_request(response.meta["listing_path"], response.meta["page"] + 1)

    def parse_sitemap(self, response):
        sitemap = parse_sitemap(response.body)
        for entry in sitemap.entries:
            if sitemap.kind == "sitemapindex":
                yield scrapy.Request(entry.loc, callback=self.parse_sitemap)
                continue
            for url in [entry.loc, *entry.alternates.values()]:
                if self.is_article_url(url):
                    yield scrapy.Request(url, callback=self.parse_article)

    def is_article_url(self, url: str) -> bool:
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        return bool(self.article_path_pattern.match(path))

    def parse_article(self, response):
        item = extract_article(response.text, response.url)
        if self.dateline_css:
            dateline = " ".join(response.css(self.dateline_css + " ::text").getall())
            self.apply_dateline(item, " ".join(dateline.split()))
        yield self.finish(item, response)

    def apply_dateline(self, item, dateline: str) -> None:
        """Use the page's dateline as the publication date when nothing better was found."""
        if dateline and not item.published:
            item.published = dateline
            item.published_from = "dateline"
