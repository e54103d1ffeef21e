"""How the mirror writes dates: the few formats CMSs and HTTP put on the wire.

Every emulator and the server format dates through these functions, so that one format
has one implementation. Which instant to show (UTC or the site's local time) stays the
caller's choice: WordPress's feeds print UTC, Drupal's and most CMSs' the local offset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r}: an instant needs a UTC offset to be written")


def rfc2822(moment: datetime) -> str:
    """PHP's date('r') of RSS pubDate, in the moment's own offset:
    "Fri, 30 Nov 2018 10:15:00 +0100"."""
    _require_aware(moment)
    return format_datetime(moment)


def rfc2822_utc(moment: datetime) -> str:
    """The same in UTC, as WordPress writes feed dates: "Fri, 30 Nov 2018 09:15:00 +0000"."""
    return rfc2822(moment.astimezone(UTC))


def http_date(moment: datetime) -> str:
    """RFC 7231 date ("Sat, 17 Jun 2017 17:00:00 GMT"); naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def iso_utc_z(moment: datetime) -> str:
    """UTC with a "Z" and no fraction, as Drupal's date formatters fill <time datetime>."""
    _require_aware(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
