"""WARC capture of every response a crawl receives, linked to the archive (docs/warc.md).

Sites vanish and pages change; a researcher cites a page as it was on the night it was
captured. So every response the crawl receives (robots.txt, feeds, API pages, articles,
redirects, errors, 304s) is written to a gzipped WARC file with warcio: one file per run
and source, ``<source>-<UTC timestamp>-<run id>.warc.gz``, a ``warcinfo`` record first.
Each response is stored as received, status line, headers and still-compressed body,
under its real URL (in mirror mode too), followed by the request that asked for it; a
304 becomes a ``revisit`` record pointing at the earlier capture of that URL. Each
record gets a ``captures`` row in the archive (archive/captures.py), and each item a
link to the capture it was read from, so the archive can say which record to cite.

``PARTNEWS_WARC_DIR`` (setting, or environment variable) says where the files go; unset,
a ``warc`` folder beside the archive file (``data/warc`` for ``data/partnews.db``); an
empty string turns capture off. The run's `WarcRecorder` is part of its run state
(crawler/run_state.py): `WarcMiddleware` (downloader middleware, closest to the
network) hands it each response; the run report (crawler/run_report.py, the run
state's owner) opens the file with the spider, links each item to its capture, and
closes it at the end. Files and rows are written through the archive's one writer
(`archive.store.Archive`).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any

import scrapy
from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.utils.httpobj import urlparse_cached
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import partnews
from crawler.run_state import RunState, run_state

logger = logging.getLogger(__name__)

# WARC 1.0's profile for a 304: the server said the copy we hold is still current.
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
# Twisted hands Scrapy the body with its chunked framing removed; storing the header with
# an unchunked body would make readers try to de-chunk it.
DROPPED_HEADERS = frozenset({"transfer-encoding"})


def warc_dir(settings) -> Path | None:
    """Where this crawl's WARC files go, or None when capture is turned off ("")."""
    value = settings.get("PARTNEWS_WARC_DIR")
    if value is None:
        value = os.environ.get("PARTNEWS_WARC_DIR")
    if value is None:
        # Beside the archive the captures table points from: the pair stays together.
        return Path(settings.get("PARTNEWS_ARCHIVE", "data/partnews.db")).parent / "warc"
    return Path(value) if str(value).strip() else None


def warc_filename(source: str, started: datetime, run_id: int) -> str:
    """``<source>-<UTC timestamp>-<run id>.warc.gz``: sorts by source then time, and names
    the crawl_runs row it belongs to."""
    return f"{source}-{started.astimezone(UTC):%Y%m%d%H%M%S}-{run_id}.warc.gz"


def warc_date(moment: datetime) -> str:
    """WARC-Date form (ISO 8601 UTC, second precision, ``Z``), also stored as captured_at."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy's headers as (name, value) text pairs, every repeated value kept.

    HTTP header bytes are ISO-8859-1, so latin-1 decoding is lossless.
    """
    pairs = []
    for name, values in headers.items():
        text_name = name.decode("latin-1")
        if text_name.lower() in DROPPED_HEADERS:
            continue
        pairs.extend((text_name, value.decode("latin-1")) for value in values)
    return pairs


def status_line(status: int) -> str:
    """``200 OK``: Scrapy keeps the code, not the reason phrase, so the standard one."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def request_line(request: Request) -> str:
    """``GET /path?query HTTP/1.1`` for the real URL."""
    path = urlparse_cached(request)
    target = (path.path or "/") + (f"?{path.query}" if path.query else "")
    return f"{request.method} {target} HTTP/1.1"


def request_headers(request: Request) -> list[tuple[str, str]]:
    """The request's headers as sent, with the Host header the download handler adds."""
    pairs = header_pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", urlparse_cached(request).netloc))
    return pairs


