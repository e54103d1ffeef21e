"""A redesign of every partner site: the readers still archive every item with its date,
and the nightly says which source lost a selector hint (issue 13.2).

The mirror serves every site twice: as usual, and through the redesigned theme
(mirror/redesign.py: every class and id renamed, every visible dateline moved to a
footer; JSON-LD, meta tags, feeds, sitemaps and APIs unchanged, as on a real redesign).
The usual crawl is the reference (the source tests check it against the content files);
the redesigned night must archive the same items with the same publication days, and
judge DEGRADED, naming the selector, each source whose reader has a hint that stopped
matching.
"""

from __future__ import annotations

import json

import pytest

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig
from tests.conftest import MIRROR_TODAY
from tests.crawling import open_archive
from tests.test_nightly import SOURCES_BY_HOST, run_nightly


def hints_used(archive) -> dict[str, set[str]]:
    """{source: CSS of the selector hints that matched on at least one page} of the
    newest run of each source (crawl_runs.selectors, written by the run report)."""
    conn = open_archive(archive)
    rows = conn.execute(
        "select source, selectors from crawl_runs"
        " where id in (select max(id) from crawl_runs group by source)"
    ).fetchall()
    conn.close()
    used = {}
    for row in rows:
        counts = json.loads(row["selectors"] or "{}")
        matched = {css for css, count in counts.items() if count["matched"] > 0}
        if matched:
            used[row["source"]] = matched
    return used


def dated_items(archive) -> dict[str, dict[str, str | None]]:
    """{source: {canonical URL: publication day}} of an archive."""
    conn = open_archive(archive)
    items: dict[str, dict[str, str | None]] = {}
    for row in conn.execute("select source, canonical_url, url, published from items"):
        day = row["published"][:10] if row["published"] else None
        items.setdefault(row["source"], {})[row["canonical_url"] or row["url"]] = day
    conn.close()
    return items


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """One full night on the usual mirror and one on the redesigned mirror."""
    folder = tmp_path_factory.mktemp("redesign")
    results = {}
    for name, redesign in (("usual", False), ("redesigned", True)):
        config = MirrorConfig(sites_dir=SITES_DIR, today=MIRROR_TODAY, redesign=redesign)
        with MirrorServer(config) as server:
            archive = folder / f"{name}.db"
            report = folder / f"{name}.json"
            done = run_nightly(server, archive, "--report", str(report), timeout=600)
            assert report.exists(), done.stderr[-3000:]
            results[name] = (archive, json.loads(report.read_text()), done)
    return results


def test_the_usual_night_is_healthy(nights):
    _, report, done = nights["usual"]
    assert report["failing"] == [], done.stdout
    assert done.returncode == 0


def test_a_redesign_loses_no_item_and_no_date(nights):
    usual = dated_items(nights["usual"][0])
    redesigned = dated_items(nights["redesigned"][0])
    assert set(usual) == set(SOURCES_BY_HOST.values())
    for source, items in usual.items():
        assert items, source
        assert sum(day is not None for day in items.values()) == len(items), source
        assert redesigned.get(source) == items, source


def test_the_nightly_names_each_selector_that_stopped_matching(nights):
    hinted = hints_used(nights["usual"][0])
    # the readers that were written against the mirror's markup all used their hints
    assert {"provence_promotion", "region_sud", "ville_de_marseille"} <= set(hinted)
    _, report, done = nights["redesigned"]
    verdicts = {row["source"]: row for row in report["sources"]}
    for source, selectors in hinted.items():
        verdict = verdicts[source]
        assert verdict["health"] == "degraded", (source, verdict)
        reasons = " ".join(verdict["health_reasons"])
        assert "selector drift" in reasons
        assert all(css in reasons for css in selectors), (source, reasons, selectors)
    assert done.returncode != 0
    assert set(report["failing"]) == set(hinted)
