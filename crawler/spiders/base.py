"""The base of every partnews spider: its source's facts and the item's last touches.

A spider's ``name`` is its source id in crawler/sources.toml, where its hosts,
languages and timezone live. Subclasses (one per CMS: wordpress.py, drupal.py) hold the
shared crawling logic, so that a site's spider is mostly class attributes.

Incremental nights (`partnews nightly`, spider argument ``mode=incremental``) use the
helpers at the end: entry points are requested with `entry_request` (revalidated with a
conditional GET by crawler/incremental.py, and reported for the health rules), and an
article page is read only when `wants_page` says it is new or changed. In the default
``mode=full`` every helper lets everything through, as `partnews crawl` always did.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import scrapy
from parsel import SelectorList

from crawler.incremental import IncrementalState, entry_key
from crawler.items import ArchiveItem
from crawler.records import RecordFailure
from crawler.run_state import RunState, SelectorCounts, run_state
from crawler.sources import Source, get_source

MODES = ("full", "incremental")
# Answers after which a way in (feed, sitemap, API page, listing) is judged unavailable
# and the spider moves on to the next one: the one list every base spider uses.
UNAVAILABLE = [400, 401, 403, 404, 410, 500, 502, 503]


_PSEUDO_ELEMENT = re.compile(r"\s*::[\w-]+(?:\([^)]*\))?\s*$")


def selector_name(css: str) -> str:
    """A selector as the run report names it: without its trailing pseudo-element
    (".news-date ::text" -> ".news-date")."""
    return _PSEUDO_ELEMENT.sub("", css).strip() or css


class PartnewsSpider(scrapy.Spider):
    """A spider for one source of the registry."""

    def __init__(self, *args, mode: str = "full", night: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.night = night
        # What each entry point gave this run (crawl_runs.entry_points, the health rules).
        self.entry_points: dict[str, dict] = {}
        # The sitemap/feed date of each article URL met this run (page_state.lastmod).
        self.lastmods: dict[str, str] = {}
        # The listings whose link hint matched on at least one page (links_of_listing).
        self.listings_hint_matched: set[str] = set()

    @classmethod
    def update_settings(cls, settings) -> None:
        """The source's politeness overrides (sources.toml) apply to its spider only."""
        super().update_settings(settings)
        for name, value in get_source(cls.name).politeness.items():
            settings.set(name.upper(), value, priority="spider")

    @property
    def run_state(self) -> RunState:
        """The crawl's run state (crawler/run_state.py), owned by the run report."""
        return run_state(self.crawler)

    @property
    def selector_counts(self) -> SelectorCounts:
        """Where selector hits and misses are counted: the run state's in a crawl; the
        spider's own when it reads pages outside one (a test calling a callback)."""
        if getattr(self, "crawler", None) is not None:
            return self.run_state.selectors
        if not hasattr(self, "_own_selector_counts"):
            self._own_selector_counts = SelectorCounts()
        return self._own_selector_counts

    def selector_hint(self, css: str, response, role: str) -> SelectorList:
        """What a site-specific CSS selector (an optional hint, never the only way)
        matches on `response`, counting the hit or miss per selector for the run report
        and the selector-drift health rule (crawler/health.py). A miss returns an empty
        list: the caller falls back to the generic way (the date ladder, every link
        matching the article pattern, the page's own title).

        `role` says what the hint is for (``dateline``, ``time``, ``author`` on article
        pages; ``listing links`` on listing pages). A trailing pseudo-element
        (``::text``, ``::attr(href)``) is part of the query, not of the selector's name.
        """
        found = response.css(css)
        self.selector_counts.record(selector_name(css), role, bool(found))
        return found

    def dateline_hint(self, response) -> str | None:
        """The text of the site's dateline element (``dateline_css``, a spider attribute
        of the Drupal and generic readers): a hint for the date ladder, counted like any
        hint; None when the spider names no element or it matches nothing (the ladder
        then dates the page from its other evidence)."""
        css = getattr(self, "dateline_css", None)
        if not css:
            return None
        found = self.selector_hint(css + " ::text", response, "dateline")
        text = " ".join(" ".join(found.getall()).split())
        return text or None

    def links_of_listing(self, css: str | None, response, listing: str) -> tuple[list[str], bool]:
        """The absolute links of a page of `listing`: those of the hint `css` when it
        matches; else, when the hint never matched on this listing, every link of the page
        (the caller keeps those matching its article pattern); with True when the hint
        answered. A hint that matched on earlier pages of the listing and matches nothing
        now has reached the page past the end: no links, the pager stops there."""
        hinted = self.selector_hint(css, response, "listing links").getall() if css else []
        if hinted:
            self.listings_hint_matched.add(listing)
        elif listing in self.listings_hint_matched:
            return [], True
        hrefs = hinted or response.css("a::attr(href)").getall()
        return [response.urljoin(h) for h in dict.fromkeys(hrefs)], bool(hinted)

    @property
    def source(self) -> Source:
        return get_source(self.name)

    @property
    def base_url(self) -> str:
        return self.source.homepage

    def url(self, path: str) -> str:
        """An absolute URL on the source's canonical host."""
        return urljoin(self.base_url, path)

    def finish(
        self, item: ArchiveItem, response: scrapy.http.Response | None = None
    ) -> ArchiveItem:
        """Stamp the item with its source; keep the fetched URL when the extractor had none."""
        item.source = self.name
        if not item.url and response is not None:
            item.url = response.url
        if item.kind == "event" and not item.timezone:
            item.timezone = self.source.timezone
        return item

    def record_failed(self, failure: RecordFailure) -> None:
        """File one record of a response that could not be read (crawler/records.py) in
        the run's rejects, with its URL, reader, exception type and message: the one
        place the spiders write a reject."""
        details = {
            "reader": failure.reader,
            "error": failure.error_type,
            "message": failure.message,
        }
        self.run_state.reject(failure.url, failure.reason, details)
        self.crawler.stats.inc_value("partnews/items_rejected")

    # Incremental crawling -----------------------------------------------------------------

    @property
    def incremental(self) -> bool:
        return self.mode == "incremental"

    @property
    def pages(self) -> IncrementalState:
        """The source's validators and known pages (loaded from the archive on first use)."""
        return self.run_state.incremental_for(self)

    def entry_request(
        self, url: str, callback, *, key: str | None = None, expected: bool = True, **kwargs
    ) -> scrapy.Request:
        """A request for an entry point (API page, feed, sitemap, first listing page).

        `expected` says whether it should list something on every run: False for a query
        that is empty on a quiet night (the REST API's ``modified_after``)."""
        meta = dict(kwargs.pop("meta", None) or {})
        meta.update(entry_point=True, entry_key=key or entry_key(url), entry_expected=expected)
        return scrapy.Request(url, callback=callback, meta=meta, **kwargs)

    def report_entry(self, response, found: int, expected: bool | None = None) -> None:
        """What an entry point gave: its status and how many items or links it listed
        (`expected` True: zero is a failure even where the request allowed it)."""
        key = response.meta.get("entry_key") or entry_key(response.url)
        if expected is None:
            expected = bool(response.meta.get("entry_expected", True))
        self.entry_points[key] = {"status": response.status, "found": found, "expected": expected}

    def report_entry_failure(self, failure) -> None:
        """An entry point that could not be read at all (no answer, or an error status)."""
        request = failure.request
        if not request.meta.get("entry_point"):
            return
        response = getattr(failure.value, "response", None)
        self.entry_points[request.meta["entry_key"]] = {
            "status": response.status if response is not None else 0,
            "found": 0,
            "expected": bool(request.meta.get("entry_expected", True)),
        }

    def unchanged(self, response) -> bool:
        """True for a 304 (the entry point has not changed since the last night), which
        counts as parsed; the callback then moves on down its ladder."""
        if response.status != 304:
            return False
        self.report_entry(response, 0)
        self.entry_points[response.meta["entry_key"]]["unchanged"] = True
        return True

    def wants_page(self, url: str, lastmod: str | None = None) -> bool:
        """Whether to read an article page: always in a full pass; on an incremental
        night only when it is new or its sitemap/feed date changed."""
        if lastmod:
            self.lastmods[url] = lastmod
        if not self.incremental and not self.night:
            return True  # `partnews crawl`: everything, as always
        return self.pages.wants_page(url, lastmod)

    def all_known(self, urls) -> bool:
        """On an incremental night, whether a listing page lists only pages already read:
        its pagination stops there (newer items come first)."""
        urls = list(urls)
        return self.incremental and bool(urls) and all(self.pages.is_known(u) for u in urls)

    def page_request(self, url: str, callback, **kwargs) -> scrapy.Request:
        """A request for an article page (its URL is remembered in page_state)."""
        meta = dict(kwargs.pop("meta", None) or {}, article_page=True)
        return scrapy.Request(url, callback=callback, meta=meta, **kwargs)
