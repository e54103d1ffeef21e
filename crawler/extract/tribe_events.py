"""The Events Calendar (Modern Tribe) REST API (/wp-json/tribe/events/v1/events) to
archive event items.

The plugin's REST response is the most exact description of an event a WordPress site
offers: local start/end, the event's own time zone, a structured venue and organizers.
The spiders fetch it and hand the body to `parse_tribe_events`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from crawler.extract.dates import local_iso, normalize_iso, utc_iso, zone_name
from crawler.extract.jsonload import json_id, json_string, load_json
from crawler.extract.status import event_status
from crawler.extract.text import clean_inline, html_to_text
from crawler.items import ArchiveItem
from crawler.records import RecordFailure, read_records

# Fields some TEC versions and add-ons use for the event's status ("canceled", ...).
_STATUS_KEYS = ("event_status", "tribe_events_status", "_tribe_events_status")


def _events(payload: Any) -> list[Mapping]:
    """The event objects of a list response ({"events": [...]}) or a single event."""
    if isinstance(payload, Mapping):
        if "events" in payload:
            return [e for e in payload.get("events") or [] if isinstance(e, Mapping)]
        if "start_date" in payload:
            return [payload]
    if isinstance(payload, list):
        return [e for e in payload if isinstance(e, Mapping)]
    return []


def join_address(*parts: Any) -> str | None:
    """One postal-address line from its parts, skipping blanks and stray trailing commas
    ("145 Edgewood Ave., 2nd Floor," is how one real venue stores its street)."""
    cleaned = [clean_inline(p) for p in parts]
    words = [p.strip(" ,") for p in cleaned if p and p.strip(" ,")]
    return ", ".join(words) or None


def _venue(event: Mapping) -> dict[str, str | None]:
    """Venue fields; TEC sends [] (not null) for an event without a venue."""
    venue = event.get("venue")
    if isinstance(venue, list):
        venue = venue[0] if venue and isinstance(venue[0], Mapping) else None
    if not isinstance(venue, Mapping):
        return {}
    region = " ".join(
        p
        for p in (
            clean_inline(venue.get("stateprovince") or venue.get("state")),
            clean_inline(venue.get("zip")),
        )
        if p
    )
    return {
        "venue_name": clean_inline(venue.get("venue")),
        "venue_address": join_address(
            venue.get("address"), venue.get("city"), region, venue.get("country")
        ),
        "venue_city": clean_inline(venue.get("city")),
        "venue_country": clean_inline(venue.get("country")),
    }


def _organizer(event: Mapping) -> str | None:
    organizers = event.get("organizer")
    if isinstance(organizers, Mapping):
        organizers = [organizers]
    if not isinstance(organizers, list):
        return None
    names = [clean_inline(o.get("organizer")) for o in organizers if isinstance(o, Mapping)]
    return ", ".join(n for n in names if n) or None


def _terms(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    names = [clean_inline(v.get("name")) for v in values if isinstance(v, Mapping)]
    return [n for n in names if n]


def _image(event: Mapping) -> str | None:
    image = event.get("image")
    if isinstance(image, Mapping):
        return json_string(image.get("url"))
    return None


def _day(value: str | None) -> str | None:
    """The date part of "2024-03-12 00:00:00", checked: a bare date is stored only when
    it is a real day."""
    return normalize_iso(value[:10]) if value else None


def parse_tribe_event(event: Mapping, *, default_timezone: str | None = None) -> ArchiveItem:
    """One TEC event object as an ArchiveItem (see parse_tribe_events)."""
    tz_raw = json_string(event.get("timezone")) or default_timezone
    all_day = event.get("all_day") is True or event.get("all_day") in (1, "1", "true")
    start_raw, end_raw = json_string(event.get("start_date")), json_string(event.get("end_date"))
    if all_day:
        # An all-day event has a day, not an instant: store bare dates, as items.py says.
        start = _day(start_raw)
        end = _day(end_raw)
    else:
        start = local_iso(start_raw, tz_raw)
        end = local_iso(end_raw, tz_raw)
    title = clean_inline(event.get("title"))
    event_id = json_id(event.get("id"))
    published = utc_iso(event.get("date_utc"))
    status_value = next(filter(None, (json_string(event.get(k)) for k in _STATUS_KEYS)), None)
    body = html_to_text(event.get("description"))
    return ArchiveItem(
        kind="event",
        url=json_string(event.get("url")) or "",
        title=title,
        summary=html_to_text(event.get("excerpt")),
        body=body,
        published=published,
        published_from="api" if published else None,
        modified=utc_iso(event.get("modified_utc")),
        categories=_terms(event.get("categories")),
        tags=_terms(event.get("tags")),
        image=_image(event),
        cms_id=f"tribe:event/{event_id}" if event_id else None,
        start=start,
        end=end,
        timezone=zone_name(tz_raw),
        all_day=all_day,
        organizer=_organizer(event),
        registration_url=json_string(event.get("website")),
        cost=clean_inline(event.get("cost")),
        status=event_status(status_value, title, body),
        **_venue(event),
    )


def parse_tribe_events(
    data: bytes | str | list | dict,
    *,
    default_timezone: str | None = None,
    url: str | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> list[ArchiveItem]:
    """Event items from a TEC REST response: ``{"events": [...]}`` or one event object.

    Start and end carry the UTC offset of the event's own ``timezone`` at that date
    (computed with zoneinfo from the local ``start_date``, so daylight saving is right);
    *default_timezone* is used only when an event has none. All-day events get bare
    dates. An empty listing (``"events": []``) gives an empty list. An event whose
    reading raises is logged and handed to *on_failure* (crawler/records.py); the other
    events are still read.
    """
    return read_records(
        _events(load_json(data)),
        partial(parse_tribe_event, default_timezone=default_timezone),
        reader="tribe event",
        url=url,
        on_failure=on_failure,
    )


def tribe_next_page_url(data: bytes | str | list | dict) -> str | None:
    """The ``next_rest_url`` of a TEC list response, None on the last page."""
    payload = load_json(data)
    if isinstance(payload, Mapping):
        return payload.get("next_rest_url") or None
    return None
