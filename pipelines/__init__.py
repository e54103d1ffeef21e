"""Item pipelines, one job per module: validate → normalize → relevance → dedupe → store.

The order is set in crawler/settings.py (ITEM_PIPELINES).
"""

from typing import Any

from itemadapter import ItemAdapter

from crawler.items import ArchiveItem
from crawler.run_state import RunState, run_state


def item_dict(item: Any) -> dict[str, Any]:
    """The item's fields as a new dict, its lists and dicts copied (what a pipeline may
    change without touching the item it was given).

    `ItemAdapter.asdict()` does the same, but asks of every value whether it is a nested
    item (several adapter checks each): ten times the cost of this copy, three times per
    item in a crawl. A schema item copies itself (`ArchiveItem.to_dict`).
    """
    if isinstance(item, ArchiveItem):
        return item.to_dict()
    return {key: _copied(value) for key, value in ItemAdapter(item).items()}


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple, set)):
        return type(value)(_copied(inner) for inner in value)
    return value


class CrawlerPipeline:
    """A pipeline that needs its crawler's stats and the run's state (its archive)."""

    def __init__(self, crawler, state: RunState):
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, run_state(crawler))
