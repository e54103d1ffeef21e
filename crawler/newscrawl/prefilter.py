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

A term is looked for by its ASCII letters as the rules spell them: the rules match
accent-free and case-free forms, so an accented letter may be written with or without
its accent, as an entity or a JSON escape, and only the letters written in plain ASCII
are certain to appear as bytes in any ASCII-compatible encoding (UTF-8, Latin-1,
cp1252). A word's ASCII letters after its last accented one ("gion" of "Région") begin a
run, and its letters before its first accented one end a run. Consecutive words in a
run must be found as a phrase, separated by anything the rules' matching form turns
into a space: blanks and punctuation (any non-ASCII byte included), tags, entities,
JSON's ``\\u00a0`` escapes. So "South Region" does not keep a page that says "South
Carolina" in one menu and "region" in another: on 400 real news pages, requiring all
the words anywhere kept 19, phrases keep 7.

The rules match whole words, so a run that starts (ends) at the start (end) of a word
must not have an ASCII letter or digit just before (after) it in the bytes. A byte that
is not one stands for a character the matching form turns into a space, or one that a
looser test is safe with: a tag's ``>``, an entity's ``;``, any byte of a non-ASCII
character; a JSON escape (``\\n``, ``\\u00a0``) may stand before it too. Without
this, "Région Sud" was "sud", found in "Sudan", "sudden" and "pseudo-", and the real
pages that also said "California" all passed (`python -m bench newscrawl` prints the
rate on its pages).

The bytes are searched by Hyperscan (Intel's multi-pattern regular expression engine,
SIMD), case-free, in at most two passes. The first looks for a few plain words and
stops at the first found: the fewest words that every term of one side and every
programme term holds one of (`cover`: "diego" stands for "San Diego" and for the two
programme names that contain it), so a page with none of them names no programme and
not that side, and is dropped (most pages). Taking the longest word of each term
instead let "American" and "French" (of the programme names) open the first pass on
a third of real news pages. The second looks for all the terms at once: each
term's phrases, and its words that stand alone, are its patterns, each reported once;
a term is found when all its patterns are. On the bench's pages (57 KiB on average)
the filter costs about 30 µs a page, where one ``bytes.find`` per anchor word cost
590 µs (each find scans the whole page, after a lower-cased copy of it), and an
Aho-Corasick automaton in Python was slower still (it yields every match of every
common word).
`TermCheck.found` is the same test in plain Python (``bytes.find`` and ``re``): the
reference the tests hold the database to.

A term with no ASCII word of three letters or more cannot be checked on bytes, so it
lets every page through: a safe, slow filter rather than a wrong, fast one. Known blind
spots, met on no page so far: a term's letters written as entities, split by a soft
hyphen, a lone "&" or a backslash inside a term, an entity without its ``;`` just before
a term, a page in UTF-16, and a term written right after a Shift JIS or Big5 character
whose second byte is an ASCII letter.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import hyperscan

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


# What may stand just before a word that starts a term's run in a page's lower-cased
# bytes for the matching form to see a word start: nothing (the start), a byte that is
# not an ASCII letter or digit, a JSON escape. After a run's last word: not a letter or
# digit, or the end.
_LEAD = rb"(?:^|[^a-z0-9]|\\[bfnrt]|\\u[0-9a-f]{4})"
_TRAIL = rb"(?:[^a-z0-9]|$)"
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Run:
    """ASCII words of a term that stand next to each other, and whether the run starts
    and ends on a word's edge (not inside a word, next to an accented letter)."""

    words: tuple[str, ...]
    starts_word: bool
    ends_word: bool

    def pattern(self) -> bytes:
        """The run as a byte pattern: a phrase of its words, edged where it is a word's."""
        body = _SEP.join(re.escape(word.encode()) for word in self.words)
        return (_LEAD if self.starts_word else b"") + body + (_TRAIL if self.ends_word else b"")


