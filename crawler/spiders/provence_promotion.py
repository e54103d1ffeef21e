"""Provence Promotion (investinprovence.com): news in English, French and German paths.

Drupal; see ../shared/sources.md §1.2. The dateline "DD Month YYYY / term, term" gives
the date, in the path's language ("28 Januar 2019" on /de/ over English text), and the
terms, kept as categories. English nodes are also served at /de/node/N: one item.

Selector hints, each optional (counted per page; when one matches nothing the page is
read the generic way, and the nightly reports the source DEGRADED, naming it):

* ``.news-date`` (the dateline): assumed (mirror only; no real page seen). Without it
  the date comes from the page's own evidence (crawler.extract.article).
* the listing rows, Drupal Views' standard markup (DrupalNewsSpider's default):
  assumed (mirror only; no real page seen). Without it, every link of the listing page
  that matches ``article_path_pattern``; the feed and the sitemap come first anyway.
"""

import re

from crawler.spiders.drupal import DrupalNewsSpider

_DATELINE = re.compile(r"^\s*(?P<date>\d{1,2}\s+\S+\s+\d{4})\s*(?:/\s*(?P<terms>.*))?$")


class ProvencePromotionSpider(DrupalNewsSpider):
    name = "provence_promotion"
    listing_paths = ("/en/news", "/actualites")
    article_path_pattern = re.compile(r"^/(en/news/[^/]+|actualites/[^/]+|de/node/\d+)$")
    dateline_css = ".news-date"

    def apply_dateline(self, item, dateline: str) -> None:
        match = _DATELINE.match(dateline)
        if not match:
            super().apply_dateline(item, dateline)
            return
        item.published = match["date"]
        item.published_from = "dateline"
        terms = [t.strip() for t in (match["terms"] or "").split(",") if t.strip()]
        item.categories = item.categories or terms
