"""A Drupal 9 site for the local mirror, driven by its site.toml and theme.

`DrupalSite` renders a multilingual Drupal 9 news site from a content folder (see
tests/sites/www.investinprovence.com/README.md for the format) the way Drupal with
pathauto, redirect, views and simple_sitemap answers: path aliases per language, a
default language without prefix, raw `/de/node/N` paths, views listings with the
zero-based `?page=N` pager, the front-page RSS feed, robots.txt and sitemap.xml.
Only the URL shapes and markup the crawler meets are reproduced; everything else is 404.

Sites differ by their theme (site.toml `theme`): templates in templates/drupal/<theme>/
override the default ones (investinprovence.com's) by name, the way a Drupal theme
overrides twig templates, so each site keeps its own markup: a text dateline
(investinprovence.com), a `<time datetime>` whose text Drupal leaves to the browser
(marseille.fr), a byline with a `<time>` (sandiego.gov). Nodes are news (listed, in
the feed) or basic pages (only at their alias and in the sitemap).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from mirror.content import aware, body_blocks, read_content_file, read_settings
from mirror.dates import iso_utc_z, rfc2822
from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse

MONTHS = {
    "en": "January February March April May June July August September October November December",
    # Drupal's French interface translation capitalises month names in "d F Y".
    "fr": "Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}

# Drupal interface strings this site shows, per interface language (core translations).
UI = {
    "en": {
        "home": "Home",
        "first": "« First",
        "previous": "‹ Previous",
        "next": "Next ›",
        "last": "Last »",
        "go_first": "Go to first page",
        "go_previous": "Go to previous page",
        "go_next": "Go to next page",
        "go_last": "Go to last page",
        "go_page": "Go to page",
        "current": "Current page",
        "page": "Page",
        "pagination": "Pagination",
        "breadcrumb": "Breadcrumb",
        "skip": "Skip to main content",
        "read_more": "Read more",
    },
    "fr": {
        "home": "Accueil",
        "first": "« Premier",
        "previous": "‹ Précédent",
        "next": "Suivant ›",
        "last": "Dernier »",
        "go_first": "Aller à la première page",
        "go_previous": "Aller à la page précédente",
        "go_next": "Aller à la page suivante",
        "go_last": "Aller à la dernière page",
        "go_page": "Aller à la page",
        "current": "Page courante",
        "page": "Page",
        "pagination": "Pagination",
        "breadcrumb": "Fil d'Ariane",
        "skip": "Aller au contenu principal",
        "read_more": "Lire la suite",
    },
    "de": {
        "home": "Startseite",
        "first": "« Erste Seite",
        "previous": "‹ Vorherige Seite",
        "next": "Nächste Seite ›",
        "last": "Letzte Seite »",
        "go_first": "Zur ersten Seite",
        "go_previous": "Zur vorherigen Seite",
        "go_next": "Zur nächsten Seite",
        "go_last": "Zur letzten Seite",
        "go_page": "Zur Seite",
        "current": "Aktuelle Seite",
        "page": "Seite",
        "pagination": "Seitennummerierung",
        "breadcrumb": "Pfad",
        "skip": "Direkt zum Inhalt",
        "read_more": "Weiterlesen",
    },
}

NODE_PATH = re.compile(r"/node/(\d+)")
TERM_PATH = re.compile(r"/taxonomy/term/(\d+)")


@dataclass(frozen=True)
class Term:
    """A taxonomy term; untranslated names fall back to the term's own language."""

    tid: int
    names: dict[str, str]
    langcode: str = "en"

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names[self.langcode]


@dataclass(frozen=True)
class NodeVersion:
    """One language version (translation) of a node: what one alias shows."""

    nid: int
    langcode: str
    title: str
    alias: str
    created: datetime
    changed: datetime
    terms: tuple[int, ...] = ()
    standfirst: str | None = None
    photo: str | None = None
    caption: str | None = None
    body: tuple[str, ...] = ()  # HTML blocks, one paragraph (or <h2>, <ul>…) each
    # Also served at /de/node/N: English text, German interface (see sources.md §1.2).
    also_de: bool = False
    # "news" (in the listings and the feed) or "page" (a basic page: alias and sitemap only).
    type: str = "news"
    # The byline's author, for themes that show one.
    author: str | None = None


