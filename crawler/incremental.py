"""Incremental crawling: what the last nights knew, so that tonight asks only for what changed.

Two kinds of memory, both in the archive (archive/schema.py), both keyed by URL:

* ``http_validators``: the ETag and Last-Modified each *entry point* (API page, feed,
  sitemap, first listing page) last answered with. On an incremental night
  `ConditionalGetMiddleware` sends them back as If-None-Match / If-Modified-Since on
  every entry-point request, so an unchanged feed costs one 304 and no body. Scrapy's
  own HTTP cache is not used: with the RFC 2616 policy it answers a listing that has no
  ``max-age`` from the cache without asking the site, and it turns a 304 back into the
  cached 200, so the spider would parse (and re-request) everything again.
* ``page_state``: every article page whose item went through the pipelines, with the
  ``lastmod`` the sitemap (or feed) gave it then. A page is read again only when it is
  new, when that date changed, or in a full pass.

Validators are written only when a run ends cleanly (finished, no download error, no
server error, no page that failed to parse): after a crash or a failed article the next
night reads the entry points in full again, so nothing a feed announced is ever lost
behind a 304. Page states are written per item, right after the item's pipelines, so a
run killed at any moment resumes without reading again the pages it already archived.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from w3lib.url import url_query_cleaner

from crawler.run_state import RunState, run_state

if TYPE_CHECKING:
    from archive.store import Archive

logger = logging.getLogger(__name__)

# Query parameters that change from night to night without changing the entry point.
VOLATILE_PARAMS = ("modified_after",)


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version of a resource it sent."""

    etag: str | None = None
    last_modified: str | None = None


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    """The headers that ask "send it only if it changed" (RFC 9110 §13): both when both
    are known; a server uses If-None-Match first, older ones only If-Modified-Since."""
    if validators is None:
        return {}
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def validators_of(headers) -> Validators | None:
    """The ETag and Last-Modified of a response's headers (Scrapy Headers or a dict)."""

    def text(name: str) -> str | None:
        value = headers.get(name)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return value or None

    found = Validators(etag=text("ETag"), last_modified=text("Last-Modified"))
    return found if found.etag or found.last_modified else None


def entry_key(url: str) -> str:
    """An entry point's name from night to night: its URL without the parameters that
    change every night (the REST API's ``modified_after``)."""
    return url_query_cleaner(url, VOLATILE_PARAMS, remove=True, keep_fragments=False)


def lastmod_changed(stored: str | None, seen: str | None) -> bool:
    """Whether a page must be read again: the sitemap (or feed) date differs from the
    one it had when the page was last read. No date now says nothing: not changed."""
    if not seen:
        return False
    return stored != seen


@dataclass
class IncrementalState:
    """One source's memory for one run: validators and known pages, and what is new."""

    source: str
    enabled: bool = False
    validators: dict[str, Validators] = field(default_factory=dict)
    pages: dict[str, str | None] = field(default_factory=dict)
    fresh_validators: dict[str, Validators] = field(default_factory=dict)
    recorded: set[str] = field(default_factory=set)  # pages recorded this run
    # Pages an interrupted run of the same night already archived: a resumed run skips them.
    done_tonight: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, db, source: str, enabled: bool, night: str | None = None) -> IncrementalState:
        """The source's validators and known pages (item URLs count as known pages), and
        the pages already read by an earlier, interrupted run of the same night."""
        validators = {
            url: Validators(etag, last_modified)
            for url, etag, last_modified in db.execute(
                "select url, etag, last_modified from http_validators where source = ?",
                [source],
            )
        }
        pages: dict[str, str | None] = {
            url: None
            for (url,) in db.execute(
                "select item_urls.url from item_urls join items on items.id = item_urls.item_id"
                " where items.source = ?",
                [source],
            )
        }
        pages.update(db.execute("select url, lastmod from page_state where source = ?", [source]))
        done_tonight = set()
        if night:
            done_tonight = {
                url
                for (url,) in db.execute(
                    "select url from page_state where source = ? and run_id in "
                    "(select id from crawl_runs where night = ?)",
                    [source, night],
                )
            }
        return cls(source, enabled, validators, pages, done_tonight=done_tonight)

    def is_known(self, url: str) -> bool:
        return url in self.pages

    def wants_page(self, url: str, lastmod: str | None = None) -> bool:
        """Whether to read an article page tonight: always in a full pass; otherwise
        when it was never read, or its sitemap/feed date changed since."""
        if url in self.done_tonight:
            return False
        if not self.enabled or url not in self.pages:
            return True
        return lastmod_changed(self.pages[url], lastmod)

    def remember(self, url: str, validators: Validators | None) -> None:
        """An entry point answered 200: its new validators, written when the run ends well."""
        if validators is not None:
            self.fresh_validators[url] = validators

    def commit_validators(self, archive: Archive, run_id: int | None) -> int:
        """Store tonight's validators (call only after a clean run); how many."""
        archive.save_validators(
            self.source,
            {url: (v.etag, v.last_modified) for url, v in self.fresh_validators.items()},
            run_id,
        )
        return len(self.fresh_validators)

    def record_pages(
        self, archive: Archive, urls: dict[str, str | None], run_id: int | None
    ) -> None:
        """Pages whose item went through the pipelines, with their sitemap/feed date.

        A date already known is kept when tonight's link gave none (a feed entry read
        before the sitemap)."""
        archive.record_pages(self.source, urls, run_id)
        for url, lastmod in urls.items():
            self.pages[url] = lastmod or self.pages.get(url)
            self.recorded.add(url)


class ConditionalGetMiddleware:
    """Sends last night's validators on entry-point requests and keeps tonight's.

    A request is an entry point when its meta has ``entry_point``; the spiders mark
    them (crawler/spiders/base.py). On a 304 the callback still runs, with an empty
    body: the spiders take it as "unchanged" and move on down their ladder.
    """

    def __init__(self, crawler, state: RunState):
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler))

    def process_request(self, request, spider=None):
        if not request.meta.get("entry_point"):
            return None
        state = self.state.incremental_for(self.crawler.spider)
        if not state.enabled:
            return None
        headers = conditional_headers(state.validators.get(request.url))
        for name, value in headers.items():
            request.headers.setdefault(name, value)
        if headers:
            allowed = list(request.meta.get("handle_httpstatus_list") or [])
            if 304 not in allowed:
                request.meta["handle_httpstatus_list"] = [*allowed, 304]
        return None

    def process_response(self, request, response, spider=None):
        if request.meta.get("entry_point") and response.status == 200:
            state = self.state.incremental_for(self.crawler.spider)
            state.remember(request.url, validators_of(response.headers))
        return response
