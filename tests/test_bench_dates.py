"""The date bench's own parts, on hand-worked cases: the dateparser baseline's settings,
the independent reading real stamps are checked against, and how date strings are
pulled out of realdata files (on small files written here, in the shapes of the real
ones)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bench.bench_dates import (
    Case,
    agrees,
    baseline_settings,
    date_order,
    independent_reading,
    is_right,
    real_strings,
)


def test_date_order_follows_day_first_then_the_language():
    assert date_order(Case("05/06/2019", None, ("en",), day_first=True)) == "DMY"
    assert date_order(Case("05/06/2019", None, ("fr",), day_first=False)) == "MDY"
    assert date_order(Case("5 juin", None, ("fr",))) == "DMY"
    assert date_order(Case("June 5", None, ("en", "fr"))) == "MDY"
    assert date_order(Case("2019-06-05", None)) is None


def test_baseline_settings_carry_the_base_as_relative_base():
    settings = baseline_settings(Case("le 30 mai prochain", None, ("fr",), date(2018, 2, 14)))
    assert settings["RELATIVE_BASE"] == datetime(2018, 2, 14)
    assert settings["DATE_ORDER"] == "DMY"
    assert "RELATIVE_BASE" not in baseline_settings(Case("30 mai 2018", None, ("fr",)))


def test_is_right_at_the_precision_the_text_gives():
    assert is_right("2019-09", "2019-09-01T00:00:00")
    assert not is_right("2019-09-14", "2019-09-15")
    assert is_right(None, None)
    assert not is_right(None, "2019-09-14")
    assert not is_right("2019", None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20240508", date(2024, 5, 8)),
        ("2024-05-08", date(2024, 5, 8)),
        ("20240508T093000Z", datetime(2024, 5, 8, 9, 30, tzinfo=UTC)),
        ("20240508T093000", datetime(2024, 5, 8, 9, 30)),
        ("2016-06-27T07:36:54-07:00", datetime(2016, 6, 27, 14, 36, 54, tzinfo=UTC)),
        ("Tue, 03 Jun 2008 11:05:30 GMT", datetime(2008, 6, 3, 11, 5, 30, tzinfo=UTC)),
        ("2025-11", "2025-11"),
        ("2019-9-13T10:00", None),
    ],
)
def test_independent_reading(text, expected):
    assert independent_reading(text) == expected


def test_agrees_to_the_second_and_by_instant():
    paris = timezone(timedelta(hours=2))
    utc_noon = datetime(2024, 5, 8, 10, 0, tzinfo=UTC)
    assert agrees(utc_noon, datetime(2024, 5, 8, 12, 0, 0, 400000, tzinfo=paris))
    assert not agrees(utc_noon, datetime(2024, 5, 8, 12, 0, tzinfo=UTC))
    # Without an offset on one side, the wall clock is what both say.
    assert agrees(datetime(2024, 5, 8, 10, 0), datetime(2024, 5, 8, 10, 0, tzinfo=UTC))
    assert agrees(date(2024, 5, 8), datetime(2024, 5, 8, 23, 0))
    assert not agrees(date(2024, 5, 8), "2024-05")
    # A month read as a day has a day the text did not give.
    assert not agrees("2025-11", date(2025, 11, 7))
    assert agrees("2025-11", "2025-11")


def test_real_strings_from_each_kind_of_file(tmp_path):
    (tmp_path / "cal.ics").write_text(
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20240508T093000\r\n"
        "DTEND:20240508T113000Z\r\nSUMMARY:Atelier 2024\r\nEND:VEVENT\r\n",
        encoding="utf-8",
    )
    post = {
        "id": 7,
        "date": "2020-01-02T03:04:05",
        "title": {"rendered": "2020"},
        "start_date_details": {"year": "2020"},
        "modified_gmt": "2020-01-03T00:00:00",
    }
    (tmp_path / "posts.json").write_text(json.dumps([post]), encoding="utf-8")
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0"?><rss><channel><item><title>In 1999</title>'
        "<pubDate>Sat, 04 Jan 2020 10:00:00 +0100</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    (tmp_path / "event.html").write_text(
        '<html><body><time datetime="2021-05-06">6 May</time><time datetime="11:00">11</time>'
        '<script type="application/ld+json">{"@type": "Event", "startDate": "2021-05-06T18:00"}'
        "</script></body></html>",
        encoding="utf-8",
    )
    rows = [
        ("cal.ics", "ics"),
        ("posts.json", "wp-rest-posts"),
        ("feed.xml", "rss"),
        ("event.html", "html-event"),
        ("event.html", "benchmark"),  # a kind the bench does not read
    ]
    (tmp_path / "MANIFEST.tsv").write_text(
        "local_path\trepo\tkind\n" + "".join(f"{path}\tx\t{kind}\n" for path, kind in rows),
        encoding="utf-8",
    )
    found = [(s.path, s.field, s.text) for s in real_strings(tmp_path)]
    assert found == [
        ("cal.ics", "ics", "20240508T093000"),
        ("cal.ics", "ics", "20240508T113000Z"),
        ("posts.json", "date", "2020-01-02T03:04:05"),
        ("posts.json", "modified_gmt", "2020-01-03T00:00:00"),
        ("feed.xml", "pubDate", "Sat, 04 Jan 2020 10:00:00 +0100"),
        ("event.html", "time@datetime", "2021-05-06"),
        ("event.html", "ld+json startDate", "2021-05-06T18:00"),
    ]
