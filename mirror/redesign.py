"""A redesigned theme for every mirror site: what a reader meets the day a site changes its look.

`MirrorConfig(redesign=True)` (``partnews mirror --redesign``) wraps each folder site in
`Redesigned`, which rewrites the site's HTML pages in one place, after the CMS emulator
has rendered them:

* every class token and every id gets a new, stable, hash-derived name (fragment links,
  ``for`` and ``aria-*`` references follow their ids), so no selector written against the
  old theme's class names or ids matches anything;
* every visible dateline moves: the outermost element that is a ``<time>`` or whose class
  names a date (``…date…``, ``…created…``, ``…posted…``, ``…byline…``) leaves its place
  for a footer line at the end of its listing row, or, on a page that is one item, at
  the end of the main content (after the body); a dateline that was not a ``<time>``
  also changes element type (``<div>`` becomes ``<p>``, ``<span>`` becomes ``<small>``…).

What a real site keeps through a redesign stays as it was: the ``<head>`` and its meta
tags, JSON-LD and other scripts, ``<time datetime>`` elements (moved, not changed),
microdata attributes, ``rel`` links, every URL and text. Feeds, sitemaps, APIs, iCal
exports and redirects are not HTML pages and are served byte for byte.
"""

from __future__ import annotations

import copy
import hashlib
import html
import re

import lxml.html
from lxml import etree

from mirror.site import MirrorRequest, MirrorResponse

# A class token naming one of these is a dateline (or a byline that carries the date).
DATELINE_WORDS = ("date", "created", "posted", "byline")
# Elements never treated as a dateline, whatever their class says: they hold a page.
NOT_DATELINES = frozenset({"html", "head", "body", "main", "article", "header", "footer"})
HEADINGS = ".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"
# The element type a moved dateline takes in the new theme.
NEW_TAG = {"div": "p", "p": "div", "span": "small", "small": "span", "abbr": "span"}
BLOCK_TAGS = frozenset({"div", "p", "section", "ul", "ol", "table", "figure", "h1", "h2", "h3"})
# Attributes whose value is a list of ids.
ID_REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls", "headers")
DATELINE_FOOTER = "redesign-dateline"
# Attributes libxml2's HTML serializer treats as URLs, and what it would escape in them.
URL_ATTRIBUTES = ("href", "src", "action", "name")
UNSAFE_IN_URL = re.compile(r"[^\x21-\x7e]")


def new_name(name: str) -> str:
    """The redesigned theme's name for an old class or id: stable, and unlike any old one."""
    return "rd-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def is_dateline(element: etree._Element) -> bool:
    """A <time>, or an element whose class names a date and that holds no heading."""
    if element.tag == "time":
        return True
    if element.tag in NOT_DATELINES:
        return False
    named = any(word in token.lower() for token in classes(element) for word in DATELINE_WORDS)
    return named and not element.xpath(HEADINGS)


def datelines(body: etree._Element) -> list[etree._Element]:
    """The outermost dateline elements of the page's body, in document order."""
    found: list[etree._Element] = []
    chosen: set[etree._Element] = set()
    for element in body.iter(etree.Element):
        if element.tag in ("script", "style", "template"):
            continue
        if is_dateline(element) and not any(a in chosen for a in element.iterancestors()):
            found.append(element)
            chosen.add(element)
    return found


def is_repeated(element: etree._Element) -> bool:
    """A listing row: a sibling of the same type shares a class token with it (or both
    have none), as the rows of a view, an archive or a widget list do."""
    parent = element.getparent()
    if parent is None:
        return False
    own = set(classes(element))
    for sibling in parent:
        if sibling is element or sibling.tag != element.tag:
            continue
        theirs = set(classes(sibling))
        if own & theirs or (not own and not theirs):
            return True
    return False


def container_of(element: etree._Element, body: etree._Element) -> etree._Element:
    """Where a dateline's footer goes: its listing row, else the main content."""
    for ancestor in element.iterancestors():
        if ancestor is body:
            break
        if is_repeated(ancestor):
            return ancestor
    main = body.find(".//main")
    return main if main is not None else body


