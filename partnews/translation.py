"""Cross-language evidence: whether two texts in different languages tell one story.

A translation shares no words with its original, but it keeps what no translator
changes: the proper names (companies, people, places, programmes, acronyms), the
numbers, amounts and percentages, the dates, the URLs, and the order in which they come.
Two *different* articles about one event (a press report and the agency's own release)
share some of those too, but fewer of them, and in another order. So a pair is judged on:

* ``shared``: how many evidence tokens both texts have;
* ``cover``: ``shared`` over the smaller of the two evidence sets (a translation of a
  cut-down text is covered by the longer one);
* ``order``: the longest run of shared tokens appearing in the same order in both
  (a longest common subsequence), over ``shared``;
* ``cover x order``: the share of the smaller evidence set found in the same order in
  the other (two articles written from one press release reach one or the other, not
  both).

Evidence tokens (`evidence`): numbers in one canonical form whatever the separators
("1,456", "1 456", "1456", "1.228" in French; "3,17 millions" = "3.17 million" =
"3 170 000"), dates as month-day ("13 July" = "13 juillet" = "13. Juli"), URLs and e-mail
hosts, and names: capitalised words not opening a sentence, accents and case folded.
Numbers under 10 are left out (written as words as often as digits), so are a few
capitalised function words. Everything here is pure; archive/relations.py indexes the
evidence and links the pairs. No model, no dictionary: nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from partnews.text import matching_form

# A pair is a translation when it shares at least MIN_SHARED tokens, covers at least
# MIN_COVER of the smaller evidence set and keeps at least MIN_ORDER of the shared
# tokens in the same order. Chosen on real pairs (python -m bench translations, figures
# in docs/benchmarks.md): the partners' translations covered 0.81-0.92 in order
# 0.95-1.0; different articles about one event (press reports of the same results,
# naming the same companies) covered 0.54 at most, and those covering more than half
# kept at most 0.69 of their shared tokens in order.
# The cover threshold sits between the two.
MIN_SHARED = 6
MIN_COVER = 0.65
MIN_ORDER = 0.75
# ...and at least MIN_SPECIFIC of the shared tokens are specific: a date, a URL, or a
# number that is not a year. Names and years alone are what every text of the
# partnership shares ("San Diego", "Provence-Alpes-Côte d'Azur", "2017"): on the mirror,
# two unrelated short texts shared six of them, in order.
MIN_SPECIFIC = 2
# ...unless the shared names alone are this many: a long text told again name for name
# (a board's members, a list of companies) carries no number and no date, but three
# times the evidence a short unrelated text can share by chance.
NAMES_ONLY_SHARED = 3 * MIN_SHARED
# ...and at least MIN_ALIGNED of the smaller evidence set is found, in the same order, in
# the other (the longest common subsequence over the smaller set, i.e. cover x order). A
# translation keeps the sequence of the text it translates; two articles written from
# one press release share its figures but each tells them in its own order, so either
# their cover or their order falls short. Measured on 19 real translation pairs and 1,581
# real cross-language non-translations (docs/benchmarks.md): translations 0.65-0.96,
# two articles from one airport's press release 0.52, every other non-translation 0.40
# or less.
MIN_ALIGNED = 0.6
# The chamber republishes an agency's news weeks after it; an anniversary text a year
# later is another story. Dates further apart than this are never a translation.
WINDOW_DAYS = 183

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # French (matching form: accents folded)
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    # German
    "januar": 1, "februar": 2, "marz": 3, "maerz": 3, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12,
}  # fmt: skip
# Scale words after a number: "3,17 millions d'euros", "€1.5 billion", "10 Md€", "2 Mio.".
_SCALES = {
    "million": 10**6, "millions": 10**6, "mio": 10**6, "m": 10**6, "millionen": 10**6,
    "milliard": 10**9, "milliards": 10**9, "billion": 10**9, "billions": 10**9,
    "md": 10**9, "mrd": 10**9, "milliarden": 10**9, "bn": 10**9,
    "thousand": 10**3, "mille": 10**3, "k": 10**3,
}  # fmt: skip
# Capitalised words that are grammar, not names, in the three languages (they open
# headings and quotes too often to be left to the sentence-start rule alone).
_NOT_NAMES = frozenset(
    "the a an and of in on for with to at by from as its his her their this that these "
    "le la les un une des du de et en au aux pour avec sur dans par ce cette ces son sa ses "
    "der die das ein eine und mit von zu im am fur bei auf den dem des "
    "mr mrs ms dr m mme".split()
)
# Letters, digits and the separators a number may contain.
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[  \u202f.,]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d])"
    r"(?:\s*(%|pour\s*cent|percent|per\s*cent|prozent))?"
    r"(?:\s*(?:€|\$|eur)?\s*([A-Za-zé]{1,9})\b)?",
    re.IGNORECASE,
)
# Web addresses (with a scheme or "www."), e-mail hosts, and the ends of bare domains of
# common TLDs; every alternative starts with a literal, so the scan stays linear.
_URL_RE = re.compile(
    r"(?:https?://|www\.)(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})(/[^\s)\]>\"'»”]*)?"
    r"|@([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})"
    r"|\.(?:com|org|net|fr|gov|eu|de|io|us|info)\b",
    re.IGNORECASE,
)
_HOST_TAIL_RE = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*$", re.IGNORECASE)
# Words that start with a capital (Latin scripts): the candidates for names.
_CAPITAL_RE = re.compile(r"(?<![\w’'-])[A-ZÀ-ÖØ-ÞĀ-ſ][\w’'-]*")
# What opens a sentence: its start, a full stop, a question or exclamation mark, a colon,
# an opening quote, a bullet, or a line break.
_OPENER_RE = re.compile(r"(?:^|[.!?:;«»\"“”„•\n]|\s[-–—]\s)\s*$")
# A day number, with what may make it a date: the word before ("July 13", "May 13th")
# or after ("13 juillet", "13. Juli", "1er avril"). Digit-led, so the scan is fast.
_DAY_RE = re.compile(r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th|\.)?(?![\d%,.]\d)")
_WORD_AFTER_RE = re.compile(r"\s+([^\W\d_]{3,9})")
_WORD_BEFORE_RE = re.compile(r"([^\W\d_]{3,9})\.?\s+$")


@dataclass(frozen=True)
class Verdict:
    """How two texts' evidence compares, and whether it makes them translations."""

    shared: int
    cover: float
    order: float
    is_translation: bool


