"""WordPress's robots.txt and sitemaps: core's wp-sitemap.xml (per post type, and per
language on a Polylang site) or Yoast SEO's sitemap_index.xml, as site.toml chooses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from mirror.site import MirrorResponse
from mirror.wordpress.content import Entry
from mirror.wordpress.core import WordPressCore

XML_TYPE = "application/xml; charset=UTF-8"


class Sitemaps(WordPressCore):
    """robots.txt and the XML sitemaps."""

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
