"""Store: upsert each item into the archive and count what it was (new, updated, unchanged).

The archive itself (archive/store.py) decides versions and keeps every URL; this
pipeline only hands it the item and reports the outcome to the run's stats.
"""

from __future__ import annotations

from pipelines import CrawlerPipeline, item_dict


class StorePipeline(CrawlerPipeline):
    def process_item(self, item):
        state = self.state
        outcome = state.archive.save_item(item_dict(item), run_id=state.run_id)
        self.crawler.stats.inc_value(f"partnews/items_{outcome}")
        return item
