"""Item pipelines, one job per module: validate → normalize → dedupe → store.

The order is set in crawler/settings.py (ITEM_PIPELINES).
"""


class CrawlerPipeline:
    """A pipeline that needs its crawler (for the run's archive and stats)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
