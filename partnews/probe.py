"""`partnews probe`: find what a site offers a crawler, politely, in at most ~20 requests.

For the maintainer who adds a source or mends one whose site changed. From a homepage
(or any page) it looks for the ways in that the base spiders read, best first: the
WordPress REST API and The Events Calendar's REST API and iCal export, Drupal's signs
(generator, ``X-Generator``/``X-Drupal-*`` headers, ``/node/N``, JSON:API), feeds,
sitemaps and their dates, listing pages and their pagers, languages (``lang``,
hreflang); then it reads up to three article pages with the project's own page reader
and says where each date, title and body came from. The result is a `ProbeReport`:
printed as a short human report with a ready ``crawler/sources.toml`` block, or as JSON.

Politeness is not optional here: robots.txt is fetched first and obeyed (Disallow,
Crawl-delay), every request carries the project's user agent, there is a hard request
budget (counted and shown) and a delay between requests. The HTTP client is urllib
(no new dependency): a one-shot look, not a crawl. `Fetcher` can route the real URLs
to the local mirror (``--mirror``, as ``partnews crawl --mirror`` does) and save every
response in the mirror's recorded layout (``--save``, partnews/recorded.py).

The detection functions (`page_signals`, `feed_info`, `sitemap_info`, `pager_of`,
`listing_candidates`, `page_evidence`) are pure: bytes or HTML in, typed results out.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from protego import Protego

from partnews.recorded import save_response, write_site_toml

DEFAULT_BUDGET = 20
DEFAULT_DELAY = 1.0
DEFAULT_TIMEOUT = 15.0
MAX_BYTES = 5_000_000  # a body larger than this is cut (and said so): sitemaps can be huge
MAX_SAMPLES = 3
MAX_REDIRECTS = 4

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
# Where feeds live when a page links none, per CMS (WordPress, Drupal, the usual others).
FEED_GUESSES = {
    "wordpress": ("/feed/",),
    "drupal": ("/rss.xml",),
    "generic": ("/feed/", "/rss.xml", "/atom.xml", "/feed.xml"),
}
SITEMAP_GUESSES = {
    "wordpress": ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml"),
    "drupal": ("/sitemap.xml",),
    "generic": ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml"),
}
# Words of listing pages' paths and link texts, in the partners' languages.
LISTING_WORDS = re.compile(
    r"news|actualit|blog|press|communiqu|stories|articles|nachrichten|aktuell|insidesd",
    re.IGNORECASE,
)
# Which sitemap of an index lists articles: posts first, then events, then news words.
CHILD_PREFERENCE = (
    re.compile(r"post", re.I),
    re.compile(r"event", re.I),
    re.compile(r"news|actualit|article|blog", re.I),
)
# The order in which each base spider (crawler/spiders/) uses what it finds.
LADDERS = {
    "wordpress": ("wp-rest", "tribe-events-rest", "ical", "feed", "sitemap", "listing"),
    "drupal": ("feed", "listing", "sitemap", "jsonapi"),
    "generic": ("feed", "sitemap", "listing"),
}


# --- HTTP ---------------------------------------------------------------------------


@dataclass
class Fetched:
    """One answer (or failure) as the probe saw it."""

    url: str  # the real URL asked for (after redirects: the last one)
    status: int  # 0 when there was no HTTP answer (timeout, refused, reset)
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str = ""  # why there is no answer, or that the body was cut
    requested: str = ""  # the first URL asked for

    @property
    def ok(self) -> bool:
        return self.status == 200

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        match = re.search(r"charset=([\w-]+)", self.header("Content-Type"), re.I)
        try:
            return self.body.decode(match.group(1) if match else "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


@dataclass
class RequestRecord:
    url: str
    status: int
    note: str = ""


@dataclass
class Skipped:
    url: str
    reason: str  # "robots.txt" or "budget"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the Fetcher follows redirects itself, counting each hop


def ascii_host(host: str) -> str:
    """The host as sent on the wire: IDNA for accented names ("xn--…")."""
    return host.lower().encode("idna").decode("ascii") if host else host


def ascii_url(url: str) -> str:
    parts = urlsplit(url)
    netloc = ascii_host(parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def decode_body(body: bytes, encoding: str, limit: int = MAX_BYTES) -> bytes:
    """The body without its Content-Encoding, inflating at most `limit` bytes (a
    compressed bomb stops there); ValueError when it does not inflate."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(31)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    else:
        return body
    try:
        return inflater.decompress(body, limit)
    except zlib.error as error:
        raise ValueError(f"undecodable {encoding} body: {error}") from error


