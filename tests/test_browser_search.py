"""The search page in a real browser: headless Chromium (Debian's) through Playwright.

A researcher's path: a search from the home page, the results with their marked
snippets, the note that the search was also run in French, a filter chosen from the
facet counts, the switch that turns translation off, a search with no result, an item
page; then, on the 60,000-item generated archive, paging to the last page of a result
of 2,989 matches. The screenshots of docs/using-the-archive.md are written into
docs/images/ by this test. No page may log a console error or call another host.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reliability.serving import served
from tests.browser import chromium, guarded_page

pytestmark = pytest.mark.browser

DOC_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def doc_screenshot(page, name: str) -> None:
    DOC_IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOC_IMAGES / f"{name}.png"), full_page=False)


def shown_count(p) -> int:
    return int(p.locator("#search-count strong").inner_text().replace(",", ""))


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(crawled_archive):
    with served(crawled_archive) as base:
        yield base


def test_search_page_results_filters_translation_and_no_results(browser, site, crawled_archive):
    import sqlite3

    conn = sqlite3.connect(crawled_archive)
    titles = {r[0]: r[1] for r in conn.execute("select id, title from items")}
    conn.close()
    with guarded_page(browser, site) as guarded:
        p = guarded.page
        p.goto(site + "/")
        p.fill("input#q", "sister city")
        p.press("input#q", "Enter")
        p.wait_for_selector("ol.search-results")
        assert p.input_value("input#q") == "sister city", "the box keeps the query"
        results = p.locator("ol.search-results li.search-result")
        total = shown_count(p)
        assert results.count() == min(total, 20) and total >= 3
        assert p.locator("#search-expanded").is_visible()
        assert "jumelage" in p.locator("#search-expanded").inner_text()
        first = results.first
        assert first.locator(".result-meta .result-date").inner_text()[:2] in ("19", "20")
        assert first.locator(".result-meta .result-source").inner_text()
        assert p.locator(".result-snippet mark").count() >= 1
        languages = set(p.locator(".result-language").all_inner_texts())
        assert {"English", "French"} <= languages, "an English query finds French items"
        doc_screenshot(p, "search-results")

        # A filter is a choice with its count; choosing it keeps the query.
        french = p.locator(".facet-language a", has_text="French")
        expected = int(french.locator("xpath=following-sibling::span[1]").inner_text())
        french.click()
        p.wait_for_url(re.compile(r"language=fr"))
        assert shown_count(p) == expected
        assert set(p.locator(".result-language").all_inner_texts()) == {"French"}
        assert p.locator(".facet-language li.selected").inner_text().startswith("French")
        doc_screenshot(p, "search-filtered")

        # Translation off: only the words as typed, and the page says so.
        p.click("#search-expanded a")
        p.wait_for_url(re.compile(r"expand=off"))
        assert p.locator("#search-unexpanded").is_visible()
        assert p.locator("#search-expanded").count() == 0

        p.goto(site + "/-/search?q=zzznotaword&source=sdfacc")
        assert p.locator("#no-results").is_visible()
        assert p.locator("#no-results a", has_text="without the filters").count() == 1
        doc_screenshot(p, "search-no-results")

        p.goto(site + "/-/search?q=cote+d%27azur")
        link = p.locator("a.result-title").first
        item_id = link.get_attribute("href").rsplit("/", 1)[1]
        link.click()
        p.wait_for_selector("article.item h1")
        assert p.locator("article.item h1").inner_text() == titles[item_id]


def test_paging_to_the_last_page_of_a_large_result(browser, generated_archive_60k):
    with served(generated_archive_60k, startup_seconds=300) as base:
        with guarded_page(browser, base) as guarded:
            p = guarded.page
            p.goto(base + "/-/search?q=programme&source=times_of_san_diego&expand=off")
            p.wait_for_selector("ol.search-results")
            total = shown_count(p)
            last = -(-total // 20)
            assert total > 1000
            pages = p.locator("nav.pagination a, nav.pagination span")
            assert pages.filter(has_text=re.compile(rf"^{last}$")).count() == 1
            p.locator("nav.pagination a", has_text=re.compile(rf"^{last}$")).click()
            p.wait_for_url(re.compile(rf"page={last}"))
            assert p.locator("nav.pagination .current").inner_text() == str(last)
            rows = p.locator("ol.search-results li.search-result")
            assert rows.count() == total - 20 * (last - 1)
            assert p.locator("ol.search-results").get_attribute("start") == str(20 * (last - 1) + 1)
            assert p.locator("nav.pagination a[rel=next]").count() == 0
            assert "City Of San Diego" not in p.locator("ol.search-results").inner_text()
            doc_screenshot(p, "search-last-page")
            p.click("nav.pagination a[rel=prev]")
            p.wait_for_url(re.compile(rf"page={last - 1}"))
            assert p.locator("ol.search-results li.search-result").count() == 20


def test_the_indexed_search_pages_to_its_last_page(browser, crawled_archive, tmp_path):
    """The same page served through the search index (archive/search_index.py): it says
    so, and relevance and date pages reach the last match."""
    import shutil

    from archive import search_index

    copy = tmp_path / "partnews.db"
    shutil.copy(crawled_archive, copy)
    search_index.build(copy)
    with served(copy) as base, guarded_page(browser, base) as guarded:
        p = guarded.page
        for sort in ("relevance", "newest"):
            p.goto(base + f"/-/search?q=the&expand=off&sort={sort}")
            p.wait_for_selector("ol.search-results")
            assert "search index" in p.locator("#search-engine").inner_text()
            total = shown_count(p)
            last = -(-total // 20)
            assert last >= 2
            p.locator("nav.pagination a", has_text=re.compile(rf"^{last}$")).click()
            p.wait_for_url(re.compile(rf"page={last}"))
            rows = p.locator("ol.search-results li.search-result")
            assert rows.count() == total - 20 * (last - 1)
            assert p.locator("nav.pagination a[rel=next]").count() == 0
