"""Politeness Scrapy 2.19 leaves out: robots.txt's Crawl-delay and the Retry-After header.

Scrapy parses Crawl-delay (Protego) but never applies it, and its RetryMiddleware
retries a 429 or 503 at once, whatever Retry-After says. Both are applied here with one
per-domain clock, the run state's (crawler/run_state.py): a domain's next request may
not start before the time the clock gives it. Crawl-delay spaces request starts by that
many seconds; Retry-After pauses the whole domain, and the retried request waits like
every other.

A Retry-After longer than RETRY_AFTER_MAX (default 300 s) is not waited for in the
night: the request is given up and counted as an error, and the next night tries again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.httpobj import urlparse_cached

from crawler.run_state import run_state

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = (429, 503)


def retry_after_seconds(value: str | bytes | None, now: float) -> float | None:
    """The wait a Retry-After header asks for: delay-seconds or an HTTP date (RFC 9110
    §10.2.3); None when absent or unreadable; never negative."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


class DomainClock:
    """When each domain may be asked again. Pure bookkeeping, so it is tested without a
    network: `reserve` returns how long a request must wait and books its start."""

    def __init__(self) -> None:
        self.next_start: dict[str, float] = {}
        self.spacing: dict[str, float] = {}

    def set_spacing(self, domain: str, seconds: float) -> None:
        self.spacing[domain] = max(0.0, seconds)

    def pause(self, domain: str, until: float) -> None:
        self.next_start[domain] = max(self.next_start.get(domain, 0.0), until)

    def reserve(self, domain: str, now: float) -> float:
        start = max(now, self.next_start.get(domain, 0.0))
        spacing = self.spacing.get(domain, 0.0)
        if spacing or domain in self.next_start:
            self.next_start[domain] = start + spacing
        return start - now


class CrawlDelayMiddleware:
    """Applies robots.txt's Crawl-delay per domain, and the pauses Retry-After asked for.

    Placed after RobotsTxtMiddleware, so that a domain's robots.txt is parsed before its
    first request goes on."""

    def __init__(self, crawler, clock: DomainClock):
        self.crawler = crawler
        self.clock = clock
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self.now = time.time
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler).clock)

    def robots_parsed(self, robotparser, request):
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            domain = urlparse_cached(request).netloc
            self.clock.set_spacing(domain, float(delay))
            logger.info("robots.txt of %s asks for a Crawl-delay of %s s", domain, delay)

    async def process_request(self, request, spider=None):
        """Wait for the domain's turn (other domains' requests go on meanwhile)."""
        if request.meta.get("dont_obey_robotstxt"):
            return None
        wait = self.clock.reserve(urlparse_cached(request).netloc, self.now())
        if wait > 0:
            await asyncio.sleep(wait)
        return None


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429 or 503 with Retry-After pauses its domain that long
    (up to RETRY_AFTER_MAX) before the retry; a longer pause gives the request up."""

    def __init__(self, settings, clock: DomainClock):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.clock = clock
        self.now = time.time

    @classmethod
    def from_crawler(cls, crawler):
        instance = cls(crawler.settings, run_state(crawler).clock)
        instance.crawler = crawler
        return instance

    def process_response(self, request, response, spider=None):
        if response.status in RETRY_AFTER_STATUSES and response.status in self.retry_http_codes:
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.now())
            if wait is not None:
                if wait > self.max_wait:
                    logger.warning(
                        "%s asks to come back in %.0f s (Retry-After); giving up tonight",
                        request.url,
                        wait,
                    )
                    return response
                self.clock.pause(urlparse_cached(request).netloc, self.now() + wait)
                self.crawler.stats.inc_value("partnews/retry_after_waits")
        return super().process_response(request, response)
