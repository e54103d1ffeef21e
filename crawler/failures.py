"""Pages that could not be fetched, recorded per URL in the archive's rejects table.

Retries happen first (Scrapy's retry middleware, with Retry-After: crawler/politeness.py);
what still fails is permanent for this run and must not vanish into a count. Every
request the spiders make without an errback of their own gets `RecordFailures`'
errback, which files the URL and the reason: an HTTP error answer (404, 500 after the
retries), a download that raised (timeout, reset, truncated or oversized body), a body
that inflates past the size limit, or a redirect loop (a redirect back to a URL already
fetched, which the scheduler drops as a duplicate). Refusals by policy
(robots.txt, crawler/boundaries.py) are not failures.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.run_state import RunState, run_state

# IgnoreRequest messages that are decisions, not failures.
POLICY_REFUSALS = ("Forbidden by robots.txt", "outside the source's hosts")


def failure_reason(exception: BaseException) -> str | None:
    """What to file for a failed request; None for a refusal by policy."""
    if isinstance(exception, HttpError):
        return f"HTTP {exception.response.status}"
    if isinstance(exception, IgnoreRequest) and str(exception).startswith(POLICY_REFUSALS):
        return None
    name = type(exception).__name__
    return f"download failed: {name}: {exception}"[:500]


class RecordFailures(BaseSpiderMiddleware):
    def __init__(self, crawler, state: RunState):
        super().__init__(crawler)
        self.state = state
        crawler.signals.connect(self.dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler))

    def dropped(self, request, spider):
        """A redirect back to a URL already fetched is dropped as a duplicate: a loop."""
        if request.url in request.meta.get("redirect_urls", ()):
            self._file(request.url, "redirect loop")

    def get_processed_request(self, request, response):
        if request.errback is None:
            return request.replace(errback=self.failed)
        return request

    def failed(self, failure):
        reason = failure_reason(failure.value)
        if reason is not None:
            self._file(failure.request.url, reason)
        return None

    def _file(self, url: str, reason: str) -> None:
        self.state.reject(url, reason)
        self.crawler.stats.inc_value("partnews/pages_failed")
