"""Crawler boundaries: no request ever leaves the hosts of the spider's own source.

Scraped pages are untrusted: a link to another site, to 127.0.0.1 or a private address
(the machine running the crawl, its network), or to a ``file:``/``data:``/
``javascript:`` URL must never be fetched, whatever a spider's link-following does.
This downloader middleware sits in front of every other one (robots.txt included, so
no robots.txt is asked of a host we will not crawl) and refuses such requests with
``IgnoreRequest``, counting each refusal in the crawl stats
(``boundaries/refused`` and ``boundaries/refused/<reason>``).

The rule is the project's one rule for crawlable URLs, `partnews.urls.refusal_reason`:
http(s) URLs whose host is one of the source's ``hosts`` (crawler/sources.toml) or
matches the spider's optional ``allowed_domains`` (a domain and its subdomains, Scrapy's
convention), never an IP literal. The local mirror is not a special case: in mirror mode
the requests still carry the real hosts, and crawler/mirror.py sends them to 127.0.0.1
below every middleware, in the download handler.

Enable it with, in crawler/settings.py::

    DOWNLOADER_MIDDLEWARES = {"crawler.boundaries.BoundariesMiddleware": 50, ...}
"""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

from crawler.run_state import RunState, run_state
from partnews.urls import refusal_reason

logger = logging.getLogger(__name__)


def redirected_from(request) -> str | None:
    """The URL the crawl asked for when `request` is a redirect (HTTP or meta refresh)."""
    urls = request.meta.get("redirect_urls") or []
    return urls[0] if urls else None


def spider_hosts(spider) -> tuple[str, ...]:
    """The hosts of the spider's source; none (everything refused) for an unknown one."""
    from crawler.sources import load_sources

    source = load_sources().get(getattr(spider, "name", ""))
    return tuple(source.hosts) if source else ()


class BoundariesMiddleware:
    """Refuse every request outside the source's hosts, and count the refusals."""

    def __init__(self, crawler, state: RunState) -> None:
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler))

    def process_request(self, request):
        spider = self.crawler.spider
        hosts = spider_hosts(spider)
        domains = tuple(getattr(spider, "allowed_domains", None) or ())
        reason = refusal_reason(request.url, hosts, domains)
        if reason is None:
            return None
        stats = self.crawler.stats
        stats.inc_value("boundaries/refused")
        stats.inc_value(f"boundaries/refused/{reason}")
        logger.info("Not following %s (%s): outside the source's hosts", request.url[:300], reason)
        self.record_lost_page(request, reason)
        raise IgnoreRequest(f"outside the source's hosts ({reason}): {request.url[:300]}")

    def record_lost_page(self, request, reason: str) -> None:
        """A page of the source that redirects outside it is lost: say so in `rejects`.

        A refused link is only a link not followed; but when the source's own page
        answers with a redirect (or a meta refresh) to another host, that page cannot
        be archived, and the run's rejects keep its URL and why.
        """
        origin = redirected_from(request)
        if origin is None:
            return
        message = f"redirects outside the source's hosts ({reason}): {request.url[:300]}"
        self.state.reject(origin, message)
        self.crawler.stats.inc_value("partnews/items_rejected")
