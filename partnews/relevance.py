"""How much an item is about the San Diego – Région Sud partnership, and its sectors.

The rules are data (crawler/relevance.toml), so researchers can read and change them;
this module only applies them. Matching is on `partnews.text.matching_form`, whole
words only, so accents, case and punctuation never decide.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from partnews.text import matching_form

RULES_PATH = Path(__file__).resolve().parents[1] / "crawler" / "relevance.toml"
# The registry's "side" of a source, as a side of the rules.
SIDES = {"San Diego": "san_diego", "Région Sud": "region_sud"}


@dataclass(frozen=True)
class Rules:
    threshold: float
    sides: dict[str, dict[str, float]]  # side -> {term label: weight}
    programme: dict[str, float]
    boosters: dict[str, float]
    sectors: dict[str, tuple[str, tuple[str, ...]]]  # id -> (label, terms)


@dataclass(frozen=True)
class Relevance:
    score: float
    # "side:Term" for every term found, e.g. "san_diego:San Diego", "programme:South Alliance".
    terms: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)

    def is_relevant(self, rules: Rules) -> bool:
        return self.score >= rules.threshold


@cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return Rules(
        threshold=float(data["threshold"]),
        sides={side: dict(terms) for side, terms in data["sides"].items()},
        programme=dict(data.get("programme", {})),
        boosters=dict(data.get("boosters", {})),
        sectors={
            sector_id: (block["label"], tuple(block["terms"]))
            for sector_id, block in data.get("sectors", {}).items()
        },
    )


@cache
def _pattern(term: str) -> re.Pattern[str]:
    """Whole-word matcher of a term's matching form."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(matching_form(term)) + r"(?![a-z0-9])")


@cache
def _form(term: str) -> str:
    return matching_form(term)


def _occurs(term: str, text: str) -> bool:
    """Whether the term occurs in the text as whole words. Most terms are absent from a
    text: a substring test (one fast scan) rules them out before the regex is run."""
    return _form(term) in text and _pattern(term).search(text) is not None


def _count(term: str, text: str) -> int:
    """How many times the term occurs in the text as whole words (see `_occurs`)."""
    return len(_pattern(term).findall(text)) if _form(term) in text else 0


def _found(terms: dict[str, float], text: str) -> dict[str, float]:
    return {term: weight for term, weight in terms.items() if _occurs(term, text)}


def score_text(
    title: str | None,
    summary: str | None,
    body: str | None,
    rules: Rules | None = None,
    *,
    publisher_side: str | None = None,
    sectors: bool = True,
) -> Relevance:
    """Score a text by the rules (see crawler/relevance.toml for the formula).

    ``sectors=False`` leaves the sectors out (an empty list): most of the cost of a long
    text, wasted where only the score decides (the news crawl's filters).

    ``publisher_side`` ("san_diego" or "region_sud") is given for the partners' own
    sites: the San Diego chamber writing about a Provence company is partnership news,
    so the publisher stands for its side (as "publisher:<side>" in the terms).
    """
    rules = rules or load_rules()
    title_form = matching_form(title)
    text = " ".join(filter(None, [title_form, matching_form(summary), matching_form(body)]))
    found_sides = {side: _found(terms, text) for side, terms in rules.sides.items()}
    if publisher_side in found_sides and not found_sides[publisher_side]:
        found_sides[publisher_side] = {f"publisher:{publisher_side}": 1.0}
    programme = _found(rules.programme, text)
    both_sides = all(found_sides.values()) and len(found_sides) > 1
    boosters = _found(rules.boosters, text) if both_sides else {}
    score = (
        (min(sum(found.values()) for found in found_sides.values()) if found_sides else 0.0)
        + sum(programme.values())
        + sum(boosters.values())
    )
    terms = [
        term if term.startswith("publisher:") else f"{side}:{term}"
        for side, found in found_sides.items()
        for term in found
    ]
    terms += [f"programme:{term}" for term in programme]
    terms += [f"booster:{term}" for term in boosters]
    return Relevance(
        score=round(float(score), 2),
        terms=terms,
        sectors=sectors_of(title_form, text, rules) if sectors else [],
    )


def sectors_of(title_form: str, text: str, rules: Rules) -> list[str]:
    """Sector labels whose terms occur twice in the text, or once in the title.

    `text` begins with the title's matching form (`score_text`), so a term absent from
    the text is absent from the title too, and a sector is decided as soon as it has
    two hits or one in the title.
    """
    labels = []
    for label, terms in _sector_matchers(tuple(rules.sectors.values())):
        hits = 0
        for form, pattern in terms:
            if form not in text:
                continue
            hits += len(pattern.findall(text))
            if hits >= 2 or (form in title_form and pattern.search(title_form)):
                labels.append(label)
                break
    return labels


@cache
def _sector_matchers(
    sectors: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, tuple[tuple[str, re.Pattern[str]], ...]], ...]:
    """Each sector's terms as (matching form, whole-word pattern), computed once."""
    return tuple(
        (label, tuple((_form(term), _pattern(term)) for term in terms)) for label, terms in sectors
    )
