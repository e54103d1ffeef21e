"""schema.org structured data (JSON-LD, microdata) and Open Graph from HTML pages.

Most CMS themes and SEO plugins publish an Event or Article in JSON-LD with exact,
offset-carrying dates; that beats anything parsed from visible text, so the HTML
fallback reads it first. extruct does the extraction; this module makes it tolerant
of the broken JSON-LD found in the wild and maps the objects to archive items.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import extruct
import lxml.html

from crawler.extract.dates import normalize_iso
from crawler.extract.status import event_status
from crawler.extract.text import any_to_text, clean_inline
from crawler.items import ArchiveItem
from crawler.records import RecordFailure, read_records

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "LiveBlogPosting",
        "TechArticle",
    }
)


@dataclass
class StructuredData:
    """What a page declares about itself.

    ``flattened`` lists every typed object (JSON-LD and microdata), with ``@graph``
    containers and nested lists unpacked and ``{"@id": ...}`` references replaced by the
    object they point to, so callers can just filter by ``@type``.
    """

    jsonld: list[dict] = field(default_factory=list)
    microdata: list[dict] = field(default_factory=list)
    opengraph: dict[str, str] = field(default_factory=dict)
    flattened: list[dict] = field(default_factory=list)


def _lenient_jsonld(html: str) -> list[dict]:
    """Parse each <script type="application/ld+json"> on its own, repairing the usual
    breakage (HTML comments/CDATA around the JSON, raw newlines in strings, trailing
    commas), so one bad block does not hide the others."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    out: list[dict] = []
    for script in doc.xpath('//script[contains(@type, "ld+json")]'):
        text = (script.text or "").strip()
        text = re.sub(r"^\s*(<!--|<!\[CDATA\[)|(-->|\]\]>)\s*$", "", text).strip()
        for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text)):
            try:
                value = json.loads(candidate, strict=False)
            except (json.JSONDecodeError, RecursionError):  # broken, or nested too deep
                continue
            out += [
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)
            ]
            break
    return out


# What extruct raises on a malformed page (it has no exception class of its own; found
# by fuzzing tests/test_reliability_fuzz.py's markup): json.JSONDecodeError (a
# ValueError) on broken JSON-LD, ValueError from lxml on a str with an XML encoding
# declaration, lxml's ParserError on an empty document, RecursionError on JSON nested
# past Python's limit.
_EXTRUCT_ERRORS = (ValueError, lxml.etree.ParserError, RecursionError)


def _syntax(html: str, url: str, syntax: str) -> Any:
    """One extruct syntax; a failure in one (e.g. broken JSON-LD) leaves the others."""
    try:
        return extruct.extract(html, base_url=url, syntaxes=[syntax], uniform=True)[syntax]
    except _EXTRUCT_ERRORS as error:
        logger.debug("extruct could not read the %s of %s: %r", syntax, url, error)
        return None


def _typed_nodes(value: Any) -> Iterator[dict]:
    """Every dict with an @type inside *value*, depth first, @graph included."""
    if isinstance(value, list):
        for v in value:
            yield from _typed_nodes(v)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for key, v in value.items():
            if key == "@graph" or isinstance(v, (list, dict)):
                yield from _typed_nodes(v)


def _resolve(value: Any, by_id: Mapping[str, dict], depth: int = 0) -> Any:
    """Replace {"@id": x} references (Yoast's style) by the object with that @id."""
    if depth > 6:
        return value
    if isinstance(value, list):
        return [_resolve(v, by_id, depth + 1) for v in value]
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in by_id:
            return by_id[value["@id"]]
        return {k: _resolve(v, by_id, depth + 1) for k, v in value.items()}
    return value


def extract_structured(html: str, url: str) -> StructuredData:
    """JSON-LD, microdata and Open Graph of a page (see StructuredData)."""
    jsonld = _syntax(html, url, "json-ld")
    if jsonld is None:
        jsonld = _lenient_jsonld(html)
    microdata = _syntax(html, url, "microdata") or []
    og_list = _syntax(html, url, "opengraph") or []
    opengraph: dict[str, str] = {}
    for og in og_list:
        for key, value in og.items():
            if not key.startswith("@") and isinstance(value, str):
                opengraph.setdefault(key, value)
    nodes = list(_typed_nodes(jsonld)) + list(_typed_nodes(microdata))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    flattened = [_resolve(n, by_id) for n in nodes]
    return StructuredData(jsonld, microdata, opengraph, flattened)


