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
class Fault:
    """One fault-injection rule: make matching requests fail the way real servers do.

    The server checks the rules in order and applies the first that matches (path regex
    searched in the path with its query string, optional host, probability drawn from
    a seeded RNG, and `times` left). The actions combine: a delay first, then either a
    connection reset, a truncated body, an error status, or the normal answer.
    """

    path: str = ".*"  # regular expression searched in "path?query"
    host: str | None = None  # only for this real hostname; None: every host
    status: int | None = None  # answer this status instead (e.g. 503, 429)
    retry_after: int | None = None  # with `status`: the Retry-After header, in seconds
    delay: float = 0.0  # seconds to wait before answering
    reset: bool = False  # close the connection (TCP reset) without any answer
    truncate: bool = False  # send the full Content-Length but only half the body
    probability: float = 1.0  # chance that a matching request is hit
    times: int | None = None  # fire at most this many times (None: every time)


@dataclass
class MirrorConfig:
    """What every site may read: where the fixture tree is and what "today" is."""

    sites_dir: Path
    # The fixed "today" of the mirror (upcoming vs past events). Tests set it.
    today: date = date(2025, 6, 1)
    # Fault-injection rules the server applies before asking the site (see Fault).
    faults: list[Fault] = field(default_factory=list)
    # Seed of the RNG that decides probabilistic faults, so a run can be replayed.
    seed: int = 0


class MirrorSite(Protocol):
    # Every real hostname this site answers for, e.g.
    # ("www.france-sandiego.org", "france-sandiego.org").
    hosts: tuple[str, ...]

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        """Answer one request; None means 404 (the server renders the CMS-neutral 404)."""
        ...
