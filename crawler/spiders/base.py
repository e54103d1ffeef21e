"""The base of every partnews spider: its source's facts and the item's last touches.

A spider's ``name`` is its source id in crawler/sources.toml, where its hosts,
languages and timezone live. Subclasses (one per CMS: wordpress.py, drupal.py) hold the
shared crawling logic, so that a site's spider is mostly class attributes.
"""

from __future__ import annotations

from urllib.parse import urljoin

import scrapy

from crawler.items import ArchiveItem
from crawler.sources import Source, get_source


class PartnewsSpider(scrapy.Spider):
    """A spider for one source of the registry."""

    @classmethod
    def update_settings(cls, settings) -> None:
        """The source's politeness overrides (sources.toml) apply to its spider only."""
        super().update_settings(settings)
        for name, value in get_source(cls.name).politeness.items():
            settings.set(name.upper(), value, priority="spider")

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
