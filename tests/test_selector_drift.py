"""Selector drift, end to end: a reader's site-specific selector is only a hint.

Crawled through the mirror with spiders whose hints match nothing (tests/drift_spiders.py),
a source must still archive every item, with the dates its content files give (from the
generic date evidence), the run's crawl_runs row must say how often each hint matched,
and the health rules must call the source DEGRADED, naming the selector. On the mirror
as it is, every hint matches and no source is judged on drift.
"""

from __future__ import annotations

import json
import sqlite3

from crawler.health import DEGRADED, judge, selector_drift
from crawler.spiders.base import selector_name
from mirror import SITES_DIR
from mirror.site import Fault
from reliability.runner import run_crawl
from tests.crawling import archived_urls, item_at, open_archive
from tests.drift_spiders import MISSING_DATELINE, MISSING_LISTING
from tests.mirror_content import read_site

DRIFTED = {"SPIDER_MODULES": ["crawler.spiders", "tests.drift_spiders"]}


def crawl_drifted(server, path, source: str) -> tuple[sqlite3.Connection, str]:
    """The archive a drifted crawl wrote, and the summary `partnews crawl` printed."""
    server.requests.clear()
    result = run_crawl(server.url, path, source, settings=DRIFTED)
    assert result.returncode == 0, result.stderr[-3000:]
    return open_archive(path), result.stdout


def last_run(conn: sqlite3.Connection) -> dict:
    return dict(conn.execute("select * from crawl_runs order by id desc limit 1").fetchone())


def test_a_dateline_hint_that_matches_nothing_is_counted_and_makes_the_source_degraded(
    mirror, tmp_path
):
    _, posts = read_site(SITES_DIR / "www.maregionsud.fr")
    conn, summary = crawl_drifted(mirror, tmp_path / "partnews.db", "region_sud")
    assert archived_urls(conn) == {p["url"] for p in posts}
    for post in posts:  # dated all the same, from the page's own date evidence
        assert item_at(conn, post["url"])["published"] == post["published"].isoformat()
    run = last_run(conn)
    counts = json.loads(run["selectors"])
    assert counts[MISSING_DATELINE] == {"role": "dateline", "pages": len(posts), "matched": 0}
    assert ".post-date" not in counts, "the replaced hint was never tried"
    verdict = judge(run, [])
    assert verdict.health == DEGRADED
    assert any(
        f"`{MISSING_DATELINE}`" in r and f"matched 0 of {len(posts)} article pages" in r
        for r in verdict.reasons
    ), verdict.reasons
    # The run summary says it too, under the source's line.
    assert f"`{MISSING_DATELINE}` (dateline) matched 0 of {len(posts)} article pages" in summary


def test_a_listing_hint_that_matches_nothing_falls_back_to_the_pages_article_links(
    mirror_factory, tmp_path
):
    host = "www.sandiegobusiness.org"
    _, posts = read_site(SITES_DIR / host)
    # No feed, no sitemap: only the listings can find the posts.
    server = mirror_factory(
        faults=[Fault(path=r"^/(blog/rss|sitemap)\.xml", host=host, status=404)]
    )
    conn, _ = crawl_drifted(server, tmp_path / "partnews.db", "sd_regional_edc")
    run = last_run(conn)
    assert run["items_seen"] == len(posts), "every post was found from the listings' links"
    name = selector_name(MISSING_LISTING)  # ".redesigned-card__link a"
    count = json.loads(run["selectors"])[name]
    assert count["role"] == "listing links"
    assert count["matched"] == 0 and count["pages"] >= 3
    reasons = judge(run, []).reasons
    assert any(f"`{name}`" in r and "listing pages" in r for r in reasons), reasons


def test_on_the_mirror_as_it_is_every_hint_matches(crawled_archive):
    conn = open_archive(crawled_archive)
    runs = [dict(r) for r in conn.execute("select * from crawl_runs")]
    conn.close()
    counted = {}
    for run in runs:
        assert not selector_drift(run), (run["source"], run["selectors"])
        counted[run["source"]] = json.loads(run["selectors"])
    # The six hints named in the readers were all tried, and matched.
    expected = {
        "provence_promotion": ".news-date",
        "city_of_san_diego": ".story-byline time",
        "ville_de_marseille": ".block-last-update time",
        "region_sud": ".post-date",
        "rising_sud": ".post-date",
        "sd_regional_edc": ".post-date",
    }
    for source, css in expected.items():
        assert counted[source][css]["matched"] > 0, (source, counted[source])
