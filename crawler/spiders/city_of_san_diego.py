"""City of San Diego (sandiego.gov): the "Inside San Diego" stories, in English.

Drupal (an assumption: sources.md §1.7 records only the /insidesd/<slug> paths). Stories
at /insidesd/<slug>, a views listing /insidesd with ?page=N, and a byline whose <time
datetime> is the publication date; the text's own dates ("on Monday, Nov. 23,") have
no year and are never used.
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
