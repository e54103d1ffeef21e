"""The news crawl's driver: one Dask task per WARC file, one writer for the archive.

The driver submits `scan_file` (crawler/newscrawl/scan.py) for every file not already
done, to a local Dask cluster (every core, nothing to install or start) or to the
scheduler given (``tcp://HOST:8786``: dask-kubernetes, dask-jobqueue, any Dask
deployment). Workers read, filter and run the pipelines that are pure functions of an
item (validate → normalize → relevance); what they send back goes, here, through the
rest (dedupe) and the one archive writer, as source ``press``
(crawler/newscrawl/scan.py `SOURCE`). The driver is the one process every result
passes through, so it does only what needs the archive.

Results are written in the order the files were given, whatever order the workers
finish in, so the archive is the same with 1 worker or 100 (duplicates keep the same
first copy). After a file's items and problems are written, its progress row is
marked done (archive/newscrawl.py), all in one transaction: a killed job, run again,
skips the done files and reads the others; a file whose results were not written is
read again, and a file done again (``rescan``) leaves its items unchanged. A relevant
record at a URL that a partner's own crawl already archived only adds a capture to that
item: a press source never takes over a partner's item. Bad input is filed in
``rejects`` with the file and offset. A file whose results cannot be written stops the
job with `WriteFailed`, which names it; a scheduler that cannot be reached stops it
before anything is read, with `SchedulerUnreachable`, which says what to check.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from archive.lock import acquire
from archive.store import NEW, Archive
from crawler.newscrawl.listing import file_name
from crawler.newscrawl.reader import MAX_PAGE_BYTES
from crawler.newscrawl.scan import SOURCE, scan_file, warm_up
from pipelines.dedupe import assign_item_id

# The archive's `sources` row of the press found by the news crawl.
PRESS_SOURCE = {
    "id": SOURCE,
    "name": "Press (open news crawl)",
    "organisation": "Newspapers and news sites found in Common Crawl's CC-NEWS",
    "side": None,
    "homepage": "https://commoncrawl.org/blog/news-dataset-available",
    "languages": "en,fr",
    "timezone": "UTC",
    "kinds": "news",
    "relevance": "filtered",
    "cms": "newscrawl",
}


@dataclass
class Totals:
    """What the job did so far: the progress line and the final summary."""

    files: int = 0
    files_total: int = 0
    skipped: int = 0
    failed: int = 0
    records: int = 0
    pages: int = 0
    passed: int = 0
    text_passed: int = 0  # of those, pages whose text passed the second stage
    relevant: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    # Seconds from the first task submitted to the last result written (no cluster start).
    seconds: float = 0.0
    # CPU seconds of the workers' tasks, and of the driver from the first task to the end.
    worker_cpu: float = 0.0
    driver_cpu: float = 0.0

    def count(self, key: str, table: dict[str, int]) -> None:
        table[key] = table.get(key, 0) + 1

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        return (
            f"files {self.files}/{self.files_total}, records {self.records} "
            f"({self.records / elapsed:,.0f}/s), pages {self.pages}, prefilter kept "
            f"{self.passed}, text kept {self.text_passed}, relevant {self.relevant}, "
            f"new {self.outcomes.get(NEW, 0)}, problems {sum(self.problems.values())}"
        )


def printer(stream: TextIO = sys.stderr) -> Callable[[Totals, str], None]:
    """The default progress display: one line per finished file."""

    def show(totals: Totals, file: str) -> None:
        print(f"[newscrawl] {totals.line()}  ({Path(file).name})", file=stream, flush=True)

    return show


# The local cluster's Dask settings; deploy/dask/partnews.yaml gives a remote cluster's
# workers the same (docs/benchmarks.md has the runs behind each).
# - No dashboard, so no one to see the workers' statistical profile: without it, each
#   worker's CPU in `bench newscrawl` fell by about a tenth, and the spikes of a tenth
#   of a second that its merges added to some tasks are gone.
# - Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, so that arrays' memory
#   goes back to the system at once; set at all, it also fixes glibc's threshold for
#   mapping large blocks, and every page payload and tree over 128 KiB was mapped,
#   faulted in and unmapped: 50,000-100,000 page faults and a tenth of a worker's CPU
#   on the bench's files. A worker here holds one page at a time; glibc's own
#   thresholds suit it.
# - The event loops' health check (every 20 ms) and the system monitor (every 0.5 s)
#   feed log warnings (silenced here) and the dashboard: once a second and every 5 s,
#   the driver's scheduler thread used about a third less CPU.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


def dask_client(scheduler: str | None, workers: int | None):
    """A client of the given scheduler, or of a new local cluster of worker processes
    (one thread each: the work is CPU-bound Python), ``workers`` of them, default every
    core. The caller closes both (the second is None for a remote scheduler)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler), None
        except OSError as error:  # refused, timed out, unknown host
            raise SchedulerUnreachable(scheduler, error) from error
    # The nannies hand this configuration to the worker processes they start.
    with dask.config.set(QUIET_CLUSTER):
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: the progress line is the display
        )
    return Client(cluster), cluster


