"""Dates: partnews.dates.parse_date against dateparser configured as a user would configure
it, on the partners' datelines, and both on the real stamps of ../shared/realdata.

The mix is what the crawler meets: every dateline quoted in sources.md (with the
source's languages and, for dates without a year, the page's publication date), plus
generated feed and API stamps (ISO 8601, RFC 2822, compact) and generated datelines in
each site's own format. Every string carries its expected answer, built from the date
that produced it (or worked out by hand for the quoted ones).

The baseline is dateparser at its best reasonable configuration, told everything
parse_date is told (BASELINE_CONFIG): the string's languages, its date order (DMY for a
source that writes the day first, as crawler/sources.toml's ``day_first`` says, MDY for
a US source; from the language when the case does not say), the page's date as
``RELATIVE_BASE`` when one is known, ``PREFER_DATES_FROM="current_period"`` (the better
of "current_period" and "past" on this set), ``date_formats=["%Y%m%d"]`` for machine
stamps, one DateDataParser per configuration (built before timing), and
``dateparser.search.search_dates`` on the whole line when the parser finds nothing.
Accuracy is the share of strings whose day is right (month or year for strings that
give only those; "no date" must be answered by no date). parse_date's cache is
cleared before timing and every (text, options) pair is distinct, so no timing is a
cache hit.

The second section reads every date string of the real feeds, calendars, JSON APIs,
sitemaps and event pages in ../shared/realdata with both, and prints how many each
reads, how many agree with an independent reading (the standard library's ISO 8601 /
RFC 2822 / strptime parsers), and the strings left unread. It skips, saying so, when
the shared folder is absent.

Run: ``python -m bench dates [--per-kind N] [--real-limit N] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

import dateparser
import lxml.etree
import lxml.html
from dateparser.date import DateDataParser
from dateparser.search import search_dates

from bench.shared import realdata_dir, skip_message
from partnews import dates
from partnews.dates import parse_date

SEED = 20250601
GENERATED_PER_KIND = 24
FIGURE_LABEL = "partnews parse_date"
BASELINE_LABEL = f"baseline: dateparser {dateparser.__version__} configured"
BASELINE_CONFIG = (
    "languages=the string's, DATE_ORDER=DMY/MDY per source, RELATIVE_BASE=the page's date "
    "when known, PREFER_DATES_FROM=current_period, date_formats=%Y%m%d for stamps, "
    "search_dates fallback on the whole line"
)


@dataclass(frozen=True)
class Case:
    """A text, the options a spider would pass, and the right answer."""

    text: str
    expected: str | None  # ISO start: "2019-05-14", "2019-09", "2019", or None
    languages: tuple[str, ...] | None = None
    base: date | None = None
    day_first: bool | None = None
    kind: str = "dateline"


EN, FR, DE = ("en",), ("fr",), ("en", "fr", "de")

# The strings of sources.md, with hand-worked answers (see tests/test_dates.py).
QUOTED: tuple[Case, ...] = (
    Case("publié le 23 JUIL 2018 à 09:00", "2018-07-23", FR),
    Case("publié le 30 JAN 2019 à 08:00", "2019-01-30", FR),
    Case("Rédigé le Vendredi 12 Mai 2023 par Jean-Christophe Barla", "2023-05-12", FR),
    Case("Rédigé le Lundi 6 Mai 2024 par Laurie Maneval", "2024-05-06", FR),
    Case("Posté ven 07/03/2014 - 14:39", "2014-03-07", FR),
    Case("30 November 2018 / Grow your business, invest in provence, Start your business",
         "2018-11-30", DE),
    Case("05 May 2022 / invest in provence", "2022-05-05", DE),
    Case("16 May 2024 / doing business in provence, Grow your business, invest in provence, "
         "Start your business", "2024-05-16", DE),
    Case("11 Septembre 2018 / Développez votre entreprise, Implantez-vous, Investir en provence",
         "2018-09-11", DE),
    Case("26 Juin 2020 / Investir en provence", "2020-06-26", DE),
    Case("28 Janvier 2021 / Investir en provence", "2021-01-28", DE),
    Case("28 Januar 2019 / Cosmetics, E-Commerce/E-Tourism, Energy, Grow your business",
         "2019-01-28", DE),
    Case("Publié le 9 novembre 2017 à 21h40 - Dernière mise à jour le 28 octobre 2022 à 17h46",
         "2017-11-09", FR),
    Case("03.04.2019 - Attractivité du territoire", "2019-04-03", FR),
    Case("Publié le 05/06/2019 à 10h15", "2019-06-05", FR),
    Case("By Joe Panetta11:55 A.M.MAY 4, 2015", "2015-05-04", EN),
    Case("Lundi 11 décembre 2006 à 15h00", "2006-12-11", FR),
    Case("vendredi 21 juin 2019 Dernière mise à jour le Vendredi 21 Juin 2019 à 13:59",
         "2019-06-21", FR),
    Case("Aujourd'hui Dernière mise à jour le Samedi 13 Décembre 2025 à 09:00", "2025-12-13", FR),
    Case("June 21, 2016", "2016-06-21", EN),
    Case("For the week of October 31, 2025", "2025-10-31", EN),
    Case("In late September 2025", "2025-09", EN),
    Case("Lundi 15 mai 2017", "2017-05-15", FR),
    Case("May 14th to 17th 2019", "2019-05-14", EN),
    Case("du 27 au 30 août", "2018-08-27", FR, date(2018, 8, 20)),
    Case("Oct 30th – Nov 3rd", "2017-10-30", EN, date(2017, 9, 1)),
    Case("Nov 7 – 11, 2016", "2016-11-07", EN),
    Case("du 31 mai au 7 juin 2010", "2010-05-31", FR),
    Case("September 21–September 26", "2025-09-21", EN, date(2025, 8, 1)),
    Case("March 30-April 3", "2020-03-30", EN, date(2020, 1, 1)),
    Case("du 14 au 16 février 2017", "2017-02-14", FR),
    Case("du 14 au 16 juillet 2019", "2019-07-14", FR),
    Case("du 15 au 16 octobre 2017", "2017-10-15", FR),
    Case("du 1er au 9 juillet", "2017-07-01", FR, date(2017, 2, 20)),
    Case("(12 au 15 mars)", "2018-03-12", FR, date(2018, 2, 1)),
    Case("December 18", "2017-12-18", EN, date(2017, 11, 2)),
    Case("le 30 mai prochain", "2018-05-30", FR, date(2018, 2, 14)),
    Case("November 22 last", "2016-11-22", EN, date(2017, 1, 10)),
    Case("le 31 août dernier", "2018-08-31", FR, date(2018, 9, 10)),
    Case("Ce jeudi 22 juin", "2017-06-22", FR, date(2017, 6, 20)),
    Case("mercredi 14 février", "2018-02-14", FR, date(2018, 2, 10)),
    Case("On Wednesday, November 8", "2017-11-08", EN, date(2017, 11, 9)),
    Case("09/07/25", "2025-07-09", FR),
    Case("11/29/2025", "2025-11-29", EN),
    Case("Dernière mise à jour :", None, FR),
    Case("Publié le à Marseille (AFP)", None, FR),
    Case("Economie Publié le ,", None, FR),
    Case("Copyright © 2019, The San Diego Union-Tribune", None, EN),
    Case("11/29/202522 min read", "2025-11-29", EN),
    Case("2019", "2019", EN),
    Case("Aujourd'hui", None, FR),
    Case("Hace unas horas", None, None),
    Case("This week", None, EN),
    Case("Wednesday", None, EN),
)  # fmt: skip

_FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
_FR_ABBR = ["JAN", "FÉVR", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV",
            "DÉC"]  # fmt: skip
_DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"]  # fmt: skip
_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
_EN_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_FR_DAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]

# One generator per kind of string: (kind, languages, day_first, make(day, clock) -> text).
_GENERATORS: tuple[tuple[str, tuple[str, ...] | None, bool | None, Callable], ...] = (
    ("iso-date", None, None, lambda d, t: d.isoformat()),
    ("iso-datetime-offset", None, None,
     lambda d, t: datetime.combine(d, t, timezone(timedelta(hours=2))).isoformat()),
    ("iso-datetime-z", None, None, lambda d, t: f"{d.isoformat()}T{t:%H:%M:%S}Z"),
    ("rfc2822", None, None, lambda d, t: f"{_EN_DAYS[d.weekday()]}, {d.day:02d} "
     f"{_EN_MONTHS[d.month - 1][:3]} {d.year} {t:%H:%M:%S} +0000"),
    ("compact", None, None, lambda d, t: f"{d:%Y%m%d}"),
    ("investinprovence-en", DE, None,
     lambda d, t: f"{d.day:02d} {_EN_MONTHS[d.month - 1]} {d.year} / invest in provence"),
    ("investinprovence-fr", DE, None,
     lambda d, t: f"{d.day:02d} {_FR_MONTHS[d.month - 1].capitalize()} {d.year} / "
     "Investir en provence"),
    ("investinprovence-de", DE, None,
     lambda d, t: f"{d.day:02d} {_DE_MONTHS[d.month - 1]} {d.year} / Energy, Logistics"),
    ("ecomnews", FR, None,
     lambda d, t: f"publié le {d.day:02d} {_FR_ABBR[d.month - 1]} {d.year} à {t:%H:%M}"),
    ("destimed", FR, None,
     lambda d, t: f"Publié le {d.day} {_FR_MONTHS[d.month - 1]} {d.year} à {t:%H}h{t:%M} - "
     "Dernière mise à jour le 28 octobre 2022 à 17h46"),
    ("businews", FR, None,
     lambda d, t: f"Rédigé le {_FR_DAYS[d.weekday()]} {d.day} "
     f"{_FR_MONTHS[d.month - 1].capitalize()} {d.year} par la rédaction"),
    ("webtimemedias", FR, True,
     lambda d, t: f"Posté {_FR_DAYS[d.weekday()][:3].lower()} {d:%d/%m/%Y} - {t:%H:%M}"),
    ("ccimp", FR, True, lambda d, t: f"{d:%d.%m.%Y} - Attractivité du territoire"),
    ("maritima", FR, True, lambda d, t: f"Publié le {d:%d/%m/%Y} à {t:%H}h{t:%M}"),
    ("sandiegobusiness", EN, False,
     lambda d, t: f"{_EN_MONTHS[d.month - 1]} {d.day}, {d.year}"),
    ("us-numeric", EN, False, lambda d, t: f"{d.month}/{d.day}/{d.year}"),
)  # fmt: skip


def generated_cases(seed: int = SEED, per_kind: int = GENERATED_PER_KIND) -> list[Case]:
    """Random days 2005-2025 written in each format, with the day as the answer."""
    rng = random.Random(seed)
    first, span = date(2005, 1, 1), (date(2025, 12, 31) - date(2005, 1, 1)).days
    cases = []
    for kind, languages, day_first, make in _GENERATORS:
        for _ in range(per_kind):
            day = first + timedelta(days=rng.randrange(span))
            clock = datetime.min.time().replace(hour=rng.randrange(24), minute=rng.randrange(60))
            cases.append(Case(make(day, clock), day.isoformat(), languages, None, day_first, kind))
    return cases


def all_cases(per_kind: int = GENERATED_PER_KIND) -> list[Case]:
    """The benchmark set, each (text, options) once."""
    return list(dict.fromkeys([*QUOTED, *generated_cases(per_kind=per_kind)]))


def is_right(expected: str | None, found: str | None) -> bool:
    """Right day (or month/year at the precision the text gives); no date for no date."""
    if expected is None or found is None:
        return expected is found
    return found[: len(expected)] == expected


# ------------------------------------------------------------------- the two parsers
def _run_parse_date(case: Case) -> str | None:
    return parse_date(
        case.text, languages=case.languages, base=case.base, day_first=case.day_first
    ).start


def date_order(case: Case) -> str | None:
    """DATE_ORDER as a spider author would set it from crawler/sources.toml's day_first:
    DMY for a source that writes the day first, MDY for a US one; when the case does not
    say, from its first language (fr and de write the day first); None for stamps."""
    if case.day_first is not None:
        return "DMY" if case.day_first else "MDY"
    if case.languages:
        return "MDY" if case.languages[0] == "en" else "DMY"
    return None


def baseline_settings(case: Case) -> dict:
    """The dateparser settings of the baseline for one case (see BASELINE_CONFIG)."""
    settings: dict = {"PREFER_DATES_FROM": "current_period"}
    order = date_order(case)
    if order:
        settings["DATE_ORDER"] = order
    if case.base is not None:
        settings["RELATIVE_BASE"] = datetime.combine(case.base, datetime.min.time())
    return settings


@lru_cache(maxsize=256)
def _date_data_parser(languages: tuple[str, ...] | None, settings: tuple) -> DateDataParser:
    """One parser per configuration, as a crawler would keep one per source."""
    return DateDataParser(languages=list(languages) if languages else None, settings=dict(settings))


def configured_dateparser(
    text: str, languages: tuple[str, ...] | None, settings: dict, date_formats: list[str] | None
) -> datetime | None:
    """dateparser's answer: its parser first, then search_dates on the whole line."""
    parser = _date_data_parser(languages, tuple(sorted(settings.items())))
    found = parser.get_date_data(text, date_formats).date_obj
    if found is None:
        hits = search_dates(
            text, languages=list(languages) if languages else None, settings=settings
        )
        found = hits[0][1] if hits else None
    return found


