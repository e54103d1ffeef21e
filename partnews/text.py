"""Text normalisers: the display form of scraped text and the matching form used for dedup.

The partners publish in English, French and German, repost each other and pass text
through feeds, CMS exports and bad charset conversions. Two forms come out of here:

* the *display* form (`clean_text`, `display_title`, `html_to_text`): what the source
  meant to publish, repaired (mojibake, entities, invisible characters, odd spaces) but
  otherwise as published: case, accents and typographic quotes are kept;
* the *matching* form (`matching_form`, `sort_key`, `content_hash`, `teaser_prefix_of`):
  never displayed, folded so that the same text published twice compares equal whatever
  its case, accents, punctuation or whitespace.

All functions are pure and never raise on any ``str`` input; the normalisers are
idempotent (`f(f(x)) == f(x)`) and `html_to_text` returns text `clean_text` leaves as is.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import unicodedata

import ftfy
import lxml.etree
import lxml.html
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

# ftfy repairs mojibake ("CÃ´te dâ€™Azur" -> "Côte d’Azur") but must keep typographic
# quotes (they are what the source published) and leave entities to `_unescape`, which
# decodes them whether or not the text also contains "<".
_FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, normalization="NFC")

# Invisible characters that only break matching and searching: zero-width space,
# non-joiner, joiner, word joiner, BOM/zero-width no-break space, and the soft hyphen.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# Characters that must never reach a reader, a feed or a calendar: bidirectional
# controls (LRM, RLM, ALM, embeddings, overrides, isolates: "invoice\u202egpj.exe"
# displays as "invoiceexe.jpg"), C0 and C1 controls other than the line break (XML 1.0
# forbids most of them; a feed with one fails for every subscriber), Unicode
# noncharacters (U+FFFE, U+FDD0...: not XML-compatible either) and lone surrogates.
_UNSAFE_RE = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\x00-\x08\x0e-\x1f\x7f-\x9f"
    "\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    + "".join(
        chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17)
    )
    + "]"
)


# `_UNSAFE_RE` without its astral noncharacters, and any astral character: a set of the
# Basic Multilingual Plane is a bitmap to the regex engine, while astral members make it
# test ranges one by one (20 times slower on an article).
_UNSAFE_BMP_RE = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\x00-\x08\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def strip_unsafe(text: str) -> str:
    """`text` without bidirectional controls, control characters (line breaks, tabs,
    CR and form feeds kept: `clean_text` makes them spaces or breaks) and noncharacters.

    Text with none of `_UNSAFE_BMP_RE` and no astral character has nothing to strip
    (two cheap scans); the rest goes through `_UNSAFE_RE` itself."""
    if FAST_PATHS and not _UNSAFE_BMP_RE.search(text) and not _ASTRAL_RE.search(text):
        return text
    return _UNSAFE_RE.sub("", text)


# Spaces other than U+0020 (NBSP, the narrow NBSP of French typography, thin spaces, ...)
# and tabs/form feeds: a plain space keeps the text readable and searchable.
_ODD_SPACE_RE = re.compile("[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")

_SPACES_RE = re.compile(" {2,}")
_MANY_NEWLINES_RE = re.compile("\n{3,}")

# French words whose "œ" (absent from Latin-1, so turned into "?" by a conversion to it)
# is lost; a small known-word list because "c?ur" is unambiguous only as a whole word.
_OE_WORDS = {
    "c?ur": "cœur",
    "c?urs": "cœurs",
    "s?ur": "sœur",
    "s?urs": "sœurs",
    "v?u": "vœu",
    "v?ux": "vœux",
    "n?ud": "nœud",
    "n?uds": "nœuds",
    "b?uf": "bœuf",
    "b?ufs": "bœufs",
    "?uf": "œuf",
    "?ufs": "œufs",
    "?il": "œil",
    "?uvre": "œuvre",
    "?uvres": "œuvres",
    "man?uvre": "manœuvre",
    "man?uvres": "manœuvres",
    "ranc?ur": "rancœur",
}
_OE_WORD_RE = re.compile(
    r"(?<![\w?])(" + "|".join(re.escape(w) for w in _OE_WORDS) + r")(?![\w?])",
    re.IGNORECASE,
)

# A "?" standing for a lost French apostrophe: right after an elided word (l', d', j',
# m', n', s', t', c', qu', jusqu', lorsqu', puisqu', quoiqu', presqu') that is a whole
# word, and right before a vowel or "h" (French elides only there). "Quoi?Non" or
# "Really?Yes" never match: "quoi" and "really" are not elided words.
_VOWEL_OR_H = "aàâäeéèêëiîïoôöuùûüyÿœæh"
_ELISION_RE = re.compile(
    r"(?<![^\W\d_])(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)"
    r"\?(?=[" + _VOWEL_OR_H + "])",
    re.IGNORECASE,
)
# A "?" between two letters: a lost accented letter when both have the same case
# ("soci?t?", "SOCI?T?"), a question mark glued to the next sentence when a capital
# follows a small letter ("Quoi?Non").
_INNER_QUESTION_RE = re.compile(r"(?<=([^\W\d_]))\?(?=([^\W\d_]))")


def _unescape(text: str) -> str:
    """Decode HTML entities until none is left.

    Feeds often escape twice ("&amp;#8217;"); decoding to a fixed point makes
    `clean_text` idempotent. Each round shortens the text, so the loop ends.
    """
    while True:
        decoded = html.unescape(text)
        if decoded == text:
            return text
        text = decoded


def _match_case(original: str, replacement: str) -> str:
    """Give `replacement` the case pattern of `original` (lower, Capitalised or UPPER)."""
    letters = [c for c in original if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _restore_oe(match: re.Match[str]) -> str:
    """ "c?ur" -> "cœur", in the case of the match ("C?UR" -> "CŒUR")."""
    word = match.group(0)
    # .get: a case-insensitive match can be a non-ASCII look-alike ("İ" matches "i").
    return _match_case(word, _OE_WORDS.get(word.lower(), word))


def _repair_lost_french_characters(text: str) -> str:
    """Restore the "’" and "œ" a conversion to Latin-1 turned into "?".

    Latin-1 has "'" and "é" but neither "’" nor "œ", so a "?" glued between an elided
    French word and a vowel ("l?une", "d?euros", "qu?il") was a "’", and "c?ur" was
    "cœur". A "?" followed by a capital ("Quoi?Non") is a real question mark. When the
    text also has "?" inside other words ("soci?t?") the conversion was to ASCII, "?"
    may be any accented letter ("s?ance" is "séance"), and the apostrophe rule is skipped.
    """
    if "?" not in text:
        return text
    text = _OE_WORD_RE.sub(_restore_oe, text)
    candidates = {m.end(1) for m in _ELISION_RE.finditer(text)}
    if not candidates:
        return text
    lost_letters = {
        m.start()
        for m in _INNER_QUESTION_RE.finditer(text)
        if m.group(1).isupper() == m.group(2).isupper()
    }
    if lost_letters - candidates:
        return text
    return _ELISION_RE.sub(lambda m: m.group(1) + "\u2019", text)


def _tidy_whitespace(text: str) -> str:
    """Collapse spaces within lines, keep line and paragraph breaks, trim."""
    text = _ODD_SPACE_RE.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _ftfy_touches() -> re.Pattern[str]:
    """Every character one of ftfy's fixers (as configured) would change or remove, from
    ftfy's own tables: ligatures, full/half width forms, control characters, C1 controls,
    line breaks other than "\n", surrogates and the escape that starts terminal codes."""
    from ftfy import chardata

    codes = {*chardata.LIGATURES, *chardata.WIDTH_MAP, *chardata.CONTROL_CHARS}
    codes |= {*range(0x80, 0xA0), ord("\r"), 0x2028, 0x2029, 0x1B}
    singles = "".join(re.escape(chr(c)) for c in sorted(codes) if not 0xD800 <= c <= 0xDFFF)
    return re.compile(f"[{singles}\ud800-\udfff]")


_FTFY_TOUCHES = _ftfy_touches()
# Off only to compare with the plain path (tests/test_pipeline_speed.py).
FAST_PATHS = True

# Characters everyday Latin text is full of: a badness branch is not keyed on them when
# it has a rarer required character to be keyed on.
_EVERYDAY = frozenset(
    "".join(chr(c) for c in range(128))
    + MOJIBAKE_CATEGORIES["lower_accented"]
    + MOJIBAKE_CATEGORIES["lower_common"]
    + MOJIBAKE_CATEGORIES["common"]
    + "«»"
)


def _item_chars(op, av) -> frozenset[str] | None:
    """The characters one regex item (a literal or a plain character set) can match;
    None for anything else (a repeat, a category like \\s, a negated set, "^", ".")."""
    from re import _constants as sre

    if op is sre.LITERAL:
        return frozenset(chr(av))
    if op is not sre.IN:
        return None
    chars: set[str] = set()
    for inner_op, inner_av in av:
        if inner_op is sre.LITERAL:
            chars.add(chr(inner_av))
        elif inner_op is sre.RANGE:
            chars.update(chr(c) for c in range(inner_av[0], inner_av[1] + 1))
        else:  # NEGATE, CATEGORY: not a plain set
            return None
    return frozenset(chars)


def _badness_keys() -> tuple[re.Pattern[str], int]:
    """A set of "key" characters such that every match of ftfy's badness regex contains
    one, and the regex's longest match, both read from ftfy's own regex.

    Each top-level branch of ``BADNESS_RE`` is a sequence; its plain (non-optional)
    literal and set items are characters every match of the branch contains. The key of
    a branch is its item with the fewest everyday characters (`_EVERYDAY`), so the keys
    are rare in scraped text: "É", "€", "«", C1 controls, "Ã", box drawing... A branch
    with no plain item would make this unsound: it raises instead.
    """
    from re import _constants as sre
    from re import _parser

    if BADNESS_RE.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL):
        raise ValueError("ftfy's badness regex has flags this reading does not handle")
    tree = _parser.parse(BADNESS_RE.pattern, re.VERBOSE)
    (op, (_, branches)), *rest = tree.data
    if op is not sre.BRANCH or rest:
        raise ValueError("ftfy's badness regex is not one alternation")
    keys: set[str] = set()
    for branch in branches:
        items = [c for c in (_item_chars(o, a) for o, a in branch.data) if c]
        if not items:
            raise ValueError(f"a badness branch without a required character: {branch}")
        keys |= min(items, key=lambda chars: (len(chars & _EVERYDAY), len(chars)))
    ordered = "".join(re.escape(c) for c in sorted(keys))
    return re.compile(f"[{ordered}]"), tree.getwidth()[1]


_BADNESS_KEYS, _BADNESS_WIDTH = _badness_keys()


def looks_bad(text: str) -> bool:
    """`ftfy.badness.is_bad(text)`, computed on short windows only.

    Every match of ftfy's badness regex contains a key character (`_badness_keys`) and
    is at most `_BADNESS_WIDTH` characters long, so it lies within that many characters
    of a key: the regex is searched there only (``pos``/``endpos`` keep "^" meaning the
    start of the text). Accented text without keys costs one scan for a character set
    instead of the regex's 37 branches tried at every position."""
    width = _BADNESS_WIDTH
    start = end = -1
    for key in _BADNESS_KEYS.finditer(text):
        at = key.start()
        if at - width + 1 > end:  # a new window: search the one before it first
            if end >= 0 and BADNESS_RE.search(text, start, end):
                return True
            start = max(0, at - width + 1)
        end = at + width
    return end >= 0 and BADNESS_RE.search(text, start, end) is not None


