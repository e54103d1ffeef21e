"""Write docs/reliability.md from what the reliability checks measured, and nothing else.

`make reliability` runs the reliability tests (their JUnit XML and the JSON each check
records under test-output/reliability/, reliability/runner.py `record`), then this
module turns them into the table of docs/reliability.md: each class of fault and input,
how many cases were tried, the measured outcome, and whether anything already archived
was lost.

Every cell is computed from those two inputs: no verdict is written as a literal, so a
failing run cannot print a passing report. Each row names the tests it rests on; when
one of them failed or left no outcome, the row says so before whatever was measured
("FAILED: …"); when it was skipped, the row says "not run (skipped: …)". `render` is
a pure function of the results; `main` only reads the files and writes the doc.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reliability.runner import REPO_ROOT, RESULTS_DIR

DOC = REPO_ROOT / "docs" / "reliability.md"

FAULTS = "test_reliability_faults"
HOSTILE = "test_reliability_hostile"
SERVING = "test_reliability_serving"
CRASH = "test_reliability_crash"
IDEMPOTENCY = "test_reliability_idempotency"
DOS = "test_reliability_dos"
DOS_SQL_TEST = "test_each_costly_request_ends_within_the_limit_and_the_reader_goes_on"
DOS_SEARCH_TEST = "test_searches_end_within_the_limit"

Results = Mapping[str, dict]


@dataclass(frozen=True)
class Outcome:
    """One test's outcome as the JUnit XML tells it."""

    module: str  # test file without .py, e.g. "test_reliability_faults"
    name: str  # test name, with its parameters
    status: str  # "passed", "failed", "skipped" or "xfail"
    message: str = ""


# the worse of two outcomes of one test (a teardown error is a second <testcase>)
_RANK = {"passed": 0, "xfail": 1, "skipped": 2, "failed": 3}


def parse_junit(xml_text: str) -> list[Outcome]:
    """The outcome of each test in a pytest JUnit XML, in the order they ran."""
    found: dict[tuple[str, str], Outcome] = {}
    for case in ET.fromstring(xml_text).iter("testcase"):
        status, message = "passed", ""
        for child in case:
            if child.tag == "skipped":
                xfail = "xfail" in (child.get("type") or "")
                status = "xfail" if xfail else "skipped"
                message = child.get("message") or ""
            elif child.tag in ("failure", "error"):
                status = "failed"
                message = child.get("message") or (child.text or "").strip()
                break
        module = (case.get("classname") or "").rsplit(".", 1)[-1]
        outcome = Outcome(module, case.get("name") or "", status, message)
        key = (outcome.module, outcome.name)
        if key not in found or _RANK[status] > _RANK[found[key].status]:
            found[key] = outcome
    return list(found.values())


def _flat(text: str, limit: int = 200) -> str:
    """Text fit for one markdown table cell."""
    one_line = " ".join(str(text).split()).replace("|", "\\|")
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def verdict(outcomes: Iterable[Outcome], module: str, *names: str) -> str | None:
    """None when every named test passed; else what went wrong, said plainly.

    A name matches the test and all its parametrised cases (``name[...]``).
    """
    mine = [
        o
        for o in outcomes
        if o.module == module and any(o.name == n or o.name.startswith(n + "[") for n in names)
    ]
    if not mine:
        return f"no test outcome recorded for {', '.join(names)}"
    failed = [o for o in mine if o.status == "failed"]
    if failed:
        return "FAILED: " + "; ".join(f"{o.name}: {_flat(o.message, 160)}" for o in failed)
    skipped = [o for o in mine if o.status == "skipped"]
    if skipped:
        return f"not run (skipped: {_flat(skipped[0].message, 160)})"
    known = [o for o in mine if o.status == "xfail"]
    if known:
        return "known bug (xfail): " + "; ".join(_flat(o.message, 160) for o in known)
    return None


def _cell(status: str | None, measured: str) -> str:
    """A measured-outcome cell: the numbers, preceded by the verdict when not a pass."""
    if status is None:
        return measured or "passed, but no result was recorded"
    if status.startswith("not run (skipped"):
        return status
    return f"{status}; measured: {measured}" if measured else status


def _count_list(values: Iterable) -> str:
    values = list(values)
    return ", ".join(str(v) for v in values) if values else "none"


