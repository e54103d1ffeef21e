"""`partnews reprocess`, tested as users would meet it: an archive crawled with a weakened
reader (tests/weakened_reader.py), the reader improved, the archive re-read from its WARC
captures, and the result compared with a fresh crawl by the improved reader, item by
item and relation by relation. Also: a dry run writes nothing, a missing capture is
reported and its item kept, and a reprocess killed mid-way resumes to the same archive.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.crawling import REPO_ROOT, open_archive

SOURCES = ("provence_promotion", "sdfacc")
# What a reading fills in an items row (not the bookkeeping: ids, dates seen, version).
READING = (
    "source, kind, url, canonical_url, title, title_sort, summary, body, published, "
    "published_from, modified, language, authors, categories, tags, image, translations, "
    "cms_id, relevance_score, relevance_terms, sectors, content_hash"
)


def partnews(*args: str, module: str = "partnews.cli", env: dict | None = None):
    environment = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING", **(env or {}))
    environment.pop("PARTNEWS_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def crawl(server, archive, *, weakened: bool) -> None:
    module = "tests.weakened_reader" if weakened else "partnews.cli"
    result = partnews(
        "crawl", "--mirror", server.url, "--archive", str(archive), *SOURCES, module=module
    )
    assert result.returncode == 0, result.stderr[-3000:]


def reprocess(archive, *args: str, workers: int = 1, env: dict | None = None):
    return partnews(
        "reprocess", "--archive", str(archive), "--workers", str(workers), *args, env=env
    )


def snapshot(archive) -> dict[str, object]:
    """The archive's content and relations, items named by their cited URL (ids depend on
    which copy of an item a crawl met first)."""
    conn = open_archive(archive)
    cited = dict(conn.execute("select id, url from items").fetchall())
    items = {row["url"]: tuple(row) for row in conn.execute(f"select {READING} from items")}
    events = {
        cited[row[0]]: tuple(row[1:])
        for row in conn.execute('select item_id, start, "end", timezone, status from events')
    }
    urls = {
        (url, cited[item_id], relation)
        for url, item_id, relation in conn.execute("select url, item_id, relation from item_urls")
    }
    stories: dict[str, set] = {}
    for item_id, story_id, role, similarity in conn.execute(
        "select item_id, story_id, role, similarity from story_members"
    ):
        stories.setdefault(story_id, set()).add((cited[item_id], role, similarity))
    translations = {
        (cited[item_id], url, language, cited.get(translation_id))
        for item_id, url, language, translation_id in conn.execute(
            "select item_id, url, language, translation_id from item_translations"
        )
    }
    signatures = {
        (cited[item_id], shingles, minhash)
        for item_id, shingles, minhash in conn.execute(
            "select item_id, shingles, minhash from item_signatures"
        )
    }
    leads = {
        (cited[item_id], lead)
        for item_id, lead in conn.execute("select item_id, lead from item_leads")
    }
    conn.close()
    return {
        "items": items,
        "events": events,
        "urls": urls,
        "stories": {frozenset(members) for members in stories.values()},
        "translations": translations,
        "signatures": signatures,
        "leads": leads,
    }


def assert_same(actual: dict, expected: dict) -> None:
    for table in expected:
        if table == "items":
            assert set(actual["items"]) == set(expected["items"])
            for url, row in expected["items"].items():
                assert actual["items"][url] == row, url
        else:
            assert actual[table] == expected[table], table


@pytest.fixture(scope="module")
def archives(tmp_path_factory, mirror):
    """A weakened crawl (kept pristine: tests copy it) and a fresh crawl by today's readers."""
    root = tmp_path_factory.mktemp("reprocess")
    crawl(mirror, root / "weak" / "partnews.db", weakened=True)
    crawl(mirror, root / "fresh" / "partnews.db", weakened=False)
    return root


def copy_of(archives, name: str, tmp_path):
    shutil.copytree(archives / "weak", tmp_path / name)
    return tmp_path / name / "partnews.db"


def test_the_weakened_crawl_differs_from_the_fresh_one(archives):
    """The premise: the weakened reader really gives another archive."""
    weak, fresh = (
        snapshot(archives / "weak" / "partnews.db"),
        snapshot(archives / "fresh" / "partnews.db"),
    )
    assert weak["items"] != fresh["items"]
    assert weak["stories"] != fresh["stories"]