def write_result(archive: Archive, run_id: int, result: dict[str, Any], totals: Totals) -> None:
    """A file's items through the pipelines into the archive, its problems into rejects,
    then its progress row (last, so a kill before it means the file is read again).

    All of it is one transaction (`Archive.batch`), all or nothing: a kill or an error
    before its commit leaves the file unmarked and none of its items written, to be read
    again; one commit per file replaces four per item, and the full-text index is
    written once per file, not once per item."""
    with archive.batch():
        _write_result(archive, run_id, result, totals)


def _write_result(archive: Archive, run_id: int, result: dict[str, Any], totals: Totals) -> None:
    new = 0
    for found in result["items"]:
        outcome = write_item(archive, run_id, found)
        totals.count(outcome, totals.outcomes)
        new += outcome == NEW
    for problem in result["problems"]:
        totals.count(problem["kind"], totals.problems)
    archive.record_rejects(
        run_id,
        SOURCE,
        (
            (
                problem.get("url"),
                f"newscrawl {problem['kind']}: {problem['message']} "
                f"(at offset {problem['offset']} of {problem['file']})",
                {k: problem.get(k) for k in ("file", "offset", "kind", "message")},
            )
            for problem in result["problems"]
        ),
    )
    archive.finish_newscrawl_file(
        {
            "warc_file": result["file"],
            "status": "failed" if result["failed"] else "done",
            "run_id": run_id,
            "records": result["records"],
            "pages": result["pages"],
            "passed": result["passed"],
            "relevant": result["relevant"],
            "items_new": new,
            "problems": len(result["problems"]),
            "seconds": round(result["seconds"], 3),
        }
    )


def write_item(archive: Archive, run_id: int, found: dict[str, Any]) -> str:
    """One relevant record, through the pipelines its worker ran (validate → normalize →
    relevance: crawler/newscrawl/scan.py `prepare_item`), then dedupe → store; the
    outcome: new, updated, unchanged, known (a partner's item), rejected, not_relevant."""
    item, capture = dict(found["item"]), found["capture"]
    if found["outcome"] == "rejected":
        reasons = item.pop("reasons")
        archive.record_reject(run_id, SOURCE, item.get("url"), "; ".join(reasons), item)
        return "rejected"
    if found["outcome"] == "not_relevant":
        return "not_relevant"  # counted, not filed
    capture_id = archive.record_newscrawl_capture(dict(capture, run_id=run_id))
    owner = archive.item_id_for_urls([item["url"], item.get("canonical_url")])
    if owner is not None and archive.item_source(owner) not in (None, SOURCE):
        item_id, outcome = owner, "known"
    else:
        item = assign_item_id(item, archive)
        outcome = archive.save_item(item, run_id=run_id)
        item_id = item["id"]
    archive.link_item_capture(item_id, run_id, capture_id)
    archive.record_newscrawl_item(
        {
            "warc_file": capture["warc_file"],
            "warc_offset": capture["warc_offset"],
            "item_id": item_id,
            "host": found["host"],
            "url": capture["url"],
            "capture_id": capture_id,
            "run_id": run_id,
        }
    )
    return outcome


def run_newscrawl(
    locations: list[str],
    archive_path: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    rescan: bool = False,
    rules_path: str | None = None,
    max_bytes: int = MAX_PAGE_BYTES,
    progress: Callable[[Totals, str], None] | None = None,
) -> Totals:
    """Read the WARC files on Dask and archive the relevant records (module docstring).

    ``rescan`` reads files already done again (their items come out unchanged). The job
    holds the archive's lock (archive/lock.py) from start to end, so it is the one
    writer: a nightly, a reprocess or another news crawl on the same archive raises
    `LockHeld` here, and they wait for it in turn.
    """
    lock = acquire(Path(archive_path), "newscrawl")
    try:
        return _run_locked(
            locations,
            archive_path,
            scheduler=scheduler,
            workers=workers,
            rescan=rescan,
            rules_path=rules_path,
            max_bytes=max_bytes,
            progress=progress or printer(),
        )
    finally:
        lock.release()


