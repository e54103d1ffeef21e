"""The second stage of the news crawl's filter: the rules on a page's text, before its readers.

The byte prefilter (crawler/newscrawl/prefilter.py) keeps a page whose bytes hold a
term of each side anywhere: in a script, a URL, a class name, a menu. Reading a page
that passes it (the date ladder, trafilatura, the authors) costs tens of milliseconds;
parsing it once and scoring its text costs a few. So a page that passed the bytes is
parsed (the tree then goes on to the readers, which do not parse it again) and its text
scored by the rules first; only a page whose text can reach the threshold is read.

The rules score an item's title, summary and body (partnews/relevance.py), and every
one of them is drawn from the page's text: the body is trafilatura's pick of its text
nodes, the title a heading, the ``<title>``, a meta tag or the JSON-LD headline, the
summary a meta tag. `page_words` is all of those sources at once: the text outside
scripts and styles, joined as the page reads (an inline element's text runs on,
"Mar<b>seille</b>" is one word; a paragraph's is set apart, "San" and "Diego" in two
paragraphs are two words, as trafilatura writes them), every meta tag's content, and
the strings of the JSON-LD blocks as the date ladder reads them. A score only grows
with the text it is given (a side's terms add up, boosters count once both sides are
named), so if this text does not reach the threshold, no part of it does: the stage
can only drop pages the full readers would drop. tests/test_newscrawl.py holds it to
that on the bench's pages, and holds every term the reader finds on the 400 real pages
of ../shared/realdata/dated-pages to be found in its text (checked once as well on the
181 of the article-extraction benchmark: no exception).

Two shortcuts keep it cheap. The text's bytes go through the byte prefilter first (the
rules need a term of each side, or a programme term). Then only the lines near a
fragment of a term are scored (`near_terms`): the matching form of a whole page's text
costs about a millisecond per 500 characters.

What it drops: pages whose terms sit only in markup, scripts and URLs, and pages that
name both sides too lightly for the rules (a California wine sold in Marseille).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import lxml.html

from crawler.extract.page_metadata import _jsonld_blocks as jsonld_blocks
from crawler.newscrawl.prefilter import Prefilter
from partnews.relevance import Rules, score_text
from partnews.text import matching_form

# Elements whose text runs on in its neighbours' (HTML's phrasing content): "Mar<b>seille</b>"
# is one word. Every other element (a paragraph, a heading, a cell, a list item, an
# unknown tag) starts and ends a run of text, as a reader and a browser show it.
INLINE = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd label mark nobr q s samp"
    " small span strike strong sub sup time tt u var wbr".split()
)
# Elements whose content is code, not text.
CODE = frozenset({"script", "style"})


def rendered_text(doc: lxml.html.HtmlElement) -> str:
    """The page's text as it reads: inline elements run on, every other element is set
    apart on a line of its own; scripts, styles and comments left out (their tails
    kept)."""
    parts: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(doc, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag
        apart = isinstance(tag, str) and tag not in INLINE
        if closing:
            parts.append("\n" if apart else "")
            parts.append(element.tail or "")
            continue
        if not isinstance(tag, str) or tag in CODE:  # a comment, a processing instruction
            parts.append("\n" if apart else "")
            parts.append(element.tail or "")
            continue
        parts.append("\n" if apart else "")
        parts.append(element.text or "")
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(parts)


def _strings(value: object) -> list[str]:
    """Every string inside a parsed JSON value (keys left out: they are vocabulary)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def page_words(doc: lxml.html.HtmlElement) -> str:
    """All the text a reader could take from the page (see the module docstring), in
    lines: its text as it reads (`rendered_text`), the meta tags' contents and the
    JSON-LD strings. It is only scored, never shown."""
    metas = [str(value) for value in doc.xpath("//meta/@content")]
    declared = [s for block in jsonld_blocks(doc) for s in _strings(block)]
    return "\n".join([rendered_text(doc), *metas, *declared])


@dataclass(frozen=True)
class Needles:
    """What marks the lines where a term may be: one ASCII fragment of each term, and
    how many lines a term may span."""

    pattern: re.Pattern[str] | None  # None: some term has no fragment to look for
    reach: int  # the most words in a term, less one


def needles(rules: Rules) -> Needles:
    """Each term's longest ASCII fragment of three letters or more ("gion" of "Région
    Sud"): found in the lower-cased text however the term's accents are written (with,
    without, decomposed, as mojibake), as the matching form finds the term. A term
    spans at most as many lines as it has words."""
    fragments, reach = set(), 0
    for terms in (*rules.sides.values(), rules.programme, rules.boosters):
        for term in terms:
            found = [f for f in re.split(r"[^a-z0-9]+", term.lower()) if len(f) >= 3]
            if not found:
                return Needles(None, 0)
            fragments.add(max(found, key=len))
            reach = max(reach, len(matching_form(term).split()) - 1)
    alternatives = "|".join(map(re.escape, sorted(fragments, key=len, reverse=True)))
    return Needles(re.compile(alternatives) if fragments else None, reach)


# The needles of the rules in use: a worker keeps one set of rules for its life.
_NEEDLES: dict[int, tuple[Rules, Needles]] = {}


def _needles_of(rules: Rules) -> Needles:
    cached = _NEEDLES.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _NEEDLES[id(rules)] = (rules, needles(rules))
    return cached[1]


def near_terms(words: str, rules: Rules) -> str:
    """The lines of ``words`` within a term's reach of a line that holds a fragment of
    a term, every run of them set apart by a blank line: every line a term's words can
    be on. The other lines cannot add to the score, and the matching form of a long
    page's text costs about a millisecond per 500 characters."""
    marks = _needles_of(rules)
    lowered = words.lower()
    if marks.pattern is None or len(lowered) != len(words):
        return words  # a term that cannot be spotted, or a letter whose lower case is longer
    starts = [0] + [m.end() for m in re.finditer("\n", lowered)]
    kept: set[int] = set()
    for match in marks.pattern.finditer(lowered):
        line = bisect_right(starts, match.start()) - 1
        kept.update(range(max(line - marks.reach, 0), line + marks.reach + 1))
    lines = words.split("\n")
    picked: list[str] = []
    for index in sorted(i for i in kept if i < len(lines)):
        if index - 1 not in kept:
            picked.append("")
        picked.append(lines[index])
    return "\n".join(picked)


def text_may_be_relevant(
    doc: lxml.html.HtmlElement, rules: Rules, prefilter: Prefilter | None = None
) -> bool:
    """True when the page's text reaches the rules' threshold, so it must be read.

    With the rules' ``prefilter``, the text's bytes go through it first: it needs what
    the rules need (a term of each side, or a programme term) and costs microseconds,
    where the rules' matching form of a long text costs tens of milliseconds."""
    words = page_words(doc)
    if prefilter is not None and not prefilter.keeps(words.encode("utf-8", "replace")):
        return False
    text = near_terms(words, rules)
    return score_text(None, None, text, rules, sectors=False).is_relevant(rules)
