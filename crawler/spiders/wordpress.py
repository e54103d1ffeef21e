"""Base spiders for WordPress sites: REST API first, then the feeds, the sitemaps and
the listing pages.

`WordPressSpider` reads ``/wp-json/wp/v2/posts`` page by page (``X-WP-TotalPages`` says
when to stop), which gives every post's full content, dates in UTC and canonical link
in a few requests. When the REST API is switched off (a 401/403/404, or HTML instead of
JSON, as security plugins do), it reads the RSS feed of each language (``/feed/``,
``/en/feed/``), then the sitemaps for the older posts a feed no longer holds: core's
``/wp-sitemap.xml`` or Yoast's ``/sitemap_index.xml``, whose post sitemaps lead to the
article pages. Without any sitemap, the paginated blog listings (``/page/N/``) do.

Spider arguments (``scrapy crawl SOURCE -a since=2024-01-01``):

* ``since=YYYY-MM-DD``: only posts changed since that day (the REST API's
  ``modified_after``; the feed's and sitemap's dates on the fallback rungs);
* ``host=NAME``: crawl through another of the source's hosts (the bare host when the
  www one is down); the archive merges what both hosts serve.
* ``mode=incremental`` (`partnews nightly`, with ``since``): entry points are revalidated
  (a 304 ends that rung), a sitemap's article is read only when new or its lastmod
  changed, the listing pages stop at the first page that lists only known posts.

Multilingual sites (Polylang, WPML) keep each language under a path prefix: a spider
lists them in ``language_prefixes``; the REST API's ``lang`` and ``translations``
fields (Polylang) give each post's language and the URLs of its translations.

`TribeEventsMixin` adds The Events Calendar: ``/wp-json/tribe/events/v1/events`` from a
date far in the past (the API's default is "upcoming only"), following
``next_rest_url``; the iCal export ``/events/?ical=1`` is the fallback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode, urlsplit

import scrapy

from crawler.extract.article import extract_article
from crawler.extract.feeds import parse_feed
from crawler.extract.ical import parse_ical
from crawler.extract.sitemaps import parse_sitemap
from crawler.extract.tribe_events import parse_tribe_events, tribe_next_page_url
from crawler.extract.wordpress import parse_wp_post, wp_total_pages
from crawler.items import ArchiveItem
from crawler.records import read_records
from crawler.spiders.base import UNAVAILABLE, PartnewsSpider


def _json(response: scrapy.http.Response):
    try:
        return json.loads(response.text)
    except (ValueError, AttributeError):
        return None


def parse_since(value: str | date | None) -> date | None:
    """The ``since`` spider argument as a date; a clear error for anything but YYYY-MM-DD,
    so that a typo never turns into a silent full crawl."""
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"since must be a date as YYYY-MM-DD, not {value!r}") from None


def changed_since(item: ArchiveItem, since: date | None) -> bool:
    """Whether an item was published or modified on or after `since` (True without
    `since`, and when the item carries no date: better crawled twice than missed)."""
    if since is None:
        return True
    stamps = [s[:10] for s in (item.modified, item.published) if s]
    return not stamps or max(stamps) >= since.isoformat()


def resolve_translations(ids: Mapping[str, int], links: Mapping[int, str]) -> dict[str, str]:
    """Polylang's ``translations`` ({"fr": 290, "en": 291}) as language -> URL, for the
    ids whose link is known."""
    return {lang: links[i] for lang, i in ids.items() if i in links}


class WordPressSpider(PartnewsSpider):
    posts_per_page = 100
    feed_path = "/feed/"
    listing_path = "/page/{n}/"
    # Links from a listing page to its posts (WordPress themes mostly agree on these).
    listing_link_css = "h2.entry-title a::attr(href), h3.entry-title a::attr(href)"
    # Core sitemaps first, then Yoast's (Yoast switches core's off and redirects to its own).
    sitemap_paths: tuple[str, ...] = ("/wp-sitemap.xml", "/sitemap_index.xml")
    # The child sitemaps that list posts: core's (per language with Polylang) and Yoast's.
    post_sitemap_pattern = re.compile(
        r"/(?:wp-sitemap-posts-post-(?:[a-z-]+-)?\d+|post-sitemap\d*)\.xml$"
    )
    # Multilingual sites: language -> path prefix ({"fr": "", "en": "/en"}); empty: one language.
    language_prefixes: dict[str, str] = {}

    def __init__(self, *args, since: str | None = None, host: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.since = parse_since(since)
        if host and host not in self.source.hosts:
            raise ValueError(f"host {host!r} is not one of {self.name}'s hosts {self.source.hosts}")
        self.host = host or None
        self._links: dict[int, str] = {}  # post id -> URL, to resolve translation ids
        self._pending: list[tuple[ArchiveItem, dict[str, int]]] = []  # items awaiting them
        self._seen: set[str] = set()  # URLs already yielded (feeds before sitemaps)

    @property
    def base_url(self) -> str:
        if self.host:
            return f"https://{self.host}/"
        return super().base_url

    async def start(self):
        for request in self.start_requests_for_news():
            yield request

    def start_requests_for_news(self):
        yield self.posts_api_request(1)

    def finish(self, item: ArchiveItem, response: scrapy.http.Response | None = None):
        item = super().finish(item, response)
        item.language = item.language or self.language_of_url(item.url)
        self._seen.add(item.url)
        return item

    def language_of_url(self, url: str) -> str | None:
        """The language whose path prefix the URL is under (the unprefixed one otherwise)."""
        path = urlsplit(url).path
        for lang, prefix in self.language_prefixes.items():
            if prefix and (path == prefix or path.startswith(prefix + "/")):
                return lang
        return next((lang for lang, prefix in self.language_prefixes.items() if not prefix), None)

    def is_language_home(self, url: str) -> bool:
        """The blog home of a language ("/", "/en/"): a listing, never an article."""
        path = urlsplit(url).path.rstrip("/")
        return path in {p.rstrip("/") for p in ["", *self.language_prefixes.values()]}

    # REST API ----------------------------------------------------------------------------

    def posts_api_request(self, page: int) -> scrapy.Request:
        params: dict = {"per_page": self.posts_per_page, "page": page, "_embed": 1}
        if self.since:
            params["modified_after"] = f"{self.since.isoformat()}T00:00:00"
        url = self.url(f"/wp-json/wp/v2/posts?{urlencode(params)}")
        meta = {"page": page, "handle_httpstatus_list": UNAVAILABLE}
        if page == 1:
            # With `since`, an empty answer is a quiet night, not a broken API.
            return self.entry_request(
                url,
                self.parse_posts_api,
                expected=self.since is None,
                errback=self.posts_api_failed,
                meta=meta,
            )
        return scrapy.Request(
            url, callback=self.parse_posts_api, errback=self.posts_api_failed, meta=meta
        )

    def parse_posts_api(self, response):
        if self.unchanged(response):
            return
        data = _json(response)
        if response.meta["page"] == 1:
            if isinstance(data, list):
                self.report_entry(response, len(data))
            else:
                self.report_entry(response, 0, expected=True)
        if response.status != 200 or not isinstance(data, list):
            if response.meta["page"] == 1:
                self.logger.warning(
                    "WordPress REST API unavailable (%s); reading the feed", response.status
                )
                yield from self.fallback_requests()
            return
        posts = [post for post in data if isinstance(post, Mapping)]
        read = read_records(
            posts,
            self.post_item,
            reader="wordpress post",
            url=response.url,
            on_failure=self.record_failed,
        )
        for item in read:
            yield self.finish(item)
        yield from self.ready_items()
        page = response.meta["page"]
        total_pages = wp_total_pages(response.headers) or page
        if page < total_pages:
            yield self.posts_api_request(page + 1)
        elif self._pending:
            yield self.translation_links_request()

    def post_item(self, post: Mapping) -> ArchiveItem | None:
        """One REST post's item; None while held back, until its translations' URLs are
        known (`ready_items`)."""
        item = parse_wp_post(post, site_url=self.base_url)
        if isinstance(post.get("lang"), str) and post["lang"]:
            item.language = post["lang"]
        if isinstance(post.get("id"), int) and item.url:
            self._links[post["id"]] = item.url
        ids = post.get("translations")
        if isinstance(ids, Mapping) and len(ids) > 1:
            self._pending.append((item, {k: v for k, v in ids.items() if isinstance(v, int)}))
            return None
        return item

    def ready_items(self, final: bool = False):
        """The held-back items whose translations are all known (all of them when final)."""
        waiting = []
        for item, ids in self._pending:
            if final or all(i in self._links for i in ids.values()):
                item.translations = resolve_translations(ids, self._links)
                yield self.finish(item)
            else:
                waiting.append((item, ids))
        self._pending = waiting

    def translation_links_request(self) -> scrapy.Request:
        """The links of translations not crawled (``since`` left them out): one request."""
        missing = sorted({i for _, ids in self._pending for i in ids.values()} - set(self._links))
        params = {"include": ",".join(map(str, missing)), "per_page": 100, "_fields": "id,link"}
        return scrapy.Request(
            self.url(f"/wp-json/wp/v2/posts?{urlencode(params)}"),
            callback=self.parse_translation_links,
            errback=self.translation_links_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE},
        )

    def parse_translation_links(self, response):
        data = _json(response)
        for post in data if isinstance(data, list) else []:
            if isinstance(post, Mapping) and isinstance(post.get("id"), int) and post.get("link"):
                self._links[post["id"]] = post["link"]
        yield from self.ready_items(final=True)

    def translation_links_failed(self, failure):
        self.logger.warning("Translation links unavailable (%s)", failure.value)
        yield from self.ready_items(final=True)

    def posts_api_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("WordPress REST API failed (%s); reading the feed", failure.value)
        return list(self.fallback_requests())

    # Feed, sitemap and listing fallbacks -------------------------------------------------

    def feed_paths(self) -> list[str]:
        """One feed per language: "/feed/", "/en/feed/"."""
        prefixes = list(self.language_prefixes.values()) or [""]
        return [prefix + self.feed_path for prefix in prefixes]

    def fallback_requests(self):
        """The rungs below the REST API: the feeds one after the other, then the sitemaps."""
        paths = self.feed_paths()
        yield self.feed_request(paths[0], paths[1:])

    def feed_request(self, path: str | None = None, remaining: list[str] | None = None):
        return self.entry_request(
            self.url(path or self.feed_path),
            self.parse_feed,
            errback=self.feed_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE, "remaining": remaining or []},
        )

    def parse_feed(self, response):
        if self.unchanged(response):
            yield from self.next_feed_or_sitemaps(response.meta.get("remaining") or [])
            return
        items = (
            parse_feed(response.body, url=response.url, on_failure=self.record_failed)
            if response.status == 200
            else []
        )
        self.report_entry(response, len(items))
        if not items:
            self.logger.warning("No feed items at %s", response.url)
        for item in items:
            if changed_since(item, self.since):
                yield self.finish(item, response)
        yield from self.next_feed_or_sitemaps(response.meta.get("remaining") or [])

    def feed_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Feed failed (%s)", failure.value)
        return list(self.next_feed_or_sitemaps(failure.request.meta.get("remaining") or []))

    def next_feed_or_sitemaps(self, remaining: list[str]):
        """A feed holds the newest posts only: the sitemaps reach the older ones."""
        if remaining:
            yield self.feed_request(remaining[0], remaining[1:])
        else:
            yield self.sitemap_request(0)

    def sitemap_request(self, index: int) -> scrapy.Request:
        return self.entry_request(
            self.url(self.sitemap_paths[index]),
            self.parse_sitemap_index,
            errback=self.sitemap_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE, "sitemap_index": index},
            dont_filter=True,
        )

    def parse_sitemap_index(self, response):
        # An unchanged index: its post sitemaps are taken as unchanged too (a core index
        # carries no dates: a post edited without a new post waits for the full pass).
        if self.unchanged(response):
            return
        sitemap = self.read_sitemap(response)
        if sitemap is None:
            self.report_entry(response, 0)
            yield from self.next_sitemap_or_listings(response.meta["sitemap_index"])
            return
        self.report_entry(response, len(sitemap.entries))
        yield from self.sitemap_followups(sitemap)

    def read_sitemap(self, response):
        if response.status != 200:
            return None
        try:
            return parse_sitemap(response.body, base_url=response.url)
        except ValueError:
            return None

    def sitemap_followups(self, sitemap):
        """Post sitemaps of an index; article pages of a urlset (those not yet seen)."""
        for entry in sitemap.entries:
            if sitemap.kind == "sitemapindex":
                if self.post_sitemap_pattern.search(urlsplit(entry.loc).path):
                    yield self.entry_request(entry.loc, self.parse_post_sitemap)
            elif self.wants_article(entry.loc, entry.lastmod):
                yield self.page_request(entry.loc, self.parse_article)

    def parse_post_sitemap(self, response):
        if self.unchanged(response):
            return
        sitemap = self.read_sitemap(response)
        self.report_entry(response, len(sitemap.entries) if sitemap is not None else 0)
        if sitemap is not None:
            yield from self.sitemap_followups(sitemap)

    def wants_article(self, url: str, lastmod: str | None) -> bool:
        if url in self._seen or self.is_language_home(url):
            return False
        if self.since and lastmod and lastmod[:10] < self.since.isoformat():
            return False
        return self.wants_page(url, lastmod)

    def sitemap_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Sitemap failed (%s)", failure.value)
        return list(self.next_sitemap_or_listings(failure.request.meta["sitemap_index"]))

    def next_sitemap_or_listings(self, index: int):
        if index + 1 < len(self.sitemap_paths):
            yield self.sitemap_request(index + 1)
            return
        self.logger.warning("No sitemap; reading the listing pages")
        for prefix in list(self.language_prefixes.values()) or [""]:
            yield self.listing_request(1, prefix)

    def listing_request(self, n: int, prefix: str = "") -> scrapy.Request:
        path = "/" if n == 1 else self.listing_path.format(n=n)
        meta = {"n": n, "prefix": prefix}
        if n == 1:
            return self.entry_request(self.url(prefix + path), self.parse_listing, meta=meta)
        return scrapy.Request(self.url(prefix + path), callback=self.parse_listing, meta=meta)

    def parse_listing(self, response):
        if self.unchanged(response):
            return
        links = response.css(self.listing_link_css).getall()
        urls = [response.urljoin(href) for href in links]
        if response.meta["n"] == 1:
            self.report_entry(response, len(urls))
        for url in urls:
            if url not in self._seen and self.wants_page(url):
                yield self.page_request(url, self.parse_article)
        if links and not self.all_known(urls):
            yield self.listing_request(response.meta["n"] + 1, response.meta.get("prefix", ""))

    def parse_article(self, response):
        yield self.finish(extract_article(response.text, response.url), response)


class TribeEventsMixin:
    """The Events Calendar (Modern Tribe): every event, past and upcoming."""

    events_per_page = 50
    events_since = "1990-01-01"

    def start_requests_for_events(self):
        query = urlencode({"per_page": self.events_per_page, "start_date": self.events_since})
        yield self.entry_request(
            self.url(f"/wp-json/tribe/events/v1/events?{query}"),
            self.parse_events_api,
            errback=self.events_api_failed,
            meta={"handle_httpstatus_list": UNAVAILABLE, "first": True},
        )

    def parse_events_api(self, response):
        if self.unchanged(response):
            return
        data = _json(response)
        if response.meta.get("first"):
            events = data.get("events") if isinstance(data, dict) else None
            self.report_entry(response, len(events) if isinstance(events, list) else 0)
        if response.status != 200 or not isinstance(data, dict) or "events" not in data:
            if response.meta.get("first"):
                self.logger.warning("Events REST API unavailable; reading the iCal export")
                yield self.ical_request()
            return
        events = parse_tribe_events(
            data,
            default_timezone=self.source.timezone,
            url=response.url,
            on_failure=self.record_failed,
        )
        for item in events:
            yield self.finish(item, response)
        next_url = tribe_next_page_url(data)
        if next_url:
            yield scrapy.Request(
                next_url,
                callback=self.parse_events_api,
                meta={"handle_httpstatus_list": UNAVAILABLE},
            )

    def events_api_failed(self, failure):
        self.report_entry_failure(failure)
        self.logger.warning("Events REST API failed (%s); reading the iCal export", failure.value)
        return self.ical_request()

    def ical_request(self) -> scrapy.Request:
        return self.entry_request(self.url("/events/?ical=1"), self.parse_ical)

    def parse_ical(self, response):
        if self.unchanged(response):
            return
        items = parse_ical(
            response.body,
            default_timezone=self.source.timezone,
            url=response.url,
            on_failure=self.record_failed,
        )
        self.report_entry(response, len(items))
        for item in items:
            yield self.finish(item, response)
