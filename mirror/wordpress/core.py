"""What every WordPress endpoint shares: settings, URLs, derived values, HTML responses.

`WordPressCore` holds one site's content and what site.toml says of it (permalink
structure, languages, hosts, feature switches), builds permalinks and term links, and
renders the Jinja templates of templates/wordpress/ (a site's `theme` subfolder first).
The endpoint modules (pages, feeds, sitemaps, rest, events) build on it.
"""

from __future__ import annotations

import copy
import html
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from mirror.site import MirrorConfig, MirrorResponse
from mirror.wordpress.content import Entry, load_content
from mirror.wordpress.text import local, texturize, trim_words

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "wordpress"
HTML = "text/html; charset=UTF-8"


class WordPressCore:
    """One WordPress install's content, settings and link rules."""

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

    def view_for(self, host: str) -> WordPressCore:
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

    # -- events (read by the pages' widget and by The Events Calendar)

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
