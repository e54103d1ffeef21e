"""One crawl's state in one object: its archive, its crawl_runs row and everything it keeps.

A run of one source is shared by many Scrapy components: the item pipelines write items,
the downloader middlewares pace requests (crawler/politeness.py), revalidate entry
points (crawler/incremental.py), capture responses (crawler/warc.py) and file what
failed (crawler/failures.py, crawler/boundaries.py), the spiders count their selector
hints, and the run report (crawler/run_report.py) writes the run's counts at the end.
They all hold the same `RunState`, owned by the `RunReport` extension and handed to
each component in its ``from_crawler`` (`run_state`): nothing is hung on Scrapy's
Crawler.

Scrapy builds the extensions before the engine, whose construction builds the
downloader middlewares and the item pipelines, so `run_state` can be called from any of
their ``from_crawler``. The spider is built first of all: it asks on first use
(`crawler.spiders.base.PartnewsSpider.run_state`).

The archive is opened, and the run's row started, on first use: a crawler that never
opens its spider writes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.store import Archive

if TYPE_CHECKING:
    from crawler.incremental import IncrementalState
    from crawler.politeness import DomainClock
    from crawler.warc import WarcRecorder


@dataclass
class SelectorCount:
    """How often one CSS selector a reader names matched, on the pages it was tried on."""

    role: str
    pages: int = 0
    matched: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "pages": self.pages, "matched": self.matched}


@dataclass
class SelectorCounts:
    """Per selector: on how many pages it was tried, on how many it matched.

    Stored in ``crawl_runs.selectors`` (JSON) and judged by crawler/health.py: a
    site-specific selector is only a hint, and one that stops matching is a redesign the
    nightly must report, even though the pages still parse (through the generic ways).
    """

    counts: dict[str, SelectorCount] = field(default_factory=dict)

    def record(self, css: str, role: str, matched: bool) -> None:
        count = self.counts.setdefault(css, SelectorCount(role))
        count.pages += 1
        count.matched += int(matched)

    def as_json_dict(self) -> dict[str, dict[str, Any]]:
        return {css: count.as_dict() for css, count in sorted(self.counts.items())}


class RunState:
    """One source's crawl: the archive handle, run id, counters' clock, incremental
    memory, per-domain politeness clock, WARC recorder and selector counts."""

    def __init__(
        self,
        source: str,
        archive_path: str,
        *,
        mirror: str | None = None,
        clock: DomainClock,
        warc: WarcRecorder | None = None,
        register_source: bool = True,
    ) -> None:
        self.source = source
        self.archive_path = archive_path
        self.mirror = mirror
        self.clock = clock
        self.warc = warc
        self.register_source = register_source
        self.selectors = SelectorCounts()
        self.started = time.monotonic()
        self._archive: Archive | None = None
        self._run_id: int | None = None
        self._incremental: IncrementalState | None = None

    @property
    def archive(self) -> Archive:
        """The archive, opened with the run's crawl_runs row on first use."""
        if self._archive is None:
            archive = Archive(self.archive_path)
            if self.register_source:
                from crawler.sources import load_sources

                sources = load_sources()
                if self.source in sources:
                    archive.upsert_sources([sources[self.source].archive_row()])
            self._run_id = archive.start_run(self.source, mirror=self.mirror)
            self._archive = archive
        return self._archive

    @property
    def run_id(self) -> int:
        self.archive  # noqa: B018 (opens the run)
        assert self._run_id is not None
        return self._run_id

    def incremental_for(self, spider) -> IncrementalState:
        """The source's incremental memory for this run, loaded on first use with the
        spider's mode and night."""
        if self._incremental is None:
            from crawler.incremental import IncrementalState

            self._incremental = IncrementalState.load(
                self.archive.db,
                self.source,
                getattr(spider, "mode", None) == "incremental",
                getattr(spider, "night", None),
            )
        return self._incremental

    def reject(self, url: str | None, reason: str, item: Any = None) -> None:
        """File a URL (or an item) that could not be archived, with the reason."""
        self.archive.record_reject(self.run_id, self.source, url, reason, item)

    def close(self) -> None:
        """Close the WARC file and the archive (the run's row is finished before)."""
        if self.warc is not None:
            self.warc.close()
        if self._archive is not None:
            self._archive.close()
            self._archive = None


def run_state(crawler) -> RunState:
    """The run state of `crawler`, from its `RunReport` extension (the owner).

    Callable from any component's ``from_crawler`` built after the extensions (downloader
    middlewares, item pipelines) and from a spider once the crawl is set up."""
    from crawler.run_report import RunReport

    owner = crawler.get_extension(RunReport)
    if owner is None:
        raise RuntimeError(
            "crawler.run_report.RunReport is not among the EXTENSIONS: it owns the run state"
        )
    return owner.state
