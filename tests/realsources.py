"""Crawl real recorded responses with the base spiders, as test sources of the real hosts.

The spider tests on real data (tests/test_real_spiders.py) need two things the shared
helpers do not give:

* a recorded site that answers at the URLs the spider asks for. A realdata file was
  saved under a path (``unitingnc/wp-json/wp/v2/posts/index.html``); the spider asks
  ``/wp-json/wp/v2/posts?per_page=100&page=1&_embed=1``. `record_site` stores each
  real body at the URL a test names, so that each test says where it serves what.
* a source in the registry for a host that is not a partner site. `run_real_crawl`
  runs the real crawl stack (`partnews crawl`'s settings, Scrapy's download stack
  routed to the mirror, the pipelines, the SQLite archive) in a subprocess, with the
  registry extended by the test's sources and one spider class per source made from
  its CMS's base spider. crawler/sources.toml is never touched.

    python -m tests.realsources SPEC.json     (what run_real_crawl runs)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from crawler.sources import Source
from partnews.recorded import save_response, write_site_toml
from tests.realdata import realdata_dir
from tests.realsites import CONTENT_TYPES

REPO_ROOT = Path(__file__).resolve().parents[1]
RECORDED_AT = datetime(2026, 5, 10, tzinfo=UTC)

# Spider bases a test can ask for: the configured CMS bases, and WordPress with The
# Events Calendar (the sdfacc shape: posts and events in one spider).
BASE_NAMES = ("wordpress", "wordpress+tribe", "drupal", "generic", "press")


def record_site(sites_dir: Path, host: str, served: dict[str, tuple[str, str]]) -> Path:
    """A recorded mirror site for `host`: URL path (with query) -> (realdata file, kind).

    Every body is the real file, byte for byte, sent with the Content-Type of its
    MANIFEST kind; anything not listed is a 404, as on a recorded site.
    """
    site_dir = Path(sites_dir) / host
    write_site_toml(site_dir, [host])
    for path, (relative, kind) in served.items():
        body = (realdata_dir() / relative).read_bytes()
        headers = [("Content-Type", CONTENT_TYPES[kind])]
        save_response(site_dir, f"https://{host}{path}", 200, headers, body, RECORDED_AT)
    return Path(sites_dir)


def real_source(source_id: str, host: str, *, cms: str, **fields) -> Source:
    """A registry entry for a real host (relevance "all": every item is archived)."""
    values = {
        "name": f"Real responses of {host}",
        "organisation": host,
        "side": "San Diego",
        "homepage": f"https://{host}/",
        "hosts": (host,),
        "relevance": "all",
        "cms": cms,
    }
    values.update(fields)
    return Source(id=source_id, **values)


def run_real_crawl(
    mirror_url: str, archive: Path, runs: list[tuple[Source, str, dict]], timeout: int = 120
) -> subprocess.CompletedProcess:
    """Crawl each (source, base name, spider attributes) from the mirror into `archive`."""
    spec = {
        "mirror": mirror_url,
        "archive": str(archive),
        "runs": [
            {"source": asdict(source), "base": base, "attributes": attributes}
            for source, base, attributes in runs
        ],
    }
    spec_path = Path(archive).with_suffix(".spec.json")
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO_ROOT))
    env.pop("PARTNEWS_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", "tests.realsources", str(spec_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _spider_class(source: Source, base_name: str, attributes: dict) -> type:
    """The test source's spider: its CMS's base spider with the given class attributes
    (coerced from JSON as a [<id>.spider] table is, by crawler/spiders/configured.py)."""
    from crawler.spiders.configured import BASES, spider_attributes
    from crawler.spiders.wordpress import TribeEventsMixin, WordPressSpider

    if base_name == "wordpress+tribe":

        async def start(self):
            for request in self.start_requests_for_news():
                yield request
            for request in self.start_requests_for_events():
                yield request

        bases: tuple[type, ...] = (TribeEventsMixin, WordPressSpider)
        namespace = {"start": start}
        coerce_for = WordPressSpider
    else:
        bases = (BASES[base_name],)
        namespace = {}
        coerce_for = BASES[base_name]
    with_table = Source(**{**asdict(source), "spider": attributes})
    namespace.update(spider_attributes(with_table, coerce_for), name=source.id)
    return type(f"Real_{source.id}", bases, namespace)


def _run(spec_path: Path) -> int:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    runs = []
    for run in spec["runs"]:
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in run["source"].items()}
        runs.append((Source(**fields), run["base"], run["attributes"]))

    # The registry, extended before any spider or pipeline module reads it; every reader
    # looks `load_sources` up on the module (get_source too), so they all see the tests'.
    import crawler.sources as registry

    merged = {**registry.load_sources(), **{source.id: source for source, _, _ in runs}}
    registry.load_sources = lambda path=registry.REGISTRY_PATH: merged

    from scrapy.crawler import CrawlerProcess

    from partnews.commands.crawl import crawl_settings

    settings = crawl_settings(spec["archive"], mirror=spec["mirror"], warc_dir="")
    process = CrawlerProcess(settings)
    for source, base_name, attributes in runs:
        if base_name not in BASE_NAMES:
            raise ValueError(f"unknown base {base_name!r}; one of {BASE_NAMES}")
        process.crawl(_spider_class(source, base_name, attributes))
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(_run(Path(sys.argv[1])))
