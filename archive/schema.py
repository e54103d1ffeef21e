"""The archive's tables, indexes, full-text index and views, created idempotently.

The archive is one SQLite file. Its shape is documented for people in
docs/architecture.md and column by column in datasette_metadata.json; keep the three
in step. Every statement here is safe to run on an existing archive, so opening an
archive always brings it to the current schema.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

import sqlite_utils

from partnews.anchor_index import to_bytes as anchors_to_bytes
from partnews.relevance import load_rules

# Full-text search: accents optional ("cote" finds "Côte"), English and French alike.
FTS_COLUMNS = ("title", "summary", "body")
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
# Word beginnings of 3 to 6 characters ("biot*", "hydro*", "numéri*": the canned
# search_prefix) are read from FTS5 prefix indexes instead of merging the postings of
# every word they begin. At 1,000,000 items: 12-18 ms instead of 29-106 ms a query,
# for a full-text index 3.1 times larger (1.8 GB instead of 0.6), a rebuild three
# times longer and 4 % of pipeline throughput (bench/; docs/benchmarks.md).
FTS_PREFIX = "3 4 5 6"

ITEM_COLUMNS = {
    "id": str,
    "source": str,
    "kind": str,
    "url": str,
    "canonical_url": str,
    "title": str,
    "title_sort": str,
    "summary": str,
    "body": str,
    "published": str,
    "published_from": str,
    "year": int,
    "month": str,
    "modified": str,
    "language": str,
    "authors": str,
    "categories": str,
    "tags": str,
    "image": str,
    "translations": str,
    "cms_id": str,
    "relevance_score": float,
    "relevance_band": str,
    "relevance_terms": str,
    "sectors": str,
    "sector": str,
    "content_hash": str,
    "version": int,
    "first_seen": str,
    "last_seen": str,
    "last_run_id": int,
}

EVENT_COLUMNS = {
    "item_id": str,
    "start": str,
    "end": str,
    "timezone": str,
    "all_day": int,
    "venue_name": str,
    "venue_address": str,
    "venue_city": str,
    "venue_country": str,
    "organizer": str,
    "registration_url": str,
    "cost": str,
    "status": str,
}

# The items columns Datasette facets on (datasette_metadata.json); each gets a covering
# index (see ensure_schema).
FACET_COLUMNS = ("source", "kind", "language", "year", "month", "relevance_band", "sector")

CRAWL_RUN_COLUMNS = {
    "id": int,
    "source": str,
    "started": str,
    "finished": str,
    "finish_reason": str,
    "mirror": str,
    "requests": int,
    "responses_2xx": int,
    "responses_3xx": int,
    "responses_304": int,
    "responses_429": int,
    "responses_4xx": int,
    "responses_5xx": int,
    "download_errors": int,
    "parse_errors": int,
    "items_seen": int,
    "items_new": int,
    "items_updated": int,
    "items_unchanged": int,
    "items_rejected": int,
    "items_not_relevant": int,
    "items_without_date": int,
    "duration_seconds": float,
    # The nightly crawl's verdict on the run (see docs/nightly.md): healthy, degraded,
    # broken; and why, as a JSON list of sentences.
    "health": str,
    "health_reasons": str,
    # The WARC file this run's responses were captured in (relative to the WARC folder).
    "warc_file": str,
    # `partnews nightly`: the night the run belongs to, "full" or "incremental", the
    # `since` date given to the spider, and what each entry point gave, as JSON
    # ({key: {"status", "found", "expected"}}), which the health rules compare night to night.
    "night": str,
    "mode": str,
    "since": str,
    "entry_points": str,
    # How often each site-specific CSS selector a reader names matched, as JSON
    # ({css: {"role", "pages", "matched"}}): the selector-drift health rule reads it. Added
    # to older archives when they are opened (`_add_missing_columns`), NULL on old rows.
    "selectors": str,
}

# One row per response captured in a WARC file: where it is, so an item can be cited and
# replayed as it was on the night it was captured.
CAPTURE_COLUMNS = {
    "id": int,
    "run_id": int,
    "url": str,
    "status": int,
    "captured_at": str,
    "warc_file": str,
    "warc_offset": int,
    "warc_length": int,
    "record_id": str,
}

# One row per distinct content of an item. ``changed_fields`` names what differs from the
# previous version (NULL for the first); ``event`` holds an event's details at that version.
VERSION_COLUMNS = {
    "item_id": str,
    "version": int,
    "captured_at": str,
    "run_id": int,
    "content_hash": str,
    "changed_fields": str,
    "title": str,
    "summary": str,
    "body": str,
    "published": str,
    "modified": str,
    "event": str,
    # Why this version was written: NULL for a crawl, "reprocessed" for `partnews
    # reprocess` (today's readers on the captured response, crawler/reprocess.py).
    "reason": str,
}

VIEWS = {
    # Events still to come, soonest first. "start" is ISO 8601, so text order is time order
    # within one offset; San Diego and Paris events differ by hours, not days.
    "upcoming_events": """
        select items.id, items.source, items.title, events.start, events."end",
               events.timezone, events.all_day, events.venue_name, events.venue_city,
               events.venue_country, events.status, events.registration_url, items.url
        from events join items on items.id = events.item_id
        where coalesce(events."end", events.start) >= date('now')
        order by events.start
    """,
    # Items about the partnership: {threshold} is the one of crawler/relevance.toml.
    "partnership_news": """
        select id, source, kind, title, published, year, month, language, relevance_score,
               relevance_band, sectors, url
        from items
        where relevance_score >= {threshold}
        order by published desc
    """,
    # What the newest run of each source brought.
    "latest": """
        select items.id, items.source, items.kind, items.title, items.published,
               items.first_seen, items.url
        from items
        where items.first_seen >= (
            select max(started) from crawl_runs where crawl_runs.source = items.source
        )
        order by items.first_seen desc
    """,
}


def _add_missing_columns(table: sqlite_utils.db.Table, columns: dict) -> None:
    """Columns added by a later version of partnews, on an archive made by an earlier one."""
    if not table.exists():
        return
    existing = table.columns_dict
    for name, kind in columns.items():
        if name not in existing:
            table.add_column(name, kind)


def _create_relation_tables(db: sqlite_utils.Database) -> None:
    """The tables that link items without merging them (archive/relations.py writes them).

    * ``item_signatures``: the MinHash signature of each item's body, and its anchors
      (`partnews.similarity.anchors`, sorted uint32), so that the LSH index of
      near-duplicates and the anchor index of edited reposts are rebuilt from the
      archive in any process; ``seq`` grows with every write, so an open index reads
      only what is new.
    * ``item_leads``: the first words of each item's text, so that a listing teaser
      finds its article (and an article its teaser) with one indexed lookup.
    * ``story_members``: reposts of one text (across sites, or at two URLs of one
      site) in one story; the earliest published is the original.
    * ``item_translations``: hreflang alternates and CMS siblings in other languages,
      both directions; ``translation_id`` stays NULL until the translation is archived.
    """
    db["item_signatures"].create(
        {
            "item_id": str,
            "source": str,
            "seq": int,
            "scheme": str,
            "shingles": int,
            "minhash": bytes,
            "anchors": bytes,
        },
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    _add_missing_columns(db["item_signatures"], {"anchors": bytes})
    db["item_leads"].create(
        {"item_id": str, "source": str, "lead": str},
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    db["story_members"].create(
        {
            "item_id": str,
            "story_id": str,
            "role": str,
            "similarity": float,
            "matched_id": str,
            "matched_similarity": float,
            "linked_at": str,
        },
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    db["item_translations"].create(
        {
            "item_id": str,
            "url": str,
            "language": str,
            "translation_id": str,
            "evidence": str,
            "first_seen": str,
        },
        pk=("item_id", "url"),
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )


def _create_duplicate_tables(db: sqlite_utils.Database) -> None:
    """What the duplicate checks of issue 15 keep (archive/relations.py writes them).

    * ``item_evidence`` and ``evidence_df``: each item's language-independent evidence
      (`partnews.translation.evidence`) with its language and publication day, and in how
      many items each token occurs, so that a translation on another site is found
      without a model, from its rarer names and numbers.

    An archive from before issue 17's session 7 kept each item's anchors in
    ``item_anchors`` (a row per anchor) with their counts in ``anchor_df``; they are
    moved into ``item_signatures.anchors`` once (`_move_anchors`).
    * ``event_series``: the occurrences of a recurring event (one row per occurrence),
      which stay separate items.
    * ``item_arrivals``: the order in which items were first archived (``seq`` grows),
      which breaks ties between story members published at the same time.
    """
    db["item_evidence"].create(
        {"item_id": str, "token": str, "language": str, "day": str},
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    db["evidence_df"].create({"token": str, "items": int}, pk="token", if_not_exists=True)
    _move_anchors(db)
    db["event_series"].create(
        {"item_id": str, "series_id": str, "source": str, "start": str, "linked_at": str},
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    if not db["item_arrivals"].exists():
        db.execute(
            "create table item_arrivals (seq integer primary key autoincrement, "
            "item_id text unique references items(id))"
        )
        # An archive from before: its items arrived in first_seen order (ties by rowid).
        db.execute(
            "insert into item_arrivals (item_id) select id from items order by first_seen, rowid"
        )
    _add_missing_columns(db["item_urls"], {"reason": str})
    _add_missing_columns(db["item_translations"], {"score": float})


def _create_incremental_tables(db: sqlite_utils.Database) -> None:
    """What an incremental night needs to know of the last one (crawler/incremental.py).

    * ``http_validators``: the ETag and Last-Modified an entry point (feed, sitemap, API,
      listing) last answered with, sent back as If-None-Match / If-Modified-Since;
    * ``page_state``: each article page read, with the ``lastmod`` the sitemap or feed gave
      it then, so that a page is read again only when that date changes.
    """
    db["http_validators"].create(
        {
            "url": str,
            "source": str,
            "etag": str,
            "last_modified": str,
            "checked_at": str,
            "run_id": int,
        },
        pk="url",
        if_not_exists=True,
    )
    db["page_state"].create(
        {"url": str, "source": str, "lastmod": str, "fetched_at": str, "run_id": int},
        pk="url",
        if_not_exists=True,
    )
    db["page_state"].create_index(["source"], if_not_exists=True)


def fts_table_sql() -> str:
    """The items' full-text table: sqlite-utils' layout (external content, so Datasette
    and sqlite-utils find it) plus the prefix indexes, which enable_fts cannot set."""
    columns = ", ".join(f"[{c}]" for c in FTS_COLUMNS)
    return (
        f"CREATE VIRTUAL TABLE [items_fts] USING FTS5 ({columns}, "
        f"tokenize='{FTS_TOKENIZE}', prefix='{FTS_PREFIX}', content=[items])"
    )


def fts_trigger_sql() -> list[str]:
    """The three triggers that keep items_fts in step with items, named and written as
    sqlite-utils writes them (so its tools recognise them)."""
    columns = ", ".join(f"[{c}]" for c in FTS_COLUMNS)
    new = ", ".join(f"new.[{c}]" for c in FTS_COLUMNS)
    old = ", ".join(f"old.[{c}]" for c in FTS_COLUMNS)
    delete = (
        f"INSERT INTO [items_fts] ([items_fts], rowid, {columns}) "
        f"VALUES('delete', old.rowid, {old});"
    )
    insert = f"INSERT INTO [items_fts] (rowid, {columns}) VALUES (new.rowid, {new});"
    return [
        f"CREATE TRIGGER [items_ai] AFTER INSERT ON [items] BEGIN\n  {insert}\nEND",
        f"CREATE TRIGGER [items_ad] AFTER DELETE ON [items] BEGIN\n  {delete}\nEND",
        f"CREATE TRIGGER [items_au] AFTER UPDATE ON [items] BEGIN\n  {delete}\n  {insert}\nEND",
    ]


def ensure_fts(db: sqlite_utils.Database) -> None:
    """Create the full-text index and its triggers when missing. An index made with
    other options (an archive from before the prefix indexes) is dropped and rebuilt
    from the items: the items are the truth, the index is derived. One transaction, so
    a crash leaves either the old index or the whole new one."""
    table = db["items_fts"]
    if table.exists() and f"prefix='{FTS_PREFIX}'" in table.schema:
        return
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for trigger in ("items_ai", "items_ad", "items_au"):
            conn.execute(f"DROP TRIGGER IF EXISTS [{trigger}]")
        conn.execute("DROP TABLE IF EXISTS [items_fts]")
        conn.execute(fts_table_sql())
        for statement in fts_trigger_sql():
            conn.execute(statement)
        conn.execute("INSERT INTO [items_fts]([items_fts]) VALUES ('rebuild')")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _move_anchors(db: sqlite_utils.Database) -> None:
    """Move an older archive's anchors from ``item_anchors`` (a row per anchor, counted
    in ``anchor_df``) into ``item_signatures.anchors``, then drop both tables, in one
    transaction. The anchors are the same values: no item, version or story changes.

    Why: their random keys dirtied a page per anchor at every save (42 % of what an
    item's commit wrote); one blob per item beside its signature is read into memory
    instead (partnews/anchor_index.py)."""
    if not db["item_anchors"].exists():
        if db["anchor_df"].exists():
            db.execute("drop table anchor_df")
        return
    with db.atomic():
        # Streamed in item order: a large archive holds tens of millions of anchor rows.
        rows = db.execute("select item_id, anchor from item_anchors order by item_id")
        blobs = [
            (anchors_to_bytes(anchor for _, anchor in group), item_id)
            for item_id, group in groupby(rows, key=itemgetter(0))
        ]
        db.conn.executemany("update item_signatures set anchors = ? where item_id = ?", blobs)
        db.execute("drop table item_anchors")
        db.execute("drop table if exists anchor_df")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index, trigger and view that is missing."""
    db.execute("PRAGMA journal_mode=WAL")
    db["sources"].create(
        {
            "id": str,
            "name": str,
            "organisation": str,
            "side": str,
            "homepage": str,
            "languages": str,
            "timezone": str,
            "kinds": str,
            "relevance": str,
            "cms": str,
        },
        pk="id",
        if_not_exists=True,
    )
    _add_missing_columns(db["sources"], {"cms": str})
    db["crawl_runs"].create(CRAWL_RUN_COLUMNS, pk="id", if_not_exists=True)
    _add_missing_columns(db["crawl_runs"], CRAWL_RUN_COLUMNS)
    db["items"].create(
        ITEM_COLUMNS,
        pk="id",
        not_null={"source", "kind", "url", "title"},
        foreign_keys=[("source", "sources", "id")],
        if_not_exists=True,
    )
    _add_missing_columns(db["items"], ITEM_COLUMNS)
    db["events"].create(
        EVENT_COLUMNS,
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    db["item_urls"].create(
        {"url": str, "item_id": str, "relation": str, "first_seen": str, "last_seen": str},
        pk="url",
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    db["item_versions"].create(
        VERSION_COLUMNS,
        pk=("item_id", "version"),
        foreign_keys=[("item_id", "items", "id")],
        if_not_exists=True,
    )
    _add_missing_columns(db["item_versions"], VERSION_COLUMNS)
    _create_relation_tables(db)
    _create_duplicate_tables(db)
    _create_incremental_tables(db)
    db["captures"].create(CAPTURE_COLUMNS, pk="id", if_not_exists=True)
    db["rejects"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "url": str,
            "reason": str,
            "item": str,
            "rejected_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    for table, columns in {
        # Each facet column, then published, then the other facet columns: a filtered
        # table page (?source=…) finds its newest rows in order, and counts every other
        # facet from the index alone, without reading a million wide rows
        # (bench/bench_archive.py measured 1-4 s per facet without them).
        "items": [
            *(
                [column, "published", *(c for c in FACET_COLUMNS if c != column)]
                for column in FACET_COLUMNS
            ),
            ["published"],
            # The sectors-per-year chart (archive/charts.py) counts from this index alone.
            ["year", "sectors"],
            ["content_hash"],
            ["cms_id"],
            ["canonical_url"],
        ],
        "events": [["start"]],
        "item_urls": [["item_id"]],
        "crawl_runs": [["source", "started"]],
        "rejects": [["run_id"], ["source"]],
        "captures": [["url", "captured_at"], ["run_id"]],
        "item_signatures": [["seq"]],
        "item_leads": [["source", "lead"]],
        "story_members": [["story_id"]],
        "item_translations": [["translation_id"], ["url"]],
        "item_evidence": [["language", "token"], ["item_id"]],
        "event_series": [["series_id"]],
    }.items():
        for cols in columns:
            db[table].create_index(cols, if_not_exists=True)
    ensure_fts(db)
    threshold = load_rules().threshold
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip().replace("{threshold}", str(threshold)), replace=True)
