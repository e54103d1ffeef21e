"""A configurable "custom CMS" news site for the local mirror, driven by its site.toml.

Some partner sites run a CMS that the stored copies do not reveal (sources.md §1.4–1.6):
maregionsud.fr, risingsud.fr, sandiegobusiness.org. `GenericSite` renders such a site
from a content folder (format: tests/sites/www.maregionsud.fr/README.md), with what
varies between them set in the folder's site.toml:

* listing sections, each with its pager (``/page/N`` or ``?page=N``, one- or
  zero-based), teasers or FULL bodies (listings that duplicate their articles);
* tag listings (``/blog/tag/<tag>``);
* what article pages declare about their date: JSON-LD ``NewsArticle``, OpenGraph
  ``article:published_time``, a ``<time datetime>``, or only the visible dateline;
* an optional RSS 2.0 or Atom feed of the newest posts;
* an optional ``sitemap.xml``, plain or as a sitemap index, with ``lastmod``;
* robots.txt, and static pages of the site tree (with their breadcrumb).

Only what a crawler meets is reproduced; everything else is a 404.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from mirror.content import aware, body_blocks, read_content_file, read_settings
from mirror.dates import rfc2822
from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse

DATE_MARKUPS = ("jsonld", "opengraph", "time", "dateline")
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}
HTML_TYPE = "text/html; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
FEED_TYPES = {"rss": "application/rss+xml; charset=UTF-8", "atom": "application/atom+xml"}


# --- content model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A listing of posts (news, press releases, a blog category) and where its posts live."""

    id: str
    path: str  # the listing's first page: "/actualites"
    item_path: str  # where its posts are: "/actualites/{slug}"
    title: str
    lang: str
    pager: str = "?page={n}"  # appended to `path` for later pages: "?page={n}" or "/page/{n}"
    first_page: int = 1  # the number the first page has in the pager's counting (0 or 1)
    per_page: int = 10
    full_body: bool = False  # rows carry the whole post, not a teaser
    # What the section's article pages declare about their date (default: the site's).
    date_markup: tuple[str, ...] | None = None
    # For a section in another language than the site's: its date style ("en", "fr"),
    # dateline ("Published on {date}") and interface strings (merged over the site's).
    date_style: str | None = None
    dateline: str | None = None
    ui: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Post:
    """One article, read from posts/<slug>.md."""

    slug: str
    section: str
    title: str
    published: datetime
    modified: datetime
    lang: str
    summary: str | None = None
    tags: tuple[str, ...] = ()
    body: tuple[str, ...] = ()  # HTML blocks
    translation: str | None = None  # posts sharing this key translate each other
    author: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Page:
    """A static page of the site tree (no date), read from pages/<name>.md."""

    path: str
    title: str
    lang: str
    modified: datetime
    breadcrumb: tuple[tuple[str, str], ...] = ()
    body: tuple[str, ...] = ()


def load_post(path: Path, sections: dict[str, Section]) -> Post:
    meta, body = read_content_file(path)
    if meta["section"] not in sections:
        raise ValueError(f"{path.name}: unknown section {meta['section']!r}")
    published = aware(meta["published"])
    return Post(
        slug=meta.get("slug", path.stem),
        section=meta["section"],
        title=meta["title"],
        published=published,
        modified=aware(meta.get("modified", published)),
        lang=meta.get("lang", sections[meta["section"]].lang),
        summary=meta.get("summary"),
        tags=tuple(meta.get("tags", ())),
        body=body_blocks(body),
        translation=meta.get("translation"),
        author=meta.get("author"),
        image=meta.get("image"),
    )


def load_page(path: Path, default_lang: str) -> Page:
    meta, body = read_content_file(path)
    return Page(
        path=meta["path"],
        title=meta["title"],
        lang=meta.get("lang", default_lang),
        modified=aware(meta["modified"]),
        breadcrumb=tuple(tuple(link) for link in meta.get("breadcrumb", ())),
        body=body_blocks(body),
    )


