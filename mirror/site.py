"""The contract between the mirror's HTTP server and the sites it reproduces.

A mirror site is an object that answers requests for one real website (all of its
hostnames) the way that site's CMS does: same URL shapes, same markup, same API
responses. The server (mirror.server) owns HTTP itself: routing by Host,
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
    connection reset, a redirect loop, an error status, or the normal answer; the answer's
    body may then be altered (padded, re-encoded, corrupted, replaced by a gzip bomb), its
    Content-Type changed, and it is sent whole, truncated, or trickled.
    """

    path: str = ".*"  # regular expression searched in "path?query"
    host: str | None = None  # only for this real hostname; None: every host
    status: int | None = None  # answer this status instead (e.g. 503, 429)
    retry_after: int | None = None  # with `status`: the Retry-After header, in seconds
    delay: float = 0.0  # seconds to wait before answering (longer than a client's timeout)
    reset: bool = False  # close the connection (TCP reset) without any answer
    truncate: bool = False  # send the full Content-Length but only half the body
    probability: float = 1.0  # chance that a matching request is hit
    times: int | None = None  # fire at most this many times (None: every time)
    # A slow body: sent in `trickle_chunks` pieces with `trickle` seconds between them.
    trickle: float = 0.0
    trickle_chunks: int = 10
    redirect_loop: bool = False  # 302 to the very URL asked for, forever
    # The Content-Type sent instead of the real one; "" sends no Content-Type at all.
    content_type: str | None = None
    pad_to: int | None = None  # pad the body (an HTML comment) to at least this many bytes
    # Re-encode the text body in this codec while the declared charset stays (a wrong
    # declared charset: latin-1 bytes announced as UTF-8).
    encode_as: str | None = None
    corrupt_utf8: bool = False  # splice bytes that are not valid UTF-8 into the body
    # A compressed bomb: a gzip body (Content-Encoding: gzip) of this many inflated bytes.
    gzip_bomb: int | None = None

    @property
    def label(self) -> str:
        """A short name for the mirror's log and the reliability report ("503", "reset")."""
        parts = []
        if self.delay:
            parts.append(f"delay {self.delay:g}s")
        for name in ("reset", "redirect_loop", "truncate", "corrupt_utf8"):
            if getattr(self, name):
                parts.append(name.replace("_", " "))
        if self.status is not None:
            parts.append(str(self.status))
        if self.trickle:
            parts.append("trickle")
        if self.content_type is not None:
            parts.append(f"content-type {self.content_type or 'none'}")
        if self.pad_to:
            parts.append(f"pad {self.pad_to}")
        if self.encode_as:
            parts.append(f"encoded {self.encode_as}")
        if self.gzip_bomb:
            parts.append(f"gzip bomb {self.gzip_bomb}")
        return ", ".join(parts) or "none"


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
    # Sites served before the folders' ones (MirrorSite objects): tests that need pages
    # no CMS renderer makes, such as the hostile pages of tests/hostile.py.
    extra_sites: list = field(default_factory=list)
    # Serve every folder site through a redesigned theme (mirror.redesign): new class
    # names and ids, datelines moved; the machine-readable evidence stays.
    redesign: bool = False


class MirrorSite(Protocol):
    # Every real hostname this site answers for, e.g.
    # ("www.france-sandiego.org", "france-sandiego.org").
    hosts: tuple[str, ...]

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        """Answer one request; None means 404 (the server renders the CMS-neutral 404)."""
        ...
