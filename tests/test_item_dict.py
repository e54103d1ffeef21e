"""pipelines.item_dict: the copy each pipeline works on equals ItemAdapter.asdict() and
shares no list or dict with the item it came from."""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler.items import ArchiveItem
from pipelines import item_dict


def test_a_schema_item_copies_like_asdict_without_sharing():
    item = ArchiveItem(
        source="region_sud",
        url="https://www.maregionsud.fr/actualites/a",
        title="Une mission à San Diego",
        authors=["A. Auteur"],
        translations={"en": "https://www.maregionsud.fr/en/news/a"},
        alternate_urls=["https://www.maregionsud.fr/?p=12"],
    )
    copied = item_dict(item)
    assert copied == ItemAdapter(item).asdict()
    copied["authors"].append("someone else")
    copied["translations"]["de"] = "https://example.org/"
    copied["alternate_urls"].clear()
    assert item.authors == ["A. Auteur"]
    assert set(item.translations) == {"en"}
    assert item.alternate_urls == ["https://www.maregionsud.fr/?p=12"]


def test_a_plain_dict_item_is_copied_too():
    item = {"source": "sdfacc", "tags": ["export"], "nested": {"a": ["b"]}}
    copied = item_dict(item)
    assert copied == item
    copied["nested"]["a"].append("c")
    assert item["nested"] == {"a": ["b"]}


def test_to_dict_is_asdict_for_the_schema():
    from dataclasses import asdict

    item = ArchiveItem(
        source="team_cote_d_azur",
        kind="event",
        url="https://www.teamcotedazur.fr/evenement",
        title="Rencontre",
        tags=["export", "santé"],
        translations={"en": "https://www.teamcotedazur.fr/en/event"},
        start="2024-05-02T09:00:00+02:00",
        relevance_score=2.5,
    )
    copied = item.to_dict()
    assert copied == asdict(item)
    assert list(copied) == [f for f in ArchiveItem.field_names()]
    copied["tags"].append("x")
    copied["translations"].clear()
    assert item.tags == ["export", "santé"] and item.translations
