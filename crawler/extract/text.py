"""Turn HTML fragments and raw strings from CMS payloads into clean plain text.

Every extractor needs the same text rules (decode entities, drop tags, collapse
whitespace inside a paragraph, keep paragraph breaks as a blank line), so they live
here once instead of being re-invented per source format.
"""

from __future__ import annotations

import html as htmllib
import re

from partnews import text as text_rules

_PARA = "\x00"  # paragraph-break marker while walking the tree
_LINE = "\x01"  # <br> marker: a line break inside a paragraph
_TAG_RE = re.compile(r"<[a-zA-Z/!][^>]*>")
_WS_RE = re.compile(r"\s+")


def looks_like_html(text: str) -> bool:
    """True when *text* carries markup, so plain text is not run through an HTML parser
    (which would eat a literal "<" in e.g. an iCal description)."""
    return bool(_TAG_RE.search(text))


def clean_inline(value: object) -> str | None:
    """One-line text from a title-like value: entities decoded (twice, because WordPress
    JSON-LD double-encodes "&amp;#8211;"), tags stripped, whitespace collapsed.
    Returns None for empty values so missing stays distinguishable from blank."""
    if isinstance(value, list):  # microdata repeats a property as a list of values
        value = next((v for v in value if v), None)
    if value is None or value is False or isinstance(value, dict):
        return None
    text = str(value)
    for _ in range(2):
        if "&" not in text:
            break
        text = htmllib.unescape(text)
    if looks_like_html(text):
        text = html_to_text(text) or ""
    text = _WS_RE.sub(" ", text).strip()
    return text or None


def _paragraphs(raw: str) -> str | None:
    """Collapse whitespace inside each paragraph and join paragraphs with a blank line."""
    paras = []
    for chunk in raw.split(_PARA):
        lines = [_WS_RE.sub(" ", line).strip() for line in chunk.split(_LINE)]
        para = "\n".join(line for line in lines if line)
        if para:
            paras.append(para)
    return "\n\n".join(paras) or None


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment with paragraph breaks kept as a blank line and <br>
    as a line break: partnews.text.html_to_text, the project's one implementation."""
    return text_rules.html_to_text(fragment)


def plain_to_text(text: str | None) -> str | None:
    """Normalise already-plain text (iCal DESCRIPTION, feed summaries): blank lines
    separate paragraphs, single newlines are kept as line breaks."""
    if not text or not text.strip():
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = re.sub(r"\n\s*\n", _PARA, text).replace("\n", _LINE)
    return _paragraphs(raw)


def any_to_text(value: str | None) -> str | None:
    """Text from a field that may hold HTML or plain text (feeds and iCal mix both)."""
    if not value:
        return None
    if "&lt;" in value and not looks_like_html(value):
        value = htmllib.unescape(value)  # escaped markup, as in some Tribe JSON-LD
    return html_to_text(value) if looks_like_html(value) else plain_to_text(value)


_MORE_RE = re.compile(
    r"\s*(?:\[(?:…|\.\.\.|&hellip;)\]|…)?\s*"
    r"(?:(?:Continue reading|Read more|Read More|Lire la suite|Leer más|Weiterlesen)"
    r"\b[^\n]{0,80})?$",
)


def strip_read_more(text: str | None) -> str | None:
    """Cut the "[…]" / "Continue reading →" tail that WordPress appends to excerpts: it is
    navigation, not part of the summary."""
    if not text:
        return None
    return _MORE_RE.sub("", text).strip() or None
