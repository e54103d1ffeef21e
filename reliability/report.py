"""Write docs/reliability.md from what the reliability checks measured.

`make reliability` runs the reliability tests (their JUnit XML and the JSON each check
records under test-output/reliability/), then this module turns them into the table of
docs/reliability.md: each class of fault and input, how many cases were tried, the
measured outcome, and whether anything already archived was lost.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from reliability.runner import REPO_ROOT, RESULTS_DIR

DOC = REPO_ROOT / "docs" / "reliability.md"


def load(name: str) -> dict | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_outcomes(junit: Path) -> list[tuple[str, str, str]]:
    """(test file, test name, outcome: passed / failed / known bug / skipped) per test."""
    if not junit.exists():
        return []
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag == "skipped":
                kind = child.get("type", "")
                outcome = "known bug (xfail)" if "xfail" in kind else "skipped"
                if "xfail" in kind:
                    outcome = "known bug (xfail): " + (child.get("message") or "")
            elif child.tag in ("failure", "error"):
                outcome = "FAILED"
        module = case.get("classname", "").rsplit(".", 1)[-1]
        rows.append((module, case.get("name", ""), outcome))
    return rows


def latency_rows(report: dict | None, label: str) -> list[str]:
    if not report:
        return [f"| {label} | not run | | | | |"]
    rows = []
    for kind, figures in report["kinds"].items():
        rows.append(
            f"| {label}: {kind} | {figures['requests']} | {figures['p50_ms']} | "
            f"{figures['p95_ms']} | {figures['max_ms']} | {report['errors']} |"
        )
    return rows


def crash_rows(crash: dict | None, idempotency: dict | None) -> list[str]:
    """The rows for `partnews nightly` killed with SIGKILL, and a second nightly."""
    rows = []
    if crash:
        counts = crash.get("counts", {})
        rows.append(
            f"| `partnews nightly` killed with SIGKILL at random moments (seed "
            f"{crash['seed']}), resumed each time | {crash['kills']} kills, "
            f"{crash['landed']} before the night ended, {crash.get('kills_mid_crawl')} with "
            f"the archive part-filled; items archived after each: "
            f"{crash.get('items_after_kill')} | integrity_check and FTS5 integrity-check "
            f"after every kill: {len(crash['problems'])} problems; the last night exited "
            f"{crash['final_returncode']}; parts differing from a clean night's archive: "
            f"{crash['differences'] or 'none'} | "
            f"{counts.get('items')} items, {counts.get('item_urls')} URLs, "
            f"{counts.get('item_versions')} versions, {counts.get('story_members')} story "
            f"members, {counts.get('item_translations')} translation links, as a clean night |"
        )
    if idempotency:
        before, after = idempotency["before"], idempotency["after"]
        added = {t: after[t] - before[t] for t in before if after[t] != before[t]}
        rows.append(
            f"| a second `partnews nightly` on the unchanged mirror | 1 | rows added: "
            f"{added or 'none'} (items, versions, URLs, story members, translations); "
            f"content differences: {idempotency['differences'] or 'none'} | "
            f"{before['items']} items, {before['item_versions']} versions unchanged |"
        )
    return rows


def render(outcomes: list[tuple[str, str, str]]) -> str:
    """The whole document."""
    faults = load("faults") or {}
    kept = load("faults_nothing_lost") or {}
    hostile = load("hostile") or {}
    browser = load("hostile_browser") or {}
    load_plain = load("load")
    load_slow = load("load_with_slow_query")
    writes = load("write_paths") or {}
    crash = load("crash")
    idempotency = load("idempotency")
    failed = [o for o in outcomes if o[2] == "FAILED"]
    known = [o for o in outcomes if o[2].startswith("known bug")]
    passed = [o for o in outcomes if o[2] == "passed"]
    lines = [
        "# Reliability: faults, hostile input and load",
        "",
        "Written by `make reliability` (reliability/report.py) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC from what the checks measured: "
        f"{len(passed)} tests passed, {len(failed)} failed, {len(known)} known bugs "
        "(strict xfail: they fail the day they are fixed). CI runs the same tests with a "
        "light load (5 clients for 5 s); this run used "
        f"{(load_plain or {}).get('clients', '?')} clients for "
        f"{(load_plain or {}).get('seconds', '?')} s.",
        "",
        "## What was tried and what happened",
        "",
        "| class | cases tried | measured outcome | nothing lost |",
        "|---|---|---|---|",
    ]
    if faults:
        run = faults.get("region_sud_run", {})
        lines.append(
            f"| mirror faults, one per article: {', '.join(sorted(set(faults['faults'].values())))}"
            f"; plus {faults['random']} | {len(faults['faults'])} per-path rules, "
            f"{faults['faulty_answers']} faulty answers of {faults['requests_served']} | "
            f"crawl finished; 5xx {run.get('responses_5xx')}, download errors "
            f"{run.get('download_errors')}, items seen {run.get('items_seen')}; retriable "
            "faults retried (mirror log), a permanent 500 retried then given up | "
            f"{kept.get('items_before')} items, {kept.get('urls_before')} URLs, "
            f"{kept.get('versions_before')} versions before; all still there, unchanged, "
            f"after ({kept.get('versions_after')} versions: the page served with invalid "
            "UTF-8 added one) |"
        )
    for key, count in sorted((hostile.get("by_family") or {}).items()):
        family, fate = key.split(" / ")
        lines.append(f"| hostile input: {family} | {count} | {fate} | yes |")
    if hostile:
        lines.append(
            f"| hostile input, all | {hostile['cases']} | {hostile['archived']} archived, "
            f"{hostile['rejected']} rejected with a reason, {hostile['lost']} unaccounted; "
            "archive integrity_check and FTS5 integrity-check pass | yes |"
        )
    if browser:
        lines.append(
            f"| hostile pages in Chromium | {browser['pages']} pages ({browser['items']} "
            "item pages) | no script ran (window.__pwned unset, no dialog), no request to "
            "another host, no console error | — |"
        )
    if writes:
        lines.append(
            f"| write attempts (POST, PUT, DELETE) | {writes['attempts']} | none accepted; "
            f"statuses {writes['statuses']} ({len(writes.get('server_errors', []))} answered "
            "500) | archive byte for byte unchanged |"
        )
    if load_slow and "slow_query" in load_slow:
        slow = load_slow["slow_query"]
        lines.append(
            f"| slow custom SQL (recursive CTE), {slow['clients']} clients looping | "
            f"{slow['answers']} | {slow['interrupted']} cut by sql_time_limit_ms "
            f"(status {slow['statuses']}), longest {slow['max_s']} s; readers' errors: "
            f"{load_slow['errors']} | — |"
        )
    lines += crash_rows(crash, idempotency)
    lines += [
        "",
        "## Serving under load (latencies in ms)",
        "",
        "| load | requests | p50 | p95 | max | errors |",
        "|---|---|---|---|---|---|",
        *latency_rows(load_plain, "readers only"),
        *latency_rows(load_slow, "readers while slow queries run"),
        "",
        "## Known bugs found by these checks",
        "",
    ]
    lines += [f"- `{name}`: {outcome.split(': ', 1)[-1]}" for _, name, outcome in known] or [
        "- none"
    ]
    if hostile.get("reject_reasons"):
        lines += ["", "## Reasons given for rejected hostile pages", ""]
        lines += [f"- {reason[:160]}" for reason in hostile["reject_reasons"]]
    lines += ["", "## Every check", "", "| file | test | outcome |", "|---|---|---|"]
    lines += [f"| {module} | {name} | {outcome[:80]} |" for module, name, outcome in outcomes]
    return "\n".join(lines) + "\n"


def main() -> int:
    outcomes = test_outcomes(RESULTS_DIR / "junit.xml")
    DOC.write_text(render(outcomes), encoding="utf-8")
    print(f"Wrote {DOC.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 1 if any(o[2] == "FAILED" for o in outcomes) or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
