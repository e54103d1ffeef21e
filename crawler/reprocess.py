"""Re-reading the archive from its WARC captures with today's readers (`partnews reprocess`).

Readers improve; old pages vanish. Every response a crawl received is in the WARC files
(crawler/warc.py) with a ``captures`` row, so the archive can be re-derived without the
network, as web archives re-derive their indexes from WARCs. Which reader applies to a
capture is the one the spider's own ladder hands it to: each source's spider is run
again in full mode, and every request it makes is answered from the newest capture of
that URL by `WarcReplayHandler` (a Scrapy download handler: nothing reaches the
network). The spider therefore meets the same feeds, sitemaps, listings, API pages and
articles in the same roles as on the night they were captured, and the items it yields
are what a fresh crawl with today's readers would give for those responses. A URL with
no capture, or whose record cannot be read, is reported with the reason; the items read
from it before stay as they are.

Reading (HTML parsing, extraction, validation, normalisation, relevance) runs in worker
processes, one group of sources each; the items come back over a queue to this process,
the one writer, which runs dedupe and `Archive.reprocess_item`: an item whose reading
changed gets a new version with reason ``reprocessed`` and the changed fields, an item
whose reading did not change is not written at all, and relations are recomputed for the
changed ones. Workers write nothing to the archive: their run bookkeeping (rejects,
counts) goes to a scratch file each, whose rejects this process copies over.

The writer commits every `COMMIT_EVERY` items (`--commit-every`), and whenever a source
ends or the queue goes quiet, rather than once per item: a commit writes every page the
item dirtied to the WAL, about 0.8 ms an item. A kill loses at most those uncommitted
items' writes, never a source marked done (its items are committed first), and the
resume re-reads every source not done, so the final archive is the same (each item is
still its own savepoint: a failing item leaves the others whole). A crawl keeps one
transaction per item: its resume trusts each page it recorded as read.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue as queue_module
import shutil
import signal
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from archive.store import NEW, REVERTED, Archive, utc_now
from crawler.warc import read_record

# Settings a worker's crawl reads.
REPLAY_ARCHIVE = "PARTNEWS_REPLAY_ARCHIVE"
REPLAY_WARC_DIR = "PARTNEWS_REPLAY_WARC_DIR"
# The pipelines that read (the writer side, dedupe and store, runs in the main process).
READING_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.relevance.RelevancePipeline": 250,
}
REASON = "reprocessed"
EXAMPLES_PER_FIELD = 3
PROGRESS_EVERY = 50
# Items per transaction of the writer (see the module docstring).
COMMIT_EVERY = 200
# Items of one response a reading worker processes at once (see `worker_settings`).
READING_CONCURRENT_ITEMS = 4


class CaptureMissing(OSError):
    """No capture of this URL in the archive: the crawl never received it."""


class CaptureUnreadable(OSError):
    """The capture's WARC record is gone or damaged."""


# Which capture answers a URL --------------------------------------------------------------

# The newest capture holding content for each URL: a 304 revisit repeats an earlier full
# capture, so that one is served (a revisit's content is its original's).
CAPTURE_INDEX_SQL = """
select url, id, status, captured_at, warc_file, warc_offset, record_id
from captures
where status != 304
order by url, captured_at, id
"""


def capture_index(db) -> dict[str, dict[str, Any]]:
    """url -> the newest capture with content of that URL (status other than 304)."""
    index: dict[str, dict[str, Any]] = {}
    if not db["captures"].exists():
        return index
    cursor = db.execute(CAPTURE_INDEX_SQL)
    names = [c[0] for c in cursor.description]
    for row in cursor:
        capture = dict(zip(names, row, strict=True))
        index[capture["url"]] = capture  # ordered oldest first: the newest wins
    return index