def test_reprocess_rebuilds_the_archive_a_fresh_crawl_gives(archives, tmp_path):
    archive = copy_of(archives, "re", tmp_path)
    before = open_archive(archive)
    seen_before = dict(before.execute("select id, last_seen || ' ' || version from items"))
    before.close()
    result = reprocess(archive, workers=2)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same(snapshot(archive), snapshot(archives / "fresh" / "partnews.db"))

    conn = open_archive(archive)
    versions = conn.execute(
        "select item_id, version, changed_fields from item_versions where reason = 'reprocessed'"
    ).fetchall()
    assert versions, "no item was re-read into a new version"
    for item_id, version, changed in versions:
        assert version == int(seen_before[item_id].split()[1]) + 1
        assert json.loads(changed), "a reprocessed version names what changed"
    assert any("body" in json.loads(changed) for _, _, changed in versions)
    changed_ids = {v[0] for v in versions}
    for item_id, last_seen, version in conn.execute("select id, last_seen, version from items"):
        # Nobody visited a site: last_seen stays; unchanged items keep their version.
        assert seen_before[item_id].split()[0] == last_seen
        if item_id not in changed_ids:
            assert f"{last_seen} {version}" == seen_before[item_id]
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.execute("insert into items_fts(items_fts) values('integrity-check')")
    conn.close()

    # Re-reading again with the same readers changes nothing.
    again = reprocess(archive)
    assert again.returncode == 0, again.stderr[-3000:]
    conn = open_archive(archive)
    count = conn.execute("select count(*) from item_versions where reason = 'reprocessed'")
    assert count.fetchone()[0] == len(versions)
    conn.close()


def test_a_dry_run_reports_per_source_and_field_and_writes_nothing(archives, tmp_path):
    archive = copy_of(archives, "dry", tmp_path)
    report = tmp_path / "dry.json"
    digest_before = archive.read_bytes()
    result = reprocess(archive, "--dry-run", "--report", str(report))
    assert result.returncode == 0, result.stderr[-3000:]
    assert archive.read_bytes() == digest_before
    outcome = json.loads(report.read_text())
    drupal = outcome["sources"]["provence_promotion"]
    assert drupal["changed"] > 0
    assert drupal["fields"]["body"] > 0
    example = drupal["examples"]["body"][0]
    assert example["url"].startswith("https://www.investinprovence.com/")
    assert example["before"] != example["after"]
    assert "provence_promotion:" in result.stdout and "body" in result.stdout
    # The readers of the other source were not weakened: nothing of its text changes.
    assert "body" not in outcome["sources"]["sdfacc"]["fields"]


def test_a_missing_capture_is_reported_and_its_item_kept(archives, tmp_path):
    archive = copy_of(archives, "missing", tmp_path)
    conn = sqlite3.connect(archive)
    url, item_id, body = conn.execute(
        "select items.url, items.id, items.body from items join captures on captures.url = "
        "items.url where items.source = 'provence_promotion' and captures.status = 200 "
        "order by items.url limit 1"
    ).fetchone()
    # A damaged record: its offset no longer points at a gzip member.
    conn.execute("update captures set warc_offset = warc_offset + 7 where url = ?", [url])
    conn.commit()
    conn.close()
    result = reprocess(archive)
    assert result.returncode == 0, result.stderr[-3000:]
    assert url in result.stdout and "unreadable" in result.stdout
    conn = open_archive(archive)
    kept = conn.execute("select body, version from items where id = ?", [item_id]).fetchone()
    assert tuple(kept) == (body, 1)
    reasons = [r[0] for r in conn.execute("select reason from rejects where url = ?", [url])]
    assert any("CaptureUnreadable" in reason for reason in reasons), reasons
    conn.close()


def test_a_killed_reprocess_resumes_to_the_same_archive(archives, tmp_path):
    archive = copy_of(archives, "killed", tmp_path)
    # Four items per transaction: the kill, at the sixth changed item, comes after at
    # least one commit and, unless it falls on one, with writes that are lost and redone.
    killed = reprocess(archive, "--commit-every", "4", env={"PARTNEWS_REPROCESS_KILL_AFTER": "6"})
    assert killed.returncode == -9, killed.stderr[-3000:]
    conn = open_archive(archive)
    partial = conn.execute("select count(*) from item_versions where reason = 'reprocessed'")
    assert partial.fetchone()[0] > 0, "the kill came before anything was written"
    conn.close()
    resumed = reprocess(archive)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming an interrupted reprocess" in resumed.stderr
    conn = open_archive(archive)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.execute("insert into items_fts(items_fts) values('integrity-check')")
    versions = conn.execute(
        "select count(*), count(distinct item_id) from item_versions where reason = 'reprocessed'"
    ).fetchone()
    conn.close()
    # An uninterrupted reprocess equals a fresh crawl (the test above): so does this one,
    # with one version per changed item, as an uninterrupted run writes.
    assert_same(snapshot(archive), snapshot(archives / "fresh" / "partnews.db"))
    assert versions[0] == versions[1]


def test_commit_every_must_be_positive(archives, tmp_path):
    archive = copy_of(archives, "batch", tmp_path)
    result = reprocess(archive, "--commit-every", "0")
    assert result.returncode == 2
    assert "--commit-every must be at least 1" in result.stderr


def test_reprocess_takes_the_nightly_lock(archives, tmp_path):
    from archive.lock import acquire

    archive = copy_of(archives, "locked", tmp_path)
    lock = acquire(archive)
    try:
        result = reprocess(archive)
    finally:
        lock.release()
    assert result.returncode == 3
    assert "Not starting" in result.stderr