def _lost(count: int) -> str:
    return "yes" if count == 0 else f"NO: {count} lost"


def fault_row(results: Results, outcomes: list[Outcome]) -> str:
    faults = results.get("faults") or {}
    retries = results.get("faults_retries") or {}
    kept = results.get("faults_nothing_lost") or {}
    run = faults.get("region_sud_run") or {}
    labels = sorted(set((faults.get("faults") or {}).values()))
    kind = "mirror faults, one per article"
    if labels:
        kind += f": {', '.join(labels)}; plus {faults.get('random')}"
    tried = ""
    if faults:
        tried = (
            f"{len(faults['faults'])} per-path rules, {faults['faulty_answers']} faulty "
            f"answers of {faults['requests_served']}"
        )
    measured = []
    if run:
        measured.append(
            f"crawl finish reason {run.get('finish_reason')}; 5xx {run.get('responses_5xx')}, "
            f"download errors {run.get('download_errors')}, items seen {run.get('items_seen')}"
        )
    if retries:
        retriable = {s: r for s, r in retries.items() if r["recovers"]}
        through = [s for s, r in retriable.items() if r["last_status"] == 200]
        asked_again = [s for s, r in retriable.items() if r["asked"] >= 2]
        measured.append(
            f"retriable faults: {len(retriable)}, asked again {len(asked_again)}, ending in "
            f"a 200 {len(through)} (mirror log)"
        )
        given_up = [
            f"{r['fault']} asked {r['asked']}× (mirror's last answer {r['last_status']})"
            for r in retries.values()
            if r["recovers"] is False
        ]
        if given_up:
            measured.append("not retriable: " + ", ".join(given_up))
    status = verdict(
        outcomes,
        FAULTS,
        "test_the_crawl_finishes_despite_the_faults",
        "test_retriable_failures_are_retried_and_permanent_ones_stop_after_the_retries",
        "test_the_run_report_counts_the_failures",
    )
    lost_text = ""
    if kept:
        rows_lost = {t: n for t, n in (kept.get("rows_lost") or {}).items() if n}
        changed = kept.get("items_whose_current_row_changed") or []
        lost_text = (
            f"{kept['items_before']} items, {kept['urls_before']} URLs, "
            f"{kept['versions_before']} versions before; earlier rows missing after: "
            f"{rows_lost or 'none'}; {kept['items_after']} items, {kept['versions_after']} "
            f"versions after; items whose current row changed: {_count_list(changed)}"
        )
    kept_status = verdict(outcomes, FAULTS, "test_nothing_archived_before_is_lost_or_altered")
    return (
        f"| {_flat(kind, 400)} | {tried} | {_cell(status, '; '.join(measured))} | "
        f"{_cell(kept_status, lost_text)} |"
    )


def hostile_rows(results: Results, outcomes: list[Outcome]) -> list[str]:
    hostile = results.get("hostile") or {}
    families: dict[str, dict[str, int]] = {}
    for key, count in (hostile.get("by_family") or {}).items():
        family, fate = key.split(" / ")
        families.setdefault(family, {})[fate] = count
    rows = []
    for family, fates in sorted(families.items()):
        measured = ", ".join(f"{n} {fate}" for fate, n in sorted(fates.items()))
        rows.append(
            f"| hostile input: {family} | {sum(fates.values())} | {measured} | "
            f"{_lost(fates.get('lost', 0))} |"
        )
    status = verdict(
        outcomes,
        HOSTILE,
        "test_no_case_stops_the_crawl_and_each_is_archived_or_rejected_with_a_reason",
        "test_payloads_in_titles_leave_the_rest_of_the_title_intact",
        "test_absurd_dates_never_become_dates_outside_the_plausible_range",
        "test_links_are_web_links_only",
    )
    measured, lost = "", "—"
    if hostile:
        measured = (
            f"{hostile['archived']} archived, {hostile['rejected']} rejected with a reason, "
            f"{hostile['lost']} unaccounted; crawl finish reason "
            f"{hostile.get('finish_reason')}; integrity_check: "
            f"{hostile.get('integrity_check')}; FTS5 integrity-check: "
            f"{hostile.get('fts_integrity_check')}"
        )
        lost = _lost(hostile["lost"])
    rows.append(
        f"| hostile input, all | {hostile.get('cases', '')} | {_cell(status, measured)} | {lost} |"
    )
    return rows


