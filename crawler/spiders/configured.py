"""Spiders made from registry blocks alone, for sources that need no code of their own.

Most partner sites run a CMS whose ways in are known (WordPress's REST API, Drupal's
feed and views, a feed → sitemap → listing ladder, a newspaper's search feeds): the
base spider of that CMS crawls them, and what differs between sites is a few class
attributes. For every source in crawler/sources.toml whose ``cms`` has a base spider
here (`BASES`) and which has no ``crawler/spiders/<id>.py`` of its own, this module
creates at import a spider class named after the source id (``times_of_san_diego`` ->
``TimesOfSanDiegoSpider``), with the attributes of the block's ``[<id>.spider]`` table.
`RegistrySpiderLoader` (``SPIDER_LOADER_CLASS`` in crawler/settings.py) adds these
classes to the ones Scrapy finds in crawler/spiders/, so that ``scrapy list``,
``scrapy crawl`` and ``partnews crawl`` know them. For example::

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
    cms = "generic"

    [la_tribune.spider]
    feed_paths = ["/rss.xml"]
    listings = ["/actualites", { path = "/economie", pager = "/page/{n}" }]
    article_path_pattern = '^/(actualites|economie)/[^/]+$'
    dateline_css = ".date"

TOML has no regular expressions, tuples or `Listing`s, so each value is turned into the
type of the base attribute it replaces (`coerce`): a string for an ``re.Pattern`` is
compiled, a list for a tuple becomes a tuple, a ``listings`` entry (a path, or a table
with ``path``, ``pager``, ``first_page``) becomes a `Listing`. A name the base spider
does not have, or a value of the wrong type, is an error at import that names the
source and the attribute: a typo must never leave a default silently in place.

A site that needs code (an overridden method) gets its own ``crawler/spiders/<id>.py``,
which takes precedence over this module; its attributes then live in that file, and a
``[<id>.spider]`` table beside it is an error (it would be ignored). docs/adding-a-source.md
says which to choose.
"""

from __future__ import annotations

import re
from pathlib import Path

from scrapy.spiderloader import SpiderLoader

from crawler.sources import REGISTRY_PATH, Source, load_sources
from crawler.spiders.base import PartnewsSpider
from crawler.spiders.drupal import DrupalNewsSpider
from crawler.spiders.generic import GenericNewsSpider, Listing
from crawler.spiders.press import PressSpider
from crawler.spiders.wordpress import WordPressSpider

SPIDERS_DIR = Path(__file__).parent
# The base spider of each CMS whose sources need only a registry block.
BASES: dict[str, type[PartnewsSpider]] = {
    "wordpress": WordPressSpider,
    "drupal": DrupalNewsSpider,
    "generic": GenericNewsSpider,
    "press": PressSpider,
}
# Attributes a registry table must not set: the name is the source id, and a source's
# Scrapy settings go in its [<id>.politeness] table.
RESERVED = {"name", "custom_settings"}
LISTING_KEYS = {"path", "pager", "first_page"}


class SpiderConfigError(ValueError):
    """A [<id>.spider] table that cannot make a spider (unknown attribute, wrong type)."""


def class_name(source_id: str) -> str:
    """ "times_of_san_diego" -> "TimesOfSanDiegoSpider"."""
    return "".join(part.capitalize() for part in source_id.split("_")) + "Spider"


def settable_attributes(base: type) -> dict[str, object]:
    """The class attributes a registry table may set on `base`, with their defaults:
    the plain data attributes of the partnews spider classes (not methods or properties,
    not Scrapy's own)."""
    attributes: dict[str, object] = {}
    for cls in reversed(base.__mro__):
        if not issubclass(cls, PartnewsSpider):
            continue
        for name, value in vars(cls).items():
            if name.startswith("_") or name in RESERVED:
                continue
            if callable(value) or isinstance(value, (property, classmethod, staticmethod)):
                continue
            attributes[name] = value
    return attributes


