"""Shared fixtures: the local mirror served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import Fault, MirrorConfig
from tests.requirements import need_shared

MIRROR_TODAY = date(2025, 6, 1)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A parameter that stands for absent shared data (tests/realdata.py `params`)
    skips, or fails in CI, saying how to get the data."""
    if item.get_closest_marker("needs_shared"):
        need_shared("realdata/MANIFEST.tsv")


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorServer]:
    """The mirror of every site on a free port, with today = 2025-06-01 (read-only use)."""
    server = MirrorServer(MirrorConfig(sites_dir=SITES_DIR, today=MIRROR_TODAY))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mirror_factory():
    """Start a mirror of one's own: mirror_factory(today=..., faults=[...], sites_dir=...)."""
    servers: list[MirrorServer] = []

    def start(
        today: date = MIRROR_TODAY,
        faults: list[Fault] | None = None,
        sites_dir: Path = SITES_DIR,
        seed: int = 0,
    ) -> MirrorServer:
        config = MirrorConfig(sites_dir=sites_dir, today=today, faults=faults or [], seed=seed)
        server = MirrorServer(config)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]  # names lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # let the test see the 301 itself


def fetch_url(
    base_url: str,
    path: str,
    host: str | None = "www.france-sandiego.org",
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> Fetched:
    """One real HTTP request to the mirror, as the crawler sends it (real Host header)."""
    request = urllib.request.Request(base_url + path, method=method, headers=headers or {})
    if host is not None:
        request.add_header("Host", host)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return Fetched(response.status, _lower(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, _lower(error.headers), error.read())


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@pytest.fixture
def fetch(mirror):
    """fetch(path, host=..., method=..., headers=..., server=...): the session mirror by default."""

    def get(path: str, server: MirrorServer | None = None, **kwargs) -> Fetched:
        return fetch_url((server or mirror).url, path, **kwargs)

    return get


@pytest.fixture(scope="session")
def crawled_archive(mirror, tmp_path_factory) -> Path:
    """Every source crawled once from the mirror by the real `partnews crawl` (read-only use)."""
    from tests.crawling import run_crawl

    path = tmp_path_factory.mktemp("crawled") / "partnews.db"
    result = run_crawl(mirror.url, path)
    assert result.returncode == 0, result.stderr[-3000:]
    return path


@pytest.fixture(scope="session")
def generated_archive_60k(tmp_path_factory) -> Path:
    """bench/bench_archive.py's generated archive at 60,000 items (about a minute to
    build), shared by the search tests that page through large results (read-only use)."""
    from bench.bench_archive import build_archive

    path = tmp_path_factory.mktemp("generated60k") / "partnews.db"
    build_archive(path, 60_000)
    return path