def response_from_capture(request: Request, warc_dir: Path, capture: dict[str, Any]) -> Response:
    """The Scrapy response a capture holds, as received (still content-encoded: Scrapy's
    decompression middleware decodes it, as it did on the night)."""
    try:
        record = read_record(warc_dir, capture["warc_file"], capture["warc_offset"])
    except Exception as error:  # noqa: BLE001 (any damage: reported with its type)
        raise CaptureUnreadable(
            f"capture unreadable: {capture['warc_file']}@{capture['warc_offset']}: "
            f"{type(error).__name__}: {error}"
        ) from error
    where = f"capture unreadable: {capture['warc_file']}@{capture['warc_offset']}"
    found_id = record.rec_headers.get_header("WARC-Record-ID")
    if capture.get("record_id") and found_id != capture["record_id"]:
        # A damaged or shifted offset can land on bytes that still parse: never read
        # another record (or garbage) as this capture.
        raise CaptureUnreadable(
            f"{where}: the record there is {found_id}, not {capture['record_id']}"
        )
    if record.http_headers is None:
        raise CaptureUnreadable(f"{where}: the record {found_id} has no HTTP headers")
    headers = Headers()
    for name, value in record.http_headers.headers:
        headers.appendlist(name, value)
    body = record.payload
    status = int(record.http_headers.get_statuscode() or capture["status"])
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    request.meta["partnews_capture"] = {
        "id": capture["id"],
        "captured_at": capture["captured_at"],
    }
    return cls(
        url=request.url,
        status=status,
        headers=headers,
        body=body,
        request=request,
        flags=["replayed"],
        protocol="HTTP/1.1",
    )


class WarcReplayHandler(BaseDownloadHandler):
    """A download handler that answers every request from the archive's WARC captures.

    Used for http and https in a reprocess: no request leaves the machine. A URL without
    a capture, or with an unreadable one, fails like a download error, and is reported.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        archive = Archive(crawler.settings.get(REPLAY_ARCHIVE))
        self.index = capture_index(archive.db)
        archive.close()
        self.warc_dir = Path(crawler.settings.get(REPLAY_WARC_DIR))

    async def download_request(self, request: Request) -> Response:
        capture = self.index.get(request.url)
        if capture is None:
            error: OSError = CaptureMissing(f"no capture of {request.url}")
        else:
            try:
                return response_from_capture(request, self.warc_dir, capture)
            except CaptureUnreadable as unreadable:
                error = unreadable
        _send(("missing", request.url, str(error)))
        raise error


# The worker side ---------------------------------------------------------------------------

_QUEUE = None  # the worker's queue to the writer, set by `reading_worker`
_SINK = True  # False for "extraction alone" (the bench): items are read, then dropped
_PARENT = None  # the writer's pid


def _send(message: tuple) -> None:
    """Hand a message to the writer; a worker whose writer died (killed) ends itself
    rather than wait forever on a full queue."""
    if _QUEUE is None:
        return
    if os.getppid() != _PARENT:
        # The writer was killed: nobody will read this. Leave now, without flushing the
        # queue into a pipe no one empties (which would hang this process for good).
        os._exit(1)
    while True:
        try:
            _QUEUE.put(message, timeout=5)
            return
        except queue_module.Full:
            if os.getppid() != _PARENT:
                os._exit(1)


class ForwardReadings:
    """Worker extension: every item that passed the reading pipelines goes to the writer,
    with the capture it was read from; a source's end is announced after its items."""

    def __init__(self, crawler):
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        self.counts: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider):
        self.counts["readings"] += 1
        if not _SINK:
            return
        data = item.to_dict() if hasattr(item, "to_dict") else dict(item)
        capture = (response.meta.get("partnews_capture") if response is not None else None) or {}
        _send(("item", spider.name, data, capture))

    def spider_closed(self, spider, reason):
        stats = spider.crawler.stats.get_stats()
        responses = sum(
            v for k, v in stats.items() if k.startswith("downloader/response_status_count/")
        )
        _send(("done", spider.name, {"responses": responses, "reason": reason}))


