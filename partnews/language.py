"""Language of an item: detected from its text, with the page's declared language as a hint.

The partners publish in English, French and sometimes German, and do not always say so
truthfully: investinprovence.com serves English articles under `/de/` with
`<html lang="de">`. So the text decides when there is enough of it, and the declared
language (`<html lang>`, og:locale, a `/de/` path) only when the text is too short to
tell or the detector agrees.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from py3langid.langid import LanguageIdentifier

from partnews.langid_model import load_identifier

DEFAULT_CANDIDATES = ("en", "fr", "de", "es")
# Under this many words the detector is unreliable and the declared language wins.
MIN_WORDS = 20
# Without a declared language, a short text is classified only when the detector is
# at least this sure ("Bonjour" is French; "Provence Promotion" could be anything).
SHORT_TEXT_CONFIDENCE = 0.9
# Languages whose path prefix (`/en/`, `/fr/`, ...) the partner sites use.
URL_LANGUAGES = ("en", "fr", "de", "es")

# ISO 639-2 codes some feeds use, for the languages the partners publish in.
_THREE_LETTER = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
}
_TAG_RE = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*")
_WORD_RE = re.compile(r"[^\W\d_]+")
# "/de/...", "/en_US/...", "/fr-fr/..." (a lone "/de" too).
_PATH_PREFIX_RE = re.compile(r"/([a-z]{2})(?:[-_][a-z]{2})?(?:/|$)", re.IGNORECASE)


def normalize_language_tag(tag: str | None) -> str | None:
    """The two-letter language of a BCP 47 or locale tag: "en-US" -> "en",
    "fr_FR" -> "fr", "FRA" -> "fr"; None for an empty or malformed tag, "und" or "x-..."."""
    if not tag:
        return None
    match = _TAG_RE.fullmatch(tag.strip().lower())
    if not match:
        return None
    code = match.group(1)
    if len(code) == 3:
        return _THREE_LETTER.get(code)
    return code


@lru_cache(maxsize=1)
def _full_identifier() -> LanguageIdentifier:
    """py3langid's classifier over all its languages (~1 s to decompress the packaged
    model, a few hundredths of a second to map the cached copy: partnews/langid_model.py)."""
    return load_identifier(norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(candidates: tuple[str, ...]) -> LanguageIdentifier:
    """A classifier restricted to `candidates`, sharing the loaded model.

    `set_languages` rebinds the copy's attributes from the full model and does not
    change the shared arrays, so a shallow copy is enough.
    """
    identifier = copy.copy(_full_identifier())
    identifier.set_languages(list(candidates))
    return identifier


# Languages py3langid's model knows for certain (tests/test_language.py checks): asking
# whether a candidate is one of these does not load the model (a second per process,
# and a reprocess's workers may never need it: `function_words_agree`).
KNOWN_LANGUAGES = frozenset({"de", "en", "es", "fr", "it", "nl", "pt"})


def _usable_candidates(candidates: Sequence[str]) -> tuple[str, ...]:
    """Normalised candidates the model knows, deduplicated and sorted (a stable cache key)."""
    codes = {normalize_language_tag(c) for c in candidates}
    return tuple(
        sorted(c for c in codes if c and (c in KNOWN_LANGUAGES or c in _full_identifier().labels))
    )


def detect_language(
    text: str | None,
    *,
    declared: str | None = None,
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
) -> str | None:
    """The two-letter language of `text`, among `candidates`.

    * 20 words or more: the detector (py3langid restricted to the candidates) decides,
      whatever is declared: English text under a `/de/` path is English. When the
      text's function words clearly agree with the declared language
      (`function_words_agree`), it is the answer the detector would give, without it.
    * Fewer words: the declared language (`<html lang>`, og:locale, `language_from_url`)
      wins; with none declared, the detector's answer when it is at least 90% sure, else
      None.
    * No letters at all: the declared language, or None.
    """
    declared_code = normalize_language_tag(declared)
    words = _WORD_RE.findall(text or "")
    usable = _usable_candidates(candidates)
    if not words or not usable:
        return declared_code
    if len(usable) == 1:
        return usable[0]
    if len(words) < MIN_WORDS and declared_code:
        return declared_code
    if FAST_AGREEMENT and declared_code in usable and function_words_agree(words, declared_code):
        return declared_code
    language, confidence = _identifier(usable).classify(" ".join(words))
    if len(words) < MIN_WORDS and confidence < SHORT_TEXT_CONFIDENCE:
        return None
    return language


# Frequent function words that belong to one candidate language only ("de", "en", "la",
# "die", "in", "son" are left out: they are words of two of them).
FUNCTION_WORDS = {
    "en": "the and of to is that with for this are from by have has which their its it be "
    "been will would at an or not but they we our can about into than who were these those",
    "fr": "le les des du et est une pour dans sur avec au aux qui pas plus par ce cette ces "
    "sont été ont ses leur nous vous il elle ou mais comme entre",
    "de": "der die und das ist mit den von zu für auf nicht ein eine sich dem im werden wird "
    "auch sind bei nach aus wie noch oder über hat",
    "es": "el los las y es por con para una del se al lo su como más pero sus fue está han",
}
_FUNCTION_WORD_LANGUAGE = {
    word: code for code, words in FUNCTION_WORDS.items() for word in words.split()
}
# How clearly the function words must point at the declared language for the detector
# to be skipped: at least AGREE_HITS of them, AGREE_RATIO times those of any other
# language, and AGREE_SHARE of all the words (a language outside the candidates, say
# Norwegian, has few of them). Measured on the 400 real pages of
# shared/realdata/dated-pages, also with each page's declared language replaced by each
# candidate: the detector never answered otherwise where these held (docs/benchmarks.md).
AGREE_HITS = 10
AGREE_RATIO = 5
AGREE_SHARE = 0.1
# Off only to compare with the detector's own answer (tests/test_language.py).
FAST_AGREEMENT = True


def function_words_agree(words: Sequence[str], declared: str) -> bool:
    """True when the text's function words say, clearly, that it is in the declared
    language: then the detector would say so too, and is not asked (it costs about 2 ms
    per article, the costliest step of normalising one)."""
    hits: dict[str | None, int] = {}
    for word in words:
        code = _FUNCTION_WORD_LANGUAGE.get(word.lower())
        if code is not None:
            hits[code] = hits.get(code, 0) + 1
    mine = hits.pop(declared, 0)
    return (
        mine >= AGREE_HITS
        and mine >= AGREE_RATIO * max(hits.values(), default=0)
        and mine >= AGREE_SHARE * len(words)
    )


def language_from_url(url: str | None) -> str | None:
    """The language a URL claims: a path prefix `/en/`, `/fr/`, `/de/`, `/es/` (also
    `/en_US/`, `/fr-fr/`) or a `lang=` query parameter (`/?lang=en&p=55823`).

    A hint only, for `detect_language(declared=...)`: investinprovence.com's `/de/`
    pages are in English.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    prefix = _PATH_PREFIX_RE.match(parts.path)
    if prefix and prefix.group(1).lower() in URL_LANGUAGES:
        return prefix.group(1).lower()
    for name, value in parse_qsl(parts.query):
        if name.lower() == "lang":
            code = normalize_language_tag(value)
            if code in URL_LANGUAGES:
                return code
    return None
