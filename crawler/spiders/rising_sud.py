"""risingSUD (risingsud.fr): the regional economic development agency's news, FR and EN.

CMS unknown and no page stored (see ../shared/sources.md §1.5): the site is assumed to
have no feed, a sitemap index with lastmod, JSON-LD NewsArticle on article pages (which
gives the dates), and listings /actualites and /en/news with a /page/N pager.
"""

import re

from crawler.spiders.generic import GenericNewsSpider, Listing


class RisingSudSpider(GenericNewsSpider):
    name = "rising_sud"
    feed_paths = ()
    listings = (Listing("/actualites", "/page/{n}"), Listing("/en/news", "/page/{n}"))
    article_path_pattern = re.compile(r"^/(actualites|en/news)/(?!page/)[^/]+$")
    dateline_css = ".post-date"
