"""Spiders made from registry blocks alone, for sources that need no code of their own.

A press outlet is only its hosts and search terms: for every source in
crawler/sources.toml whose ``cms`` is ``press`` and which has no
``crawler/spiders/<id>.py`` of its own, this module creates at import a spider class
named after the source id (``times_of_san_diego`` -> ``TimesOfSanDiegoSpider``) on
`PressSpider`, so that ``scrapy list`` and ``partnews crawl`` find it.

Adding a new outlet is one block in sources.toml, for example::

    [la_tribune]
    name = "La Tribune Région Sud"
    organisation = "La Tribune (press)"
    side = "Région Sud"
    homepage = "https://region-sud.latribune.fr/"
    hosts = ["region-sud.latribune.fr"]
    languages = ["fr"]
    timezone = "Europe/Paris"
    day_first = true
    kinds = ["news"]
    relevance = "filtered"
    cms = "press"
    search_terms = ["San Diego", "Californie"]

An outlet that needs something different gets its own ``crawler/spiders/<id>.py``
(a `PressSpider` subclass with the overrides), which takes precedence over this module.
"""

from __future__ import annotations

from pathlib import Path

from crawler.sources import load_sources
from crawler.spiders.press import PressSpider

SPIDERS_DIR = Path(__file__).parent
# The base spider of each CMS whose sources need only a registry block.
BASES = {"press": PressSpider}


def class_name(source_id: str) -> str:
    """ "times_of_san_diego" -> "TimesOfSanDiegoSpider"."""
    return "".join(part.capitalize() for part in source_id.split("_")) + "Spider"


def configured_spiders() -> dict[str, type]:
    """Class name -> spider class, for each registry source that has no spider file."""
    spiders = {}
    for source_id, source in load_sources().items():
        base = BASES.get(source.cms)
        if base is None or (SPIDERS_DIR / f"{source_id}.py").exists():
            continue
        name = class_name(source_id)
        doc = f"{source.name}: a {source.cms} source configured in sources.toml."
        # __module__ must be this module: Scrapy only lists classes defined where found.
        spiders[name] = type(
            name, (base,), {"name": source_id, "__module__": __name__, "__doc__": doc}
        )
    return spiders


globals().update(configured_spiders())
