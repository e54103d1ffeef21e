"""The source registry: what partnews knows of each partner site, read from sources.toml.

Spiders, pipelines and the archive all take a source's languages, timezone, hosts and
URL preferences from here, so a site's facts live in one declarative place.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

REGISTRY_PATH = Path(__file__).with_name("sources.toml")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    organisation: str
    side: str
    homepage: str
    hosts: tuple[str, ...]
    prefer_www: bool | None = None
    languages: tuple[str, ...] = ("en",)
    timezone: str = "UTC"
    day_first: bool | None = None
    kinds: tuple[str, ...] = ("news",)
    relevance: str = "all"
    cms: str = "generic"
    # Press sources: the WordPress search terms whose feeds are read.
    search_terms: tuple[str, ...] = ()
    # Scrapy settings for this source only (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN…).
    politeness: dict = field(default_factory=dict)
    # The block's optional [<id>.spider] table: class attributes of the CMS base spider for
    # a source without a spider file (crawler/spiders/configured.py reads and checks them).
    spider: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def archive_row(self) -> dict:
        """The row of the archive's ``sources`` table."""
        row = asdict(self)
        return {
            "id": self.id,
            "name": self.name,
            "organisation": self.organisation,
            "side": self.side,
            "homepage": self.homepage,
            "languages": ",".join(row["languages"]),
            "timezone": self.timezone,
            "kinds": ",".join(row["kinds"]),
            "relevance": self.relevance,
            "cms": self.cms,
        }


def _source(source_id: str, block: dict) -> Source:
    known = {f for f in Source.__dataclass_fields__ if f not in ("id", "extra")}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in block.items() if k in known}
    extra = {k: v for k, v in block.items() if k not in known}
    return Source(id=source_id, extra=extra, **values)


@cache
def load_sources(path: Path = REGISTRY_PATH) -> dict[str, Source]:
    """Every source of the registry, by id, in file order."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return {source_id: _source(source_id, block) for source_id, block in data.items()}


def get_source(source_id: str) -> Source:
    sources = load_sources()
    if source_id not in sources:
        raise KeyError(
            f"Unknown source {source_id!r}. Known sources: {', '.join(sources)} "
            f"(see {REGISTRY_PATH})."
        )
    return sources[source_id]
