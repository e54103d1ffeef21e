"""City of San Diego (sandiego.gov): the "Inside San Diego" stories, in English.

Drupal (an assumption: sources.md §1.7 records only the /insidesd/<slug> paths). Stories
at /insidesd/<slug>, a views listing /insidesd with ?page=N, and a byline whose <time
datetime> is the publication date; the text's own dates ("on Monday, Nov. 23,") have
no year and are never used.

Selector hints, each optional (counted per page; when one matches nothing the page is
read the generic way, and the nightly reports the source DEGRADED, naming it):

* ``.story-card__title a`` (listing rows): assumed (mirror only; no real page seen).
  Without it, every link of the listing page that matches ``article_path_pattern``.
* ``.story-byline time`` (the publication date): assumed (mirror only; no real page
  seen). Without it, the page's own date evidence (JSON-LD, meta, ``<time>``).
* ``.story-byline__author``: assumed (mirror only; no real page seen).
* Titles are always the page's own (crawler.extract.article), never a selector's.
"""

import re

from crawler.spiders.drupal import DrupalNewsSpider


class CityOfSanDiegoSpider(DrupalNewsSpider):
    name = "city_of_san_diego"
    listing_paths = ("/insidesd",)
    listing_row_link_css = ".view-content .views-row .story-card__title a::attr(href)"
    article_path_pattern = re.compile(r"^/insidesd/[^/]+$")
    time_css = ".story-byline time"
    author_css = ".story-byline__author"
