"""The publication date, title, authors and language of any article page: a ladder of evidence.

A researcher's archive is only as good as its dates, and a site's markup is only known
once it is crawled: a reader's CSS selector guessed from notes matches nothing on the
real site. So every article page is dated by the same ladder, best evidence first, and
the rung that answered is recorded (``published_from``, ranked in crawler/items.py):

1. what the page declares about itself: the JSON-LD of its article (``jsonld``; never an
   item of a list, such as a sidebar's related articles), the publication meta tags
   (``meta``: Open Graph ``article:published_time``, itemprop, Dublin Core, parse.ly and
   sailthru style), a ``<time>`` marked as the publication date or heading the article
   (``time``);
   - unless the date the page *shows* disagrees on the day: the source's dateline (read
     by its spider, ``dateline_css``), else the dateline printed just after or before
     the headline (``dateline``, or ``time`` for a ``<time>``), never a last update.
     On the real dated pages every such disagreement (6) went to the shown date: UTC
     stamps past local midnight, and CMS creation dates of pages published later;
2. a page with no article node (a WordPress page, a listing): its WebPage node's date;
3. the date the page shows (as above), when nothing is declared;
4. htmldate (``htmldate``, ``original_date=True``, without its extensive search, see
   `HTMLDATE_EXTENSIVE`) on a copy of the page without comment threads, sidebars,
   related articles and the JSON-LD already read, with the capture as its upper bound:
   never the crawl date, today, a comment's or a sidebar's date;
5. the date in the URL (``url``).

Every rung refuses a date after the capture (or after today when the capture is not
known) and before 1995. No rung answers: the date is None, never a guess.

The shown dateline is a ``<time>``, a short dated text, a ``data-*date*`` attribute or a
lede's opening "PLACE, May 7, 2019 —" by the headline.

The title is the visible headline (the ``<h1>``, else ``<h2>``, that the JSON-LD headline,
og:title or ``<title>`` repeat, or the page's one top heading), as the declared title
spells it and without a kicker, a date or a hidden label; else the declared title
without its " | Site" part (or the part og:title and ``<title>`` share), else the first
``<h1>`` or an element marked as the headline; authors come from the JSON-LD, the
author meta tags, then trafilatura's byline reader; the language from ``<html lang>``
and its kin.

The page is parsed once (lxml) and the tree handed around (htmldate takes a pruned copy).
The function is pure: HTML and URL in, a frozen PageMetadata out, no I/O (it only keeps
the last document's sidebar wrappers, found in one pass, for the calls on that page).
Measured by ``python -m bench.bench_page_metadata`` against htmldate and trafilatura.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice, zip_longest
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from htmldate import find_date
from trafilatura.metadata import extract_author, normalize_authors

from crawler.extract.dates import normalize_iso
from crawler.extract.text import clean_inline
from partnews.dates import date_from_url, parse_date
from partnews.text import parse_html_document

# Publication dates before the web's news sites are noise (a founding year, a birth date).
MIN_DATE = date(1995, 1, 1)

# htmldate's extensive search reads any date in the page's text, and falls back on the
# copyright year as January 1. On the 400 real dated pages it dated 3 more of the 371
# with a known day right (353 → 356: two pages, one of them in both halves of the set,
# whose day was a bare "12.01.2017" line), and gave 18 more of the 29 with no known day
# a date: 9 of them a copyright year's January 1 (three 1996-01-01), others a month
# that a client's testimonial or a report's text mentions ("März 2020" → 2020-04-01).
# A researcher cites the date: none beats a made-up one. It also hands its strings to
# dateparser in every language, about a fifth of the news crawl's reading time.
# Measured by `python -m bench page_metadata` (docs/benchmarks.md).
HTMLDATE_EXTENSIVE = False

_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "Report", "LiveBlogPosting", "SocialMediaPosting", "Posting"}
)
_PAGE_TYPES_SUFFIX = "Page"  # WebPage, ItemPage, AboutPage…

# Publication-date meta tags, matched case-insensitively on name / property / itemprop.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "date_published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "article_date_original",
    "publish-date",
    "publish_date",
    "publishdate",
    "published-date",
    "published_date",
    "pubdate",
    "originalpublicationdate",
    "rnews:datepublished",
    "og:pubdate",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
    "byl",
)
_TITLE_SUFFIX_SEPARATORS = " | ", " – ", " — ", " - ", " :: ", " « ", " » ", " · "


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself, each fact with the evidence it came from.

    ``published`` and ``modified`` are ISO 8601 (a bare day, or a datetime with the
    page's own offset); ``published_from`` is one of jsonld, meta, time, dateline,
    htmldate, url (None with no date); ``title_from`` is one of heading (the visible
    headline), jsonld, og, title.
    """

    published: str | None = None
    published_from: str | None = None
    modified: str | None = None
    title: str | None = None
    title_from: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None


