"""Read the dates the partners publish (datelines, feed stamps, URLs) into ISO 8601.

A researcher who filters the archive by date is misled by every wrong date, so this
module prefers "no date" to a guess: a missing date is never replaced by today's, a
date without a year needs an anchor (``base``, the article's publication date), and
an ambiguous "05/06/2019" needs to know whether the source writes the day first.

The sites write in English, French and German (sources.md §1 and §4), in a handful of
shapes: "publié le 23 JUIL 2018 à 09:00", "28 Januar 2019 / Cosmetics, …",
"Posté ven 07/03/2014 - 14:39", "May 14th to 17th 2019", "du 27 au 30 août"…
Reading them goes in three steps, cheapest first:

1. a fast path for structured stamps (ISO 8601, RFC 2822, ``YYYYMMDD``), which is
   what feeds, APIs and ``<time datetime>`` give;
2. a small rule-based reader: a table of regular expressions over the text folded to
   lower case without accents, with month and weekday tables for en/fr/de;
3. ``dateparser``, told the languages, only for what the rules do not read (other
   languages, odd shapes), and never allowed to fall back on the current date.

``parse_date`` is pure and cached; ``date_from_url`` reads the date in a permalink.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_tz
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRECISIONS = ("datetime", "day", "month", "year")
# The languages the rules know, in the order used to break ties ("mai" is fr and de).
RULE_LANGUAGES = ("en", "fr", "de")
# Years outside this span are noise (a phone number, a page count), not dates.
MIN_YEAR, MAX_YEAR = 1800, 2199
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DateResult:
    """What a text says about a date: ``start`` (and ``end`` for a range) in ISO 8601.

    ``precision`` is "datetime", "day", "month" or "year" and says how much of
    ``start`` the source really gave; ``language`` is the language the date was read
    in (None for structured stamps and numbers). No date: everything but ``input`` is
    None.
    """

    input: str
    start: str | None = None
    end: str | None = None
    precision: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``partnews parse-date``."""
        return asdict(self)


