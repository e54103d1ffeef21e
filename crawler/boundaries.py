"""Crawler boundaries: no request ever leaves the hosts of the spider's own source.

Scraped pages are untrusted: a link to another site, to 127.0.0.1 or a private address
(the machine running the crawl, its network), or to a ``file:``/``data:``/
``javascript:`` URL must never be fetched, whatever a spider's link-following does.
This downloader middleware sits in front of every other one (robots.txt included, so
no robots.txt is asked of a host we will not crawl) and refuses such requests with
``IgnoreRequest``, counting each refusal in the crawl stats
(``boundaries/refused`` and ``boundaries/refused/<reason>``).

Allowed: http(s) URLs whose host is one of the source's ``hosts`` (crawler/sources.toml)
or matches the spider's optional ``allowed_domains`` (a domain and its subdomains,
Scrapy's convention). The local mirror is not a special case: in mirror mode the
requests still carry the real hosts, and crawler/mirror.py sends them to 127.0.0.1
below every middleware, in the download handler.

Enable it with, in crawler/settings.py::

    DOWNLOADER_MIDDLEWARES = {"crawler.boundaries.BoundariesMiddleware": 50, ...}
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def normal_host(host: str | None) -> str:
    """A hostname as compared: lower case, without the DNS root's trailing dot."""
    return (host or "").lower().rstrip(".")


def is_internal_address(host: str) -> bool:
    """True for names and literal IP addresses of this machine or a private network.

    These are refused with their own reason because fetching them is how a scraped link
    would reach services that are not public (server-side request forgery).
    """
    host = normal_host(host).strip("[]")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def host_allowed(host: str, hosts: tuple[str, ...], domains: tuple[str, ...] = ()) -> bool:
    """True when `host` is one of `hosts` exactly, or one of `domains` or a subdomain."""
    host = normal_host(host)
    if host in {normal_host(h) for h in hosts}:
        return True
    return any(host == normal_host(d) or host.endswith("." + normal_host(d)) for d in domains if d)


def refusal_reason(url: str, hosts: tuple[str, ...], domains: tuple[str, ...] = ()) -> str | None:
    """Why a request for `url` must not be sent, or None when it may be.

    Reasons: ``scheme`` (not http or https), ``no_host``, ``credentials``,
    ``internal_address``
    (localhost, loopback, private, link-local…), ``other_host``.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "no_host"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return "scheme"
    if not host:
        return "no_host"
    if parts.username is not None or parts.password is not None:
        return "credentials"  # "https://user@host/": no source links like that
    if is_internal_address(host):
        return "internal_address"
    if not host_allowed(host, hosts, domains):
        return "other_host"
    return None


def redirected_from(request) -> str | None:
    """The URL the crawl asked for when `request` is a redirect (HTTP or meta refresh)."""
    urls = request.meta.get("redirect_urls") or []
    return urls[0] if urls else None


def spider_hosts(spider) -> tuple[str, ...]:
    """The hosts of the spider's source; none (everything refused) for an unknown one."""
    from crawler.sources import load_sources

    source = load_sources().get(getattr(spider, "name", ""))
    return tuple(source.hosts) if source else ()


class BoundariesMiddleware:
    """Refuse every request outside the source's hosts, and count the refusals."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        spider = self.crawler.spider
        hosts = spider_hosts(spider)
        domains = tuple(getattr(spider, "allowed_domains", None) or ())
        reason = refusal_reason(request.url, hosts, domains)
        if reason is None:
            return None
        stats = self.crawler.stats
        stats.inc_value("boundaries/refused")
        stats.inc_value(f"boundaries/refused/{reason}")
        logger.info("Not following %s (%s): outside the source's hosts", request.url[:300], reason)
        self.record_lost_page(request, reason)
        raise IgnoreRequest(f"outside the source's hosts ({reason}): {request.url[:300]}")

    def record_lost_page(self, request, reason: str) -> None:
        """A page of the source that redirects outside it is lost: say so in `rejects`.

        A refused link is only a link not followed; but when the source's own page
        answers with a redirect (or a meta refresh) to another host, that page cannot
        be archived, and the run's rejects keep its URL and why.
        """
        origin = redirected_from(request)
        if origin is None:
            return
        from crawler.run_report import current_run

        run = current_run(self.crawler)
        message = f"redirects outside the source's hosts ({reason}): {request.url[:300]}"
        run.archive.record_reject(run.run_id, run.source, origin, message)
        self.crawler.stats.inc_value("partnews/items_rejected")
