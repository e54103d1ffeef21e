"""San Diego Regional EDC / World Trade Center San Diego (sandiegobusiness.org): the blog.

CMS unknown; see ../shared/sources.md §1.6. The generic ladder: the blog's RSS feed
(assumed: /blog/rss.xml), the sitemap, then two listings: the current blog category
(/blog/category/blog, /page/N) and the old blog's WTC San Diego category
(/category/category/wtc-san-diego, zero-based ?page=N). The current listings and the tag
listings (/blog/tag/<tag>) carry full post bodies: posts are read from their own pages
only, so a listing never makes an item. Older posts show only a text date ("June 21,
2016"). The source is "filtered": only posts about the partnership are archived.

Selector hints, each optional (counted per page; when one matches nothing the page is
read the generic way, and the nightly reports the source DEGRADED, naming it):

* ``.listing-title a`` (listing links): assumed (mirror only; no real page seen).
  Without it, every link of the listing page that matches ``article_path_pattern``.
* ``.post-date`` (the visible date): assumed (mirror only; no real page seen). Without
  it, the page's own date evidence (JSON-LD, meta, ``<time>``), then the feed's date.
"""

import re

from crawler.spiders.generic import GenericNewsSpider, Listing


class SdRegionalEdcSpider(GenericNewsSpider):
    name = "sd_regional_edc"
    feed_paths = ("/blog/rss.xml",)
    listings = (
        Listing("/blog/category/blog", "/page/{n}"),
        Listing("/category/category/wtc-san-diego", "?page={n}", first_page=0),
    )
    # Posts are /blog/<slug>; /blog/tag/…, /blog/category/… and the feed are not posts.
    article_path_pattern = re.compile(r"^/blog/(?!tag$|category$|rss\.xml$)[^/]+$")
    listing_link_css = ".listing-title a::attr(href)"
    dateline_css = ".post-date"
