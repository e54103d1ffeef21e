"""Hostile and broken input: none stops the crawl, each is archived safely or rejected
with a reason, and the archive's pages show it inert in a real browser.

The 262 pages of tests/hostile.py are served for the Région Sud hosts by the mirror and
crawled by the real `partnews crawl region_sud`, with the crawler boundaries
middleware on (crawler/boundaries.py). The archive is then served by the real `partnews
serve` and every item page is opened in Chromium: no script payload may run (it would
set ``window.__pwned`` or open a dialog), no request may leave for another host, and no
link may point anywhere but the web.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from urllib.parse import quote

import pytest

from mirror.server import MirrorServer
from mirror.site import MirrorConfig
from reliability.runner import record, run_crawl
from reliability.serving import served
from tests.browser import GuardedPage, chromium
from tests.hostile import PAYLOADS, hostile_cases

BOUNDARIES = {"DOWNLOADER_MIDDLEWARES": {"crawler.boundaries.BoundariesMiddleware": 50}}


@pytest.fixture(scope="module")
def cases():
    return hostile_cases()


@pytest.fixture(scope="module")
def hostile_archive(cases, tmp_path_factory):
    """The hostile site crawled once (nothing else is served by this mirror)."""
    from tests.hostile import HostileSite

    root = tmp_path_factory.mktemp("hostile")
    (root / "sites").mkdir()
    server = MirrorServer(MirrorConfig(sites_dir=root / "sites", extra_sites=[HostileSite(cases)]))
    server.start()
    try:
        result = run_crawl(server.url, root / "partnews.db", "region_sud", settings=BOUNDARIES)
    finally:
        server.stop()
    return root / "partnews.db", result


def outcomes(path, cases) -> dict[int, tuple[str, str]]:
    """Each case's fate: ("archived", item id) or ("rejected", reason) or ("lost", "")."""
    conn = sqlite3.connect(path)
    archived = dict(conn.execute("select url, item_id from item_urls"))
    rejected = {}
    for url, reason in conn.execute("select url, reason from rejects order by rowid"):
        rejected.setdefault(url, reason)
    conn.close()
    fates = {}
    for case in cases:
        if case.url in archived:
            fates[case.number] = ("archived", archived[case.url])
        elif case.url in rejected:
            fates[case.number] = ("rejected", rejected[case.url])
        else:
            fates[case.number] = ("lost", "")
    return fates


def test_there_are_more_than_200_cases_of_every_family(cases):
    families = Counter(case.family for case in cases)
    assert len(cases) >= 200
    assert len({case.url for case in cases}) == len(cases)
    for family in ("malformed HTML", "missing titles", "missing dates", "absurd dates"):
        assert families[family] >= 4, family
    assert families["script and markup payloads"] == len(PAYLOADS) * 4


