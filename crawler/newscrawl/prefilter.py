"""A byte-level prefilter from the relevance rules: drop a page before parsing it.

A year of CC-NEWS is hundreds of millions of pages; a handful are about the
partnership. Reading a page (lxml, trafilatura, the date ladder) costs milliseconds;
searching its raw bytes for a few words costs microseconds. So every record goes
through this filter first, and only the survivors are parsed and scored.

The filter is built from crawler/relevance.toml, never from a list of its own, so that
editing the rules edits the filter. It must never drop a page the rules would keep
(no false negatives); keeping too many is only slower. The rules score an item above
zero only when it names a place on *each* side, or a programme term
(partnews/relevance.py), so a page survives when, for every side, all the words of one
of its terms occur in the page's bytes, or all the words of a programme term do.

A "word" here is an ASCII word of a term as the rules spell it ("azur" of "Côte d'Azur",
"diego" and "san" of "San Diego"): the rules match accent-free and case-free forms, so
an accented word may be written with or without its accent, and only the words written
in plain ASCII are certain to appear as bytes, in any ASCII-compatible encoding (UTF-8,
Latin-1, cp1252). Words are found case-insensitively in one Aho-Corasick pass. A term
with no ASCII word of three letters or more cannot be checked on bytes, so it lets
every page through (a safe, slow filter rather than a wrong, fast one). Known blind
spots, shared by no page seen so far: a word written with entities for its ASCII
letters, split by a soft hyphen, or a page in UTF-16.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick

from partnews.relevance import RULES_PATH, Rules, load_rules

# Words shorter than this are too common to be worth looking for ("d" of "d'Azur", "la").
MIN_WORD = 3
_WORD = re.compile(r"[^\W_]+")
PROGRAMME = "programme"


def term_words(term: str) -> frozenset[str] | None:
    """The lower-case ASCII words of a term that any page naming it must contain; None
    when the term has none (it cannot be checked on bytes)."""
    words = set()
    for word in _WORD.findall(term):
        if word.isascii() and len(word) >= MIN_WORD:
            words.add(word.lower())
    return frozenset(words) or None


@dataclass(frozen=True)
class Prefilter:
    """For each group (a side of the rules, or the programme), its terms as word sets."""

    groups: dict[str, tuple[frozenset[str], ...]]
    sides: tuple[str, ...]
    # True when some term cannot be checked on bytes, or the threshold lets everything in.
    passes_all: bool
    automaton: ahocorasick.Automaton
    # Each side's anchors (the longest word of each of its terms), the sides in order
    # of fewest anchors, and each programme term's words (longest first), as bytes.
    anchors: dict[str, tuple[bytes, ...]]
    order: tuple[str, ...]
    programme: tuple[tuple[bytes, ...], ...]

    def words_in(self, payload: bytes) -> set[str]:
        """The filter's words found in the payload (ASCII case ignored)."""
        text = payload.lower().decode("latin-1")  # one byte, one character: offsets kept
        return {word for _, word in self.automaton.iter(text)}

    def _anchored(self, lowered: bytes) -> bool:
        """The quick test first: a page lacking the longest word of every programme term
        and of every term of some side cannot pass (bytes.find is a memchr-fast scan,
        several times faster than iterating the automaton over the page)."""
        if any(anchor in lowered for anchor in self.anchors.get(PROGRAMME, ())):
            return True
        return all(any(anchor in lowered for anchor in self.anchors[side]) for side in self.order)

    def keeps(self, payload: bytes) -> bool:
        """True when the page may be about the partnership and must be read.

        The common case is decided by a few ``bytes.find`` scans (memchr-fast, several
        times faster than walking the automaton over the page): a programme term's words
        all present keeps the page; a side none of whose terms' longest word is present
        drops it. Only the pages left are searched for every word in one automaton pass.
        """
        if self.passes_all:
            return True
        lowered = payload.lower()
        if any(all(word in lowered for word in words) for words in self.programme):
            return True
        for side in self.order:
            if not any(anchor in lowered for anchor in self.anchors[side]):
                return False
        found = self.words_in(lowered)
        return all(any(words <= found for words in self.groups[side]) for side in self.sides)


def build_prefilter(rules: Rules) -> Prefilter:
    """The prefilter of a set of relevance rules (see the module docstring)."""
    groups: dict[str, list[frozenset[str]]] = {side: [] for side in rules.sides}
    groups[PROGRAMME] = []
    uncheckable = False
    for group, terms in (*rules.sides.items(), (PROGRAMME, rules.programme)):
        for term in terms:
            words = term_words(term)
            if words is None:
                uncheckable = True
            else:
                groups[group].append(words)
    automaton = ahocorasick.Automaton()
    for words in {w for sets in groups.values() for s in sets for w in s}:
        automaton.add_word(words, words)
    automaton.make_automaton()
    # A side without terms can never be named: only programme terms can make a page relevant.
    sides = tuple(rules.sides)
    anchors = {
        side: tuple(dict.fromkeys(max(sorted(words), key=len).encode() for words in groups[side]))
        for side in sides
    }
    return Prefilter(
        groups={g: tuple(sets) for g, sets in groups.items()},
        sides=sides,
        passes_all=uncheckable or rules.threshold <= 0 or not sides,
        automaton=automaton,
        anchors=anchors,
        order=tuple(sorted(sides, key=lambda side: len(anchors[side]))),
        programme=tuple(
            tuple(w.encode() for w in sorted(words, key=lambda w: (-len(w), w)))
            for words in groups[PROGRAMME]
        ),
    )


@cache
def prefilter_for(path: Path = RULES_PATH) -> Prefilter:
    """The prefilter of a rules file, built once per process (each Dask worker)."""
    return build_prefilter(load_rules(path))
