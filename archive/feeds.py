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

Feeds never break on one bad row: every string is made XML-safe (`xml_safe`), links
that are not web URLs (a CR/LF in one) are left out, and a row whose date cannot be
read is left out and logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from feedgen.feed import FeedGenerator

from partnews.text import strip_unsafe
from partnews.urls import is_web_url

logger = logging.getLogger(__name__)

ATOM_COLUMNS = {"atom_id", "atom_title", "atom_updated"}
ICS_COLUMNS = {"event_uid", "event_name", "event_dtstart"}
_ICS_STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}


# What XML 1.0 cannot carry (controls other than tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF), plus bidirectional controls, noncharacters and C1 controls
# (partnews.text strips them at the pipeline; archives made before that still hold some).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: object) -> str:
    """`value` as text an XML document (and a calendar line) can carry, whatever it held."""
    return _XML_UNSAFE.sub("", strip_unsafe(str(value)))


def safe_url(value: object) -> str | None:
    """A link fit for a feed: a parsed web URL without controls, else None (left out)."""
    return value.strip() if isinstance(value, str) and is_web_url(value) else None


def missing_columns(columns: Iterable[str], required: set[str]) -> list[str]:
    """The required feed columns a query's result lacks (its .atom/.ics is a 400)."""
    return sorted(required - set(columns))


def _moment(value: str) -> datetime:
    """An aware datetime for Atom (which needs one): bare dates are midnight UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def atom_feed(rows: Iterable[Mapping], *, title: str, feed_url: str) -> bytes:
    """An Atom 1.0 feed; an empty result is a valid empty feed, not an error."""
    rows = [row for row in rows if _readable_moment(row.get("atom_updated"))]
    feed = FeedGenerator()
    feed.id(xml_safe(feed_url))
    feed.title(xml_safe(title))
    feed.link(href=xml_safe(feed_url), rel="self")
    feed.generator("partnews")
    updated = [_moment(r["atom_updated"]) for r in rows]
    feed.updated(max(updated) if updated else datetime(2000, 1, 1, tzinfo=UTC))
    # feedgen puts the last added entry first: add oldest first to keep the query's order.
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(xml_safe(row["atom_id"]))
        entry.title(xml_safe(row["atom_title"] or "(untitled)"))
        entry.updated(_moment(row["atom_updated"]))
        if safe_url(row.get("atom_link")):
            entry.link(href=safe_url(row["atom_link"]))
        content = xml_safe(row.get("atom_content") or "")
        if content or not safe_url(row.get("atom_link")):
            # Atom needs a link or a content: a row without a usable link shows its title.
            entry.content(content or xml_safe(row["atom_title"] or "(untitled)"), type="text")
        if row.get("atom_author_name"):
            entry.author({"name": xml_safe(row["atom_author_name"])})
    return feed.atom_str(pretty=True)


def _readable_moment(value: object) -> bool:
    """True when an entry's date can be read; an entry without one is left out of the
    feed (logged), so that one bad row never breaks the feed for every subscriber."""
    try:
        _moment(str(value))
    except (TypeError, ValueError):
        logger.warning("Feed entry left out: unreadable date %r", value)
        return False
    return value is not None


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
        try:
            start = _ics_time(str(row["event_dtstart"]), zone)
            end = _ics_time(str(row["event_dtend"]), zone) if row.get("event_dtend") else None
        except ValueError as error:
            # Impossible dates are rejected at the pipeline; an archive made before
            # that may hold one: leave that event out rather than fail the calendar.
            logger.warning("Calendar event %s left out: %s", row.get("event_uid"), error)
            continue
        event = icalendar.Event()
        event.add("uid", xml_safe(row["event_uid"]))
        event.add("summary", xml_safe(row["event_name"] or ""))
        event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        if safe_url(row.get("event_url")):
            event.add("url", safe_url(row["event_url"]))
        for column, prop in (
            ("event_location", "location"),
            ("event_description", "description"),
        ):
            if row.get(column):
                event.add(prop, xml_safe(row[column]))
        if row.get("event_status") in _ICS_STATUS:
            event.add("status", _ICS_STATUS[row["event_status"]])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