def _run_dateparser(case: Case) -> str | None:
    formats = ["%Y%m%d"] if case.languages is None else None
    found = configured_dateparser(case.text, case.languages, baseline_settings(case), formats)
    return found.isoformat() if found else None


CONTENDERS: tuple[tuple[str, Callable[[Case], str | None]], ...] = (
    (FIGURE_LABEL, _run_parse_date),
    (BASELINE_LABEL, _run_dateparser),
)


def measure(run: Callable[[Case], str | None], cases: list[Case]) -> dict:
    """Time each call separately; count right answers, wrong dates and no answers."""
    times, right, wrong, none = [], 0, 0, 0
    for case in cases:
        start = time.perf_counter()
        found = run(case)
        times.append(time.perf_counter() - start)
        ok = is_right(case.expected, found)
        right += ok
        wrong += not ok and found is not None
        none += not ok and found is None
    times.sort()
    return {
        "mean_ms": statistics.fmean(times) * 1000,
        "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
        "accuracy": right / len(cases),
        "right": right,
        "wrong": wrong,
        "none": none,
    }


def print_datelines(per_kind: int) -> None:
    cases = all_cases(per_kind)
    for _, run in CONTENDERS:  # warm-up: imports, locale data, regex compilation, parsers
        for case in cases:
            if case.kind == "dateline" or case is cases[0]:
                run(case)
        for kind_first in dict.fromkeys(case.kind for case in cases):
            run(next(c for c in cases if c.kind == kind_first))
    dates._parse_cached.cache_clear()
    results = {name: measure(run, cases) for name, run in CONTENDERS}
    dates._parse_cached.cache_clear()
    quoted = {name: measure(run, list(QUOTED)) for name, run in CONTENDERS}
    dates._parse_cached.cache_clear()

    print(
        f"{len(cases)} strings: {len(QUOTED)} datelines quoted in sources.md, "
        f"{len(cases) - len(QUOTED)} generated ({len(_GENERATORS)} formats x {per_kind})"
    )
    print(f"baseline configuration: {BASELINE_CONFIG}\n")
    print(
        f"| {'parser':40} | mean ms | p95 ms | accuracy (all) | accuracy (quoted) "
        f"| wrong date | no date | mean time ÷ partnews |"
    )
    print(
        f"|{'-' * 42}|--------:|-------:|{'-' * 15}:|{'-' * 18}:"
        f"|-----------:|--------:|{'-' * 21}:|"
    )
    ours = results[FIGURE_LABEL]
    for name, figures in results.items():
        ratio = figures["mean_ms"] / ours["mean_ms"]
        print(
            f"| {name:40} | {figures['mean_ms']:7.3f} | {figures['p95_ms']:6.3f} "
            f"| {figures['accuracy']:14.1%} | {quoted[name]['accuracy']:17.1%} "
            f"| {figures['wrong']:10d} | {figures['none']:7d} | {ratio:19.1f}x |"
        )
    theirs = results[BASELINE_LABEL]
    speedup = theirs["mean_ms"] / ours["mean_ms"]
    faster = "faster" if speedup >= 1 else "SLOWER"
    more = ours["accuracy"] >= theirs["accuracy"]
    print(
        f"\nparse_date is {speedup:.1f}x {faster} than configured dateparser on the mean "
        f"(p95 {theirs['p95_ms'] / ours['p95_ms']:.1f}x); accuracy {ours['accuracy']:.1%} "
        f"vs {theirs['accuracy']:.1%}: partnews "
        f"{'is at least as accurate' if more else 'is LESS accurate'}. "
        f"Goal (>= 10x faster, accuracy at least as good): "
        f"{'met' if speedup >= 10 and more else 'NOT met'}."
    )
    print("\nAccuracy by kind of string:\n")
    widths = [len(name) for name, _ in CONTENDERS]
    print(f"| {'kind':20} | {'n':>3} | " + " | ".join(name for name, _ in CONTENDERS) + " |")
    print(f"|{'-' * 22}|----:|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    for kind in dict.fromkeys(case.kind for case in cases):
        subset = [case for case in cases if case.kind == kind]
        shares = [sum(is_right(c.expected, run(c)) for c in subset) / len(subset)
                  for _, run in CONTENDERS]  # fmt: skip
        cells = [f"{share:{width}.0%}" for share, width in zip(shares, widths, strict=True)]
        print(f"| {kind:20} | {len(subset):3d} | " + " | ".join(cells) + " |")
    for name, run in CONTENDERS:
        wrong = [(c, run(c)) for c in cases if not is_right(c.expected, run(c))]
        print(f"\n{name}: {len(wrong)} not right" + (":" if wrong else "."))
        for case, found in wrong[:12]:
            print(f"  {case.text!r}: expected {case.expected}, got {found}")
        if len(wrong) > 12:
            print(f"  … and {len(wrong) - 12} more")


# -------------------------------------------------------- real stamps of shared/realdata
# MANIFEST kinds whose files hold machine date stamps, and how to pull them out.
REAL_KINDS = {
    "rss": "xml", "atom": "xml", "sitemap": "xml", "ics": "ics",
    "wp-rest-posts": "json", "wp-rest-other": "json", "wp-rest-index": "json",
    "tribe-events": "json", "wp-events-json-other": "json",
    "html-event": "html", "html-jsonld-article": "html",
}  # fmt: skip
_XML_DATE_TAGS = {"pubdate", "updated", "published", "date", "lastmod", "issued", "modified",
                  "created", "lastbuilddate"}  # fmt: skip
_JSON_DATE_KEYS = {"start", "end", "modified", "modified_gmt", "modified_utc", "created",
                   "updated", "published", "last_modified"}  # fmt: skip
_ICS_LINE = re.compile(
    r"^(?:DTSTART|DTEND|DTSTAMP|CREATED|LAST-MODIFIED)(?:;[^:\r\n]*)?:([0-9TZ]+)\r?$", re.M
)
_MONTH_ONLY = re.compile(r"\d{4}-\d{2}")
_DAY_ONLY = re.compile(r"\d{8}|\d{4}-\d{2}-\d{2}")
# A date string has a year (or a compact stamp) in it: "11:00" in <time datetime> is a
# time of day, a 32-digit hex id in a meta tag is not a date.
_HAS_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)|\d{8}")
_HTML_DATE_ATTRS = ("datePublished", "dateModified", "startDate", "endDate", "uploadDate")