def read_record(directory: str | Path, warc_file: str, offset: int) -> ArcWarcRecord:
    """The record at `offset` of a WARC file (a captures row's warc_file and warc_offset),
    its headers parsed and its payload read into ``record.payload``: the body as stored,
    still content-encoded (gzip stays gzip), since the file is closed on return.
    """
    with open(Path(directory) / warc_file, "rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        record.payload = record.raw_stream.read()
    return record


class WarcRecorder:
    """One run's WARC file and its captures rows (one recorder per run state)."""

    def __init__(self, state: RunState, settings, stats, directory: Path):
        self.run = state
        self.settings = settings
        self.stats = stats
        self.directory = directory
        self.filename: str | None = None
        self.file = None
        self.writer: WARCWriter | None = None
        self.captured: dict[str, int] = {}  # URL -> id of its last captures row this run

    def open(self) -> None:
        """Create the file with its warcinfo record and name it in crawl_runs."""
        if self.file is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.filename = warc_filename(self.run.source, datetime.now(UTC), self.run.run_id)
        self.file = open(self.directory / self.filename, "ab")
        self.writer = WARCWriter(self.file, gzip=True)
        self.writer.write_record(self.writer.create_warcinfo_record(self.filename, self.warcinfo()))
        self.file.flush()
        self.run.archive.open_warc_file(self.run.run_id, self.filename)

    def warcinfo(self) -> dict[str, str]:
        """Who captured this file, how, and for which run (the warcinfo record's fields)."""
        settings = self.settings
        return {
            "software": (
                f"partnews/{partnews.__version__} (Scrapy/{scrapy.__version__}; "
                f"warcio/{warcio_version()})"
            ),
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": "partnews",
            "partnews-source": self.run.source,
            "partnews-run-id": str(self.run.run_id),
            "partnews-mirror": settings.get("PARTNEWS_MIRROR") or "",
            "description": (
                "Responses as received by the partnews crawl of one source; "
                + (
                    "served by a local mirror under the real URLs"
                    if settings.get("PARTNEWS_MIRROR")
                    else "fetched from the real sites"
                )
            ),
        }

    def capture(self, request: Request, response: Response) -> int:
        """Write the response (or revisit) record and its request record; return the
        captures row id."""
        self.open()
        now = datetime.now(UTC)
        date = warc_date(now)
        http = StatusAndHeaders(
            status_line(response.status),
            header_pairs(response.headers),
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        )
        extra = {"WARC-Date": date}
        if getattr(response, "ip_address", None) is not None:
            extra["WARC-IP-Address"] = str(response.ip_address)
        earlier = self.run.archive.earlier_capture(response.url) if response.status == 304 else None
        if earlier is not None:
            record = self.writer.create_warc_record(
                response.url,
                "revisit",
                http_headers=http,
                warc_headers_dict=extra | self.refers_to(earlier),
            )
        else:
            record = self.writer.create_warc_record(
                response.url,
                "response",
                payload=BytesIO(response.body),
                length=len(response.body),
                http_headers=http,
                warc_headers_dict=extra,
            )
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset = self.file.tell()
        self.writer.write_record(record)
        length = self.file.tell() - offset
        request_record = self.writer.create_warc_record(
            response.url,
            "request",
            payload=BytesIO(request.body),
            length=len(request.body),
            http_headers=StatusAndHeaders(
                request_line(request), request_headers(request), is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
        )
        self.writer.write_record(request_record)
        self.file.flush()
        capture_id = self.run.archive.record_capture(
            {
                "run_id": self.run.run_id,
                "url": response.url,
                "status": response.status,
                "captured_at": date,
                "warc_file": self.filename,
                "warc_offset": offset,
                "warc_length": length,
                "record_id": record_id,
            },
        )
        self.captured[response.url] = capture_id
        self.stats.inc_value("partnews/warc_records")
        return capture_id

    def refers_to(self, earlier: dict[str, Any]) -> dict[str, str]:
        """A revisit's pointers to the capture it repeats; with that record's payload
        digest when its file is still here, so replay tools find it by digest too."""
        headers = {
            "WARC-Profile": SERVER_NOT_MODIFIED,
            "WARC-Refers-To": earlier["record_id"],
            "WARC-Refers-To-Target-URI": earlier["url"],
            "WARC-Refers-To-Date": earlier["captured_at"],
        }
        try:
            original = read_record(self.directory, earlier["warc_file"], earlier["warc_offset"])
        except (OSError, StopIteration, ValueError):
            return headers
        digest = original.rec_headers.get_header("WARC-Payload-Digest")
        return headers | ({"WARC-Payload-Digest": digest} if digest else {})

    def link_item(self, item: Any, response: Response | None) -> None:
        """Remember which capture the item was read from (its page, a feed, an API page)."""
        item_id = ItemAdapter(item).get("id")
        capture_id = self.captured.get(getattr(response, "url", None))
        if item_id and capture_id is not None and self.file is not None:
            self.run.archive.link_item_capture(item_id, self.run.run_id, capture_id)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def warcio_version() -> str:
    from importlib.metadata import version

    return version("warcio")


class WarcMiddleware:
    """Downloader middleware: hand every response received from the network to the
    recorder before any other middleware changes it (decompression, redirects, cache)."""

    def __init__(self, recorder: WarcRecorder):
        self.recorder = recorder

    @classmethod
    def from_crawler(cls, crawler):
        recorder = run_state(crawler).warc
        if recorder is None:
            raise NotConfigured("WARC capture is off (PARTNEWS_WARC_DIR is empty)")
        return cls(recorder)

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response  # served from Scrapy's HTTP cache: nothing was received
        try:
            self.recorder.capture(request, response)
        except OSError as error:
            # A full disk must not cost the archive its items; the run's stats say so.
            self.recorder.stats.inc_value("partnews/warc_errors")
            logger.error("WARC capture of %s failed: %s", response.url, error)
        return response
