"""Incremental crawling's parts without a network: validators, known pages, the night's
plan, the lock, the backup, and the politeness clock (Crawl-delay, Retry-After)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from scrapy.http import Request
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from archive.backup import backup_archive, backups_of
from archive.lock import LockHeld, acquire, lock_path
from archive.store import Archive
from crawler.incremental import (
    IncrementalState,
    Validators,
    conditional_headers,
    entry_key,
    lastmod_changed,
    validators_of,
)
from crawler.night import new_night, plan_source, same_request, unfinished_nights
from crawler.politeness import CrawlDelayMiddleware, DomainClock, retry_after_seconds
from tests.crawling import REPO_ROOT


def test_conditional_headers_send_back_what_the_server_said():
    v = Validators(etag='"abc"', last_modified="Sat, 17 Jun 2017 17:00:00 GMT")
    assert conditional_headers(v) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Sat, 17 Jun 2017 17:00:00 GMT",
    }
    assert conditional_headers(Validators(etag='"abc"')) == {"If-None-Match": '"abc"'}
    assert conditional_headers(None) == {}


def test_validators_are_read_from_response_headers():
    assert validators_of({"ETag": b'"x"'}) == Validators(etag='"x"')
    assert validators_of({"Content-Type": b"text/html"}) is None


def test_the_entry_key_leaves_out_the_nightly_modified_after():
    url = "https://example.org/wp-json/wp/v2/posts?per_page=100&page=1&modified_after=2025-01-01"
    assert entry_key(url) == "https://example.org/wp-json/wp/v2/posts?per_page=100&page=1"


def test_a_page_is_read_again_only_when_its_date_changes():
    assert lastmod_changed("2025-01-01", "2025-02-01")
    assert lastmod_changed(None, "2025-02-01")  # read before any date was known
    assert not lastmod_changed("2025-01-01", "2025-01-01")
    assert not lastmod_changed("2025-01-01", None)  # no date tonight says nothing


def seeded_archive(path) -> Archive:
    archive = Archive(path)
    archive.upsert_sources([{"id": "region_sud", "name": "Région Sud"}])
    run_id = archive.start_run("region_sud")
    archive.update_run(run_id, {"night": "N1"})
    state = IncrementalState(source="region_sud")
    state.record_pages(archive, {"https://x.fr/a": "2025-01-01", "https://x.fr/b": None}, run_id)
    state.remember("https://x.fr/rss.xml", Validators(etag='"e1"'))
    state.commit_validators(archive, run_id)
    return archive


def test_known_pages_and_validators_come_back_from_the_archive(tmp_path):
    archive = seeded_archive(tmp_path / "a.db")
    state = IncrementalState.load(archive.db, "region_sud", enabled=True)
    assert state.validators == {"https://x.fr/rss.xml": Validators(etag='"e1"')}
    assert state.wants_page("https://x.fr/new")  # never read
    assert not state.wants_page("https://x.fr/a", "2025-01-01")  # same date
    assert state.wants_page("https://x.fr/a", "2025-03-01")  # changed
    assert not state.wants_page("https://x.fr/b")  # known, no date either way
    full = IncrementalState.load(archive.db, "region_sud", enabled=False)
    assert full.wants_page("https://x.fr/a", "2025-01-01")  # a full pass reads it again


def test_a_resumed_run_skips_the_pages_its_night_already_read(tmp_path):
    archive = seeded_archive(tmp_path / "a.db")
    resumed = IncrementalState.load(archive.db, "region_sud", enabled=False, night="N1")
    assert not resumed.wants_page("https://x.fr/a", "2025-09-09")
    other_night = IncrementalState.load(archive.db, "region_sud", enabled=False, night="N2")
    assert other_night.wants_page("https://x.fr/a", "2025-09-09")


def test_a_date_already_known_is_kept_when_a_later_link_gives_none(tmp_path):
    archive = seeded_archive(tmp_path / "a.db")
    state = IncrementalState.load(archive.db, "region_sud", enabled=True)
    state.record_pages(archive, {"https://x.fr/a": None}, None)
    row = archive.db.execute("select lastmod from page_state where url = 'https://x.fr/a'")
    assert row.fetchone()[0] == "2025-01-01"


def test_the_plan_is_full_without_history_and_incremental_with_a_day_of_margin():
    assert plan_source(None, full=False).mode == "full"
    assert plan_source("2025-06-10T02:00:00+00:00", full=True).mode == "full"
    plan = plan_source("2025-06-10T02:00:00+00:00", full=False)
    assert (plan.mode, plan.since) == ("incremental", "2025-06-09")


def test_an_unfinished_night_is_found_again_and_resumed_only_for_the_same_request(tmp_path):
    archive = tmp_path / "data" / "partnews.db"
    now = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
    night = new_night(archive, ["sdfacc", "region_sud"], False, {"sdfacc": None}, now)
    [found] = unfinished_nights(archive)
    assert found.id == night.id == "20250610T020000Z"
    assert found.plan["sdfacc"].mode == "full" and found.resumed
    assert same_request(found, ["region_sud", "sdfacc"], full=False)
    assert not same_request(found, ["sdfacc"], full=False)
    found.finish()
    assert unfinished_nights(archive) == []


def test_the_backup_is_a_complete_copy_and_only_the_last_ones_are_kept(tmp_path):
    archive = seeded_archive(tmp_path / "partnews.db")
    archive.close()
    folder = tmp_path / "backups"
    for stamp in ("20250601T0200Z", "20250602T0200Z", "20250603T0200Z", "20250604T0200Z"):
        backup = backup_archive(tmp_path / "partnews.db", folder, stamp, keep=3)
    assert [p.name for p in backups_of(folder, "partnews")] == [
        "partnews-20250602T0200Z.db",
        "partnews-20250603T0200Z.db",
        "partnews-20250604T0200Z.db",
    ]
    copy = sqlite3.connect(backup)
    assert copy.execute("select count(*) from page_state").fetchone()[0] == 2
    assert backup_archive(tmp_path / "missing.db", folder, "x") is None


def test_a_second_lock_on_the_same_archive_is_refused_with_the_holder(tmp_path):
    archive = tmp_path / "partnews.db"
    first = acquire(archive)
    holder = textwrap.dedent(
        f"""
        import sys
        from archive.lock import LockHeld, acquire
        try:
            acquire({str(archive)!r})
        except LockHeld as held:
            print(held)
            sys.exit(3)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", holder], cwd=REPO_ROOT, capture_output=True, text=True
    )
    first.release()
    assert result.returncode == 3
    assert f"pid {os.getpid()}" in result.stdout