# ------------------------------------------------------------------ date values
def _day_of(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def _acceptable(iso: str | None, latest: date) -> str | None:
    """*iso* when its day is a plausible publication day (not before 1995, not after
    the capture), else None."""
    if not iso:
        return None
    day = _day_of(iso)
    return iso if day and MIN_DATE <= day <= latest else None


def read_date_value(value: object) -> str | None:
    """ISO 8601 from a date as markup writes it: ISO (any offset style), compact
    ``20190507``, RFC 2822, or a written date ("May 7, 2019"; "07.05.2019" with the day
    first). Only full days count: a month or a year does not date an article."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    iso = normalize_iso(text)
    if iso:
        return iso
    if len(text) > 60:
        return None
    found = parse_date(text, day_first=None if re.search(r"[a-zA-Z]", text) else True)
    if found.start and found.precision in ("day", "datetime"):
        return found.start
    return None


# ------------------------------------------------------------------ JSON-LD
def _jsonld_blocks(tree: lxml.html.HtmlElement) -> list:
    """Every JSON-LD block of the page, each parsed on its own and repaired for the usual
    breakage (comment or CDATA wrappers, trailing commas), so one bad block does not hide
    the others."""
    blocks = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip()
        text = re.sub(r"^\s*(<!--|<!\[CDATA\[)|(-->|\]\]>)\s*$", "", text).strip()
        for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text)):
            try:
                blocks.append(json.loads(candidate, strict=False))
                break
            except json.JSONDecodeError:
                continue
    return blocks


def _types(node: dict) -> list[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [str(v).rsplit("/", 1)[-1] for v in values if v]


def _is_article(node: dict) -> bool:
    return any(t in _ARTICLE_TYPES or t.endswith("Article") for t in _types(node))


def _is_page(node: dict) -> bool:
    return any(t.endswith(_PAGE_TYPES_SUFFIX) for t in _types(node))


def _is_event(node: dict) -> bool:
    """schema.org Event and its subtypes (BusinessEvent, EducationEvent…)."""
    return any(t.endswith("Event") for t in _types(node))


def _top_nodes(value: object, depth: int = 0) -> Iterator[dict]:
    """The page's own typed objects: top-level ones, @graph members, and an article
    that is a page's ``mainEntity``; never the members of a list (a sidebar's related
    articles, breadcrumbs), which describe other pages."""
    if depth > 4:
        return
    if isinstance(value, list):
        for v in value:
            yield from _top_nodes(v, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(value.get(key), (list, dict)):
                yield from _top_nodes(value[key], depth + 1)


def _main_article(nodes: list[dict], url: str) -> dict | None:
    """The article the page is about: the one whose URL is the page's, else the first."""
    articles = [n for n in nodes if _is_article(n)]
    if not articles:
        return None
    path = _bare(url)
    for node in articles:
        for key in ("url", "mainEntityOfPage", "@id"):
            ref = node.get(key)
            ref = ref.get("@id") if isinstance(ref, dict) else ref
            if isinstance(ref, str) and path and _bare(ref) == path:
                return node
    return articles[0]


def _bare(url: str) -> str:
    """A URL reduced for comparison: no scheme, www, query, fragment, trailing slash."""
    url = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().lower())
    return re.split(r"[?#]", url)[0].rstrip("/")


def _name_of(value: object) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _name_of(v)]
    if isinstance(value, dict):
        name = clean_inline(value.get("name"))
        return [name] if name else []
    name = clean_inline(value) if isinstance(value, str) else None
    return [name] if name else []


