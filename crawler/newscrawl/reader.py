"""Stream one WARC file's HTML responses, naming every bad record with its file and offset.

FastWARC reads the file (gzip or not, local or from an ``http(s)://`` URL, as a stream:
a CC-NEWS file is a gigabyte and is never stored), parsing headers and decoding payloads
in native code; request and metadata records are only checked for truncation. What
comes out is either a `Page` (an HTML response with status 200, its payload decoded
from its transfer and content encodings) or a `Problem`: the reason a record or the
rest of the file could not be read, with the offset where it starts. Problems never
stop the caller: a bad record is skipped, and a truncated or corrupt file ends at its
last good record.

Kinds of problem: ``truncated`` (the file ends inside a record), ``corrupt`` (the
gzip or WARC framing cannot be read further), ``bad_http`` (a response without a valid
HTTP status line), ``non_html`` (a 200 response whose payload is not a web page),
``too_large`` (a page over the size limit: not read), ``unreadable`` (the file could
not be opened). Responses that are not 200 (redirects, errors) are only counted: they
are the crawl's ordinary life, not bad input.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecordType

# A news article is rarely over 1 MB of HTML; a 10 MB "page" is a data dump or a trap,
# and reading it would hold a worker's memory for nothing.
MAX_PAGE_BYTES = 5 * 1024 * 1024
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT = "partnews-newscrawl (+https://github.com/partnews)"


@dataclass(frozen=True)
class Page:
    """One HTML response of a WARC file, where it sits, and when it was captured."""

    url: str
    offset: int
    record_id: str | None
    captured: str | None  # WARC-Date, ISO 8601
    charset: str | None
    payload: bytes


@dataclass(frozen=True)
class Problem:
    """A record (or the rest of a file) that could not be read, and why."""

    kind: str
    offset: int
    message: str
    url: str | None = None


@dataclass
class ReadCounts:
    """How many response records a file held, and how many were HTML 200 pages."""

    records: int = 0
    pages: int = 0
    not_ok: int = 0
    problems: dict[str, int] = field(default_factory=dict)


class _Download(io.RawIOBase):
    """An HTTP response as a plain raw stream, read front to back.

    FastWARC asks a Python stream where it is (``tell``); an ``http.client`` response
    cannot say, and FastWARC 2.0.1 aborts on it. This adapter counts what was read.
    """

    def __init__(self, response) -> None:
        super().__init__()
        self.response = response
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.response.readinto(buffer)
        self.position += count
        return count

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.response.close()
        super().close()


def open_warc(location: str) -> BinaryIO:
    """A readable binary stream of a local path or an http(s) URL (streamed, not stored)."""
    if location.startswith(("http://", "https://")):
        request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})
        response = urllib.request.urlopen(request, timeout=120)  # noqa: S310 (http(s) only)
        return _Download(response)
    return open(location, "rb")  # noqa: SIM115 (closed by read_warc)


def _records(stream: BinaryIO) -> Iterator:
    """FastWARC's records of a stream: HTTP parsed, transfer and content encodings
    decoded. Every type, not only responses: a file cut inside a request record must
    be reported too."""
    return iter(
        ArchiveIterator(
            stream,
            record_types=WarcRecordType.any_type,
            parse_http=True,
            auto_decode="all",
            fsspec_args=False,
        )
    )


def _reader_failure(error: BaseException) -> bool:
    """True for what a bad file makes FastWARC raise (I/O and format errors, and the
    panics of its Rust core); False for an interrupt or an exit, which must go on up."""
    return not isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit))


def is_html(content_type: str | None, payload_start: bytes) -> bool:
    """An HTML page by its declared type; by its first bytes when no type is declared
    (servers omit it; a page starts with a tag once blanks and a BOM are skipped)."""
    if content_type:
        return content_type.split(";")[0].strip().lower() in HTML_TYPES
    return payload_start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def read_warc(
    location: str,
    counts: ReadCounts | None = None,
    *,
    max_bytes: int = MAX_PAGE_BYTES,
    keep: Callable[[bytes], bool] | None = None,
) -> Iterator[Page | Problem]:
    """Every HTML 200 response of a WARC file as a `Page`, every bad record as a `Problem`.

    ``counts`` (updated in place) says how many response records and HTML pages were
    read. ``keep``, given a page's payload, says whether to yield it (the news crawl's
    byte prefilter): a page it drops is counted but never made a `Page`, which saves
    reading its date, id and charset on the 99 % of records the prefilter drops. The
    file is read once, front to back; it is closed at the end even when the caller stops
    early.
    """
    counts = counts if counts is not None else ReadCounts()

    last_offset = 0  # where the record being read starts

    def problem(kind: str, message: str, headers=None) -> Problem:
        """A problem at the current record, with its URL when its WARC headers are read."""
        counts.problems[kind] = counts.problems.get(kind, 0) + 1
        url = headers.get("WARC-Target-URI") if headers is not None else None
        return Problem(kind, last_offset, message, url)

    try:
        stream = open_warc(location)
    except (OSError, ValueError) as error:
        yield problem("unreadable", f"{type(error).__name__}: {error}")
        return
    response = WarcRecordType.response
    try:
        records = _records(stream)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except BaseException as error:  # FastWARC's Rust panics are BaseExceptions
                if not _reader_failure(error):
                    raise
                yield problem("corrupt", f"after this record: {error}")
                break
            last_offset = record.stream_pos
            headers = record.headers
            # What is left to read: the payload of a response, past its HTTP headers.
            length = record.content_length
            # A record cut inside its headers has no Content-Length, and so no content:
            # the header is looked up only then (a lookup per record was half of this
            # loop's own time).
            if length == 0 and headers.get("Content-Length") is None:
                yield problem("truncated", "the file ends in a record's headers", headers)
                break
            if record.record_type != response:
                if record.reader.consume() < length:
                    yield problem("truncated", "the file ends in a record", headers)
                    break
                continue
            counts.records += 1
            http = record.http_headers
            if http is None or http.status_code is None:
                # A file cut in a response's HTTP message, or in the WARC headers' last
                # line (Content-Length written in part), has no status line either:
                # that is a truncated file, not bad HTTP.
                declared = headers.get("Content-Length") or ""
                if not declared.isdigit() or record.reader.consume() < length:
                    yield problem("truncated", "the file ends in a record", headers)
                    break
                line = (http.status_line if http is not None else None) or ""
                yield problem("bad_http", f"no HTTP status line: {line[:80]!r}", headers)
                continue
            if http.status_code != 200:
                counts.not_ok += 1
                # Read to its end, so that a file cut in it (in its status line, even:
                # "HTTP/1.1 2" is a status) is reported, as after a page.
                if record.reader.consume() < length:
                    yield problem("truncated", "the file ends in a record", headers)
                    break
                continue
            if length > max_bytes:
                limit = f"{length} bytes, over the {max_bytes}-byte limit"
                yield problem("too_large", limit, headers)
                continue
            try:
                payload = record.reader.read()
            except (OSError, ValueError) as error:
                yield problem("corrupt", f"payload unreadable: {error}", headers)
                break
            if len(payload) < length:
                message = f"{len(payload)} of {length} payload bytes"
                yield problem("truncated", message, headers)
                break
            content_type = record.http_content_type
            if not is_html(content_type, payload[:64]):
                yield problem("non_html", f"{content_type}", headers)
                continue
            counts.pages += 1
            if keep is not None and not keep(payload):
                continue
            date = record.record_date
            yield Page(
                url=headers.get("WARC-Target-URI"),
                offset=last_offset,
                record_id=record.record_id,
                captured=date.isoformat() if date else None,
                charset=record.http_charset,
                payload=payload,
            )
    finally:
        stream.close()
