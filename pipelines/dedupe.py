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

from archive.store import Archive
from crawler.run_report import current_run
from pipelines import CrawlerPipeline

_RAW_NODE_PATH = re.compile(r"/node/\d+/?$")


def new_item_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def url_preference(url: str) -> int:
    """Lower is better: a CMS's raw node path is the worst URL to cite."""
    return 1 if _RAW_NODE_PATH.search(url) else 0


def assign_item_id(item: dict, archive: Archive) -> dict:
    """Set ``item["id"]``: the archived item it duplicates, or a new stable id.

    When it duplicates an archived item, the archived citation URL is kept unless this
    copy's is better, and this copy's other URLs become aliases.
    """
    source = item["source"]
    item_urls = [item["url"], item.get("canonical_url"), *(item.get("alternate_urls") or [])]
    item_id = (
        archive.item_id_for_urls(item_urls)
        or archive.item_id_for_cms_id(source, item.get("cms_id"), item.get("language"))
        or archive.item_id_for_content(source, item.get("content_hash"))
    )
    if item_id is None:
        item["id"] = new_item_id(item.get("canonical_url") or item["url"])
        return item
    item["id"] = item_id
    stored = archive.item_urls(item_id)
    if stored is None:
        return item
    stored_url, stored_canonical = stored
    mine = item.get("canonical_url") or item["url"]
    if url_preference(mine) < url_preference(stored_canonical or stored_url):
        return item
    alternates = list(item.get("alternate_urls") or [])
    for url in (item["url"], item.get("canonical_url")):
        if url and url not in alternates and url not in (stored_url, stored_canonical):
            alternates.append(url)
    item.update(alternate_urls=alternates, url=stored_url, canonical_url=stored_canonical)
    return item


class DedupePipeline(CrawlerPipeline):
    def process_item(self, item):
        adapter = ItemAdapter(item)
        linked = assign_item_id(adapter.asdict(), current_run(self.crawler).archive)
        for key in ("id", "url", "canonical_url", "alternate_urls"):
            adapter[key] = linked[key]
        return item
