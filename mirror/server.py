"""The local mirror's HTTP server: real HTTP on 127.0.0.1 for the mirrored sites.

Tests and the demo crawl the real URLs; a download handler sends them here with the
real Host header. This module owns HTTP itself (routing by Host, ETag, Last-Modified,
304, HEAD, Content-Length, fault injection, the request log) so that every site only
turns a `MirrorRequest` into a `MirrorResponse`. Standard library only.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import socket
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from mirror.dates import http_date
from mirror.recorded import RecordedMirrorResponse, send_recorded
from mirror.site import (
    Fault,
    MirrorConfig,
    MirrorRequest,
    MirrorResponse,
    MirrorSite,
)
from mirror.sites import load_sites


@dataclass(frozen=True)
class RequestRecord:
    """One served request, as tests count them."""

    method: str
    host: str  # the real hostname the request was routed to ("" when none matched)
    path: str  # path with query string, as requested
    status: int  # 0 when the connection was reset without an answer
    time: float  # time.time() when the answer was sent
    fault: str = ""  # the injected fault's label (Fault.label), "" when none fired


class RequestLog:
    """A thread-safe list of served requests (the server answers from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def records(self) -> list[RequestRecord]:
        """A snapshot copy, safe to iterate while the server keeps answering."""
        with self._lock:
            return list(self._records)

    def count(self, path: str | None = None, host: str | None = None) -> int:
        """How many requests had exactly this path (with query) and/or host."""
        return sum(
            1
            for r in self.records()
            if (path is None or r.path == path) and (host is None or r.host == host)
        )

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self):
        return iter(self.records())


def etag_for(body: bytes) -> str:
    """A strong validator: the quoted hash of the exact bytes served."""
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored, "*" matches all."""
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in candidates)


def not_modified_since(if_modified_since: str, last_modified: datetime | None) -> bool:
    """True when the resource has not changed since the client's copy (second precision)."""
    if last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as servers do
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if last_modified.tzinfo is None:
        last_modified = last_modified.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def is_not_modified(headers: dict[str, str], etag: str, last_modified: datetime | None) -> bool:
    """HTTP's precedence: If-None-Match decides alone when present (RFC 7232 §6)."""
    if "if-none-match" in headers:
        return etag_matches(headers["if-none-match"], etag)
    if "if-modified-since" in headers:
        return not_modified_since(headers["if-modified-since"], last_modified)
    return False


