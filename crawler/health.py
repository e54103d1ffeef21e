"""The health rules: is a source's crawl working, from its crawl_runs row and its history.

A scheduled crawl nobody watches fails silently unless it judges itself. Each rule is
one small function over crawl_runs rows (no network, no Scrapy), documented in
docs/nightly.md and tested one by one in tests/test_health.py:

* BROKEN: the run did not finish; or an entry point that listed items on an earlier run
  now parses to zero, or answers a client error (a layout or URL change);
* DEGRADED: the HTTP error rate (server errors, 429, connections that failed) is above
  ERROR_RATE_LIMIT; or the share of rejected items (missing required fields) jumped
  above the source's usual share by more than REJECT_JUMP; or a site-specific CSS
  selector a reader names (a hint: the pages are still read the generic way) matched on
  fewer than SELECTOR_MIN_SHARE of the SELECTOR_MIN_PAGES or more pages it was tried on
  (selector drift: the site was redesigned, and the reader lost what the hint gave);
* HEALTHY otherwise, including a quiet night: entry points read (a 304 counts as read),
  nothing new.

Spidermon is not used: its monitors judge one run from its stats, while every rule
here compares a run with earlier ones stored in the archive, which it would need
custom code for all the same, and it would add a dependency for five comparisons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

HEALTHY, DEGRADED, BROKEN = "healthy", "degraded", "broken"
# More than this share of requests failing (5xx, 429, no answer) is degraded...
ERROR_RATE_LIMIT = 0.2
# ...when at least this many failed (one 503 among three requests is bad luck).
MIN_ERRORS = 2
# Rejected share of the items seen, above the source's usual share by more than this...
REJECT_JUMP = 0.1
# ...and at least this many rejects.
MIN_REJECTS = 3
# A selector hint matching on fewer than this share of the pages it was tried on...
SELECTOR_MIN_SHARE = 0.2
# ...once it was tried on at least this many pages (one listing page past the end, where
# a listing hint finds no row, is not drift).
SELECTOR_MIN_PAGES = 3
# How many earlier runs the rules look back at.
HISTORY_RUNS = 10


@dataclass
class Verdict:
    health: str
    reasons: list[str] = field(default_factory=list)

    def as_columns(self) -> dict:
        """The crawl_runs columns: health, and health_reasons as a JSON list."""
        return {"health": self.health, "health_reasons": json.dumps(self.reasons)}


def entry_points(run: dict) -> dict[str, dict]:
    """The run's entry points as the spider reported them ({} for older rows)."""
    try:
        value = json.loads(run.get("entry_points") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def listed_before(history: list[dict]) -> set[str]:
    """The entry points that listed something on at least one earlier run."""
    keys = set()
    for run in history:
        keys |= {key for key, e in entry_points(run).items() if (e.get("found") or 0) > 0}
    return keys


def did_not_finish(run: dict) -> list[str]:
    reason = run.get("finish_reason")
    if reason == "finished":
        return []
    return [f"the crawl did not finish ({reason or 'interrupted'})"]


def broken_entry_points(run: dict, history: list[dict]) -> list[str]:
    """Entry points that listed items before and now parse to zero or answer 4xx.

    A 304 is a parsed, unchanged entry point; a query expected to be empty on a quiet
    night (``expected`` false) is not judged on its count; server errors and failed
    connections are the error rule's, not this one's (the site may be back tomorrow)."""
    before = listed_before(history)
    reasons = []
    for key, entry in sorted(entry_points(run).items()):
        if entry.get("unchanged") or key not in before:
            continue
        status = entry.get("status") or 0
        if 400 <= status < 500 and status != 429:
            reasons.append(f"{key} listed items before and now answers {status}")
        elif 200 <= status < 300 and not entry.get("found") and entry.get("expected", True):
            reasons.append(f"{key} listed items before and now parses to zero")
    return reasons


def http_errors(run: dict) -> int:
    return (
        (run.get("responses_5xx") or 0)
        + (run.get("responses_429") or 0)
        + (run.get("download_errors") or 0)
    )


def error_rate(run: dict) -> list[str]:
    errors = http_errors(run)
    requests = run.get("requests") or 0
    if errors < MIN_ERRORS or not requests or errors / requests <= ERROR_RATE_LIMIT:
        return []
    return [
        f"{errors} of {requests} requests failed ({errors / requests:.0%}, "
        f"limit {ERROR_RATE_LIMIT:.0%})"
    ]


def reject_share(runs: list[dict]) -> float:
    seen = sum(r.get("items_seen") or 0 for r in runs)
    rejected = sum(r.get("items_rejected") or 0 for r in runs)
    return rejected / seen if seen else 0.0


def reject_jump(run: dict, history: list[dict]) -> list[str]:
    rejected, seen = run.get("items_rejected") or 0, run.get("items_seen") or 0
    if rejected < MIN_REJECTS or not seen:
        return []
    usual, now = reject_share(history), rejected / seen
    if now - usual <= REJECT_JUMP:
        return []
    return [
        f"{rejected} of {seen} items rejected ({now:.0%}; usually {usual:.0%}): "
        "items missing required fields"
    ]


def selectors(run: dict) -> dict[str, dict]:
    """The run's selector counts ({css: {"role", "pages", "matched"}}; {} for older rows)."""
    try:
        value = json.loads(run.get("selectors") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def selector_line(css: str, count: dict) -> str:
    """ "`.news-date` (dateline) matched 0 of 26 article pages"."""
    pages = "listing pages" if count.get("role") == "listing links" else "article pages"
    role = f" ({count['role']})" if count.get("role") else ""
    return f"`{css}`{role} matched {count.get('matched') or 0} of {count.get('pages') or 0} {pages}"


def selector_drift(run: dict) -> list[str]:
    """Selector hints that matched on too few of the pages they were tried on."""
    reasons = []
    for css, count in sorted(selectors(run).items()):
        pages, matched = count.get("pages") or 0, count.get("matched") or 0
        if pages >= SELECTOR_MIN_PAGES and matched / pages < SELECTOR_MIN_SHARE:
            reasons.append(
                f"selector drift: {selector_line(css, count)} (under "
                f"{SELECTOR_MIN_SHARE:.0%}); those pages were read the generic way"
            )
    return reasons


def quiet_night_note(run: dict) -> list[str]:
    """Why a healthy run looks the way it does, for the summary (not a problem)."""
    entries = entry_points(run)
    unchanged = sum(1 for e in entries.values() if e.get("unchanged"))
    new, updated = run.get("items_new") or 0, run.get("items_updated") or 0
    if entries and unchanged == len(entries) and not new and not updated:
        return [f"quiet night: {unchanged} entry point(s) unchanged (304), nothing new"]
    return []


def judge(run: dict, history: list[dict]) -> Verdict:
    """The verdict on one crawl_runs row; `history` holds the source's earlier finished
    runs, newest first (older rows without entry points simply teach nothing)."""
    history = history[:HISTORY_RUNS]
    broken = did_not_finish(run) + broken_entry_points(run, history)
    if broken:
        return Verdict(BROKEN, broken)
    degraded = error_rate(run) + reject_jump(run, history) + selector_drift(run)
    if degraded:
        return Verdict(DEGRADED, degraded)
    return Verdict(HEALTHY, quiet_night_note(run))


def history_of(db, run: dict) -> list[dict]:
    """The source's earlier finished runs, newest first (crawl_runs rows as dicts)."""
    return list(
        db.query(
            "select * from crawl_runs where source = ? and id < ? and finish_reason = 'finished'"
            " order by id desc limit ?",
            [run["source"], run["id"], HISTORY_RUNS],
        )
    )


def judge_and_record(archive, run: dict) -> Verdict:
    """Judge a run against its history and write the verdict to its crawl_runs row,
    through the archive's one writer (archive.store.Archive)."""
    verdict = judge(run, history_of(archive.db, run))
    archive.update_run(run["id"], verdict.as_columns())
    return verdict