def retype(element: etree._Element) -> None:
    """Give a moved dateline another element type; a <time> stays one (its datetime is
    the machine-readable evidence a real redesign keeps)."""
    if element.tag == "time":
        return
    new = NEW_TAG.get(element.tag, "div")
    descendants = element.iterdescendants(etree.Element)
    if new == "p" and any(child.tag in BLOCK_TAGS for child in descendants):
        new = "section"  # a <p> cannot hold the blocks it would hold
    element.tag = new


def move_datelines(body: etree._Element) -> int:
    """Move every dateline to a footer line at the end of its row or of the main content.

    Returns how many moved. The text after a moved element stays where it was.
    """
    moved = 0
    footers: dict[etree._Element, etree._Element] = {}
    for element in datelines(body):
        container = container_of(element, body)
        if container not in footers:
            footers[container] = etree.SubElement(container, "footer")
            footers[container].set("class", DATELINE_FOOTER)
        footer = footers[container]
        clone = copy.deepcopy(element)
        clone.tail = None
        retype(clone)
        element.drop_tree()  # lxml.html: removes the element, keeps its tail text
        if len(footer):
            footer[-1].tail = " "
        footer.append(clone)
        moved += 1
    return moved


def rename_classes_and_ids(root: etree._Element) -> None:
    """Every class token and id renamed, with the references to ids kept pointing right."""
    for element in root.iter(etree.Element):
        tokens = classes(element)
        if tokens:
            element.set("class", " ".join(new_name(t) for t in tokens))
        if element.get("id"):
            element.set("id", new_name(element.get("id")))
        for name in ID_REFERENCES:
            if element.get(name):
                element.set(name, " ".join(new_name(i) for i in element.get(name).split()))
        href = element.get("href")
        if href and href.startswith("#") and len(href) > 1:
            element.set("href", "#" + new_name(href[1:]))


def protect_urls(root: etree._Element) -> dict[str, str]:
    """Swap every URL attribute that libxml2 would percent-encode on output (spaces,
    non-ASCII letters) for a placeholder; returns placeholder -> original value.

    A redesign keeps every URL as the site wrote it, so the serializer must not touch them.
    """
    originals: dict[str, str] = {}
    for element in root.iter(etree.Element):
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None and UNSAFE_IN_URL.search(value):
                placeholder = f"rd-url-{len(originals)}"
                originals[placeholder] = value
                element.set(name, placeholder)
    return originals


def redesign_html(body: bytes) -> bytes:
    """One HTML page in the redesigned theme (UTF-8 in, UTF-8 out)."""
    parser = lxml.html.HTMLParser(encoding="utf-8")
    root = lxml.html.document_fromstring(body, parser=parser)
    page_body = root.find("body")
    if page_body is not None:
        move_datelines(page_body)
    rename_classes_and_ids(root)
    originals = protect_urls(root)
    doctype = root.getroottree().docinfo.doctype
    text = lxml.html.tostring(root, encoding="unicode", doctype=doctype or None)
    for placeholder, value in originals.items():
        text = text.replace(f'"{placeholder}"', '"' + html.escape(value, quote=True) + '"', 1)
    return text.encode("utf-8")


def is_html_page(response: MirrorResponse) -> bool:
    """An HTML document worth redesigning (not an empty redirect, not a feed)."""
    if not response.content_type.lower().startswith("text/html"):
        return False
    return re.search(rb"<html[\s>]", response.body[:2048], re.IGNORECASE) is not None


class Redesigned:
    """A mirror site served through the redesigned theme; everything else is the site's."""

    def __init__(self, site) -> None:
        self.site = site
        self.hosts: tuple[str, ...] = site.hosts

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        response = self.site.handle(request)
        if response is None or not is_html_page(response):
            return response
        response.body = redesign_html(response.body)
        return response

    def __getattr__(self, name: str):
        # reload() and the emulator's other attributes, for callers that use them
        return getattr(self.site, name)
