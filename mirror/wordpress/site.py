"""A WordPress 6.x site, with The Events Calendar 6.x, rendered from a content folder.

The mirror must answer like the real WordPress sources: date (or section, or bare)
permalinks, the blog listing with "…" teasers, /feed/, the core REST API, the core or
Yoast sitemaps, and The Events Calendar's list view, event pages, iCal exports and REST
API. `WordPressSite` is one small class that composes the endpoint modules and routes a
request to them:

* mirror.wordpress.pages: permalinks, pages, archives and /page/N/, search;
* mirror.wordpress.feeds: RSS 2.0 feeds;
* mirror.wordpress.sitemaps: robots.txt, core's or Yoast's sitemaps;
* mirror.wordpress.rest: /wp-json/ and wp/v2;
* mirror.wordpress.events: The Events Calendar (pages, ?ical=1, tribe/events/v1).

What differs between WordPress sites is data in the folder's site.toml (format:
tests/sites/www.france-sandiego.org/README.md and
tests/sites/www.investincotedazur.com/README.md): permalink structure, Polylang-style
languages under path prefixes with hreflang alternates, a second host that serves the
same install with its own links, hosts that redirect to the main one, excerpt-only
feeds, Yoast's sitemaps, no Events Calendar, and a `theme` (templates/wordpress/<theme>/
overrides templates by name, as a child theme does).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from mirror.site import MirrorRequest, MirrorResponse
from mirror.wordpress.events import EventsCalendar
from mirror.wordpress.pages import HtmlPages
from mirror.wordpress.sitemaps import Sitemaps


class WordPressSite(HtmlPages, Sitemaps, EventsCalendar):
    """Answers every request for one WordPress (+ The Events Calendar) site."""

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
            route = path[len("/wp-json") :] or "/"
            tribe = self.tribe_rest(route, query) if self.has_events else None
            return tribe if tribe is not None else self.rest(route, query)
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
