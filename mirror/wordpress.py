"""A WordPress 6.x + The Events Calendar 6.x site rendered from a content folder.

The mirror must answer like the real france-sandiego.org: date permalinks, the blog
listing with "…" teasers, /feed/, the core REST API (/wp-json/wp/v2/posts with its
X-WP-Total headers and 400 past the last page), the core sitemaps, and The Events
Calendar's list view, single event pages with schema.org JSON-LD, iCal exports and
REST API. `WordPressSite` is generic (any folder in the format documented in
tests/sites/www.france-sandiego.org/README.md); `FranceSanDiegoSite` binds it to that
folder. HTML comes from the Jinja templates in templates/wordpress/ (a site's `theme`
subfolder first); JSON, XML and iCalendar are built here, where their exact bytes are
easier to see.

The same class also reproduces what the other WordPress sources do differently, each
switched on by a site.toml setting: other permalink structures (`/%postname%/`,
`/%category%/%year%/…`), Polylang-style languages under path prefixes (`/en/`) with
hreflang alternates and the REST `lang`/`translations` fields, a second host that
serves the same site with its own links (no redirect), hosts that redirect to the main
one, the search and its feed (`/?s=TERM&feed=rss2`, matched like MySQL's accent- and
case-insensitive collation), excerpt-only feeds, Yoast's sitemaps instead of core's,
and sites without The Events Calendar (tests/sites/www.investincotedazur.com/README.md
documents the settings). `TeamCoteDazurSite` and `TimesOfSanDiegoSite` bind them.
"""

from __future__ import annotations

import copy
import html
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2

from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse

TEMPLATES_DIR = Path(__file__).parent / "templates" / "wordpress"
HTML = "text/html; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
RSS_TYPE = "application/rss+xml; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
ICS_TYPE = "text/calendar; charset=UTF-8"
NO_EVENTS = "There are no upcoming events at this time."
SCHEMA_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
}

# --------------------------------------------------------------------------------------
# Content model: one folder, site.toml plus one file per post, page and event.
# --------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One row of wp_posts: a post, a page or a tribe_events event (dates are site-local)."""

    id: int
    type: str  # "post", "page" or "tribe_events"
    slug: str
    title: str  # as the editor typed it; WordPress texturizes it on output
    content: str  # HTML paragraphs
    date: datetime
    modified: datetime
    author: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""  # a manual excerpt; empty: WordPress cuts one from the content
    image: str = ""  # featured image path ("/wp-content/uploads/…")
    widgets: list[dict] = field(default_factory=list)  # pages: Display Posts lists
    events_widget: dict | None = None  # pages: TEC's upcoming-events widget
    # Events only (The Events Calendar).
    start: datetime | None = None
    end: datetime | None = None
    timezone: str = ""
    all_day: bool = False
    venue: str = ""
    organizers: list[str] = field(default_factory=list)
    cost: str = ""
    website: str = ""
    status: str = "scheduled"
    # Multilingual sites: the entry's language code ("" = the site's default language)
    # and a key shared by an entry and its translations.
    lang: str = ""
    translation: str = ""
    # Filtered sources: whether the entry is meant to be archived (read by tests only).
    relevant: bool | None = None
    # A teaser post of another post (its slug): one item in the archive (read by tests only).
    teaser_of: str = ""


def split_front_matter(text: str) -> tuple[dict, str]:
    """`+++` TOML front matter, then the HTML body; the format is one obvious split."""
    if not text.startswith("+++"):
        raise ValueError("content file must start with +++ TOML front matter")
    _, front, body = text.split("+++", 2)
    return tomllib.loads(front), body.strip()


def load_entry(path: Path, entry_type: str) -> Entry:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    meta.setdefault("slug", path.stem)
    meta.setdefault("modified", meta["date"])
    known = set(Entry.__dataclass_fields__)
    unknown = set(meta) - known
    if unknown:
        raise ValueError(f"{path}: unknown front matter keys {sorted(unknown)}")
    return Entry(type=entry_type, content=body, **meta)


@dataclass
class SiteContent:
    """Everything read from one content folder."""

    settings: dict
    posts: list[Entry]  # newest first
    pages: list[Entry]
    events: list[Entry]  # by start
    authors: dict[str, dict]
    categories: dict[str, dict]
    tags: dict[str, dict]
    event_categories: dict[str, dict]
    venues: dict[str, dict]
    organizers: dict[str, dict]

    def by_id(self, entry_id: int) -> Entry | None:
        for entry in [*self.posts, *self.pages, *self.events]:
            if entry.id == entry_id:
                return entry
        return None


def load_content(folder: Path) -> SiteContent:
    """Read site.toml and posts/, pages/, events/ (each *.html with front matter)."""
    settings = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))

    def entries(sub: str, entry_type: str) -> list[Entry]:
        return [load_entry(p, entry_type) for p in sorted((folder / sub).glob("*.html"))]

    def table(name: str) -> dict[str, dict]:
        return {row["slug"]: row for row in settings.get(name, [])}

    content = SiteContent(
        settings=settings,
        posts=sorted(entries("posts", "post"), key=lambda e: (e.date, e.id), reverse=True),
        pages=entries("pages", "page"),
        events=sorted(entries("events", "tribe_events"), key=lambda e: (e.start, e.id)),
        authors=table("authors"),
        categories=table("categories"),
        tags=table("tags"),
        event_categories=table("event_categories"),
        venues=table("venues"),
        organizers=table("organizers"),
    )
    ids = [e.id for e in [*content.posts, *content.pages, *content.events]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{folder}: duplicate post ids")
    return content


# --------------------------------------------------------------------------------------
# WordPress's text functions, reduced to what the content uses.
# --------------------------------------------------------------------------------------

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


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC)).replace("-0000", "+0000")


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


def ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def tz_transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """(UTC instant, offset before, offset after) of each DST change in `year`."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        nxt = moment + timedelta(days=1)
        offset = nxt.astimezone(zone).utcoffset()
        if offset != previous:
            hour = moment
            while hour.astimezone(zone).utcoffset() == previous:
                hour += timedelta(hours=1)
            found.append((hour, previous, offset))
            previous = offset
        moment = nxt
    return found


def ics_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


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


# --------------------------------------------------------------------------------------
# The site.
# --------------------------------------------------------------------------------------


class WordPressSite:
    """Answers every request for one WordPress + The Events Calendar site."""

    def __init__(self, config: MirrorConfig, folder: Path, hosts: tuple[str, ...] = ()) -> None:
        self.config = config
        self.content = load_content(folder)
        s = self.content.settings
        self.hosts: tuple[str, ...] = tuple(hosts or s["hosts"])
        self.base = s["url"].rstrip("/")
        self.real_host = self.base.split("://", 1)[1]
        self.zone = ZoneInfo(s["timezone"])
        self.per_page = int(s.get("posts_per_page", 10))
        self.events_per_page = int(s.get("events_per_page", 12))
        self.excerpt_length = int(s.get("excerpt_length", 55))
        # What differs between WordPress sites (see the module docstring).
        self.permalink_structure = s.get("permalink", "/%year%/%monthnum%/%day%/%postname%/")
        self.languages: tuple[str, ...] = tuple(s.get("languages", ()))  # first: the default
        self.locales: dict[str, str] = dict(s.get("locales", {}))
        self.host_links: dict[str, dict] = dict(s.get("host_links", {}))
        self.redirect_hosts: tuple[str, ...] = tuple(s.get("redirect_hosts", ()))
        self.has_events = bool(s.get("tribe_events", True))
        self.sitemap_style = s.get("sitemaps", "core")
        self.feed_excerpt_only = bool(s.get("rss_use_excerpt", False))
        self.trailing_slash = True
        theme = s.get("theme")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(
                [TEMPLATES_DIR / theme, TEMPLATES_DIR] if theme else TEMPLATES_DIR
            ),
            autoescape=False,  # titles and content are HTML already, as WordPress has them
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["attr"] = lambda v: html.escape(str(v), quote=True)
        self.env.globals["utc"] = UTC
        self.paths = {self.entry_path(e): e for e in [*self.content.posts, *self.content.pages]}

    def view_for(self, host: str) -> WordPressSite:
        """The site as seen on `host`: a host listed in `host_links` gets its own base URL
        (and trailing-slash habit) in every link, as a second vhost of the same install."""
        links = self.host_links.get(host)
        if links is None:
            return self
        view = copy.copy(self)  # shares the content; only the link settings differ
        view.base = links.get("base", f"https://{host}").rstrip("/")
        view.trailing_slash = bool(links.get("trailing_slash", True))
        return view

    # -- URLs and derived values -----------------------------------------------------

    def lang_of(self, entry: Entry) -> str:
        return entry.lang or (self.languages[0] if self.languages else "")

    def lang_prefix(self, lang: str) -> str:
        """Polylang's directory: none for the default language, "/en" for the others."""
        if not self.languages or not lang or lang == self.languages[0]:
            return ""
        return f"/{lang}"

    def locale(self, lang: str | None = None) -> str:
        """The page's language tag ("en-US") for <html lang>, hreflang and feeds."""
        lang = lang or (self.languages[0] if self.languages else "")
        return self.locales.get(lang, self.content.settings.get("language", "en-US"))

    def entry_path(self, entry: Entry) -> str:
        """The path of an entry's permalink, with its language prefix."""
        if entry.type == "tribe_events":
            return f"/event/{entry.slug}/"
        if entry.type == "post":
            section = entry.categories[0] if entry.categories else "uncategorized"
            path = (
                self.permalink_structure.replace("%year%", f"{entry.date:%Y}")
                .replace("%monthnum%", f"{entry.date:%m}")
                .replace("%day%", f"{entry.date:%d}")
                .replace("%category%", section)
                .replace("%postname%", entry.slug)
            )
        else:
            path = f"/{entry.slug}/"
        return self.lang_prefix(entry.lang) + path

    def permalink(self, entry: Entry) -> str:
        path = self.entry_path(entry)
        return self.base + (path if self.trailing_slash else path.rstrip("/"))

    def posts_in(self, lang: str | None) -> list[Entry]:
        """The posts of one language (all of them on a monolingual site)."""
        if not self.languages or lang is None:
            return self.content.posts
        return [p for p in self.content.posts if self.lang_of(p) == lang]

    def split_language(self, path: str) -> tuple[str | None, str]:
        """("en", "/feed/") for "/en/feed/"; the default language for unprefixed paths."""
        if not self.languages:
            return None, path
        for lang in self.languages[1:]:
            if path == f"/{lang}/" or path.startswith(f"/{lang}/"):
                return lang, path[len(lang) + 1 :]
        return self.languages[0], path

    def translations(self, entry: Entry) -> list[Entry]:
        """The entry and its translations, in the site's language order."""
        if not entry.translation:
            return [entry]
        group = [p for p in self.content.posts if p.translation == entry.translation]
        return sorted(group, key=lambda p: self.languages.index(self.lang_of(p)))

    def alternates(self, entry: Entry) -> list[tuple[str, str]]:
        """hreflang alternates as Polylang prints them: every translation, then x-default."""
        group = self.translations(entry)
        if not self.languages or len(group) < 2:
            return []
        links = [(self.locale(self.lang_of(p)), self.permalink(p)) for p in group]
        default = next((p for p in group if self.lang_of(p) == self.languages[0]), group[0])
        return links + [("x-default", self.permalink(default))]

    def title(self, entry: Entry) -> str:
        return texturize(entry.title)

    def rendered_content(self, entry: Entry) -> str:
        return texturize(entry.content) + "\n"

    def excerpt_text(self, entry: Entry) -> str:
        """The excerpt as the_excerpt makes it: manual, or the content cut with "…"."""
        if entry.excerpt:
            return texturize(entry.excerpt)
        return texturize(trim_words(entry.content, self.excerpt_length, "&hellip;"))

    def aware(self, moment: datetime) -> datetime:
        return local(moment, self.zone)

    def image_url(self, entry: Entry) -> str:
        return self.base + entry.image if entry.image else ""

    def terms(self, entry: Entry, taxonomy: str) -> list[dict]:
        table = {
            "category": self.content.categories,
            "post_tag": self.content.tags,
            "tribe_events_cat": self.content.event_categories,
        }[taxonomy]
        names = entry.tags if taxonomy == "post_tag" else entry.categories
        return [table[name] for name in names]

    def term_link(self, term: dict, taxonomy: str) -> str:
        prefix = {"category": "category", "post_tag": "tag", "tribe_events_cat": "events/category"}
        return f"{self.base}/{prefix[taxonomy]}/{term['slug']}/"

    def newest(self, entries: list[Entry]) -> datetime | None:
        if not entries:
            return None
        return max(self.aware(e.modified) for e in entries)

    # -- the request entry point -------------------------------------------------------

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        if request.host in self.redirect_hosts:
            query = urlencode(request.query, doseq=True)
            return self.redirect(self.base + request.path + (f"?{query}" if query else ""))
        return self.view_for(request.host).answer(request)

    def answer(self, request: MirrorRequest) -> MirrorResponse:
        """One request, on the host's view of the site."""
        path, query = request.path, request.query
        if "rest_route" in query:
            path = "/wp-json" + query["rest_route"][0]
        if path.startswith("/wp-json"):
            return self.rest(path[len("/wp-json") :] or "/", query)
        response = self.route(path, query)
        if response is None and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            found = self.route(path + "/", query)
            if found is not None and found.status == 200:
                if not self.trailing_slash:
                    return found  # this host's links have no slash: it serves both forms
                # redirect_canonical: a pretty permalink without its trailing slash
                return self.redirect(self.base + path + "/")
        return response if response is not None else self.not_found()

    def route(self, path: str, query: dict[str, list[str]]) -> MirrorResponse | None:
        first = {k: v[0] for k, v in query.items() if v}
        if path == "/":
            if first.get("p", "").isdigit() or first.get("page_id", "").isdigit():
                entry = self.content.by_id(int(first.get("p") or first["page_id"]))
                return self.redirect(self.permalink(entry)) if entry else None
            if "s" in first:
                return self.search(first["s"], first.get("paged", "1"), first.get("feed"))
            if first.get("feed") in ("rss2", "rss"):
                lang = self.split_language("/")[0]
                return self.feed(self.posts_in(lang), self.base + "/feed/", lang=lang)
        if path in (
            "/robots.txt",
            "/wp-sitemap.xml",
            "/sitemap.xml",
            "/sitemap_index.xml",
        ) or re.fullmatch(r"/(wp-sitemap-.+|[a-z_]+-sitemap\d*)\.xml", path):
            return self.sitemaps(path)
        if path.startswith(("/events/", "/event/")):
            return self.events_route(path, first) if self.has_events else None
        return self.blog_route(path)

    def blog_route(self, path: str) -> MirrorResponse | None:
        entry = self.paths.get(path)
        if entry is not None:
            return self.single(entry) if entry.type == "post" else self.page(entry)
        lang, path = self.split_language(path)
        posts = self.posts_in(lang)
        home = self.base + self.lang_prefix(lang or "")
        if match := re.fullmatch(r"/(?:page/(\d+)/)?", path):
            return self.listing(posts, int(match[1] or 1), home + "/", None, lang)
        if path == "/feed/":
            return self.feed(posts, home + "/feed/", lang=lang)
        if match := re.fullmatch(r"/(category|tag)/([^/]+)/(?:page/(\d+)/|(feed)/)?", path):
            taxonomy = "category" if match[1] == "category" else "post_tag"
            table = self.content.categories if taxonomy == "category" else self.content.tags
            term = table.get(match[2])
            if term is None:
                return None
            chosen = [p for p in posts if term["slug"] in (p.categories + p.tags)]
            link = self.term_link(term, taxonomy)
            if match[4]:
                return self.feed(chosen, link + "feed/", term["name"])
            return self.listing(chosen, int(match[3] or 1), link, term, lang)
        return None

    # -- responses -------------------------------------------------------------------

    def redirect(self, location: str) -> MirrorResponse:
        return MirrorResponse(
            status=301, body=b"", headers={"Location": location, "X-Redirect-By": "WordPress"}
        )

    def html_response(
        self, template: str, status: int = 200, last_modified=None, headers=None, **context
    ) -> MirrorResponse:
        context.setdefault("lang", None)
        context.setdefault("alternates", [])
        body = self.env.get_template(template).render(site=self, **context)
        all_headers = {"Link": f'<{self.base}/wp-json/>; rel="https://api.w.org/"'}
        all_headers.update(headers or {})
        return MirrorResponse(
            status=status,
            body=body.encode("utf-8"),
            content_type=HTML,
            headers=all_headers,
            last_modified=last_modified,
        )

    def not_found(self) -> MirrorResponse:
        return self.html_response("404.html", status=404, doc_title="Page not found")

    def listing(
        self,
        posts: list[Entry],
        page: int,
        link: str,
        term: dict | None,
        lang: str | None = None,
        search: str | None = None,
    ):
        """The blog index, a term archive or search results: 10 per page, 404 past the end."""
        total_pages = max(1, -(-len(posts) // self.per_page))
        if page < 1 or page > total_pages or (page > 1 and not posts):
            return None
        shown = posts[(page - 1) * self.per_page : page * self.per_page]

        def page_url(number: int) -> str:
            return link if number == 1 else f"{link}page/{number}/"

        title = self.content.settings["name"]
        if term is not None:
            title = f"{term['name']} Archives"
        if search is not None:
            title = f"Search Results for &#8220;{html.escape(search)}&#8221;"
        return self.html_response(
            "archive.html",
            lang=lang,
            search=search,
            last_modified=self.newest(shown),
            doc_title=title if page == 1 else f"{title} &#8211; Page {page}",
            canonical=page_url(page),
            posts=shown,
            term=term,
            page=page,
            total_pages=total_pages,
            page_url=page_url,
        )

    def single(self, post: Entry) -> MirrorResponse:
        shortlink = f"{self.base}/?p={post.id}"
        return self.html_response(
            "single.html",
            last_modified=self.aware(post.modified),
            headers={
                "Link": f'<{self.base}/wp-json/>; rel="https://api.w.org/", '
                f'<{self.base}/wp-json/wp/v2/posts/{post.id}>; rel="alternate"; '
                f'type="application/json", <{shortlink}>; rel=shortlink'
            },
            doc_title=self.title(post),
            canonical=self.permalink(post),
            post=post,
            lang=self.lang_of(post),
            alternates=self.alternates(post),
            shortlink=shortlink,
            author=self.content.authors.get(post.author, {"name": post.author, "slug": ""}),
            categories=self.terms(post, "category"),
            tags=self.terms(post, "post_tag"),
            previous=self.neighbour(post, +1),
            next=self.neighbour(post, -1),
            jsonld=self.article_graph(post),
        )

    def article_graph(self, post: Entry) -> str:
        """Yoast SEO's schema graph of a post: NewsArticle, WebPage, WebSite, Person,
        linked by @id, dates in UTC (themes that print JSON-LD use it)."""
        link = self.permalink(post)
        author = self.content.authors.get(post.author, {"name": post.author, "slug": ""})
        person = f"{self.base}/#/schema/person/{author.get('slug', '')}"

        def utc(moment: datetime) -> str:
            return self.aware(moment).astimezone(UTC).isoformat()

        graph = [
            {
                "@type": "NewsArticle",
                "@id": f"{link}#article",
                "isPartOf": {"@id": link},
                "author": {"name": author["name"], "@id": person},
                "headline": html.unescape(self.title(post)),
                "datePublished": utc(post.date),
                "dateModified": utc(post.modified),
                "mainEntityOfPage": {"@id": link},
                "wordCount": len(strip_tags(post.content).split()),
                "publisher": {"@id": f"{self.base}/#organization"},
                "keywords": [t["name"] for t in self.terms(post, "post_tag")],
                "articleSection": [t["name"] for t in self.terms(post, "category")],
                "inLanguage": self.locale(self.lang_of(post)),
            },
            {
                "@type": "WebPage",
                "@id": link,
                "url": link,
                "name": html.unescape(self.title(post)) + " - " + self.content.settings["name"],
                "isPartOf": {"@id": f"{self.base}/#website"},
                "datePublished": utc(post.date),
                "dateModified": utc(post.modified),
                "inLanguage": self.locale(self.lang_of(post)),
            },
            {
                "@type": "WebSite",
                "@id": f"{self.base}/#website",
                "url": f"{self.base}/",
                "name": self.content.settings["name"],
                "publisher": {"@id": f"{self.base}/#organization"},
            },
            {
                "@type": "Organization",
                "@id": f"{self.base}/#organization",
                "name": self.content.settings["name"],
                "url": f"{self.base}/",
            },
            {
                "@type": "Person",
                "@id": person,
                "name": author["name"],
                "url": f"{self.base}/author/{author.get('slug', '')}/",
            },
        ]
        data = {"@context": "https://schema.org", "@graph": graph}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")

    def neighbour(self, post: Entry, step: int) -> Entry | None:
        posts = self.content.posts
        index = posts.index(post) + step
        return posts[index] if 0 <= index < len(posts) else None

    def page(self, page: Entry) -> MirrorResponse:
        lists = []
        for widget in page.widgets:
            posts = [self.content.by_id(i) for i in widget.get("posts", [])]
            lists.append({"title": widget.get("title", ""), "posts": [p for p in posts if p]})
        events_widget = None
        if page.events_widget is not None:
            category = page.events_widget.get("category")
            upcoming = [
                e for e in self.upcoming_events() if category is None or category in e.categories
            ]
            events_widget = {
                "title": page.events_widget.get("title", "Upcoming Events"),
                "events": upcoming[: page.events_widget.get("count", 5)],
            }
        shown = [page, *(p for lst in lists for p in lst["posts"])]
        return self.html_response(
            "page.html",
            last_modified=self.newest(shown),
            doc_title=self.title(page),
            canonical=self.permalink(page),
            post=page,
            shortlink=f"{self.base}/?p={page.id}",
            lists=lists,
            events_widget=events_widget,
        )

    def feed(
        self,
        posts: list[Entry],
        self_link: str,
        term_name: str | None = None,
        lang: str | None = None,
        status: int = 200,
    ):
        """RSS 2.0 as wp-includes/feed-rss2.php writes it: the 10 newest (or the posts
        given, already paged), with only the excerpt when rss_use_excerpt is set."""
        shown = posts[: self.per_page]
        newest = self.newest(shown) or self.aware(datetime(2016, 1, 1))
        body = self.env.get_template("feed.xml").render(
            site=self,
            posts=shown,
            self_link=self_link,
            title=self.content.settings["name"]
            + (f" &#187; {texturize(term_name)}" if term_name else ""),
            last_build=rfc2822(newest),
            rfc2822=rfc2822,
            language=self.locale(lang),
            home_link=self.base + self.lang_prefix(lang or "") + "/",
        )
        return MirrorResponse(
            status=status,
            body=body.encode("utf-8"),
            content_type=RSS_TYPE,
            last_modified=newest if status == 200 else None,
        )

    # -- search ---------------------------------------------------------------------------

    def search_matches(self, query: str) -> list[Entry]:
        """The posts WordPress finds for `s`, in its order.

        Every term must be in the title, excerpt or content (LIKE '%term%' on the stored
        HTML, accent- and case-insensitive). One term: title matches first; several: the
        CASE ranking of WP_Query::parse_search_order. Then newest first.
        """
        terms = [fold(t) for t in search_terms(query)]
        if not terms:
            return []
        whole = fold(query.strip())

        def fields(p: Entry) -> tuple[str, str, str]:
            return fold(p.title), fold(p.excerpt), fold(p.content)

        posts = self.content.posts
        found = [p for p in posts if all(any(t in f for f in fields(p)) for t in terms)]

        def rank(p: Entry) -> int:
            title, excerpt, content = fields(p)
            if len(terms) == 1:
                return 0 if terms[0] in title else 1
            if whole in title:
                return 1
            if all(t in title for t in terms):
                return 2
            if any(t in title for t in terms):
                return 3
            if whole in excerpt:
                return 4
            return 5 if whole in content else 6

        newest_first = sorted(found, key=lambda p: (p.date, p.id), reverse=True)
        return sorted(newest_first, key=rank)  # stable: newest first within a rank

    def search(self, query: str, paged: str, feed: str | None) -> MirrorResponse | None:
        """`/?s=TERM` (results page) and `/?s=TERM&feed=rss2`, `&paged=N`; a page past
        the results is a 404 (the feed one still carries an empty channel, as WP does)."""
        page = int(paged) if paged.isdigit() and int(paged) > 0 else 1
        found = self.search_matches(query)
        shown = found[(page - 1) * self.per_page : page * self.per_page]
        status = 404 if page > 1 and not shown else 200
        if feed in ("rss2", "rss"):
            link = f"{self.base}/?{urlencode({'s': query, 'feed': 'rss2'})}"
            title = f"Search Results for &#8220;{html.escape(query)}&#8221;"
            return self.feed(shown, link, term_name=title, status=status)
        if status == 404:
            return None
        link = f"{self.base}/?{urlencode({'s': query})}"
        total_pages = max(1, -(-len(found) // self.per_page))
        return self.html_response(
            "archive.html",
            doc_title=f"You searched for {html.escape(query)}",
            canonical=None,
            posts=shown,
            term=None,
            page=page,
            total_pages=total_pages,
            page_url=lambda n: link if n == 1 else f"{link}&paged={n}",
            search=query,
            lang=None,
        )

    # -- sitemaps and robots -------------------------------------------------------------

    def sitemaps(self, path: str) -> MirrorResponse | None:
        """robots.txt and the sitemaps: WordPress core's (one per post type, and per
        language on a Polylang site), or Yoast's when `sitemaps = "yoast"`."""
        index = "/sitemap_index.xml" if self.sitemap_style == "yoast" else "/wp-sitemap.xml"
        if path == "/robots.txt":
            text = (
                "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                f"Sitemap: {self.base}{index}\n"
            )
            return MirrorResponse(body=text.encode(), content_type="text/plain; charset=utf-8")
        if path in ("/sitemap.xml", "/wp-sitemap.xml", "/sitemap_index.xml") and path != index:
            return self.redirect(self.base + index)
        if self.sitemap_style == "yoast":
            return self.yoast_sitemaps(path)
        groups = self.sitemap_groups()
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if path == "/wp-sitemap.xml":
            style = f'<?xml-stylesheet type="text/xsl" href="{self.base}/wp-sitemap-index.xsl" ?>\n'
            items = "".join(
                f"<sitemap><loc>{self.base}/wp-sitemap-posts-{name}-1.xml</loc></sitemap>"
                for name, entries in groups.items()
                if entries
            )
            body = (
                head + style + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{items}</sitemapindex>\n"
            )
            newest = self.newest([e for entries in groups.values() for e in entries])
            return MirrorResponse(body=body.encode(), content_type=XML_TYPE, last_modified=newest)
        match = re.fullmatch(r"/wp-sitemap-posts-(.+)-1\.xml", path)
        if not match or not groups.get(match[1]):
            return None
        entries = sorted(groups[match[1]], key=lambda e: e.id)  # core sitemaps order by ID
        urls = "".join(
            f"<url><loc>{self.permalink(e)}</loc>"
            f"<lastmod>{self.aware(e.modified).isoformat()}</lastmod></url>"
            for e in entries
        )
        style = f'<?xml-stylesheet type="text/xsl" href="{self.base}/wp-sitemap.xsl" ?>\n'
        body = (
            head + style + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>\n"
        )
        return MirrorResponse(
            body=body.encode(), content_type=XML_TYPE, last_modified=self.newest(entries)
        )

    def sitemap_groups(self) -> dict[str, list[Entry]]:
        """Core sitemap names ("post", or "post-en" per language with Polylang) -> entries."""
        types = {"post": self.content.posts, "page": self.content.pages}
        if self.has_events:
            types["tribe_events"] = self.content.events
        if not self.languages:
            return types
        return {
            f"{name}-{lang}": [e for e in entries if self.lang_of(e) == lang]
            for name, entries in types.items()
            if name != "tribe_events"
            for lang in self.languages
        }

    def yoast_sitemaps(self, path: str) -> MirrorResponse | None:
        """Yoast SEO: /sitemap_index.xml, then post-sitemap.xml (the blog home first, as
        Yoast lists it, then posts by last change), page-sitemap.xml, category-sitemap.xml."""
        head = '<?xml version="1.0" encoding="UTF-8"?>'
        style = f'<?xml-stylesheet type="text/xsl" href="//{self.real_host}/main-sitemap.xsl"?>\n'
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

        def stamp(moment: datetime | None) -> str:
            return (moment or self.aware(datetime(2016, 1, 1))).astimezone(UTC).isoformat()

        posts = sorted(self.content.posts, key=lambda e: (e.modified, e.id))
        categories = [
            (t, [p for p in posts if t["slug"] in p.categories])
            for t in self.content.categories.values()
        ]
        maps = {"post": posts, "page": self.content.pages}
        if path == "/sitemap_index.xml":
            items = "".join(
                f"\t<sitemap>\n\t\t<loc>{self.base}/{name}-sitemap.xml</loc>\n"
                f"\t\t<lastmod>{stamp(self.newest(entries))}</lastmod>\n\t</sitemap>\n"
                for name, entries in [*maps.items(), ("category", posts)]
                if entries
            )
            body = f"{head}{style}<sitemapindex {ns}>\n{items}</sitemapindex>\n"
            return MirrorResponse(body=body.encode(), content_type=XML_TYPE)
        match = re.fullmatch(r"/(post|page|category)-sitemap\.xml", path)
        if not match:
            return None
        if match[1] == "category":
            rows = [(self.term_link(t, "category"), self.newest(ps)) for t, ps in categories if ps]
        else:
            entries = maps[match[1]]
            if not entries:
                return None
            rows = [(self.permalink(e), self.aware(e.modified)) for e in entries]
            if match[1] == "post":
                rows.insert(0, (self.base + "/", self.newest(entries)))
        urls = "".join(
            f"\t<url>\n\t\t<loc>{loc}</loc>\n\t\t<lastmod>{stamp(when)}</lastmod>\n\t</url>\n"
            for loc, when in rows
        )
        body = f"{head}{style}<urlset {ns}>\n{urls}</urlset>\n"
        body += "<!-- XML Sitemap generated by Yoast SEO -->"
        return MirrorResponse(body=body.encode(), content_type=XML_TYPE)

    # -- the core REST API ---------------------------------------------------------------

    def rest_response(self, data, status: int = 200, headers=None, last_modified=None):
        all_headers = {
            "X-Robots-Tag": "noindex",
            "Link": f'<{self.base}/wp-json/>; rel="https://api.w.org/"',
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
            "Allow": "GET",
        }
        all_headers.update(headers or {})
        return MirrorResponse(
            status=status,
            body=wp_json(data),
            content_type=JSON_TYPE,
            headers=all_headers,
            last_modified=last_modified,
        )

    def rest_error(self, code: str, message: str, status: int, params: dict | None = None):
        data: dict = {"status": status}
        if params:
            data["params"] = params
        return self.rest_response({"code": code, "message": message, "data": data}, status)

    def invalid_param(self, name: str, reason: str):
        return self.rest_error(
            "rest_invalid_param", f"Invalid parameter(s): {name}", 400, {name: reason}
        )

    def rest(self, route: str, query: dict[str, list[str]]) -> MirrorResponse:
        first = {k: v[0] for k, v in query.items() if v}
        route = route.rstrip("/") or "/"
        if route == "/":
            return self.rest_index()
        if route == "/wp/v2/posts":
            return self.rest_posts(first)
        if match := re.fullmatch(r"/wp/v2/posts/(\d+)", route):
            post = next((p for p in self.content.posts if p.id == int(match[1])), None)
            if post is None:
                return self.rest_error("rest_post_invalid_id", "Invalid post ID.", 404)
            return self.rest_response(
                self.post_json(post, embed="_embed" in first), last_modified=self.newest([post])
            )
        if route in ("/wp/v2/categories", "/wp/v2/tags"):
            return self.rest_terms("category" if route.endswith("categories") else "post_tag")
        if route == "/tribe/events/v1/events" and self.has_events:
            return self.tribe_events(first)
        if (match := re.fullmatch(r"/tribe/events/v1/events/(\d+)", route)) and self.has_events:
            event = next((e for e in self.content.events if e.id == int(match[1])), None)
            if event is None:
                return self.rest_error("event-not-found", "The requested event was not found", 404)
            return self.rest_response(self.event_json(event), last_modified=self.newest([event]))
        return self.rest_error(
            "rest_no_route", "No route was found matching the URL and request method.", 404
        )

    def rest_index(self) -> MirrorResponse:
        s = self.content.settings
        offset = self.aware(datetime(self.config.today.year, 1, 1)).utcoffset()
        routes = [
            "/",
            "/wp/v2",
            "/wp/v2/posts",
            "/wp/v2/posts/(?P<id>[\\d]+)",
            "/wp/v2/categories",
            "/wp/v2/tags",
        ]
        if self.has_events:
            routes += [
                "/tribe/events/v1",
                "/tribe/events/v1/events",
                "/tribe/events/v1/events/(?P<id>\\d+)",
            ]
        data = {
            "name": s["name"],
            "description": s.get("description", ""),
            "url": self.base,
            "home": self.base,
            "gmt_offset": int(offset.total_seconds() // 3600),
            "timezone_string": s["timezone"],
            "namespaces": [
                "oembed/1.0",
                *(
                    ["tribe/event-aggregator/v1", "tribe/events/v1", "tec/v1"]
                    if self.has_events
                    else []
                ),
                "wp/v2",
                "wp-site-health/v1",
                "wp-block-editor/v1",
            ],
            "authentication": [],
            "routes": {
                r: {
                    "namespace": r.split("/")[1] + "/" + r.split("/")[2]
                    if r.count("/") > 2
                    else r.strip("/"),
                    "methods": ["GET"],
                    "endpoints": [{"methods": ["GET"], "args": {}}],
                }
                for r in routes
            },
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }
        return self.rest_response(data)

    def rest_posts(self, params: dict[str, str]) -> MirrorResponse:
        """GET /wp/v2/posts with WordPress's validation, ordering and paging headers."""
        numbers = {}
        for name, default, low, high in (("page", 1, 1, None), ("per_page", 10, 1, 100)):
            raw = params.get(name, str(default))
            if not raw.isdigit():
                return self.invalid_param(name, f"{name} is not of type integer.")
            value = int(raw)
            if value < low or (high is not None and value > high):
                reason = (
                    f"{name} must be between {low} (inclusive) and {high} (inclusive)"
                    if high
                    else f"{name} must be greater than or equal to {low}"
                )
                return self.invalid_param(name, reason)
            numbers[name] = value
        orderby = params.get("orderby", "date")
        if orderby not in ("date", "modified", "id", "title", "slug"):
            return self.invalid_param("orderby", "orderby is not one of date, modified, id.")
        order = params.get("order", "desc")
        if order not in ("asc", "desc"):
            return self.invalid_param("order", "order is not one of asc and desc.")
        posts = list(self.content.posts)
        for name, column, keep in (
            ("after", "date", lambda v, limit: v > limit),
            ("before", "date", lambda v, limit: v < limit),
            ("modified_after", "modified", lambda v, limit: v > limit),
            ("modified_before", "modified", lambda v, limit: v < limit),
        ):
            if name not in params:
                continue
            limit = parse_when(params[name])
            if limit is None:
                return self.invalid_param(name, "Invalid date.")
            if limit.tzinfo is not None:
                limit = limit.astimezone(self.zone).replace(tzinfo=None)
            posts = [p for p in posts if keep(getattr(p, column), limit)]
        for name, table in (("categories", self.content.categories), ("tags", self.content.tags)):
            if name in params:
                wanted = {int(i) for i in params[name].split(",") if i.strip().isdigit()}
                slugs = {t["slug"] for t in table.values() if t["id"] in wanted}
                posts = [
                    p
                    for p in posts
                    if slugs & set(p.categories if name == "categories" else p.tags)
                ]
        if "slug" in params:
            posts = [p for p in posts if p.slug in params["slug"].split(",")]
        if "include" in params:
            wanted = {int(i) for i in params["include"].split(",") if i.strip().isdigit()}
            posts = [p for p in posts if p.id in wanted]
        if self.languages and params.get("lang"):
            # Polylang: ?lang=en limits to one language; without it, every language.
            posts = [p for p in posts if self.lang_of(p) == params["lang"]]
        sort_key = {
            "date": lambda p: (p.date, p.id),
            "modified": lambda p: (p.modified, p.id),
            "id": lambda p: p.id,
            "title": lambda p: p.title.lower(),
            "slug": lambda p: p.slug,
        }[orderby]
        posts.sort(key=sort_key, reverse=order == "desc")
        page, per_page = numbers["page"], numbers["per_page"]
        total = len(posts)
        total_pages = -(-total // per_page)
        if page > 1 and page > total_pages:
            return self.rest_error(
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
                400,
            )
        shown = posts[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(total_pages)}
        links = [f'<{self.base}/wp-json/>; rel="https://api.w.org/"']
        other = {k: v for k, v in params.items() if k != "page"}
        if page > 1:
            links.append(f'<{self.rest_page_url(other, page - 1)}>; rel="prev"')
        if page < total_pages:
            links.append(f'<{self.rest_page_url(other, page + 1)}>; rel="next"')
        headers["Link"] = ", ".join(links)
        embed = "_embed" in params
        return self.rest_response(
            [self.post_json(p, embed=embed) for p in shown],
            headers=headers,
            last_modified=self.newest(shown),
        )

    def rest_page_url(self, params: dict[str, str], page: int) -> str:
        return f"{self.base}/wp-json/wp/v2/posts?" + urlencode({**params, "page": page})

    def post_json(self, post: Entry, embed: bool = False) -> dict:
        """The fields of a post as /wp/v2/posts returns them in the view context.

        With ``?_embed`` WordPress inlines the linked resources marked embeddable: the
        author, the terms and the featured image, under ``_embedded``.
        """
        api = f"{self.base}/wp-json/wp/v2"
        categories = [t["id"] for t in self.terms(post, "category")]
        tags = [t["id"] for t in self.terms(post, "post_tag")]
        author = self.content.authors.get(post.author, {"id": 1})
        media_id = post.id + 10000 if post.image else 0
        data = {
            "id": post.id,
            "date": post.date.isoformat(),
            "date_gmt": gmt(post.date, self.zone).isoformat(),
            "guid": {"rendered": f"{self.base}/?p={post.id}"},
            "modified": post.modified.isoformat(),
            "modified_gmt": gmt(post.modified, self.zone).isoformat(),
            "slug": post.slug,
            "status": "publish",
            "type": "post",
            "link": self.permalink(post),
            "title": {"rendered": self.title(post)},
            "content": {"rendered": self.rendered_content(post), "protected": False},
            "excerpt": {"rendered": f"<p>{self.excerpt_text(post)}</p>\n", "protected": False},
            "author": author["id"],
            "featured_media": media_id,
            "comment_status": "closed",
            "ping_status": "closed",
            "sticky": False,
            "template": "",
            "format": "standard",
            "meta": {"footnotes": ""},
            "categories": categories,
            "tags": tags,
            "class_list": [
                f"post-{post.id}",
                "post",
                "type-post",
                "status-publish",
                "format-standard",
                "hentry",
                *(f"category-{c}" for c in post.categories),
                *(f"tag-{t}" for t in post.tags),
            ],
            "_links": {
                "self": [{"href": f"{api}/posts/{post.id}"}],
                "collection": [{"href": f"{api}/posts"}],
                "about": [{"href": f"{api}/types/post"}],
                "author": [{"embeddable": True, "href": f"{api}/users/{author['id']}"}],
                "replies": [{"embeddable": True, "href": f"{api}/comments?post={post.id}"}],
                "version-history": [{"count": 0, "href": f"{api}/posts/{post.id}/revisions"}],
                "wp:attachment": [{"href": f"{api}/media?parent={post.id}"}],
                "wp:term": [
                    {
                        "taxonomy": "category",
                        "embeddable": True,
                        "href": f"{api}/categories?post={post.id}",
                    },
                    {
                        "taxonomy": "post_tag",
                        "embeddable": True,
                        "href": f"{api}/tags?post={post.id}",
                    },
                ],
                "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}],
            },
        }
        if self.languages:
            # Polylang Pro's REST fields: the post's language and its translations' ids.
            data["lang"] = self.lang_of(post)
            data["translations"] = {self.lang_of(p): p.id for p in self.translations(post)}
        if embed:
            data["_embedded"] = self.post_embedded(post, author, media_id)
        return data

    def post_embedded(self, post: Entry, author: dict, media_id: int) -> dict:
        """What ``?_embed`` adds to a post: author, wp:term groups, wp:featuredmedia."""
        embedded: dict = {
            "author": [
                {
                    "id": author["id"],
                    "name": author.get("name", ""),
                    "url": "",
                    "description": "",
                    "link": f"{self.base}/author/{author.get('slug', '')}/",
                    "slug": author.get("slug", ""),
                }
            ],
            "wp:term": [
                [
                    {
                        "id": term["id"],
                        "link": self.term_link(term, taxonomy),
                        "name": html.escape(term["name"], quote=False),
                        "slug": term["slug"],
                        "taxonomy": taxonomy,
                    }
                    for term in self.terms(post, taxonomy)
                ]
                for taxonomy in ("category", "post_tag")
            ],
        }
        if media_id:
            embedded["wp:featuredmedia"] = [
                {
                    "id": media_id,
                    "date": post.date.isoformat(),
                    "slug": post.image.rsplit("/", 1)[-1].rsplit(".", 1)[0],
                    "type": "attachment",
                    "title": {"rendered": post.title},
                    "media_type": "image",
                    "mime_type": "image/jpeg",
                    "source_url": self.image_url(post),
                }
            ]
        return embedded

    def rest_terms(self, taxonomy: str) -> MirrorResponse:
        table = self.content.categories if taxonomy == "category" else self.content.tags
        rest_base = "categories" if taxonomy == "category" else "tags"
        rows = []
        for term in sorted(table.values(), key=lambda t: t["name"].lower()):
            count = sum(1 for p in self.content.posts if term["slug"] in p.categories + p.tags)
            row = {
                "id": term["id"],
                "count": count,
                "description": term.get("description", ""),
                "link": self.term_link(term, taxonomy),
                "name": html.escape(term["name"], quote=False),
                "slug": term["slug"],
                "taxonomy": taxonomy,
            }
            if taxonomy == "category":
                row["parent"] = 0
            row["meta"] = []
            row["_links"] = {
                "self": [{"href": f"{self.base}/wp-json/wp/v2/{rest_base}/{term['id']}"}],
                "collection": [{"href": f"{self.base}/wp-json/wp/v2/{rest_base}"}],
            }
            rows.append(row)
        headers = {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": "1"}
        return self.rest_response(rows, headers=headers)

    # -- The Events Calendar -------------------------------------------------------------

    def event_zone(self, event: Entry) -> ZoneInfo:
        return ZoneInfo(event.timezone) if event.timezone else self.zone

    def event_bounds(self, event: Entry) -> tuple[datetime, datetime]:
        """Local start and end; an all-day event runs from 00:00:00 to 23:59:59 (TEC)."""
        if event.all_day:
            return (
                datetime.combine(event.start.date(), time(0, 0)),
                datetime.combine(event.end.date(), time(23, 59, 59)),
            )
        return event.start, event.end

    def upcoming_events(self) -> list[Entry]:
        """Events not over yet on `today` (an event running today is still upcoming)."""
        return [e for e in self.content.events if e.end.date() >= self.config.today]

    def past_events(self) -> list[Entry]:
        past = [e for e in self.content.events if e.end.date() < self.config.today]
        return sorted(past, key=lambda e: (e.start, e.id), reverse=True)

    def events_route(self, path: str, params: dict[str, str]) -> MirrorResponse | None:
        ical = params.get("ical") == "1"
        if match := re.fullmatch(r"/event/([^/]+)/", path):
            event = next((e for e in self.content.events if e.slug == match[1]), None)
            if event is None:
                return None
            return self.ical([event]) if ical else self.event_page(event)
        if match := re.fullmatch(r"/events/(?:list/)?(?:page/(\d+)/)?", path):
            past = params.get("eventDisplay") == "past"
            events = self.past_events() if past else self.upcoming_events()
            if ical:
                return self.ical(events)
            return self.events_list(events, past, int(match[1] or 1))
        return None

    def events_list(self, events: list[Entry], past: bool, page: int):
        total_pages = max(1, -(-len(events) // self.events_per_page))
        if page > total_pages:
            return None
        shown = events[(page - 1) * self.events_per_page : page * self.events_per_page]
        if not past:
            shown.sort(key=lambda e: (e.start, e.id))
        months: list[tuple[str, list[Entry]]] = []
        for event in shown:
            label = f"{event.start:%B %Y}"
            if not months or months[-1][0] != label:
                months.append((label, []))
            months[-1][1].append(event)
        query = "?eventDisplay=past" if past else ""
        return self.html_response(
            "events_list.html",
            last_modified=self.newest(shown) or self.newest(self.content.events),
            doc_title="Past Events" if past else "Events",
            canonical=f"{self.base}/events/list/{query}" if past else f"{self.base}/events/",
            months=months,
            events=shown,
            past=past,
            page=page,
            total_pages=total_pages,
            jsonld=self.jsonld(shown) if shown else "",
            no_events=NO_EVENTS,
            event_meta=self.event_meta,
        )

    def event_page(self, event: Entry) -> MirrorResponse:
        return self.html_response(
            "event.html",
            last_modified=self.aware(event.modified),
            doc_title=self.title(event),
            canonical=self.permalink(event),
            post=event,
            shortlink=f"{self.base}/?p={event.id}",
            meta=self.event_meta(event),
            jsonld=self.jsonld([event]),
            is_past=event.end.date() < self.config.today,
        )

    def event_meta(self, event: Entry) -> dict:
        """What the templates show of an event: dates in TEC's words, venue, organizers."""
        start, end = self.event_bounds(event)
        if event.all_day:
            schedule = f"{start:%B} {start.day}, {start.year}"
            if end.date() != start.date():
                schedule += f" - {end:%B} {end.day}, {end.year}"
        else:
            schedule = f"{start:%B} {start.day}, {start.year} @ {self.clock(start)}"
            if end.date() == start.date():
                schedule += f" - {self.clock(end)}"
            else:
                schedule += f" - {end:%B} {end.day}, {end.year} @ {self.clock(end)}"
        return {
            "schedule": schedule,
            "start": start,
            "end": end,
            "start_iso": local(start, self.event_zone(event)).isoformat(),
            "tz_abbr": local(start, self.event_zone(event)).tzname(),
            "venue": self.content.venues.get(event.venue),
            "organizers": [self.content.organizers[o] for o in event.organizers],
            "categories": self.terms(event, "tribe_events_cat"),
            "status_label": {"cancelled": "Canceled", "postponed": "Postponed"}.get(event.status),
            "excerpt": self.excerpt_text(event),
        }

    @staticmethod
    def clock(moment: datetime) -> str:
        return f"{moment.hour % 12 or 12}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"

    def jsonld(self, events: list[Entry]) -> str:
        """TEC's <script type="application/ld+json"> payload: a list of schema.org Events."""
        items = []
        for event in events:
            zone = self.event_zone(event)
            start, end = self.event_bounds(event)
            item = {
                "@context": "http://schema.org",
                "@type": "Event",
                "name": self.title(event),
                # TEC escapes the excerpt's HTML and appends a literal backslash-n
                "description": html.escape(f"<p>{self.excerpt_text(event)}</p>") + "\\n",
            }
            if event.image:
                item["image"] = self.image_url(event)
            item.update(
                {
                    "url": self.permalink(event),
                    "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                    "eventStatus": SCHEMA_STATUS[event.status],
                    "startDate": local(start, zone).isoformat(),
                    "endDate": local(end, zone).isoformat(),
                }
            )
            venue = self.content.venues.get(event.venue)
            if venue:
                item["location"] = {
                    "@type": "Place",
                    "name": venue["name"],
                    "description": "",
                    "url": f"{self.base}/venue/{venue['slug']}/",
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": venue.get("address", ""),
                        "addressLocality": venue.get("city", ""),
                        "addressRegion": venue.get("state", venue.get("province", "")),
                        "postalCode": venue.get("zip", ""),
                        "addressCountry": venue.get("country", ""),
                    },
                    "telephone": venue.get("phone", ""),
                    "sameAs": venue.get("website", ""),
                }
            if event.organizers:
                org = self.content.organizers[event.organizers[0]]
                item["organizer"] = {
                    "@type": org.get("type", "Person"),
                    "name": org["name"],
                    "description": "",
                    "url": org.get("website", ""),
                    "telephone": org.get("phone", ""),
                    "email": org.get("email", ""),
                    "sameAs": org.get("website", ""),
                }
            if event.cost:
                price = re.sub(r"[^\d.]", "", event.cost) or "0"
                item["offers"] = {
                    "@type": "Offer",
                    "price": price,
                    "priceCurrency": "EUR" if "€" in event.cost else "USD",
                    "url": event.website or self.permalink(event),
                    "category": "primary",
                    "availability": "inStock",
                    "validFrom": local(event.date, self.zone).isoformat(),
                }
            item["performer"] = "Organization"
            items.append(item)
        return json.dumps(items, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")

    def ical(self, events: list[Entry]) -> MirrorResponse:
        """The iCal export as TEC 6 writes it: CRLF lines, VTIMEZONE blocks, one VEVENT each."""
        s = self.content.settings
        name = s["name"]
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:-//{name} - ECPv{s.get('tec_version', '6.5.1')}//NONSGML v1.0//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{name}",
            f"X-ORIGINAL-URL:{self.base}",
            f"X-WR-CALDESC:Events for {name}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-Robots-Tag:noindex",
            "X-PUBLISHED-TTL:PT1H",
            f"X-WR-TIMEZONE:{s['timezone']}",
        ]
        zones = sorted({e.timezone or s["timezone"] for e in events})
        for zone_name in zones:
            zone = ZoneInfo(zone_name)
            years = [
                y
                for e in events
                if (e.timezone or s["timezone"]) == zone_name
                for y in (e.start.year, e.end.year)
            ]
            lines += ["BEGIN:VTIMEZONE", f"TZID:{zone_name}"]
            for year in range(min(years), max(years) + 1):
                for instant, before, after in tz_transitions(zone, year):
                    kind = "DAYLIGHT" if after > before else "STANDARD"
                    lines += [
                        f"BEGIN:{kind}",
                        f"TZOFFSETFROM:{ics_offset(before)}",
                        f"TZOFFSETTO:{ics_offset(after)}",
                        f"TZNAME:{(instant + timedelta(hours=1)).astimezone(zone).tzname()}",
                        # TEC writes the UTC instant of the change, without a Z
                        f"DTSTART:{instant:%Y%m%dT%H%M%S}",
                        f"END:{kind}",
                    ]
            lines.append("END:VTIMEZONE")
        stamp = max((e.modified for e in events), default=datetime(2016, 1, 1))
        for event in events:
            zone = self.event_zone(event)
            start, end = self.event_bounds(event)
            if event.all_day:
                dates = [
                    f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{end.date() + timedelta(days=1):%Y%m%d}",
                ]
            else:
                dates = [
                    f"DTSTART;TZID={zone.key}:{start:%Y%m%dT%H%M%S}",
                    f"DTEND;TZID={zone.key}:{end:%Y%m%dT%H%M%S}",
                ]
            start_ts = int(local(start, zone).timestamp())
            end_ts = int(local(end, zone).timestamp())
            lines += [
                "BEGIN:VEVENT",
                *dates,
                f"DTSTAMP:{stamp:%Y%m%dT%H%M%S}",
                f"CREATED:{gmt(event.date, self.zone):%Y%m%dT%H%M%SZ}",
                f"LAST-MODIFIED:{gmt(event.modified, self.zone):%Y%m%dT%H%M%SZ}",
                f"UID:{event.id}-{start_ts}-{end_ts}@{self.real_host}",
                f"SUMMARY:{ics_escape(html.unescape(self.title(event)))}",
                "DESCRIPTION:" + ics_escape(self.ics_text(event.content)),
                f"URL:{self.permalink(event)}",
            ]
            venue = self.content.venues.get(event.venue)
            if venue:
                parts = [venue["name"], venue.get("address", ""), venue.get("city", "")]
                parts += [venue.get("state", ""), venue.get("zip", ""), venue.get("country", "")]
                lines.append("LOCATION:" + "\\, ".join(ics_escape(p) for p in parts if p))
            if event.image:
                lines.append(f"ATTACH;FMTTYPE=image/jpeg:{self.image_url(event)}")
            categories = [t["name"] for t in self.terms(event, "tribe_events_cat")]
            if categories:
                lines.append("CATEGORIES:" + ",".join(ics_escape(c) for c in categories))
            for slug in event.organizers:
                org = self.content.organizers[slug]
                cn = org["name"].replace(",", "%2C")
                lines.append(f'ORGANIZER;CN="{cn}":MAILTO:{org.get("email", "")}')
            lines.append("END:VEVENT")
        lines.append("END:VCALENDAR")
        body = "\r\n".join(lines) + "\r\n"
        filename = re.sub(r"[^a-z0-9]+", "-", self.real_host.lower()).strip("-")
        return MirrorResponse(
            body=body.encode("utf-8"),
            content_type=ICS_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'},
            last_modified=self.newest(events),
        )

    @staticmethod
    def ics_text(markup: str) -> str:
        """The description as TEC exports it: tags stripped, one line per paragraph."""
        paragraphs = re.split(r"</p>\s*", markup)
        texts = [" ".join(strip_tags(p).split()) for p in paragraphs]
        return "\n".join(t for t in texts if t)

    def tribe_events(self, params: dict[str, str]) -> MirrorResponse:
        """GET /tribe/events/v1/events: upcoming by default, like TEC (start_date = today)."""
        for name, high in (("page", None), ("per_page", 50)):
            raw = params.get(name)
            valid = raw is None or (raw.isdigit() and 1 <= int(raw) <= (high or int(raw)))
            if not valid:
                return self.invalid_param(name, f"Invalid parameter(s): {name}")
        page = int(params.get("page", 1))
        per_page = int(params.get("per_page", 10))
        today = self.config.today
        start = parse_when(params["start_date"]) if "start_date" in params else None
        end = parse_when(params["end_date"]) if "end_date" in params else None
        if "start_date" in params and start is None:
            return self.invalid_param("start_date", "Invalid parameter(s): start_date")
        if "end_date" in params and end is None:
            return self.invalid_param("end_date", "Invalid parameter(s): end_date")
        start = start or datetime.combine(today, time(0, 0))
        if end is None:
            default_end = today.replace(year=today.year + 2) + timedelta(days=1)
            end = datetime.combine(default_end, time(23, 59, 59))
        elif len(params["end_date"].strip()) == 10:
            end = datetime.combine(end.date(), time(23, 59, 59))
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        events = [
            e
            for e in self.content.events
            if self.event_bounds(e)[1] >= start and self.event_bounds(e)[0] <= end
        ]
        total = len(events)
        total_pages = -(-total // per_page)
        if total and page > total_pages:
            return self.rest_error(
                "event-archive-page-not-found",
                "The requested event archive page does not exist",
                404,
            )
        shown = events[(page - 1) * per_page : page * per_page]
        fixed = {
            "per_page": per_page,
            "start_date": f"{start:%Y-%m-%d %H:%M:%S}",
            "end_date": f"{end:%Y-%m-%d %H:%M:%S}",
            "status": "publish",
        }
        api = f"{self.base}/wp-json/tribe/events/v1/events/"
        data: dict = {
            "events": [self.event_json(e) for e in shown],
            "rest_url": f"{api}?page={page}&per_page={per_page}&start_date={fixed['start_date']}"
            f"&end_date={fixed['end_date']}&status=publish",
        }
        if page < total_pages:
            data["next_rest_url"] = api + "?" + urlencode({**fixed, "page": page + 1})
        if page > 1:
            data["previous_rest_url"] = api + "?" + urlencode({**fixed, "page": page - 1})
        data["total"] = total
        data["total_pages"] = total_pages
        headers = {"X-TEC-Total": str(total), "X-TEC-TotalPages": str(total_pages)}
        return self.rest_response(data, headers=headers, last_modified=self.newest(shown))

    def event_json(self, event: Entry) -> dict:
        """One event as TEC's REST API v1 returns it."""
        zone = self.event_zone(event)
        start, end = self.event_bounds(event)
        utc_start = local(start, zone).astimezone(UTC).replace(tzinfo=None)
        utc_end = local(end, zone).astimezone(UTC).replace(tzinfo=None)
        host_id = lambda i: f"{self.real_host}?id={i}"  # noqa: E731
        author = str(self.content.authors.get(event.author, {"id": 1})["id"])

        def stamp(moment: datetime) -> str:
            return f"{moment:%Y-%m-%d %H:%M:%S}"

        data = {
            "id": event.id,
            "global_id": host_id(event.id),
            "global_id_lineage": [host_id(event.id)],
            "author": author,
            "status": "publish",
            "date": stamp(event.date),
            "date_utc": stamp(gmt(event.date, self.zone)),
            "modified": stamp(event.modified),
            "modified_utc": stamp(gmt(event.modified, self.zone)),
            "url": self.permalink(event),
            "rest_url": f"{self.base}/wp-json/tribe/events/v1/events/{event.id}",
            "title": self.title(event),
            "description": self.rendered_content(event).strip(),
            "excerpt": f"<p>{self.excerpt_text(event)}</p>\n" if event.excerpt else "",
            "slug": event.slug,
            "image": self.image_json(event),
            "all_day": event.all_day,
            "start_date": stamp(start),
            "start_date_details": date_details(start),
            "end_date": stamp(end),
            "end_date_details": date_details(end),
            "utc_start_date": stamp(utc_start),
            "utc_start_date_details": date_details(utc_start),
            "utc_end_date": stamp(utc_end),
            "utc_end_date_details": date_details(utc_end),
            "timezone": zone.key,
            "timezone_abbr": local(start, zone).tzname(),
            "cost": event.cost,
            "cost_details": self.cost_details(event.cost),
            "website": event.website,
            "show_map": True,
            "show_map_link": True,
            "hide_from_listings": False,
            "sticky": False,
            "featured": False,
            "categories": [self.tribe_term(t) for t in self.terms(event, "tribe_events_cat")],
            "tags": [],
            "venue": self.venue_json(event.venue) if event.venue else [],
            "organizer": [self.organizer_json(o) for o in event.organizers],
        }
        return data

    def image_json(self, event: Entry):
        if not event.image:
            return False
        return {
            "url": self.image_url(event),
            "id": event.id + 1,
            "extension": event.image.rsplit(".", 1)[-1],
            "width": 1200,
            "height": 800,
            "filesize": 182734,
            "sizes": {},
        }

    @staticmethod
    def cost_details(cost: str) -> dict:
        if not cost:
            return {"currency_symbol": "", "currency_position": "prefix", "values": []}
        symbol = "€" if "€" in cost else "$"
        values = re.findall(r"\d+(?:\.\d+)?", cost) or ["0"]
        return {
            "currency_symbol": symbol,
            "currency_code": "EUR" if symbol == "€" else "USD",
            "currency_position": "prefix",
            "values": values,
        }

    def tribe_term(self, term: dict) -> dict:
        count = sum(1 for e in self.content.events if term["slug"] in e.categories)
        api = f"{self.base}/wp-json/tribe/events/v1/categories"
        return {
            "name": term["name"],
            "slug": term["slug"],
            "term_group": 0,
            "term_taxonomy_id": term["id"],
            "taxonomy": "tribe_events_cat",
            "description": "",
            "parent": 0,
            "count": count,
            "filter": "raw",
            "id": term["id"],
            "urls": {"self": f"{api}/{term['id']}", "collection": api},
        }

    def linked_post(self, row: dict, kind: str) -> dict:
        when = row.get("date", datetime(2016, 1, 4, 9, 0))
        return {
            "id": row["id"],
            "author": "1",
            "status": "publish",
            "date": f"{when:%Y-%m-%d %H:%M:%S}",
            "date_utc": f"{gmt(when, self.zone):%Y-%m-%d %H:%M:%S}",
            "modified": f"{when:%Y-%m-%d %H:%M:%S}",
            "modified_utc": f"{gmt(when, self.zone):%Y-%m-%d %H:%M:%S}",
            "url": f"{self.base}/{kind}/{row['slug']}/",
        }

    def venue_json(self, slug: str) -> dict:
        venue = self.content.venues[slug]
        data = self.linked_post(venue, "venue")
        data.update(
            {
                "venue": venue["name"],
                "slug": venue["slug"],
                "address": venue.get("address", ""),
                "city": venue.get("city", ""),
                "country": venue.get("country", ""),
                "province": venue.get("province", ""),
                "state": venue.get("state", ""),
                "zip": venue.get("zip", ""),
                "stateprovince": venue.get("state", venue.get("province", "")),
                "show_map": True,
                "show_map_link": True,
                "global_id": f"{self.real_host}?id={venue['id']}",
                "global_id_lineage": [f"{self.real_host}?id={venue['id']}"],
            }
        )
        return data

    def organizer_json(self, slug: str) -> dict:
        org = self.content.organizers[slug]
        data = self.linked_post(org, "organizer")
        data.update(
            {
                "organizer": org["name"],
                "slug": org["slug"],
                "phone": org.get("phone", ""),
                "website": org.get("website", ""),
                "email": org.get("email", ""),
                "global_id": f"{self.real_host}?id={org['id']}",
                "global_id_lineage": [f"{self.real_host}?id={org['id']}"],
            }
        )
        return data


class FranceSanDiegoSite(WordPressSite):
    """https://www.france-sandiego.org: the San Diego French-American Chamber of Commerce."""

    def __init__(self, config: MirrorConfig) -> None:
        super().__init__(config, Path(config.sites_dir) / "www.france-sandiego.org")


class TeamCoteDazurSite(WordPressSite):
    """https://www.investincotedazur.com: Team Côte d'Azur, French at the root, English
    under /en/; the bare host serves the same site with its own slash-less links."""

    def __init__(self, config: MirrorConfig) -> None:
        super().__init__(config, Path(config.sites_dir) / "www.investincotedazur.com")


class TimesOfSanDiegoSite(WordPressSite):
    """https://timesofsandiego.com: a news site with section permalinks, search feeds,
    excerpt-only feeds and Yoast sitemaps; www redirects to the bare host."""

    def __init__(self, config: MirrorConfig) -> None:
        super().__init__(config, Path(config.sites_dir) / "timesofsandiego.com")


__all__ = [
    "Entry",
    "FranceSanDiegoSite",
    "SiteContent",
    "TeamCoteDazurSite",
    "TimesOfSanDiegoSite",
    "WordPressSite",
    "load_content",
]
