"""The archive file: upserts, versions, URLs, full-text search, rejects (a real SQLite file)."""

import json
import sqlite3

import pytest

from archive.store import NEW, UNCHANGED, UPDATED, Archive


def news(**overrides):
    item = {
        "id": "a1",
        "source": "sdfacc",
        "kind": "news",
        "url": "https://www.france-sandiego.org/2017/06/17/paca-region-sandiego/",
        "canonical_url": "https://www.france-sandiego.org/2017/06/17/paca-region-sandiego/",
        "title": "San Diego and Provence-Alpes-Côte d’Azur sign a memorandum",
        "summary": "The region and the city agree to work together.",
        "body": "Biotech and bluetech companies of both regions will meet each year.",
        "published": "2017-06-17T10:00:00-07:00",
        "published_from": "api",
        "language": "en",
        "categories": ["Partnership"],
        "content_hash": "h1",
    }
    item.update(overrides)
    return item


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "partnews.db")
    yield archive
    archive.close()


def test_new_then_unchanged_then_updated_keeps_versions(archive):
    assert archive.save_item(news()) == NEW
    assert archive.save_item(news()) == UNCHANGED
    assert archive.save_item(news(body="A new paragraph was added.", content_hash="h2")) == UPDATED

    row = archive.db["items"].get("a1")
    assert row["version"] == 2
    assert row["body"] == "A new paragraph was added."
    assert row["year"] == 2017 and row["month"] == "2017-06"
    versions = list(archive.db.query("select version, body from item_versions order by version"))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["body"].startswith("Biotech and bluetech")


def test_every_url_is_kept_and_finds_the_item(archive):
    archive.save_item(news(alternate_urls=["https://france-sandiego.org/?p=12"]))
    assert archive.item_id_for_urls(["https://france-sandiego.org/?p=12"]) == "a1"
    assert archive.item_id_for_urls(["https://example.org/other"]) is None
    relations = dict(archive.db.execute("select url, relation from item_urls").fetchall())
    assert relations["https://france-sandiego.org/?p=12"] == "alias"
    assert relations[news()["url"]] == "canonical"


def test_full_text_search_ignores_accents_and_follows_updates(archive):
    archive.save_item(news())
    search = "select id from items_fts join items on items.rowid = items_fts.rowid "
    search += "where items_fts match ?"
    assert [r[0] for r in archive.db.execute(search, ["cote"]).fetchall()] == ["a1"]
    assert [r[0] for r in archive.db.execute(search, ["côte"]).fetchall()] == ["a1"]
    archive.save_item(news(title="A different title", content_hash="h3"))
    assert archive.db.execute(search, ["cote"]).fetchall() == []
    assert [r[0] for r in archive.db.execute(search, ["different"]).fetchall()] == ["a1"]


def test_word_beginnings_are_found_through_the_prefix_indexes(archive):
    archive.save_item(news())
    search = "select id from items_fts join items on items.rowid = items_fts.rowid "
    search += "where items_fts match ?"
    # 3 to 6 characters have their own prefix index; longer ones are merged as before.
    for prefix in ('"bio"*', '"biot"*', '"biote"*', '"biotec"*', '"memoran"*', '"méMORa"*'):
        assert [r[0] for r in archive.db.execute(search, [prefix]).fetchall()] == ["a1"], prefix
    assert archive.db.execute(search, ['"biox"*']).fetchall() == []
    assert "prefix='3 4 5 6'" in archive.db["items_fts"].schema


