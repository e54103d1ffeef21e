"""URL normalisers: one canonical URL per page, and which URLs the crawler may follow.

The partners serve one page at several URLs (www and bare host, http and https, with
and without a trailing slash, with feed-tracking parameters, with a zero-width space
pasted into a slug) and dedup keys on the URL, so every URL the pipelines store goes
through `canonicalize_url`. Percent-encoding, IDNA and query sorting are w3lib's;
registrable domains come from courlan (the public suffix list).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit, urlunsplit

import courlan
import w3lib.url

WEB_SCHEMES = ("http", "https")

# Query parameters that only say where a click came from. `amp` is the AMP view of a
# WordPress post: the same article. Print views (`?tmpl=component&print=1`, Joomla) and
# pagers (`?page=N`) are kept: they are different views the site serves.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "igshid",
        "amp",
    }
)
TRACKING_PREFIXES = ("utm_",)

# Invisible characters found pasted into slugs (a businews slug starts with
# "%E2%80%8B"): zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen.
# Bidirectional controls (LRM, RLM, ALM, the embeddings, overrides and isolates) go too:
# "invoice%E2%80%AEgpj.exe" would display as "invoiceexe.jpg".
_INVISIBLE_RAW_RE = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_INVISIBLE_ENCODED_RE = re.compile(
    r"%E2%80%8[BCDEF]|%E2%81%A0|%EF%BB%BF|%C2%AD|%D8%9C|%E2%80%A[A-E]|%E2%81%A[6-9]",
    re.IGNORECASE,
)

# A last path segment that names a file ("page.html", "report.pdf"): never add "/" to it.
_FILE_NAME_RE = re.compile(r"\.[A-Za-z0-9]{0,4}[A-Za-z][A-Za-z0-9]{0,4}$")


def _is_tracking(parameter: str) -> bool:
    """True for a `name=value` query piece whose name is a tracking parameter."""
    name = unquote_plus(parameter.split("=", 1)[0]).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _drop_tracking(query: str) -> str:
    """The query without its tracking parameters, other pieces untouched."""
    return "&".join(p for p in query.split("&") if p and not _is_tracking(p))


def _without_default_port(netloc: str, port: int | None, original_scheme: str) -> str:
    """Drop ":443", and ":80" when the URL was http: both are the default of their scheme."""
    if port == 443 or (port == 80 and original_scheme == "http"):
        return netloc[: -len(f":{port}")]
    return netloc


def _set_www(host: str, prefer_www: bool | None) -> str:
    """Add or remove "www." as asked; only ever added to a registrable domain.

    "region-sud.latribune.fr" never becomes "www.region-sud.latribune.fr": a subdomain
    with "www." in front is another host.
    """
    if prefer_www is None or _is_ip(host):
        return host
    if host.startswith("www."):
        rest = host[4:]
        return rest if prefer_www is False and "." in rest else host
    if prefer_www and _registrable_domain(host) == host:
        return "www." + host
    return host


def _set_trailing_slash(path: str, keep_trailing_slash: bool | None) -> str:
    """Add (True) or remove (False) the trailing slash; never on "/" nor on a file name."""
    if keep_trailing_slash is None or path in ("", "/") or ";" in path:
        # A path with ";parameters" is left alone: the slash would land in them.
        return path or "/"
    if keep_trailing_slash is False:
        return path.rstrip("/") or "/"
    last_segment = path.rsplit("/", 1)[-1]
    if path.endswith("/") or _FILE_NAME_RE.search(last_segment):
        return path
    return path + "/"


def canonicalize_url(
    url: str, *, prefer_www: bool | None = None, keep_trailing_slash: bool | None = None
) -> str:
    """The one URL stored for a page, whichever of its spellings a link used.

    * http becomes https: the partner sites are all served over https (a per-host list
      of https hosts can replace this rule when a plain-http source is added);
    * host in lower case (IDNA for non-ASCII hosts); "www." added or removed per
      `prefer_www` (None: unchanged; "www." is only added to a registrable domain);
    * default ports (":443", and ":80" of an http URL) dropped;
    * the fragment dropped;
    * tracking parameters dropped (`utm_*`, `fbclid`, `gclid`, `mc_cid`, `mc_eid`,
      `_ga`, `igshid`, `amp` ... see TRACKING_PARAMETERS); other parameters kept and
      sorted, so `?tmpl=component&print=1` stays (a print view is a different page);
      a bare parameter gets an "=" (`?print` -> `?print=`), as w3lib writes it;
    * zero-width characters and bidirectional controls removed from the path, raw or
      percent-encoded;
    * percent-encoding normalised by w3lib: unreserved characters decoded ("%7E" -> "~"),
      others encoded in upper case, non-ASCII paths encoded as UTF-8; dot segments
      resolved;
    * trailing slash added (True) or removed (False) per `keep_trailing_slash`, None
      leaves it; never added after a file name with an extension, "/" always kept,
      and a path with ";parameters" is left as it is.

    Entity remnants in slugs ("s-8217installeront", "ann-233e") are the server's real
    paths and are kept. A string that is not an http(s) URL with a host is returned
    stripped and otherwise unchanged. Idempotent.
    """
    text = _INVISIBLE_RAW_RE.sub("", url).strip()
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES or not parts.hostname:
            return text
        netloc = _without_default_port(parts.netloc, parts.port, scheme)
        path = _INVISIBLE_ENCODED_RE.sub("", parts.path)
        query = _drop_tracking(parts.query)
        canonical = w3lib.url.canonicalize_url(urlunsplit(("https", netloc, path, query, "")))
        result = urlsplit(canonical)
        host = result.hostname or ""
        if not host:  # w3lib found no host in what urlsplit took for one ("https://\\/")
            return text
        new_host = _set_www(host, prefer_www)
        netloc = result.netloc
        if new_host != host:  # never an IP literal: `_set_www` leaves those alone
            userinfo, at, host_port = netloc.rpartition("@")
            netloc = userinfo + at + new_host + host_port[len(host) :]
        path = _set_trailing_slash(result.path, keep_trailing_slash)
        return urlunsplit(SplitResult("https", netloc, path, result.query, ""))
    except ValueError:
        # An out-of-range port or a broken IPv6 literal: not a URL anyone can fetch.
        return text


def _ascii_host(host: str) -> str:
    """A host name as compared: lower case, no trailing dot, IDNA (punycode) when possible."""
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def host_of(url: str) -> str:
    """The URL's host, lower case and in ASCII (punycode), without port; "" if none."""
    try:
        return _ascii_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def _bare_host(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def same_site(url_a: str, url_b: str) -> bool:
    """True when both URLs are on the same host, "www." or not (www.x.org == x.org)."""
    host_a, host_b = host_of(url_a), host_of(url_b)
    return bool(host_a) and _bare_host(host_a) == _bare_host(host_b)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def _registrable_domain(host: str) -> str:
    """The domain a host belongs to (public suffix list): region-sud.latribune.fr ->
    latribune.fr. An IP or an unknown suffix is its own domain.

    Cached: a crawl meets a few hosts thousands of times, and each public-suffix lookup
    costs about 0.2 ms (two per item in normalisation)."""
    if not host or _is_ip(host):
        return host
    try:
        domain = courlan.extract_domain(f"https://{host}/")
    except (ValueError, AttributeError, TypeError):
        domain = None
    return _ascii_host(domain) if domain else _bare_host(host)


def resolve_canonical(page_url: str, canonical_href: str | None) -> str:
    """The page's rel=canonical URL resolved against the page URL, or the page URL.

    The canonical is ignored (the page URL returned) when it is missing, not http(s), or
    on another registrable domain: a hostile or copied page must not claim another
    site's URL. Subdomains of one domain may point to each other (marseille.latribune.fr
    -> region-sud.latribune.fr). Neither URL is canonicalised here: pass the result to
    `canonicalize_url`.
    """
    if not canonical_href or not canonical_href.strip():
        return page_url
    try:
        resolved = urljoin(page_url, canonical_href.strip())
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return page_url
    if scheme not in WEB_SCHEMES:
        return page_url
    page_domain = _registrable_domain(host_of(page_url))
    if not page_domain or _registrable_domain(host_of(resolved)) != page_domain:
        return page_url
    return resolved


# Names of this machine, whatever the network says: never a source site.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# A dotted or bare number in any base a resolver accepts (inet_aton: "127.1",
# "0x7f.0.0.1", "0177.0.0.1", "2130706433"): such a "host name" is an IPv4 address.
_NUMERIC_HOST_RE = re.compile(r"^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}$")


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as an IP literal stands for, in any form a resolver
    reads as one (IPv6 in brackets, dotted decimal, a bare or dotted number in decimal,
    octal or hexadecimal); None for a host name. An IPv4-mapped IPv6 address is the
    IPv4 address it maps."""
    host = host.strip().lower().rstrip(".").strip("[]")
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        address = None
        if _NUMERIC_HOST_RE.match(host):
            try:
                address = ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_internal_host(host: str) -> bool:
    """True for names and IP literals of this machine or a private network: localhost
    and its subdomains, loopback, private, link-local, reserved, multicast, unspecified.

    They get their own refusal reason because fetching them is how a scraped link would
    reach services that are not public (server-side request forgery).
    """
    name = _ascii_host(host).strip("[]")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    address = ip_literal(name)
    return address is not None and (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


_PORT_SUFFIX_RE = re.compile(r":(\d{1,5})$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _split_port(entry: str) -> tuple[str, int | None]:
    """A registry host entry as (name, port): "x.org:8443" -> ("x.org", 8443)."""
    match = _PORT_SUFFIX_RE.search(entry.strip())
    if match is None:
        return entry, None
    return entry[: match.start()], int(match.group(1))


def host_allowed(host: str, hosts: Iterable[str], domains: Iterable[str] = ()) -> bool:
    """True when `host` is one of `hosts` exactly, or one of `domains` or a subdomain of
    one (Scrapy's ``allowed_domains`` convention); compared lower case, in IDNA. A host
    entry may name a port ("x.org:8443"); the port is `port_allowed`'s business."""
    host = _ascii_host(host)
    if host in {_ascii_host(_split_port(h)[0]) for h in hosts}:
        return True
    return any(host == _ascii_host(d) or host.endswith("." + _ascii_host(d)) for d in domains if d)


def refusal_reason(url: str, hosts: Iterable[str], domains: Iterable[str] = ()) -> str | None:
    """Why the crawler must not request `url`, or None when it may: the project's one
    rule for crawlable URLs (crawler/boundaries.py applies it to every request).

    Reasons: ``scheme`` (not http or https: file:, data:, javascript:, mailto:...),
    ``no_host``, ``credentials`` ("user@host"), ``internal_address`` (localhost,
    loopback, private, link-local... see `is_internal_host`), ``ip_address`` (any other
    IP literal: the partners' sites are reached by name, so an address is never one of
    them, even when listed), ``other_host`` (not one of `hosts`, nor under `domains`),
    ``port`` (not the scheme's default port, and not listed as "host:port" in `hosts`).
    Host names are not resolved: the allow-list is what keeps the crawler on the
    partners' sites. The local mirror is no exception: mirror requests keep the real
    host names, and crawler/mirror.py sends them to 127.0.0.1 below every middleware.
    """
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname or ""
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        return "no_host"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return "scheme"
    if not hostname:
        return "no_host"
    if has_credentials:
        return "credentials"
    if is_internal_host(hostname):
        return "internal_address"
    if ip_literal(hostname) is not None:
        return "ip_address"
    if not host_allowed(hostname, hosts, domains):
        return "other_host"
    if not port_allowed(parts, hosts):
        return "port"
    return None


def port_allowed(parts: SplitResult, hosts: Iterable[str]) -> bool:
    """True when the URL uses its scheme's default port, or a port the registry lists
    for its host ("x.org:8443" in the source's ``hosts``).

    A scraped link or a redirect to another port of a partner's host (":22", ":6379")
    reaches a service that is not the partner's website.
    """
    try:
        port = parts.port
    except ValueError:  # out of range or not a number
        return False
    scheme = parts.scheme.lower()
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return True
    host = _ascii_host(parts.hostname or "")
    listed = (_split_port(entry) for entry in hosts)
    return any(p == port and _ascii_host(name) == host for name, p in listed)


# Characters no valid URL contains unencoded: ASCII controls, space, DEL, C1 controls.
_URL_FORBIDDEN_RE = re.compile("[\x00-\x20\x7f-\x9f]")


def web_url_problem(url: object) -> str | None:
    """Why `url` is not a web link one can store and show, or None when it is one.

    Parsed, not prefix-checked: an http(s) scheme, a host, a valid port, and no space,
    CR, LF or other control character anywhere (a CRLF in a URL breaks the iCalendar
    and HTTP lines it is written into).
    """
    if not isinstance(url, str) or not url:
        return "empty"
    text = url.strip()
    found = _URL_FORBIDDEN_RE.search(text)
    if found:
        return f"contains a control character or space ({found.group()!r})"
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return f"cannot be parsed ({error})"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return "not http(s)"
    if not hostname:
        return "no host"
    return None


def is_web_url(url: object) -> bool:
    """True for an http(s) URL with a host and no control characters (`web_url_problem`)."""
    return web_url_problem(url) is None


def is_crawlable_url(url: str, allowed_hosts: Iterable[str]) -> bool:
    """True when the crawler may request `url`: `refusal_reason` finds nothing against it.

    Host names are compared exactly (lower case, IDNA): list both "www.x.org" and
    "x.org" when both are crawled.
    """
    return refusal_reason(url, allowed_hosts) is None
