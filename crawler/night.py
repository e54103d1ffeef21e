"""A night of `partnews nightly`: its plan, its folder, and resuming it after a crash.

A night is planned once, when it starts: for each source, a full pass or an incremental
one, and the ``since`` date WordPress's ``modified_after`` gets. The plan is written to
``<data>/nightly/<night id>/night.json`` (the night's job folder), so that a night
killed at any moment is resumed by the next invocation with the same plan: the sources
whose run finished that night are not crawled again; the interrupted source is crawled
again with the same plan, and skips the article pages it already archived (page_state
is written per item, crawler/incremental.py), while its entry points are read again in
full because its validators were never committed. Archive writes are per item and
idempotent (an item saved twice is "unchanged"), so nothing is duplicated. The folder
is removed when the night completes and never reused.

Scrapy's own JOBDIR is not used for this: it saves its request queue only on a clean
stop, and after a SIGKILL its ``requests.seen`` file can list requests that were never
downloaded, which a resumed run would then skip for good.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

NIGHT_FILE = "night.json"
# WordPress's modified_after is in the site's local time; a day of margin covers any zone.
SINCE_MARGIN = timedelta(days=1)


@dataclass
class SourcePlan:
    mode: str  # "full" or "incremental"
    since: str | None = None  # YYYY-MM-DD, for incremental nights


@dataclass
class Night:
    id: str
    folder: Path
    started: str
    full: bool
    sources: list[str]
    plan: dict[str, SourcePlan] = field(default_factory=dict)
    resumed: bool = False

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {
            "id": self.id,
            "started": self.started,
            "full": self.full,
            "sources": self.sources,
            "plan": {s: asdict(p) for s, p in self.plan.items()},
        }
        partial = self.folder / (NIGHT_FILE + ".partial")
        partial.write_text(json.dumps(data, indent=2))
        partial.replace(self.folder / NIGHT_FILE)

    def finish(self) -> None:
        """The night is complete: its folder goes (a later night never reuses it)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def nights_dir(archive: Path) -> Path:
    """Where the nights' job folders live: beside the archive, in the data folder."""
    return Path(archive).resolve().parent / "nightly"


def night_id(now: datetime) -> str:
    """A night's id: its UTC start time, sortable and safe in file names."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def load_night(folder: Path) -> Night | None:
    try:
        data = json.loads((folder / NIGHT_FILE).read_text())
        return Night(
            id=data["id"],
            folder=folder,
            started=data["started"],
            full=data["full"],
            sources=list(data["sources"]),
            plan={s: SourcePlan(**p) for s, p in data["plan"].items()},
            resumed=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def unfinished_nights(archive: Path) -> list[Night]:
    """Nights whose folder is still there (killed before they completed), oldest first."""
    base = nights_dir(archive)
    if not base.exists():
        return []
    nights = [load_night(folder) for folder in sorted(base.iterdir()) if folder.is_dir()]
    return [n for n in nights if n is not None]


def plan_source(last_finished_start: str | None, full: bool) -> SourcePlan:
    """Full when asked, or when the source was never crawled to the end (nothing to
    compare with); otherwise incremental, since the last finished run's day minus the
    margin."""
    if full or not last_finished_start:
        return SourcePlan(mode="full")
    day = datetime.fromisoformat(last_finished_start).date()
    return SourcePlan(mode="incremental", since=(day - SINCE_MARGIN).isoformat())


def new_night(
    archive: Path, sources: list[str], full: bool, last_starts: dict[str, str | None], now: datetime
) -> Night:
    """Plan a night from each source's last finished run (``crawl_runs.started``)."""
    nid = night_id(now)
    night = Night(
        id=nid,
        folder=nights_dir(archive) / nid,
        started=now.astimezone(UTC).replace(microsecond=0).isoformat(),
        full=full,
        sources=list(sources),
        plan={s: plan_source(last_starts.get(s), full) for s in sources},
    )
    night.save()
    return night


def same_request(night: Night, sources: list[str], full: bool) -> bool:
    """Whether an unfinished night is the one this invocation asks for (resume it)."""
    return night.full == full and sorted(night.sources) == sorted(sources)
