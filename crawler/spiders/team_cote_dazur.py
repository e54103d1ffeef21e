"""Team Côte d'Azur (investincotedazur.com): news in French and English.

WordPress with Polylang; see ../shared/sources.md §1.3. French posts are at the root
(``/<slug>/``), English ones under ``/en/`` with their own feed (``/en/feed/``); the REST
API returns both languages with each post's ``lang`` and ``translations``. Pages print
no dateline: dates come from the REST API (or ``<time datetime>`` and the article meta
on the fallback rungs). The bare host serves the same site with slash-less links; the
archive merges both (the CMS id and language match).
"""

from crawler.spiders.wordpress import WordPressSpider


class TeamCoteDazurSpider(WordPressSpider):
    name = "team_cote_dazur"
    language_prefixes = {"fr": "", "en": "/en"}
