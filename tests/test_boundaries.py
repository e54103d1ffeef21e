"""crawler/boundaries.py: a crawl never fetches outside its source's hosts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.boundaries import BoundariesMiddleware, is_internal_address, refusal_reason
from crawler.spiders.region_sud import RegionSudSpider
from partnews.urls import is_crawlable_url

HOSTS = ("www.maregionsud.fr", "maregionsud.fr")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.maregionsud.fr/actualites/budget-2025",
        "http://maregionsud.fr/rss.xml",
        "https://WWW.MAREGIONSUD.FR/robots.txt",  # host names are case-insensitive
        "https://www.maregionsud.fr./sitemap.xml",  # the DNS root's dot
        "https://www.maregionsud.fr:443/actualites?page=2",
    ],
)
def test_the_sources_own_hosts_are_allowed(url):
    assert refusal_reason(url, HOSTS) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://www.example.com/", "other_host"),
        ("https://evil.maregionsud.fr.example.net/", "other_host"),
        ("https://sub.www.maregionsud.fr/", "other_host"),  # hosts are exact names
        ("https://www.maregionsud.fr@evil.example/", "credentials"),  # userinfo trick
        ("https://user:pw@www.maregionsud.fr/", "credentials"),
        ("https://evil.example#@www.maregionsud.fr", "other_host"),
        ("http://127.0.0.1:8001/", "internal_address"),
        ("http://127.1.2.3/", "internal_address"),
        ("http://localhost/admin", "internal_address"),
        ("http://api.localhost/", "internal_address"),
        ("http://10.0.0.5/", "internal_address"),
        ("http://172.16.3.4/", "internal_address"),
        ("http://192.168.1.1/", "internal_address"),
        ("http://169.254.169.254/latest/meta-data/", "internal_address"),  # cloud metadata
        ("http://[::1]/", "internal_address"),
        ("http://[fe80::1]/", "internal_address"),
        ("http://[::ffff:127.0.0.1]/", "internal_address"),
        ("http://0.0.0.0/", "internal_address"),
        ("file:///etc/passwd", "scheme"),
        ("data:text/html,<script>alert(1)</script>", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("ftp://www.maregionsud.fr/", "scheme"),
        ("https:///no-host", "no_host"),
    ],
)
def test_everything_else_is_refused_with_its_reason(url, reason):
    assert refusal_reason(url, HOSTS) == reason


def test_allowed_domains_admit_a_domain_and_its_subdomains_only():
    assert refusal_reason("https://cdn.example.org/a", (), ("example.org",)) is None
    assert refusal_reason("https://example.org/a", (), ("example.org",)) is None
    assert refusal_reason("https://badexample.org/a", (), ("example.org",)) == "other_host"


def test_public_addresses_are_not_internal():
    assert not is_internal_address("93.184.216.34")
    assert not is_internal_address("www.maregionsud.fr")
    assert is_internal_address("LOCALHOST.")


def _middleware():
    crawler = get_crawler(RegionSudSpider)
    crawler.spider = RegionSudSpider()
    crawler.stats.open_spider()
    return crawler, BoundariesMiddleware.from_crawler(crawler)


def test_the_middleware_lets_source_requests_through_and_counts_refusals():
    crawler, middleware = _middleware()
    assert middleware.process_request(Request("https://www.maregionsud.fr/robots.txt")) is None
    for url in ("https://www.google.com/", "http://127.0.0.1/", "file:///etc/passwd"):
        with pytest.raises(IgnoreRequest, match="outside the source's hosts"):
            middleware.process_request(Request(url))
    stats = crawler.stats.get_stats()
    assert stats["boundaries/refused"] == 3
    assert stats["boundaries/refused/other_host"] == 1
    assert stats["boundaries/refused/internal_address"] == 1
    assert stats["boundaries/refused/scheme"] == 1


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda scheme, host, path: f"{scheme}://{host}{path}",
            st.sampled_from(["http", "https", "HTTPS", "file", "ftp", "javascript", ""]),
            st.sampled_from([*HOSTS, "127.0.0.1", "[::1]", "evil.example", "u@maregionsud.fr"]),
            st.text(max_size=20),
        ),
    )
)
def test_never_raises_and_never_allows_what_the_project_rule_refuses(url):
    """Whatever it is given, the middleware's rule is at least as strict as
    partnews.urls.is_crawlable_url, the project's own definition of a crawlable URL."""
    if refusal_reason(url, HOSTS) is None:
        assert is_crawlable_url(url, HOSTS)
