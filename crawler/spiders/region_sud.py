"""Région Sud (maregionsud.fr): the regional council's news and press releases, in French.

CMS unknown; see ../shared/sources.md §1.4. The generic ladder: the RSS feed (assumed:
/rss.xml), the sitemap, then the listings /actualites and /espace-presse/communiques
with their ?page=N pager. Article pages show "Publié le 31 août 2018" around a
<time datetime>, which gives the date; pages of the site tree (/votre-region/…) are
not news and are skipped.

Selector hint, optional (counted per page; when it matches nothing the page is read the
generic way, and the nightly reports the source DEGRADED, naming it): ``.post-date``
(the visible "Publié le" date): assumed (mirror only; no real page seen). Without it,
the page's own date evidence (its ``<time datetime>``, JSON-LD, meta), then the feed's.
"""

import re

from crawler.spiders.generic import GenericNewsSpider, Listing


class RegionSudSpider(GenericNewsSpider):
    name = "region_sud"
    feed_paths = ("/rss.xml",)
    listings = (
        Listing("/actualites", "?page={n}"),
        Listing("/espace-presse/communiques", "?page={n}"),
    )
    article_path_pattern = re.compile(r"^/(actualites|espace-presse/communiques)/[^/]+$")
    dateline_css = ".post-date"