def test_an_archive_indexed_without_prefixes_is_reindexed_when_opened(tmp_path):
    # Archives made before the prefix indexes had sqlite-utils' plain FTS5 table.
    path = tmp_path / "partnews.db"
    first = Archive(path)
    first.save_item(news())
    first.save_item(news(id="a2", url="https://www.france-sandiego.org/b/", title="Hydrogène"))
    first.db["items"].disable_fts()
    first.db["items"].enable_fts(
        ["title", "summary", "body"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )
    assert "prefix" not in first.db["items_fts"].schema
    first.close()

    second = Archive(path)
    assert "prefix='3 4 5 6'" in second.db["items_fts"].schema
    search = "select items.id from items_fts join items on items.rowid = items_fts.rowid "
    search += "where items_fts match ? order by items.id"
    assert [r[0] for r in second.db.execute(search, ['"hydro"*']).fetchall()] == ["a2"]
    assert [r[0] for r in second.db.execute(search, ["biotech"]).fetchall()] == ["a1", "a2"]
    # The triggers are there again: a new item is searchable at once.
    second.save_item(news(id="a3", url="https://www.france-sandiego.org/c/", title="Aéroport"))
    assert [r[0] for r in second.db.execute(search, ['"aero"*']).fetchall()] == ["a3"]
    second.db.execute("insert into items_fts(items_fts) values('integrity-check')")
    second.close()


def test_event_details_go_to_the_events_table(archive):
    event = news(
        id="e1",
        kind="event",
        title="South of France Business Summit",
        start="2019-05-14T08:00:00-07:00",
        end="2019-05-17T17:00:00-07:00",
        timezone="America/Los_Angeles",
        all_day=False,
        venue_city="San Diego",
        status="scheduled",
    )
    archive.save_item(event)
    row = archive.db["events"].get("e1")
    assert row["start"] == "2019-05-14T08:00:00-07:00"
    assert row["all_day"] == 0
    assert row["venue_city"] == "San Diego"


def test_rejects_and_runs_are_recorded(archive):
    run_id = archive.start_run("sdfacc")
    archive.record_reject(run_id, "sdfacc", "https://x.example/a", "missing title", {"url": "u"})
    archive.finish_run(run_id, {"items_rejected": 1, "finish_reason": "finished"})
    reject = archive.db["rejects"].get(1)
    assert (reject["url"], reject["reason"], reject["run_id"]) == (
        "https://x.example/a",
        "missing title",
        run_id,
    )
    run = archive.db["crawl_runs"].get(run_id)
    assert run["items_rejected"] == 1 and run["finished"]


def test_many_rejects_are_filed_at_once_each_whole(archive):
    run_id = archive.start_run("press")
    archive.record_rejects(run_id, "press", [])  # nothing to file: no row, no error
    rejects = [
        ("https://x.example/a.png", "newscrawl non_html: image/png", {"offset": 10}),
        (None, "newscrawl truncated: the file ends in a record", {"offset": 20}),
        ("https://x.example/b", "missing title", None),
    ]
    archive.record_rejects(run_id, "press", iter(rejects))
    rows = list(archive.db.query("select * from rejects order by id"))
    assert [(r["url"], r["reason"], r["run_id"], r["source"]) for r in rows] == [
        (url, reason, run_id, "press") for url, reason, _ in rejects
    ]
    assert [json.loads(r["item"]) if r["item"] else None for r in rows] == [
        item for _, _, item in rejects
    ]


def test_an_archive_from_before_the_selector_counts_opens_and_gains_the_column(tmp_path):
    """crawl_runs.selectors is added to an older archive when it is opened; its rows
    keep their values, with NULL selectors, and a new run can record them."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "create table crawl_runs (id integer primary key, source text, started text, "
        "finish_reason text, entry_points text)"
    )
    conn.execute(
        "insert into crawl_runs (source, started, finish_reason, entry_points) "
        "values ('region_sud', '2025-01-01T02:00:00+00:00', 'finished', '{}')"
    )
    conn.commit()
    conn.close()
    archive = Archive(path)
    old = archive.db["crawl_runs"].get(1)
    assert (old["source"], old["finish_reason"], old["selectors"]) == (
        "region_sud",
        "finished",
        None,
    )
    run_id = archive.start_run("region_sud")
    counts = {".post-date": {"role": "dateline", "pages": 4, "matched": 4}}
    archive.finish_run(run_id, {"finish_reason": "finished", "selectors": json.dumps(counts)})
    assert json.loads(archive.db["crawl_runs"].get(run_id)["selectors"]) == counts
    archive.close()


def test_the_crawl_side_writes_go_through_the_archive(archive):
    """Captures, their links to items, page states and validators: Archive's methods."""
    run_id = archive.start_run("region_sud")
    archive.open_warc_file(run_id, "region_sud-20250101020000-1.warc.gz")
    capture = {
        "run_id": run_id,
        "url": "https://www.maregionsud.fr/rss.xml",
        "status": 200,
        "captured_at": "2025-01-01T02:00:00Z",
        "warc_file": "region_sud-20250101020000-1.warc.gz",
        "warc_offset": 0,
        "warc_length": 10,
        "record_id": "<urn:uuid:1>",
    }
    capture_id = archive.record_capture(capture)
    archive.link_item_capture("a1", run_id, capture_id)
    assert archive.earlier_capture(capture["url"])["id"] == capture_id
    assert archive.db["crawl_runs"].get(run_id)["warc_file"] == capture["warc_file"]
    assert archive.db["item_captures"].get(("a1", run_id))["capture_id"] == capture_id
    archive.record_pages("region_sud", {"https://www.maregionsud.fr/actualites/a": "2025"}, run_id)
    archive.record_pages("region_sud", {"https://www.maregionsud.fr/actualites/a": None}, run_id)
    state = archive.db["page_state"].get("https://www.maregionsud.fr/actualites/a")
    assert state["lastmod"] == "2025", "a known date is kept when a later link gives none"
    archive.save_validators("region_sud", {capture["url"]: ('"e1"', None)}, run_id)
    assert archive.db["http_validators"].get(capture["url"])["etag"] == '"e1"'


def test_reopening_an_archive_keeps_it_and_its_integrity(tmp_path):
    path = tmp_path / "partnews.db"
    first = Archive(path)
    first.save_item(news())
    first.close()
    second = Archive(path)
    assert second.db["items"].count == 1
    second.close()
    conn = sqlite3.connect(path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.execute("insert into items_fts(items_fts) values('integrity-check')")
    conn.close()


def test_each_version_names_the_fields_that_changed(archive):
    archive.save_item(news())
    archive.save_item(news(body="A new paragraph was added.", content_hash="h2"))
    archive.save_item(news(body="A new paragraph was added.", content_hash="h2"))  # same again
    archive.save_item(
        news(
            body="A new paragraph was added.",
            title="A corrected title",
            modified="2017-06-20T09:00:00-07:00",
            content_hash="h3",
        )
    )
    versions = list(
        archive.db.query("select version, changed_fields from item_versions order by version")
    )
    assert versions == [
        {"version": 1, "changed_fields": None},
        {"version": 2, "changed_fields": '["body"]'},
        {"version": 3, "changed_fields": '["title", "modified"]'},
    ]


def test_a_cancelled_event_is_a_new_version_with_its_details(archive):
    event = news(
        id="e1",
        kind="event",
        title="Provence wine and business evening",
        start="2024-10-10T18:00:00-07:00",
        status="scheduled",
        venue_city="San Diego",
    )
    archive.save_item(event)
    assert archive.save_item(dict(event, status="cancelled")) == UPDATED
    rows = list(
        archive.db.query("select changed_fields, event from item_versions order by version")
    )
    assert rows[1]["changed_fields"] == '["status"]'
    assert json.loads(rows[0]["event"])["status"] == "scheduled"
    assert json.loads(rows[1]["event"])["status"] == "cancelled"
    assert archive.db["events"].get("e1")["status"] == "cancelled"


def test_an_item_a_later_crawl_did_not_see_is_kept_as_it_was(archive):
    archive.save_item(news())
    archive.save_item(news(id="b2", url="https://www.france-sandiego.org/b/", content_hash="hb"))
    # A later run sees only b2.
    archive.save_item(news(id="b2", url="https://www.france-sandiego.org/b/", content_hash="hb"))
    row = archive.db["items"].get("a1")
    assert row["version"] == 1 and row["body"].startswith("Biotech and bluetech")
    assert archive.db["items"].count == 2


def test_a_batch_is_one_transaction_committed_at_its_end(archive):
    """Another reader sees none of a batch's items until it ends, then all of them."""
    other = sqlite3.connect(archive.path)
    with archive.batch():
        archive.save_item(news())
        archive.save_item(news(id="a2", url="https://www.france-sandiego.org/b/"))
        assert archive.db.conn.in_transaction
        assert other.execute("select count(*) from items").fetchone() == (0,)
    assert not archive.db.conn.in_transaction
    assert other.execute("select id from items order by id").fetchall() == [("a1",), ("a2",)]
    other.close()


# Long enough to have a repost signature; written for this test.
HARBOUR = (
    "The harbour authorities of Marseille and San Diego agreed to compare how they power "
    "ships at berth, to send engineers to each other's quays twice a year, and to publish "
    "the air quality they measure around the terminals every month. The first visit is "
    "planned for the spring, when a delegation from California will see the new cables "
    "and the software that schedules each ship's connection. Training for dock workers "
    "on electric cranes follows in the autumn, and a joint report is due next year."
)


def test_a_batch_is_all_or_nothing_and_its_repost_index_stays_true(archive):
    """An error ends the batch with nothing of it written (the caller does it again), and
    the repost index forgets the rolled-back saves: a copy saved afterwards still finds
    its original."""
    with pytest.raises(KeyError), archive.batch():
        archive.save_item(news(body=HARBOUR))
        archive.save_item({"source": "sdfacc"})  # no id: the save fails
    assert not archive.db.conn.in_transaction
    other = sqlite3.connect(archive.path)
    for table in ("items", "items_fts", "item_signatures", "item_urls", "item_versions"):
        assert other.execute(f"select count(*) from {table}").fetchone() == (0,), table
    other.close()
    # Done again, as the news crawl does a file again; then a copy at another site.
    with archive.batch():
        archive.save_item(news(body=HARBOUR))
    copy = news(id="b1", source="times_of_san_diego", url="https://timesofsandiego.com/h/",
                canonical_url=None, body=HARBOUR)  # fmt: skip
    archive.save_item(copy)
    members = archive.db.execute("select item_id from story_members order by item_id")
    assert [row[0] for row in members] == ["a1", "b1"]


def test_a_batch_opens_no_savepoint_and_its_items_are_searchable(archive):
    """Inside a batch each save adds no savepoint (each would make the full-text index
    write out its terms); after the commit the items are found by a full-text search."""
    statements = []
    archive.db.conn.set_trace_callback(statements.append)
    with archive.batch():
        archive.save_item(news(body=HARBOUR))
        archive.save_item(news(id="a2", url="https://www.france-sandiego.org/b/", title="Ports"))
    archive.db.conn.set_trace_callback(None)
    assert not [s for s in statements if s.upper().startswith(("SAVEPOINT", "RELEASE"))]
    found = archive.db.execute(
        "select items.id from items_fts join items on items.rowid = items_fts.rowid "
        "where items_fts match 'cables' order by items.id"
    )
    assert [row[0] for row in found] == ["a1"]
    # After the batch, a save is its own transaction again.
    statements.clear()
    archive.db.conn.set_trace_callback(statements.append)
    archive.save_item(news(id="a3", url="https://www.france-sandiego.org/c/", title="Cables"))
    archive.db.conn.set_trace_callback(None)
    assert statements[1:2] == ["BEGIN"] and statements[-1] == "COMMIT"


def test_a_batch_inside_a_transaction_leaves_it_to_its_owner(archive):
    archive.db.conn.execute("BEGIN")
    with archive.batch():
        archive.save_item(news())
    assert archive.db.conn.in_transaction  # the owner's commit, not the batch's
    archive.db.conn.execute("COMMIT")
    assert archive.db["items"].count == 1
