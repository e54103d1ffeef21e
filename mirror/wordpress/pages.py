"""WordPress's HTML pages: permalinks, pages, the blog index, term archives, /page/N/, search.

The theme's templates render them; the front-end search matches like MySQL's accent- and
case-insensitive collation and orders like WP_Query.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from mirror.site import MirrorResponse
from mirror.wordpress.content import Entry
from mirror.wordpress.feeds import Feeds
from mirror.wordpress.text import fold, search_terms, strip_tags


class HtmlPages(Feeds):
    """The front end a browser sees."""

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
