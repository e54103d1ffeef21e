"""Reads and writes of the archive file: the only code that changes the archive.

`Archive` wraps one sqlite-utils connection, and is the one writer API: the pipelines'
items, and everything the crawler side files (a run's row and counts, rejects, WARC
captures and their links to items, the incremental memory) go through its methods. Items
are upserted, never deleted: an item a crawl did not see stays as it was. Every URL an
item was seen at is kept in ``item_urls``; every distinct content of an item is kept in
``item_versions``; every spider run gets a ``crawl_runs`` row; every item that could not
be archived gets a ``rejects`` row saying why. Saving an item also links it to its
translations and to the items it is a repost of (archive/relations.py), so that those
links never depend on the order in which a crawl meets the items.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import captures, newscrawl, relations, reread, statements
from archive.schema import EVENT_COLUMNS, ensure_schema

# What save_item() reports, counted per run in crawl_runs.
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
# What reprocess_item() reports for an item whose readings in one reprocess ended where
# it was before: its version of this reprocess is taken back.
REVERTED = "reverted"
# Fields whose change makes a new version of an item (the rest is bookkeeping), and an
# event's details, whose change (a new date, a cancellation) is one too.
VERSIONED_FIELDS = ("title", "summary", "body", "published", "modified")
VERSIONED_EVENT_FIELDS = tuple(c for c in EVENT_COLUMNS if c != "item_id")
# The item fields dedupe compares a listing teaser with its article on.
TEXT_FIELDS = (
    "url",
    "canonical_url",
    "kind",
    "title",
    "title_sort",
    "summary",
    "body",
    "published",
    "published_from",
    "modified",
    "language",
    "content_hash",
)


WAL_AUTOCHECKPOINT_PAGES = 10_000


class ArchiveDatabase(sqlite_utils.Database):
    """sqlite-utils' Database, whose `atomic` blocks open no savepoint inside an
    `Archive.batch`.

    SQLite's full-text index (FTS5) writes out the terms it holds in memory at every
    savepoint, so a savepoint per save wrote the index item by item, with the merges
    that follow, where one batch writes it once at its commit."""

    in_batch = False

    def atomic(self) -> AbstractContextManager[sqlite_utils.Database]:  # type: ignore[override]
        if self.in_batch:
            return nullcontext(self)
        return super().atomic()


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Archive:
    """One open archive file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = ArchiveDatabase(self.path)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.execute("PRAGMA synchronous = NORMAL")
        # Checkpoint the WAL every 10,000 pages (40 MB) rather than SQLite's 1,000: each
        # checkpoint syncs the database file, and at 1,000 pages that came every dozen
        # items and cost 0.5 ms an item (issue 17). Commits and crash safety are as before;
        # the last connection to close still checkpoints and removes the WAL.
        self.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        ensure_schema(self.db)
        # Items a reprocess changed, as they were before it (reprocess_item).
        self._reread_baselines: dict[str, tuple] = {}
        self._reposts: relations.RepostIndex | None = None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def batch(self):
        """Many writes in one transaction, all or nothing, for the bulk paths (a news
        crawl's file).

        Inside it the archive's own blocks open no savepoint (`ArchiveDatabase`): one
        commit writes the full-text index and every page the writes dirtied to the WAL
        once, where a savepoint or a transaction per save rewrote them every time. So an
        error that reaches the batch rolls all of it back, and the in-memory repost
        index, which the rolled-back saves may have changed, is read again from the
        file; the error goes on to the caller, who does the batch again (the news crawl
        reads the file again: its progress row was in the batch). An error caught
        inside a batch cannot be undone there: let it end the batch. Inside an open
        transaction, this adds nothing.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        self.db.in_batch = True
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if self._reposts is not None:
                self._reposts.reset()
            raise
        finally:
            self.db.in_batch = False

    @property
    def reposts(self) -> relations.RepostIndex:
        """The LSH index of this file's signatures, built on first use (and looked up
        once per open archive: this connection's file cannot change under it)."""
        if self._reposts is None:
            self._reposts = relations.repost_index(self.path)
        return self._reposts

    # Lookups used by the dedupe pipeline -------------------------------------------------

    def item_id_for_urls(self, urls: Iterable[str]) -> str | None:
        """The item already archived at any of these URLs, if any."""
        urls = [u for u in urls if u]
        if not urls:
            return None
        marks = ",".join("?" * len(urls))
        row = self.db.execute(
            f"select item_id from item_urls where url in ({marks}) limit 1", urls
        ).fetchone()
        return row[0] if row else None

    def item_id_for_cms_id(
        self, source: str, cms_id: str | None, language: str | None
    ) -> str | None:
        """The item with this CMS id in this language: translations share a Drupal node id
        but are separate items."""
        if not cms_id:
            return None
        row = self.db.execute(
            "select id from items where source = ? and cms_id = ? and language is ? limit 1",
            [source, cms_id, language],
        ).fetchone()
        return row[0] if row else None

    def item_id_for_content(self, source: str, content_hash: str | None) -> str | None:
        if not content_hash:
            return None
        row = self.db.execute(
            "select id from items where source = ? and content_hash = ? limit 1",
            [source, content_hash],
        ).fetchone()
        return row[0] if row else None

    def item_text(self, item_id: str) -> dict[str, Any] | None:
        """The archived item's URLs, text and dates (`TEXT_FIELDS`)."""
        row = self.db.execute(
            f"select {', '.join(TEXT_FIELDS)} from items where id = ?", [item_id]
        ).fetchone()
        return dict(zip(TEXT_FIELDS, row, strict=True)) if row else None

    def items_with_lead(self, source: str, text: str | None) -> list[dict[str, Any]]:
        """Archived items of the source whose text starts with the same words as this one:
        the candidates for a teaser and its article (id, kind, summary, body)."""
        return relations.items_with_lead(self.db, source, relations.lead_of(text))

    def same_item_elsewhere(self, item: dict[str, Any]) -> tuple[str, float] | None:
        """The archived item of the same source this one is the same article as, at
        another URL (archive/relations.py `same_item_elsewhere`), with their Jaccard."""
        return relations.same_item_elsewhere(self.db, self.reposts, item)

    def event_identity(self, item_id: str) -> tuple[str | None, str | None, str | None] | None:
        """(kind, start, cms_id) of an archived item: what tells two occurrences of a
        recurring event apart."""
        row = self.db.execute(
            "select items.kind, events.start, items.cms_id from items "
            "left join events on events.item_id = items.id where items.id = ?",
            [item_id],
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def series(self, item_id: str) -> list[dict[str, Any]]:
        """Every occurrence of the recurring event this item is one of (itself included)."""
        return relations.read_series(self.db, item_id)

    def story(self, item_id: str) -> list[dict[str, Any]]:
        """The item and every item linked to it by reposts and translations."""
        return relations.read_story(self.db, item_id)

    def item_urls(self, item_id: str) -> tuple[str, str | None] | None:
        """The archived item's (url, canonical_url): what it is cited by."""
        row = self.db.execute(
            "select url, canonical_url from items where id = ?", [item_id]
        ).fetchone()
        return (row[0], row[1]) if row else None

    # Writes ------------------------------------------------------------------------------

    def upsert_sources(self, sources: Iterable[dict[str, Any]]) -> None:
        with self.db.atomic():
            self.db["sources"].upsert_all(list(sources), pk="id")

    def start_run(self, source: str, mirror: str | None = None) -> int:
        with self.db.atomic():
            table = self.db["crawl_runs"].insert(
                {"source": source, "started": utc_now(), "mirror": mirror}
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        with self.db.atomic():
            self.db["crawl_runs"].update(run_id, dict(counts, finished=utc_now()))

    def update_run(self, run_id: int, values: dict[str, Any]) -> None:
        """Set some columns of a run's crawl_runs row (its mode and night when it opens)."""
        with self.db.atomic():
            self.db["crawl_runs"].update(run_id, values)

    def mark_interrupted(self, night: str) -> int:
        """Runs of this night that a kill left open: say so, so that no one waits on them.
        The number of runs marked."""
        return self._mark_open_runs_interrupted("night", night)

    def mark_source_interrupted(self, source: str) -> int:
        """Runs of this source that a kill left open, marked interrupted: for a command
        that is the only one to write the source's runs and holds the archive's lock, so
        that none of them can still be running. The number of runs marked."""
        return self._mark_open_runs_interrupted("source", source)

    def _mark_open_runs_interrupted(self, column: str, value: str) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "update crawl_runs set finish_reason = 'interrupted', finished = ? "
                f"where {column} = ? and finished is null",  # column: "night" or "source"
                [utc_now(), value],
            )
        return cursor.rowcount

    def optimize_fts(self) -> None:
        """Merge the full-text index's segments: a night adds many small ones."""
        if self.db["items_fts"].exists():
            with self.db.atomic():
                self.db.execute("insert into items_fts(items_fts) values ('optimize')")

    def rebuild_search_index(self, *, progress=None) -> dict:
        """Bring the search index beside this file (archive/search_index.py) in step with
        what is committed: a new build when the archive changed since the last one,
        nothing otherwise. The index is derived data: when the build fails the archive is
        untouched, the search page keeps using FTS5, and the returned report says why.
        Returns {"state": "built" | "current" | "failed", ...}."""
        from archive import search_index

        folder = search_index.current_folder(self.path)
        if folder is not None:
            try:
                built = search_index.open_index(folder).fingerprint
            except (search_index.IndexUnusable, ValueError, OSError):
                built = None
            if built == search_index.fingerprint(self.db.conn):
                return {"state": "current", "folder": str(folder)}
        started = time.perf_counter()
        try:
            folder = search_index.build(self.path, progress=progress)
        except Exception as error:  # derived data: report it, keep the archive
            return {"state": "failed", "error": f"{type(error).__name__}: {error}"}
        return {
            "state": "built",
            "folder": str(folder),
            "seconds": round(time.perf_counter() - started, 1),
        }

    # The crawl's WARC captures (crawler/warc.py; the table logic is archive/captures.py).

    def open_warc_file(self, run_id: int, warc_file: str) -> None:
        """Make sure the capture tables exist and name the run's WARC file in crawl_runs
        as soon as it exists (a run that dies still points at its file)."""
        captures.ensure_capture_tables(self.db)
        captures.set_run_warc_file(self.db, run_id, warc_file)

    def record_capture(self, capture: dict[str, Any]) -> int:
        """One captures row, committed at once; its id."""
        return captures.record_capture(self.db, capture)

    def link_item_capture(self, item_id: str, run_id: int, capture_id: int) -> None:
        """The item was read from this capture in this run."""
        captures.link_item(self.db, item_id, run_id, capture_id)

    def earlier_capture(self, url: str) -> dict[str, Any] | None:
        """The newest full (2xx) capture of `url` (what a 304 says is unchanged)."""
        return captures.earlier_capture(self.db, url)

    # The incremental memory (crawler/incremental.py) -------------------------------------

    def record_pages(self, source: str, pages: dict[str, str | None], run_id: int | None) -> None:
        """Article pages whose item went through the pipelines, with their sitemap/feed
        date; a date already known is kept when tonight's link gave none."""
        now = utc_now()
        with self.db.atomic():
            for url, lastmod in pages.items():
                self.db.execute(
                    "insert into page_state (url, source, lastmod, fetched_at, run_id) "
                    "values (?, ?, ?, ?, ?) on conflict(url) do update set "
                    "lastmod = coalesce(excluded.lastmod, page_state.lastmod), "
                    "fetched_at = excluded.fetched_at, run_id = excluded.run_id",
                    [url, source, lastmod, now, run_id],
                )

    def save_validators(
        self, source: str, validators: dict[str, tuple[str | None, str | None]], run_id: int | None
    ) -> None:
        """Entry points' ETag and Last-Modified ({url: (etag, last_modified)})."""
        now = utc_now()
        rows = [
            {
                "url": url,
                "source": source,
                "etag": etag,
                "last_modified": last_modified,
                "checked_at": now,
                "run_id": run_id,
            }
            for url, (etag, last_modified) in validators.items()
        ]
        with self.db.atomic():
            self.db["http_validators"].upsert_all(rows, pk="url")

    def record_reject(
        self, run_id: int | None, source: str, url: str | None, reason: str, item: Any = None
    ) -> None:
        self.record_rejects(run_id, source, [(url, reason, item)])

    def record_rejects(
        self,
        run_id: int | None,
        source: str,
        rejects: Iterable[tuple[str | None, str, Any]],
    ) -> None:
        """File many (url, reason, item) rejects of one source in one insert: a news-crawl
        file's bad records are filed together (a row each took a quarter of a
        millisecond through its own insert, a tenth of the driver's writes)."""
        now = utc_now()
        rows = [
            {
                "run_id": run_id,
                "source": source,
                "url": url,
                "reason": reason,
                "item": json.dumps(item, ensure_ascii=False, default=str)[:100_000]
                if item is not None
                else None,
                "rejected_at": now,
            }
            for url, reason, item in rejects
        ]
        if rows:
            with self.db.atomic():
                self.db["rejects"].insert_all(rows)

    def save_item(self, item: dict[str, Any], run_id: int | None = None) -> str:
        """Upsert one normalised item (with its ``id`` set); return NEW, UPDATED or UNCHANGED.

        A change of content or event details adds a row to item_versions naming the
        changed fields; the ``items`` row always holds the current version. URLs are added
        to item_urls, never removed. Translations and reposts are linked. All of it is
        one transaction: a crawl killed mid-save leaves the item whole or absent.
        """
        now = utc_now()
        item_id = item["id"]
        existing = self.db.execute(
            "select version, first_seen, content_hash, "
            + ", ".join(VERSIONED_FIELDS)
            + " from items where id = ?",
            [item_id],
        ).fetchone()
        row = _item_row(item)
        row.update(last_seen=now, last_run_id=run_id)
        event = _event_row(item) if item.get("kind") == "event" else None
        with self._index_kept_true(), self.db.atomic():
            if existing is None:
                outcome, changed = NEW, None
                row.update(first_seen=now, version=1)
                relations.record_arrival(self.db, item_id)
            else:
                version, first_seen, *old_values = existing
                old = dict(zip(("content_hash", *VERSIONED_FIELDS), old_values, strict=True))
                changed = changed_fields(old, row, self._event(item_id), event)
                outcome = UPDATED if changed else UNCHANGED
                row.update(first_seen=first_seen, version=version + 1 if changed else version)
            statements.upsert(self.db, "items", row, ("id",))
            if outcome != UNCHANGED:
                statements.insert_or_replace(
                    self.db,
                    "item_versions",
                    {
                        "item_id": item_id,
                        "version": row["version"],
                        "captured_at": now,
                        "run_id": run_id,
                        "content_hash": row["content_hash"],
                        "changed_fields": json.dumps(changed) if changed is not None else None,
                        **{f: row.get(f) for f in VERSIONED_FIELDS},
                        "event": json.dumps(event, ensure_ascii=False) if event else None,
                    },
                )
            if event is not None:
                statements.upsert(self.db, "events", dict(event, item_id=item_id), ("item_id",))
            self._add_urls(item_id, item, now)
            self._link(item_id, item, outcome, now)
        return outcome

    @contextmanager
    def _index_kept_true(self):
        """A save that fails is rolled back; the repost index, which it may have changed
        (an item's anchors taken out before its check), is then read again from the file."""
        try:
            yield
        except BaseException:
            if self._reposts is not None:
                self._reposts.reset()
            raise

    def _event(self, item_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            f"select {', '.join(statements.quoted(VERSIONED_EVENT_FIELDS))} from events "
            "where item_id = ?",
            [item_id],
        ).fetchone()
        return dict(zip(VERSIONED_EVENT_FIELDS, row, strict=True)) if row else None

    def _link(self, item_id: str, item: dict[str, Any], outcome: str, now: str) -> None:
        """Translations always (a translation may have arrived since); reposts and the
        teaser lead when the text is new or was never compared."""
        relations.link_translations(self.db, item_id, item, now)
        relations.link_series(self.db, item_id, item, now)
        if outcome == UNCHANGED and relations.has_signature(self.db, item_id):
            return
        relations.link_translations_by_evidence(self.db, item_id, item, now)
        relations.record_lead(
            self.db, item_id, item["source"], item.get("body") or item.get("summary")
        )
        matches = relations.check_reposts(
            self.db, self.reposts, item_id, item["source"], item["kind"], item.get("body")
        )
        relations.join_story(self.db, item_id, matches, now)

    def _add_urls(self, item_id: str, item: dict[str, Any], now: str) -> None:
        # When the fetched URL is the canonical one, it is recorded as canonical.
        relation_of = {item.get("url"): "fetched", item.get("canonical_url"): "canonical"}
        for alt in item.get("alternate_urls") or []:
            relation_of.setdefault(alt, "alias")
        cited = item.get("canonical_url") or item.get("url")
        for url, relation in relation_of.items():
            if not url:
                continue
            # Why this URL carries the item, from the URLs' shapes (slug change, ?p= id...).
            reason = relations.url_variant_reason(cited, url)
            self.db.execute(
                "insert into item_urls (url, item_id, relation, first_seen, last_seen, reason) "
                "values (?, ?, ?, ?, ?, ?) "
                "on conflict(url) do update set last_seen = excluded.last_seen, "
                "relation = excluded.relation, reason = coalesce(excluded.reason, reason)",
                [url, item_id, relation, now, now, reason],
            )
        # One canonical URL per item: an earlier one that is no longer it becomes an alias.
        self.db.execute(
            "update item_urls set relation = 'alias' "
            "where item_id = ? and relation = 'canonical' and url is not ?",
            [item_id, item.get("canonical_url")],
        )

    # The open news crawl (crawler/newscrawl/; the table logic is archive/newscrawl.py) --

    def ensure_newscrawl(self) -> None:
        """The news crawl's tables, and the capture tables its items are cited by."""
        newscrawl.ensure_newscrawl_tables(self.db)
        captures.ensure_capture_tables(self.db)

    def newscrawl_done_files(self) -> set[str]:
        """WARC files an earlier news crawl read to their end."""
        return newscrawl.done_files(self.db)

    def item_source(self, item_id: str) -> str | None:
        """The source of an archived item (None when there is no such item)."""
        return newscrawl.item_source(self.db, item_id)

    def record_newscrawl_capture(self, capture: dict[str, Any]) -> int:
        """The captures row of a CC-NEWS record, added once: a file read again reuses it."""
        existing = newscrawl.capture_at(self.db, capture["warc_file"], capture["warc_offset"])
        return existing if existing is not None else self.record_capture(capture)

    def record_newscrawl_item(self, hit: dict[str, Any]) -> None:
        """Which item a relevant CC-NEWS record became, and its site's host."""
        newscrawl.record_hit(self.db, hit)

    def finish_newscrawl_file(self, row: dict[str, Any]) -> None:
        """A WARC file's progress row: ``done`` files are skipped by the next run."""
        newscrawl.record_file(self.db, dict(row, finished=utc_now()))

    # Reprocessing (`partnews reprocess`, crawler/reprocess.py; table logic archive/reread.py)

    def reading_changes(self, item: dict[str, Any]) -> tuple[str, dict[str, tuple[Any, Any]]]:
        """NEW, or UPDATED / UNCHANGED with field -> (archived, re-read) for every field
        today's reading of the item changes. Writes nothing (the dry run's question)."""
        outcome, changes, _ = self._reading(item)
        return outcome, changes

    def _reading(self, item: dict[str, Any]) -> tuple[str, dict, tuple | None]:
        """`reading_changes`, with the archived (row, event) it compared against."""
        item_id = item["id"]
        cursor = self.db.execute("select * from items where id = ?", [item_id])
        row = cursor.fetchone()
        if row is None:
            return NEW, {}, None
        old_row = dict(zip([c[0] for c in cursor.description], row, strict=True))
        old_event = self._event(item_id)
        event = _event_row(item) if item.get("kind") == "event" else None
        changes = reread.reading_differences(
            old_row,
            _item_row(item),
            old_event,
            event,
            reread.unknown_urls(self.db, item_id, item),
        )
        return (UPDATED if changes else UNCHANGED), changes, (old_row, old_event)

    def reprocess_item(
        self, item: dict[str, Any], reason: str = "reprocessed", since: str | None = None
    ) -> tuple[str, dict[str, tuple[Any, Any]]]:
        """Store a re-reading of an archived item from its capture.

        Unchanged: nothing is written (not even last_seen: no site was visited). Changed:
        the items row takes the new reading, a version row names the changed fields with
        `reason`, and the item's translations and story are rebuilt from it. An item no
        reading made before is saved as new, its first version with `reason`. One
        transaction per item, as for a crawl: a kill leaves it whole or untouched.

        An item read from several responses (a feed entry, then its page) gets one version
        per reprocess: when its latest version is a `reason` version written at or after
        `since` (this reprocess's start, kept across a resume), that version is amended.
        """
        outcome, changes, archived = self._reading(item)
        if outcome == NEW:
            self.save_item(item, run_id=None)
            with self.db.atomic():
                self.db.execute(
                    "update item_versions set reason = ? where item_id = ?", [reason, item["id"]]
                )
            return NEW, {}
        if not changes:
            return UNCHANGED, {}
        now = utc_now()
        item_id = item["id"]
        version, first_seen, last_seen, last_run_id = self.db.execute(
            "select version, first_seen, last_seen, last_run_id from items where id = ?",
            [item_id],
        ).fetchone()
        latest = self.db.execute(
            "select reason, captured_at, changed_fields from item_versions "
            "where item_id = ? and version = ?",
            [item_id, version],
        ).fetchone()
        amend = bool(since and latest and latest[0] == reason and (latest[1] or "") >= since)
        row = _item_row(item)
        event = _event_row(item) if item.get("kind") == "event" else None
        # What the item was before this reprocess touched it (this process's memory).
        baselines = self._reread_baselines
        fields = list(changes)
        reverted = False
        if not amend:
            baselines[item_id] = archived
        elif item_id in baselines:
            before_row, before_event = baselines[item_id]
            fields = list(reread.reading_differences(before_row, row, before_event, event, []))
            # Two readings that differ from each other but end where the item was: no version.
            reverted = not fields
        else:  # resumed after a kill: the fields of the version being amended, and these
            fields = list(dict.fromkeys([*json.loads(latest[2] or "[]"), *fields]))
        row.update(
            first_seen=first_seen,
            last_seen=last_seen,
            last_run_id=last_run_id,
            version=version - 1 if reverted else version if amend else version + 1,
        )
        with self._index_kept_true(), self.db.atomic():
            if reverted:
                self.db.execute(
                    "delete from item_versions where item_id = ? and version = ?",
                    [item_id, version],
                )
            statements.upsert(self.db, "items", row, ("id",))
            if not reverted:
                statements.insert_or_replace(
                    self.db,
                    "item_versions",
                    {
                        "item_id": item_id,
                        "version": row["version"],
                        "captured_at": now,
                        "run_id": None,
                        "content_hash": row["content_hash"],
                        "changed_fields": json.dumps(fields),
                        **{f: row.get(f) for f in VERSIONED_FIELDS},
                        "event": json.dumps(event, ensure_ascii=False) if event else None,
                        "reason": reason,
                    },
                )
            if event is not None:
                statements.upsert(self.db, "events", dict(event, item_id=item_id), ("item_id",))
            self._add_urls(item_id, item, now)
            reread.relink_translations(self.db, item_id, item, now)
            reread.rebuild_story(self.db, self.reposts, item_id, item, now)
        return (REVERTED if reverted else UPDATED), ({} if reverted else changes)


def changed_fields(
    old: dict[str, Any],
    new: dict[str, Any],
    old_event: dict[str, Any] | None = None,
    new_event: dict[str, Any] | None = None,
) -> list[str]:
    """The names of the versioned fields whose value differs, in a fixed order.

    What researchers read in item_versions.changed_fields: "body" for a rewritten text,
    "status" for a cancelled event. A changed content hash with no field changed (the
    hash's definition changed) is reported as "content_hash".
    """
    changed = [f for f in VERSIONED_FIELDS if old.get(f) != new.get(f)]
    if new_event is not None:
        before = old_event or {}
        changed += [f for f in VERSIONED_EVENT_FIELDS if before.get(f) != new_event.get(f)]
    if not changed and old.get("content_hash") != new.get("content_hash"):
        changed.append("content_hash")
    return changed


def _event_row(item: dict[str, Any]) -> dict[str, Any]:
    """The events-table columns of an event item (all_day as 0/1, as SQLite stores it)."""
    event = {c: item.get(c) for c in VERSIONED_EVENT_FIELDS}
    if event.get("all_day") is not None:
        event["all_day"] = int(bool(event["all_day"]))
    return event


def _item_row(item: dict[str, Any]) -> dict[str, Any]:
    """The items-table row for an item: lists as JSON, year and month for facets."""
    published = item.get("published") or ""
    return {
        "id": item["id"],
        "source": item["source"],
        "kind": item["kind"],
        "url": item["url"],
        "canonical_url": item.get("canonical_url"),
        "title": item["title"],
        "title_sort": item.get("title_sort"),
        "summary": item.get("summary"),
        "body": item.get("body"),
        "published": item.get("published"),
        "published_from": item.get("published_from"),
        "year": int(published[:4]) if published[:4].isdigit() else None,
        "month": published[:7] if len(published) >= 7 and published[4] == "-" else None,
        "modified": item.get("modified"),
        "language": item.get("language"),
        "authors": _json_list(item.get("authors")),
        "categories": _json_list(item.get("categories")),
        "tags": _json_list(item.get("tags")),
        "image": item.get("image"),
        "translations": json.dumps(item["translations"], ensure_ascii=False)
        if item.get("translations")
        else None,
        "cms_id": item.get("cms_id"),
        "relevance_score": item.get("relevance_score"),
        "relevance_band": relevance_band(item.get("relevance_score")),
        "relevance_terms": _json_list(item.get("relevance_terms")),
        "sectors": _json_list(item.get("sectors")),
        # The first sector alone, for a facet that an index can count (an array facet
        # over a million JSON lists cannot stay within the facet time limit).
        "sector": (item.get("sectors") or [None])[0],
        "content_hash": item.get("content_hash"),
    }


# Bands of the relevance score, for a facet people can read (see crawler/relevance.toml).
RELEVANCE_BANDS = ((3.0, "high"), (1.0, "medium"), (0.0001, "low"))


def relevance_band(score: float | None) -> str | None:
    """high, medium, low or none; None when the item was never scored."""
    if score is None:
        return None
    return next((band for floor, band in RELEVANCE_BANDS if score >= floor), "none")


def _json_list(values: list[str] | None) -> str | None:
    return json.dumps(values, ensure_ascii=False) if values else None