def to_listing(value: object) -> Listing:
    """A `Listing` from "/news" or {path = "/news", pager = "/page/{n}", first_page = 1}."""
    if isinstance(value, str):
        return Listing(value)
    if isinstance(value, dict):
        unknown = set(value) - LISTING_KEYS
        if unknown or "path" not in value:
            raise TypeError(
                f"a listing table needs 'path' and may have {sorted(LISTING_KEYS)}; "
                f"got {sorted(value)}"
            )
        listing = Listing(**value)
        if "{n}" not in listing.pager:
            raise TypeError(f"a listing's pager must contain {{n}}, not {listing.pager!r}")
        return listing
    raise TypeError(f"a listing is a path or a table, not {value!r}")


def coerce(name: str, default: object, value: object) -> object:
    """`value` (as TOML gives it) in the type of the base attribute's `default`."""
    if isinstance(default, re.Pattern):
        if not isinstance(value, str):
            raise TypeError(f"expected a regular expression as a string, not {value!r}")
        try:
            return re.compile(value)
        except re.error as error:
            raise TypeError(f"{value!r} is not a regular expression: {error}") from None
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise TypeError(f"expected a list, not {value!r}")
        if name == "listings":
            return tuple(to_listing(entry) for entry in value)
        if not all(isinstance(entry, str) for entry in value):
            raise TypeError(f"expected a list of strings, not {value!r}")
        return tuple(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise TypeError(f"expected a table, not {value!r}")
        return dict(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected a whole number, not {value!r}")
        return value
    # Strings, and the attributes whose default is None (CSS selectors, paths).
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {value!r}")
    return value


def spider_attributes(source: Source, base: type) -> dict[str, object]:
    """The class attributes of `source`'s [<id>.spider] table, coerced for `base`."""
    known = settable_attributes(base)
    attributes = {}
    for name, value in source.spider.items():
        where = f"{REGISTRY_PATH.name} [{source.id}.spider]"
        if name not in known:
            raise SpiderConfigError(
                f"{where}: unknown attribute {name!r} for a {source.cms} source; "
                f"{base.__name__} takes: {', '.join(sorted(known))}"
            )
        try:
            attributes[name] = coerce(name, known[name], value)
        except TypeError as error:
            raise SpiderConfigError(f"{where}: {name}: {error}") from None
    return attributes


def make_spider(source: Source) -> type[PartnewsSpider]:
    """The spider class of a source configured by its registry block alone."""
    base = BASES[source.cms]
    name = class_name(source.id)
    namespace = {
        "name": source.id,
        "__module__": __name__,
        "__doc__": f"{source.name}: a {source.cms} source configured in sources.toml.",
        **spider_attributes(source, base),
    }
    return type(name, (base,), namespace)


def configured_spiders(
    sources: dict[str, Source] | None = None, spiders_dir: Path = SPIDERS_DIR
) -> dict[str, type]:
    """Class name -> spider class, for each registry source that has no spider file."""
    spiders = {}
    for source_id, source in (load_sources() if sources is None else sources).items():
        if source.cms not in BASES:
            continue
        if (spiders_dir / f"{source_id}.py").exists():
            if source.spider:
                raise SpiderConfigError(
                    f"{REGISTRY_PATH.name} [{source_id}.spider]: {source_id} has its own "
                    f"crawler/spiders/{source_id}.py, which ignores this table; set "
                    "these attributes in that file instead"
                )
            continue
        spiders[class_name(source_id)] = make_spider(source)
    return spiders


class RegistrySpiderLoader(SpiderLoader):
    """Scrapy's spider loader, which also knows the spiders made from registry blocks.

    Scrapy's loader lists the spider classes defined in ``SPIDER_MODULES``; the classes
    `configured_spiders` makes exist in no module's namespace, so they are added here.
    A source's own spider file wins (`configured_spiders` skips such sources).
    """

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for spidercls in configured_spiders().values():
            self._found[spidercls.name].append((spidercls.__module__, spidercls.__name__))
            self._spiders[spidercls.name] = spidercls
        self._check_name_duplicates()
