"""The contract between the mirror's HTTP server and the sites it reproduces.

A mirror site is an object that answers requests for one real website (all of its
hostnames) the way that site's CMS does: same URL shapes, same markup, same API
responses. The server (partnews.mirror.server) owns HTTP itself: routing by Host,
ETag / Last-Modified / 304, HEAD, content length, fault injection. A site only turns
a `MirrorRequest` into a `MirrorResponse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class MirrorRequest:
    method: str  # "GET" or "HEAD"
    host: str  # the real hostname asked for, lower case, no port ("www.france-sandiego.org")
    path: str  # percent-decoded path, always starting with "/"
    query: dict[str, list[str]]  # parsed query string (parse_qs, keep_blank_values=True)
    headers: dict[str, str]  # request headers, names lower case


@dataclass
class MirrorResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)  # extra headers (Location, X-WP-Total…)
    # When the resource last changed; the server sends it as Last-Modified and answers
    # If-Modified-Since with it. None: the server sends no Last-Modified.
    last_modified: datetime | None = None


@dataclass
class MirrorConfig:
    """What every site may read: where the fixture tree is and what "today" is."""

    sites_dir: Path
    # The fixed "today" of the mirror (upcoming vs past events). Tests set it.
    today: date = date(2025, 6, 1)


class MirrorSite(Protocol):
    # Every real hostname this site answers for, e.g. ("www.france-sandiego.org", "france-sandiego.org").
    hosts: tuple[str, ...]

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        """Answer one request; None means 404 (the server renders the CMS-neutral 404)."""
        ...
