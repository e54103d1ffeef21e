"""The health rules of crawler/health.py, one by one, on crawl_runs rows made by hand."""

from __future__ import annotations

import json

from crawler.health import BROKEN, DEGRADED, HEALTHY, judge


def run(entries: dict | None = None, **columns) -> dict:
    """A finished crawl_runs row: 10 requests, 10 items seen, nothing wrong."""
    row = {
        "source": "region_sud",
        "finish_reason": "finished",
        "requests": 10,
        "responses_5xx": 0,
        "responses_429": 0,
        "download_errors": 0,
        "items_seen": 10,
        "items_new": 0,
        "items_updated": 0,
        "items_rejected": 0,
        "entry_points": json.dumps(entries or {}),
    }
    row.update(columns)
    return row


FEED = "https://www.maregionsud.fr/rss.xml"
SITEMAP = "https://www.maregionsud.fr/sitemap.xml"
EARLIER = [run({FEED: {"status": 200, "found": 6, "expected": True}})]


def test_an_entry_point_that_listed_items_and_now_parses_to_zero_is_broken():
    verdict = judge(run({FEED: {"status": 200, "found": 0, "expected": True}}), EARLIER)
    assert verdict.health == BROKEN
    assert FEED in verdict.reasons[0] and "zero" in verdict.reasons[0]


def test_an_entry_point_that_listed_items_and_now_answers_404_is_broken():
    verdict = judge(run({FEED: {"status": 404, "found": 0, "expected": True}}), EARLIER)
    assert verdict.health == BROKEN
    assert "404" in verdict.reasons[0]


def test_zero_is_not_broken_for_an_entry_point_that_never_listed_anything():
    # A child sitemap of pages, say: it lists no article, night after night.
    history = [run({SITEMAP: {"status": 200, "found": 0, "expected": True}})]
    assert (
        judge(run({SITEMAP: {"status": 200, "found": 0, "expected": True}}), history).health
        == HEALTHY
    )


def test_an_empty_modified_after_query_is_a_quiet_night_not_a_broken_api():
    api = "https://www.france-sandiego.org/wp-json/wp/v2/posts?per_page=100&page=1&_embed=1"
    history = [run({api: {"status": 200, "found": 36, "expected": True}})]
    tonight = run({api: {"status": 200, "found": 0, "expected": False}})
    assert judge(tonight, history).health == HEALTHY


def test_a_quiet_night_of_304s_is_healthy_and_says_so():
    tonight = run(
        {
            FEED: {"status": 304, "found": 0, "expected": True, "unchanged": True},
            SITEMAP: {"status": 304, "found": 0, "expected": True, "unchanged": True},
        },
        requests=3,
        items_seen=0,
    )
    verdict = judge(tonight, EARLIER)
    assert verdict.health == HEALTHY
    assert verdict.reasons == ["quiet night: 2 entry point(s) unchanged (304), nothing new"]


def test_a_run_that_did_not_finish_is_broken():
    verdict = judge(run(finish_reason="shutdown"), EARLIER)
    assert verdict.health == BROKEN
    assert "shutdown" in verdict.reasons[0]


def test_an_error_rate_above_the_limit_is_degraded():
    # 3 failures in 10 requests (30 %) is above the 20 % limit.
    verdict = judge(run(responses_5xx=2, download_errors=1), EARLIER)
    assert verdict.health == DEGRADED
    assert verdict.reasons[0].startswith("3 of 10 requests failed")


def test_errors_at_or_below_the_limit_are_healthy():
    # 2 in 10 is exactly the limit: not above it.
    assert judge(run(responses_5xx=1, responses_429=1), EARLIER).health == HEALTHY
    # One failure among three requests is bad luck, not a trend.
    assert judge(run(requests=3, responses_5xx=1), EARLIER).health == HEALTHY


def test_a_jump_in_rejected_items_is_degraded():
    usual = [run(items_seen=20, items_rejected=1) for _ in range(3)]  # 5 % rejected
    verdict = judge(run(items_seen=10, items_rejected=4), usual)  # 40 % tonight
    assert verdict.health == DEGRADED
    assert "4 of 10 items rejected" in verdict.reasons[0]


def test_rejects_at_the_usual_share_are_healthy():
    usual = [run(items_seen=10, items_rejected=3) for _ in range(3)]  # always 30 %
    assert judge(run(items_seen=10, items_rejected=3), usual).health == HEALTHY


def test_broken_outranks_degraded():
    tonight = run({FEED: {"status": 200, "found": 0, "expected": True}}, responses_5xx=5)
    assert judge(tonight, EARLIER).health == BROKEN


# Selector drift: a site-specific selector is a hint; one that stopped matching is a
# redesign the nightly reports the same night.


def selector_counts(**counts: tuple[str, int, int]) -> str:
    """crawl_runs.selectors from name=(css, pages, matched)."""
    return json.dumps(
        {
            css: {"role": "dateline", "pages": pages, "matched": matched}
            for css, pages, matched in counts.values()
        }
    )


def test_a_selector_that_matched_no_page_of_three_or_more_makes_the_source_degraded():
    verdict = judge(run(selectors=selector_counts(a=(".news-date", 26, 0))), EARLIER)
    assert verdict.health == DEGRADED
    (reason,) = verdict.reasons
    assert "`.news-date`" in reason and "matched 0 of 26 article pages" in reason


def test_a_selector_that_matched_under_a_fifth_of_its_pages_makes_the_source_degraded():
    verdict = judge(run(selectors=selector_counts(a=(".post-date", 20, 3))), EARLIER)
    assert verdict.health == DEGRADED
    assert "matched 3 of 20" in verdict.reasons[0]


def test_a_selector_tried_on_fewer_than_three_pages_is_not_judged():
    # One listing page and the empty page past its end: too little to call it drift.
    verdict = judge(run(selectors=selector_counts(a=(".listing-title a", 2, 0))), EARLIER)
    assert verdict.health == HEALTHY


def test_a_selector_that_matches_most_pages_is_healthy_and_the_others_are_named():
    counts = selector_counts(a=(".post-date", 10, 9), b=(".story-byline time", 4, 0))
    verdict = judge(run(selectors=counts), EARLIER)
    assert verdict.health == DEGRADED
    assert len(verdict.reasons) == 1 and "`.story-byline time`" in verdict.reasons[0]
    assert judge(run(selectors=selector_counts(a=(".post-date", 10, 9))), EARLIER).health == (
        HEALTHY
    )


def test_a_listing_selector_is_counted_on_listing_pages():
    counts = json.dumps({".listing-title a": {"role": "listing links", "pages": 5, "matched": 0}})
    verdict = judge(run(selectors=counts), EARLIER)
    assert verdict.health == DEGRADED
    assert "matched 0 of 5 listing pages" in verdict.reasons[0]


def test_rows_older_than_the_selector_counts_are_not_judged_on_them():
    assert judge(run(selectors=None), EARLIER).health == HEALTHY
    assert judge(run(selectors="not json"), EARLIER).health == HEALTHY
