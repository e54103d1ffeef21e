"""Atom and iCalendar renderings of query results, for feed readers and calendars.

Pure functions from result rows to bytes; the Datasette plugin registers them as the
``.atom`` and ``.ics`` output formats of any query that returns the columns below.
Why not datasette-atom and datasette-ics: datasette-atom 0.9 fails with a server error
on a query with no rows (a "new items matching X" feed is often empty), and
datasette-ics 0.5 writes neither all-day events, locations nor URLs and rests on the
unmaintained ics 0.7; icalendar is already the crawler's calendar library.

Atom columns: ``atom_id``, ``atom_title``, ``atom_updated`` (required), ``atom_link``,
``atom_content`` (plain text), ``atom_author_name``.
iCalendar columns: ``event_uid``, ``event_name``, ``event_dtstart`` (required),
``event_dtend``, ``event_tz`` (IANA), ``event_location``, ``event_url``,
``event_description``, ``event_status`` (scheduled, cancelled, postponed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from feedgen.feed import FeedGenerator

ATOM_COLUMNS = {"atom_id", "atom_title", "atom_updated"}
ICS_COLUMNS = {"event_uid", "event_name", "event_dtstart"}
_ICS_STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def _moment(value: str) -> datetime:
    """An aware datetime for Atom (which needs one): bare dates are midnight UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def atom_feed(rows: Iterable[Mapping], *, title: str, feed_url: str) -> bytes:
    """An Atom 1.0 feed; an empty result is a valid empty feed, not an error."""
    rows = list(rows)
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.link(href=feed_url, rel="self")
    feed.generator("partnews")
    updated = [_moment(r["atom_updated"]) for r in rows if r.get("atom_updated")]
    feed.updated(max(updated) if updated else datetime(2000, 1, 1, tzinfo=UTC))
    # feedgen puts the last added entry first: add oldest first to keep the query's order.
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(str(row["atom_id"]))
        entry.title(str(row["atom_title"] or "(untitled)"))
        entry.updated(_moment(row["atom_updated"]))
        if row.get("atom_link"):
            entry.link(href=row["atom_link"])
        if row.get("atom_content"):
            entry.content(row["atom_content"], type="text")
        if row.get("atom_author_name"):
            entry.author({"name": row["atom_author_name"]})
    return feed.atom_str(pretty=True)


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _ics_time(value: str, zone: ZoneInfo | None) -> date | datetime:
    """A bare date stays a date (an all-day event); a time is shown in the event's zone."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone) if zone else moment
    return moment.astimezone(zone) if zone else moment


def ics_calendar(rows: Iterable[Mapping], *, name: str) -> bytes:
    """An iCalendar file with one VEVENT per row, and the VTIMEZONEs its events use."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//partnews//San Diego - Region Sud partnership archive//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for row in rows:
        zone = _zone(row.get("event_tz"))
        event = icalendar.Event()
        event.add("uid", str(row["event_uid"]))
        event.add("summary", row["event_name"] or "")
        event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
        event.add("dtstart", _ics_time(row["event_dtstart"], zone))
        if row.get("event_dtend"):
            event.add("dtend", _ics_time(row["event_dtend"], zone))
        for column, prop in (
            ("event_location", "location"),
            ("event_url", "url"),
            ("event_description", "description"),
        ):
            if row.get(column):
                event.add(prop, row[column])
        if row.get("event_status") in _ICS_STATUS:
            event.add("status", _ICS_STATUS[row["event_status"]])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
