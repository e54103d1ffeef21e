"""iCalendar extractor, on real .ics exports and on small hand-written calendars."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from realdata import params, read_text

from crawler.extract.ical import parse_ical, split_location


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text.replace("\r\n", "\n"))


def _unescape(value: str) -> str:
    return re.sub(r"\\([,;\\])", r"\1", value).replace("\\n", "\n").replace("\\N", "\n")


def _prop(block: str, name: str) -> tuple[str, str] | None:
    """(parameters, value) of the first NAME line of a VEVENT, read with a regex."""
    match = re.search(rf"^{name}((?:;[^:\n]*)?):(.*)$", block, re.MULTILINE)
    return (match.group(1), match.group(2).strip()) if match else None


def _check_time(
    prop: tuple[str, str] | None, got: str | None, got_tz: str | None, calendar_tz: str | None
) -> None:
    """The extracted ISO value matches the DTSTART/DTEND line as written."""
    if prop is None:
        assert got is None
        return
    parameters, value = prop
    if "VALUE=DATE" in parameters and "DATE-TIME" not in parameters:
        assert got == f"{value[:4]}-{value[4:6]}-{value[6:8]}"
        return
    wall = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    tzid = re.search(r"TZID=([^;:]+)", parameters)
    if value.endswith("Z") or (tzid and tzid.group(1) == "UTC"):
        instant = wall.replace(tzinfo=UTC)
        assert datetime.fromisoformat(got) == instant  # same instant...
        assert got_tz == (calendar_tz or "UTC")  # ...shown in the calendar's zone
    elif tzid:
        zone = tzid.group(1)
        expected = wall.replace(tzinfo=ZoneInfo(zone))
        assert got == expected.isoformat()
        assert got_tz == zone
    elif calendar_tz:
        assert got == wall.replace(tzinfo=ZoneInfo(calendar_tz)).isoformat()
    else:
        assert got == wall.isoformat()


@pytest.mark.parametrize("row", params("ics"))
def test_real_ics_event_by_event(row):
    text = _unfold(read_text(row))
    blocks = re.findall(r"^BEGIN:VEVENT$(.*?)^END:VEVENT$", text, re.MULTILINE | re.DOTALL)
    calendar_tz = _prop(text.split("BEGIN:VEVENT")[0], "X-WR-TIMEZONE")
    calendar_tz = calendar_tz[1] if calendar_tz else None
    items = parse_ical(read_text(row))
    assert len(blocks) > 0
    assert len(items) == len(blocks)
    for item, block in zip(items, blocks, strict=True):
        assert item.kind == "event"
        start = _prop(block, "DTSTART")
        _check_time(start, item.start, item.timezone, calendar_tz)
        _check_time(_prop(block, "DTEND"), item.end, item.timezone, calendar_tz)
        assert item.all_day is ("VALUE=DATE" in start[0] and "DATE-TIME" not in start[0])
        summary = _prop(block, "SUMMARY")
        assert item.title == " ".join(_unescape(summary[1]).split())
        location = _prop(block, "LOCATION")
        location = " ".join(_unescape(location[1]).split()) if location else ""
        parts = [p for p in (item.venue_name, item.venue_address) if p]
        assert ", ".join(parts) == location  # the split loses nothing
        uid = _prop(block, "UID")[1]
        assert item.cms_id == "ical:" + html.unescape(re.sub(r"<[^>]+>", "", uid)).strip()
        url = _prop(block, "URL")
        assert item.url == (url[1] if url else "")
        status = _prop(block, "STATUS")
        if status and status[1] == "CANCELLED":
            assert item.status == "cancelled"


CAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//partnews test//EN
{header}BEGIN:VEVENT
UID:evt-1@example.org
DTSTART{start}
DTEND{end}
SUMMARY:{summary}
DESCRIPTION:Line one\\nLine two\\n\\nSecond paragraph
LOCATION:Harbor Hall\\, 111 Harbor Dr\\, San Diego
ORGANIZER;CN="Chamber A":mailto:info@example.org
URL:https://example.org/event/1/
CREATED:20190401T160000Z
LAST-MODIFIED:20190402T160000Z
{extra}END:VEVENT
END:VCALENDAR
"""


def _cal(
    start=";TZID=America/Los_Angeles:20190514T090000",
    end=";TZID=America/Los_Angeles:20190514T170000",
    summary="Partner day",
    header="",
    extra="",
) -> str:
    return CAL.format(start=start, end=end, summary=summary, header=header, extra=extra)


def test_tzid_times_keep_their_zone_offset():
    [item] = parse_ical(_cal())
    assert item.start == "2019-05-14T09:00:00-07:00"
    assert item.end == "2019-05-14T17:00:00-07:00"
    assert item.timezone == "America/Los_Angeles"
    assert item.all_day is False
    assert item.title == "Partner day"
    assert item.body == "Line one\nLine two\n\nSecond paragraph"
    assert (item.venue_name, item.venue_address) == ("Harbor Hall", "111 Harbor Dr, San Diego")
    assert item.organizer == "Chamber A"
    assert item.url == "https://example.org/event/1/"
    assert item.cms_id == "ical:evt-1@example.org"
    assert item.published == "2019-04-01T16:00:00+00:00"
    assert item.modified == "2019-04-02T16:00:00+00:00"
    assert item.status == "scheduled"


