"""Spiders whose selector hints no longer match their site, as after a redesign.

tests/test_selector_drift.py crawls the mirror with these in place of the sources' own
spiders (``SPIDER_MODULES`` lists this module after crawler.spiders, so a spider here
replaces the one of the same name): the hints match nothing, the pages must still be
read the generic way, and the run must record the misses.
"""

from crawler.spiders.region_sud import RegionSudSpider
from crawler.spiders.sd_regional_edc import SdRegionalEdcSpider

MISSING_DATELINE = ".redesigned-dateline"
MISSING_LISTING = ".redesigned-card__link a::attr(href)"


class RedesignedRegionSudSpider(RegionSudSpider):
    name = "region_sud"
    dateline_css = MISSING_DATELINE


class RedesignedSdRegionalEdcSpider(SdRegionalEdcSpider):
    name = "sd_regional_edc"
    listing_link_css = MISSING_LISTING