def term_runs(term: str) -> list[Run]:
    """The runs of ASCII words of a term: "Provence-Alpes-Côte d'Azur" gives
    provence·alpes·c (from a word's start, to an accent) and te·d·azur (from an accent
    to a word's end). A run of one word shorter than `MIN_WORD` letters is left out."""
    runs: list[Run] = []
    words: list[str] = []
    starts = True

    def close(ends_word: bool) -> None:
        nonlocal words
        if len(words) > 1 or (words and len(words[0]) >= MIN_WORD):
            runs.append(Run(tuple(words), starts, ends_word))
        words = []

    for token in _TOKEN.findall(term):
        token = token.lower()
        if token.isascii():
            words.append(token)
            continue
        pieces = _NOT_ASCII.split(token)
        if pieces[0]:
            words.append(pieces[0])
            close(ends_word=False)
        else:
            close(ends_word=True)  # the run's last word ended where this one starts
        for middle in pieces[1:-1]:  # between two accented letters: a run of its own
            starts, words = False, [middle]
            close(ends_word=False)
        starts, words = (False, [pieces[-1]]) if pieces[-1] else (True, [])
    close(ends_word=True)
    return runs


@dataclass(frozen=True)
class TermCheck:
    """How one term is found in bytes: every run of its ASCII words must occur (as a
    phrase, on a word's edges where it has them); its long words, longest first, are
    what the first pass looks for."""

    term: str
    runs: tuple[Run, ...]
    words: tuple[bytes, ...] = field(init=False)
    expressions: tuple[re.Pattern[bytes], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        long = {w for run in self.runs for w in run.words if len(w) >= MIN_WORD}
        ordered = sorted(long, key=lambda w: (-len(w), w))
        object.__setattr__(self, "words", tuple(w.encode() for w in ordered))
        object.__setattr__(self, "expressions", tuple(re.compile(p) for p in self.patterns()))

    def found(self, lowered: bytes) -> bool:
        """The plain-Python test on a page's lower-cased bytes (the reference)."""
        return all(word in lowered for word in self.words) and all(
            expression.search(lowered) for expression in self.expressions
        )

    def patterns(self) -> tuple[bytes, ...]:
        """The patterns that must all match for the term to be found."""
        return tuple(dict.fromkeys(run.pattern() for run in self.runs))


def term_check(term: str) -> TermCheck | None:
    """The byte check of a term; None when it has no ASCII word to look for."""
    check = TermCheck(term, tuple(term_runs(term)))
    return check if check.words else None


class TermScanner:
    """One Hyperscan database of every term's patterns: which terms a page names, in one
    pass over its raw bytes, case-free (ASCII letters; other bytes match as they are)."""

    def __init__(self, terms: Sequence[TermCheck]) -> None:
        self.terms = tuple(terms)
        patterns, owners = [], []
        for index, term in enumerate(self.terms):
            for pattern in term.patterns():
                patterns.append(pattern)
                owners.append(index)
        self.owners = tuple(owners)
        # How many distinct patterns each term needs (the same pattern twice counts once).
        self.needed = tuple(len(set(term.patterns())) for term in self.terms)
        self.database = None
        if patterns:
            self.database = hyperscan.Database()
            self.database.compile(
                expressions=patterns,
                ids=list(range(len(patterns))),
                elements=len(patterns),
                # Case-free; each pattern reported once per page, at its first match.
                flags=hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH,
            )
        self.patterns = tuple(patterns)
        self._local = threading.local()  # a scratch space per thread: scans never share one

    def _scratch(self):
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        return scratch

    def found(self, payload: bytes) -> set[int]:
        """The indexes of the terms found in the page's bytes."""
        if self.database is None:
            return set()
        matched: set[int] = set()
        self.database.scan(
            payload,
            match_event_handler=lambda pattern, *_: matched.add(pattern),
            scratch=self._scratch(),
        )
        per_term: dict[int, set[bytes]] = {}
        for pattern in matched:
            per_term.setdefault(self.owners[pattern], set()).add(self.patterns[pattern])
        return {term for term, hits in per_term.items() if len(hits) == self.needed[term]}


class Gate:
    """Whether any of a few words occurs in a page's bytes, case-free: one Hyperscan pass
    of plain literals, stopped at the first match (three times faster than the scan of
    every term's phrases, whose separators are patterns)."""

    def __init__(self, words: Sequence[bytes]) -> None:
        self.words = tuple(dict.fromkeys(words))
        self.database = hyperscan.Database()
        self.database.compile(
            expressions=[re.escape(w) for w in self.words],
            ids=list(range(len(self.words))),
            elements=len(self.words),
            flags=hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH,
        )
        self._local = threading.local()

    def opens(self, payload: bytes) -> bool:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        try:
            self.database.scan(payload, match_event_handler=_stop, scratch=scratch)
        except hyperscan.ScanTerminated:
            return True
        return False


def _stop(*_) -> bool:
    return True  # a match: the scan stops there


def cover(terms: Sequence[TermCheck]) -> set[bytes]:
    """Few words of which every term holds one: greedily, the word held by the most
    terms not yet covered (ties: the longest, then the first in order). Every term has
    a word (`term_check`), so every term is covered."""
    left = [set(term.words) for term in terms]
    chosen: set[bytes] = set()
    while left:
        counts: dict[bytes, int] = {}
        for words in left:
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        best = min(counts, key=lambda word: (-counts[word], -len(word), word))
        chosen.add(best)
        left = [words for words in left if best not in words]
    return chosen


@dataclass(frozen=True)
class Prefilter:
    """Each side's term checks, the programme's, and the scanner of them all."""

    terms: dict[str, tuple[TermCheck, ...]]  # side -> its terms
    programme: tuple[TermCheck, ...]
    # True when some term cannot be checked on bytes, or the threshold lets everything in.
    passes_all: bool
    scanner: TermScanner = field(init=False, repr=False, compare=False)
    # The side (or programme) of each of the scanner's terms.
    groups: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # Words of which every programme term and every term of one side holds one (the
    # side with the smallest `cover`): a page holds one of them, or it names no
    # programme and not that side. Most pages are dropped by this one literal pass.
    gate: Gate | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = [(PROGRAMME, term) for term in self.programme] + [
            (side, term) for side, terms in self.terms.items() for term in terms
        ]
        object.__setattr__(self, "scanner", TermScanner([term for _, term in ordered]))
        object.__setattr__(self, "groups", tuple(group for group, _ in ordered))
        gate = None
        if self.terms and all(self.terms.values()):
            covers = [cover([*terms, *self.programme]) for terms in self.terms.values()]
            gate = Gate(sorted(min(covers, key=len)))
        object.__setattr__(self, "gate", gate)

    def keeps(self, payload: bytes) -> bool:
        """True when the page may be about the partnership and must be read."""
        if self.passes_all:
            return True
        if self.gate is not None and not self.gate.opens(payload):
            return False
        named = {self.groups[index] for index in self.scanner.found(payload)}
        return PROGRAMME in named or all(side in named for side in self.terms)

    def keeps_reference(self, payload: bytes) -> bool:
        """`keeps` in plain Python, one term at a time (slow): what the tests hold the
        Hyperscan database to."""
        if self.passes_all:
            return True
        lowered = payload.lower()  # ASCII letters only: the other bytes are kept as they are
        if any(term.found(lowered) for term in self.programme):
            return True
        return all(any(term.found(lowered) for term in terms) for terms in self.terms.values())


def build_prefilter(rules: Rules) -> Prefilter:
    """The prefilter of a set of relevance rules (see the module docstring)."""
    checks = {
        group: [term_check(term) for term in terms]
        for group, terms in (*rules.sides.items(), (PROGRAMME, rules.programme))
    }
    uncheckable = any(check is None for group in checks.values() for check in group)
    terms = {side: tuple(c for c in checks[side] if c) for side in rules.sides}
    return Prefilter(
        terms=terms,
        programme=tuple(c for c in checks[PROGRAMME] if c),
        # A side without terms can never be named: only programme terms can then count.
        passes_all=uncheckable or rules.threshold <= 0 or not terms,
    )


@cache
def prefilter_for(path: Path = RULES_PATH) -> Prefilter:
    """The prefilter of a rules file, built once per process (each Dask worker)."""
    return build_prefilter(load_rules(path))