# ------------------------------------------------------------------ meta and markup
def _meta_index(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every <meta> content by its lower-cased name, property, itemprop or http-equiv."""
    index: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                index.setdefault(key, []).append(content)
    return index


def _first_meta(index: dict[str, list[str]], names: Sequence[str]) -> str | None:
    for name in names:
        for value in index.get(name, ()):
            return value
    return None


_ELSEWHERE_MARKS = re.compile(
    r"(?:^|\s)(?:comments?|commentlist|sidebar|related|recommend\w*|teasers?|widgets?"
    r"|popular|respond|responses|disqus)(?:$|[-_\s])"
)


def _in_excluded(el: lxml.html.HtmlElement, *, strict: bool = True) -> bool:
    """Whether *el* sits in a part of the page that describes something else: comments,
    sidebars, related or recommended articles (by their conventional class names), and
    when *strict*, any <aside>, <footer> or <nav>. Next to the headline a theme's
    <aside class="meta"> holds the article's own dateline: the scan there is not strict."""
    for anc in (el, *el.iterancestors()):
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if strict and tag in ("aside", "footer", "nav"):
            return True
        marks = " ".join((anc.get("class") or "", anc.get("id") or "")).lower()
        if _ELSEWHERE_MARKS.search(marks) and not _wraps_a_sidebar(anc, marks):
            return True
    return False


_SIDEBAR_MARK = re.compile(r"sidebar")


def _wraps_a_sidebar(anc: lxml.html.HtmlElement, marks: str) -> bool:
    """Whether a container marked "sidebar" is the layout that holds the content beside
    its sidebar ("sidebar-wrapper" around the article and the sidebar): it holds
    another element marked as the sidebar. (An element read inside that inner sidebar
    meets it first, and is excluded there.)"""
    return bool(_SIDEBAR_MARK.search(marks)) and anc in _sidebar_wrappers(anc)


# The last document read and its sidebar wrappers, swapped whole (one tuple) so that a
# reader never pairs one document with another's wrappers.
_last_wrappers: tuple = (None, frozenset())


def _sidebar_wrappers(el: lxml.html.HtmlElement) -> frozenset:
    """The sidebar-marked elements of *el*'s document that hold another, found in one
    pass and kept for the document being read (only the last one is kept)."""
    global _last_wrappers
    root = el.getroottree().getroot()
    cached_root, wrappers = _last_wrappers
    if cached_root is root:
        return wrappers
    marked = set()
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        marks = " ".join((node.get("class") or "", node.get("id") or "")).lower()
        if _SIDEBAR_MARK.search(marks) and _ELSEWHERE_MARKS.search(marks):
            marked.add(node)
    wrappers = frozenset(a for node in marked for a in node.iterancestors() if a in marked)
    _last_wrappers = (root, wrappers)
    return wrappers


def _time_published(tree: lxml.html.HtmlElement, latest: date) -> str | None:
    """A ``<time>`` or itemprop element that marks the publication date, else the first
    ``<time datetime>`` of the main article, outside comments and sidebars."""
    marked = tree.xpath(
        "//*[@itemprop='datePublished' or @itemprop='dateCreated']"
        "|//time[@pubdate]|//abbr[contains(concat(' ', normalize-space(@class), ' '),"
        " ' published ')]"
    )
    for el in marked:
        if _in_excluded(el):
            continue
        value = el.get("datetime") or el.get("content") or el.get("title") or el.text_content()
        iso = _acceptable(read_date_value(value), latest)
        if iso:
            return iso
    articles = tree.xpath("//article")
    if len(articles) == 1 or (articles and tree.xpath("//article[.//h1]")):
        scope = (tree.xpath("//article[.//h1]") or articles)[0]
        for el in scope.iter("time"):
            if el.get("datetime") and not _in_excluded(el):
                iso = _acceptable(read_date_value(el.get("datetime")), latest)
                if iso:
                    return iso
                break
    return None


# Text that may hold a written day: 21.01.2022, 2022-01-21, 1. Februar 2022, May 7, 2019.
_DATE_SHAPE = re.compile(
    r"\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}\.?\s+[^\W\d]{3,}\.?,?\s+\d{4}|[^\W\d]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
)
# A dateline is short; a longer text that mentions a date is a sentence of the body.
_DATELINE_WORDS = 10
# The labels of a last-update date, which is not the publication's.
_UPDATED_LABEL = re.compile(
    r"updated|modified|last edited|aktualisiert|ge[äa]ndert|mis à jour|mise à jour"
    r"|modifi[ée]|actualizado|aggiornato",
    re.IGNORECASE,
)
# Scanning for the dateline stops once the body has begun: after this much paragraph
# text (a lede may come before the dateline).
_BODY_PARAGRAPH_CHARS = 400
_AFTER_HEADING, _BEFORE_HEADING = 80, 15


_LOGO_MARKS = re.compile(r"site-?title|logo|brand|site-?name|masthead")
# Parts of a heading that are not its words: a kicker or section name printed above
# the headline (a screen-reader label stays: it may be the headline's colon).
_NOT_HEADLINE_MARKS = re.compile(r"kicker|overline|topline|roofline|eyebrow|section|small(?=\s|$)")


def _is_site_logo(heading: lxml.html.HtmlElement) -> bool:
    """Whether a heading is the site's name (a theme's logo heading: marked as such,
    inside a link, or linking home), not the article's headline."""
    for el in (heading, *list(heading.iterancestors())[:3]):
        marks = " ".join((el.get("class") or "", el.get("id") or "")).lower()
        if _LOGO_MARKS.search(marks) or (el is not heading and el.tag == "a"):
            return True
    return any(
        "home" in (a.get("rel") or "").lower().split() or _is_home_link(a.get("href"))
        for a in heading.iter("a")
    )


def _is_home_link(href: str | None) -> bool:
    """Whether a link goes to a site's front page ("/", "https://host/"): a heading
    that links there is the site's name, the way themes print their logo."""
    if not href or not href.strip():
        return False
    parts = urlsplit(href.strip())
    return (
        parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and (bool(parts.netloc) or href.strip().startswith("/"))
    )


# A date that a heading begins or ends with, set off by a separator ("07.05.2019 - ").
_HEADING_DATE = r"(?:\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
_DATE_AT_START = re.compile(rf"^\s*{_HEADING_DATE}\s*[-–—|:·•]\s+(?=\S)")
_DATE_AT_END = re.compile(rf"\s+[-–—|·•]\s*{_HEADING_DATE}\s*$")
# Separators a heading neither starts nor ends with.
_LOOSE_SEPARATORS = " :|–—-·/•"


def _heading_text(heading: lxml.html.HtmlElement) -> str | None:
    """A heading's words, without the hidden labels and kickers its markup holds."""
    parts = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if el is not heading:
            marks = " ".join((el.get("class") or "", el.get("id") or "")).lower()
            if el.tag == "small" or _NOT_HEADLINE_MARKS.search(marks):
                parts.append(" ")
                if el.tail:
                    parts.append(el.tail)
                return
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            elif child.tail:
                parts.append(child.tail)
        if el is not heading and el.tail:
            parts.append(el.tail)

    walk(heading)
    text = clean_inline("".join(parts)) or ""
    # A date printed before or after the words is the dateline, not the headline.
    text = _DATE_AT_START.sub("", text)
    text = _DATE_AT_END.sub("", text)
    # A kicker taken out leaves its separator behind (": Headline").
    return clean_inline(text.strip(_LOOSE_SEPARATORS))


def _dateline_near_heading(
    heading: lxml.html.HtmlElement | None,
    latest: date,
    languages: Sequence[str] | None,
    day_first: bool | None,
) -> tuple[str | None, str | None]:
    """The date printed by the headline: a news page's dateline sits just after its
    headline (or just before it), ahead of the body. Reads the elements after the
    heading until the body's first long paragraph, then the few before it; a
    ``<time datetime>`` gives ("…", "time"), a written day ("dateline")."""
    if heading is None:
        return None, None
    inside = set(heading.iter())
    after, read = [], 0
    for el in islice(_following(heading), _AFTER_HEADING):
        if el in inside or el.tag in ("script", "style"):
            continue
        after.append(el)
        if el.tag == "p":
            read += len(el.text_content())
            if read > _BODY_PARAGRAPH_CHARS:
                break
    # The heading's ancestors come before it in document order but hold it: not read.
    holders = set(heading.iterancestors())
    before = [
        e
        for e in islice(_preceding(heading), _BEFORE_HEADING)
        if e.tag not in ("script", "style") and e not in holders
    ]
    # The article's first paragraph after the heading: its lede.
    lede = next((el for el in after if el.tag == "p"), None)
    # Nearest first, after the heading before before it at the same distance.
    order = [el for pair in zip_longest(after, before) for el in pair if el is not None]
    for el in order:
        if _in_excluded(el, strict=False) or _is_update(el):
            continue
        if el.tag == "time" and el.get("datetime"):
            iso = _acceptable(read_date_value(el.get("datetime")), latest)
            if iso:
                return iso, "time"
        iso = _date_attribute(el, latest)
        if iso:
            return iso, "dateline"
        for text in (el.text, el.tail):
            if text and _UPDATED_LABEL.search(text):
                continue
            iso = _dateline_day(text, latest, languages, day_first)
            if iso:
                return iso, "dateline"
        if el.tag == "p" and el is lede:
            iso = _dateline_day(_lede_head(el.text_content()), latest, languages, day_first)
            if iso:
                return iso, "dateline"
    return None, None


def _following(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The elements after ``el`` in document order, its own descendants first: walked
    from ``el``, so that reading the few by a headline costs a few, not the page."""
    yield from el.iterdescendants(lxml.etree.Element)
    node = el
    while node is not None:
        for sibling in node.itersiblings(lxml.etree.Element):
            yield from sibling.iter(lxml.etree.Element)
        node = node.getparent()


def _preceding(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The elements before ``el`` in document order, nearest first (its ancestors
    included, each where the document opens it)."""
    node = el
    while node is not None:
        for sibling in node.itersiblings(lxml.etree.Element, preceding=True):
            yield from _backwards(sibling)
        node = node.getparent()
        if node is not None:
            yield node


def _backwards(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The elements of ``el``'s subtree in reverse document order (its last descendant
    first, ``el`` itself last), without recursion."""
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(el, False)]
    while stack:
        node, opened = stack.pop()
        if opened:
            yield node
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in node.iterchildren(lxml.etree.Element))


# What ends a lede's dateline: "(7 May 2019) The…", "SAN DIEGO, May 7, 2019 — The…".
_LEDE_DATELINE_END = re.compile(r"\)|\s[-–—]{1,2}\s|:\s|/[A-Za-z]+/")
_LEDE_CHARS = 80


def _lede_head(text: str) -> str | None:
    """The dateline a news lede opens with, as agencies and press releases write it
    (a place and a day, or a day in brackets, ended by a dash, a colon or a bracket),
    without the sentence that follows."""
    text = " ".join(text.split())[:_LEDE_CHARS]
    end = _LEDE_DATELINE_END.search(text)
    return text[: end.start()].lstrip("( ") if end else None


# Attributes in which a script-driven theme keeps the date it shows (data-date,
# data-published, data-publish-date…); a last update's (data-modified) is not one.
_DATE_ATTRIBUTE = re.compile(r"^data-(?:[\w-]*-)?(?:date\w*|pub\w*)(?:-[\w-]*)?$")
_NOT_PUBLICATION_ATTRIBUTE = re.compile(r"modif|updat|expir|end|start|event")


def _date_attribute(el: lxml.html.HtmlElement, latest: date) -> str | None:
    """The day an element by the headline holds in a date attribute rather than in its
    text (a theme whose script renders ``data-date="18 March 2020"`` into a timeline
    or a relative "3 days ago"): read like a ``<time datetime>``, never a last update's
    or an event's attribute."""
    for name, value in el.attrib.items():
        name = name.lower()
        if not _DATE_ATTRIBUTE.match(name) or _NOT_PUBLICATION_ATTRIBUTE.search(name):
            continue
        iso = _acceptable(read_date_value(value), latest)
        if iso:
            return iso
    return None


def _is_update(el: lxml.html.HtmlElement) -> bool:
    """Whether an element holds the date of the last update, not of the publication:
    marked so (class, itemprop), or printed after an "Updated:" label."""
    marks = " ".join((el.get("class") or "", el.get("itemprop") or "")).lower()
    classes = set(marks.split())
    if "modified" in marks:
        return True
    # hAtom's "updated" class also marks the one date of themes that print no other
    # ("entry-date updated"): only an "updated" alone is an update.
    if "updated" in classes and not classes & {"entry-date", "published", "date-published"}:
        return True
    previous = el.getprevious()
    label = (
        previous.tail
        if previous is not None
        else (el.getparent().text if el.getparent() is not None else None)
    )
    return bool(label and _UPDATED_LABEL.search(label[-40:]))


# A written day with a two-digit year ("14 Gennaio 20", "3. Mai 21"), as datelines
# print it like their numeric "14.01.20".
_SHORT_YEAR = re.compile(r"\b(\d{1,2}\.?\s+[^\W\d]{3,}\.?,?\s+)(\d{2})(?![\d:.,/]|\s*[hH:])")


def _century(year: str, latest: date) -> str:
    """A two-digit year in full: the latest one not after the capture."""
    full = 2000 + int(year)
    return str(full if full <= latest.year else full - 100)


def _dateline_day(
    text: str | None, latest: date, languages: Sequence[str] | None, day_first: bool | None
) -> str | None:
    """The day a short dateline text gives ("21.01.2022 - 13:30", "1. Februar 2022,
    Name"); None for a sentence that mentions a date (an event's, in the body)."""
    text = " ".join((text or "").split())
    if not text or len(text.split()) > _DATELINE_WORDS:
        return None
    text = _SHORT_YEAR.sub(lambda m: m.group(1) + _century(m.group(2), latest), text)
    shape = _DATE_SHAPE.search(text)
    if not shape:
        return None
    found = parse_date(text, languages=languages, day_first=day_first)
    if not found.start:  # a place name before the day ("Pescara, 14 gennaio 2020")
        found = parse_date(shape.group(0), languages=languages, day_first=day_first)
    if found.precision not in ("day", "datetime"):
        return None
    return _acceptable(found.start, latest)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _names_site(part: str, site: str | None, host: str) -> bool:
    """Whether a part of a title is the site's name: og:site_name, or the host name's
    letters ("LA Weekly" on laweekly.com)."""
    letters = _letters(part)
    if not letters:
        return False
    if site and letters == _letters(site):
        return True
    labels = [_letters(label) for label in host.split(".") if label not in ("www", "m")]
    return any(len(letters) >= 4 and (letters == label or letters in label) for label in labels)


def _strip_site(title: str, site: str | None, host: str = "") -> str:
    """A title without the " | Site name" its page appends (or prepends)."""
    for sep in _TITLE_SUFFIX_SEPARATORS + (" : ",):
        head, _, tail = title.rpartition(sep)
        if head and _names_site(tail, site, host):
            return head.strip()
        tail, _, rest = title.partition(sep)
        if rest and _names_site(tail, site, host):
            return rest.strip()
    if site:
        for sep in _TITLE_SUFFIX_SEPARATORS:
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
            if title.startswith(site + sep):
                return title[len(site + sep) :].strip()
    return title


def _title_from_tag(title: str, headings: list[str], site: str | None, host: str = "") -> str:
    """<title> without its site-name part (named by og:site_name or the host), or the
    part of it that a heading or og:title repeats; else without what follows its last
    " | ", the usual site separator (a dash inside a headline is not one)."""
    title = _strip_site(title, site, host)
    folded = [h.casefold() for h in headings if h]
    for sep in _TITLE_SUFFIX_SEPARATORS:
        for part in (p.strip() for p in title.split(sep)):
            if part and part.casefold() in folded:
                return part
    head, sep, _ = title.rpartition(" | ")
    return head.strip() if sep and head.strip() else title


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _likeness(heading: str, declared: str) -> float:
    """How much of a heading the declared title repeats (share of its words), so that
    "Headline" matches "Headline | Site" and a section name does not."""
    mine = _words(heading)
    return len(mine & _words(declared)) / len(mine) if mine else 0.0


def _agreement(heading: str, declared: str, tag: str) -> float:
    """How well a heading and a declared title agree: the share of the heading's words
    the title repeats; for a lesser heading (<h2>, often a section's), also the share of
    the title's words it holds, so one word of the title does not make a headline."""
    mine = _likeness(heading, declared)
    return mine if tag == "h1" else min(mine, 2 * _likeness(declared, heading))


# A heading is the headline when the declared title repeats this share of its words.
_HEADLINE_LIKENESS = 0.6


def _headings(tree: lxml.html.HtmlElement, tag: str) -> list[tuple[lxml.html.HtmlElement, str]]:
    """The page's <h1> (or <h2>) with their text, outside sidebars, comments and
    navigation, without a theme's logo heading; those inside an <article> or <main>
    first."""
    found = []
    for el in tree.iter(tag):
        if _in_excluded(el) or _is_site_logo(el):
            continue
        text = _heading_text(el)
        if text:
            in_main = any(a.tag in ("article", "main") for a in el.iterancestors())
            found.append((not in_main, len(found), el, text))
    return [(el, text) for _, _, el, text in sorted(found)]


def _headline(
    tree: lxml.html.HtmlElement, declared: list[str], site: str | None
) -> tuple[lxml.html.HtmlElement | None, str | None, bool]:
    """The article's visible headline: the <h1> (else <h2>) that the declared titles
    (JSON-LD headline, og:title, <title>) repeat best, else the first <h1> that is not
    the site's name. The flag says whether a declared title confirms it."""
    first = None
    for tag in ("h1", "h2"):
        headings = [(el, text) for el, text in _headings(tree, tag) if text != site]
        best, best_score = None, 0.0
        for el, text in headings:
            score = max((_agreement(text, d, tag) for d in declared), default=0.0)
            if score > best_score:
                best, best_score = (el, text), score
        if best and best_score >= _HEADLINE_LIKENESS:
            return best[0], best[1], True
        if headings and first is None and (tag == "h1" or _h2_tops(tree, headings)):
            first = headings[0]
            if len(headings) == 1 and _speaks_of(first[1], declared):
                break  # the page's one top heading: no <h2> section outranks it
    if first:
        return first[0], first[1], False
    return _marked_headline(tree, site)


# The marks of a headline that is not an <h1>/<h2>: itemprop="headline", hAtom's
# "entry-title", a "headline" or "post-title" class (not a "subheadline").
_HEADLINE_MARKS = re.compile(
    r"(?:^|[\s_-])(?:headline|entry-title|post-title|article-title)(?=\s|$)"
)
# A headline is a line, not a paragraph.
_HEADLINE_WORDS = 30


def _marked_headline(
    tree: lxml.html.HtmlElement, site: str | None
) -> tuple[lxml.html.HtmlElement | None, str | None, bool]:
    """On a page with no <h1> and no <h2> to go by, the first element that its markup
    names the headline (schema.org microdata, hAtom, a theme's "headline" class),
    outside sidebars, comments and navigation: unconfirmed."""
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "script", "style", "body", "html"):
            continue
        marks = " ".join((el.get("class") or "", el.get("id") or "")).lower()
        if (el.get("itemprop") or "").lower() != "headline" and not _HEADLINE_MARKS.search(marks):
            continue
        if _in_excluded(el) or _is_site_logo(el):
            continue
        text = _heading_text(el)
        if text and text != site and len(text.split()) <= _HEADLINE_WORDS:
            return el, text, False
    return None, None, False


def _sole_headline(
    tree: lxml.html.HtmlElement,
    element: lxml.html.HtmlElement,
    text: str,
    declared: Sequence[str],
    site: str | None,
) -> bool:
    """Whether *element* is the page's one <h1> (besides a logo's, navigation's or the
    site's name), or its one <h2> on a page without an <h1>, and speaks of what a
    declared title speaks of: a page's single top heading is its headline, even when
    the declared titles are worded for search engines or for sharing (``_speaks_of``)."""
    if not _speaks_of(text, declared):
        return False
    if element.tag == "h2":
        headings = [(el, text) for el, text in _headings(tree, "h2") if text != site]
        return _h2_tops(tree, headings) and headings[0][0] is element
    return [el for el, text in _headings(tree, "h1") if text != site] == [element]


def _speaks_of(heading: str, declared: Sequence[str]) -> bool:
    """Whether a heading shares a word (of four letters or more) with a declared
    title: one that shares none is a label ("Breaking news", a section's name)."""
    return any(_topic_words(heading) & _topic_words(d) for d in declared)


def _topic_words(text: str) -> set[str]:
    """A text's words of four letters or more (not "a", "of", "the", "der")."""
    return {w for w in _words(text) if len(w) >= 4}


def _h2_tops(tree: lxml.html.HtmlElement, h2s: list) -> bool:
    """Whether a page's one <h2> is its top heading: the page has no <h1> at all (not
    even in a footer or a logo), so its outline starts there."""
    return len(h2s) == 1 and next(tree.iter("h1"), None) is None


# What htmldate must not see: comment threads, sidebars, related articles (class or id
# tokens that start with these words; "has-sidebar" on a layout wrapper is not one).
_PRUNE_MARKS = re.compile(
    r"(?:^|\s)(?:comments?|commentlist|sidebar|related|respond|responses|disqus)(?:$|[-_\s])"
)


def _article_only(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page without what describes other pages or later events: comment
    threads, sidebars, related articles, and the JSON-LD (already read for the page's
    own article: what is left there dates other things, such as a list's items).
    htmldate reads every date of what it is given, and would date an undated article by
    a comment or a sidebar item. (Pruning every <aside>, <nav> and <footer> too lost
    pages whose only date sits there.)"""
    copy = deepcopy(tree)
    doomed = []
    for el in copy.iter():
        if not isinstance(el.tag, str):
            continue
        marks = " ".join((el.get("class") or "", el.get("id") or "")).lower()
        if _PRUNE_MARKS.search(marks) or "ld+json" in (el.get("type") or "").lower():
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return copy


def _is_canonical(link: lxml.html.HtmlElement) -> bool:
    return "canonical" in (link.get("rel") or "").lower().split()


# ------------------------------------------------------------------ the ladder
def read_page_metadata(
    html: str | lxml.html.HtmlElement,
    url: str,
    *,
    captured: datetime | None = None,
    dateline: str | None = None,
    byline: str | None = None,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
    use_htmldate: bool = True,
) -> PageMetadata:
    """The page's publication date, modified date, title, authors and language.

    ``html``: the page (or its lxml tree, parsed once by the caller). ``url``: where it
    was read from. ``captured``: when it was fetched; no date after it is accepted
    (today when None). ``dateline``: the source's visible dateline, read by its spider,
    parsed with ``languages`` and ``day_first``. ``byline``: the source's byline text,
    likewise (an author when the page declares none). ``use_htmldate``: False skips that rung
    (for measuring the others). Never raises on any page; no date gives None.
    """
    tree = html if isinstance(html, lxml.html.HtmlElement) else parse_html_document(html)
    latest = captured.astimezone(UTC).date() if captured else datetime.now(UTC).date()
    meta = _meta_index(tree)
    nodes = [n for block in _jsonld_blocks(tree) for n in _top_nodes(block)]
    article = _main_article(nodes, url)
    pages = [n for n in nodes if _is_page(n)]
    site = clean_inline(_first_meta(meta, ("og:site_name", "application-name")))
    host = (urlsplit(url).hostname or "") if url else ""
    title, title_from, heading = _title(article, meta, tree, site, host)
    language = _language(tree, meta, article)
    langs = languages or ([language] if language else None)

    # An event's own page: the dates it shows (its <time>s, the line by its heading) are
    # the event's, not the page's publication.
    event_page = article is None and any(_is_event(n) for n in nodes)
    published, published_from = _declared_date(article, meta, tree, latest, event_page)
    shown, shown_from = (None, None)
    if not event_page:
        shown, shown_from = _shown_date(heading, dateline, latest, langs, day_first)
    if published and shown and shown[:10] != published[:10]:
        # The day the page prints by its headline is the one the publisher shows its
        # readers; a declared stamp that disagrees is a UTC instant past local
        # midnight, or the CMS's creation date of a page published later.
        published, published_from = shown, shown_from
    if not published and pages and article is None:
        # No article node: the page itself is the item (a WordPress page, a listing),
        # and its WebPage node's date is declared; a date by its heading may be the
        # first listed item's.
        published = _acceptable(read_date_value(pages[0].get("datePublished")), latest)
        published_from = "jsonld" if published else None
    if not published:
        published, published_from = shown, shown_from
    if not published and use_htmldate:
        found_day = find_date(
            _article_only(tree),
            original_date=True,
            extensive_search=HTMLDATE_EXTENSIVE,
            url=None,
            deferred_url_extractor=True,
            max_date=datetime(latest.year, latest.month, latest.day, 23, 59, 59),
        )
        published = _acceptable(found_day, latest)
        published_from = "htmldate" if published else None
    if not published:
        found = date_from_url(url)
        published = _acceptable(found.start, latest) if found.precision == "day" else None
        published_from = "url" if published else None

    modified = None
    for candidate in (
        (article or {}).get("dateModified"),
        _first_meta(meta, _MODIFIED_META),
    ):
        modified = _acceptable(read_date_value(candidate), latest)
        if modified:
            break

    canonical = next(
        (el.get("href") for el in tree.iter("link") if _is_canonical(el)),
        None,
    )
    return PageMetadata(
        published=published,
        published_from=published_from,
        modified=modified,
        title=title,
        title_from=title_from,
        authors=_authors(article, meta, tree, byline),
        language=language,
        canonical_url=canonical,
        site_name=site,
    )


def _shown_date(
    heading: lxml.html.HtmlElement | None,
    dateline: str | None,
    latest: date,
    languages: Sequence[str] | None,
    day_first: bool | None,
) -> tuple[str | None, str | None]:
    """The date the page shows its readers: the source's dateline (read by its spider)
    when it gives a day, else the dateline printed by the headline. (A search of the
    whole page for "Published on …" labels gained nothing on the real pages: left out.)"""
    if dateline:
        found = parse_date(dateline, languages=languages, day_first=day_first)
        if found.precision in ("day", "datetime"):
            iso = _acceptable(found.start, latest)
            if iso:
                return iso, "dateline"
    return _dateline_near_heading(heading, latest, languages, day_first)


def _declared_date(
    article: dict | None,
    meta: dict[str, list[str]],
    tree: lxml.html.HtmlElement,
    latest: date,
    event_page: bool = False,
) -> tuple[str | None, str | None]:
    if article is not None:
        for key in ("datePublished", "dateCreated"):
            iso = _acceptable(read_date_value(article.get(key)), latest)
            if iso:
                return iso, "jsonld"
    for name in _PUBLISHED_META:
        for value in meta.get(name, ()):
            iso = _acceptable(read_date_value(value), latest)
            if iso:
                return iso, "meta"
    iso = None if event_page else _time_published(tree, latest)
    return (iso, "time") if iso else (None, None)


_PART_SEPARATORS = re.compile(r"\s+[|–—·«»]\s+|\s+-\s+|\s*::\s*|:\s+")


def _shared_part(og: str, tag: str, site: str | None, host: str) -> str | None:
    """The part of og:title and <title> they agree on, when they differ: each adds its
    own kicker, section or site name around the headline ("Kicker: Headline" and
    "Site | Section: Headline"). That part must be og:title's longest, of two words or
    more, and not the site's name (a topic that both name is not the headline)."""
    og_parts = [p.strip() for p in _PART_SEPARATORS.split(og) if p.strip()]
    tag_parts = {p.strip().casefold() for p in _PART_SEPARATORS.split(tag) if p.strip()}
    if len(og_parts) < 2 or _strip_site(tag, site, host).casefold() == og.casefold():
        return None
    part = max(og_parts, key=lambda p: len(p.split()))
    if part.casefold() in tag_parts and len(part.split()) >= 2:
        return None if _names_site(part, site, host) else part
    return None


def _word_list(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _declared_form(heading: str, declared: Sequence[str]) -> str:
    """The visible headline as a declared title (JSON-LD headline, og:title, <title>,
    each without the site's name) spells it, when they agree:

    - the same characters spaced otherwise: the declared spelling (a heading built of
      nested elements gains spaces: "Kicker : Headline");
    - the heading is a declared title plus a few words before or after it, set off by
      punctuation (a kicker, a hidden "Headline:" label, a quoted catchphrase, a
      " | Site" the theme prints): the declared title, which the publisher gives as the
      headline. It must hold most of the heading's words, so a declared section or site
      name never wins; words that run on ("… and says …") are the headline's own.
    """
    squeezed = "".join(heading.split())
    for candidate in declared:
        if "".join(candidate.split()) == squeezed:
            return candidate
    spans = list(re.finditer(r"\w+", heading))
    words = [m.group(0).casefold() for m in spans]

    def frames(candidate: str) -> bool:
        part = _word_list(candidate)
        if not len(words) > len(part) > len(words) / 2:
            return False
        if words[: len(part)] == part:  # "Headline | Site", 'Headline "Quote"'
            return heading[spans[len(part) - 1].end() :].lstrip()[:1] in _SET_OFF
        if words[len(words) - len(part) :] == part:  # "Label: Headline", "Wow!Headline"
            return heading[: spans[len(words) - len(part)].start()].rstrip()[-1:] in _SET_OFF
        return False

    return max(filter(frames, declared), key=lambda c: len(_word_list(c)), default=heading)


# What sets a kicker off from the headline it precedes or follows.
_SET_OFF = frozenset(":|/–—-·•!?\"“”„«»‘’'()[].")


def _title(
    article: dict | None,
    meta: dict[str, list[str]],
    tree: lxml.html.HtmlElement,
    site: str | None,
    host: str,
) -> tuple[str | None, str | None, lxml.html.HtmlElement | None]:
    """(title, where from, the headline element). The visible headline when a declared
    title confirms it (what readers see; og:title and JSON-LD often carry an SEO
    variant), else the declared title (JSON-LD headline, og:title, <title> without the
    site's name), else the first heading."""
    og = clean_inline(_first_meta(meta, ("og:title", "twitter:title")))
    tag = clean_inline(" ".join(tree.xpath("//head/title//text()")) or None)
    jsonld = clean_inline((article or {}).get("headline"))
    declared = [t for t in (jsonld, og, tag) if t]
    element, heading, confirmed = _headline(tree, declared, site)
    # Without og:site_name, the logo heading names the site ("Headline - Site name").
    site = site or next(
        (_heading_text(el) for el in tree.iter("h1") if _is_site_logo(el) and _heading_text(el)),
        None,
    )
    if heading and (
        confirmed or not (jsonld or og) or _sole_headline(tree, element, heading, declared, site)
    ):
        # A <title> alone is often the site's name: an <h1> says more.
        stripped = [_strip_site(t, site, host) for t in declared]
        return _declared_form(heading, stripped), "heading", element
    shared = None if jsonld or not (og and tag) else _shared_part(og, tag, site, host)
    candidates = [
        ("jsonld", _strip_site(jsonld, site, host) if jsonld else None),
        ("og", shared),
        ("og", _strip_site(og, site, host) if og else None),
        ("title", _title_from_tag(tag, [heading or "", og or ""], site, host) if tag else None),
        ("heading", heading),
    ]
    for source, value in candidates:
        if value:
            return value, source, element
    return None, None, element


def _authors(
    article: dict | None,
    meta: dict[str, list[str]],
    tree: lxml.html.HtmlElement,
    byline: str | None,
) -> tuple[str, ...]:
    """The article's authors: its JSON-LD author names, else the author meta tags, else
    the source's byline (read by its spider, without "By"/"Par"), else the byline
    trafilatura's author reader finds in the page (bylines, rel=author, author
    classes); cleaned of "By"/"Von" and split into names. (The page's byline
    before the meta tags was 1.5 points better on the real pages, at a third more time.)
    """
    names = _name_of((article or {}).get("author"))
    if not names:
        for key in _AUTHOR_META:
            values = [v for v in meta.get(key, ()) if not v.startswith("http")]
            if values:
                found = normalize_authors(None, "; ".join(values))
                names = found.split("; ") if found else []
                break
    if not names and byline:
        names = [re.sub(r"^(?:by|par|von)\s+", "", byline.strip(), flags=re.IGNORECASE)]
    if not names:
        found = extract_author(tree)
        names = found.split("; ") if found else []
    return tuple(dict.fromkeys(n for n in (clean_inline(n) for n in names) if n))


def _language(
    tree: lxml.html.HtmlElement, meta: dict[str, list[str]], article: dict | None
) -> str | None:
    """Primary subtag of <html lang>, else of the content-language meta, og:locale or
    the article's inLanguage ("fr-FR", "fr_FR" -> "fr")."""
    values = [
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "",
        _first_meta(meta, ("content-language", "language", "dc.language")) or "",
        _first_meta(meta, ("og:locale",)) or "",
        str((article or {}).get("inLanguage") or ""),
    ]
    for value in values:
        primary = re.split(r"[-_,;\s]", value.strip())[0].lower()
        if re.fullmatch(r"[a-z]{2,3}", primary):
            return primary
    return None