def _run_locked(
    locations: list[str],
    archive_path: str | Path,
    *,
    scheduler: str | None,
    workers: int | None,
    rescan: bool,
    rules_path: str | None,
    max_bytes: int,
    progress: Callable[[Totals, str], None],
) -> Totals:
    names = list(dict.fromkeys(file_name(location) for location in locations))
    archive = Archive(archive_path)
    archive.ensure_newscrawl()
    archive.upsert_sources([PRESS_SOURCE])
    # A job killed before its end left its run open; none can be running now (the lock).
    archive.mark_source_interrupted(SOURCE)
    done = set() if rescan else archive.newscrawl_done_files()
    todo = [name for name in names if name not in done]
    totals = Totals(files_total=len(todo), skipped=len(names) - len(todo))
    run_id = archive.start_run(SOURCE)
    client = cluster = None
    reason = "finished"
    try:
        if todo:
            client, cluster = dask_client(scheduler, workers)
            client.run(warm_up, rules_path)
            totals.started, cpu_started = time.perf_counter(), time.process_time()
            write_in_order(client, archive, run_id, todo, totals, progress, rules_path, max_bytes)
            totals.seconds = time.perf_counter() - totals.started
            totals.driver_cpu = time.process_time() - cpu_started
    except SchedulerUnreachable:
        reason = "scheduler_unreachable"
        raise
    except BaseException:
        reason = "interrupted"
        raise
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        archive.finish_run(
            run_id,
            {
                "finish_reason": reason,
                "items_seen": totals.relevant,
                "items_new": totals.outcomes.get(NEW, 0),
                "items_updated": totals.outcomes.get("updated", 0),
                "items_unchanged": totals.outcomes.get("unchanged", 0),
                "items_rejected": totals.outcomes.get("rejected", 0),
                "items_not_relevant": totals.passed - totals.relevant,
                "parse_errors": sum(totals.problems.values()),
                "duration_seconds": round(time.perf_counter() - totals.started, 3),
            },
        )
        archive.close()
    return totals


def write_in_order(
    client,
    archive: Archive,
    run_id: int,
    todo: list[str],
    totals: Totals,
    progress: Callable[[Totals, str], None],
    rules_path: str | None,
    max_bytes: int,
) -> None:
    """Submit one task per file; write results in the files' order as they arrive."""
    from dask.distributed import as_completed

    futures = {
        client.submit(scan_file, name, rules_path, max_bytes, pure=False, key=f"scan-{i}-{name}"): i
        for i, name in enumerate(todo)
    }
    ready: dict[int, dict[str, Any]] = {}
    next_to_write = 0
    for future in as_completed(futures):
        index = futures[future]
        name = todo[index]
        if future.status == "error":
            error = future.exception()
            result = failed_result(name, f"the task failed: {type(error).__name__}: {error}")
        else:
            result = future.result()
        future.release()
        totals.files += 1
        totals.failed += bool(result["failed"])
        for key in ("records", "pages", "passed", "text_passed", "relevant"):
            setattr(totals, key, getattr(totals, key) + result[key])
        totals.worker_cpu += result["cpu_seconds"]
        ready[index] = result
        while next_to_write in ready:
            try:
                write_result(archive, run_id, ready.pop(next_to_write), totals)
            except Exception as error:
                raise WriteFailed(todo[next_to_write], error) from error
            next_to_write += 1
        progress(totals, name)


class SchedulerUnreachable(RuntimeError):
    """The Dask scheduler given could not be reached: nothing was read."""

    def __init__(self, address: str, error: OSError):
        super().__init__(
            f"cannot reach the Dask scheduler at {address}: {error}. Nothing was read. "
            "Check that the scheduler is running and that this machine can reach that "
            "address (a Kubernetes cluster's needs `kubectl port-forward`, see "
            "docs/newscrawl.md), or leave out --scheduler (and $DASK_SCHEDULER_ADDRESS) "
            "to run on a local cluster."
        )
        self.address = address


class WriteFailed(RuntimeError):
    """The driver could not write a file's results: none of them were written (the file
    is not marked done), and the files before it are kept."""

    def __init__(self, file: str, error: Exception):
        super().__init__(
            f"could not write the results of {file}: {type(error).__name__}: {error}. "
            "None of that file's items were written and the files before it are kept; "
            "the job stopped there. A new run reads that file and the rest again; if it "
            "fails the same way, report it with this message."
        )
        self.file = file


def failed_result(name: str, message: str) -> dict[str, Any]:
    """The result of a file whose task died: nothing read, one problem, tried next run."""
    return {
        "file": name,
        "failed": True,
        "records": 0,
        "pages": 0,
        "passed": 0,
        "text_passed": 0,
        "relevant": 0,
        "items": [],
        "problems": [{"kind": "task_failed", "offset": 0, "message": message, "file": name}],
        "seconds": 0.0,
        "cpu_seconds": 0.0,
    }
