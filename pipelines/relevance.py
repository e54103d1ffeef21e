"""Relevance: score every item against the partnership rules; drop the off-topic items of
filtered sources.

Partner sources (policy "all") keep every item, with its score, matched terms and
sectors; their own side counts as named (the San Diego chamber writing about a
Provence company is partnership news). Filtered sources (press, city sites) keep only
items scoring at least the rules' threshold; the others are dropped as `NotRelevant`,
which the run report counts (``crawl_runs.items_not_relevant``) without filing them as
rejects: they are not errors.
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.sources import load_sources
from partnews.relevance import SIDES, load_rules, score_text


class NotRelevant(DropItem):
    """An item of a filtered source that is not about the partnership."""


class RelevancePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        rules = load_rules()
        source = load_sources().get(adapter.get("source"))
        filtered = source is None or source.relevance == "filtered"
        relevance = score_text(
            adapter.get("title"),
            adapter.get("summary"),
            adapter.get("body"),
            rules,
            publisher_side=None if filtered else SIDES.get(source.side),
        )
        adapter["relevance_score"] = relevance.score
        adapter["relevance_terms"] = relevance.terms
        adapter["sectors"] = relevance.sectors
        if filtered and not relevance.is_relevant(rules):
            raise NotRelevant(
                f"not about the partnership (score {relevance.score} < {rules.threshold})"
            )
        return item
