"""The validate pipeline's rules: what makes an item impossible to archive, and the reason given."""

import re

import pytest

from crawler.items import ArchiveItem
from pipelines.validate import RejectItem, ValidatePipeline, problems


def good(**overrides):
    item = ArchiveItem(source="sdfacc", url="https://www.france-sandiego.org/a/", title="A title")
    for key, value in overrides.items():
        setattr(item, key, value)
    return item


def test_a_complete_item_passes_unchanged():
    item = good()
    assert ValidatePipeline().process_item(item) is item


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"title": None}, "missing title"),
        ({"title": "  <b> </b> "}, "missing title"),
        ({"url": "javascript:alert(1)"}, "url is not an http(s) URL"),
        ({"kind": "page"}, "kind must be one of news, event"),
        ({"source": ""}, "missing source"),
        ({"kind": "event"}, "event without a start date"),
        ({"kind": "event", "start": "2019-05-14", "status": "maybe"}, "event status must be"),
    ],
)
def test_each_rule_rejects_with_its_reason(overrides, reason):
    with pytest.raises(RejectItem, match=re.escape(reason)):
        ValidatePipeline().process_item(good(**overrides))


def test_all_problems_are_listed_together():
    found = problems({"kind": "event", "url": "ftp://x", "title": ""})
    assert len(found) == 4  # source, url, title, start: "event" itself is a valid kind