class Fetcher:
    """Polite GETs: robots.txt, user agent, budget, delay; mirror routing and saving.

    Every HTTP request counts against the budget, robots.txt and redirect hops too.
    A URL that robots.txt forbids, or that comes after the budget is spent, is not
    fetched and is listed in `skipped` instead.
    """

    def __init__(
        self,
        user_agent: str,
        budget: int = DEFAULT_BUDGET,
        delay: float = DEFAULT_DELAY,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_BYTES,
        mirror: str | None = None,
        save_dir: Path | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.budget = budget
        self.delay = delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.mirror = urlsplit(mirror) if mirror else None
        self.save_dir = Path(save_dir) if save_dir else None
        self.requests: list[RequestRecord] = []
        self.skipped: list[Skipped] = []
        self.robots: dict[str, Protego | None] = {}
        self.robots_fetched: dict[str, Fetched] = {}
        self.saved: list[Path] = []
        self.cache: dict[str, Fetched] = {}
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._last = 0.0

    @property
    def used(self) -> int:
        return len(self.requests)

    @property
    def left(self) -> int:
        return self.budget - self.used

    def crawl_delay(self, host: str) -> float:
        rules = self.robots.get(host)
        declared = rules.crawl_delay(self.user_agent) if rules is not None else None
        return max(self.delay, float(declared or 0))

    def allowed(self, url: str) -> bool:
        host = urlsplit(url).netloc
        if host not in self.robots:
            self._load_robots(url)
        rules = self.robots.get(host)
        return rules is None or rules.can_fetch(url, self.user_agent)

    def _load_robots(self, url: str) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        self.robots[parts.netloc] = None  # while fetching (and when there is none)
        answer = self._request(robots_url, note="robots.txt")
        for _ in range(MAX_REDIRECTS):  # RFC 9309: follow a robots.txt's redirects
            location = answer.header("Location") if answer is not None else ""
            if answer is None or answer.status not in (301, 302, 303, 307, 308) or not location:
                break
            answer = self._request(ascii_url(urljoin(robots_url, location)), note="robots.txt")
        if answer is None:
            return
        # a robots.txt redirected to another host is that host's too (www to bare)
        netlocs = dict.fromkeys([parts.netloc, urlsplit(answer.url).netloc])
        for netloc in netlocs:
            self.robots_fetched.setdefault(netloc, answer)
            if answer.ok:
                self.robots[netloc] = Protego.parse(answer.text)

    def get(self, url: str, note: str = "") -> Fetched | None:
        """GET `url` (following redirects); None when robots.txt or the budget forbids it."""
        url = ascii_url(url)
        if url in self.cache:
            return self.cache[url]  # asked twice (a start page that is also the listing)
        if not self.allowed(url):
            self.skipped.append(Skipped(url, "robots.txt"))
            return None
        first = url
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._request(url, note)
            if answer is None:
                return None
            location = answer.header("Location")
            if answer.status in (301, 302, 303, 307, 308) and location:
                url = ascii_url(urljoin(url, location))
                if not self.allowed(url):
                    self.skipped.append(Skipped(url, "robots.txt"))
                    return answer
                continue
            answer.requested = first
            self.cache[first] = answer
            return answer
        return answer

    def _request(self, url: str, note: str = "") -> Fetched | None:
        if self.left <= 0:
            self.skipped.append(Skipped(url, "budget"))
            return None
        wait = self._last + self.crawl_delay(urlsplit(url).netloc) - time.monotonic()
        if self._last and wait > 0:
            time.sleep(wait)
        real = urlsplit(url)
        target = url
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip"}
        if self.mirror is not None:
            target = urlunsplit(
                (self.mirror.scheme, self.mirror.netloc, real.path or "/", real.query, "")
            )
            headers["Host"] = real.netloc
        request = urllib.request.Request(target, headers=headers)
        answer = Fetched(url=url, status=0, requested=url)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                answer.status = response.status
                answer.headers = list(response.getheaders())
                answer.body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            answer.status = error.code
            answer.headers = list(error.headers.items())
            answer.body = error.read(self.max_bytes + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            answer.error = str(getattr(error, "reason", error))
        self._last = time.monotonic()
        if len(answer.body) > self.max_bytes:
            answer.body = answer.body[: self.max_bytes]
            answer.error = f"body cut at {self.max_bytes} bytes"
        encoding = answer.header("Content-Encoding")
        if encoding:
            try:
                answer.body = decode_body(answer.body, encoding, self.max_bytes)
            except ValueError as error:
                answer.body, answer.error = b"", str(error)  # said in the request list
            if len(answer.body) >= self.max_bytes:
                answer.error = f"body cut at {self.max_bytes} bytes once inflated"
        self.requests.append(RequestRecord(url, answer.status, note or answer.error))
        if self.save_dir is not None and answer.status:
            site_dir = self.save_dir / real.hostname
            write_site_toml(site_dir, [real.hostname])
            self.saved.append(
                save_response(site_dir, url, answer.status, answer.headers, answer.body)
            )
        return answer


# --- pure readers -------------------------------------------------------------------


@dataclass
class PageSignals:
    """What one HTML page (and its headers) says about the site behind it."""

    title: str = ""
    site_name: str = ""
    lang: str = ""
    generator: str = ""
    wordpress: list[str] = field(default_factory=list)  # evidence, in words
    drupal: list[str] = field(default_factory=list)
    tribe_events: list[str] = field(default_factory=list)
    rest_api: str = ""  # the WordPress REST root the page names
    feeds: list[str] = field(default_factory=list)  # linked RSS/Atom feeds (not comments)
    calendars: list[str] = field(default_factory=list)  # linked iCal exports
    hreflang: dict[str, str] = field(default_factory=dict)  # language -> URL
    rel_next: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute URL, text)


def _html(text: str):
    try:
        return lxml.html.fromstring(text.encode("utf-8")) if text.strip() else None
    except (etree.ParserError, ValueError):
        return None  # not HTML at all (an empty or binary answer): no signals


def page_signals(html: str, url: str, headers: list[tuple[str, str]] = ()) -> PageSignals:
    """CMS signs, feeds, languages and links of one page, from its markup and headers."""
    signals = PageSignals()
    for name, value in headers:
        lower = name.lower()
        if lower == "link" and "api.w.org" in value:
            signals.wordpress.append("Link header rel=https://api.w.org/")
            match = re.search(r"<([^>]+)>\s*;\s*rel=\"?https://api\.w\.org/", value)
            signals.rest_api = signals.rest_api or (match.group(1) if match else "")
        elif lower == "x-generator" and "drupal" in value.lower():
            signals.drupal.append(f"X-Generator: {value}")
        elif lower.startswith("x-drupal-"):
            signals.drupal.append(f"{name} header")
        elif lower == "content-language" and not signals.lang:
            signals.lang = value.split(",")[0].strip()
    root = _html(html)
    if root is None:
        return signals
    signals.lang = (root.get("lang") or "").strip() or signals.lang
    signals.title = " ".join((root.findtext(".//title") or "").split())
    site_name = root.xpath("//meta[@property='og:site_name']/@content")
    signals.site_name = site_name[0].strip() if site_name else ""
    for generator in root.xpath("//meta[translate(@name,'GENERATOR','generator')='generator']"):
        content = generator.get("content") or ""
        signals.generator = signals.generator or content
        if "wordpress" in content.lower():
            signals.wordpress.append(f"generator {content}")
        if "drupal" in content.lower():
            signals.drupal.append(f"generator {content}")
    if root.xpath("//meta[@name='tec-api-version']"):
        signals.tribe_events.append("meta tec-api-version")
    for link in root.xpath("//link[@rel]"):
        rel = (link.get("rel") or "").lower().split()
        href = urljoin(url, link.get("href") or "")
        kind = (link.get("type") or "").lower()
        if "https://api.w.org/" in rel:
            signals.wordpress.append("<link rel=https://api.w.org/>")
            signals.rest_api = signals.rest_api or href
        if "shortlink" in rel and re.search(r"/node/\d+", href):
            signals.drupal.append(f"shortlink {urlsplit(href).path}")
        if "next" in rel:
            signals.rel_next = signals.rel_next or href
        if "alternate" in rel:
            if (
                kind in FEED_TYPES
                and "comments" not in href
                and "comments" not in (link.get("title") or "").lower()
            ):
                signals.feeds.append(href)
            elif kind == "text/calendar":
                signals.calendars.append(href)
            elif "/tribe/events/" in href:
                signals.tribe_events.append("<link> to the tribe/events REST API")
            if link.get("hreflang"):
                signals.hreflang.setdefault(link.get("hreflang"), href)
    if root.xpath("//*[@data-drupal-selector or @data-drupal-link-system-path]"):
        signals.drupal.append("data-drupal-* attributes")
    assets = " ".join(root.xpath("//link/@href | //script/@src | //img/@src"))
    if "/wp-content/" in assets or "/wp-includes/" in assets:
        signals.wordpress.append("/wp-content/ assets")
    if re.search(r"/sites/(default|all)/(files|themes)/|/core/(misc|assets)/", assets):
        signals.drupal.append("Drupal asset paths (/sites/default/files, /core/)")
    host = urlsplit(url).hostname
    for anchor in root.xpath("//a[@href]"):
        href = urljoin(url, anchor.get("href"))
        if anchor.get("hreflang"):
            signals.hreflang.setdefault(anchor.get("hreflang"), href)
        if "next" in (anchor.get("rel") or "").lower().split():
            signals.rel_next = signals.rel_next or href
        if urlsplit(href).hostname == host and urlsplit(href).scheme in ("http", "https"):
            signals.links.append((href.split("#")[0], " ".join(anchor.text_content().split())))
    node_links = {
        urlsplit(h).path for h, _ in signals.links if re.search(r"^/node/\d+$", urlsplit(h).path)
    }
    if node_links:
        signals.drupal.append(f"links to /node/N ({len(node_links)})")
    for key in ("wordpress", "drupal", "tribe_events"):
        setattr(signals, key, list(dict.fromkeys(getattr(signals, key))))
    return signals


@dataclass
class FeedInfo:
    url: str
    format: str  # "rss", "atom", "rdf"
    items: int
    newest: str | None
    generator: str = ""
    links: list[str] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)  # item URL -> published