def test_date_values_are_all_day_bare_dates():
    [item] = parse_ical(_cal(start=";VALUE=DATE:20190514", end=";VALUE=DATE:20190518"))
    assert (item.start, item.end, item.all_day) == ("2019-05-14", "2019-05-18", True)


def test_utc_times_shown_in_calendar_zone_from_x_wr_timezone():
    cal = _cal(
        start=":20190514T160000Z", end=":20190515T000000Z", header="X-WR-TIMEZONE:Europe/Paris\n"
    )
    [item] = parse_ical(cal)
    assert item.start == "2019-05-14T18:00:00+02:00"
    assert item.end == "2019-05-15T02:00:00+02:00"
    assert item.timezone == "Europe/Paris"


def test_utc_times_without_any_zone_stay_utc():
    [item] = parse_ical(_cal(start=":20190514T160000Z", end=":20190514T170000Z"))
    assert item.start == "2019-05-14T16:00:00+00:00"
    assert item.timezone == "UTC"


def test_floating_times_take_default_timezone_or_stay_naive():
    cal = _cal(start=":20190514T090000", end=":20190514T100000")
    [with_default] = parse_ical(cal, default_timezone="America/Los_Angeles")
    [without] = parse_ical(cal)
    assert with_default.start == "2019-05-14T09:00:00-07:00"
    assert with_default.timezone == "America/Los_Angeles"
    assert without.start == "2019-05-14T09:00:00"
    assert without.timezone is None


def test_cancelled_status_and_title_prefix():
    [by_status] = parse_ical(_cal(extra="STATUS:CANCELLED\n"))
    [by_title] = parse_ical(_cal(summary="Annulé : Journée partenaires"))
    assert by_status.status == "cancelled"
    assert by_title.status == "cancelled"


def test_recurring_event_is_not_expanded():
    items = parse_ical(_cal(extra="RRULE:FREQ=WEEKLY;COUNT=5\n"))
    assert len(items) == 1
    assert items[0].start == "2019-05-14T09:00:00-07:00"


def test_malformed_vtimezone_with_two_tzids_still_parses():
    header = (
        "BEGIN:VTIMEZONE\nTZID:UTC\nBEGIN:STANDARD\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\n"
        "DTSTART:20190101T000000\nEND:STANDARD\nTZID:America/Los_Angeles\n"
        "BEGIN:DAYLIGHT\nTZOFFSETFROM:-0800\nTZOFFSETTO:-0700\nDTSTART:20190310T100000\n"
        "END:DAYLIGHT\nEND:VTIMEZONE\n"
    )
    [item] = parse_ical(_cal(header=header))
    assert item.start == "2019-05-14T09:00:00-07:00"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("Harbor Hall, 111 Harbor Dr", ("Harbor Hall", "111 Harbor Dr")),
        ("3011 W. Grand Blvd., 12th Floor", (None, "3011 W. Grand Blvd., 12th Floor")),
        ("Town hall", ("Town hall", None)),
        ("", (None, None)),
    ],
)
def test_split_location(location, expected):
    assert split_location(location) == expected


def test_an_unreadable_date_keeps_the_event_without_it():
    # icalendar keeps "31 February, hour 25" as a broken property; the event stays, with
    # no start, so the validate pipeline rejects it with its reason instead of losing it.
    good, bad = parse_ical(
        _cal().replace("END:VCALENDAR", "")
        + "BEGIN:VEVENT\nUID:bad\nSUMMARY:Broken day\nDTSTART:20240230T250000\nEND:VEVENT\n"
        + "END:VCALENDAR\n"
    )
    assert good.title == "Partner day" and good.start == "2019-05-14T09:00:00-07:00"
    assert (bad.title, bad.start, bad.cms_id) == ("Broken day", None, "ical:bad")


def test_an_unclosed_event_does_not_lose_the_others():
    # icalendar refuses the whole file when one VEVENT has no END: each event is then
    # read on its own, with the calendar's properties.
    text = (
        "BEGIN:VCALENDAR\nX-WR-TIMEZONE:Europe/Paris\n"
        "BEGIN:VEVENT\nUID:open\nSUMMARY:Never closed\nDTSTART:20240312T090000\n"
        "BEGIN:VEVENT\nUID:ok\nSUMMARY:Rencontre\nDTSTART:20240313T100000\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    items = {item.cms_id: item for item in parse_ical(text)}
    assert items["ical:ok"].title == "Rencontre"
    assert items["ical:ok"].start == "2024-03-13T10:00:00+01:00"
    assert items["ical:open"].start == "2024-03-12T09:00:00+01:00"


@pytest.mark.parametrize("text", ["", "0", "END:VEVENT", "BEGIN:VCALENDAR", "<html></html>"])
def test_what_is_not_a_calendar_gives_no_event(text):
    assert parse_ical(text, default_timezone="Europe/Paris") == []