# --------------------------------------------------------------------------- tables
# Keys are folded (lower case, accents removed) because the sites mix "Août",
# "aout", "JUIL" and "févr.".
_MONTHS: dict[str, dict[str, int]] = {
    "en": {
        "january": 1, "jan": 1, "february": 2, "feb": 2, "febr": 2, "march": 3, "mar": 3,
        "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
        "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
        "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    },
    "fr": {
        "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
        "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
        "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
        "decembre": 12, "dec": 12,
    },
    "de": {
        "januar": 1, "janner": 1, "jan": 1, "februar": 2, "feb": 2, "marz": 3,
        "maerz": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6,
        "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
        "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
    },
}  # fmt: skip

# Monday is 0, as in date.weekday(). Two-letter German abbreviations are left out:
# "do", "so", "mi" are too common as plain words.
_WEEKDAYS: dict[str, dict[str, int]] = {
    "en": {
        "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
        "wed": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
        "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    },
    "fr": {
        "lundi": 0, "lun": 0, "mardi": 1, "mar": 1, "mercredi": 2, "mer": 2, "jeudi": 3,
        "jeu": 3, "vendredi": 4, "ven": 4, "samedi": 5, "sam": 5, "dimanche": 6, "dim": 6,
    },
    "de": {
        "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
        "samstag": 5, "sonnabend": 5, "sonntag": 6,
    },
}  # fmt: skip

# Words that tell which language a dateline is in when its month name does not
# ("mai", "november", numbers only). Full month and weekday names count too.
_HINT_WORDS: dict[str, set[str]] = {
    "en": {"the", "on", "of", "by", "to", "for", "week", "in", "at", "and", "last", "next",
           "posted", "published", "updated", "through", "from", "min", "read"},
    "fr": {"le", "la", "les", "du", "au", "aux", "des", "de", "publie", "poste", "redige",
           "par", "mise", "jour", "derniere", "dernier", "prochain", "ce", "et", "a",
           "territoire", "actualite", "actualites"},
    "de": {"der", "die", "das", "am", "vom", "bis", "und", "um", "uhr", "veroffentlicht",
           "aktualisiert", "von"},
}  # fmt: skip
for _lang in RULE_LANGUAGES:
    _HINT_WORDS[_lang] |= {w for w in _MONTHS[_lang] if len(w) > 4}
    _HINT_WORDS[_lang] |= {w for w in _WEEKDAYS[_lang] if len(w) > 4}

# A day after the month comes next; "dernier" and "last" say it is already past.
_PAST_WORDS = r"dernier|derniere|derniers|dernieres|last|passe|passes|vergangenen"
_FUTURE_WORDS = r"prochain|prochaine|prochains|prochaines|next|coming|a venir|kommenden"
_RELATIVE_DAYS = {
    "aujourd'hui": 0, "today": 0, "heute": 0,
    "hier": -1, "yesterday": -1, "gestern": -1,
    "demain": 1, "tomorrow": 1, "morgen": 1,
}  # fmt: skip


def _alternation(words: Sequence[str]) -> str:
    """A regex alternation that tries long words first, so "sept" is not read as "sep"."""
    return "|".join(sorted(set(words), key=lambda w: (-len(w), w)))


_MONTH_RE = _alternation([w for table in _MONTHS.values() for w in table])
_WEEKDAY_RE = _alternation([w for table in _WEEKDAYS.values() for w in table])

# ---------------------------------------------------------------------- building blocks
# A day number, with the ordinal suffixes the sites use ("1er", "14th", "2nd", "14.").
# It must not be part of a longer number, a time ("11:55") or a numeric date.
_DAY = r"(?<![\d.:/])(?P<{name}>[0-3]?\d)(?:er|st|nd|rd|th)?(?![\d:/]|\.\d|h\d)\.?"
_MONTH = r"(?<![a-z])(?P<{name}>" + _MONTH_RE + r")(?![a-z])\.?"
_YEAR = r"(?<![\d:])(?P<{name}>\d{{4}})(?![\d:])"
_WEEKDAY = r"(?:(?<![a-z])(?P<{name}>" + _WEEKDAY_RE + r")(?![a-z])\.?,?\s+(?:the\s+)?)"
_PREFIX = r"(?:(?:du|from|vom|von|des|between)\s+)?"
_TO = r"\s*(?:-|to|through|thru|till|until|au|bis|et|and|&)\s*"


def _fill(template: str) -> str:
    """Expand the {D1}, {M2}, {Y}, {W1}… placeholders of a pattern template."""
    blocks = {"D": _DAY, "M": _MONTH, "Y": _YEAR, "W": _WEEKDAY}
    for key, block in blocks.items():
        for suffix in ("", "1", "2"):
            name = {"D": "day", "M": "month", "Y": "year", "W": "weekday"}[key] + suffix
            template = template.replace("{" + key + suffix + "}", block.format(name=name))
    return template.replace("{PREFIX}", _PREFIX).replace("{TO}", _TO)


# The dateline shapes, as (name, pattern). Named groups: day/month/year/weekday for a
# single date, the same with 1 and 2 for the two ends of a range; a/b/y for numbers.
_TEMPLATES = (
    # "du 31 mai au 7 juin 2010"
    ("range_dm_dm", r"{PREFIX}{W1}?{D1}\s+(?:de\s+)?{M1}(?:,?\s+{Y1})?"
                    r"{TO}{W2}?{D2}\s+(?:de\s+)?{M2}(?:,?\s+{Y2})?"),
    # "du 27 au 30 août", "du 1er au 9 juillet", "(12 au 15 mars)", "14-17 May 2019"
    ("range_d_dm", r"{PREFIX}{W1}?{D1}{TO}{W2}?{D2}\s+(?:de\s+)?{M2}(?:,?\s+{Y2})?"),
    # "Oct 30th – Nov 3rd", "September 21–September 26", "March 30-April 3",
    # "Delegation Tour 2017 Oct 30th – Nov 3rd"
    ("range_md_md", r"{PREFIX}(?:{Y1}\s+)?{M1}\s+{D1}{TO}{M2}\s+{D2}(?:,?\s+{Y2})?"),
    # "May 14th to 17th 2019", "Nov 7 – 11, 2016"
    ("range_md_d", r"{PREFIX}(?:{Y1}\s+)?{M1}\s+{D1}{TO}(?:the\s+)?{D2}(?:,?\s+{Y2})?"),
    # "began on June 12 and runs through the 20th"
    ("range_md_runs", r"{M1}\s+{D1}(?:,?\s+{Y1})?\s+(?:and\s+)?(?:runs?|continues?|lasts?)"
                      r"\s+(?:through|until|to)\s+the\s+{D2}"),
    # "July (8 – 11)"
    ("range_m_paren", r"{M1}\s*\(\s*{D1}{TO}{D2}\s*\)(?:,?\s+{Y2})?"),
    # "Vendredi 12 Mai 2023", "23 JUIL 2018", "28. Januar 2019", "Ce jeudi 22 juin"
    ("dmy", r"{W}?(?:the\s+)?{D}\s+(?:of\s+|de\s+)?{M}(?:,?\s+{Y})?"),
    # "June 21, 2016", "MAY 4, 2015", "On Wednesday, November 8", "December 18"
    ("mdy", r"{W}?{M}\s+(?:the\s+)?{D}(?:,?\s+{Y})?"),
    # "In late September 2025", "Sept. 2021", "February of 2017"
    ("my", r"{M},?\s+(?:of\s+|de\s+)?{Y}"),
    # "February of this year"
    ("m_this_year", r"{M}\s+(?:of\s+this\s+year|de\s+cette\s+annee|dieses\s+jahres)"),
    # "2019-05-14", "2019-05-14T09:00:00Z" inside a sentence
    ("iso", r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
            r"(?:[t ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
            r"(?P<offset>z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"),
    # "2019/05/14"
    ("ymd", r"(?<![\d/.-])(?P<year>\d{4})(?P<sep>[/.])(?P<month>\d{1,2})(?P=sep)"
            r"(?P<day>\d{1,2})(?!\d)"),
    # "07/03/2014", "03.04.2019", "09/07/25", and "11/29/202522 min read" (the year
    # glued to the next token: four digits are taken even when more follow).
    ("numeric", r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)"
                r"(?P<y>\d{4}|\d{2}(?!\d))"),
)  # fmt: skip
_PATTERNS = tuple((name, re.compile(_fill(template))) for name, template in _TEMPLATES)

# A time of day: "09:00", "21h40", "15h", "11:55 A.M.", "3 pm".
_TIME = (
    r"(?P<hour>[0-2]?\d)(?:\s*[:h]\s*(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
    r"|\s*h(?![a-z])|(?=\s*[ap]\.?\s?m(?![a-z])))"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?(?![a-z]))?"
)
# The time after a date: "… 2018 à 09:00", "… 07/03/2014 - 14:39", "…, 10:00 am".
_TIME_AFTER = re.compile(r"\s*(?:,|-|a|at|um|kl\.?)?\s*" + _TIME + r"(?![\d])")
# The time glued before a date: "Joe Panetta11:55 A.M.MAY 4, 2015".
_TIME_BEFORE = re.compile(r"(?<![\d:])" + _TIME + r"\s*(?:,|-|on|le|am)?\s*$")
_PAST_AFTER = re.compile(r"\s*,?\s*(?:" + _PAST_WORDS + r")(?![a-z])")
_FUTURE_AFTER = re.compile(r"\s*,?\s*(?:" + _FUTURE_WORDS + r")(?![a-z])")
_PAST_BEFORE = re.compile(r"(?<![a-z])(?:last|past|dernier)\s*$")
_FUTURE_BEFORE = re.compile(r"(?<![a-z])(?:next|coming|prochain)\s*$")