def worker_settings(archive: Path, warc_dir: Path, scratch: Path, *, read_only: bool):
    """The crawl settings of a reading worker: replay from the WARC files, no capture, no
    politeness delays (nothing is asked of any server), the reading pipelines only, and
    the worker's bookkeeping in its scratch archive."""
    from partnews.commands.crawl import crawl_settings

    log_level = os.environ.get("PARTNEWS_REPLAY_LOG", "ERROR")
    settings = crawl_settings(str(scratch), log_level=log_level, warc_dir="")
    handler = "crawler.reprocess.WarcReplayHandler"
    for name, value in {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        REPLAY_ARCHIVE: str(archive),
        REPLAY_WARC_DIR: str(warc_dir),
        "ITEM_PIPELINES": {} if read_only else READING_PIPELINES,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        # Scrapy starts CONCURRENT_ITEMS tasks (default 100) for each response's output,
        # however few items it holds; the reading pipelines are synchronous, so more than
        # a few buys nothing. With the default, those tasks were a fifth of a worker's
        # CPU (docs/benchmarks.md, "reprocess", session 8).
        "CONCURRENT_ITEMS": READING_CONCURRENT_ITEMS,
        "RETRY_ENABLED": False,
        "EXTENSIONS": {
            **dict(settings.getdict("EXTENSIONS")),
            "crawler.reprocess.ForwardReadings": 600,
        },
        "DOWNLOADER_MIDDLEWARES": {
            **dict(settings.getdict("DOWNLOADER_MIDDLEWARES")),
            "crawler.politeness.CrawlDelayMiddleware": None,
        },
    }.items():
        # Above the spiders' own politeness overrides (priority "spider").
        settings.set(name, value, priority="cmdline")
    return settings


def reading_worker(
    archive: str, warc_dir: str, sources: list[str], queue, scratch: str, read_only: bool = False
) -> None:
    """One worker process: replay these sources' spiders from the captures and send what
    they read to the writer (or, for the bench's extraction alone, drop it)."""
    global _QUEUE, _SINK, _PARENT
    _QUEUE, _SINK, _PARENT = queue, not read_only, os.getppid()
    from scrapy.crawler import CrawlerProcess

    try:
        settings = worker_settings(
            Path(archive), Path(warc_dir), Path(scratch), read_only=read_only
        )
        process = CrawlerProcess(settings)
        for source in sources:
            process.crawl(source, mode="full")
        process.start()
    except BaseException as error:  # the writer must hear of it, never wait forever
        _send(("failed", ",".join(sources), f"{type(error).__name__}: {error}"))
        raise
    finally:
        _send(("exit", os.getpid(), scratch))


# Planning ----------------------------------------------------------------------------------


def captured_sources(db) -> dict[str, int]:
    """Sources with captures in the archive, with their number of captures."""
    if not db["captures"].exists():
        return {}
    return dict(
        db.execute(
            "select crawl_runs.source, count(*) from captures "
            "join crawl_runs on crawl_runs.id = captures.run_id group by crawl_runs.source"
        ).fetchall()
    )


def balanced_groups(sizes: dict[str, int], workers: int) -> list[list[str]]:
    """Sources split into at most `workers` groups of about equal work (largest first into
    the lightest group), so that workers finish together."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(sizes))))]
    loads = [0] * len(groups)
    for source in sorted(sizes, key=lambda s: (-sizes[s], s)):
        lightest = loads.index(min(loads))
        groups[lightest].append(source)
        loads[lightest] += sizes[source] or 1
    return [g for g in groups if g]


# The writer --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a reprocess did (or, in a dry run, would do), per source and field."""

    readings: Counter = field(default_factory=Counter)  # per source
    changed: Counter = field(default_factory=Counter)  # per source
    unchanged: Counter = field(default_factory=Counter)
    new: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # captured before --since
    # per source, field -> ids of the items whose reading of it changed
    fields: dict[str, dict[str, set]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    examples: dict[tuple[str, str], list[dict]] = field(default_factory=lambda: defaultdict(list))
    missing: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    responses: Counter = field(default_factory=Counter)
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    changed_ids: dict[str, set] = field(default_factory=lambda: defaultdict(set))

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": {
                source: {
                    "readings": self.readings[source],
                    "changed": len(self.changed_ids[source]),
                    "new": self.new[source],
                    "unchanged": self.unchanged[source],
                    "skipped_before_since": self.skipped[source],
                    "responses": self.responses[source],
                    "fields": {name: len(ids) for name, ids in self.fields[source].items() if ids},
                    "examples": {
                        name: examples
                        for (src, name), examples in self.examples.items()
                        if src == source
                    },
                }
                for source in sorted(set(self.readings) | set(self.responses))
            },
            "missing_captures": [{"url": u, "reason": r} for u, r in self.missing],
            "failed": self.failed,
        }


