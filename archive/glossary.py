"""The English ↔ French glossary of the partnership's vocabulary, for search.

`crawler/glossary.toml` lists entries of equivalent phrases in both languages; this
module reads it and finds, in a query's words, the phrases an entry holds, so that the
search can OR each with its translations (archive/search.py). Matching is on words
folded for comparison (case and accents ignored, punctuation separating words), and the
longest phrase starting at a word wins.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "crawler" / "glossary.toml"
# Letters and digits make words; anything else separates them, as FTS5's unicode61
# tokenizer does.
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text`` in lower case, accents kept: what FTS5 indexes (it folds
    the accents itself)."""
    return _TOKEN.findall(text.casefold())


def fold(token: str) -> str:
    """A word without its accents, to compare words as FTS5's remove_diacritics does."""
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in tokens(text))


@dataclass(frozen=True)
class Entry:
    """One subject named in several ways: its phrases as folded word tuples."""

    phrases: tuple[tuple[str, ...], ...]
    languages: tuple[str, ...]  # each phrase's language (en, fr)

    def translations_of(self, phrase: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The entry's other phrases, the other language's first (they are what the
        expansion is for; a cap on alternatives cuts same-language variants first)."""
        own = {lang for p, lang in zip(self.phrases, self.languages, strict=True) if p == phrase}
        others = [
            (lang in own, p)
            for p, lang in zip(self.phrases, self.languages, strict=True)
            if p != phrase
        ]
        return [p for _, p in sorted(others, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class Glossary:
    entries: tuple[Entry, ...]

    @property
    def index(self) -> dict[tuple[str, ...], Entry]:
        return _index(self)

    @property
    def longest(self) -> int:
        return max((len(p) for p in self.index), default=0)

    def match_at(self, words: list[tuple[str, ...]], start: int) -> tuple[int, Entry] | None:
        """The longest glossary phrase made of the typed terms ``words[start:start+n]``
        (each term a tuple of folded words), as (n, entry); None when no phrase starts
        there. Phrases are matched on whole typed terms, so "d'azur" never matches half."""
        for n in range(len(words) - start, 0, -1):
            joined = tuple(w for term in words[start : start + n] for w in term)
            if len(joined) > self.longest:
                continue
            entry = self.index.get(joined)
            if entry is not None:
                return n, entry
        return None


@cache
def _index(glossary: Glossary) -> dict[tuple[str, ...], Entry]:
    """Each phrase to its entry; a phrase in two entries belongs to the first."""
    index: dict[tuple[str, ...], Entry] = {}
    for entry in glossary.entries:
        for phrase in entry.phrases:
            index.setdefault(phrase, entry)
    return index


def parse_glossary(text: str) -> Glossary:
    """A glossary from the TOML text of crawler/glossary.toml."""
    data = tomllib.loads(text)
    entries = []
    for number, raw in enumerate(data.get("entry", []), start=1):
        phrases: list[tuple[str, ...]] = []
        languages: list[str] = []
        for language in ("en", "fr"):
            for phrase in raw.get(language, []):
                folded = folded_tokens(phrase)
                if not folded:
                    raise ValueError(f"glossary entry {number}: empty phrase {phrase!r}")
                if folded not in phrases:
                    phrases.append(folded)
                    languages.append(language)
        if len(phrases) >= 2:
            entries.append(Entry(tuple(phrases), tuple(languages)))
    return Glossary(tuple(entries))


@cache
def load_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    return parse_glossary(path.read_text(encoding="utf-8"))