def ftfy_would_keep(text: str) -> bool:
    """True when ftfy.fix_text(text, _FTFY_CONFIG) returns `text` unchanged, decided
    cheaply: ftfy only re-decodes text its own badness heuristic flags (`is_bad`, a
    regex search, here run only near its key characters: `looks_bad`), its other
    fixers only touch characters of `_FTFY_TOUCHES`, and its last step is NFC. Most
    scraped text passes, and ftfy is the costliest step of cleaning."""
    if _FTFY_TOUCHES.search(text) or not unicodedata.is_normalized("NFC", text):
        return False
    return text.isascii() or not looks_bad(text)


def _clean_once(text: str) -> str:
    text = _unescape(text)
    if not (FAST_PATHS and ftfy_would_keep(text)):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    text = strip_unsafe(_INVISIBLE_RE.sub("", text))
    text = _repair_lost_french_characters(text)
    return _tidy_whitespace(text)


def clean_text(text: str | None) -> str | None:
    """The display text: what the source meant, repaired but not restyled.

    Mojibake is repaired with ftfy ("CÃ´te dâ€™Azur" -> "Côte d’Azur"), HTML entities
    decoded (also when escaped twice), the text put in NFC, zero-width characters and
    soft hyphens removed, odd spaces (NBSP, the narrow NBSP before French ":;!?", thin
    spaces, tabs) made plain spaces, spaces collapsed within lines, single line breaks
    and paragraph breaks ("\\n\\n") kept, and French "’"/"œ" lost to "?" restored where
    unambiguous (see `_repair_lost_french_characters`). Typographic quotes, case and
    accents are kept. Empty or whitespace-only text gives None.
    """
    if text is None:
        return None
    if text in _CLEANED:
        return _CLEANED[text]
    original = text
    # A few rounds reach the fixed point (a repair can expose an entity or mojibake);
    # stopping at it keeps the function idempotent.
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    result = text or None
    if len(_CLEANED) >= _CLEANED_MAX:
        _CLEANED.clear()
    _CLEANED[original] = result
    if result is not None:
        _CLEANED[result] = result  # clean text is its own cleaning (idempotent)
    return result