# A copyright notice carries the year of the page template, not of the article.
_COPYRIGHT = re.compile(
    r"(?:copyright|\(c\)|©)(?:\s*(?:©|\(c\)))?\s*(?:\d{4}(?:\s*-\s*\d{4})?)?", re.IGNORECASE
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# ---------------------------------------------------------------------- fast path
_ISO_FULL = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?",
    re.IGNORECASE,
)
# Compact (basic) forms: "20191010", and iCalendar's "20191010T090000Z".
_COMPACT_FULL = re.compile(
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?(?P<offset>Z|[+-]\d{4})?)?",
    re.IGNORECASE,
)
_RFC2822_FULL = re.compile(
    r"(?:[a-z]{3},?\s+)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*(?:[+-]\d{4}|[a-z]{1,5}))?",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------- public API
def parse_date(
    text: str,
    *,
    languages: Sequence[str] | None = None,
    base: date | None = None,
    tz: str | None = None,
    day_first: bool | None = None,
) -> DateResult:
    """Read the first date (or date range) a text gives, as ISO 8601.

    ``languages``: the source's languages (e.g. ``["fr"]``); month names of other
    languages are then not read. None means en, fr and de, told apart by the words
    around the date.
    ``base``: the publication date of the page the text comes from. Dates without a
    year ("December 18", "du 27 au 30 août") take the year that puts them nearest to
    base, or the occurrence after base with "prochain"/"next" and before it with
    "dernier"/"last"; a weekday ("Ce jeudi 22 juin") picks among those years.
    Relative words ("Aujourd'hui", "hier") and a bare weekday resolve against base.
    **Without base, all of these give no date**: a guess against today's date would
    be wrong for every archived page.
    ``tz``: the source's IANA zone; a date with a time of day but no offset gets the
    zone's offset at that date. Without tz, such times stay naive.
    ``day_first``: how "05/06/2019" reads. None infers it from the language (fr and
    de write the day first, en the month) unless a part above 12 decides; when
    nothing decides, the answer is no date.

    Never raises on any text; a bad ``tz`` raises ValueError.
    """
    if isinstance(base, datetime):
        base = base.date()
    langs = _normalise_languages(languages)
    if tz is not None:
        _zone(tz)  # fail early and loudly on a misspelt zone
    return _parse_cached(text, langs, base, tz, day_first)


def date_from_url(url: str) -> DateResult:
    """The date a permalink carries, the last evidence for a publication date.

    Reads ``/YYYY/MM/DD/`` (WordPress), ``/YYYY-MM-DD/`` (La Tribune), ``/YYYY/mon/DD/``
    and ``2013jun25`` tokens (U-T San Diego), ``YYYYMMDD`` tokens (pressreader,
    webtimemedias) at day precision, and ``/YYYY/MM/`` at month precision. Only the
    path is read: a host name or a query string does not date a page.
    """
    path = urlsplit(url).path if url else ""
    for pattern, precision in _URL_PATTERNS:
        for match in pattern.finditer(path.lower()):
            found = _url_match_date(match, precision)
            if found is not None:
                return DateResult(url, found, None, precision, None)
    return DateResult(url)


_URL_MONTHS = _alternation(list(_MONTHS["en"]))
_URL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})(?=/|$|[-_.])"), "day"),
    (re.compile(r"/(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?=/|$|[-_.])"), "day"),
    (re.compile(r"/(?P<year>\d{4})/(?P<mon>" + _URL_MONTHS + r")/(?P<day>\d{2})(?=/|$)"), "day"),
    (re.compile(r"(?<![0-9a-z])(?P<year>\d{4})(?P<mon>" + _URL_MONTHS + r")(?P<day>\d{2})(?!\d)"),
     "day"),
    (re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<month>\d{2})(?P<day>\d{2})(?!\d)"), "day"),
    (re.compile(r"/(?P<year>\d{4})/(?P<month>\d{2})(?=/|$)"), "month"),
)  # fmt: skip


