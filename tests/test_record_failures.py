"""A bug while reading one record of a response fails loudly for that record only: the
other records are still read, the failure is handed on with the reader's name, the
exception type and its message (a rejects row in a crawl), and a warning is logged.

Each test injects a bug into one of the project's own helpers (monkeypatched to raise
for one record) and reads a response of several records: iCal VEVENTs, The Events
Calendar's REST events, WordPress REST posts, feed entries, JSON-LD objects. The last
test does it through a real crawl of the mirror and reads the archive's rejects.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

import crawler.extract.feeds as feeds
import crawler.extract.ical as ical
import crawler.extract.structured as structured
import crawler.extract.tribe_events as tribe_events
import crawler.extract.wordpress as wordpress
from crawler.records import RecordFailure, read_records
from tests.crawling import REPO_ROOT, open_archive
from tests.realdata import require

PAGE = "https://www.example.org/agenda/"


def raising_for(original, marker: str):
    """`original`, but raising RuntimeError when its arguments mention `marker`."""

    def helper(*args, **kwargs):
        if marker in repr(args) + repr(kwargs):
            raise RuntimeError(f"injected bug on {marker}")
        return original(*args, **kwargs)

    return helper


def check_one_failure(failures: list[RecordFailure], caplog, reader: str, marker: str) -> None:
    [failure] = failures
    assert (failure.url, failure.reader) == (PAGE, reader)
    assert (failure.error_type, failure.message) == ("RuntimeError", f"injected bug on {marker}")
    assert failure.reason == (
        f"{reader} could not read one record: RuntimeError: injected bug on {marker}"
    )
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        reader in r.getMessage() and r.exc_info and r.exc_info[0] is RuntimeError for r in warnings
    ), [r.getMessage() for r in warnings]


def test_read_records_keeps_reading_after_a_failing_record(caplog):
    failures: list[RecordFailure] = []
    read = read_records(
        [1, 0, 2],
        lambda n: 10 // n,
        reader="division",
        url=PAGE,
        on_failure=failures.append,
    )
    assert read == [10, 5]
    [failure] = failures
    assert (failure.reader, failure.error_type) == ("division", "ZeroDivisionError")
    assert "Rejected one record" in caplog.text


CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//partnews tests//EN",
        *[
            line
            for n, place in enumerate(["Harbor Hall, 1 Pier Rd", "Old Mill, 5 Canal St", "Dock 9"])
            for line in (
                "BEGIN:VEVENT",
                f"UID:evt-{n}@example.org",
                f"SUMMARY:Meeting number {n}",
                f"DTSTART:2024031{n}T090000Z",
                f"LOCATION:{place}",
                "END:VEVENT",
            )
        ],
        "END:VCALENDAR",
        "",
    ]
)


def test_a_bug_in_split_location_loses_one_event_not_the_calendar(monkeypatch, caplog):
    monkeypatch.setattr(ical, "split_location", raising_for(ical.split_location, "Old Mill"))
    failures: list[RecordFailure] = []
    items = ical.parse_ical(CALENDAR, url=PAGE, on_failure=failures.append)
    assert [i.title for i in items] == ["Meeting number 0", "Meeting number 2"]
    check_one_failure(failures, caplog, "ical", "Old Mill")


def test_a_bug_on_a_real_calendar_loses_one_event_only(monkeypatch, caplog):
    path = require("ics-misc/machbar_16_feb_2019.ics")
    everything = ical.parse_ical(path.read_bytes())
    assert len(everything) > 2
    victim = ical.read_ical_record(ical.ical_records(path.read_bytes())[1]).title
    original = ical.clean_inline

    def clean_inline(value):  # a bug in a project helper, for the second event only
        if value == victim:
            raise RuntimeError(f"injected bug on {victim}")
        return original(value)

    monkeypatch.setattr(ical, "clean_inline", clean_inline)
    failures: list[RecordFailure] = []
    items = ical.parse_ical(path.read_bytes(), url=PAGE, on_failure=failures.append)
    assert [i.cms_id for i in items] == [i.cms_id for i in everything if i.title != victim]
    check_one_failure(failures, caplog, "ical", victim)


def test_a_bug_reading_one_tribe_event_keeps_the_others(monkeypatch, caplog):
    events = [
        {"id": n, "title": f"Event {n}", "url": f"https://example.org/e/{n}", "venue": {"venue": v}}
        for n, v in enumerate(["Quay", "Broken Venue", "Plaza"])
    ]
    monkeypatch.setattr(tribe_events, "_venue", raising_for(tribe_events._venue, "Broken Venue"))
    failures: list[RecordFailure] = []
    items = tribe_events.parse_tribe_events(
        json.dumps({"events": events}), url=PAGE, on_failure=failures.append
    )
    assert [i.title for i in items] == ["Event 0", "Event 2"]
    check_one_failure(failures, caplog, "tribe event", "Broken Venue")


def test_a_bug_reading_one_wordpress_post_keeps_the_others(monkeypatch, caplog):
    posts = [
        {"id": n, "link": f"https://example.org/p/{n}", "title": {"rendered": t}}
        for n, t in enumerate(["First", "Second", "Third"])
    ]
    posts[1]["author"] = 777
    monkeypatch.setattr(wordpress, "_authors", raising_for(wordpress._authors, "777"))
    failures: list[RecordFailure] = []
    items = wordpress.parse_wp_posts(posts, url=PAGE, on_failure=failures.append)
    assert [i.title for i in items] == ["First", "Third"]
    check_one_failure(failures, caplog, "wordpress post", "777")


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>https://example.org/1</link>
<author>a@example.org (Ann)</author></item>
<item><title>Two</title><link>https://example.org/2</link>
<author>b@example.org (Bob)</author></item>
<item><title>Three</title><link>https://example.org/3</link></item>
</channel></rss>"""


