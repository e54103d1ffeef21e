"""Helpers for the browser tests: Debian's Chromium driven by Playwright, kept on this host.

Chromium is started headless with the flags this machine needs (no sandbox as root, no
background networking: the network is closed). Every request the page makes is
checked: anything that is not for the local server is refused and recorded, so a test
can assert that no request left for another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.requirements import need_chromium

REPO_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class GuardedPage:
    """A page that may only talk to `allowed_host`; console errors and stray requests kept."""

    def __init__(self, page, allowed_host: str):
        self.page = page
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

        def route(route):
            if urlsplit(route.request.url).netloc == allowed_host:
                route.continue_()
            else:
                self.foreign_requests.append(route.request.url)
                route.abort()

        page.route("**/*", route)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextmanager
def chromium():
    """Debian's Chromium through Playwright (skips, or fails in CI, without it)."""
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_page(browser, base: str) -> Iterator[GuardedPage]:
    """A fresh page kept on `base`'s host; after use, no console error and no stray request."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    guarded = GuardedPage(context.new_page(), allowed_host=base.split("//")[1])
    try:
        yield guarded
    finally:
        context.close()
    assert guarded.console_errors == [], "no console errors"
    assert guarded.foreign_requests == [], "no request leaves for another host"
