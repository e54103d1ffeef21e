"""WARC capture of every response a crawl receives (placeholder until it is written).

Enabled in crawler/settings.py; until the real middleware lands it declines to load.
"""

from scrapy.exceptions import NotConfigured


class WarcCapture:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("WARC capture is not written yet")


class WarcMiddleware:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("WARC capture is not written yet")