@dataclass(frozen=True)
class RealString:
    """One date string found in a realdata file, and where."""

    kind: str  # the MANIFEST kind of its file
    path: str  # its file, relative to realdata/
    field: str  # the element, key or property it was the value of
    text: str


def _json_strings(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, text) of every string under a date-named key of a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)
    elif isinstance(value, str) and value.strip() and any(c.isdigit() for c in value):
        name = key.lower()
        if len(value) <= 40 and ("date" in name or name in _JSON_DATE_KEYS):
            yield key, value


def _xml_strings(data: bytes) -> Iterator[tuple[str, str]]:
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    root = lxml.etree.fromstring(data.lstrip(), parser)
    if root is None:
        raise ValueError("not XML")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = lxml.etree.QName(element).localname
        text = (element.text or "").strip()
        if name.lower() in _XML_DATE_TAGS and text and any(c.isdigit() for c in text):
            yield name, text


def _html_strings(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    doc = lxml.html.fromstring(data)
    for value in doc.xpath("//time/@datetime"):
        yield "time@datetime", value.strip()
    for attr in _HTML_DATE_ATTRS:
        for value in doc.xpath(f'//*[@itemprop="{attr}"]/@content'):
            yield f"itemprop={attr}", value.strip()
    for value in doc.xpath('//meta[contains(@property, "_time") or contains(@name, "date")]'
                           "/@content"):  # fmt: skip
        yield "meta", value.strip()
    for script in doc.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data_ld = json.loads(script)
        except json.JSONDecodeError as error:
            print(f"  (not read: a JSON-LD block of {where} that is not JSON: {error})")
            continue
        yield from ((f"ld+json {k}", v) for k, v in _json_strings(data_ld))


def real_strings(root: Path) -> list[RealString]:
    """Every date string of the realdata files of REAL_KINDS (MANIFEST.tsv order)."""
    found: list[RealString] = []
    lines = (root / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=False))
        reader = REAL_KINDS.get(row.get("kind", ""))
        if reader is None:
            continue
        data = (root / row["local_path"]).read_bytes()
        if reader == "ics":
            pairs = (("ics", m) for m in _ICS_LINE.findall(data.decode("utf-8", "replace")))
        elif reader == "json":
            try:
                document = json.loads(data)
            except json.JSONDecodeError:
                # Some tribe-events captures are HTML pages around the JSON: read those as
                # pages.
                pairs = _html_strings(data, row["local_path"])
            else:
                pairs = _json_strings(document)
        elif reader == "xml":
            pairs = _xml_strings(data)
        else:
            pairs = _html_strings(data, row["local_path"])
        found += [
            RealString(row["kind"], row["local_path"], k, v)
            for k, v in pairs
            if _HAS_YEAR.search(v)
        ]
    return found


