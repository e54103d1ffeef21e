"""Ville de Marseille (marseille.fr): the international section's news and pages, in French.

Drupal; see ../shared/sources.md §1.8. News at /international/actualites/<slug> (a views
listing with ?page=N), and the section's pages (/international/echanges…). A page's only
date is the "Dernière mise à jour :" block, whose text is empty until a script fills it
in the browser: the date is read from its <time datetime> (UTC), never from the text.
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