def browser_row(results: Results, outcomes: list[Outcome]) -> str:
    browser = results.get("hostile_browser") or {}
    status = verdict(
        outcomes,
        HOSTILE,
        "test_every_archived_page_is_inert_in_a_real_browser",
        "test_no_item_page_links_to_anything_but_the_web",
    )
    tried, measured = "", ""
    if browser:
        tried = f"{browser['pages']} pages ({browser['items']} item pages)"
        measured = (
            f"pages where a script ran (window.__pwned set): "
            f"{len(browser.get('pwned_pages', []))}; dialogs: {browser.get('dialogs')}; "
            f"requests to another host: {browser.get('foreign_requests')}; console errors: "
            f"{browser.get('console_errors')}"
        )
    return f"| hostile pages in Chromium | {tried} | {_cell(status, measured)} | — |"


def write_row(results: Results, outcomes: list[Outcome]) -> str:
    writes = results.get("write_paths") or {}
    status = verdict(
        outcomes,
        SERVING,
        "test_no_write_path_exists",
        "test_every_write_attempt_is_refused_cleanly",
    )
    tried, measured, kept = "", "", "—"
    if writes:
        tried = str(writes["attempts"])
        measured = (
            f"{writes['accepted']} accepted; statuses {writes['statuses']} "
            f"({len(writes.get('server_errors', []))} answered 5xx)"
        )
        unchanged = writes.get("archive_unchanged")
        kept = {True: "archive byte for byte unchanged", False: "NO: the archive file changed"}.get(
            unchanged, "not measured"
        )
    return f"| write attempts (POST, PUT, DELETE) | {tried} | {_cell(status, measured)} | {kept} |"


def slow_query_row(results: Results, outcomes: list[Outcome]) -> str:
    report = results.get("load_with_slow_query") or {}
    slow = report.get("slow_query") or {}
    status = verdict(
        outcomes, SERVING, "test_a_slow_query_is_cut_by_the_time_limit_and_readers_go_on"
    )
    kind, tried, measured = "slow custom SQL (recursive CTE), looping", "", ""
    if slow:
        kind = f"slow custom SQL (recursive CTE), {slow['clients']} clients looping"
        tried = str(slow["answers"])
        measured = (
            f"{slow['interrupted']} cut by sql_time_limit_ms (status {slow['statuses']}), "
            f"longest {slow['max_s']} s; readers' errors: {report['errors']}"
        )
    return f"| {kind} | {tried} | {_cell(status, measured)} | — |"


def crash_row(results: Results, outcomes: list[Outcome]) -> str:
    """`partnews nightly` killed with SIGKILL, resumed each time."""
    crash = results.get("crash") or {}
    status = verdict(
        outcomes, CRASH, "test_nightly_killed_at_random_moments_ends_equal_to_a_clean_night"
    )
    kind = "`partnews nightly` killed with SIGKILL at random moments, resumed each time"
    tried, measured, kept = "", "", "—"
    if crash:
        kind = kind.replace("moments", f"moments (seed {crash['seed']})")
        tried = (
            f"{crash['kills']} kills, {crash['landed']} before the night ended, "
            f"{crash.get('kills_mid_crawl')} with the archive part-filled; items archived "
            f"after each: {crash.get('items_after_kill')}"
        )
        measured = (
            f"integrity_check and FTS5 integrity-check after every kill: "
            f"{len(crash['problems'])} problems; the last night exited "
            f"{crash['final_returncode']}; parts differing from a clean night's archive: "
            f"{crash['differences'] or 'none'}"
        )
        counts, clean = crash.get("counts") or {}, crash.get("clean_counts") or {}
        kept = ", ".join(f"{n} {table}" for table, n in counts.items())
        kept += (
            "; the same counts as a clean night"
            if counts == clean
            else f"; NO: a clean night has {clean}"
        )
    return f"| {kind} | {tried} | {_cell(status, measured)} | {kept} |"