def test_a_bug_reading_one_feed_entry_keeps_the_others(monkeypatch, caplog):
    monkeypatch.setattr(feeds, "_authors", raising_for(feeds._authors, "Bob"))
    failures: list[RecordFailure] = []
    items = feeds.parse_feed(FEED, url=PAGE, on_failure=failures.append)
    assert [i.title for i in items] == ["One", "Three"]
    check_one_failure(failures, caplog, "feed", "Bob")


def test_a_bug_reading_one_jsonld_object_keeps_the_others(monkeypatch, caplog):
    blocks = "".join(
        '<script type="application/ld+json">'
        + json.dumps({"@type": "Event", "name": name, "startDate": "2024-05-01", "location": loc})
        + "</script>"
        for name, loc in [("Fair", "Hall A"), ("Expo", "Hall B"), ("Gala", "Hall C")]
    )
    html = f"<html><head>{blocks}</head><body><p>x</p></body></html>"
    monkeypatch.setattr(structured, "_venue", raising_for(structured._venue, "Hall B"))
    failures: list[RecordFailure] = []
    items = structured.items_from_structured(html, PAGE, on_failure=failures.append)
    assert [i.title for i in items] == ["Fair", "Gala"]
    check_one_failure(failures, caplog, "structured data", "Hall B")


# A crawl in its own process, with a bug injected into the reading of one TEC event.
INJECTED_CRAWL = """
import sys
import crawler.extract.tribe_events as tribe_events
from partnews.cli import main

original = tribe_events._venue
calls = []

def _venue(event):
    calls.append(1)
    if len(calls) == 1:
        raise RuntimeError("injected bug in _venue")
    return original(event)

tribe_events._venue = _venue
sys.exit(main(sys.argv[1:]))
"""


def test_a_crawl_files_the_record_it_could_not_read_and_archives_the_others(mirror, tmp_path):
    archive = tmp_path / "partnews.db"
    command = [sys.executable, "-c", INJECTED_CRAWL, "crawl", "--mirror", mirror.url]
    result = subprocess.run(
        [*command, "--archive", str(archive), "sdfacc"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "injected bug in _venue" in result.stderr  # the warning's traceback
    conn = open_archive(archive)
    rejects = conn.execute("select url, reason, item from rejects").fetchall()
    filed = [r for r in rejects if "injected bug" in r["reason"]]
    assert len(filed) == 1, [dict(r) for r in rejects]
    assert "/wp-json/tribe/events/v1/events" in filed[0]["url"]
    assert filed[0]["reason"] == (
        "tribe event could not read one record: RuntimeError: injected bug in _venue"
    )
    assert json.loads(filed[0]["item"])["reader"] == "tribe event"
    events = conn.execute("select count(*) from items where kind = 'event'").fetchone()[0]
    assert events >= 1, "the other events of the same answer were archived"
    (rejected,) = conn.execute("select items_rejected from crawl_runs").fetchone()
    assert rejected >= 1


@pytest.fixture(autouse=True)
def _warnings(caplog):
    caplog.set_level(logging.WARNING, logger="crawler.records")
