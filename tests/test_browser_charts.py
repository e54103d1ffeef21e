"""The charts in a real browser: headless Chromium (Debian's) driven by Playwright.

The home page and the crawl-health page of a crawled archive (a copy, with earlier nights
added: see tests/test_charts.py), served by `partnews serve` as users run it. Each chart
must be drawn (an SVG with one mark per row of its query, not an empty container), with
no console error and no request to another host; the kind filter redraws the monthly
chart and its CSV link follows. Screenshots are saved under test-output/screenshots/.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from contextlib import closing

import pytest

from archive import charts
from reliability.serving import served
from tests.browser import chromium, guarded_page
from tests.test_charts import archive_with_nights, crawl_night

pytestmark = pytest.mark.browser

# Every figure has settled (drawn, empty or failed).
SETTLED = (
    "[...document.querySelectorAll('figure.partnews-chart')]"
    ".every(f => ['rendered', 'empty', 'failed'].includes(f.dataset.state))"
)


@pytest.fixture(scope="module")
def site(crawled_archive, tmp_path_factory):
    archive = archive_with_nights(
        crawled_archive, tmp_path_factory.mktemp("browser-nights") / "partnews.db"
    )
    with served(archive) as base:
        yield base, archive


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, site):
    with guarded_page(browser, site[0]) as guarded:
        yield guarded


def marks(p, slug: str, mark: str) -> int:
    """How many data marks of a kind (rect, symbol, line…) the chart's SVG holds."""
    return p.locator(f"#chart-{slug} svg .mark-{mark}.role-mark > path").count()


def states(p) -> dict[str, str]:
    return p.eval_on_selector_all(
        "figure.partnews-chart", "fs => Object.fromEntries(fs.map(f => [f.id, f.dataset.state]))"
    )


def test_home_page_draws_the_archive_charts_and_filters_them(page, site):
    base, archive = site
    with closing(sqlite3.connect(archive)) as conn:
        rows = conn.execute("select published, source, kind from items").fetchall()
        stories = conn.execute("select count(*) from story_members").fetchone()[0]
    months = Counter((published[:7], source) for published, source, _ in rows if published)
    event_months = {(p[:7], s) for p, s, kind in rows if p and kind == "event"}

    p = page.page
    p.goto(base + "/")
    p.wait_for_function(SETTLED)
    assert states(p) == {f"chart-{c.slug}": "rendered" for c in charts.ARCHIVE_CHARTS}
    # One bar segment per month and source; one dot per copy of a story.
    assert marks(p, "items-per-month", "rect") == len(months)
    assert marks(p, "sectors-per-year", "rect") > 0
    assert marks(p, "relevance-bands", "rect") > 0
    assert marks(p, "story-timeline", "symbol") == stories > 0
    page.screenshot("charts-01-home")

    figure = p.locator("#chart-items-per-month")
    figure.locator("select[data-param=kind]").select_option("event")
    redrawn = "document.querySelector('#chart-items-per-month').dataset"
    expected_rows = len({month for month, _ in event_months})  # the query's rows: months
    p.wait_for_function(f"{redrawn}.state === 'rendered' && {redrawn}.rows === '{expected_rows}'")
    assert marks(p, "items-per-month", "rect") == len(event_months) > 0
    page.screenshot("charts-02-home-events")

    csv_href = figure.locator("a.chart-csv").get_attribute("href")
    assert "kind=event" in csv_href
    with p.expect_download() as download:
        figure.locator("a.chart-csv").click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert {(r["month"], s) for r in exported for s in json.loads(r["sources"])} == event_months


def test_health_page_shows_each_source_night_by_night(page, site):
    base, archive = site
    with closing(sqlite3.connect(archive)) as conn:
        sources = conn.execute("select count(*) from sources").fetchone()[0]
    nights = 4  # the crawl's night and the three before it (tests/test_charts.py)

    p = page.page
    p.goto(base + "/-/health")
    p.wait_for_function(SETTLED)
    assert states(p) == {f"chart-{c.slug}": "rendered" for c in charts.HEALTH_CHARTS}
    # The strip: one square per source and night, coloured by the verdict.
    assert marks(p, "health-strip", "rect") == sources * nights
    colours = p.eval_on_selector_all(
        "#chart-health-strip svg .mark-rect.role-mark > path",
        "squares => squares.map(square => square.getAttribute('fill'))",
    )
    assert charts.HEALTH_COLOURS["broken"] in colours
    assert charts.HEALTH_COLOURS["degraded"] in colours
    assert charts.HEALTH_COLOURS["no run"] in colours
    # Items seen / new / updated and requests / 304s: a line per measure and source.
    assert marks(p, "health-items", "line") == sources * 3
    assert marks(p, "health-requests", "line") == sources * 2
    page.screenshot("charts-03-health")

    p.select_option("#health-controls select[data-param=nights]", "14")
    p.wait_for_function(SETTLED)
    json_href = p.locator("#chart-health-strip a.chart-json").get_attribute("href")
    assert "nights=14" in json_href
    strip = p.locator("#chart-health-strip svg").text_content()
    assert crawl_night(archive).isoformat()[5:] in strip, "the newest night is labelled"


def test_the_story_timeline_tooltip_shows_a_date(page, site):
    """Hovering a copy of a story shows its publication date as a date (it once showed
    epoch milliseconds: the field is parsed as a date for the x axis)."""
    import re
    from datetime import date, timedelta

    base, archive = site
    with closing(sqlite3.connect(archive)) as conn:
        days = {
            published[:10]
            for (published,) in conn.execute(
                "select items.published from story_members "
                "join items on items.id = story_members.item_id where published is not null"
            )
        }
    p = page.page
    p.goto(base + "/")
    p.wait_for_function(SETTLED)
    p.locator("#chart-story-timeline svg .mark-symbol.role-mark > path").first.hover(force=True)
    tooltip = p.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    shown = re.search(r"Published\s+(\S+)", text)
    assert shown, text
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown.group(1)), text
    # the day as published, or a day next to it in the browser's timezone
    near = {str(date.fromisoformat(d) + timedelta(days=k)) for d in days for k in (-1, 0, 1)}
    assert shown.group(1) in near, (text, sorted(days))