def test_no_case_stops_the_crawl_and_each_is_archived_or_rejected_with_a_reason(
    hostile_archive, cases
):
    path, result = hostile_archive
    conn = sqlite3.connect(path)
    finish, requests = conn.execute("select finish_reason, requests from crawl_runs").fetchone()
    fates = outcomes(path, cases)
    lost = [f"{n} {cases[n - 1].detail}" for n, (fate, _) in fates.items() if fate == "lost"]
    reasons = [reason for fate, reason in fates.values() if fate == "rejected"]
    integrity = conn.execute("pragma integrity_check").fetchone()[0]
    try:
        conn.execute("insert into items_fts(items_fts) values ('integrity-check')")
        fts_integrity = "ok"
    except sqlite3.DatabaseError as error:  # what FTS5 raises on a corrupt index
        fts_integrity = f"{type(error).__name__}: {error}"
    by_family = Counter()
    for case in cases:
        by_family[(case.family, fates[case.number][0])] += 1
    # recorded before the checks, so that a failing run reports what it measured
    record(
        "hostile",
        {
            "cases": len(cases),
            "archived": sum(1 for f, _ in fates.values() if f == "archived"),
            "rejected": sum(1 for f, _ in fates.values() if f == "rejected"),
            "lost": len(lost),
            "finish_reason": finish,
            "integrity_check": integrity,
            "fts_integrity_check": fts_integrity,
            "by_family": {f"{family} / {fate}": n for (family, fate), n in by_family.items()},
            "reject_reasons": sorted(set(reasons)),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert finish == "finished"
    assert requests >= len(cases)  # every page was asked for
    assert lost == [], "every case is archived or rejected"
    assert all(reason.strip() for reason in reasons), "every reject says why"
    assert integrity == "ok"
    assert fts_integrity == "ok"


def test_payloads_in_titles_leave_the_rest_of_the_title_intact(hostile_archive, cases):
    """A title that carries markup keeps its own words (the pipelines may strip tags
    from titles, but never lose the text around them)."""
    path, _ = hostile_archive
    conn = sqlite3.connect(path)
    fates = outcomes(path, cases)
    kept = 0
    for case in cases:
        fate, item_id = fates[case.number]
        if not case.detail.startswith("title: ") or case.family != "script and markup payloads":
            continue
        if fate == "archived":
            (title,) = conn.execute("select title from items where id = ?", [item_id]).fetchone()
            assert title.endswith(f"(cas {case.number})"), title
            kept += 1
    assert kept >= len(PAYLOADS) - 2


def test_absurd_dates_never_become_dates_outside_the_plausible_range(hostile_archive):
    path, _ = hostile_archive
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "select url, published from items where published is not null "
        "and (published < '1900' or published > '2100')"
    ).fetchall()
    assert rows == []


def test_links_are_web_links_only(hostile_archive):
    """image and registration links shown to readers are http(s) (normalize drops the rest)."""
    path, _ = hostile_archive
    conn = sqlite3.connect(path)
    bad = conn.execute(
        "select url, image from items where image is not null and image not like 'http%'"
    ).fetchall()
    assert bad == []


@pytest.mark.browser
def test_every_archived_page_is_inert_in_a_real_browser(hostile_archive, cases):
    path, _ = hostile_archive
    conn = sqlite3.connect(path)
    item_ids = [r[0] for r in conn.execute("select id from items order by id")]
    assert len(item_ids) >= 200
    with served(path) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        guarded = GuardedPage(context.new_page(), allowed_host=base.split("//")[1])
        dialogs: list[str] = []
        guarded.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        pages = [
            "/",
            "/partnews/items?_size=100",
            "/partnews/items?_size=100&_next=100",
            "/partnews/items?_size=100&_next=200",
            "/partnews/search?q=" + quote("<script>"),
            "/partnews/search?q=" + quote("onerror"),
            "/partnews/search?q=" + quote("'; DROP TABLE items; --"),
            "/partnews/rejects",
        ] + [f"/partnews/items/{item_id}" for item_id in item_ids]
        pwned = []
        for address in pages:
            guarded.page.goto(base + address, wait_until="load")
            if guarded.page.evaluate("typeof window.__pwned") != "undefined":
                pwned.append(address)
    record(
        "hostile_browser",
        {
            "pages": len(pages),
            "items": len(item_ids),
            "pwned_pages": pwned,
            "dialogs": len(dialogs),
            "foreign_requests": len(guarded.foreign_requests),
            "console_errors": len(guarded.console_errors),
        },
    )
    assert pwned == [], "no script payload ran"
    assert dialogs == [], "no script opened a dialog"
    assert guarded.foreign_requests == [], "no request left for another host"
    assert guarded.console_errors == [], "no console errors"


@pytest.mark.browser
def test_no_item_page_links_to_anything_but_the_web(hostile_archive):
    """Hostile pages claim javascript:, file:, loopback and other sites' canonical URLs:
    none is archived as the item's URL, and no item page shows a link that is not web."""
    path, _ = hostile_archive
    conn = sqlite3.connect(path)
    foreign = conn.execute(
        "select url from item_urls where url not like 'http%' or url not like '%maregionsud.fr/%'"
    ).fetchall()
    assert foreign == [], "only the source's own web URLs are archived"
    item_ids = [r[0] for r in conn.execute("select id from items")]
    unsafe = []
    with served(path) as base, chromium() as browser:
        page = browser.new_page()
        for item_id in item_ids:
            page.goto(f"{base}/partnews/items/{item_id}")
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            unsafe += [h for h in hrefs if not h.startswith(("http://", "https://"))]
    assert unsafe == [], "links that are not web links"
