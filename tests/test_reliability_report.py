"""The reliability report is derived from the run's results: a failed or skipped check
shows as such in its own row, and a passing one shows the numbers it measured.

The results are synthetic (JSON and JUnit XML written here to a temporary folder, in the
shapes reliability/runner.py `record` and pytest's --junitxml write), read back by the
report's own readers and rendered by its pure `render`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from reliability.report import parse_junit, read_results, render

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)

FAULTS = "tests.test_reliability_faults"
HOSTILE = "tests.test_reliability_hostile"
SERVING = "tests.test_reliability_serving"

PASSING = [
    (FAULTS, "test_the_crawl_finishes_despite_the_faults", ""),
    (FAULTS, "test_retriable_failures_are_retried_and_permanent_ones_stop_after_the_retries", ""),
    (FAULTS, "test_the_run_report_counts_the_failures", ""),
    (FAULTS, "test_nothing_archived_before_is_lost_or_altered", ""),
    (HOSTILE, "test_no_case_stops_the_crawl_and_each_is_archived_or_rejected_with_a_reason", ""),
    (HOSTILE, "test_every_archived_page_is_inert_in_a_real_browser", ""),
    (HOSTILE, "test_no_item_page_links_to_anything_but_the_web", ""),
    (SERVING, "test_no_write_path_exists", ""),
    (SERVING, "test_every_write_attempt_is_refused_cleanly", ""),
]


def junit(cases: list[tuple[str, str, str]]) -> str:
    """A pytest JUnit XML; the third field is "", "failure:MSG" or "skipped:MSG"."""
    body = []
    for classname, name, outcome in cases:
        inner = ""
        if outcome.startswith("failure:"):
            message = outcome.split(":", 1)[1]
            inner = f'<failure message="{message}">Traceback …</failure>'
        elif outcome.startswith("skipped:"):
            message = outcome.split(":", 1)[1]
            inner = f'<skipped type="pytest.skip" message="{message}">tests/x.py:1</skipped>'
        body.append(
            f'<testcase classname="{classname}" name="{name}" time="0.1">{inner}</testcase>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(body)
        + "</testsuite></testsuites>"
    )


def write_run(folder: Path, results: dict[str, dict], cases: list[tuple[str, str, str]]) -> str:
    """Write the run's files as `make reliability` leaves them, read them back, render."""
    for check, outcome in results.items():
        (folder / f"{check}.json").write_text(json.dumps(outcome))
    (folder / "junit.xml").write_text(junit(cases))
    outcomes = parse_junit((folder / "junit.xml").read_text())
    return render(read_results(folder), outcomes, WHEN)


def row(markdown: str, first_cell: str) -> list[str]:
    """The cells of the one table row whose first cell starts with `first_cell`."""
    rows = [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in markdown.splitlines()
        if line.startswith("| " + first_cell)
    ]
    assert len(rows) == 1, (first_cell, rows)
    return rows[0]


def faults_results(**overrides) -> dict:
    results = {
        "faults": {
            "faults": {"a": "503", "b": "500"},
            "random": "503 on 30% of risingSUD requests (seed 7)",
            "requests_served": 61,
            "faulty_answers": 29,
            "region_sud_run": {
                "finish_reason": "finished",
                "responses_5xx": 6,
                "download_errors": 4,
                "items_seen": 11,
            },
        },
        "faults_retries": {
            "a": {"fault": "503", "recovers": True, "asked": 2, "last_status": 200},
            "b": {"fault": "500", "recovers": False, "asked": 3, "last_status": 500},
        },
        "faults_nothing_lost": {
            "rows_lost": {"items": 0, "item_urls": 0, "item_versions": 0},
            "items_before": 17,
            "items_after": 17,
            "urls_before": 19,
            "urls_after": 19,
            "versions_before": 21,
            "versions_after": 22,
            "items_whose_current_row_changed": ["https://example.org/c"],
            "new_versions": [],
        },
        "hostile": {
            "cases": 9,
            "archived": 7,
            "rejected": 2,
            "lost": 0,
            "finish_reason": "finished",
            "integrity_check": "ok",
            "fts_integrity_check": "ok",
            "by_family": {"huge titles / archived": 7, "huge titles / rejected": 2},
            "reject_reasons": ["missing title"],
        },
        "hostile_browser": {
            "pages": 13,
            "items": 5,
            "pwned_pages": [],
            "dialogs": 0,
            "foreign_requests": 0,
            "console_errors": 0,
        },
        "write_paths": {
            "attempts": 42,
            "statuses": [405],
            "accepted": 0,
            "server_errors": [],
            "archive_unchanged": True,
        },
    }
    results.update(overrides)
    return results


