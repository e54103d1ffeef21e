"""The run report: the extension that owns a crawl's run state and writes its crawl_runs row.

`RunReport` builds the run's one `RunState` (crawler/run_state.py: the archive, the run
id, the incremental memory, the politeness clock, the WARC recorder, the selector
counts) and every other component gets it through `run_state(crawler)` in its
``from_crawler``. The report counts everything from Scrapy's stats and the pipelines'
outcomes: responses by status class, items new / updated / unchanged, rejects with
their reasons, pages that failed to parse, how often each selector hint matched. The
report is written to ``crawl_runs`` when the spider closes.

It also keeps the incremental memory (crawler/incremental.py): after each item's
pipelines, the page it came from goes to ``page_state`` (so a killed run resumes
without reading it again); when the run ends cleanly, the entry points' validators go
to ``http_validators``; and what each entry point gave goes to
``crawl_runs.entry_points`` for the health rules (crawler/health.py), as the selector
counts go to ``crawl_runs.selectors``. The run's WARC file is opened with the spider,
each item linked to the capture it was read from, and the file closed at the end.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatter

from crawler.politeness import DomainClock
from crawler.run_state import RunState
from crawler.warc import WarcRecorder, warc_dir

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 25


def new_run_state(crawler) -> RunState:
    """The run state of a crawler's run, from its settings (nothing opened yet)."""
    settings = crawler.settings
    state = RunState(
        crawler.spidercls.name,
        settings.get("PARTNEWS_ARCHIVE"),
        mirror=settings.get("PARTNEWS_MIRROR"),
        clock=DomainClock(),
    )
    directory = warc_dir(settings)
    if directory is not None:
        state.warc = WarcRecorder(state, settings, crawler.stats, directory)
    return state


def reject_reason(exception: BaseException) -> str:
    return str(exception) or type(exception).__name__


class RunReport:
    """Counts what happened during a run and writes it to the archive's crawl_runs."""

    def __init__(self, crawler, state: RunState):
        self.crawler = crawler
        self.state = state
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # `partnews crawl` turns this on: one line every PROGRESS_EVERY items on stderr.
        self.progress = crawler.settings.getbool("PARTNEWS_PROGRESS")
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, new_run_state(crawler))

    def spider_opened(self, spider):
        run = self.state
        since = getattr(spider, "since", None)
        run.archive.update_run(
            run.run_id,
            {
                "night": getattr(spider, "night", None),
                "mode": getattr(spider, "mode", None),
                "since": str(since) if since else None,
            },
        )
        if run.warc is not None:
            run.warc.open()

    def record_page(self, item, response, spider) -> None:
        """The page an item came from is now read: remember it with its sitemap date."""
        run = self.state
        lastmods = getattr(spider, "lastmods", {})
        urls = [getattr(item, "url", None) or (item.get("url") if isinstance(item, dict) else None)]
        if response is not None and response.meta.get("article_page"):
            urls += [response.url, *response.meta.get("redirect_urls", [])]
        pages = {url: lastmods.get(url) for url in urls if url}
        run.incremental_for(spider).record_pages(run.archive, pages, run.run_id)

    def item_scraped(self, item, response, spider):
        self.record_page(item, response, spider)
        if self.state.warc is not None:
            self.state.warc.link_item(item, response)
        if not self.progress:
            return
        stats = self.crawler.stats
        count = stats.get_value("item_scraped_count", 0)
        if count % PROGRESS_EVERY == 0:
            print(
                f"  {spider.name}: {count} items archived, "
                f"{stats.get_value('downloader/request_count', 0)} requests so far…",
                file=sys.stderr,
                flush=True,
            )

    def _reject(self, url, reason, item=None):
        self.state.reject(url, reason, item)
        self.crawler.stats.inc_value("partnews/items_rejected")
        logger.warning("Rejected %s: %s", url, reason)

    def item_dropped(self, item, response, exception, spider):
        from pipelines.relevance import NotRelevant

        self.record_page(item, response, spider)
        if isinstance(exception, NotRelevant):
            self.crawler.stats.inc_value("partnews/items_not_relevant")
        elif isinstance(exception, DropItem):
            data = item.to_dict() if hasattr(item, "to_dict") else dict(item)
            self._reject(data.get("url"), reject_reason(exception), data)

    def item_error(self, item, response, spider, failure):
        data = item.to_dict() if hasattr(item, "to_dict") else dict(item)
        self._reject(data.get("url"), f"pipeline error: {failure.getErrorMessage()}", data)

    def spider_error(self, failure, response, spider):
        url = getattr(response, "url", None)
        self.state.reject(url, f"page could not be parsed: {failure.getErrorMessage()}")
        self.crawler.stats.inc_value("partnews/parse_errors")

    def spider_closed(self, spider, reason):
        run = self.state
        stats = self.crawler.stats.get_stats()
        counts = run_counts(stats, reason, time.monotonic() - run.started)
        counts["entry_points"] = json.dumps(getattr(spider, "entry_points", {}), sort_keys=True)
        counts["selectors"] = json.dumps(run.selectors.as_json_dict(), sort_keys=True)
        state = run.incremental_for(spider)
        # Dates a sitemap gave after the page's item was stored (feed and sitemap race).
        late = {
            url: lastmod
            for url, lastmod in getattr(spider, "lastmods", {}).items()
            if url in state.recorded and state.pages.get(url) is None
        }
        if late:
            state.record_pages(run.archive, late, run.run_id)
        if ran_cleanly(counts, stats.get("downloader/response_status_count/429", 0)):
            state.commit_validators(run.archive, run.run_id)
        run.archive.finish_run(run.run_id, counts)
        run.close()


