"""crawler/boundaries.py: a crawl never fetches outside its source's hosts, by the
project's one rule for crawlable URLs (partnews.urls.refusal_reason)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.boundaries import BoundariesMiddleware
from crawler.politeness import DomainClock
from crawler.run_state import RunState
from crawler.spiders.region_sud import RegionSudSpider
from partnews.urls import ip_literal, is_crawlable_url, is_internal_host, refusal_reason

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
        # The same addresses in the other spellings a resolver reads as IPv4.
        ("http://2130706433/", "internal_address"),  # 127.0.0.1 as one decimal number
        ("http://0x7f000001/", "internal_address"),  # ... in hexadecimal
        ("http://0177.0.0.1/", "internal_address"),  # ... with an octal first byte
        ("http://127.1/", "internal_address"),  # ... short form
        ("http://012.0.0.5/", "internal_address"),  # 10.0.0.5, octal first byte
        ("http://[::ffff:10.0.0.5]/", "internal_address"),  # IPv4-mapped private
        ("http://[::ffff:7f00:1]/", "internal_address"),  # IPv4-mapped loopback, hex form
        ("http://[fc00::1]/", "internal_address"),  # IPv6 unique local
        ("http://[fe80::1%25eth0]/", "internal_address"),  # link-local with a zone
        ("http://[ff02::1]/", "internal_address"),  # multicast
        ("http://224.0.0.1/", "internal_address"),  # IPv4 multicast
        # Public addresses are refused too: the partners are reached by name.
        ("http://93.184.216.34/", "ip_address"),
        ("http://1572395042/", "ip_address"),  # 93.184.216.34 as one number
        ("http://[2606:2800:220:1:248:1893:25c8:1946]/", "ip_address"),
        ("http://[::ffff:93.184.216.34]/", "ip_address"),
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
    assert not is_internal_host("93.184.216.34")
    assert not is_internal_host("www.maregionsud.fr")
    assert is_internal_host("LOCALHOST.")


def test_an_ip_literal_is_refused_even_when_listed_as_a_host():
    for host in ("93.184.216.34", "127.0.0.1", "[::1]"):
        assert refusal_reason(f"http://{host}/", (host, host.strip("[]"))) is not None


def test_numeric_host_names_are_read_as_the_addresses_they_are():
    assert str(ip_literal("2130706433")) == "127.0.0.1"
    assert str(ip_literal("0x7f.1")) == "127.0.0.1"
    assert str(ip_literal("[::ffff:192.168.0.1]")) == "192.168.0.1"
    # Names that only look numeric in part are names.
    assert ip_literal("1.example.org") is None
    assert ip_literal("www.maregionsud.fr") is None
    assert ip_literal("08.1") is None  # not a valid octal number: no resolver reads it


def test_the_mirror_is_no_exception_its_requests_keep_the_real_host_names():
    """A mirror crawl asks for https://www.maregionsud.fr/... (crawler/mirror.py sends
    it to 127.0.0.1 in the download handler, below this rule): the rule lets it through
    and still refuses the mirror's own address."""
    assert refusal_reason("https://www.maregionsud.fr/rss.xml", HOSTS) is None
    assert refusal_reason("http://127.0.0.1:8002/rss.xml", HOSTS) == "internal_address"


def _middleware(tmp_path):
    crawler = get_crawler(RegionSudSpider)
    crawler.spider = RegionSudSpider()
    crawler.stats.open_spider()
    state = RunState("region_sud", str(tmp_path / "partnews.db"), clock=DomainClock())
    return crawler, BoundariesMiddleware(crawler, state)


def test_the_middleware_lets_source_requests_through_and_counts_refusals(tmp_path):
    crawler, middleware = _middleware(tmp_path)
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
def test_never_raises_and_only_allows_the_sources_own_hosts(url):
    """Whatever it is given, the rule answers, and what it allows is an http(s) URL on
    one of the source's hosts (is_crawlable_url says the same: it is the same rule)."""
    reason = refusal_reason(url, HOSTS)
    assert is_crawlable_url(url, HOSTS) is (reason is None)
    if reason is None:
        parts = urlsplit(url.strip())
        assert parts.scheme.lower() in ("http", "https")
        assert (parts.hostname or "").rstrip(".") in HOSTS
