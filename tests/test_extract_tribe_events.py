"""The Events Calendar REST extractor, on real responses and on small hand-written ones."""

from __future__ import annotations

import html
import json
from datetime import datetime

import pytest
from realdata import params, read_bytes, read_text

from crawler.extract.tribe_events import parse_tribe_events, tribe_next_page_url
from tests.requirements import need_shared


def _expected_iso(local: str, utc: str) -> str:
    """ISO local time with the offset implied by the file's own local and UTC times
    (no time-zone database involved: a different path from the extractor's)."""
    local_dt = datetime.fromisoformat(local)
    minutes = int((local_dt - datetime.fromisoformat(utc)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{local_dt.isoformat()}{sign}{hours:02d}:{mins:02d}"


def _expected_venue(raw: dict) -> dict:
    """The venue as stored, entities decoded and surrounding blanks trimmed (one real
    site stores its city as " Atlanta"), inner runs of blanks collapsed."""
    venue = raw["venue"] if isinstance(raw["venue"], dict) else {}
    return {
        field: " ".join(html.unescape(venue.get(key) or "").split()) or None
        for field, key in (
            ("venue_name", "venue"),
            ("venue_city", "city"),
            ("venue_country", "country"),
        )
    }


@pytest.mark.parametrize("row", params("tribe-events"))
def test_real_tribe_responses_field_by_field(row):
    raw = json.loads(read_text(row))
    items = parse_tribe_events(read_bytes(row))
    if not raw["events"]:
        # Legitimately empty listings (no upcoming events): nothing to archive.
        assert raw["total"] == 0
        assert items == []
        return
    assert len(items) == len(raw["events"])
    for item, event in zip(items, raw["events"], strict=True):
        assert item.kind == "event"
        assert item.url == event["url"]
        assert item.title == html.unescape(event["title"])
        assert item.cms_id == f"tribe:event/{event['id']}"
        assert item.all_day is event["all_day"]
        if event["all_day"]:
            assert item.start == event["start_date"][:10]
        else:
            assert item.start == _expected_iso(event["start_date"], event["utc_start_date"])
            assert item.end == _expected_iso(event["end_date"], event["utc_end_date"])
        expected_tz = "UTC" if event["timezone"] == "UTC+0" else event["timezone"]
        assert item.timezone == expected_tz
        for field, value in _expected_venue(event).items():
            assert getattr(item, field) == value, field
        assert item.published == event["date_utc"].replace(" ", "T") + "+00:00"
        assert item.published_from == "api"


def test_real_next_page_url_follows_the_response():
    rows = [r for r in params("tribe-events") if r.values[0] is not None]
    if not rows:
        need_shared("realdata/MANIFEST.tsv")
    seen_next = False
    for param in rows:
        raw = json.loads(read_text(param.values[0]))
        assert tribe_next_page_url(read_bytes(param.values[0])) == raw.get("next_rest_url")
        seen_next = seen_next or bool(raw.get("next_rest_url"))
    assert seen_next, "at least one stored response is paginated"


def _event(**overrides) -> dict:
    event = {
        "id": 7,
        "url": "https://example.org/event/meetup/",
        "title": "Innovation meetup",
        "description": "<p>First paragraph &amp; more.</p>\n<p>Second<br>line</p>",
        "excerpt": "",
        "all_day": False,
        "start_date": "2019-05-14 09:00:00",
        "end_date": "2019-05-14 17:30:00",
        "date_utc": "2019-04-01 16:00:00",
        "modified_utc": "2019-04-02 16:00:00",
        "timezone": "America/Los_Angeles",
        "cost": "$20",
        "website": "https://example.org/register",
        "categories": [{"name": "Trade &amp; Business"}],
        "tags": [{"name": "biotech"}],
        "image": {"url": "https://example.org/a.jpg"},
        "venue": {
            "venue": "Convention Center",
            "address": "111 Harbor Dr,",
            "city": "San Diego",
            "stateprovince": "CA",
            "zip": "92101",
            "country": "United States",
        },
        "organizer": [{"organizer": "Chamber A"}, {"organizer": "Agency B"}],
    }
    event.update(overrides)
    return event


def test_offset_follows_daylight_saving_of_the_event_zone():
    summer, winter = parse_tribe_events(
        {"events": [_event(), _event(start_date="2019-01-14 09:00:00", end_date="")]}
    )
    assert summer.start == "2019-05-14T09:00:00-07:00"  # PDT
    assert summer.end == "2019-05-14T17:30:00-07:00"
    assert winter.start == "2019-01-14T09:00:00-08:00"  # PST
    assert winter.end is None


def test_all_fields_of_a_hand_written_event():
    [item] = parse_tribe_events(json.dumps(_event()).encode())
    assert item.timezone == "America/Los_Angeles"
    assert item.body == "First paragraph & more.\n\nSecond\nline"
    assert item.summary is None
    assert item.venue_name == "Convention Center"
    assert item.venue_address == "111 Harbor Dr, San Diego, CA 92101, United States"
    assert item.organizer == "Chamber A, Agency B"
    assert item.cost == "$20"
    assert item.registration_url == "https://example.org/register"
    assert item.categories == ["Trade & Business"]
    assert item.tags == ["biotech"]
    assert item.image == "https://example.org/a.jpg"
    assert item.published == "2019-04-01T16:00:00+00:00"
    assert item.modified == "2019-04-02T16:00:00+00:00"
    assert item.status == "scheduled"


def test_all_day_event_has_bare_dates():
    [item] = parse_tribe_events(
        _event(all_day=True, start_date="2019-05-14 00:00:00", end_date="2019-05-17 23:59:59")
    )
    assert (item.start, item.end, item.all_day) == ("2019-05-14", "2019-05-17", True)


def test_manual_utc_offset_zone_and_missing_venue():
    [item] = parse_tribe_events(_event(timezone="UTC-5", venue=[], organizer=[]))
    assert item.start == "2019-05-14T09:00:00-05:00"
    assert item.timezone == "Etc/GMT+5"
    assert item.venue_name is item.venue_address is item.organizer is None


def test_default_timezone_only_when_event_has_none():
    [without] = parse_tribe_events(_event(timezone=""), default_timezone="Europe/Paris")
    [with_own] = parse_tribe_events(_event(), default_timezone="Europe/Paris")
    assert without.start == "2019-05-14T09:00:00+02:00"
    assert with_own.start == "2019-05-14T09:00:00-07:00"


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("CANCELLED: Board meeting", "cancelled"),
        ("Canceled - Board meeting", "cancelled"),
        ("Postponed: Board meeting", "postponed"),
        ("Annulé – Conférence", "cancelled"),
        ("Reporté : Conférence", "postponed"),
        ("Board meeting on cancelled projects", "scheduled"),
    ],
)
def test_status_from_title_prefix(title, status):
    [item] = parse_tribe_events(_event(title=title))
    assert item.status == status