def types_of(node: Mapping) -> list[str]:
    """The @type values of a node, without the schema.org URL prefix."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [str(v).rsplit("/", 1)[-1] for v in values if v]


def is_event(node: Mapping) -> bool:
    return any(t == "Event" or t.endswith("Event") for t in types_of(node))


def is_article(node: Mapping) -> bool:
    return any(t in ARTICLE_TYPES or t.endswith("Article") for t in types_of(node))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str | None:
    """A display name from a string, an object with "name", or a list of either."""
    if isinstance(value, list):
        names = [_name(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, Mapping):
        return clean_inline(value.get("name"))
    return clean_inline(value) if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    return value if isinstance(value, str) and value.strip() else None


def _address(value: Any) -> tuple[str | None, str | None, str | None]:
    """(one-line address, city, country) from a PostalAddress or a plain string."""
    value = _first(value)
    if isinstance(value, str):
        return clean_inline(value), None, None
    if not isinstance(value, Mapping):
        return None, None, None
    country = (
        _name(value.get("addressCountry"))
        if isinstance(value.get("addressCountry"), Mapping)
        else clean_inline(value.get("addressCountry"))
    )
    city = clean_inline(value.get("addressLocality"))
    region = " ".join(
        p
        for p in (clean_inline(value.get("addressRegion")), clean_inline(value.get("postalCode")))
        if p
    )
    parts = [clean_inline(value.get("streetAddress")), city, region, country]
    return ", ".join(p for p in parts if p) or None, city, country


def _venue(location: Any) -> dict[str, str | None]:
    """Venue fields from a location: a Place (first physical one), or a string."""
    places = location if isinstance(location, list) else [location]
    for place in places:
        if isinstance(place, str) and place.strip():
            return {"venue_name": clean_inline(place)}
        if isinstance(place, Mapping) and "VirtualLocation" not in types_of(place):
            address, city, country = _address(place.get("address"))
            return {
                "venue_name": clean_inline(place.get("name")),
                "venue_address": address,
                "venue_city": city,
                "venue_country": country,
            }
    return {}


def _offers(offers: Any) -> tuple[str | None, str | None]:
    """(cost, registration_url) from schema.org offers."""
    offer = _first(offers)
    if not isinstance(offer, Mapping):
        return None, None
    price = offer.get("price")
    cost = None
    if price not in (None, ""):
        currency = offer.get("priceCurrency")
        cost = f"{price} {currency}" if currency else str(price)
    return cost, _url(offer.get("url"))


def event_item(node: Mapping, url: str) -> ArchiveItem:
    """An archive event item from a schema.org Event (or subtype) object."""
    title = clean_inline(node.get("name"))
    start = normalize_iso(node.get("startDate"))
    cost, registration = _offers(node.get("offers"))
    return ArchiveItem(
        kind="event",
        url=_url(node.get("url")) or url,
        title=title,
        summary=any_to_text(node.get("description"))
        if isinstance(node.get("description"), str)
        else None,
        image=_url(node.get("image")),
        start=start,
        end=normalize_iso(node.get("endDate")),
        all_day=(len(start) == 10) if start else None,
        organizer=_name(node.get("organizer")),
        cost=cost,
        registration_url=registration,
        status=event_status(_first(node.get("eventStatus")), title),
        **_venue(node.get("location")),
    )


def article_item(node: Mapping, url: str) -> ArchiveItem:
    """An archive news item from a schema.org Article (or subtype) object."""
    published = normalize_iso(node.get("datePublished"))
    body = node.get("articleBody")
    section = node.get("articleSection")
    sections = section if isinstance(section, list) else [section]
    language = node.get("inLanguage")
    return ArchiveItem(
        kind="news",
        url=_url(node.get("mainEntityOfPage")) or _url(node.get("url")) or url,
        title=clean_inline(node.get("headline")) or clean_inline(node.get("name")),
        summary=any_to_text(node.get("description"))
        if isinstance(node.get("description"), str)
        else None,
        body=any_to_text(body) if isinstance(body, str) else None,
        published=published,
        published_from="jsonld" if published else None,
        modified=normalize_iso(node.get("dateModified")),
        language=language.split("-")[0].lower() if isinstance(language, str) else None,
        authors=[a for a in (_name(a) for a in _listify(node.get("author"))) if a],
        categories=[c for c in (clean_inline(s) for s in sections if isinstance(s, str)) if c],
        image=_url(node.get("image")),
    )


def _listify(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def structured_item(node: Mapping, url: str) -> ArchiveItem | None:
    """The item one typed object declares (an Event or an Article), None for others."""
    if is_event(node):
        item = event_item(node, url)
    elif is_article(node):
        item = article_item(node, url)
    else:
        return None
    item.url = urljoin(url, item.url) if url.startswith("http") else item.url
    return item


def items_from_structured(
    html: str, url: str, *, on_failure: Callable[[RecordFailure], None] | None = None
) -> list[ArchiveItem]:
    """Event and news items declared by a page's JSON-LD and microdata, in page order.

    Events keep the offsets of their startDate/endDate as written; a listing page with
    several Event objects gives several items. Objects without a name/headline are
    skipped (extruct's own test page has an empty one). An object whose reading raises
    is logged and handed to *on_failure* (crawler/records.py); the others are still read.
    """
    items: list[ArchiveItem] = []
    seen: set[tuple] = set()
    nodes = extract_structured(html, url).flattened
    read = read_records(
        nodes,
        lambda node: structured_item(node, url),
        reader="structured data",
        url=url,
        on_failure=on_failure,
    )
    for item in read:
        key = (item.kind, item.title, item.start, item.published, item.url)
        if item.title and key not in seen:  # pages often repeat JSON-LD as microdata
            seen.add(key)
            items.append(item)
    return items