# clean_text's results, bounded: the pipelines clean a text, then take its matching form
# and hash (which clean it again); ftfy is the costly part, so a cleaned text is known.
_CLEANED: dict[str, str | None] = {}
_CLEANED_MAX = 4096


def display_title(title: str | None) -> str | None:
    """A title for display: `clean_text` on one line, ALL-CAPS kept as published.

    Titles scraped from listings or `<title>` often carry line breaks from the markup;
    a title is one line.
    """
    cleaned = clean_text(title)
    if cleaned is None or "\n" not in cleaned:
        return cleaned
    return clean_text(" ".join(cleaned.split("\n")))


# Letters that NFKD does not decompose into a base letter plus accents, and every
# combining mark (accents once decomposed) deleted: one C-level str.translate pass.
_FOLDED_LETTERS = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
_FOLD_TABLE = str.maketrans(
    {
        **_FOLDED_LETTERS,
        **{chr(c): None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))},
    }
)
# Every combining mark of the Basic Multilingual Plane.
_BMP_COMBINING_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.combining(chr(c))) + "]"
)


def _strip_accents(decomposed: str) -> str:
    """``decomposed.translate(_FOLD_TABLE)``: without astral characters (nearly all
    text), a regex of the plane's combining marks and six replaces do the same work
    faster than a dictionary lookup per character."""
    if not FAST_PATHS or _ASTRAL_RE.search(decomposed):
        return decomposed.translate(_FOLD_TABLE)
    text = _BMP_COMBINING_RE.sub("", decomposed)
    for letter, folded in _FOLDED_LETTERS.items():
        if letter in text:
            text = text.replace(letter, folded)
    return text