def test_the_lock_of_a_dead_process_is_taken_over_and_said_so(tmp_path):
    archive = tmp_path / "partnews.db"
    lock_path(archive).write_text('{"pid": 999999999, "started": "2025-06-01T02:00:00+00:00"}')
    lock = acquire(archive)
    assert lock.took_over_from["pid"] == 999999999
    lock.release()
    again = acquire(archive)  # a clean release leaves no record to take over
    assert again.took_over_from is None
    again.release()
    held = acquire(archive)
    with pytest.raises(LockHeld):
        acquire(archive)  # the same process, another open file: still refused
    held.release()


def test_retry_after_reads_seconds_and_http_dates():
    now = 1_700_000_000.0
    assert retry_after_seconds(b"120", now) == 120
    later = format_datetime(datetime.fromtimestamp(now + 30, UTC), usegmt=True)
    assert retry_after_seconds(later, now) == pytest.approx(30, abs=1)
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_the_domain_clock_spaces_requests_and_holds_a_paused_domain():
    clock = DomainClock()
    clock.set_spacing("a.org", 5)
    assert clock.reserve("a.org", 100.0) == 0  # first request goes at once
    assert clock.reserve("a.org", 101.0) == 4  # the next waits until 105
    assert clock.reserve("a.org", 101.0) == 9  # and the one after until 110
    assert clock.reserve("b.org", 101.0) == 0  # other domains are not held
    clock.pause("b.org", 130.0)  # Retry-After: 29 s
    assert clock.reserve("b.org", 101.0) == 29


def test_crawl_delay_from_robots_txt_spaces_that_domain(tmp_path):
    crawler = get_crawler(settings_dict={"USER_AGENT": "partnews/0.1"})
    middleware = CrawlDelayMiddleware(crawler, DomainClock())
    clock_now = [1000.0]
    middleware.now = lambda: clock_now[0]
    robots = ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 7\n", None)
    middleware.robots_parsed(robots, Request("https://slow.example/robots.txt"))
    assert middleware.clock.reserve("slow.example", 1000.0) == 0
    assert middleware.clock.reserve("slow.example", 1000.0) == 7
    assert middleware.clock.reserve("fast.example", 1000.0) == 0
