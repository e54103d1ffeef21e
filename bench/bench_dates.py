"""Dates: partnews.dates.parse_date against plain dateparser.parse, on the partners' datelines.

The mix is what the crawler meets: every dateline quoted in sources.md (with the
source's languages and, for dates without a year, the page's publication date), plus
generated feed and API stamps (ISO 8601, RFC 2822, compact) and generated datelines in
each site's own format. Every string carries its expected answer, built from the date
that produced it (or worked out by hand for the quoted ones).

Baselines in the same run: ``dateparser.parse(text)`` with its defaults (what a spider
author writes first), and ``dateparser.parse(text, languages=…)`` told the source's
languages. Accuracy is the share of strings whose day is right (month or year for
strings that give only those; "no date" must be answered by no date). parse_date's
cache is cleared before timing and every (text, options) pair is distinct, so no
timing is a cache hit. Run: ``python -m bench.bench_dates``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import dateparser

from partnews import dates
from partnews.dates import parse_date

SEED = 20250601
GENERATED_PER_KIND = 24


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


def all_cases() -> list[Case]:
    """The benchmark set, each (text, options) once."""
    return list(dict.fromkeys([*QUOTED, *generated_cases()]))


def is_right(expected: str | None, found: str | None) -> bool:
    """Right day (or month/year at the precision the text gives); no date for no date."""
    if expected is None or found is None:
        return expected is found
    return found[: len(expected)] == expected


def _run_parse_date(case: Case) -> str | None:
    return parse_date(
        case.text, languages=case.languages, base=case.base, day_first=case.day_first
    ).start


def _run_dateparser_default(case: Case) -> str | None:
    found = dateparser.parse(case.text)
    return found.isoformat() if found else None


def _run_dateparser_languages(case: Case) -> str | None:
    languages = list(case.languages) if case.languages else None
    found = dateparser.parse(case.text, languages=languages)
    return found.isoformat() if found else None


def measure(run: Callable[[Case], str | None], cases: list[Case]) -> dict:
    """Time each call separately; count right answers."""
    times, right = [], 0
    for case in cases:
        start = time.perf_counter()
        found = run(case)
        times.append(time.perf_counter() - start)
        right += is_right(case.expected, found)
    times.sort()
    return {
        "mean_ms": statistics.fmean(times) * 1000,
        "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
        "accuracy": right / len(cases),
        "right": right,
    }


def main() -> None:
    cases = all_cases()
    contenders = (
        ("partnews parse_date", _run_parse_date),
        ("dateparser.parse (defaults)", _run_dateparser_default),
        ("dateparser.parse (languages=)", _run_dateparser_languages),
    )
    for _, run in contenders:  # warm-up: imports, locale data, regex compilation
        for case in cases[:: max(1, len(cases) // 40)]:
            run(case)
    dates._parse_cached.cache_clear()
    results = {name: measure(run, cases) for name, run in contenders}
    quoted = {name: measure(run, list(QUOTED)) for name, run in contenders}
    dates._parse_cached.cache_clear()

    ours = results["partnews parse_date"]
    print(f"{len(cases)} strings: {len(QUOTED)} datelines quoted in sources.md, "
          f"{len(cases) - len(QUOTED)} generated ({len(_GENERATORS)} formats)\n")  # fmt: skip
    print(f"| {'parser':31} | mean ms | p95 ms | accuracy (all) | accuracy (quoted) "
          f"| mean time / ours |")  # fmt: skip
    print(f"|{'-' * 33}|--------:|-------:|{'-' * 15}:|{'-' * 18}:|{'-' * 17}:|")
    for name, figures in results.items():
        ratio = figures["mean_ms"] / ours["mean_ms"]
        print(
            f"| {name:31} | {figures['mean_ms']:7.3f} | {figures['p95_ms']:6.3f} "
            f"| {figures['accuracy']:14.1%} | {quoted[name]['accuracy']:17.1%} | {ratio:15.1f}x |"
        )
    default = results["dateparser.parse (defaults)"]
    speedup = default["mean_ms"] / ours["mean_ms"]
    goal = speedup >= 10 and ours["accuracy"] >= default["accuracy"]
    print(f"\nparse_date is {speedup:.0f}x faster than default dateparser.parse, accuracy "
          f"{ours['accuracy']:.1%} vs {default['accuracy']:.1%}: goal (>= 10x, accuracy at "
          f"least as good) {'met' if goal else 'NOT met'}.")  # fmt: skip
    print("\nAccuracy by kind of string:\n")
    print(f"| {'kind':20} | " + " | ".join(name for name, _ in contenders) + " |")
    print(f"|{'-' * 22}|" + "|".join("-" * (len(name) + 1) + ":" for name, _ in contenders) + "|")
    for kind in dict.fromkeys(case.kind for case in cases):
        subset = [case for case in cases if case.kind == kind]
        shares = [sum(is_right(c.expected, run(c)) for c in subset) / len(subset)
                  for _, run in contenders]  # fmt: skip
        widths = [len(name) for name, _ in contenders]
        cells = [f"{share:{width}.0%}" for share, width in zip(shares, widths, strict=True)]
        print(f"| {kind:20} | " + " | ".join(cells) + " |")
    wrong = [c for c in cases if not is_right(c.expected, _run_parse_date(c))]
    for case in wrong[:10]:
        print(f"  parse_date wrong: {case.text!r} expected {case.expected}")


if __name__ == "__main__":
    main()