# Letters and digits are kept; every other character (quotes, apostrophes and dashes,
# typographic or ASCII, and all punctuation and symbols) separates words. Python's \w is
# exactly str.isalnum() plus "_".
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def _fold_once(text: str) -> str:
    text = text.casefold()
    # ASCII has nothing to decompose and nothing in the table: skip both (same result).
    if not (FAST_PATHS and text.isascii()):
        text = _strip_accents(unicodedata.normalize("NFKD", text))
    return _NOT_ALNUM_RE.sub(" ", text).strip()


def matching_form(text: str | None) -> str:
    """The form used to compare texts, never displayed.

    `clean_text`, then case folded ("ß" -> "ss"), accents removed (NFKD minus combining
    marks; "œ" -> "oe", "æ" -> "ae"), every non-alphanumeric character (typographic and
    ASCII quotes, apostrophes, dashes, all punctuation) turned into a space, whitespace
    collapsed. So "ÉTATS DE LA FRANCE" and "États de la France", "Côte d’Azur" and
    "Cote d'Azur", "Aix-Marseille" and "Aix – Marseille" have the same form. None gives "".
    """
    if text is None:
        return ""
    if FAST_PATHS and text in _MATCHING:
        return _MATCHING[text]
    original = text
    text = clean_text(text) or ""
    # Folding can expose new case or accents (NFKD of "ℌ" is "H"): repeat to a fixed point.
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
        # Folded ASCII in lower case is all word characters and single spaces: folding
        # it again would change nothing, so that second pass is skipped.
        if FAST_PATHS and folded.isascii() and folded == folded.lower():
            break
    if FAST_PATHS:
        if len(_MATCHING) >= _CLEANED_MAX:
            _MATCHING.clear()
        _MATCHING[original] = text
    return text


