"""Dedupe: give each item its archive id, so one article at several URLs is one item.

An item is the same as an archived one when any of its URLs is already known (fetched,
canonical or alias URL), when its CMS id matches (a Drupal node served at
``/de/node/1944`` and at ``/en/news/<slug>``), or when its normalised content hash
matches another item of the same source. Duplicates are never dropped: they are linked,
their URLs all kept in ``item_urls``. A new item's id is derived from its canonical URL,
so ids are stable across runs and machines.
"""

from __future__ import annotations

import hashlib
import re

from itemadapter import ItemAdapter

from crawler.run_report import current_run

_RAW_NODE_PATH = re.compile(r"/node/\d+/?$")


def new_item_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def url_preference(url: str) -> int:
    """Lower is better: a CMS's raw node path is the worst URL to cite."""
    return 1 if _RAW_NODE_PATH.search(url) else 0


class DedupePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        archive = current_run(self.crawler).archive
        source = adapter["source"]
        urls = [adapter["url"], adapter.get("canonical_url"), *adapter.get("alternate_urls", [])]
        item_id = (
            archive.item_id_for_urls(urls)
            or archive.item_id_for_cms_id(source, adapter.get("cms_id"))
            or archive.item_id_for_content(source, adapter.get("content_hash"))
        )
        if item_id is None:
            adapter["id"] = new_item_id(adapter.get("canonical_url") or adapter["url"])
            return item
        adapter["id"] = item_id
        self._keep_best_urls(adapter, archive.item_urls(item_id))
        return item

    @staticmethod
    def _keep_best_urls(adapter: ItemAdapter, stored: tuple[str, str | None] | None) -> None:
        """Keep the archived item's citation URL unless this copy's URL is a better one."""
        if stored is None:
            return
        stored_url, stored_canonical = stored
        mine = adapter.get("canonical_url") or adapter["url"]
        theirs = stored_canonical or stored_url
        if url_preference(mine) < url_preference(theirs):
            return
        alternates = list(adapter.get("alternate_urls") or [])
        for url in (adapter["url"], adapter.get("canonical_url")):
            if url and url not in alternates and url not in (stored_url, stored_canonical):
                alternates.append(url)
        adapter["alternate_urls"] = alternates
        adapter["url"] = stored_url
        adapter["canonical_url"] = stored_canonical