def feed_info(body: bytes, url: str) -> FeedInfo | None:
    """What a feed holds (None when the body is not a feed): the reader is the spiders'."""
    from crawler.extract.feeds import is_feed, parse_feed

    if not is_feed(body):
        return None
    head = body[:2048].decode("utf-8", "replace").lower()
    fmt = "atom" if "<feed" in head else "rdf" if "<rdf:rdf" in head else "rss"
    items = parse_feed(body, url=url)
    match = re.search(rb"<generator[^>]*>([^<]+)</generator>", body[:20000])
    dates = {i.url: i.published for i in items if i.url and i.published}
    return FeedInfo(
        url=url,
        format=fmt,
        items=len(items),
        newest=max(dates.values(), default=None),
        generator=match.group(1).decode("utf-8", "replace").strip() if match else "",
        links=[i.url for i in items if i.url],
        dates=dates,
    )


@dataclass
class SitemapInfo:
    url: str
    kind: str  # "urlset" or "sitemapindex"
    entries: int
    newest_lastmod: str | None
    with_lastmod: int
    locs: list[str] = field(default_factory=list)
    lastmods: dict[str, str] = field(default_factory=dict)
    hreflangs: list[str] = field(default_factory=list)


def sitemap_info(body: bytes, url: str) -> SitemapInfo | None:
    """A sitemap's kind, size and dates (None when the body is not a sitemap)."""
    from crawler.extract.sitemaps import parse_sitemap

    try:
        parsed = parse_sitemap(body, base_url=url)
    except ValueError:
        return None
    lastmods = {e.loc: e.lastmod for e in parsed.entries if e.lastmod}
    hreflangs = Counter(lang for e in parsed.entries for lang in e.alternates)
    return SitemapInfo(
        url=url,
        kind=parsed.kind,
        entries=len(parsed.entries),
        newest_lastmod=max(lastmods.values(), default=None),
        with_lastmod=len(lastmods),
        locs=[e.loc for e in parsed.entries],
        lastmods=lastmods,
        hreflangs=[lang for lang, _ in hreflangs.most_common()],
    )


@dataclass
class Pager:
    pager: str  # "?page={n}" or "/page/{n}/" (appended to the listing's path)
    first_page: int  # 0 for zero-based pagers (Drupal's ?page=1 is the second page)
    example: str  # one pager URL seen


def pager_of(listing_url: str, links: list[str], rel_next: str = "") -> Pager | None:
    """The pager a listing page links to, from its page links (and rel=next)."""
    base = urlsplit(listing_url)
    path = base.path.rstrip("/")
    numbers: dict[str, list[int]] = {"query": [], "path": []}
    example = {"query": "", "path": ""}
    slash = False
    for href in [*links, rel_next]:
        if not href:
            continue
        parts = urlsplit(href)
        query = dict(parse_qsl(parts.query))
        if parts.path.rstrip("/") == path and query.get("page", "").isdigit():
            numbers["query"].append(int(query["page"]))
            example["query"] = example["query"] or href
        match = re.fullmatch(re.escape(path) + r"/page/(\d+)(/?)", parts.path)
        if match:
            numbers["path"].append(int(match.group(1)))
            example["path"] = example["path"] or href
            slash = slash or bool(match.group(2))
    if numbers["query"]:
        zero_based = 0 in numbers["query"] or (
            min(numbers["query"]) == 1 and 2 not in numbers["query"]
        )
        return Pager("?page={n}", 0 if zero_based else 1, example["query"])
    if numbers["path"]:
        return Pager("/page/{n}/" if slash else "/page/{n}", 1, example["path"])
    return None


