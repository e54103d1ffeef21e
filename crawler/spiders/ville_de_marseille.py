"""Ville de Marseille (marseille.fr): the international section's news and pages, in French.

Drupal; see ../shared/sources.md §1.8. News at /international/actualites/<slug> (a views
listing with ?page=N), and the section's pages (/international/echanges…). A page's only
date is the "Dernière mise à jour :" block, whose text is empty until a script fills it
in the browser: the date is read from its <time datetime> (UTC), never from the text.

Selector hints, each optional (counted per page; when one matches nothing the page is
read the generic way, and the nightly reports the source DEGRADED, naming it):

* ``.block-last-update time`` (the date): assumed (mirror only; no real page seen; the
  block itself is described in sources.md §1.8, its markup is not). Without it, the
  page's own date evidence.
* ``.node__title a`` (listing rows, Drupal's core class): assumed (mirror only; no real
  page seen). Without it, every link of the listing page matching the article pattern.
"""

import re

from crawler.spiders.drupal import DrupalNewsSpider


class VilleDeMarseilleSpider(DrupalNewsSpider):
    name = "ville_de_marseille"
    listing_paths = ("/international/actualites",)
    listing_row_link_css = ".view-content .views-row .node__title a::attr(href)"
    # News, and the international pages other than the news listing itself.
    article_path_pattern = re.compile(
        r"^/international/(?:actualites/[^/]+|(?!actualites(?:/|$))[^/]+(?:/[^/]+)?)$"
    )
    time_css = ".block-last-update time"