def ran_cleanly(counts: dict, too_many_requests: int = 0) -> bool:
    """Whether tonight's validators may replace last night's: only when every page the
    entry points led to was read. Otherwise the next night reads the entry points in full
    again, and finds what this one missed."""
    return (
        counts["finish_reason"] == "finished"
        and not counts["download_errors"]
        and not counts["responses_5xx"]
        and not counts["parse_errors"]
        and not too_many_requests
    )


def run_counts(stats: dict, finish_reason: str, duration: float) -> dict:
    """The crawl_runs columns, from Scrapy's stats and ours."""

    def status_class(prefix: str) -> int:
        return sum(
            v
            for k, v in stats.items()
            if k.startswith("downloader/response_status_count/")
            and k.rsplit("/", 1)[1].startswith(prefix)
        )

    return {
        "finish_reason": finish_reason,
        "requests": stats.get("downloader/request_count", 0),
        "responses_2xx": status_class("2"),
        "responses_3xx": status_class("3"),
        "responses_304": stats.get("downloader/response_status_count/304", 0),
        "responses_429": stats.get("downloader/response_status_count/429", 0),
        "responses_4xx": status_class("4"),
        "responses_5xx": status_class("5"),
        "download_errors": stats.get("downloader/exception_count", 0),
        "parse_errors": stats.get("partnews/parse_errors", 0),
        "items_seen": stats.get("item_scraped_count", 0) + stats.get("item_dropped_count", 0),
        "items_new": stats.get("partnews/items_new", 0),
        "items_updated": stats.get("partnews/items_updated", 0),
        "items_unchanged": stats.get("partnews/items_unchanged", 0),
        "items_rejected": stats.get("partnews/items_rejected", 0),
        "items_not_relevant": stats.get("partnews/items_not_relevant", 0),
        "items_without_date": stats.get("partnews/items_without_date", 0),
        "duration_seconds": round(duration, 3),
    }


class QuietDropFormatter(LogFormatter):
    """Log dropped items in one line at INFO: the run report records each with its reason."""

    def dropped(self, item, exception, response, spider=None):
        url = getattr(item, "url", None) or (item.get("url") if isinstance(item, dict) else None)
        return {
            "level": logging.INFO,
            "msg": "Dropped %(url)s: %(exception)s",
            "args": {"url": url, "exception": exception},
        }
