"""A byte-level prefilter from the relevance rules: drop a page before parsing it.

A year of CC-NEWS is hundreds of millions of pages; a handful are about the
partnership. Reading a page (lxml, trafilatura, the date ladder) costs milliseconds;
searching its raw bytes for a few words costs microseconds. So every record goes
through this filter first, and only the survivors are parsed and scored.

The filter is built from crawler/relevance.toml, never from a list of its own, so that
editing the rules edits the filter. It must never drop a page the rules would keep
(no false negatives); keeping too many is only slower. The rules score an item above
zero only when it names a place on *each* side, or a programme term
(partnews/relevance.py), so a page survives when, for every side, one of its terms is
found in the page's bytes, or a programme term is.

A term is looked for by its ASCII words as the rules spell them ("azur" of "Côte
d'Azur", "san" and "diego" of "San Diego"): the rules match accent-free and case-free
forms, so an accented word may be written with or without its accent, and only the
words written in plain ASCII are certain to appear as bytes in any ASCII-compatible
encoding (UTF-8, Latin-1, cp1252). Consecutive ASCII words must be found as a phrase,
separated by anything the rules' matching form turns into a space: blanks and
punctuation (any non-ASCII byte included), tags, entities, JSON's ``\\u00a0``
escapes. So "South Region" does not keep a page that says "South Carolina" in one menu
and "region" in another: on 400 real news pages, requiring all the words anywhere kept
19, phrases keep 7 (`python -m bench newscrawl` prints the rate on its pages).

Most pages are decided by ``bytes.find`` alone, which scans at memory speed: a side none
of whose terms' longest word occurs drops the page (the side with the fewest terms is
tried first). The compiled phrase patterns run only on the few pages left. (An
Aho-Corasick automaton over all the words, tried first, was 3 times slower than these
scans in Python: it yields every match of every common word.) A term with no ASCII
word of three letters or more cannot be checked on bytes, so it lets every page
through: a safe, slow filter rather than a wrong, fast one. Known blind spots, met on
no page so far: a term's letters written as entities, split by a soft hyphen, a lone
"&" or a backslash inside a term, a page in UTF-16.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from partnews.relevance import RULES_PATH, Rules, load_rules

# Words shorter than this are too common to be worth looking for ("d" of "d'Azur", "la").
MIN_WORD = 3
_TOKEN = re.compile(r"[^\W_]+")
PROGRAMME = "programme"
# What may stand between two words of a phrase in a page's lower-cased bytes, for the
# matching form to read them as adjacent words: a non-alphanumeric byte (spaces,
# punctuation, every byte of a non-ASCII character), an entity, a JSON \uXXXX escape, a
# tag. The alternatives start with different bytes, so matching stays linear.
_SEP = rb"(?:[^a-z0-9<&\\]|&(?:#?[a-z0-9]+;)?|\\u[0-9a-f]{4}|<[^<>]*>)+"


@dataclass(frozen=True)
class TermCheck:
    """How one term is found in bytes: its long ASCII words (longest first) must all
    occur, and its runs of consecutive ASCII words must occur as phrases."""

    term: str
    words: tuple[bytes, ...]
    phrases: tuple[re.Pattern[bytes], ...]

    def found(self, lowered: bytes) -> bool:
        return all(word in lowered for word in self.words) and all(
            phrase.search(lowered) for phrase in self.phrases
        )


def term_check(term: str) -> TermCheck | None:
    """The byte check of a term; None when it has no ASCII word to look for."""
    runs: list[list[str]] = [[]]
    for token in _TOKEN.findall(term):
        if token.isascii():
            runs[-1].append(token.lower())
        elif runs[-1]:
            runs.append([])
    words = sorted(
        {t for run in runs for t in run if len(t) >= MIN_WORD}, key=lambda w: (-len(w), w)
    )
    if not words:
        return None
    phrases = tuple(
        re.compile(_SEP.join(re.escape(t.encode()) for t in run)) for run in runs if len(run) > 1
    )
    return TermCheck(term, tuple(w.encode() for w in words), phrases)


@dataclass(frozen=True)
class Prefilter:
    """Each side's term checks, the programme's, and each side's anchors."""

    terms: dict[str, tuple[TermCheck, ...]]  # side -> its terms
    programme: tuple[TermCheck, ...]
    # Each side's anchors: the longest word of each of its terms.
    anchors: dict[str, tuple[bytes, ...]]
    order: tuple[str, ...]  # the sides, fewest anchors first
    # True when some term cannot be checked on bytes, or the threshold lets everything in.
    passes_all: bool

    def keeps(self, payload: bytes) -> bool:
        """True when the page may be about the partnership and must be read."""
        if self.passes_all:
            return True
        lowered = payload.lower()  # ASCII letters only: the other bytes are kept as they are
        if any(term.found(lowered) for term in self.programme):
            return True
        for side in self.order:
            if not any(anchor in lowered for anchor in self.anchors[side]):
                return False
        return all(any(term.found(lowered) for term in self.terms[side]) for side in self.order)


def build_prefilter(rules: Rules) -> Prefilter:
    """The prefilter of a set of relevance rules (see the module docstring)."""
    checks = {
        group: [term_check(term) for term in terms]
        for group, terms in (*rules.sides.items(), (PROGRAMME, rules.programme))
    }
    uncheckable = any(check is None for group in checks.values() for check in group)
    terms = {side: tuple(c for c in checks[side] if c) for side in rules.sides}
    anchors = {side: tuple(dict.fromkeys(c.words[0] for c in terms[side])) for side in terms}
    return Prefilter(
        terms=terms,
        programme=tuple(c for c in checks[PROGRAMME] if c),
        anchors=anchors,
        order=tuple(sorted(terms, key=lambda side: len(anchors[side]))),
        # A side without terms can never be named: only programme terms can then count.
        passes_all=uncheckable or rules.threshold <= 0 or not terms,
    )


@cache
def prefilter_for(path: Path = RULES_PATH) -> Prefilter:
    """The prefilter of a rules file, built once per process (each Dask worker)."""
    return build_prefilter(load_rules(path))
