"""Recorded HTTP responses: the on-disk format of real answers kept for the tests.

`partnews probe --save DIR` writes every response it fetched here, and the local mirror
(mirror/recorded.py) serves them back exactly as they came (status, headers, body), so
the readers' tests can run on the real sites' markup instead of our invented pages.

Layout, inside one mirror site folder (``tests/sites/<real host>/``)::

    recorded/
        feed-3f2a9c1b.body     the raw body, content-encoding already decoded
        feed-3f2a9c1b.json     {"url", "status", "headers": [[name, value], ...], "recorded_at"}

The name is a readable slug of the path and query plus a short hash of the canonical
request key (path, query pairs in sorted order), so ``/?page=2`` and ``/feed/`` never
collide and saving the same URL again replaces the earlier recording. Responses match
requests by path and query only (query order does not matter): the folder already
names the site. Headers that describe the transfer rather than the resource
(Content-Encoding, Content-Length, Transfer-Encoding, Connection, Keep-Alive) are not
kept, since the body is stored decoded and the server that replays it frames it anew.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

RECORDED_DIR = "recorded"

DROPPED_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)
"""Transfer headers: true of one transmission, false of the decoded body we keep."""

RequestKey = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class RecordedResponse:
    """One recorded answer; the body is read from disk when asked for (they can be large)."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    recorded_at: str
    body_path: Path

    @property
    def body(self) -> bytes:
        return self.body_path.read_bytes()

    @property
    def key(self) -> RequestKey:
        return request_key(self.url)

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name; None when absent."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def request_key(url_or_path: str) -> RequestKey:
    """What a recording is matched on: the percent-decoded path and the sorted query pairs.

    Host and scheme are left out (one folder is one site, served under all its hosts);
    the query is sorted so that ``?a=1&b=2`` and ``?b=2&a=1`` are the same request,
    as they are for every CMS we read.
    """
    split = urlsplit(url_or_path)
    path = unquote(split.path) or "/"
    pairs = tuple(sorted(parse_qsl(split.query, keep_blank_values=True)))
    return path, pairs


def recording_name(url: str) -> str:
    """A readable, collision-free file stem for a URL: ``feed-3f2a9c1b``, ``index-…``."""
    path, pairs = request_key(url)
    readable = path.strip("/") + ("-" + "-".join(f"{k}-{v}" for k, v in pairs) if pairs else "")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", readable).strip("-").lower()[:60].strip("-") or "index"
    canonical = json.dumps([path, pairs], ensure_ascii=False)
    digest = hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def kept_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers worth replaying: every one, in order, except the transfer headers."""
    return [(name, value) for name, value in headers if name.lower() not in DROPPED_HEADERS]


def save_response(
    site_dir: Path,
    url: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    recorded_at: datetime | None = None,
) -> Path:
    """Store one response under ``site_dir/recorded/`` and return the path of its .json.

    `body` must already be decoded from any Content-Encoding (urllib and Scrapy both
    give it so once decompressed); saving the same URL again overwrites the recording.
    """
    folder = Path(site_dir) / RECORDED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = recording_name(url)
    moment = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    (folder / f"{name}.body").write_bytes(body)
    meta = {
        "url": url,
        "status": status,
        "headers": [[k, v] for k, v in kept_headers(list(headers))],
        "recorded_at": moment.isoformat(timespec="seconds"),
    }
    meta_path = folder / f"{name}.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return meta_path


def load_responses(site_dir: Path) -> list[RecordedResponse]:
    """Every recording of a site folder, in file-name order; [] when it has none.

    A .json without its .body is an error (a half-copied folder), not a silent skip.
    """
    folder = Path(site_dir) / RECORDED_DIR
    if not folder.is_dir():
        return []
    responses = []
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body_path = meta_path.with_suffix(".body")
        if not body_path.exists():
            raise FileNotFoundError(f"{meta_path} has no body file {body_path.name}")
        responses.append(
            RecordedResponse(
                url=meta["url"],
                status=int(meta["status"]),
                headers=tuple((str(k), str(v)) for k, v in meta["headers"]),
                recorded_at=meta.get("recorded_at", ""),
                body_path=body_path,
            )
        )
    return responses


def write_site_toml(site_dir: Path, hosts: list[str], cms: str = "recorded") -> Path | None:
    """Give a new site folder the ``site.toml`` the mirror needs to serve it.

    Only when the folder has none: an existing site (an invented one being replaced page
    by page) keeps its own settings, and its recordings are served first.
    """
    path = Path(site_dir) / "site.toml"
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    quoted = ", ".join(json.dumps(host) for host in hosts)
    path.write_text(
        "# Recorded from the real site by `partnews probe --save`: served as recorded.\n"
        f'cms = "{cms}"\nhosts = [{quoted}]\n',
        encoding="utf-8",
    )
    return path