def load_sections(settings: dict) -> dict[str, Section]:
    sections = {}
    for block in settings.get("sections", []):
        values = dict(block)
        values.setdefault("lang", settings["language"])
        values["ui"] = dict(values.get("ui", {}))
        if "date_markup" in values:
            values["date_markup"] = tuple(values["date_markup"])
        sections[values["id"]] = Section(**values)
    return sections


# --- small pure helpers ------------------------------------------------------------------


def format_date(moment: datetime, style: str) -> str:
    """The visible date: "31 août 2018" / "1er mars 2019" (fr), "June 21, 2016" (en)."""
    month = MONTHS[style].split()[moment.month - 1]
    if style == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{day} {month} {moment.year}"
    return f"{month} {moment.day}, {moment.year}"


def page_path(section: Section, index: int) -> str:
    """The path of a listing's page `index` (0 is the first page, served without a pager)."""
    if index == 0:
        return section.path
    return section.path + section.pager.format(n=section.first_page + index)


def listing_index(section: Section, path: str, query: dict[str, list[str]]) -> int | None:
    """Which page of `section` a request asks for (0 = first), or None if it is not one.

    A query pager reads anything that is not a number as the first page, as CMS pagers do.
    """
    if section.pager.startswith("?"):
        if path != section.path:
            return None
        key = section.pager[1:].split("=", 1)[0]
        value = (query.get(key) or [""])[0].strip()
        return max(0, int(value) - section.first_page) if value.isdigit() else 0
    if path == section.path:
        return 0
    pattern = re.escape(section.path + section.pager).replace(re.escape("{n}"), r"(\d+)")
    match = re.fullmatch(pattern, path)
    return int(match.group(1)) - section.first_page if match else None


def plain_text(html: str) -> str:
    """Tags stripped and whitespace collapsed, for teasers, descriptions and feeds."""
    text = re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def trim_words(text: str, length: int) -> str:
    """At most `length` characters, cut on a word boundary, "…" last when cut."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    cut = cut[: cut.rindex(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:.-–") + "…"


def json_for_script(data: object) -> Markup:
    """JSON that can sit inside <script>: "</" is escaped so no text closes the element."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/"))


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


# --- the site ----------------------------------------------------------------------------


