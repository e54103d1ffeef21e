"""Site classes bound to one mirror folder each, for tests that build a single site.

The mirror has one emulator per CMS and no per-site code (a site's differences are in
its site.toml); these names only spare the tests a folder path.
"""

from __future__ import annotations

from mirror import SITES_DIR
from mirror.sites import bound_site

InvestInProvenceSite = bound_site("www.investinprovence.com", SITES_DIR)
VilleDeMarseilleSite = bound_site("www.marseille.fr", SITES_DIR)
CityOfSanDiegoSite = bound_site("www.sandiego.gov", SITES_DIR)
