"""The dedupe rules against a real archive file: what makes two copies one item."""

import pytest

from archive.store import Archive
from pipelines.dedupe import assign_item_id, new_item_id


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "partnews.db")
    yield archive
    archive.close()


def stored(archive, **fields):
    item = {
        "source": "provence_promotion",
        "kind": "news",
        "url": "https://www.investinprovence.com/en/news/new-board",
        "canonical_url": "https://www.investinprovence.com/en/news/new-board",
        "title": "New Board, New Ambitions",
        "language": "en",
        "cms_id": "drupal:node/1745",
        "content_hash": "hash-en",
    }
    item.update(fields)
    item = assign_item_id(item, archive)
    archive.save_item(item)
    return item


def test_a_new_item_gets_a_stable_id_from_its_canonical_url(archive):
    item = stored(archive)
    assert item["id"] == new_item_id("https://www.investinprovence.com/en/news/new-board")


def test_a_known_url_is_the_same_item(archive):
    first = stored(archive, alternate_urls=["https://investinprovence.com/en/news/new-board"])
    again = assign_item_id(
        {"source": "provence_promotion", "url": "https://investinprovence.com/en/news/new-board"},
        archive,
    )
    assert again["id"] == first["id"]


def test_the_node_at_two_urls_is_one_item_and_keeps_its_alias_url(archive):
    first = stored(archive)
    de = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/de/node/1745",
            "canonical_url": "https://www.investinprovence.com/de/node/1745",
            "language": "en",
            "cms_id": "drupal:node/1745",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert de["id"] == first["id"]
    assert de["url"] == first["url"], "the alias stays the URL to cite"
    assert "https://www.investinprovence.com/de/node/1745" in de["alternate_urls"]


def test_a_node_path_seen_first_gives_way_to_the_alias(archive):
    first = stored(
        archive,
        url="https://www.investinprovence.com/de/node/1745",
        canonical_url="https://www.investinprovence.com/de/node/1745",
    )
    alias = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/en/news/new-board",
            "canonical_url": "https://www.investinprovence.com/en/news/new-board",
            "language": "en",
            "cms_id": "drupal:node/1745",
        },
        archive,
    )
    assert alias["id"] == first["id"]
    assert alias["url"] == "https://www.investinprovence.com/en/news/new-board"


def test_a_translation_sharing_the_node_id_is_another_item(archive):
    first = stored(archive)
    french = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/actualites/nouveau-conseil",
            "language": "fr",
            "cms_id": "drupal:node/1745",
            "content_hash": "hash-fr",
        },
        archive,
    )
    assert french["id"] != first["id"]


def test_same_content_at_an_unknown_url_of_the_same_source_is_one_item(archive):
    first = stored(archive)
    copy = assign_item_id(
        {
            "source": "provence_promotion",
            "url": "https://www.investinprovence.com/en/news/new-board-old-slug",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert copy["id"] == first["id"]
    other_source = assign_item_id(
        {
            "source": "sdfacc",
            "url": "https://www.france-sandiego.org/x/",
            "content_hash": "hash-en",
        },
        archive,
    )
    assert other_source["id"] != first["id"], "a repost on another site is not merged"