def listing_candidates(
    home_url: str, links: list[tuple[str, str]], articles: list[str]
) -> list[tuple[str, int]]:
    """Pages of `links` that look like listings, best first, with their score.

    A listing is linked from the page, is not itself a known article, and is the direct
    parent of articles or links (``/actualites`` of ``/actualites/x``), or carries a news
    word in its path or link text. A language's home (``/en``) is not one.
    """
    article_paths = {urlsplit(a).path.rstrip("/") for a in articles}
    link_paths = [urlsplit(h).path.rstrip("/") for h, _ in links]
    scores: dict[str, int] = {}
    for (href, text), path in zip(links, link_paths, strict=True):
        if not path or path in article_paths or urlsplit(href).query:
            continue
        if re.fullmatch(r"/[a-z]{2}", path):
            continue  # a language's home ("/en"), not a listing
        children = sum(1 for p in article_paths | set(link_paths) if p.rsplit("/", 1)[0] == path)
        score = 2 * children + (
            1 if LISTING_WORDS.search(path) or LISTING_WORDS.search(text) else 0
        )
        if score:
            scores[path] = max(scores.get(path, 0), score)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass
class Evidence:
    """Where an article page declares its date and title (before any reader decides)."""

    jsonld_date: str = ""
    meta_date: str = ""
    time_datetime: str = ""
    og_title: str = ""
    h1: str = ""
    title: str = ""  # the <title> element, whitespace folded


def page_evidence(html: str) -> Evidence:
    """The first date and title of each standard kind the page carries."""
    evidence = Evidence()
    root = _html(html)
    if root is None:
        return evidence
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script)
        if match:
            evidence.jsonld_date = match.group(1)
            break
    for prop in (
        "article:published_time",
        "og:published_time",
        "date",
        "dc.date",
        "DC.date.issued",
    ):
        values = root.xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content")
        if values:
            evidence.meta_date = f"{prop}={values[0]}"
            break
    times = root.xpath("//time/@datetime")
    evidence.time_datetime = times[0] if times else ""
    og = root.xpath("//meta[@property='og:title']/@content")
    evidence.og_title = og[0].strip() if og else ""
    h1 = root.xpath("//h1")
    evidence.h1 = " ".join(h1[0].text_content().split()) if h1 else ""
    evidence.title = " ".join((root.findtext(".//title") or "").split())
    return evidence


@dataclass
class Reading:
    """What the project's page reader makes of an article page."""

    title: str | None
    published: str | None
    published_from: str | None
    modified: str | None
    language: str | None
    authors: list[str]
    body_chars: int


def read_article(html: str, url: str) -> Reading:
    """The one place the probe reads an article: the generic spiders' reader, whose date
    and title come from the page-metadata ladder (crawler/extract/page_metadata.py:
    declared evidence, the page's dateline, htmldate, the URL), as a crawl would."""
    from datetime import UTC, datetime

    from crawler.spiders.generic import extract_page

    item = extract_page(html, url, captured=datetime.now(UTC))
    return Reading(
        title=item.title,
        published=item.published,
        published_from=item.published_from,
        modified=item.modified,
        language=item.language,
        authors=list(item.authors or []),
        body_chars=len(item.body or ""),
    )


# --- the probe ----------------------------------------------------------------------


@dataclass
class Rung:
    name: str  # one of LADDERS' names
    works: bool
    url: str = ""
    detail: str = ""


@dataclass
class Listing:
    path: str
    pager: str | None
    first_page: int
    articles_linked: int
    example: str = ""


@dataclass
class Sample:
    url: str
    status: int
    reading: Reading | None
    evidence: Evidence | None
    feed_date: str | None = None
    lastmod: str | None = None


@dataclass
class ProbeReport:
    url: str
    host: str
    cms: str = "generic"  # wordpress, drupal, generic: the base spider to use
    evidence: dict[str, list[str]] = field(default_factory=dict)
    rungs: list[Rung] = field(default_factory=list)
    robots: dict = field(default_factory=dict)
    feeds: list[FeedInfo] = field(default_factory=list)
    sitemaps: list[SitemapInfo] = field(default_factory=list)
    wordpress: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    drupal: dict = field(default_factory=dict)
    listings: list[Listing] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    hreflang: dict[str, str] = field(default_factory=dict)
    language_prefixes: dict[str, str] = field(default_factory=dict)
    timezone: str = ""
    timezone_from: str = ""
    name: str = ""
    samples: list[Sample] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    budget: int = DEFAULT_BUDGET
    saved: list[str] = field(default_factory=list)

    @property
    def ladder(self) -> list[str]:
        """The rungs that work, in the order the CMS's base spider uses them."""
        working = {r.name for r in self.rungs if r.works}
        return [name for name in LADDERS[self.cms] if name in working]

    def rung(self, name: str) -> Rung | None:
        return next((r for r in self.rungs if r.name == name), None)

    def to_json(self) -> dict:
        data = asdict(self)
        data["ladder"] = self.ladder
        data["requests_used"] = len(self.requests)
        for feed in data["feeds"]:
            feed.pop("dates")
            feed["links"] = feed["links"][:5]
        for sitemap in data["sitemaps"]:
            sitemap.pop("lastmods")
            sitemap["locs"] = sitemap["locs"][:5]
        return data


def _json(answer: Fetched | None):
    if answer is None or not answer.ok:
        return None
    try:
        return json.loads(answer.body.decode("utf-8-sig", "replace"))
    except ValueError:
        return None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _zone_of(dates: list[str]) -> str:
    """A timezone guessed from the UTC offsets of the site's own dates, or ""."""
    offsets = {m.group(0) for d in dates if d for m in [re.search(r"[+-]\d\d:?\d\d$", d)] if m}
    offsets = {o.replace(":", "") for o in offsets}
    if offsets and offsets <= {"+0100", "+0200"}:
        return "Europe/Paris"
    if offsets and offsets <= {"-0700", "-0800"}:
        return "America/Los_Angeles"
    return ""


def _child_order(locs: list[str]) -> list[str]:
    def rank(loc: str) -> int:
        name = urlsplit(loc).path.rsplit("/", 1)[-1] + urlsplit(loc).query
        return next((i for i, p in enumerate(CHILD_PREFERENCE) if p.search(name)), 9)

    return sorted(locs, key=rank)


