"""WordPress's core REST API: /wp-json/ and the wp/v2 posts, categories and tags.

With WordPress's parameter validation and error bodies, its ordering and paging
(X-WP-Total, X-WP-TotalPages, Link rel=next/prev, 400 past the last page), `?_embed`,
Polylang's `lang`/`translations` fields, and PHP's json_encode bytes. The Events
Calendar's namespace (mirror.wordpress.events) answers through the same plumbing.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urlencode

from mirror.site import MirrorResponse
from mirror.wordpress.content import Entry
from mirror.wordpress.core import WordPressCore
from mirror.wordpress.text import gmt, parse_when, wp_json

JSON_TYPE = "application/json; charset=UTF-8"


class RestApi(WordPressCore):
    """/wp-json/ and its wp/v2 routes."""

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
