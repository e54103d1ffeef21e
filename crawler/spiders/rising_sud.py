"""risingSUD (risingsud.fr): the regional economic development agency's news, FR and EN.

CMS unknown and no page stored (see ../shared/sources.md §1.5): the site is assumed to
have no feed, a sitemap index with lastmod, JSON-LD NewsArticle on article pages (which
gives the dates), and listings /actualites and /en/news with a /page/N pager.

Selector hint, optional (counted per page; when it matches nothing the page is read the
generic way, and the nightly reports the source DEGRADED, naming it): ``.post-date``
(the visible date): assumed (mirror only; no real page seen). Without it, the page's
JSON-LD, meta tags and ``<time>``.
"""

import re

from crawler.spiders.generic import GenericNewsSpider, Listing


class RisingSudSpider(GenericNewsSpider):
    name = "rising_sud"
    feed_paths = ()
    listings = (Listing("/actualites", "/page/{n}"), Listing("/en/news", "/page/{n}"))
    article_path_pattern = re.compile(r"^/(actualites|en/news)/(?!page/)[^/]+$")
    dateline_css = ".post-date"
