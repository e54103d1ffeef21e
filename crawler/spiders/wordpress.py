"""Base spiders for WordPress sites: REST API first, then the RSS feed, then listing pages.

`WordPressSpider` reads ``/wp-json/wp/v2/posts`` page by page (``X-WP-TotalPages`` says
when to stop), which gives every post's full content, dates in UTC and canonical link
in a few requests. When the REST API is switched off (a 401/403/404, or HTML instead of
JSON, as security plugins do), it falls back to ``/feed/``, and from the feed to the
paginated blog listing (``/page/N/``) and the article pages themselves.

`TribeEventsMixin` adds The Events Calendar: ``/wp-json/tribe/events/v1/events`` from a
date far in the past (the API's default is "upcoming only"), following
``next_rest_url``; the iCal export ``/events/?ical=1`` is the fallback.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.feeds import parse_feed
from crawler.extract.ical import parse_ical
from crawler.extract.tribe_events import parse_tribe_events, tribe_next_page_url
from crawler.extract.wordpress import parse_wp_posts, wp_total_pages
from crawler.spiders.base import PartnewsSpider

# Answers after which a structured endpoint is judged unavailable and the fallback runs.
UNAVAILABLE = [400, 401, 403, 404, 410, 500, 502, 503]


def _json(response: scrapy.http.Response):
    try:
        return json.loads(response.text)
    except (ValueError, AttributeError):
        return None


class WordPressSpider(PartnewsSpider):
    posts_per_page = 100
    feed_path = "/feed/"
    listing_path = "/page/{n}/"
    # Links from a listing page to its posts (WordPress themes mostly agree on these).
    listing_link_css = "h2.entry-title a::attr(href), h3.entry-title a::attr(href)"

    async def start(self):
        for request in self.start_requests_for_news():
            yield request

    def start_requests_for_news(self):
        yield self.posts_api_request(1)

    # REST API ----------------------------------------------------------------------------

    def posts_api_request(self, page: int) -> scrapy.Request:
        query = urlencode({"per_page": self.posts_per_page, "page": page, "_embed": 1})
        return scrapy.Request(
            self.url(f"/wp-json/wp/v2/posts?{query}"),
            callback=self.parse_posts_api,
            errback=self.posts_api_failed,
            meta={"page": page, "handle_httpstatus_list": UNAVAILABLE},
        )

    def parse_posts_api(self, response):
        data = _json(response)
        if response.status != 200 or not isinstance(data, list):
            if response.meta["page"] == 1:
                self.logger.warning(
                    "WordPress REST API unavailable (%s); reading the feed", response.status
                )
                yield self.feed_request()
            return
        for item in parse_wp_posts(data, site_url=self.base_url):
            yield self.finish(item, response)
        page = response.meta["page"]
        total_pages = wp_total_pages(response.headers) or page
        if page < total_pages:
            yield self.posts_api_request(page + 1)

    def posts_api_failed(self, failure):
        self.logger.warning("WordPress REST API failed (%s); reading the feed", failure.value)
        return self.feed_request()

    # Feed and listing fallbacks ----------------------------------------------------------

    def feed_request(self) -> scrapy.Request:
        return scrapy.Request(
            self.url(self.feed_path),
            callback=self.parse_feed,
            meta={"handle_httpstatus_list": UNAVAILABLE},
        )

    def parse_feed(self, response):
        items = parse_feed(response.body, url=response.url) if response.status == 200 else []
        if not items:
            self.logger.warning("No feed items at %s; reading the listing pages", response.url)
            yield self.listing_request(1)
            return
        for item in items:
            yield self.finish(item, response)
        # A feed holds the newest posts only: the listing pages reach the older ones.
        yield self.listing_request(1)

    def listing_request(self, n: int) -> scrapy.Request:
        path = "/" if n == 1 else self.listing_path.format(n=n)
        return scrapy.Request(self.url(path), callback=self.parse_listing, meta={"n": n})

    def parse_listing(self, response):
        links = response.css(self.listing_link_css).getall()
        for href in links:
            yield response.follow(href, callback=self.parse_article)
        if links:
            yield self.listing_request(response.meta["n"] + 1)

    def parse_article(self, response):
        yield self.finish(extract_article(response.text, response.url), response)


class TribeEventsMixin:
    """The Events Calendar (Modern Tribe): every event, past and upcoming."""

    events_per_page = 50
    events_since = "1990-01-01"

    def start_requests_for_events(self):
        query = urlencode({"per_page": self.events_per_page, "start_date": self.events_since})
        yield scrapy.Request(
            self.url(f"/wp-json/tribe/events/v1/events?{query}"),
            callback=self.parse_events_api,
            errback=self.events_api_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE, "first": True},
        )

    def parse_events_api(self, response):
        data = _json(response)
        if response.status != 200 or not isinstance(data, dict) or "events" not in data:
            if response.meta.get("first"):
                self.logger.warning("Events REST API unavailable; reading the iCal export")
                yield self.ical_request()
            return
        for item in parse_tribe_events(data, default_timezone=self.source.timezone):
            yield self.finish(item, response)
        next_url = tribe_next_page_url(data)
        if next_url:
            yield scrapy.Request(
                next_url,
                callback=self.parse_events_api,
                meta={"handle_httpstatus_list": UNAVAILABLE},
            )

    def events_api_failed(self, failure):
        self.logger.warning("Events REST API failed (%s); reading the iCal export", failure.value)
        return self.ical_request()

    def ical_request(self) -> scrapy.Request:
        return scrapy.Request(self.url("/events/?ical=1"), callback=self.parse_ical)

    def parse_ical(self, response):
        for item in parse_ical(response.body, default_timezone=self.source.timezone):
            yield self.finish(item, response)
