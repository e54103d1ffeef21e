"""The archive in a real browser: headless Chromium (Debian's) driven by Playwright.

A person's path through the site: the home page, a search for "cote d'azur" on the
search page (/-/search) with ranked results and highlighted snippets, a facet, an item
page, the CSV download. Screenshots are saved under test-output/screenshots/. No page may
log a console error or send a request to another host.
"""

from __future__ import annotations

import csv
import io

import pytest

from reliability.serving import served
from tests.browser import chromium, guarded_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(crawled_archive):
    """The crawled mirror, served by `partnews serve` exactly as users run it."""
    with served(crawled_archive) as base:
        yield base, crawled_archive


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, site):
    with guarded_page(browser, site[0]) as guarded:
        yield guarded


def test_search_facet_item_page_and_csv_download(page, site):
    base, _ = site
    p = page.page
    p.goto(base + "/")
    assert "partnership archive" in p.locator("h1").inner_text()
    assert p.locator("table.partnews-sources tbody tr").count() >= 2
    page.screenshot("01-home")

    p.fill("input#q", "cote d'azur")
    p.press("input#q", "Enter")
    p.wait_for_selector("ol.search-results")
    rows = p.locator("ol.search-results li.search-result")
    assert rows.count() >= 3, "ranked results"
    first_title = rows.first.locator("a.result-title").inner_text()
    # The glossary also searches the English name of the coast (crawler/glossary.toml).
    assert any(name in first_title for name in ("Côte d’Azur", "Côte d'Azur", "French Riviera"))
    marks = p.locator("ol.search-results .result-snippet mark")
    assert marks.count() >= 1
    marked = {m.lower() for m in marks.all_inner_texts()}
    assert marked & {"cote", "côte", "azur", "french", "riviera"}
    page.screenshot("02-search-cote-d-azur")

    rows.first.locator("a.result-title").click()
    p.wait_for_selector("article.item h1")
    assert p.locator("article.item h1").inner_text() == first_title
    assert p.locator("article.item .item-body p").count() >= 1
    page.screenshot("03-item-page")

    p.goto(base + "/partnews/items")
    # The facet shows each source by its label (sources.name) and links to ?source=<id>.
    facet = p.locator(".facet-results a[href*='source=sdfacc']").first
    facet.click()
    p.wait_for_url("**source=sdfacc**")
    # Each source cell shows the source's name, then its id.
    sources = p.locator("table.rows-and-columns td.col-source").all_inner_texts()
    assert sources and all(cell.split()[-1] == "sdfacc" for cell in sources)
    page.screenshot("04-facet-source")

    p.goto(base + "/")
    with p.expect_download() as download_info:
        p.click("text=CSV")
    downloaded = download_info.value.path().read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(downloaded)))
    total = int(p.locator("p strong").first.inner_text().replace(",", ""))
    assert len(exported) == total