def _number_tokens(text: str) -> list[tuple[int, str]]:
    """(position, 'n:<value>') for every number of 10 or more (or with decimals); an
    amount with a scale word gives its scaled value too."""
    tokens: list[tuple[int, str]] = []
    for match in _NUMBER_RE.finditer(text):
        whole, decimals, _percent, word = match.groups()
        integer = int(re.sub(r"\D", "", whole))
        value = float(f"{integer}.{decimals}") if decimals else float(integer)
        if value < 10 and not decimals:
            continue
        tokens.append((match.start(), "n:" + _canonical(value)))
        scale = _SCALES.get((word or "").casefold())
        if scale and (decimals or integer < 1000):
            tokens.append((match.start(), "n:" + _canonical(value * scale)))
    return tokens


def _canonical(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")


def _date_tokens(text: str) -> list[tuple[int, str]]:
    """(position, 'd:MM-DD') for "13 July", "13 juillet", "13. Juli", "July 13", "May 13th"."""
    tokens = []
    for match in _DAY_RE.finditer(text):
        day = int(match.group(1))
        if not 1 <= day <= 31:
            continue
        after = _WORD_AFTER_RE.match(text, match.end())
        before = _WORD_BEFORE_RE.search(text[max(0, match.start() - 12) : match.start()])
        for word in (after and after.group(1), before and before.group(1)):
            month = _MONTHS.get(" ".join(_fold(word))) if word else None
            if month:
                tokens.append((match.start(), f"d:{month:02d}-{day:02d}"))
                break
    return tokens


@lru_cache(maxsize=8192)
def _fold(word: str) -> tuple[str, ...]:
    """A word's matching form, split (names repeat: remembered)."""
    return tuple(matching_form(word).split())


def _name_tokens(text: str) -> list[tuple[int, str]]:
    """(position, 'w:<word>') for every capitalised word not opening a sentence, folded."""
    tokens = []
    for match in _CAPITAL_RE.finditer(text):
        word = match.group()
        if not word[0].isupper() or _OPENER_RE.search(
            text[max(0, match.start() - 4) : match.start()]
        ):
            continue
        for part in _fold(word):
            if len(part) >= 3 and part not in _NOT_NAMES and part not in _MONTHS:
                tokens.append((match.start(), "w:" + part))
    return tokens


def _url_tokens(text: str) -> list[tuple[int, str]]:
    """(position, 'u:<host/path>') for web addresses, e-mail hosts and bare domains."""
    tokens = []
    for m in _URL_RE.finditer(text):
        if m.group(1) or m.group(3):
            host = (m.group(1) or m.group(3)).casefold().removeprefix("www.")
            path = (m.group(2) or "").rstrip("/.,;:").casefold()
            tokens.append((m.start(), f"u:{host}{path}"))
            continue
        head = _HOST_TAIL_RE.search(text[max(0, m.start() - 60) : m.start()])
        if head and not text[max(0, m.start() - len(head.group()) - 1)].startswith(("/", "@")):
            host = (head.group() + m.group()).casefold().removeprefix("www.")
            tokens.append((m.start() - len(head.group()), f"u:{host}"))
    return tokens


def evidence(text: str | None) -> list[str]:
    """The text's language-independent evidence tokens, each once, in order of first
    appearance (numbers, dates, URLs and names interleaved as the text gives them)."""
    if not text:
        return []
    found = _number_tokens(text) + _date_tokens(text) + _name_tokens(text) + _url_tokens(text)
    seen: set[str] = set()
    ordered = []
    for _, token in sorted(found, key=lambda pair: pair[0]):
        if token not in seen:
            seen.add(token)
            ordered.append(token)
    return ordered


def _lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (quadratic; evidence lists are short)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def compare(a: list[str], b: list[str]) -> Verdict:
    """The verdict on two evidence lists (`evidence`)."""
    common = set(a) & set(b)
    if not common:
        return Verdict(0, 0.0, 0.0, False)
    cover = len(common) / min(len(set(a)), len(set(b)))
    order = _lcs([t for t in a if t in common], [t for t in b if t in common]) / len(common)
    specific = sum(1 for token in common if is_specific(token))
    ok = (
        len(common) >= MIN_SHARED
        and (specific >= MIN_SPECIFIC or len(common) >= NAMES_ONLY_SHARED)
        and cover >= MIN_COVER
        and order >= MIN_ORDER
        and cover * order >= MIN_ALIGNED
    )
    return Verdict(len(common), round(cover, 4), round(order, 4), ok)


def is_specific(token: str) -> bool:
    """A date, a URL, or a number that is not a year (1900-2099)."""
    if token.startswith(("d:", "u:")):
        return True
    if token.startswith("n:"):
        value = token[2:]
        return not (value.isdigit() and len(value) == 4 and value[:2] in ("19", "20"))
    return False


def within_window(a: str | None, b: str | None, days: int = WINDOW_DAYS) -> bool:
    """True when both publication days are known and at most ``days`` apart, or when
    either is unknown (no date is no evidence against)."""
    try:
        first, second = date.fromisoformat(a[:10]), date.fromisoformat(b[:10])  # type: ignore[index]
    except (TypeError, ValueError):
        return True
    return abs((first - second).days) <= days


def text_of(title: str | None, body: str | None, summary: str | None = None) -> str:
    """The text evidence is read from: the title, then the body (or the summary)."""
    return "\n".join(part for part in (title, body or summary) if part)