def excerpts(before: Any, after: Any, width: int = 60) -> tuple[Any, Any]:
    """Short forms of two values for an example: long texts cut around where they start
    to differ (a body that lost its second half shows its end, not its shared start)."""
    if not (isinstance(before, str) and isinstance(after, str)):
        return _short(before, width * 2), _short(after, width * 2)
    start = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    begin = max(0, start - width // 2)

    def cut(text: str) -> str:
        piece = text[begin : begin + width * 2]
        return ("…" if begin else "") + piece + ("…" if begin + width * 2 < len(text) else "")

    return cut(before), cut(after)


def _short(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


class Writer:
    """The one writer of a reprocess: dedupe, then `Archive.reprocess_item` (or, in a dry
    run, `Archive.reading_changes`, which writes nothing)."""

    def __init__(
        self,
        archive,
        *,
        since: str | None,
        dry_run: bool,
        outcome: Outcome,
        started: str | None = None,
    ):
        self.archive = archive
        self.started = started or utc_now()
        self.since = since
        self.dry_run = dry_run
        self.outcome = outcome

    def take(self, source: str, item: dict[str, Any], capture: dict[str, Any]) -> None:
        from pipelines.dedupe import assign_item_id

        out = self.outcome
        out.readings[source] += 1
        captured = capture.get("captured_at") or ""
        if self.since and captured[:10] < self.since:
            out.skipped[source] += 1
            return
        item = assign_item_id(item, self.archive)
        if self.dry_run:
            outcome, changes = self.archive.reading_changes(item)
        else:
            outcome, changes = self.archive.reprocess_item(item, reason=REASON, since=self.started)
        if outcome == REVERTED:  # back where it was: not a change after all
            out.unchanged[source] += 1
            out.changed_ids[source].discard(item["id"])
            for ids in out.fields[source].values():
                ids.discard(item["id"])
            return
        if outcome == NEW:
            out.new[source] += 1
        elif not changes:
            out.unchanged[source] += 1
            return
        out.changed_ids[source].add(item["id"])
        for name, (before, after) in changes.items():
            out.fields[source][name].add(item["id"])
            examples = out.examples[(source, name)]
            if len(examples) < EXAMPLES_PER_FIELD:
                shown = excerpts(before, after)
                examples.append({"url": item.get("url"), "before": shown[0], "after": shown[1]})


# The run: workers, queue, writer, state for resuming ---------------------------------------

STATE_FILE = "reprocess.json"


def state_path(archive: Path) -> Path:
    """Where an unfinished reprocess remembers what it was asked and which sources are
    done: beside the archive (like the nightly's job folder)."""
    return Path(archive).resolve().parent / "reprocess" / STATE_FILE


def load_state(archive: Path, request: dict[str, Any]) -> tuple[list[str], str | None]:
    """The sources already done by an interrupted reprocess of the same request, and its
    start time (None when there is none to resume: a different request starts afresh)."""
    path = state_path(archive)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return [], None
    if data.get("request") != request:
        return [], None
    return list(data.get("done") or []), data.get("started")


def save_state(archive: Path, request: dict[str, Any], done: list[str], started: str) -> None:
    path = state_path(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    state = {"request": request, "started": started, "done": done}
    partial.write_text(json.dumps(state, indent=2))
    partial.replace(path)


def clear_state(archive: Path) -> None:
    path = state_path(archive)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


def _kill_after() -> int | None:
    """Test hook: SIGKILL this process once N items have changed (a real kill, at a
    deterministic point, for the resume test)."""
    value = os.environ.get("PARTNEWS_REPROCESS_KILL_AFTER")
    return int(value) if value else None


def run_reprocess(
    archive_path: Path,
    warc_dir: Path,
    sources: list[str],
    *,
    workers: int,
    since: str | None = None,
    dry_run: bool = False,
    read_only: bool = False,
    progress: bool = False,
    on_done=None,
    started: str | None = None,
    commit_every: int = COMMIT_EVERY,
) -> Outcome:
    """Re-read `sources` from their captures in `workers` processes and write the changes
    through one `Archive`. `read_only` (the bench's extraction alone) reads and drops.
    The caller holds the archive's lock and handles resuming (`sources` left to do)."""
    outcome = Outcome()
    if not sources:
        return outcome
    archive = Archive(archive_path)
    sizes = {s: n for s, n in captured_sources(archive.db).items() if s in sources}
    sizes.update({s: 0 for s in sources if s not in sizes})
    writer = Writer(archive, since=since, dry_run=dry_run, outcome=outcome, started=started)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=2000)
    scratch_dir = Path(tempfile.mkdtemp(prefix="partnews-reprocess-"))
    processes = []
    for index, group in enumerate(balanced_groups(sizes, workers)):
        scratch = scratch_dir / f"worker-{index}.db"
        process = context.Process(
            target=reading_worker,
            args=(str(archive_path), str(warc_dir), group, queue, str(scratch), read_only),
            daemon=True,
        )
        process.start()
        processes.append(process)
    running = len(processes)
    kill_after = _kill_after()
    written = 0
    conn = archive.db.conn
    batching = not dry_run and not read_only
    pending = 0

    def commit() -> None:
        nonlocal pending
        if conn.in_transaction:
            conn.execute("COMMIT")
        pending = 0

    try:
        while running:
            try:
                message = queue.get(timeout=1.0)
            except queue_module.Empty:
                commit()  # quiet: nothing waits in an open transaction
                if not any(p.is_alive() for p in processes):
                    # Dead without saying goodbye (killed): what was queued is read above.
                    outcome.failed.append("a reading worker died without finishing")
                    break
                continue
            kind = message[0]
            if kind == "item":
                _, source, item, capture = message
                if batching and not conn.in_transaction:
                    conn.execute("BEGIN")
                writer.take(source, item, capture)
                written += 1
                pending += 1
                if pending >= commit_every:
                    commit()
                changed = sum(len(v) for v in outcome.changed_ids.values())
                if kill_after is not None and changed >= kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)
                if progress and written % PROGRESS_EVERY == 0:
                    print(
                        f"  reprocess: {written} readings, {changed} items changed, "
                        f"{len(outcome.missing)} captures missing…",
                        file=sys.stderr,
                        flush=True,
                    )
            elif kind == "missing":
                outcome.missing.append((message[1], message[2]))
            elif kind == "done":
                _, source, info = message
                outcome.responses[source] += info["responses"]
                if info["reason"] == "finished":
                    commit()  # a source is marked done only once its items are stored
                    outcome.done.append(source)
                    if on_done:
                        on_done(source)
                else:
                    outcome.failed.append(f"{source}: {info['reason']}")
            elif kind == "failed":
                outcome.failed.append(f"{message[1]}: {message[2]}")
            elif kind == "exit":
                running -= 1
                if batching:
                    commit()
                    copy_rejects(archive, Path(message[2]))
    finally:
        # Each item taken so far is whole (its own savepoint): keep them, as the
        # per-item commits did, also when an error is on its way up.
        commit()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        archive.close()
        shutil.rmtree(scratch_dir, ignore_errors=True)
    return outcome


def copy_rejects(archive, scratch: Path) -> int:
    """The rejects a worker filed in its scratch archive (items its readers could not
    archive, captures missing), copied into the archive by its one writer."""
    import sqlite3

    if not scratch.exists():
        return 0
    conn = sqlite3.connect(scratch)
    try:
        rows = conn.execute("select source, url, reason, item from rejects").fetchall()
    except sqlite3.OperationalError:
        rows = []
    conn.close()
    for source, url, reason, item in rows:
        archive.record_reject(None, source, url, f"reprocess: {reason}", _loads(item))
    return len(rows)


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
