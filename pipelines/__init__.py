"""Item pipelines, one job per module: validate → normalize → relevance → dedupe → store.

The order is set in crawler/settings.py (ITEM_PIPELINES).
"""

from crawler.run_state import RunState, run_state


class CrawlerPipeline:
    """A pipeline that needs its crawler's stats and the run's state (its archive)."""

    def __init__(self, crawler, state: RunState):
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler))