# matching_form's results, bounded: one item's body is matched for its content hash, its
# lead, its shingles and its teasers; computing it once per item is enough.
_MATCHING: dict[str, str] = {}


def sort_key(title: str | None) -> str:
    """The key titles are sorted by: their matching form.

    Sorting on it puts "ÉTATS…", "États…" and "Etats…" together, whatever the case,
    accents or leading quotes a source used.
    """
    return matching_form(title)


# Elements whose text is not page text.
_DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "svg", "object")
# Elements that start a new paragraph, and those that start a new line.
_PARAGRAPH_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote section article header footer aside nav main "
    "ul ol dl table figure figcaption pre address hr form fieldset details summary".split()
)
_LINE_TAGS = frozenset("br li dt dd tr caption".split())
# Markers for the breaks blocks make (the input's control characters are removed first).
_LINE, _PARAGRAPH = "\x00", "\x01"
_BREAKS_RE = re.compile("[\\s\x00\x01]*[\x00\x01][\\s\x00\x01]*")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def _break_before(tag: str) -> str:
    """The break an element's start makes: a paragraph, a line, a cell space or none."""
    if tag in _PARAGRAPH_TAGS:
        return _PARAGRAPH
    if tag in _LINE_TAGS:
        return _LINE
    return " " if tag in ("td", "th") else ""


def _source_spaces(text: str | None) -> str:
    """Line breaks in HTML source are spaces; only the markup makes breaks."""
    return (text or "").replace("\r", " ").replace("\n", " ")


def _merge_breaks(match: re.Match[str]) -> str:
    """Adjacent breaks make one: a paragraph if any is one (or two br in a row), else a line."""
    run = match.group(0)
    return "\n\n" if _PARAGRAPH in run or run.count(_LINE) > 1 else "\n"


def _acceptable_to_lxml(html_text: str) -> str:
    """*html_text* without what lxml refuses in a str: control characters and an XML
    encoding declaration."""
    return _XML_DECLARATION_RE.sub("", _CONTROL_RE.sub("", html_text))