def idempotency_row(results: Results, outcomes: list[Outcome]) -> str:
    again = results.get("idempotency") or {}
    status = verdict(
        outcomes, IDEMPOTENCY, "test_a_second_night_on_an_unchanged_mirror_adds_no_row"
    )
    tried, measured, kept = "", "", "—"
    if again:
        before, after = again["before"], again["after"]
        added = {t: after.get(t, 0) - n for t, n in before.items() if after.get(t) != n}
        tried = "1"
        measured = (
            f"rows added or removed: {added or 'none'} ({', '.join(before)}); content "
            f"differences: {again['differences'] or 'none'}"
        )
        kept = ", ".join(f"{n} {table}" for table, n in before.items()) + " before; "
        kept += "the same after" if not added else f"after: {after}"
    return (
        f"| a second `partnews nightly` on the unchanged mirror | {tried} | "
        f"{_cell(status, measured)} | {kept} |"
    )


def latency_rows(results: Results, outcomes: list[Outcome], check: str, test: str) -> list[str]:
    report = results.get(check) or {}
    label = "readers only" if check == "load" else "readers while slow queries run"
    status = verdict(outcomes, SERVING, test)
    rows = []
    if status is not None:
        rows.append(f"| {label} | {status} | | | | |")
    for kind, figures in sorted((report.get("kinds") or {}).items()):
        rows.append(
            f"| {label}: {kind} | {figures['requests']} | {figures['p50_ms']} | "
            f"{figures['p95_ms']} | {figures['max_ms']} | {report['errors']} |"
        )
    if status is None and not rows:
        rows.append(f"| {label} | passed, but no result was recorded | | | | |")
    return rows


def _dos_verdict(outcomes: list[Outcome], case: str) -> str:
    """The outcome of the one test that replayed `case` (SQL or search), in words."""
    for test in (DOS_SQL_TEST, DOS_SEARCH_TEST):
        mine = [o for o in outcomes if o.module == DOS and o.name == f"{test}[{case}]"]
        if mine:
            status = verdict(mine, DOS, f"{test}[{case}]")
            return "passed" if status is None else status
    return "no test outcome recorded"


def dos_rows(results: Results, outcomes: list[Outcome]) -> list[str]:
    """One row per costly request replayed against the served archive (issue 14)."""
    dos = results.get("dos") or {}
    rows = []
    for name, case in sorted((dos.get("cases") or {}).items()):
        alone, attacked = case.get("reader_unloaded") or {}, case.get("reader_under_attack") or {}
        at_once = case.get("concurrent", 1)
        rows.append(
            f"| {_flat(name)} | {_flat(case.get('found_before', ''))} | {case['attacks']}"
            f"{f' ({at_once} at once)' if at_once > 1 else ''}"
            f" | {case['statuses']} | {case['longest_s']} | {alone.get('p95_ms', '—')} | "
            f"{attacked.get('p95_ms', '—')} | {case.get('p95_ratio') or '—'} | "
            f"{case['reader_errors']} | {_flat(_dos_verdict(outcomes, name), 200)} |"
        )
    if not rows:
        status = verdict(outcomes, DOS, DOS_SQL_TEST)
        rows.append(f"| costly requests | | | | | | | | | {status or 'no result recorded'} |")
    return rows


def dos_check_rows(results: Results, outcomes: list[Outcome]) -> list[str]:
    """Feeds, CSV, Host and leaks on the served hostile archive (issue 14)."""
    feeds, refused = results.get("dos_feeds") or {}, results.get("dos_feed_400") or {}
    csvs, host, leaks = (results.get(k) or {} for k in ("dos_csv", "dos_host", "dos_leaks"))
    checks = [
        (
            "feeds with a U+FFFE title, a CRLF URL, formula titles",
            "test_feeds_stay_valid_with_every_case_in_them",
            f"Atom entries {feeds.get('atom_entries')}, iCalendar events "
            f"{feeds.get('ics_events')}: parsed as strict XML and by icalendar"
            if feeds
            else "",
        ),
        (
            ".atom / .ics of queries without feed columns",
            "test_feeds_of_other_queries_answer_400",
            f"statuses {sorted(set((refused.get('statuses') or {}).values()))}" if refused else "",
        ),
        (
            "CSV formula cells (Datasette's CSV and `partnews export`)",
            "test_every_csv_has_inert_cells",
            "cells made inert, per file: "
            + ", ".join(f"{name} {count}" for name, count in sorted(csvs.items()))
            + "; live formulas left: 0"
            if csvs
            else "",
        ),
        (
            "Host header poisoning",
            "test_links_do_not_follow_the_host_header",
            f"{len(host.get('pages') or [])} pages asked with a foreign Host: it appeared "
            f"{host.get('host_reflected')} times"
            if host
            else "",
        ),
        (
            "debug pages and absolute paths",
            "test_nothing_leaks_a_path_or_a_debug_page",
            f"{len(leaks.get('closed') or {})} debug pages: statuses "
            f"{sorted(set((leaks.get('closed') or {}).values()))}; pages showing the "
            f"archive's path: {len(leaks.get('leaks') or [])} of {leaks.get('pages_checked')}"
            if leaks
            else "",
        ),
    ]
    return [
        f"| {label} | {_cell(verdict(outcomes, DOS, test), measured)} |"
        for label, test, measured in checks
    ]