def test_a_failed_check_and_a_skipped_one_say_so_in_their_own_rows(tmp_path):
    lost = faults_results()
    lost["faults_nothing_lost"]["rows_lost"]["item_versions"] = 3
    cases = [
        (c, n, "failure:AssertionError: item_versions: every earlier row is still there")
        if n == "test_nothing_archived_before_is_lost_or_altered"
        else (c, n, "skipped:Debian's chromium is not installed (run `make chromium`)")
        if n == "test_every_archived_page_is_inert_in_a_real_browser"
        else (c, n, o)
        for c, n, o in PASSING
    ]
    lost.pop("hostile_browser")  # a skipped test records nothing
    markdown = write_run(tmp_path, lost, cases)

    _, _, measured, nothing_lost = row(markdown, "mirror faults")
    assert nothing_lost.startswith(
        "FAILED: test_nothing_archived_before_is_lost_or_altered: AssertionError: "
        "item_versions: every earlier row is still there"
    )
    assert "'item_versions': 3" in nothing_lost  # what was measured is still shown
    assert "FAILED" not in measured

    browser = row(markdown, "hostile pages in Chromium")
    assert browser[2] == (
        "not run (skipped: Debian's chromium is not installed (run `make chromium`))"
    )
    # other rows are untouched by the failure and the skip
    assert "FAILED" not in " ".join(row(markdown, "hostile input, all"))
    assert "not run" not in " ".join(row(markdown, "write attempts"))
    assert "1 failed, 1 skipped" in markdown


def test_a_check_that_recorded_a_loss_but_no_test_outcome_is_not_reported_as_passed(tmp_path):
    results = faults_results()
    results["hostile"]["lost"] = 2
    results["hostile"]["by_family"]["huge titles / lost"] = 2
    results["write_paths"]["archive_unchanged"] = False
    cases = [c for c in PASSING if c[0] != SERVING]  # the serving tests left no outcome
    markdown = write_run(tmp_path, results, cases)

    assert row(markdown, "hostile input: huge titles")[3] == "NO: 2 lost"
    assert row(markdown, "hostile input, all")[3] == "NO: 2 lost"
    writes = row(markdown, "write attempts")
    assert writes[2].startswith("no test outcome recorded for test_no_write_path_exists")
    assert writes[3] == "NO: the archive file changed"


def test_a_passing_run_renders_its_measured_numbers(tmp_path):
    markdown = write_run(tmp_path, faults_results(), PASSING)

    kind, tried, measured, nothing_lost = row(markdown, "mirror faults")
    assert "500, 503" in kind
    assert tried == "2 per-path rules, 29 faulty answers of 61"
    assert "crawl finish reason finished; 5xx 6, download errors 4, items seen 11" in measured
    assert "retriable faults: 1, asked again 1, ending in a 200 1" in measured
    assert "not retriable: 500 asked 3× (mirror's last answer 500)" in measured
    assert nothing_lost.startswith("17 items, 19 URLs, 21 versions before")
    assert "earlier rows missing after: none" in nothing_lost
    assert "items whose current row changed: https://example.org/c" in nothing_lost

    family = row(markdown, "hostile input: huge titles")
    assert family[1:] == ["9", "7 archived, 2 rejected", "yes"]
    everything = row(markdown, "hostile input, all")
    assert everything[2].startswith("7 archived, 2 rejected with a reason, 0 unaccounted")
    assert "FTS5 integrity-check: ok" in everything[2]

    browser = row(markdown, "hostile pages in Chromium")
    assert browser[1] == "13 pages (5 item pages)"
    assert browser[2].startswith("pages where a script ran (window.__pwned set): 0")

    writes = row(markdown, "write attempts")
    assert writes[1:] == [
        "42",
        "0 accepted; statuses [405] (0 answered 5xx)",
        "archive byte for byte unchanged",
    ]
    assert "9 tests passed, 0 failed, 0 skipped" in markdown
    assert "FAILED" not in markdown


DOS = "tests.test_reliability_dos"
DOS_SQL = "test_each_costly_request_ends_within_the_limit_and_the_reader_goes_on"


def dos_case(name: str, statuses: list[int], longest: float, ratio: float) -> dict:
    return {
        "case": name,
        "found_before": "161 s",
        "attacks": 4,
        "concurrent": 1,
        "statuses": statuses,
        "longest_s": longest,
        "reader_unloaded": {"requests": 12, "p95_ms": 100.0, "max_ms": 120.0},
        "reader_under_attack": {"requests": 9, "p95_ms": 100.0 * ratio, "max_ms": 300.0},
        "reader_errors": 0,
        "p95_ratio": ratio,
    }


def test_each_costly_request_gets_its_row_with_its_own_outcome(tmp_path):
    cases = {
        "_where randomblob": dos_case("_where randomblob", [400], 0.06, 1.2),
        "SQL instr": dos_case("SQL instr", [200], 0.05, 3.5),
    }
    markdown = write_run(
        tmp_path,
        faults_results(dos={"repeats": 3, "reader_seconds": 2.0, "cases": cases}),
        PASSING
        + [
            (DOS, f"{DOS_SQL}[_where randomblob]", ""),
            (DOS, f"{DOS_SQL}[SQL instr]", "failure:p95 ratio 3.5 over 2"),
            (DOS, "test_every_csv_has_inert_cells", "skipped:no chromium"),
        ],
    )
    passing = row(markdown, "_where randomblob")
    assert passing[1:] == ["161 s", "4", "[400]", "0.06", "100.0", "120.0", "1.2", "0", "passed"]
    failing = row(markdown, "SQL instr")
    assert failing[-1].startswith("FAILED") and "p95 ratio 3.5" in failing[-1]
    assert row(markdown, "CSV formula cells")[1].startswith("not run (skipped")
    assert row(markdown, "Host header poisoning")[1].startswith("no test outcome recorded")
