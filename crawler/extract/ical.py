"""iCalendar (.ics, The Events Calendar's ?ical=1, Google Calendar exports) to archive
event items, with the `icalendar` library.

iCal is the one event format every calendar plugin exports, so it is the fallback
when a site has no JSON API. Recurring events are taken as given: a VEVENT with an
RRULE becomes one item for its first occurrence (DTSTART); the recurrence is not
expanded, because the archive records announcements, not every future occurrence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

import icalendar

from crawler.extract.dates import zone_for, zone_name
from crawler.extract.status import event_status
from crawler.extract.text import any_to_text, clean_inline
from crawler.items import ArchiveItem
from crawler.records import RecordFailure, read_records

logger = logging.getLogger(__name__)


def _str(component: Any, key: str) -> str | None:
    value = component.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _dt(prop: Any) -> date | None:
    """The date or datetime of a DTSTART-like property; None when absent or when
    icalendar could not read it (it keeps such a value as a "broken" property, "31
    February" or hour 25, and raises when asked for its date)."""
    try:
        dt = getattr(prop, "dt", None)
    except ValueError:  # icalendar.error.BrokenCalendarProperty
        return None
    return dt if isinstance(dt, date) else None


_UTC_IDS = ("UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT")


def _when(prop: Any, calendar_tz: str | None) -> tuple[str | None, str | None]:
    """(ISO string, zone name) for a DTSTART/DTEND property.

    VALUE=DATE gives a bare date. A time with a TZID keeps that zone's offset. A UTC
    time ("...Z" or TZID=UTC) is shown in the calendar's zone when one is known (same
    instant, local wall-clock), since that is what the organiser announced. A floating
    time takes the calendar's zone; with none it stays naive rather than get a guess.
    """
    dt = _dt(prop)
    if dt is None:
        return None, None
    if isinstance(dt, date) and not isinstance(dt, datetime):
        return dt.isoformat(), calendar_tz
    tz = zone_for(calendar_tz)
    if dt.tzinfo is None:
        if tz is None:
            return dt.isoformat(), None
        return dt.replace(tzinfo=tz).isoformat(), zone_name(calendar_tz)
    tzid = str(prop.params.get("TZID") or "")
    if not tzid or tzid.upper() in _UTC_IDS:
        # year 1 or 9999 may not move to another zone (datetime's range); it stays as
        # written, for the validate pipeline to refuse as implausible
        if tz is not None and 1 < dt.year < 9999:
            return dt.astimezone(tz).isoformat(), zone_name(calendar_tz)
        return dt.astimezone(UTC).isoformat(), "UTC"
    name = zone_name(tzid) or getattr(dt.tzinfo, "key", None) or calendar_tz
    return dt.isoformat(), name


def split_location(location: str | None) -> tuple[str | None, str | None]:
    """(venue_name, venue_address) from an iCal LOCATION line.

    Calendar plugins write "Venue, street, city, ..."; a LOCATION that starts with a
    house number is all address. The split is lossless: name + ", " + address is the
    original LOCATION.
    """
    text = clean_inline(location)
    if not text:
        return None, None
    if re.match(r"^\d", text) or "," not in text:
        return (None, text) if re.match(r"^\d", text) else (text, None)
    name, address = text.split(",", 1)
    return name.strip(), address.strip() or None


def _organizer(event: Any) -> str | None:
    org = event.get("ORGANIZER")
    if org is None:
        return None
    orgs = org if isinstance(org, list) else [org]
    names = []
    for o in orgs:
        cn = o.params.get("CN") if hasattr(o, "params") else None
        if cn and re.search(r"%[0-9A-Fa-f]{2}", cn):
            cn = unquote(cn)  # TEC URL-encodes commas in CN ("Neighborhoods%2C Inc")
        name = clean_inline(cn) or clean_inline(
            str(o).removeprefix("mailto:").removeprefix("MAILTO:")
        )
        if name:
            names.append(name)
    return ", ".join(names) or None


def _categories(event: Any) -> list[str]:
    value = event.get("CATEGORIES")
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for v in values:
        cats = getattr(v, "cats", None) or [v]
        names += [n for n in (clean_inline(str(c)) for c in cats) if n and n not in names]
    return names


def _utc_stamp(event: Any, key: str) -> str | None:
    dt = _dt(event.get(key))
    if not isinstance(dt, datetime):
        return None
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def _uid(event: Any) -> str | None:
    """The UID, cleaned: TEC's e-mail obfuscation wraps it in a <span>."""
    return clean_inline(_str(event, "UID"))


_VTIMEZONE_RE = re.compile(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r?\n?", re.DOTALL)
_BEGIN_VEVENT_RE = re.compile(r"^BEGIN:VEVENT[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_END_RE = re.compile(r"^END:(?:VEVENT|VCALENDAR)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
# What icalendar raises on malformed input (it has no exception class of its own).
_ICAL_ERRORS = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def _from_ical(text: str) -> icalendar.Calendar | None:
    """The calendar, or None when icalendar cannot read *text* even without its
    VTIMEZONE blocks (some TEC versions write two TZIDs in one VTIMEZONE; the TZIDs on
    DTSTART are IANA names, which icalendar then resolves through zoneinfo)."""
    for candidate in (text, _VTIMEZONE_RE.sub("", text)):
        try:
            calendar = icalendar.Calendar.from_ical(candidate)
        except _ICAL_ERRORS as error:
            logger.debug("icalendar could not read the calendar: %r", error)
            continue
        if isinstance(calendar, icalendar.Calendar):
            return calendar
    return None


def _load_calendars(text: str) -> list[icalendar.Calendar]:
    """The whole calendar when it parses; otherwise each VEVENT on its own, wrapped in
    the file's calendar properties, so that one broken event does not lose the others.
    An unreadable file gives no calendar."""
    calendar = _from_ical(text)
    if calendar is not None:
        return [calendar]
    header, *events = _BEGIN_VEVENT_RE.split(text)
    header = _VTIMEZONE_RE.sub("", header).strip()
    if not header.upper().startswith("BEGIN:VCALENDAR"):
        header = "BEGIN:VCALENDAR"
    calendars = []
    for event in events:
        # An event runs to its END:VEVENT, or to the end of the calendar when unclosed.
        body = _END_RE.split(event, maxsplit=1)[0].strip()
        wrapped = f"{header}\r\nBEGIN:VEVENT\r\n{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        calendar = _from_ical(wrapped)
        if calendar is not None:
            calendars.append(calendar)
    return calendars


@dataclass(frozen=True)
class IcalRecord:
    """One VEVENT with its calendar's zone: what `read_ical_record` reads."""

    event: icalendar.Event
    calendar_tz: str | None


def ical_records(data: bytes | str, *, default_timezone: str | None = None) -> list[IcalRecord]:
    """Every VEVENT of the file, in file order, with the zone its times default to
    (X-WR-TIMEZONE, else *default_timezone*)."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    records = []
    for calendar in _load_calendars(text.lstrip("\ufeff").strip()):
        calendar_tz = clean_inline(_str(calendar, "X-WR-TIMEZONE")) or default_timezone
        if calendar_tz and zone_for(calendar_tz) is None:
            calendar_tz = default_timezone
        records += [IcalRecord(event, calendar_tz) for event in calendar.walk("VEVENT")]
    return records


def parse_ical(
    data: bytes | str,
    *,
    default_timezone: str | None = None,
    url: str | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> list[ArchiveItem]:
    """Event items, one per VEVENT, in file order.

    Zones: each DTSTART/DTEND's TZID is kept (ISO with that zone's offset, ``timezone``
    set to its name); X-WR-TIMEZONE is the calendar's default, then *default_timezone*.
    VALUE=DATE events are ``all_day`` with bare dates. STATUS:CANCELLED and title
    prefixes ("CANCELLED:", "Annulé") set ``status``. CREATED/LAST-MODIFIED become
    published/modified in UTC. RRULEs are not expanded (see the module docstring).
    An event whose reading raises is logged and handed to *on_failure*
    (crawler/records.py); the other events are still read.
    """
    records = ical_records(data, default_timezone=default_timezone)
    return read_records(records, read_ical_record, reader="ical", url=url, on_failure=on_failure)


def read_ical_record(record: IcalRecord) -> ArchiveItem:
    """One VEVENT as an item. A date icalendar cannot read is left empty (the validate
    pipeline then rejects an event without a start, with the reason). Malformed values
    are checked for, not caught: an exception here is a bug, filed by `read_records`."""
    event, calendar_tz = record.event, record.calendar_tz
    start, start_tz = _when(event.get("DTSTART"), calendar_tz)
    end, end_tz = _when(event.get("DTEND"), calendar_tz)
    dtstart = _dt(event.get("DTSTART"))
    all_day = not isinstance(dtstart, datetime) if dtstart is not None else None
    title = clean_inline(_str(event, "SUMMARY"))
    venue_name, venue_address = split_location(_str(event, "LOCATION"))
    published = _utc_stamp(event, "CREATED")
    uid = _uid(event)
    return ArchiveItem(
        kind="event",
        url=_str(event, "URL") or "",
        title=title,
        body=any_to_text(_str(event, "DESCRIPTION")),
        published=published,
        published_from="feed" if published else None,
        modified=_utc_stamp(event, "LAST-MODIFIED"),
        categories=_categories(event),
        cms_id=f"ical:{uid}" if uid else None,
        start=start,
        end=end,
        timezone=start_tz or end_tz,
        all_day=all_day,
        venue_name=venue_name,
        venue_address=venue_address,
        organizer=_organizer(event),
        status=event_status(_str(event, "STATUS"), title, _str(event, "DESCRIPTION")),
    )