def test_status_field_wins_over_title():
    [item] = parse_tribe_events(_event(event_status="canceled"))
    assert item.status == "cancelled"


def test_single_event_and_json_wrapped_in_html():
    [single] = parse_tribe_events(_event())
    wrapped = "<html><body><pre>" + html.escape(json.dumps({"events": [_event()]})) + "</pre>"
    [from_html] = parse_tribe_events(wrapped)
    assert single.title == from_html.title == "Innovation meetup"


def test_next_page_absent_on_last_page():
    assert tribe_next_page_url({"events": [], "total": 0}) is None
    assert tribe_next_page_url(b'{"events": [], "next_rest_url": "https://x.org/?page=2"}') == (
        "https://x.org/?page=2"
    )


def test_fields_of_the_wrong_type_are_missing_not_fatal():
    [item] = parse_tribe_events(
        _event(start_date=True, end_date=3, url=1.0, timezone=[], categories="x", id={})
    )
    assert item.title and item.venue_name == "Convention Center"
    assert (item.start, item.end, item.url, item.cms_id) == (None, None, "", None)
    assert item.timezone is None and item.categories == []


def test_all_day_event_with_an_impossible_day_has_no_start():
    [item] = parse_tribe_events(_event(all_day=True, start_date="2024-02-30 00:00:00"))
    assert item.start is None and item.all_day is True