def _url_match_date(match: re.Match[str], precision: str) -> str | None:
    """Give the ISO date of a URL match, or None when the numbers are not a real date."""
    groups = match.groupdict()
    month = _MONTHS["en"][groups["mon"]] if groups.get("mon") else int(groups["month"])
    year = int(groups["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if precision == "month":
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    found = _make_date(year, month, int(groups["day"]))
    return found.isoformat() if found else None


# ---------------------------------------------------------------------- the pipeline
def _normalise_languages(languages: Sequence[str] | None) -> tuple[str, ...] | None:
    """("fr-FR", "EN") -> ("fr", "en"): the rules only know primary language subtags."""
    if not languages:
        return None
    if isinstance(languages, str):
        languages = languages.split(",")
    codes = [code.strip().lower().replace("_", "-").split("-")[0] for code in languages]
    return tuple(dict.fromkeys(code for code in codes if code)) or None


@lru_cache(maxsize=8192)
def _parse_cached(
    text: str,
    languages: tuple[str, ...] | None,
    base: date | None,
    tz: str | None,
    day_first: bool | None,
) -> DateResult:
    """The pure part of parse_date, cached: the same dateline recurs on every page."""
    raw = text.strip()
    if not raw:
        return DateResult(text)
    found = _parse_structured(raw, tz) or _parse_rules(raw, languages, base, tz, day_first)
    if found is None:  # nothing the rules recognise: let dateparser try
        found = _parse_with_dateparser(raw, languages, base, tz)
    if found is None:
        return DateResult(text)
    start, end, precision, language = found
    return DateResult(text, start, end, precision, language)


_Found = tuple[str | None, str | None, str | None, str | None]  # start, end, precision, lang
# The rules saw a date shape and decided it gives no date (a yearless day without base,
# an undecidable "05/06/2019", a month name of a language not asked for): dateparser
# must not be asked to guess instead.
_NO_DATE: _Found = (None, None, None, None)


def _parse_structured(raw: str, tz: str | None) -> _Found | None:
    """ISO 8601, compact and RFC 2822 stamps, read without any guessing."""
    match = _ISO_FULL.fullmatch(raw) or _COMPACT_FULL.fullmatch(raw)
    if match:
        return _from_iso_match(match, tz)
    if _RFC2822_FULL.fullmatch(raw):
        return _from_rfc2822(raw, tz)
    return None


def _from_iso_match(match: re.Match[str], tz: str | None) -> _Found | None:
    """Turn an ISO-like match into (start, None, precision, None), checking the values."""
    g = match.groupdict()
    year = int(g["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if g["month"] is None:
        return (f"{year:04d}", None, "year", None)
    month = int(g["month"])
    if g["day"] is None:
        return (f"{year:04d}-{month:02d}", None, "month", None) if 1 <= month <= 12 else None
    day = _make_date(year, month, int(g["day"]))
    if day is None:
        return None
    if g["hour"] is None:
        return (day.isoformat(), None, "day", None)
    offset = _parse_offset(g["offset"])
    stamp = _make_datetime(day, int(g["hour"]), int(g["minute"]), int(g["second"] or 0))
    if stamp is None or (g["offset"] and offset is None):
        return None
    return (_format_datetime(stamp, offset, tz), None, "datetime", None)


def _parse_offset(text: str | None) -> timezone | None:
    """Read a stamp's offset ("Z", "+02:00", "+0200", "-07"); None when it has none."""
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_rfc2822(raw: str, tz: str | None) -> _Found | None:
    """RSS's "Tue, 15 Feb 2017 10:00:00 +0000", with its offset kept as given."""
    parts = parsedate_tz(raw)
    if parts is None:
        return None
    year, month, day_number, hour, minute, second = parts[:6]
    day = _make_date(year, month, day_number)
    stamp = _make_datetime(day, hour, minute, second) if day else None
    if stamp is None:
        return None
    offset = None if parts[9] is None else timezone(timedelta(seconds=parts[9]))
    return (_format_datetime(stamp, offset, tz), None, "datetime", None)


def _make_date(year: int, month: int, day: int) -> date | None:
    """A date when the numbers make one (no 31 June), else None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _make_datetime(day: date, hour: int, minute: int, second: int = 0) -> datetime | None:
    """A naive datetime when the clock values are valid, else None."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second)


def _zone(tz: str) -> ZoneInfo:
    """The IANA zone named tz; ValueError when there is none of that name."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error


def _format_datetime(stamp: datetime, offset: timezone | None, tz: str | None) -> str:
    """ISO text of a time: the source's own offset, else tz's offset, else naive."""
    if stamp.tzinfo is None:  # an offset already there is the source's fact: kept
        if offset is not None:
            stamp = stamp.replace(tzinfo=offset)
        elif tz:
            stamp = stamp.replace(tzinfo=_zone(tz))
    return stamp.isoformat(timespec="seconds")


# ---------------------------------------------------------------------- the rules
def _fold(text: str) -> str:
    """Lower case, no accents, plain dashes and apostrophes, single spaces.

    Accents and case vary for the same word across the sites ("Août", "aout", "JUIL"),
    and encoding damage ("DÃ©cembre") occurs in old press kits, so everything is
    compared in this folded form.
    """
    if "Ã" in text or "Â" in text:
        import ftfy  # only for the rare mojibake; slow to import

        text = ftfy.fix_text(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text.lower())
    text = text.replace("\u2019", "'").replace("\u00b4", "'")
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class _Candidate:
    """One date-like span of the text, already resolved to dates."""

    position: int
    length: int
    has_year: bool
    start: date | datetime
    end: date | None
    precision: str
    language: str | None


def _parse_rules(
    raw: str,
    languages: tuple[str, ...] | None,
    base: date | None,
    tz: str | None,
    day_first: bool | None,
) -> _Found | None:
    """Read the first dateline-shaped date of the text with the pattern table.

    Among all matches, a date that gives its year wins over one that needs base, then
    the leftmost, then the longest (so a range wins over its own first day):
    "Publié le 9 novembre 2017 … Dernière mise à jour le 28 octobre 2022" is the 9th.
    """
    folded = _COPYRIGHT.sub(" ", _fold(raw))
    allowed = [lang for lang in (languages or RULE_LANGUAGES) if lang in RULE_LANGUAGES]
    hints = _language_scores(folded)
    candidates, refused = [], []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            candidate = _resolve(name, match, folded, allowed, hints, languages, base, day_first)
            if candidate is None:
                refused.append(match.span())
            else:
                candidates.append(candidate)
    # A part of a refused longer match is no date either: "Apr 2017" in "31 Apr 2017".
    candidates = [c for c in candidates if not any(_inside(c, span) for span in refused)]
    if not candidates:
        return _NO_DATE if refused else _parse_relative(folded, base, allowed)
    best = min(candidates, key=lambda c: (not c.has_year, c.position, -c.length))
    start = best.start
    if isinstance(start, datetime):
        start_text = _format_datetime(start, None, tz)
    elif best.precision == "month":
        start_text = start.isoformat()[:7]
    else:
        start_text = start.isoformat()
    end_text = best.end.isoformat() if best.end else None
    return (start_text, end_text, best.precision, best.language)


def _inside(candidate: _Candidate, span: tuple[int, int]) -> bool:
    """True when the candidate lies within span and is shorter than it."""
    end = candidate.position + candidate.length
    return span[0] <= candidate.position and end <= span[1] and candidate.length < span[1] - span[0]


def _language_scores(folded: str) -> dict[str, int]:
    """How many words of the text belong to each language's hint vocabulary."""
    words = _WORD.findall(folded)
    return {lang: sum(word in vocab for word in words) for lang, vocab in _HINT_WORDS.items()}


def _pick_language(
    possible: Sequence[str], hints: dict[str, int], order: Sequence[str]
) -> str | None:
    """The language among possible that the surrounding words support best."""
    if not possible:
        return None
    return max(possible, key=lambda lang: (hints.get(lang, 0), -list(order).index(lang)))


def _month_of(
    word: str | None, allowed: Sequence[str], hints: dict[str, int]
) -> tuple[int, str] | None:
    """(month number, language) for a folded month word in the allowed languages."""
    if word is None:
        return None
    possible = [lang for lang in allowed if word in _MONTHS[lang]]
    lang = _pick_language(possible, hints, allowed)
    return (_MONTHS[lang][word], lang) if lang else None


def _weekday_of(word: str | None, allowed: Sequence[str]) -> int | None:
    """Monday=0 … for a folded weekday word in the allowed languages, else None."""
    for lang in allowed:
        if word in _WEEKDAYS[lang]:
            return _WEEKDAYS[lang][word]
    return None


def _resolve(
    name: str,
    match: re.Match[str],
    folded: str,
    allowed: Sequence[str],
    hints: dict[str, int],
    languages: tuple[str, ...] | None,
    base: date | None,
    day_first: bool | None,
) -> _Candidate | None:
    """Turn one pattern match into dates, or None when it is not a real date."""
    g = match.groupdict()
    position, length = match.start(), match.end() - match.start()
    if name == "numeric":
        return _resolve_numeric(match, folded, allowed, hints, languages, day_first)
    if name in ("iso", "ymd"):
        day = _make_date(int(g["year"]), int(g["month"]), int(g["day"]))
        if day is None:
            return None
        stamp = _iso_time(day, g) if g.get("hour") else _with_time(day, match, folded)
        if stamp is None:
            return None
        precision = "datetime" if isinstance(stamp, datetime) else "day"
        return _Candidate(position, length, True, stamp, None, precision, None)
    if name.startswith("range"):
        return _resolve_range(g, match, folded, allowed, hints, base, position, length)

    month = _month_of(g.get("month"), allowed, hints)
    if month is None:
        return None
    month_number, lang = month
    year = int(g["year"]) if g.get("year") else None
    if name == "my":
        day = _make_date(year, month_number, 1)
        return _Candidate(position, length, True, day, None, "month", lang) if day else None
    if name == "m_this_year":
        if base is None:
            return None
        return _Candidate(position, length, False, date(base.year, month_number, 1), None,
                          "month", lang)  # fmt: skip
    day_number = int(g["day"])
    if year is not None:
        day = _make_date(year, month_number, day_number)
    else:
        weekday = _weekday_of(g.get("weekday"), allowed)
        direction = _direction(folded, match)
        day = _nearest(month_number, day_number, base, direction, weekday)
    if day is None:
        return None
    stamp = _with_time(day, match, folded)
    precision = "datetime" if isinstance(stamp, datetime) else "day"
    return _Candidate(position, length, year is not None, stamp, None, precision, lang)


def _resolve_range(
    g: dict[str, str | None],
    match: re.Match[str],
    folded: str,
    allowed: Sequence[str],
    hints: dict[str, int],
    base: date | None,
    position: int,
    length: int,
) -> _Candidate | None:
    """Both ends of "du 31 mai au 7 juin 2010", "Oct 30th – Nov 3rd" and the like.

    A missing month or year on one end is the other end's; when the start then falls
    after the end, the range spans a new year ("28 décembre au 3 janvier 2011").
    """
    first = _month_of(g.get("month1") or g.get("month2"), allowed, hints)
    second = _month_of(g.get("month2") or g.get("month1"), allowed, hints)
    if first is None or second is None:
        return None
    lang = second[1]
    day1, day2 = int(g["day1"]), int(g["day2"])
    given1, given2 = g.get("year1"), g.get("year2")
    wraps = (second[0], day2) < (first[0], day1)  # "28 décembre au 3 janvier"
    if given1 is None and given2 is None:
        direction = _direction(folded, match)
        weekday = _weekday_of(g.get("weekday1"), allowed)
        start = _nearest(first[0], day1, base, direction, weekday)
        if start is None:
            return None
        year1 = start.year
        year2 = year1 + wraps
    else:
        year1 = int(given1) if given1 else int(given2) - wraps
        year2 = int(given2) if given2 else int(given1) + wraps
    start, end = _make_date(year1, first[0], day1), _make_date(year2, second[0], day2)
    if start is None or end is None or end < start:
        return None
    has_year = given1 is not None or given2 is not None
    return _Candidate(position, length, has_year, start, end, "day", lang)


def _resolve_numeric(
    match: re.Match[str],
    folded: str,
    allowed: Sequence[str],
    hints: dict[str, int],
    languages: tuple[str, ...] | None,
    day_first: bool | None,
) -> _Candidate | None:
    """Read numeric dates: "07/03/2014" (fr), "11/29/2025" (en), "03.04.2019", "09/07/25".

    The order of day and month comes from day_first, else from a part above 12, else
    from the language (the words around, then the first of languages). Dotted dates
    are day-first in all three languages. When nothing decides, no date.
    """
    g = match.groupdict()
    a, b, year = int(g["a"]), int(g["b"]), int(g["y"])
    if len(g["y"]) == 2:
        year += 2000 if year < 70 else 1900
    lang = None
    if any(hints.get(code, 0) for code in allowed):
        lang = _pick_language(allowed, hints, allowed)
    elif languages:
        lang = languages[0]
    order = day_first
    if order is None and lang is not None:
        order = lang != "en"
    if a > 12 and b <= 12:
        order = True
    elif b > 12 and a <= 12:
        order = False
    elif order is None and (a == b or g["sep"] == "."):
        order = True
    if order is None:
        return None
    day_number, month_number = (a, b) if order else (b, a)
    day = _make_date(year, month_number, day_number)
    if day is None:
        return None
    stamp = _with_time(day, match, folded)
    precision = "datetime" if isinstance(stamp, datetime) else "day"
    return _Candidate(match.start(), match.end() - match.start(), True, stamp, None, precision,
                      lang)  # fmt: skip


def _iso_time(day: date, g: dict[str, str | None]) -> datetime | None:
    """The datetime of an ISO stamp found inside a sentence, with its offset if any."""
    stamp = _make_datetime(day, int(g["hour"]), int(g["minute"]), int(g["second"] or 0))
    offset = _parse_offset(g["offset"])
    return stamp.replace(tzinfo=offset) if stamp and offset else stamp


def _with_time(day: date, match: re.Match[str], folded: str) -> date | datetime:
    """The date with the time of day written just after it (or glued before it)."""
    after = _TIME_AFTER.match(folded, match.end())
    before = _TIME_BEFORE.search(folded[max(0, match.start() - 20) : match.start()])
    for found in (after, before):
        if found is None:
            continue
        clock = _clock(found)
        if clock is not None:
            return _make_datetime(day, *clock) or day
    return day


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    """(hour, minute, second) of a _TIME match, with a.m./p.m. applied."""
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    if hour > 23:
        return None
    return hour, minute, second


def _direction(folded: str, match: re.Match[str]) -> str | None:
    """Say "past" for "le 31 août dernier", "future" for "le 30 mai prochain", else None."""
    before = folded[max(0, match.start() - 20) : match.start()]
    if _PAST_AFTER.match(folded, match.end()) or _PAST_BEFORE.search(before):
        return "past"
    if _FUTURE_AFTER.match(folded, match.end()) or _FUTURE_BEFORE.search(before):
        return "future"
    return None


def _nearest(
    month: int, day: int, base: date | None, direction: str | None, weekday: int | None
) -> date | None:
    """The year for a yearless day and month, chosen around base.

    Candidates are the day in base's year and the years either side; direction keeps
    only those before ("dernier") or after ("prochain") base; a weekday keeps only the
    years where the day falls on it. The nearest to base wins. Without base, None.
    """
    if base is None:
        return None
    years = (base.year - 1, base.year, base.year + 1)
    options = [d for d in (_make_date(year, month, day) for year in years) if d]
    if direction == "past":
        options = [d for d in options if d < base]
    elif direction == "future":
        options = [d for d in options if d > base]
    if weekday is not None:
        options = [d for d in options if d.weekday() == weekday] or options
    if not options:
        return None
    return min(options, key=lambda d: (abs((d - base).days), -d.toordinal()))


def _parse_relative(folded: str, base: date | None, allowed: Sequence[str]) -> _Found | None:
    """Read "Aujourd'hui", "hier", "Wednesday": a day only when base anchors it.

    A bare weekday is the one nearest to base (news says "signed Wednesday" of the
    week it reports). "This week" or "a few hours ago" are not days: no date.
    """
    if base is None:
        return None
    words = _WORD.findall(folded)
    for word in words:
        if word in _RELATIVE_DAYS:
            return ((base + timedelta(days=_RELATIVE_DAYS[word])).isoformat(), None, "day", None)
    if len(words) <= 3:
        for word in words:
            weekday = _weekday_of(word, allowed)
            if weekday is not None and len(word) > 3:
                shift = (weekday - base.weekday() + 3) % 7 - 3
                return ((base + timedelta(days=shift)).isoformat(), None, "day", None)
    return None


# ---------------------------------------------------------------------- last resort
# Relative dates are computed from this day when no base is given, which makes them
# recognisable (and rejected) instead of silently becoming "today".
_SENTINEL = datetime(1801, 6, 15)


@lru_cache(maxsize=64)
def _date_data_parser(languages: tuple[str, ...], with_base: date | None):
    """A dateparser parser per language set and base: building one costs milliseconds."""
    from dateparser.date import DateDataParser

    relative_base = datetime.combine(with_base, datetime.min.time()) if with_base else _SENTINEL
    settings = {
        "RELATIVE_BASE": relative_base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "current_period",
        "REQUIRE_PARTS": ["day", "month"] if with_base else ["day", "month", "year"],
    }
    return DateDataParser(languages=list(languages), settings=settings)


def _parse_with_dateparser(
    raw: str, languages: tuple[str, ...] | None, base: date | None, tz: str | None
) -> _Found | None:
    """dateparser for what the rules do not read: other languages, unusual shapes.

    Only short texts with a digit in them are tried (or any text when a language the
    rules do not know is asked for): a dateline is short, and without a digit dateparser
    can only produce a relative date. A result computed from the sentinel base means the
    text was relative and no base was given: no date.
    """
    unknown_language = bool(languages) and any(lang not in RULE_LANGUAGES for lang in languages)
    if len(raw) > 80 or not (unknown_language or any(c.isdigit() for c in raw)):
        return None
    if _COPYRIGHT.search(raw):
        return None
    try:
        data = _date_data_parser(languages or RULE_LANGUAGES, base).get_date_data(raw)
    except (ValueError, OverflowError) as error:
        # dateparser raises ValueError for a language it does not know ("Unknown
        # language(s): 'xx'") and for out-of-range fields; OverflowError is what date
        # arithmetic raises when a relative date leaves datetime's range.
        logger.debug("dateparser could not read %r (languages %s): %r", raw, languages, error)
        return None
    stamp, period = data.date_obj, data.period
    if stamp is None or period == "week":
        return None
    if base is None and abs(stamp.year - _SENTINEL.year) <= 1:
        return None
    if not MIN_YEAR <= stamp.year <= MAX_YEAR:
        return None
    language = (data.locale or "").split("-")[0] or None
    if period == "year":
        return (f"{stamp.year:04d}", None, "year", language)
    if period == "month":
        return (f"{stamp.year:04d}-{stamp.month:02d}", None, "month", language)
    if (stamp.hour, stamp.minute, stamp.second) != (0, 0, 0):
        return (_format_datetime(stamp.replace(microsecond=0), None, tz), None, "datetime",
                language)  # fmt: skip
    return (stamp.date().isoformat(), None, "day", language)
