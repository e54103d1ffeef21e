"""WordPress's RSS 2.0 feeds: /feed/, term feeds, language feeds and the search feed.

As wp-includes/feed-rss2.php writes them: dates in UTC, the excerpt only when the site's
"rss_use_excerpt" setting says so.
"""

from __future__ import annotations

from datetime import datetime

from mirror.dates import rfc2822_utc
from mirror.site import MirrorResponse
from mirror.wordpress.content import Entry
from mirror.wordpress.core import WordPressCore
from mirror.wordpress.text import texturize

RSS_TYPE = "application/rss+xml; charset=UTF-8"


class Feeds(WordPressCore):
    """The site's RSS feeds."""

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
            last_build=rfc2822_utc(newest),
            rfc2822=rfc2822_utc,
            language=self.locale(lang),
            home_link=self.base + self.lang_prefix(lang or "") + "/",
        )
        return MirrorResponse(
            status=status,
            body=body.encode("utf-8"),
            content_type=RSS_TYPE,
            last_modified=newest if status == 200 else None,
        )