def plain_page(status: int, message: str) -> MirrorResponse:
    """The server's own CMS-neutral page (unknown host, 404 from a site, injected errors)."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = (
        f"<!DOCTYPE html>\n<html><head><title>{status} {phrase}</title></head>"
        f"<body><h1>{phrase}</h1><p>{html.escape(message)}</p></body></html>\n"
    )
    return MirrorResponse(status=status, body=body.encode())


def redirect_to_itself(host: str, path_with_query: str) -> MirrorResponse:
    """A 302 whose Location is the URL just asked for: a redirect loop a client must stop."""
    location = f"https://{host}{path_with_query}"
    body = f'<!DOCTYPE html><html><body><a href="{html.escape(location)}">moved</a></body></html>'
    return MirrorResponse(status=302, body=body.encode(), headers={"Location": location})


def chunks(data: bytes, count: int) -> list[bytes]:
    """`data` cut into about `count` pieces (a slow body's writes)."""
    size = max(1, -(-len(data) // max(1, count)))
    return [data[i : i + size] for i in range(0, len(data), size)]


_BOMBS: dict[int, bytes] = {}
_BOMBS_LOCK = threading.Lock()


def gzip_bomb(inflated_size: int) -> bytes:
    """A gzip stream of `inflated_size` spaces (about 1000 times smaller), made once per
    size: the classic decompression bomb a client must refuse to inflate."""
    with _BOMBS_LOCK:
        if inflated_size not in _BOMBS:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
            block = b" " * (1 << 20)
            parts, left = [], inflated_size
            while left > 0:
                parts.append(compressor.compress(block[: min(left, len(block))]))
                left -= len(block)
            parts.append(compressor.flush())
            _BOMBS[inflated_size] = b"".join(parts)
        return _BOMBS[inflated_size]


INVALID_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\x28"


def alter_body(response: MirrorResponse, fault: Fault) -> MirrorResponse:
    """The response with the fault's body changes: re-encoded, corrupted, padded, or
    replaced by a gzip bomb (the declared Content-Type is left as it was)."""
    body = response.body
    if fault.encode_as:
        body = body.decode("utf-8", "replace").encode(fault.encode_as, "replace")
    if fault.corrupt_utf8:
        middle = len(body) // 2
        body = body[:middle] + INVALID_UTF8 + body[middle:]
    if fault.pad_to and len(body) < fault.pad_to:
        filler = fault.pad_to - len(body) - 7
        body = body + b"<!--" + b"x" * max(0, filler) + b"-->"
    headers = dict(response.headers)
    if fault.gzip_bomb:
        body = gzip_bomb(fault.gzip_bomb)
        headers["Content-Encoding"] = "gzip"
    return MirrorResponse(
        status=response.status,
        body=body,
        content_type=response.content_type,
        headers=headers,
        last_modified=response.last_modified,
    )


class FaultInjector:
    """Decides, per request, which `Fault` rule (if any) applies; thread-safe and seeded."""

    def __init__(self, faults: list[Fault], seed: int) -> None:
        self._faults = list(faults)
        self._fired = [0] * len(self._faults)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def pick(self, host: str, path_with_query: str) -> Fault | None:
        """The first matching rule that is still armed and wins its probability draw."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.host is not None and fault.host.lower() != host:
                    continue
                if not re.search(fault.path, path_with_query):
                    continue
                if fault.times is not None and self._fired[index] >= fault.times:
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                self._fired[index] += 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    """Turns raw HTTP into MirrorRequests; `server.mirror` is the owning MirrorServer."""

    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.mirror.answer(self)

    def do_HEAD(self) -> None:  # noqa: N802
        self.mirror.answer(self)

    @property
    def mirror(self) -> MirrorServer:
        return self.server.mirror  # type: ignore[attr-defined]

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if self.mirror.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class MirrorServer:
    """Serve every mirrored site over HTTP; start() in a thread for tests, or serve_forever()."""

    def __init__(
        self,
        config: MirrorConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.verbose = verbose
        self.requests = RequestLog()
        self.faults = FaultInjector(config.faults, config.seed)
        self._sites: list[MirrorSite] = [*config.extra_sites, *load_sites(config)]
        self._sites_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:8001 (the real port once bound)."""
        return f"http://{self.host}:{self.port}"

    @property
    def sites(self) -> list[MirrorSite]:
        with self._sites_lock:
            return list(self._sites)

    def bind(self) -> None:
        """Open the listening socket now (start() does it); sets the real port when 0."""
        if self._httpd is None:
            self._httpd = _Server((self.host, self.port), _Handler)
            self._httpd.mirror = self  # type: ignore[attr-defined]
            self.port = self._httpd.server_address[1]

    def start(self) -> str:
        """Serve in a background thread; returns the base URL."""
        self.bind()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="mirror-server", daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI)."""
        self.bind()
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MirrorServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def reload(self) -> None:
        """Re-read every site's content from disk (tests edit content between crawls)."""
        sites = [*self.config.extra_sites, *load_sites(self.config)]
        with self._sites_lock:
            self._sites = sites

    # -- routing ---------------------------------------------------------------------

    def site_for(self, host: str) -> MirrorSite | None:
        for site in self.sites:
            if host in site.hosts:
                return site
        return None

    def route(self, host_header: str, raw_path: str) -> tuple[str, str, MirrorSite | None]:
        """(real host, path with query, site): by Host, else by the first path segment.

        A person browsing http://127.0.0.1:8001/www.france-sandiego.org/feed/ has no
        real Host header to send, so the first segment names the host instead.
        """
        host = host_header.strip().lower().rsplit(":", 1)[0] if "]" not in host_header else ""
        site = self.site_for(host)
        if site is not None:
            return host, raw_path, site
        path, separator, query = raw_path.partition("?")
        segment, _, rest = path.lstrip("/").partition("/")
        site = self.site_for(segment.lower())
        if site is None:
            return host, raw_path, None
        return segment.lower(), "/" + rest + separator + query, site

    def index_page(self) -> MirrorResponse:
        """What a person browsing http://127.0.0.1:PORT/ sees: the mirrored sites."""
        items = "".join(
            f'<li><a href="/{h}/">{h}</a> ({", ".join(site.hosts)})</li>'
            for site in self.sites
            for h in site.hosts[:1]
        )
        body = (
            "<!DOCTYPE html>\n<html><head><title>partnews mirror</title></head><body>"
            f"<h1>partnews mirror</h1><p>Today is {self.config.today.isoformat()}.</p>"
            f"<ul>{items}</ul></body></html>\n"
        )
        return MirrorResponse(body=body.encode())

    def respond(
        self, method: str, host: str, path_with_query: str, site: MirrorSite | None, headers
    ) -> MirrorResponse:
        """The MirrorResponse for one routed request, before conditional handling."""
        split = urlsplit(path_with_query)
        if site is None:
            if split.path == "/":
                return self.index_page()
            return plain_page(404, f"No mirrored site for host {host!r}.")
        request = MirrorRequest(
            method=method,
            host=host,
            path=unquote(split.path) or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
        )
        response = site.handle(request)
        if response is None:
            return plain_page(404, "The requested URL was not found on this server.")
        return response

    # -- HTTP ------------------------------------------------------------------------

    def answer(self, handler: _Handler) -> None:
        """Serve one request on `handler`, applying faults, validators and HEAD."""
        method = handler.command
        headers = {name.lower(): value for name, value in handler.headers.items()}
        host, path, site = self.route(headers.get("host", ""), handler.path)
        fault = self.faults.pick(host, path) if site is not None else None
        label = fault.label if fault is not None else ""
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.reset:
            self._log(method, host, path, 0, label)
            self._reset(handler)
            return
        if fault is not None and fault.redirect_loop:
            response = redirect_to_itself(host, path)
        elif fault is not None and fault.status is not None:
            response = plain_page(fault.status, "Injected fault.")
            if fault.retry_after is not None:
                response.headers["Retry-After"] = str(fault.retry_after)
        else:
            response = self.respond(method, host, path, site, headers)
        if fault is None and isinstance(response, RecordedMirrorResponse):
            # a real site's answer: its own headers and validators, nothing of ours
            status = response.status
            if status == 200 and is_not_modified(headers, response.etag, response.last_modified):
                status = 304
            self._log(method, host, path, status, label)
            send_recorded(handler, method, response, status)
            return
        if fault is not None:
            response = alter_body(response, fault)
        status = response.status
        etag = etag_for(response.body)
        if status == 200 and is_not_modified(headers, etag, response.last_modified):
            status = 304
        # logged before writing, so a client that has read the answer finds it in the log
        self._log(method, host, path, status, label)
        self._send(handler, method, response, status, etag, fault)

    def _send(
        self,
        handler: _Handler,
        method: str,
        response: MirrorResponse,
        status: int,
        etag: str,
        fault: Fault | None = None,
    ) -> None:
        """Write status, headers and body (none for HEAD and 304; half when truncating,
        in slow pieces when trickling)."""
        body = response.body
        truncate = fault is not None and fault.truncate
        handler.send_response(status)
        if status != 304:
            content_type = response.content_type
            if fault is not None and fault.content_type is not None:
                content_type = fault.content_type
            if content_type:
                handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        if status in (200, 304):
            handler.send_header("ETag", etag)
            if response.last_modified is not None:
                handler.send_header("Last-Modified", http_date(response.last_modified))
        if truncate:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if method != "HEAD" and status != 304:
            sent = body[: len(body) // 2] if truncate else body
            try:
                if fault is not None and fault.trickle:
                    for piece in chunks(sent, fault.trickle_chunks):
                        handler.wfile.write(piece)
                        handler.wfile.flush()
                        time.sleep(fault.trickle)
                else:
                    handler.wfile.write(sent)
            except OSError:
                # the client gave up (its timeout, its size limit): nothing more to send
                handler.close_connection = True
                return
        handler.wfile.flush()

    def _reset(self, handler: _Handler) -> None:
        """Abort the TCP connection (RST) so the client sees a reset, not an answer."""
        handler.close_connection = True
        try:
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        except OSError:
            pass
        handler.connection.close()

    def _log(self, method: str, host: str, path: str, status: int, fault: str = "") -> None:
        self.requests.append(RequestRecord(method, host, path, status, time.time(), fault))