class Probe:
    """One probe of one site: the steps in the order they spend the budget."""

    def __init__(self, url: str, fetcher: Fetcher) -> None:
        if "://" not in url:
            url = "https://" + url
        parts = urlsplit(url)
        self.fetcher = fetcher
        self.start = ascii_url(url)
        self.base = f"{parts.scheme}://{ascii_host(parts.hostname or '')}" + (
            f":{parts.port}" if parts.port else ""
        )
        self.report = ProbeReport(
            url=url, host=ascii_host(parts.hostname or ""), budget=fetcher.budget
        )
        self.signals: list[PageSignals] = []
        self.article_dates: dict[str, str] = {}  # URL -> date from feed or API
        self.lastmods: dict[str, str] = {}
        self.articles: list[str] = []  # article URLs seen, best source first
        self.evidence: dict[str, list[str]] = {"wordpress": [], "drupal": [], "tribe_events": []}

    def url(self, path: str) -> str:
        return urljoin(self.base + "/", path)

    def note(self, kind: str, text: str) -> None:
        if text not in self.evidence[kind]:
            self.evidence[kind].append(text)

    def run(self) -> ProbeReport:
        self.pages()
        if not self.evidence["wordpress"] and not self.evidence["drupal"]:
            self.wordpress_index()  # WordPress answers /wp-json/ whatever the theme hides
        self.sitemaps()
        self.feeds()
        cms = self.decide()
        if cms == "wordpress":
            if "index" not in self.report.wordpress:
                self.wordpress_index()
            self.wordpress_posts()
        if self.evidence["tribe_events"]:
            self.tribe_events()
        if cms == "drupal":
            self.jsonapi()
        self.listing()
        self.decide()
        self.languages()
        self.sample()
        self.finish()
        return self.report

    # -- steps -----------------------------------------------------------------------

    def pages(self) -> None:
        """robots.txt (fetched by the Fetcher before anything else), the page, the home.

        A start page that redirects to another host (www to bare, http to https) moves
        the whole probe there: the home, the rungs and robots.txt are that host's.
        """
        urls = [self.start]
        while urls:
            url = urls.pop(0)
            answer = self.fetcher.get(url, note="page")
            if url == self.start:
                if answer is not None and answer.url != self.start:
                    final = urlsplit(answer.url)
                    self.report.host = final.hostname or self.report.host
                    self.base = f"{final.scheme}://{final.netloc}"
                if self.url("/") != url and (answer is None or answer.url != self.url("/")):
                    urls.append(self.url("/"))
            if answer is None or not answer.ok or "html" not in answer.content_type:
                continue
            signals = page_signals(answer.text, answer.url, answer.headers)
            self.signals.append(signals)
            for kind in ("wordpress", "drupal", "tribe_events"):
                for text in getattr(signals, kind):
                    self.note(kind, text)
        netloc = urlsplit(self.base).netloc
        robots = self.fetcher.robots_fetched.get(netloc)
        rules = self.fetcher.robots.get(netloc)
        self.report.robots = {
            "url": self.url("/robots.txt"),
            "status": robots.status if robots else None,
            "crawl_delay": rules.crawl_delay(self.fetcher.user_agent) if rules else None,
            "sitemaps": list(rules.sitemaps) if rules else [],
        }

    def wordpress_index(self) -> None:
        rest = next((s.rest_api for s in self.signals if s.rest_api), "") or self.url("/wp-json/")
        index = _json(self.fetcher.get(rest, note="WordPress REST index"))
        if not isinstance(index, dict) or "namespaces" not in index:
            self.report.wordpress.setdefault("index", None)
            return
        namespaces = list(index.get("namespaces") or [])
        self.report.wordpress.update(
            index=rest,
            namespaces=namespaces,
            name=index.get("name") or "",
            timezone_string=index.get("timezone_string") or "",
            gmt_offset=index.get("gmt_offset"),
        )
        self.note("wordpress", f"{_path(rest)} lists namespaces ({', '.join(namespaces[:4])}…)")
        if "tribe/events/v1" in namespaces:
            self.note("tribe_events", "REST namespace tribe/events/v1")

    def wordpress_posts(self) -> None:
        root = self.report.wordpress.get("index") or self.url("/wp-json/")
        url = root.rstrip("/") + "/wp/v2/posts"
        answer = self.fetcher.get(url, note="WordPress REST posts")
        posts = _json(answer)
        works = isinstance(posts, list)
        total = answer.header("X-WP-Total") if answer else ""
        if works:
            for post in posts:
                if isinstance(post, dict) and post.get("link"):
                    self.articles.append(post["link"])
                    when = post.get("date_gmt") or post.get("date")
                    if when:
                        self.article_dates[post["link"]] = when
        self.report.wordpress.update(
            posts=url, posts_status=answer.status if answer else None, posts_total=total
        )
        detail = f"{total or '?'} posts (X-WP-Total)" if works else self._why(answer)
        self.report.rungs.append(Rung("wp-rest", works, url, detail))

    def tribe_events(self) -> None:
        root = self.report.wordpress.get("index") or self.url("/wp-json/")
        url = root.rstrip("/") + "/tribe/events/v1/events"
        answer = self.fetcher.get(url, note="The Events Calendar REST")
        data = _json(answer)
        works = isinstance(data, dict) and "events" in data
        total = (answer.header("X-TEC-Total") if answer else "") or (
            str(data.get("total", "")) if works else ""
        )
        self.report.events["rest"] = url if works else None
        self.report.events["total"] = total
        detail = f"{total or '?'} upcoming events" if works else self._why(answer)
        self.report.rungs.append(Rung("tribe-events-rest", works, url, detail))
        calendars = [c for s in self.signals for c in s.calendars]
        ical = calendars[0] if calendars else self.url("/events/?ical=1")
        answer = self.fetcher.get(ical, note="iCal export")
        works = bool(answer and answer.ok and answer.body.lstrip().startswith(b"BEGIN:VCALENDAR"))
        count = answer.body.count(b"BEGIN:VEVENT") if works else 0
        self.report.events["ical"] = ical if works else None
        self.report.rungs.append(
            Rung("ical", works, ical, f"{count} events" if works else self._why(answer))
        )

    def feeds(self) -> None:
        """The linked feeds (two at most), else the CMS's usual places until one answers."""
        linked = list(dict.fromkeys(f for s in self.signals for f in s.feeds))
        guesses = [self.url(p) for p in FEED_GUESSES[self.decide(final=False)]]
        for url in linked[:2] or guesses:
            answer = self.fetcher.get(url, note="feed")
            info = feed_info(answer.body, answer.url) if answer and answer.ok else None
            if info is None:
                continue
            self.report.feeds.append(info)
            if "wordpress" in info.generator.lower():
                self.note("wordpress", f"feed generator {info.generator}")
            if "drupal" in info.generator.lower():
                self.note("drupal", f"feed generator {info.generator}")
            self.article_dates.update(info.dates)
            self.articles.extend(link for link in info.links if self._own(link))
            if not linked:
                break  # one guessed feed is enough
        if self.report.feeds:
            best = self.report.feeds[0]
            detail = f"{best.format}, {best.items} items, newest {best.newest or 'undated'}"
            self.report.rungs.append(Rung("feed", True, best.url, detail))
        else:
            where = ", ".join(_path(u) for u in (linked[:2] or guesses))
            self.report.rungs.append(Rung("feed", False, "", f"no feed at {where}"))

    def sitemaps(self) -> None:
        declared = self.report.robots.get("sitemaps") or []
        candidates = declared[:1] or [
            self.url(p) for p in SITEMAP_GUESSES[self.decide(final=False)]
        ]
        top = None
        for url in candidates:
            answer = self.fetcher.get(url, note="sitemap")
            top = sitemap_info(answer.body, answer.url) if answer and answer.ok else None
            if top is not None:
                break
        if top is None:
            where = ", ".join(_path(u) for u in candidates)
            self.report.rungs.append(Rung("sitemap", False, "", f"no sitemap at {where}"))
            return
        self.report.sitemaps.append(top)
        self._sitemap_signs(top)
        urlset = top
        if top.kind == "sitemapindex":
            urlset = None
            for child in _child_order(top.locs)[:3]:
                answer = self.fetcher.get(child, note="child sitemap")
                info = sitemap_info(answer.body, answer.url) if answer and answer.ok else None
                if info is not None:
                    self.report.sitemaps.append(info)
                    self._sitemap_signs(info)
                    urlset = info
                    break
        if urlset is not None:
            self.lastmods.update(urlset.lastmods)
        detail = f"{top.kind}, {top.entries} entries, newest lastmod {top.newest_lastmod or 'none'}"
        if urlset is not None and urlset is not top:
            newest = urlset.newest_lastmod or "none"
            detail += f"; {_path(urlset.url)}: {urlset.entries} URLs, newest {newest}"
        self.report.rungs.append(Rung("sitemap", True, top.url, detail))

    def _sitemap_signs(self, info: SitemapInfo) -> None:
        names = " ".join(urlsplit(loc).path for loc in info.locs)
        if info.kind == "sitemapindex":
            if "tribe_events-sitemap" in names or "wp-sitemap-posts-tribe_events" in names:
                self.note("tribe_events", "sitemap of tribe_events")
                self.note("wordpress", "sitemap of tribe_events (a WordPress plugin)")
            if "/wp-sitemap-" in names:
                self.note("wordpress", "WordPress core sitemaps (wp-sitemap-*.xml)")
            if (
                all(
                    urlsplit(loc).path == urlsplit(info.url).path and "page=" in urlsplit(loc).query
                    for loc in info.locs[:3]
                )
                and info.locs
            ):
                self.note("drupal", "sitemap index paged as sitemap.xml?page=N (Drupal xmlsitemap)")
        nodes = sum(1 for loc in info.locs if re.search(r"/node/\d+$", urlsplit(loc).path))
        if nodes:
            self.note("drupal", f"sitemap lists /node/N URLs ({nodes})")

    def jsonapi(self) -> None:
        url = self.url("/jsonapi")
        answer = self.fetcher.get(url, note="Drupal JSON:API")
        data = _json(answer)
        works = isinstance(data, dict) and ("jsonapi" in data or "links" in data)
        self.report.drupal["jsonapi"] = url if works else None
        detail = "JSON:API root answers" if works else self._why(answer)
        self.report.rungs.append(Rung("jsonapi", works, url, detail))

    def listing(self) -> None:
        links = [pair for s in self.signals for pair in s.links]
        home = self.url("/")
        found: list[Listing] = []
        candidates = listing_candidates(home, links, self.articles)
        home_pager = None
        if self.signals:
            first = self.signals[0]
            home_pager = pager_of(home, [h for h, _ in first.links], first.rel_next)
        if self.report.cms == "wordpress" and home_pager is not None:
            candidates = []  # WordPress's own listing is the home page and its /page/N/
        if candidates and self.fetcher.left > 1:
            path = candidates[0][0]
            answer = self.fetcher.get(self.url(path), note="listing")
            if answer and answer.ok and "html" in answer.content_type:
                signals = page_signals(answer.text, answer.url, answer.headers)
                self.signals.append(signals)
                hrefs = [h for h, _ in signals.links]
                children = {
                    h
                    for h in hrefs
                    if urlsplit(h).path.startswith(path.rstrip("/") + "/")
                    and not urlsplit(h).query
                    and not re.search(r"/page/\d+/?$", urlsplit(h).path)
                }
                pager = pager_of(answer.url, hrefs, signals.rel_next)
                self.articles.extend(sorted(children - set(self.articles)))
                found.append(
                    Listing(
                        path,
                        pager.pager if pager else None,
                        pager.first_page if pager else 1,
                        len(children),
                        pager.example if pager else "",
                    )
                )
        if home_pager is not None:
            pager = home_pager
            found.append(Listing("/", pager.pager, pager.first_page, 0, pager.example))
        self.report.listings = found
        usable = [item for item in found if item.pager or item.articles_linked]
        if usable:
            best = usable[0]
            pager = best.pager or "none seen"
            detail = f"{best.path} ({best.articles_linked} articles linked), pager {pager}"
            self.report.rungs.append(Rung("listing", True, self.url(best.path), detail))
        else:
            self.report.rungs.append(Rung("listing", False, "", "no listing page found"))

    def decide(self, final: bool = True) -> str:
        """The CMS the evidence points to: a WordPress sign wins (its REST API is the best
        rung there is), then Drupal's; otherwise the generic ladder."""
        cms = (
            "wordpress"
            if self.evidence["wordpress"]
            else "drupal"
            if self.evidence["drupal"]
            else "generic"
        )
        if final:
            self.report.cms = cms
            self.report.evidence = {k: list(v) for k, v in self.evidence.items() if v}
        return cms

    def languages(self) -> None:
        langs: list[str] = []
        hreflang: dict[str, str] = {}
        for signals in self.signals:
            if signals.lang:
                langs.append(signals.lang)
            for lang, url in signals.hreflang.items():
                hreflang.setdefault(lang, url)
        for info in self.report.sitemaps:
            langs.extend(info.hreflangs)
        langs.extend(hreflang)
        codes = [
            re.split(r"[-_]", lang)[0].lower() for lang in langs if lang and lang != "x-default"
        ]
        self.report.languages = [c for c in dict.fromkeys(codes) if re.fullmatch(r"[a-z]{2}", c)]
        self.report.hreflang = hreflang
        prefixes = {}
        for lang, url in hreflang.items():
            code = re.split(r"[-_]", lang)[0].lower()
            path = urlsplit(url).path.rstrip("/")
            if urlsplit(url).hostname == self.report.host and re.fullmatch(r"(/[a-z]{2})?", path):
                prefixes.setdefault(code, path)
        if len(prefixes) > 1:
            self.report.language_prefixes = prefixes
        zone = self.report.wordpress.get("timezone_string") or ""
        if zone:
            self.report.timezone, self.report.timezone_from = zone, "WordPress REST index"
        else:
            # sitemaps keep the site's own offsets; feeds are often rewritten in UTC
            guess = _zone_of(list(self.lastmods.values())) or _zone_of(
                list(self.article_dates.values())
            )
            if guess:
                self.report.timezone, self.report.timezone_from = (
                    guess,
                    "UTC offsets of the site's dates",
                )
        names = [self.report.wordpress.get("name") or ""] + [s.site_name for s in self.signals]
        titles = [s.title.split(" | ")[-1].split(" – ")[0] for s in self.signals if s.title]
        self.report.name = next((n for n in [*names, *titles] if n), self.report.host)

    def sample(self) -> None:
        listing_paths = {item.path.rstrip("/") for item in self.report.listings}
        candidates = list(self.articles)
        urlset = [s for s in self.report.sitemaps if s.kind == "urlset"]
        if urlset:
            by_date = sorted(
                urlset[-1].lastmods, key=lambda u: urlset[-1].lastmods[u], reverse=True
            )
            candidates += by_date + urlset[-1].locs
        chosen: list[str] = []
        for url in candidates:
            path = urlsplit(url).path.rstrip("/")
            if not self._own(url) or path in ("", *listing_paths) or url in chosen:
                continue
            chosen.append(url)
            if len(chosen) == MAX_SAMPLES:
                break
        for url in chosen:
            answer = self.fetcher.get(url, note="article sample")
            if answer is None:
                continue
            reading = evidence = None
            if answer.ok and "html" in answer.content_type:
                reading = read_article(answer.text, answer.url)
                evidence = page_evidence(answer.text)
            self.report.samples.append(
                Sample(
                    url=url,
                    status=answer.status,
                    reading=reading,
                    evidence=evidence,
                    feed_date=self.article_dates.get(url),
                    lastmod=self.lastmods.get(url),
                )
            )

    def finish(self) -> None:
        self.report.requests = list(self.fetcher.requests)
        self.report.skipped = list(self.fetcher.skipped)
        self.report.saved = [str(p) for p in self.fetcher.saved]
        order = {name: i for i, name in enumerate(LADDERS[self.report.cms])}
        self.report.rungs.sort(key=lambda r: order.get(r.name, 99))

    # -- helpers ---------------------------------------------------------------------

    def _own(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        mine = self.report.host
        return host == mine or host.removeprefix("www.") == mine.removeprefix("www.")

    @staticmethod
    def _why(answer: Fetched | None) -> str:
        if answer is None:
            return "not fetched (robots.txt or budget)"
        if answer.status == 0:
            return f"no answer ({answer.error})"
        return (
            f"HTTP {answer.status}"
            if not answer.ok
            else f"not the expected format ({answer.content_type})"
        )


def probe(url: str, fetcher: Fetcher) -> ProbeReport:
    """Probe one site through `fetcher` (which holds the budget, robots rules, routing)."""
    return Probe(url, fetcher).run()


# --- what the maintainer gets ---------------------------------------------------------


def source_id_for(host: str) -> str:
    """A registry id from a host: "www.nice-cote-azur.fr" -> "nice_cote_azur"."""
    name = host.removeprefix("www.").rsplit(".", 1)[0]
    ident = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return ident if re.match(r"[a-z]", ident) else f"site_{ident}"


def _article_pattern(report: ProbeReport, articles: list[str]) -> re.Pattern | None:
    """'^/actualites/[^/]+/?$' when the articles seen share at most three parent paths."""
    parents = sorted(
        {urlsplit(a).path.rstrip("/").rsplit("/", 1)[0] for a in articles if urlsplit(a).hostname}
    )
    parents = [p for p in parents if p]
    if not parents or len(parents) > 3:
        return None
    alternatives = "|".join(re.escape(p.lstrip("/")) for p in parents)
    group = alternatives if len(parents) == 1 else f"(?:{alternatives})"
    return re.compile(f"^/{group}/[^/]+/?$")


def spider_attributes(report: ProbeReport) -> dict[str, object]:
    """The base spider's attributes the probe found, for the block's [<id>.spider] table.

    Only what differs from the base spider's defaults, or what it cannot guess (the
    generic ladder's feeds and listings); each value has the type configured.py wants.
    """
    from crawler.spiders.configured import BASES, settable_attributes
    from crawler.spiders.generic import Listing as SpiderListing

    defaults = settable_attributes(BASES[report.cms])
    feeds = [_path(f.url) for f in report.feeds]
    sitemap = next((_path(s.url) for s in report.sitemaps), None)
    listings = [item for item in report.listings if item.path != "/" and item.articles_linked]
    articles = [s.url for s in report.samples if s.status == 200]
    found: dict[str, object] = {}
    if report.cms == "wordpress":
        if feeds and feeds[0] != defaults["feed_path"]:
            found["feed_path"] = feeds[0]
        if sitemap and sitemap not in defaults["sitemap_paths"]:
            found["sitemap_paths"] = (sitemap,)
        if report.language_prefixes:
            found["language_prefixes"] = dict(report.language_prefixes)
        return found
    if feeds and tuple(feeds) != defaults["feed_paths"]:
        found["feed_paths"] = tuple(feeds)
    if sitemap and sitemap != defaults["sitemap_path"]:
        found["sitemap_path"] = sitemap
    if report.cms == "drupal":
        if listings:
            found["listing_paths"] = tuple(item.path for item in listings)
    elif listings:
        found["listings"] = tuple(
            SpiderListing(item.path, item.pager or "?page={n}", item.first_page)
            for item in listings
        )
    pattern = _article_pattern(report, articles)
    if pattern is not None:
        found["article_path_pattern"] = pattern
    return found


def new_source_for(report: ProbeReport, source_id: str | None = None, **overrides):
    """A scaffold `NewSource` prefilled from the probe (cms, hosts, languages, timezone,
    kinds, the spider attributes found); `overrides` are new_source()'s own arguments."""
    from partnews.scaffold import new_source

    kinds = (
        ("news", "events")
        if report.rung("tribe-events-rest") and report.rung("tribe-events-rest").works
        else ("news",)
    )
    french = report.timezone == "Europe/Paris" or report.languages[:1] == ["fr"]
    values = {
        # the scaffold's default side is by host (.fr); a French site on .com is ours too
        "side": "Région Sud" if french else None,
        "languages": report.languages or None,
        "timezone": report.timezone or None,
        "kinds": kinds,
        "found": tuple(spider_attributes(report).items()),
        "probed": True,
        "note": f"Found by `partnews probe {report.url}` in {len(report.requests)} requests: "
        "check each line.",
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return new_source(
        source_id or source_id_for(report.host),
        report.cms,
        report.name or report.host,
        f"https://{report.host}/",
        **values,
    )


def source_block(report: ProbeReport, source_id: str | None = None) -> str:
    """A ready crawler/sources.toml block for the probed site."""
    from partnews.scaffold import registry_block

    return registry_block(new_source_for(report, source_id))


def format_report(report: ProbeReport, source_id: str | None = None) -> str:
    """The short human report: what works, what the pages give, the registry block."""
    lines = [f"{report.url}: {report.cms}"]
    for kind, items in report.evidence.items():
        lines.append(f"  {kind.replace('_', ' ')}: {'; '.join(items)}")
    robots = report.robots
    lines.append(
        f"  robots.txt: HTTP {robots.get('status')}, "
        f"Crawl-delay {robots.get('crawl_delay') or 'none'}, "
        f"Sitemap lines {len(robots.get('sitemaps') or [])}"
    )
    lines.append(
        f"\nLadder ({report.cms} base spider, best first): "
        + (" → ".join(report.ladder) or "nothing works")
    )
    for rung in report.rungs:
        mark = "ok " if rung.works else "no "
        lines.append(
            f"  {mark} {rung.name:18} {_path(rung.url) if rung.url else '':32} {rung.detail}"
        )
    if report.listings:
        lines.append("\nListings:")
        for item in report.listings:
            first = f", first page {item.first_page}" if item.pager == "?page={n}" else ""
            lines.append(
                f"  {item.path}  pager {item.pager or 'none seen'}{first}, "
                f"{item.articles_linked} articles linked"
            )
    lines.append(
        f"\nLanguages: {', '.join(report.languages) or 'unknown'}"
        + (
            f"; hreflang {', '.join(f'{k} {_path(v)}' for k, v in report.hreflang.items())}"
            if report.hreflang
            else ""
        )
    )
    lines.append(
        f"Timezone: {report.timezone or 'unknown'}"
        + (f" ({report.timezone_from})" if report.timezone_from else "")
    )
    if report.samples:
        lines.append("\nArticle pages (what the page reader gives, and what the page declares):")
    for sample in report.samples:
        lines.append(f"  {sample.url}  HTTP {sample.status}")
        reading, evidence = sample.reading, sample.evidence
        if reading is None:
            continue
        lines.append(
            f"    date   {reading.published or 'none'} from {reading.published_from or 'nothing'}"
        )
        known = [
            f"feed/API {sample.feed_date}" if sample.feed_date else "",
            f"lastmod {sample.lastmod}" if sample.lastmod else "",
        ]
        declared = [
            f"JSON-LD {evidence.jsonld_date}" if evidence.jsonld_date else "",
            f"meta {evidence.meta_date}" if evidence.meta_date else "",
            f"<time> {evidence.time_datetime}" if evidence.time_datetime else "",
        ]
        if any(known + declared):
            lines.append(
                f"           page declares: {', '.join(d for d in declared if d) or 'nothing'}; "
                f"elsewhere: {', '.join(k for k in known if k) or 'nothing'}"
            )
        places = (("og:title", evidence.og_title), ("h1", evidence.h1), ("<title>", evidence.title))
        if not reading.published:
            lines.append(
                "           ! no date the page reader can read: find the page's dateline and "
                "give it as dateline_css (or time_css) in the spider table"
            )
        same = [name for name, value in places if value and value == reading.title]
        title_from = "same as " + ", ".join(same) if same else "JSON-LD or a cleaned <title>"
        lines.append(f"    title  {reading.title or 'none'} ({title_from})")
        lines.append(
            f"    body   {reading.body_chars} characters (trafilatura, "
            f"crawler/extract/article.py); language {reading.language or 'unknown'}"
        )
    skipped = Counter(s.reason for s in report.skipped)
    lines.append(
        f"\nRequests: {len(report.requests)} of a budget of {report.budget}"
        + (
            f"; not fetched: {', '.join(f'{n} ({r})' for r, n in skipped.items())}"
            if skipped
            else ""
        )
    )
    for request in report.requests:
        lines.append(f"  {request.status or '---'} {request.url}  {request.note}")
    if report.saved:
        lines.append(
            f"Saved {len(report.saved)} responses (recorded/ in the mirror's site layout)."
        )
    lines.append("\ncrawler/sources.toml block:\n")
    lines.append(source_block(report, source_id))
    return "\n".join(lines)
