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
summary a meta tag. `page_words` is all of those sources at once: every text node
outside scripts and styles, every meta tag's content, and the strings of the JSON-LD
blocks as the date ladder reads them. A score only grows with the text it is given (a
side's terms add up, boosters count once both sides are named), so if this text does
not reach the threshold, no part of it does: the stage can only drop pages the full
readers would drop (tests/test_newscrawl.py holds it to that on the bench's pages and
the real ones). The text nodes are joined twice: as the page reads (an inline element's
text runs on, "Mar<b>seille</b>" is one word; a paragraph's is set apart, "San" and
"Diego" in two paragraphs are two words), and with a space between any two nodes (a
reader that sets apart what a browser runs on).

What it drops: pages whose terms sit only in markup, scripts and URLs, and pages that
name both sides too lightly for the rules (a California wine sold in Marseille).
"""

from __future__ import annotations

import lxml.html

from crawler.extract.page_metadata import _jsonld_blocks as jsonld_blocks
from crawler.newscrawl.prefilter import Prefilter
from partnews.relevance import Rules, score_text

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
    apart by a space; scripts, styles and comments left out (their tails kept)."""
    parts: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(doc, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag
        apart = isinstance(tag, str) and tag not in INLINE
        if closing:
            parts.append(" " if apart else "")
            parts.append(element.tail or "")
            continue
        if not isinstance(tag, str) or tag in CODE:  # a comment, a processing instruction
            parts.append(" " if apart else "")
            parts.append(element.tail or "")
            continue
        parts.append(" " if apart else "")
        parts.append(element.text or "")
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(parts)


# Every text node outside scripts and styles.
_TEXT = "//text()[not(ancestor::script) and not(ancestor::style)]"


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
    """All the text a reader could take from the page (see the module docstring): its
    text as it reads (`rendered_text`), its text nodes set apart by spaces, then the meta
    tags' contents and the JSON-LD strings, one a line. It is only scored, never shown."""
    nodes = " ".join(str(node) for node in doc.xpath(_TEXT))
    metas = [str(value) for value in doc.xpath("//meta/@content")]
    declared = [s for block in jsonld_blocks(doc) for s in _strings(block)]
    return "\n".join([rendered_text(doc), nodes, *metas, *declared])


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
    return score_text(None, None, words, rules, sectors=False).is_relevant(rules)