class GenericSite:
    """A news site read from a content folder: site.toml, posts/*.md, pages/*.md."""

    hosts: tuple[str, ...] = ()

    def __init__(self, config: MirrorConfig, folder: Path, hosts: tuple[str, ...] = ()) -> None:
        self.config = config
        self.folder = Path(folder)
        self.templates = Environment(
            loader=PackageLoader("mirror", "templates/generic"),
            autoescape=select_autoescape(("html", "xml"), default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.reload()
        self.hosts = tuple(hosts or self.settings["hosts"])

    def reload(self) -> None:
        """Re-read the content folder (tests edit content between crawls)."""
        self.settings = read_settings(self.folder)
        self.base_url = self.settings["base_url"].rstrip("/")
        self.sections = load_sections(self.settings)
        posts = [load_post(p, self.sections) for p in sorted(self.folder.glob("posts/*.md"))]
        self.posts = sorted(posts, key=lambda p: (p.published, p.slug), reverse=True)
        self.pages = [
            load_page(p, self.settings["language"]) for p in sorted(self.folder.glob("pages/*.md"))
        ]
        self.by_path = {self.post_path(p): p for p in self.posts}
        self.pages_by_path = {p.path: p for p in self.pages}
        self.feeds = {feed["path"]: feed for feed in self.settings.get("feeds", [])}
        self.sitemap = self.settings.get("sitemap")
        self.tag_listing = self.settings.get("tag_listing")
        unknown = {m for s in self.sections.values() for m in s.date_markup or ()}
        unknown |= set(self.settings.get("date_markup", ()))
        if unknown - set(DATE_MARKUPS):
            raise ValueError(f"unknown date_markup {sorted(unknown - set(DATE_MARKUPS))}")

    # -- URLs and queries

    def post_path(self, post: Post) -> str:
        return self.sections[post.section].item_path.format(slug=post.slug)

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def tag_path(self, tag: str) -> str:
        return self.tag_listing["path"].format(tag=tag)

    def tag_section(self, tag: str) -> Section:
        """A tag listing behaves as a section whose rows are the posts with that tag."""
        options = self.tag_listing
        return Section(
            id=f"tag:{tag}",
            path=self.tag_path(tag),
            item_path="",
            title=options.get("title", "{tag}").format(tag=tag),
            lang=self.settings["language"],
            pager=options.get("pager", "/page/{n}"),
            first_page=options.get("first_page", 1),
            per_page=options.get("per_page", 10),
            full_body=options.get("full_body", False),
        )

    def posts_of(self, section: Section) -> list[Post]:
        """A listing's rows, newest first."""
        if section.id.startswith("tag:"):
            return [p for p in self.posts if section.id[4:] in p.tags]
        return [p for p in self.posts if p.section == section.id]

    def translations_of(self, post: Post) -> list[Post]:
        if not post.translation:
            return []
        return [p for p in self.posts if p.translation == post.translation]

    def date_text(self, moment: datetime, section: Section) -> str:
        return format_date(moment, section.date_style or self.settings["date_style"])

    def ui(self, section: Section | None) -> dict:
        return {**self.settings.get("ui", {}), **(section.ui if section else {})}

    def date_markup(self, post: Post) -> tuple[str, ...]:
        own = self.sections[post.section].date_markup
        return own if own is not None else tuple(self.settings.get("date_markup", ("dateline",)))

    # -- dispatch

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        """Route one request; None is a 404."""
        path = request.path
        if path == "/robots.txt":
            return self.robots()
        if self.sitemap and path in self.sitemap_paths():
            return self.sitemap_response(path)
        if path in self.feeds:
            return self.feed(self.feeds[path])
        if path != "/" and path.endswith("/"):
            bare = MirrorRequest(request.method, request.host, path.rstrip("/"), {}, {})
            return self.redirect(bare.path) if self.handle(bare) is not None else None
        if path == "/":
            return self.home()
        if path in self.by_path:
            return self.article(self.by_path[path])
        if path in self.pages_by_path:
            return self.page(self.pages_by_path[path])
        for section in self.sections.values():
            index = listing_index(section, path, request.query)
            if index is not None:
                return self.listing(section, index)
        if self.tag_listing:
            return self.tag_route(path, request.query)
        return None

    def tag_route(self, path: str, query: dict[str, list[str]]) -> MirrorResponse | None:
        prefix = self.tag_listing["path"].split("{tag}", 1)[0]
        if not path.startswith(prefix):
            return None
        tag = path[len(prefix) :].split("/", 1)[0]
        if not any(tag in p.tags for p in self.posts):
            return None
        section = self.tag_section(tag)
        index = listing_index(section, path, query)
        return self.listing(section, index) if index is not None else None

    # -- responses

    def html(
        self,
        template: str,
        last_modified: datetime | None,
        section: Section | None = None,
        **context,
    ) -> MirrorResponse:
        body = self.templates.get_template(template).render(
            site=self.settings,
            base_url=self.base_url,
            ui=self.ui(section),
            section=section,
            **context,
        )
        return MirrorResponse(
            body=body.encode("utf-8"), content_type=HTML_TYPE, last_modified=utc(last_modified)
        )

    def redirect(self, path: str) -> MirrorResponse:
        location = self.absolute(path)
        body = f'<!DOCTYPE html><html><body><a href="{location}">{location}</a></body></html>'
        return MirrorResponse(status=301, body=body.encode(), headers={"Location": location})

    def row(self, post: Post, full_body: bool) -> dict:
        """What a listing shows of a post: title link, date, teaser or the whole body."""
        text = plain_text(" ".join(post.body))
        return {
            "title": post.title,
            "url": self.post_path(post),
            "date": self.date_text(post.published, self.sections[post.section]),
            "teaser": post.summary or trim_words(text, self.settings.get("teaser_length", 180)),
            "body": Markup("\n".join(post.body)) if full_body else None,
        }

    def listing(self, section: Section, index: int) -> MirrorResponse:
        """One page of a listing. Past the last page a path pager answers 404 (the page
        does not exist), a query pager 200 with the empty text (the view is empty)."""
        posts = self.posts_of(section)
        pages = max(1, -(-len(posts) // section.per_page))
        if index >= pages and not section.pager.startswith("?"):
            return self.not_found()
        shown = posts[index * section.per_page : (index + 1) * section.per_page]
        return self.html(
            "listing.html",
            max((p.modified for p in shown), default=None),
            section,
            lang=section.lang,
            title=section.title,
            canonical=self.absolute(page_path(section, index)),
            rows=[self.row(p, section.full_body) for p in shown],
            previous=page_path(section, index - 1) if 0 < index < pages else None,
            next=page_path(section, index + 1) if index + 1 < pages else None,
            numbers=[(n + 1, page_path(section, n), n == index) for n in range(pages)],
            feed=next(iter(self.feeds), None),
        )

    def article(self, post: Post) -> MirrorResponse:
        section = self.sections[post.section]
        url = self.absolute(self.post_path(post))
        markup = self.date_markup(post)
        translations = self.translations_of(post)
        related = [p for p in self.posts if p.section == post.section and p != post][:3]
        description = post.summary or trim_words(plain_text(" ".join(post.body)), 160)
        return self.html(
            "article.html",
            post.modified,
            section,
            lang=post.lang,
            post=post,
            title=post.title,
            canonical=url,
            description=description,
            image=self.absolute(post.image) if post.image else None,
            markup=markup,
            jsonld=json_for_script(self.news_article(post, url, description))
            if "jsonld" in markup
            else None,
            date_iso=post.published.isoformat(),
            modified_iso=post.modified.isoformat(),
            date_text=self.date_text(post.published, section),
            dateline=section.dateline or self.settings["dateline"],
            body=Markup("\n".join(post.body)),
            breadcrumb=[(self.ui(section)["home"], "/"), (section.title, section.path)],
            alternates=[(p.lang, self.absolute(self.post_path(p))) for p in translations],
            tags=[(t, self.tag_path(t) if self.tag_listing else None) for t in post.tags],
            related=[(p.title, self.post_path(p)) for p in related],
            feed=next(iter(self.feeds), None),
        )

    def news_article(self, post: Post, url: str, description: str) -> dict:
        """The schema.org NewsArticle an SEO module would print (no articleBody)."""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": post.title,
            "description": description,
            "datePublished": post.published.isoformat(),
            "dateModified": post.modified.isoformat(),
            "inLanguage": post.lang,
            "author": {"@type": "Organization", "name": post.author or self.settings["name"]},
            "publisher": {
                "@type": "Organization",
                "name": self.settings["name"],
                "logo": {"@type": "ImageObject", "url": self.absolute("/logo.png")},
            },
        }
        if post.image:
            data["image"] = self.absolute(post.image)
        if post.tags:
            data["keywords"] = ", ".join(post.tags)
        return data

    def page(self, page: Page) -> MirrorResponse:
        return self.html(
            "page.html",
            page.modified,
            lang=page.lang,
            title=page.title,
            canonical=self.absolute(page.path),
            description=None,
            breadcrumb=list(page.breadcrumb),
            body=Markup("\n".join(page.body)),
            feed=next(iter(self.feeds), None),
        )

    def home(self) -> MirrorResponse:
        newest = self.posts[:3]
        return self.html(
            "home.html",
            max((p.modified for p in newest), default=None),
            lang=self.settings["language"],
            title=self.settings["name"],
            canonical=self.absolute("/"),
            description=self.settings.get("description"),
            rows=[self.row(p, False) for p in newest],
            sections=list(self.sections.values()),
            feed=next(iter(self.feeds), None),
        )

    def not_found(self) -> MirrorResponse:
        response = self.html(
            "page.html",
            None,
            lang=self.settings["language"],
            title=self.settings["ui"].get("not_found", "Page not found"),
            canonical=None,
            description=None,
            breadcrumb=[],
            body=Markup(""),
            feed=None,
        )
        response.status = 404
        return response

    def feed(self, options: dict) -> MirrorResponse:
        """RSS 2.0 or Atom: the newest posts of the feed's sections, teaser descriptions."""
        sections = options.get("sections") or list(self.sections)
        posts = [p for p in self.posts if p.section in sections][: options.get("items", 10)]
        fmt = options.get("format", "rss")
        body = self.templates.get_template(f"{fmt}.xml").render(
            site=self.settings,
            base_url=self.base_url,
            self_link=self.absolute(options["path"]),
            title=options.get("title", self.settings["name"]),
            updated=max((p.modified for p in posts), default=None),
            entries=[
                {
                    "title": p.title,
                    "link": self.absolute(self.post_path(p)),
                    "description": self.row(p, False)["teaser"],
                    "published": p.published,
                    "modified": p.modified,
                    "pubdate": rfc2822(p.published),
                    "tags": p.tags,
                    "author": p.author or self.settings["name"],
                }
                for p in posts
            ],
        )
        return MirrorResponse(
            body=body.encode("utf-8"),
            content_type=FEED_TYPES[fmt],
            last_modified=utc(max((p.modified for p in posts), default=None)),
        )

    # -- sitemaps

    def sitemap_paths(self) -> list[str]:
        children = [c["path"] for c in self.sitemap.get("children", [])]
        return [self.sitemap["path"], *children]

    def sitemap_entries(self, sections: list[str] | None, pages: bool) -> list[dict]:
        """<url> entries: listings and posts of `sections` (all when None), then pages."""
        chosen = [s for s in self.sections.values() if sections is None or s.id in sections]
        entries = []
        for section in chosen:
            posts = self.posts_of(section)
            if posts:
                entries.append({"loc": section.path, "lastmod": max(p.modified for p in posts)})
            entries += [{"loc": self.post_path(p), "lastmod": p.modified} for p in posts]
        if pages:
            entries += [{"loc": p.path, "lastmod": p.modified} for p in self.pages]
        return [{"loc": self.absolute(e["loc"]), "lastmod": e["lastmod"]} for e in entries]

    def sitemap_response(self, path: str) -> MirrorResponse:
        """A urlset, or the index of child sitemaps when the site has "children"."""
        children = self.sitemap.get("children", [])
        if path == self.sitemap["path"] and children:
            rows = []
            for child in children:
                entries = self.sitemap_entries(child.get("sections"), child.get("pages", False))
                newest = max((e["lastmod"] for e in entries), default=None)
                rows.append({"loc": self.absolute(child["path"]), "lastmod": newest})
            template, entries = "sitemap_index.xml", rows
        elif path == self.sitemap["path"]:
            template, entries = "sitemap.xml", self.sitemap_entries(None, True)
        else:
            child = next(c for c in children if c["path"] == path)
            template = "sitemap.xml"
            entries = self.sitemap_entries(child.get("sections"), child.get("pages", False))
        body = self.templates.get_template(template).render(entries=entries)
        newest = max((e["lastmod"] for e in entries if e["lastmod"]), default=None)
        return MirrorResponse(
            body=body.encode("utf-8"), content_type=XML_TYPE, last_modified=utc(newest)
        )

    def robots(self) -> MirrorResponse:
        body = self.templates.get_template("robots.txt").render(
            disallow=self.settings.get("robots_disallow", []),
            sitemap=self.absolute(self.sitemap["path"]) if self.sitemap else None,
        )
        return MirrorResponse(body=body.encode("utf-8"), content_type="text/plain; charset=UTF-8")