@dataclass
class DrupalContent:
    """Everything read from a site's content folder."""

    settings: dict
    terms: dict[int, Term]
    versions: list[NodeVersion]
    by_alias: dict[str, NodeVersion] = field(default_factory=dict)
    by_nid: dict[int, dict[str, NodeVersion]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for version in self.versions:
            self.by_alias[version.alias] = version
            self.by_nid.setdefault(version.nid, {})[version.langcode] = version


# --- reading the content folder -------------------------------------------------------


def load_node(path: Path) -> NodeVersion:
    """Read one node file (one language version of one node)."""
    meta, body = read_content_file(path)
    created = aware(meta["created"])
    return NodeVersion(
        nid=int(meta["nid"]),
        langcode=meta["langcode"],
        title=meta["title"],
        alias=meta["alias"],
        created=created,
        changed=aware(meta.get("changed", created)),
        terms=tuple(int(tid) for tid in meta.get("terms", ())),
        standfirst=meta.get("standfirst"),
        photo=meta.get("photo"),
        caption=meta.get("caption"),
        body=body_blocks(body),
        also_de=bool(meta.get("also_de", False)),
        type=meta.get("type", "news"),
        author=meta.get("author"),
    )


def load_content(folder: Path) -> DrupalContent:
    """Read site.toml and every nodes/*.md of a site folder."""
    settings = read_settings(folder)
    terms = {
        int(tid): Term(int(tid), dict(names), settings.get("term_langcode", "en"))
        for tid, names in settings.get("terms", {}).items()
    }
    versions = [load_node(path) for path in sorted((folder / "nodes").glob("*.md"))]
    for version in versions:
        unknown = set(version.terms) - set(terms)
        if unknown:
            raise ValueError(f"node {version.nid} ({version.langcode}): unknown terms {unknown}")
    return DrupalContent(settings, terms, versions)


# --- small pure helpers -----------------------------------------------------------------


def format_date(moment: datetime, lang: str, pattern: str = "d F Y") -> str:
    """A Drupal date format in the interface language.

    "d F Y" (the default): "05 May 2022", "28 Januar 2019"; "F j, Y": "November 24, 2015".
    """
    month = MONTHS[lang].split()[moment.month - 1]
    if pattern == "F j, Y":
        return f"{month} {moment.day}, {moment.year}"
    if pattern == "d F Y":
        return f"{moment.day:02d} {month} {moment.year}"
    raise ValueError(f"unsupported date format {pattern!r}")


def plain_text(html: str) -> str:
    """Tags stripped and whitespace collapsed, for teasers and descriptions."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def trim_text(text: str, max_length: int) -> str:
    """Drupal's Unicode::truncate(word-safe, ellipsis): at most max_length characters, "…" last.

    Views' "Trim to max length" cuts on the last word boundary and appends a single "…"
    character, which is how the listing teasers end.
    """
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def sort_key(name: str) -> str:
    """Case- and accent-insensitive order, as the term list in the dateline is sorted."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def page_number(query: dict[str, list[str]]) -> int:
    """The zero-based ?page=N; Drupal reads anything not a non-negative integer as 0."""
    value = (query.get("page") or ["0"])[0].strip()
    return int(value) if value.isdigit() else 0


def page_count(total: int, per_page: int) -> int:
    """How many pages a listing of `total` rows has (at least 1, as Drupal's pager counts)."""
    return max(1, -(-total // per_page))


def pager_window(current: int, last: int, quantity: int = 9) -> range:
    """The page numbers a Drupal full pager lists around the current page (zero-based)."""
    middle = quantity // 2
    first = max(0, min(current - middle, last - quantity + 1))
    return range(first, min(last, first + quantity - 1) + 1)


def utc(moment: datetime | None) -> datetime | None:
    """The same instant in UTC, the form Last-Modified is compared in."""
    return moment.astimezone(UTC) if moment else None


def image_token(path: str) -> str:
    """A stable stand-in for Drupal's image style ?itok= token."""
    return hashlib.sha256(path.encode()).hexdigest()[:8]


def newest_first(versions) -> list[NodeVersion]:
    """The views' sort: newest created first, the higher node id first on a tie."""
    return sorted(versions, key=lambda v: (v.created, v.nid), reverse=True)


def theme_templates(theme: str | None) -> Environment:
    """The template environment of a theme: its own templates first, then the defaults.

    A theme folder (templates/drupal/<theme>/) only holds the templates it changes, as a
    Drupal sub-theme does; robots.txt, rss.xml and sitemap.xml are the same everywhere.
    """
    loaders = [PackageLoader("mirror", "templates/drupal")]
    if theme:
        loaders.insert(0, PackageLoader("mirror", f"templates/drupal/{theme}"))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --- the site ---------------------------------------------------------------------------


class DrupalSite:
    """A Drupal 9 news site read from a content folder (see the folder's README.md).

    The default language has no path prefix; others use "/<langcode>". Each node version
    is served at its alias; /node/N and /<lang>/node/N redirect there (redirect module),
    and English versions marked `also_de` are also served at /de/node/N.
    """

    hosts: tuple[str, ...] = ()

    def __init__(self, config: MirrorConfig, folder: Path, hosts: tuple[str, ...] = ()) -> None:
        self.config = config
        self.folder = Path(folder)
        self.reload()
        self.hosts = tuple(hosts or self.settings["hosts"])
        self.templates = theme_templates(self.settings.get("theme"))

    def reload(self) -> None:
        """Re-read the content folder (tests edit content between crawls)."""
        self.content = load_content(self.folder)
        self.settings = self.content.settings
        self.base_url = self.settings["base_url"].rstrip("/")
        self.default_language = self.settings["default_language"]
        self.per_page = int(self.settings.get("rows_per_page", 10))
        self.feed_items = int(self.settings.get("feed_items", 10))
        self.date_format = self.settings.get("date_format", "d F Y")

    # -- URLs

    def prefix(self, lang: str) -> str:
        """The path prefix of an interface language ("" for the default one)."""
        return "" if lang == self.default_language else f"/{lang}"

    def absolute(self, path: str) -> str:
        """Absolute URL on the configured base_url, whatever host the request used."""
        return self.base_url + path

    def language_of_path(self, path: str) -> tuple[str, str]:
        """Split "/en/node/5" into ("en", "/node/5"); unprefixed paths are the default language."""
        for lang in self.settings["languages"]:
            prefix = self.prefix(lang)
            if prefix and (path == prefix or path.startswith(prefix + "/")):
                return lang, path[len(prefix) :] or "/"
        return self.default_language, path

    # -- queries

    def versions_in(self, lang: str) -> list[NodeVersion]:
        """The node versions a listing in `lang` shows, newest first (the view's sort)."""
        if lang == "de":
            rows = [v for v in self.content.versions if v.also_de]
        else:
            rows = [v for v in self.content.versions if v.langcode == lang]
        return newest_first(v for v in rows if v.type == "news")

    def url_of(self, version: NodeVersion, lang: str) -> str:
        """Root-relative URL of a node version shown with the `lang` interface."""
        return f"/de/node/{version.nid}" if lang == "de" else version.alias

    # -- dispatch

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        """Route one request as Drupal would; None is a 404."""
        path = request.path
        if path == "/robots.txt":
            return self.robots()
        if path == "/sitemap.xml":
            return self.sitemap()
        if path != "/" and path.endswith("/"):
            # Drupal routes "/x/" like "/x"; the redirect module then normalises the URL.
            bare = MirrorRequest(request.method, request.host, path.rstrip("/"), {}, {})
            if self.handle(bare) is None:
                return None
            query = urlencode(request.query, doseq=True)
            return self.redirect(bare.path + (f"?{query}" if query else ""))
        if path in self.content.by_alias:
            version = self.content.by_alias[path]
            return self.article(version, version.langcode)
        lang, inner = self.language_of_path(path)
        if inner == "/rss.xml":
            if path == "/rss.xml":
                return self.feed(None)
            return self.feed(lang) if lang in self.settings["listings"] else None
        if path == self.listing_path_or_none(lang) or (inner == "/" and lang != "de"):
            return self.listing(lang, request.query, path)
        if match := NODE_PATH.fullmatch(inner):
            return self.node_path(int(match.group(1)), lang)
        if match := TERM_PATH.fullmatch(inner):
            return self.term_listing(int(match.group(1)), lang, request.query, path)
        return None

    def listing_path_or_none(self, lang: str) -> str | None:
        """The news view's path in a language, if that language has one."""
        listing = self.settings["listings"].get(lang)
        return listing["path"] if listing else None

    # -- responses

    def html(
        self, template: str, last_modified: datetime | None, lang: str, **context: object
    ) -> MirrorResponse:
        """Render a page template and send it with Drupal's headers."""
        body = self.templates.get_template(template).render(
            site=self.settings, base_url=self.base_url, lang=lang, ui=UI[lang], **context
        )
        return MirrorResponse(
            body=body.encode("utf-8"),
            last_modified=utc(last_modified),
            headers={
                "X-Generator": "Drupal 9 (https://www.drupal.org)",
                "Content-Language": lang,
            },
        )

    def redirect(self, path: str) -> MirrorResponse:
        """A 301 as the redirect module sends it (absolute URL on the configured base_url)."""
        location = self.absolute(path)
        body = (
            '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="UTF-8" />\n'
            f'        <meta http-equiv="refresh" content="0;url=\'{location}\'" />\n'
            f"        <title>Redirecting to {location}</title>\n    </head>\n    <body>\n"
            f'        Redirecting to <a href="{location}">{location}</a>.\n    </body>\n</html>'
        )
        return MirrorResponse(status=301, body=body.encode(), headers={"Location": location})

    def node_path(self, nid: int, lang: str) -> MirrorResponse | None:
        """/node/N and /en/node/N redirect to the alias; /de/node/N is served as is."""
        versions = self.content.by_nid.get(nid)
        if not versions:
            return None
        if lang == "de":
            english = versions.get("en")
            return self.article(english, "de") if english and english.also_de else None
        version = versions.get(lang) or versions.get(self.default_language)
        version = version or next(iter(versions.values()))
        return self.redirect(version.alias)

    def article(self, version: NodeVersion, lang: str) -> MirrorResponse:
        """A node's full page; `lang` is the interface language (the path's, not the text's)."""
        translations = self.content.by_nid[version.nid]
        url = self.url_of(version, lang)
        alternates = []
        if lang != "de" and len(translations) > 1:
            alternates = [
                (code, self.absolute(other.alias)) for code, other in sorted(translations.items())
            ]
        terms = sorted(
            (self.content.terms[tid] for tid in version.terms),
            key=lambda term: sort_key(term.name(lang)),
        )
        listing = self.settings["listings"].get(lang)
        breadcrumb = [(UI[lang]["home"], self.prefix(lang) or "/")]
        if listing:
            breadcrumb.append((listing["title"], listing["path"]))
        description = version.standfirst or trim_text(plain_text(" ".join(version.body)), 300)
        return self.html(
            "article.html" if version.type == "news" else "basic_page.html",
            version.changed,
            lang,
            node=version,
            url=url,
            canonical=self.absolute(url),
            shortlink=self.absolute(f"/node/{version.nid}"),
            alternates=alternates,
            title=version.title,
            description=description,
            date=format_date(version.created, lang, self.date_format),
            created_iso=iso_utc_z(version.created),
            changed_iso=iso_utc_z(version.changed),
            terms=[
                (term.name(lang), f"{self.prefix(lang)}/taxonomy/term/{term.tid}") for term in terms
            ],
            photo_url=self.photo_url(version),
            image_token=image_token(version.photo or ""),
            body=Markup("\n".join(version.body)),
            breadcrumb=breadcrumb,
            menu=self.menu(lang),
            feed=None,
            body_class=f"path-node page-node-type-{version.type}",
            current_path=f"node/{version.nid}",
            is_front=False,
        )

    def menu(self, lang: str) -> list[list[str]]:
        """The main menu links of an interface language (English, else the default one's,
        where none is set)."""
        menus = self.settings["menu"]
        return menus.get(lang) or menus.get("en") or menus[self.default_language]

    def photo_url(self, version: NodeVersion) -> str | None:
        """Where Drupal's image style serves the node's photo (root-relative)."""
        if not version.photo:
            return None
        return f"/sites/default/files/styles/news_full/public/{version.photo}"

    def rows(self, versions: list[NodeVersion], lang: str) -> list[dict]:
        """What a listing row shows: title link, date, teaser cut with "…"."""
        length = int(self.settings.get("teaser_length", 200))
        return [
            {
                "title": v.title,
                "url": self.url_of(v, lang),
                "hreflang": v.langcode,
                "date": format_date(v.created, lang, self.date_format),
                "date_iso": iso_utc_z(v.created),
                "teaser": trim_text(plain_text(" ".join(v.body)), length),
            }
            for v in versions
        ]

    def listing(self, lang: str, query: dict[str, list[str]], path: str) -> MirrorResponse:
        """The news view (and the front page): 10 rows a page, ?page=N zero-based."""
        listing = self.settings["listings"][lang]
        is_front = path == (self.prefix(lang) or "/")
        title = UI[lang]["home"] if is_front else listing["title"]
        return self.view_page(self.versions_in(lang), lang, query, path, title, listing["empty"])

    def term_listing(
        self, tid: int, lang: str, query: dict[str, list[str]], path: str
    ) -> MirrorResponse | None:
        """The taxonomy term view: the nodes tagged with a term, in the page's language."""
        term = self.content.terms.get(tid)
        if term is None:
            return None
        versions = [v for v in self.versions_in(lang) if tid in v.terms]
        listing = self.settings["listings"].get(lang) or self.settings["listings"]["en"]
        return self.view_page(versions, lang, query, path, term.name(lang), listing["empty"])

    def view_page(
        self,
        versions: list[NodeVersion],
        lang: str,
        query: dict[str, list[str]],
        path: str,
        title: str,
        empty: str,
    ) -> MirrorResponse:
        """One page of a views listing; a page past the end shows the empty text (200)."""
        page = page_number(query)
        total_pages = page_count(len(versions), self.per_page)
        shown = versions[page * self.per_page : (page + 1) * self.per_page]
        pager = None
        if shown and total_pages > 1:
            pager = {
                "current": page,
                "last": total_pages - 1,
                "pages": list(pager_window(page, total_pages - 1)),
            }
        newest = max((v.changed for v in shown), default=None)
        listing = self.settings["listings"].get(lang) or {}
        breadcrumb = [(UI[lang]["home"], self.prefix(lang) or "/")]
        if listing and path != listing.get("path") and path != (self.prefix(lang) or "/"):
            breadcrumb.append((listing["title"], listing["path"]))
        is_front = path == (self.prefix(lang) or "/")
        feed_path = "/rss.xml" if lang == self.default_language else f"/{lang}/rss.xml"
        return self.html(
            "listing.html",
            newest,
            lang,
            title=title,
            url=path,
            canonical=self.absolute(path + (f"?page={page}" if page else "")),
            shortlink=None,
            alternates=[],
            description=None,
            node=None,
            rows=self.rows(shown, lang),
            empty=empty,
            pager=pager,
            breadcrumb=breadcrumb,
            menu=self.menu(lang),
            feed=self.absolute(feed_path) if lang != "de" else None,
            body_class="path-frontpage" if is_front else "path-news",
            current_path="node" if is_front else path.strip("/"),
            is_front=is_front,
            view_dom_id=hashlib.sha256(path.encode()).hexdigest()[:64],
        )

    def feed(self, lang: str | None) -> MirrorResponse:
        """Drupal's front-page RSS: /rss.xml every language, /en/rss.xml English only."""
        if lang is None:
            versions = newest_first(v for v in self.content.versions if v.type == "news")
            feed_lang = self.default_language
        else:
            versions = self.versions_in(lang)
            feed_lang = lang
        items = versions[: self.feed_items]
        rows = self.rows(items, feed_lang)
        body = self.templates.get_template("rss.xml").render(
            site=self.settings,
            front=self.absolute(self.prefix(feed_lang) or "/"),
            lang=feed_lang,
            items=[
                {
                    "title": version.title,
                    "link": self.absolute(version.alias),
                    "description": f"<p>{row['teaser']}</p>",
                    "pubdate": rfc2822(version.created),
                    "guid": f"{version.nid} at {self.base_url}",
                }
                for version, row in zip(items, rows, strict=True)
            ],
        )
        return MirrorResponse(
            body=body.encode("utf-8"),
            content_type="application/rss+xml; charset=utf-8",
            last_modified=utc(max((v.changed for v in items), default=None)),
        )

    def sitemap(self) -> MirrorResponse:
        """simple_sitemap's sitemap.xml: each URL with its hreflang variants and lastmod."""
        entries = []
        front_variants = [
            (lang, self.absolute(self.prefix(lang) or "/")) for lang in self.settings["listings"]
        ]
        listing_variants = [
            (lang, self.absolute(listing["path"]))
            for lang, listing in self.settings["listings"].items()
        ]
        newest = max(v.changed for v in self.content.versions)
        for variants, priority in ((front_variants, "1.0"), (listing_variants, "0.8")):
            for _, loc in variants:
                entries.append(
                    {"loc": loc, "alternates": variants, "lastmod": newest, "priority": priority}
                )
        for nid in sorted(self.content.by_nid):
            translations = self.content.by_nid[nid]
            variants = [(code, self.absolute(v.alias)) for code, v in sorted(translations.items())]
            english = translations.get("en")
            if english and english.also_de:
                variants.append(("de", self.absolute(f"/de/node/{nid}")))
            lastmod = max(v.changed for v in translations.values())
            for _, loc in variants:
                entries.append(
                    {"loc": loc, "alternates": variants, "lastmod": lastmod, "priority": "0.5"}
                )
        body = self.templates.get_template("sitemap.xml").render(
            base_url=self.base_url, entries=entries
        )
        return MirrorResponse(
            body=body.encode("utf-8"),
            content_type="application/xml; charset=utf-8",
            last_modified=utc(newest),
        )

    def robots(self) -> MirrorResponse:
        """Drupal 9's robots.txt, plus the Sitemap line the simple_sitemap setup adds."""
        body = self.templates.get_template("robots.txt").render(base_url=self.base_url)
        return MirrorResponse(body=body.encode("utf-8"), content_type="text/plain; charset=UTF-8")
