"""WordPress's text and value functions, reduced to what the mirror's content uses.

wptexturize, wp_trim_words, PHP's json_encode, the REST API's date parameters, site-local
and GMT times, and WP_Query's search-term parsing: pure functions the endpoints share.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_TAG = re.compile(r"(<[^>]+>)")
_BARE_AMP = re.compile(r"&(?!#?\w+;)")


def texturize_text(text: str) -> str:
    """wptexturize on plain text: curly quotes, dashes, ellipsis, bare & as &amp;."""
    text = _BARE_AMP.sub("&amp;", text)
    text = text.replace("...", "&#8230;").replace(" -- ", " &#8212; ").replace(" - ", " &#8211; ")
    text = re.sub(r"(?<=\w)'", "&#8217;", text)
    text = re.sub(r"'", "&#8216;", text)
    text = re.sub(r'"(?=\w)', "&#8220;", text)
    return text.replace('"', "&#8221;")


def texturize(markup: str) -> str:
    """wptexturize on HTML: only the text between tags changes, never attributes."""
    return "".join(p if p.startswith("<") else texturize_text(p) for p in _TAG.split(markup))


def strip_tags(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", markup))


def trim_words(markup: str, length: int, more: str) -> str:
    """wp_trim_words: the first `length` words of the text, plus `more` when cut."""
    words = strip_tags(markup).split()
    if len(words) <= length:
        return " ".join(words)
    return " ".join(words[:length]) + more


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A site-local naive datetime made aware (WordPress stores local and GMT columns)."""
    return moment.replace(tzinfo=zone)


def gmt(moment: datetime, zone: ZoneInfo) -> datetime:
    return local(moment, zone).astimezone(UTC).replace(tzinfo=None)


def wp_json(data) -> bytes:
    """json_encode as PHP does it: ASCII only and escaped slashes."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def parse_when(value: str) -> datetime | None:
    """A REST date parameter: ISO 8601 or "YYYY-MM-DD HH:MM:SS"; None when unreadable."""
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def date_details(moment: datetime) -> dict[str, str]:
    keys = ("year", "month", "day", "hour", "minutes", "seconds")
    values = moment.strftime("%Y %m %d %H %M %S").split()
    return dict(zip(keys, values, strict=True))


# English stopwords WordPress drops from a search (get_search_stopwords()).
SEARCH_STOPWORDS = frozenset(
    "about an are as at be by com for from how in is it of on or that the this to was what "
    "when where who will with www".split()
)


def fold(text: str) -> str:
    """Case and accents folded, as MySQL's utf8mb4_unicode_ci compares ("Côte" = "cote")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_terms(query: str) -> list[str]:
    """WP_Query::parse_search_terms: quoted phrases kept whole, lone letters and
    stopwords dropped; more than 9 terms search the whole string as one."""
    query = query.strip()
    raw = re.findall(r'"[^"]+"|\S+', query)
    if len(raw) > 9:
        return [query]
    terms = []
    for term in raw:
        term = term.strip("\"'") if re.fullmatch(r'".+"', term) else term.strip("\"' ")
        if not term or (len(term) == 1 and re.fullmatch(r"[a-z-]", term, re.I)):
            continue
        if term.lower() in SEARCH_STOPWORDS:
            continue
        terms.append(term)
    return terms or ([query] if query else [])