def parse_html_document(html_text: str) -> lxml.html.HtmlElement:
    """The lxml tree of a whole page, never an exception: control characters and a
    leading XML declaration (both refused by lxml in a str) are removed first, and a
    document lxml still refuses ("</html>" alone, only a comment) is an empty <html>,
    so an extractor finds no title and no date instead of losing the page."""
    try:
        return lxml.html.document_fromstring(_acceptable_to_lxml(html_text))
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def html_to_text(html_text: str | None) -> str | None:
    """Plain text of an HTML fragment or page, with its paragraphs, then `clean_text`.

    Tags are stripped with lxml; p, div, h1-h6 and other blocks become paragraph breaks,
    br and li line breaks, table cells are separated by spaces; scripts, styles and the
    `<head>` are dropped. Unparseable or empty input, or a value that is not a string,
    gives None.
    """
    if not isinstance(html_text, str):
        return None
    html_text = _acceptable_to_lxml(html_text)
    if not html_text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(html_text)
    except (lxml.etree.ParserError, ValueError):
        return None
    for element in list(root.iter(*_DROPPED_TAGS, lxml.etree.Comment, lxml.etree.PI)):
        if element.getparent() is not None:
            element.drop_tree()
    parts: list[str] = []
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            parts.append(_break_before(tag))
            parts.append(_source_spaces(element.text))
        else:
            parts.append(_PARAGRAPH if tag in _PARAGRAPH_TAGS else "")
            parts.append(_source_spaces(element.tail))
    text = _BREAKS_RE.sub(_merge_breaks, "".join(parts))
    return clean_text(text)


def content_hash(*parts: str | None) -> str:
    """sha256 hex digest of the parts' matching forms, one per line.

    The same article at two URLs, or differing only by whitespace, case, accents,
    entities or mojibake, hashes the same; ("a b", "c") and ("a", "b c") do not, since
    a matching form never contains a line break.
    """
    joined = "\n".join(matching_form(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


# What a listing appends to a cut teaser: an ellipsis ("…", "...", "[…]", "(...)"),
# possibly followed by a "read more" link text.
_TEASER_END = (
    r"(?:…|\.{3,})(?:\s*[\])])?\s*"
    r"(?:(?:read more|continue reading|lire la suite|en savoir plus|weiterlesen)\W*)?$"
)
_TEASER_TAIL_RE = re.compile(r"\s*(?:[\[(]\s*)?" + _TEASER_END, re.IGNORECASE)
# The tail from the ellipsis on: the opening above (spaces, a bracket) can always match
# nothing, so a text has a match of one exactly when it has a match of the other.
# Searched for, this one is four times faster on an article (18 against 75 µs for 2,500
# characters): the regex engine skips to the next "…" or "." instead of trying the
# opening at every position. The opening is kept only to cut a teaser's tail off.
_TEASER_END_RE = re.compile(_TEASER_END, re.IGNORECASE)
# A teaser shorter than this says too little to tie it to one article.
_MIN_TEASER_WORDS = 3


def has_teaser_tail(text: str | None) -> bool:
    """True when the cleaned text ends with a teaser's ellipsis ("…", "...", "[…]",
    optionally then "Read more"/"Lire la suite"): a text without one is no cut teaser,
    which spares comparing two whole texts' matching forms."""
    return _TEASER_END_RE.search(clean_text(text) or "") is not None


def teaser_prefix_of(teaser: str, body: str) -> bool:
    """True when a listing teaser is the cut start of `body`: a teaser and its full
    article are one item.

    The teaser must end with an ellipsis ("…", "...", "[…]", optionally then "Read
    more"/"Lire la suite") and, without it, have at least 3 words whose matching form
    starts the body's matching form (a cut inside a word is allowed). A teaser equal to
    the whole body also counts. Text that merely shares a first word or two does not.
    """
    cleaned = clean_text(teaser) or ""
    body_form = matching_form(body)
    if not body_form:
        return False
    if matching_form(cleaned) == body_form:
        return True
    cut = _TEASER_TAIL_RE.sub("", cleaned)
    if cut == cleaned:
        return False
    teaser_form = matching_form(cut)
    if len(teaser_form.split()) < _MIN_TEASER_WORDS:
        return False
    return body_form.startswith(teaser_form)