def independent_reading(text: str) -> date | datetime | str | None:
    """The standard library's reading of a stamp, the reference both parsers are checked
    against: ISO 8601 (datetime.fromisoformat), RFC 2822 (email.utils), iCal compact
    forms and YYYY-MM months (strptime); None when none of them reads it."""
    raw = text.strip()
    if _MONTH_ONLY.fullmatch(raw):  # <time datetime="2025-11">: a month, as a month
        return datetime.strptime(raw, "%Y-%m").strftime("%Y-%m")
    # A day alone is a date ("20240508" too: datetime.fromisoformat would add midnight).
    attempts = (date.fromisoformat,) if _DAY_ONLY.fullmatch(raw) else (datetime.fromisoformat,)
    for attempt in attempts:
        try:
            return attempt(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
        except ValueError:
            pass
    for form in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            stamp = datetime.strptime(raw, form)
        except ValueError:
            continue
        if form == "%Y%m%d":
            return stamp.date()
        return stamp.replace(tzinfo=UTC) if raw.endswith("Z") else stamp
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None


def agrees(reference: date | datetime | str, found: date | datetime | str) -> bool:
    """Same day for a date; to the second (the archive keeps no fractions), the same
    instant when both know their offset, else the same wall clock; a month (a str) only
    with the same month given as a month: a day filled in was not in the text."""
    if isinstance(reference, str) or isinstance(found, str):
        return reference == found
    if not isinstance(reference, datetime):
        return (found.date() if isinstance(found, datetime) else found) == reference
    if not isinstance(found, datetime):
        return False
    reference, found = reference.replace(microsecond=0), found.replace(microsecond=0)
    if reference.tzinfo is not None and found.tzinfo is not None:
        return reference == found
    return reference.replace(tzinfo=None) == found.replace(tzinfo=None)


def _real_parse_date(text: str) -> date | datetime | str | None:
    """parse_date's start as a date or datetime; a month or a year as its ISO string (read,
    but never agreeing with a reading of a whole day)."""
    result = parse_date(text)
    if result.start is None:
        return None
    if result.precision == "datetime":
        return datetime.fromisoformat(result.start)
    if result.precision == "day":
        return date.fromisoformat(result.start)
    return result.start


_REAL_SETTINGS = {"PREFER_DATES_FROM": "current_period", "RETURN_AS_TIMEZONE_AWARE": True}
_REAL_FORMATS = ["%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"]


def _real_dateparser(text: str) -> date | datetime | None:
    """Machine stamps in English month names; the iCal compact forms as date_formats.
    Stamps without an offset come back in UTC, which only shifts an instant: the wall
    clock compared for those is the stamp's own."""
    return configured_dateparser(text, ("en",), _REAL_SETTINGS, _REAL_FORMATS)


def print_real_strings(limit: int | None) -> None:
    root = realdata_dir()
    print("\n### Real date strings of ../shared/realdata\n")
    if not (root / "MANIFEST.tsv").exists():
        print(skip_message(root))
        return
    strings = real_strings(root)
    if limit is not None and limit < len(strings):  # spread over every file, not the first
        strings = strings[:: len(strings) // limit][:limit]
    by_kind = Counter(s.kind for s in strings)
    print(
        f"{len(strings):,} date strings from {len({s.path for s in strings})} files "
        f"({', '.join(f'{k} {n:,}' for k, n in by_kind.most_common())}); "
        f"{BASELINE_LABEL.removeprefix('baseline: ')}: languages=en, "
        "date_formats=iCal compact forms, RETURN_AS_TIMEZONE_AWARE, search_dates fallback\n"
    )
    references = [independent_reading(s.text) for s in strings]
    checkable = sum(r is not None for r in references)
    print(f"| {'parser':40} |   read | agree with stdlib ({checkable:,} read by it) "
          f"| mean ms | unread |")  # fmt: skip
    print(f"|{'-' * 42}|-------:|{'-' * 36}:|--------:|-------:|")
    misses: dict[str, tuple[list[RealString], list[tuple[RealString, object, object]]]] = {}
    for name, run in ((FIGURE_LABEL, _real_parse_date), (BASELINE_LABEL, _real_dateparser)):
        for s in strings[:20]:  # warm-up
            run(s.text)
        dates._parse_cached.cache_clear()
        read = agree = 0
        times, unread, disagree = [], [], []
        for s, reference in zip(strings, references, strict=True):
            # The same stamp recurs across files; no timing may be a cache hit.
            dates._parse_cached.cache_clear()
            start = time.perf_counter()
            found = run(s.text)
            times.append(time.perf_counter() - start)
            if found is None:
                unread.append(s)
                continue
            read += 1
            if reference is not None:
                if agrees(reference, found):
                    agree += 1
                else:
                    disagree.append((s, found, reference))
        misses[name] = (unread, disagree)
        print(
            f"| {name:40} | {read:>6,} | {agree:>35,} "
            f"| {statistics.fmean(times) * 1000:7.3f} | {len(unread):6,} |"
        )
    for name, (unread, disagree) in misses.items():
        print(f"\n{name}: {len(unread)} unread" + (":" if unread else "."))
        shown = Counter((s.text, s.path, s.field) for s in unread)
        for (text, path, field), count in list(shown.items())[:15]:
            print(f"  {text!r} ({field} in {path}){f' x{count}' if count > 1 else ''}")
        if len(shown) > 15:
            print(f"  … and {len(shown) - 15} more distinct strings")
        print(
            f"{name}: {len(disagree)} read otherwise than the stdlib" + (":" if disagree else ".")
        )
        for s, found, reference in disagree[:10]:
            print(f"  {s.text!r} ({s.field} in {s.path}): {found} vs {reference}")
    dates._parse_cached.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench dates", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--per-kind",
        type=int,
        default=GENERATED_PER_KIND,
        help=f"generated strings per format (default {GENERATED_PER_KIND})",
    )
    parser.add_argument(
        "--real-limit",
        type=int,
        default=None,
        help="read only N real date strings, spread over the files (default: all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny run (2 per format, 60 real strings), to check the bench works",
    )
    args = parser.parse_args(argv)
    per_kind, limit = (2, 60) if args.quick else (args.per_kind, args.real_limit)
    print_datelines(per_kind)
    print_real_strings(limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
