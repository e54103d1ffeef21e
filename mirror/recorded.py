"""Serve responses recorded from the real sites, exactly as they were recorded.

A site folder whose ``site.toml`` says ``cms = "recorded"`` is served from its
``recorded/`` directory only (written by ``partnews probe --save``, format in
partnews/recorded.py): the recorded status, headers and body, 404 for anything else.
A folder of another CMS that also holds a ``recorded/`` directory is served
recorded-first (`RecordedOverlay`), so a maintainer can replace our invented pages with
the real site's one URL at a time.

The server frames a recorded answer itself (Content-Length) and adds nothing else: no
Date, no Server, no ETag of its own. Conditional requests use the validators the real
site sent (its ETag and Last-Modified), and only those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from mirror.site import MirrorConfig, MirrorRequest, MirrorResponse, MirrorSite
from partnews.recorded import RecordedResponse, RequestKey, load_responses


@dataclass
class RecordedMirrorResponse(MirrorResponse):
    """A MirrorResponse that the server sends with `raw_headers`, verbatim and in order.

    `content_type`, `headers` and `last_modified` are filled too, so that a fault rule
    (which rebuilds the response) still serves something sensible.
    """

    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def etag(self) -> str:
        """The recorded ETag without its W/ prefix (the server's weak comparison), or ""."""
        value = next((v for k, v in self.raw_headers if k.lower() == "etag"), "")
        return value.strip().removeprefix("W/")


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # a malformed Last-Modified is sent as recorded but cannot validate


def as_mirror_response(recorded: RecordedResponse) -> RecordedMirrorResponse:
    headers = list(recorded.headers)
    return RecordedMirrorResponse(
        status=recorded.status,
        body=recorded.body,
        content_type=recorded.header("Content-Type") or "",
        headers={k: v for k, v in headers if k.lower() != "content-type"},
        last_modified=_parse_http_date(recorded.header("Last-Modified")),
        raw_headers=headers,
    )


def request_key_of(request: MirrorRequest) -> RequestKey:
    pairs = tuple(sorted((k, v) for k, values in request.query.items() for v in values))
    return request.path, pairs


class RecordedSite:
    """A site made only of recorded answers (``cms = "recorded"``); 404 for the rest."""

    def __init__(self, config: MirrorConfig, folder: Path, hosts: tuple[str, ...]) -> None:
        self.config = config
        self.folder = Path(folder)
        self.hosts = hosts
        self.responses: dict[RequestKey, RecordedResponse] = {
            recorded.key: recorded for recorded in load_responses(self.folder)
        }

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        recorded = self.responses.get(request_key_of(request))
        return as_mirror_response(recorded) if recorded is not None else None


class RecordedOverlay:
    """An invented site with some real pages recorded over it: the recording wins."""

    def __init__(self, recorded: RecordedSite, inner: MirrorSite) -> None:
        self.recorded = recorded
        self.inner = inner
        self.hosts = inner.hosts

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        return self.recorded.handle(request) or self.inner.handle(request)

    def __getattr__(self, name: str):
        # tests and tools reach into the invented site (its posts, its settings)
        if name == "inner":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)


def with_recordings(site: MirrorSite, config: MirrorConfig, folder: Path) -> MirrorSite:
    """The site itself, or the site under its folder's recordings when it has any."""
    if isinstance(site, RecordedSite) or not (Path(folder) / "recorded").is_dir():
        return site
    return RecordedOverlay(RecordedSite(config, folder, site.hosts), site)


def send_recorded(handler, method: str, response: RecordedMirrorResponse, status: int) -> None:
    """Write a recorded answer: its status, its own headers in order, our framing only."""
    handler.send_response_only(status)
    for name, value in response.raw_headers:
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(response.body)))
    handler.end_headers()
    if method != "HEAD" and status != 304:
        try:
            handler.wfile.write(response.body)
        except OSError:
            handler.close_connection = True  # the client gave up: nothing more to send
            return
    handler.wfile.flush()