def render(results: Results, outcomes: list[Outcome], written_at: datetime) -> str:
    """The whole document, from the recorded results and the tests' outcomes only."""
    count = {s: sum(1 for o in outcomes if o.status == s) for s in _RANK}
    load_plain = results.get("load") or {}
    load_note = (
        f"The load checks used {load_plain['clients']} clients for {load_plain['seconds']} s."
        if load_plain
        else "The load checks recorded no result."
    )
    lines = [
        "# Reliability: faults, hostile input and load",
        "",
        "Written by `make reliability` (reliability/report.py) on "
        f"{written_at:%Y-%m-%d %H:%M} UTC from what the checks measured: "
        f"{count['passed']} tests passed, {count['failed']} failed, {count['skipped']} "
        f"skipped, {count['xfail']} known bugs (strict xfail: they fail the day they are "
        f"fixed). {load_note}",
        "",
        "## What was tried and what happened",
        "",
        "| class | cases tried | measured outcome | nothing lost |",
        "|---|---|---|---|",
        fault_row(results, outcomes),
        *hostile_rows(results, outcomes),
        browser_row(results, outcomes),
        write_row(results, outcomes),
        slow_query_row(results, outcomes),
        crash_row(results, outcomes),
        idempotency_row(results, outcomes),
        "",
        "## Serving under load (latencies in ms)",
        "",
        "| load | requests | p50 | p95 | max | errors |",
        "|---|---|---|---|---|---|",
        *latency_rows(
            results, outcomes, "load", "test_concurrent_readers_get_every_page_without_error"
        ),
        *latency_rows(
            results,
            outcomes,
            "load_with_slow_query",
            "test_a_slow_query_is_cut_by_the_time_limit_and_readers_go_on",
        ),
        "",
        "## A public archive one request cannot stall (issue 14)",
        "",
        "Each costly request replayed against the served hostile archive "
        "(tests/test_reliability_dos.py), beside one plain reader (the home page and an "
        "item page in turn), measured alone and then while the request repeats:",
        "",
        "| request | before the fix (review) | answers | statuses | longest (s) | "
        "reader p95 alone (ms) | reader p95 under attack (ms) | ratio | reader errors | "
        "outcome |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *dos_rows(results, outcomes),
        "",
        "| check | measured outcome |",
        "|---|---|",
        *dos_check_rows(results, outcomes),
        "",
        "## Known bugs found by these checks",
        "",
    ]
    known = [o for o in outcomes if o.status == "xfail"]
    lines += [f"- `{o.name}`: {_flat(o.message)}" for o in known] or ["- none"]
    reasons = (results.get("hostile") or {}).get("reject_reasons")
    if reasons:
        lines += ["", "## Reasons given for rejected hostile pages", ""]
        lines += [f"- {_flat(reason, 160)}" for reason in reasons]
    lines += ["", "## Every check", "", "| file | test | outcome |", "|---|---|---|"]
    for o in outcomes:
        shown = o.status if not o.message else f"{o.status}: {_flat(o.message, 80)}"
        lines.append(f"| {o.module} | {_flat(o.name, 300)} | {shown} |")
    return "\n".join(lines) + "\n"


def read_results(directory: Path) -> dict[str, dict]:
    """Every check's recorded JSON in `directory`, by check name."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def main() -> int:
    junit = RESULTS_DIR / "junit.xml"
    outcomes = parse_junit(junit.read_text()) if junit.exists() else []
    text = render(read_results(RESULTS_DIR), outcomes, datetime.now(UTC))
    DOC.write_text(text, encoding="utf-8")
    print(f"Wrote {DOC.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 1 if not outcomes or any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
