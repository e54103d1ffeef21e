"""The archive in a real browser: headless Chromium (Debian's) driven by Playwright.

A person's path through the site: the home page, a search for "cote d'azur" with ranked
results and highlighted snippets, a facet, an item page, the CSV download. Screenshots
are saved under test-output/screenshots/. No page may log a console error or send a
request to another host.
"""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser import CHROMIUM_FLAGS, GuardedPage, chromium_path
from tests.crawling import REPO_ROOT

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(crawled_archive):
    """The crawled mirror, served by `partnews serve` exactly as users run it."""
    archive = crawled_archive
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partnews.cli",
            "serve",
            "--archive",
            str(archive),
            "--port",
            str(port),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("partnews serve did not start")
    yield base, archive
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    base, _ = site
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    guarded = GuardedPage(context.new_page(), allowed_host=base.split("//")[1])
    yield guarded
    context.close()
    assert guarded.console_errors == [], "no console errors"
    assert guarded.foreign_requests == [], "no request leaves for another host"


def test_search_facet_item_page_and_csv_download(page, site):
    base, _ = site
    p = page.page
    p.goto(base + "/")
    assert "partnership archive" in p.locator("h1").inner_text()
    assert p.locator("table.partnews-sources tbody tr").count() >= 2
    page.screenshot("01-home")

    p.fill("input#q", "cote d'azur")
    p.press("input#q", "Enter")
    p.wait_for_selector("table.rows-and-columns")
    rows = p.locator("table.rows-and-columns tbody tr")
    assert rows.count() >= 3, "ranked results"
    first_title = rows.first.locator("td.col-title").inner_text()
    assert "Côte d’Azur" in first_title or "Côte d'Azur" in first_title
    marks = p.locator("table.rows-and-columns td.col-snippet mark")
    assert marks.count() >= 1 and marks.first.inner_text().lower().startswith(("cote", "côte"))
    ranks = [float(t) for t in p.locator("table.rows-and-columns td.col-rank").all_inner_texts()]
    assert ranks == sorted(ranks), "best matches first"
    page.screenshot("02-search-cote-d-azur")

    rows.first.locator("td.col-title a").click()
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
