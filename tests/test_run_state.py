"""One run state per crawl (crawler/run_state.py), owned by the RunReport extension and
handed to every component through from_crawler; nothing hung on Scrapy's Crawler."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.boundaries import BoundariesMiddleware
from crawler.failures import RecordFailures
from crawler.incremental import ConditionalGetMiddleware
from crawler.politeness import CrawlDelayMiddleware, RetryAfterMiddleware
from crawler.run_report import RunReport
from crawler.run_state import run_state
from crawler.spiders.region_sud import RegionSudSpider
from crawler.warc import WarcMiddleware
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline


def project_crawler(tmp_path, **overrides) -> Crawler:
    """A crawler of region_sud with the project's settings (crawler/settings.py)."""
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    settings.update(
        PARTNEWS_ARCHIVE=str(tmp_path / "partnews.db"),
        PARTNEWS_WARC_DIR=str(tmp_path / "warc"),
        **overrides,
    )
    crawler = get_crawler(RegionSudSpider, settings)
    crawler._apply_settings()  # builds the extensions, as crawl() does before the engine
    return crawler


def test_every_component_gets_the_one_state_of_the_run(tmp_path):
    crawler = project_crawler(tmp_path)
    state = run_state(crawler)
    assert state is crawler.get_extension(RunReport).state
    assert state.source == "region_sud"
    assert BoundariesMiddleware.from_crawler(crawler).state is state
    assert RecordFailures.from_crawler(crawler).state is state
    assert ConditionalGetMiddleware.from_crawler(crawler).state is state
    assert WarcMiddleware.from_crawler(crawler).recorder is state.warc
    assert CrawlDelayMiddleware.from_crawler(crawler).clock is state.clock
    assert RetryAfterMiddleware.from_crawler(crawler).clock is state.clock
    assert StorePipeline.from_crawler(crawler).state is state
    assert DedupePipeline.from_crawler(crawler).state is state
    # Nothing of the run is hung on Scrapy's Crawler.
    assert not [name for name in vars(crawler) if name.startswith("partnews")]
    # Building the components opened nothing: the archive opens with the run.
    assert not (tmp_path / "partnews.db").exists()


def test_without_its_owner_the_state_is_not_silently_made_elsewhere(tmp_path):
    crawler = project_crawler(tmp_path, EXTENSIONS={"crawler.run_report.RunReport": None})
    with pytest.raises(RuntimeError, match="RunReport"):
        run_state(crawler)
