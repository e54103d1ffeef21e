"""Date and time-zone helpers shared by the extractors.

The archive stores ISO 8601 strings (see crawler/items.py): with the UTC offset when a
time is known, a bare date when only the day is. CMS payloads give naive local times
plus a zone name, UTC times without a marker, "+0100" offsets and the odd broken
value; these helpers turn all of them into that one convention without ever inventing
a date that the source did not give.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET_NAME_RE = re.compile(r"^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)
_DATE_PREFIX_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_BARE_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zone_for(name: str | None) -> tzinfo | None:
    """A tzinfo for an IANA name, or for the "UTC+0" / "UTC-5" / "UTC+5:30" manual
    offsets that The Events Calendar stores when a site has no city time zone set.
    Anything that is not a string (a JSON field of the wrong type) has no zone."""
    if not isinstance(name, str) or not name:
        return None
    name = name.strip()
    if name.upper() in ("UTC", "GMT", "Z", "UTC+0", "UTC-0", "GMT+0"):
        return UTC
    match = _OFFSET_NAME_RE.match(name)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_name(name: str | None) -> str | None:
    """The IANA name to record for a source's zone: unchanged for real names, "UTC" for a
    zero offset, "Etc/GMT∓N" for whole-hour manual offsets, None when there is none."""
    tz = zone_for(name)
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo):
        return tz.key
    offset = tz.utcoffset(None) or timedelta(0)
    if offset == timedelta(0):
        return "UTC"
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest:
        return None  # no IANA name for a half-hour manual offset
    return f"Etc/GMT{-hours:+d}"  # the Etc/ names invert the sign


def parse_naive(value: str | None) -> datetime | None:
    """Parse "2019-05-14 09:00:00" or "2019-05-14T09:00:00" (no offset) into a datetime.

    A value that is not a string (``1.0``, ``true``: a CMS field of the wrong type) is
    unreadable, like a malformed string: None, never an exception."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def local_iso(value: str | None, tz_name: str | None) -> str | None:
    """ISO 8601 with the offset that *tz_name* has at that local time: a CMS's naive
    "2019-05-14 09:00:00" in America/Los_Angeles becomes "2019-05-14T09:00:00-07:00".
    Without a known zone the naive ISO form is returned rather than a guessed offset."""
    dt = parse_naive(value)
    if dt is None:
        return None
    tz = zone_for(tz_name)
    if tz is not None and dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.isoformat()


def utc_iso(value: str | None) -> str | None:
    """ISO 8601 in UTC ("...+00:00") from a CMS field documented as GMT/UTC but written
    without a marker (WordPress date_gmt, Tribe date_utc)."""
    dt = parse_naive(value)
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def naive_iso(value: str | None) -> str | None:
    """ISO 8601 of a naive local time, kept naive because its zone is unknown."""
    dt = parse_naive(value)
    return dt.isoformat() if dt else None


def normalize_iso(value: object) -> str | None:
    """Canonical ISO 8601 from a date string found in markup (JSON-LD, meta, <time>).

    Keeps the source's own offset ("+0100" becomes "+01:00", "Z" becomes "+00:00"),
    keeps a bare date bare, and for a malformed value whose leading Y-M-D is readable
    (Tribe once emitted "2019-9-13T10-10-00-00") keeps only the day: the day is known,
    the time is not. Anything else gives None rather than a guess.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if _BARE_DATE_RE.match(text):
            return date.fromisoformat(text).isoformat()
        # Python 3.11 reads "Z", "+0100" and minutes-only times ("T14:09Z", Drupal).
        return datetime.fromisoformat(text.replace(" ", "T", 1)).isoformat()
    except ValueError:
        pass
    match = _DATE_PREFIX_RE.match(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    return None
