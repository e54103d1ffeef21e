"""WARC capture: every response of a crawl in a WARC file, read back and matched to the archive.

The crawl tests run the real `partnews crawl` against the mirror (WARC folder given by
PARTNEWS_WARC_DIR) and read the files with warcio, independently of crawler/warc.py:
what the mirror logged and serves again for the same request is what the files must
hold. The middleware's unit tests feed it responses a crawl of the mirror cannot
produce (gzip-encoded bodies, 304s to conditional requests).
"""

from __future__ import annotations

import gzip
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

import partnews
from archive.captures import item_capture
from archive.store import Archive
from crawler import settings as project_settings
from crawler.run_report import RunReport
from crawler.warc import WarcMiddleware, read_record, warc_dir
from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig
from tests.conftest import fetch_url
from tests.crawling import open_archive, run_crawl
from tests.requirements import need_pywb

FILENAME = re.compile(r"^(?P<source>[a-z_]+)-(?P<stamp>\d{14})-(?P<run>\d+)\.warc\.gz$")


def records(path: Path) -> list[dict]:
    """Every record of a WARC file, as plain data read with warcio alone."""
    out = []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            out.append(
                {
                    "type": record.rec_type,
                    "warc": dict(record.rec_headers.headers),
                    "status": record.http_headers.get_statuscode()
                    if record.http_headers and record.rec_type != "request"
                    else None,
                    "statusline": record.http_headers.protocol
                    + " "
                    + record.http_headers.statusline
                    if record.http_headers
                    else None,
                    "headers": record.http_headers.headers if record.http_headers else [],
                    "raw": record.raw_stream.read(),
                    "offset": iterator.get_record_offset(),
                }
            )
    return out


def target(record: dict) -> tuple[str, str]:
    """(host, path with query) of a record's WARC-Target-URI, as the mirror logs requests."""
    url = urlsplit(record["warc"]["WARC-Target-URI"])
    return url.hostname, (url.path or "/") + (f"?{url.query}" if url.query else "")


def header(record: dict, name: str) -> str | None:
    values = [v for n, v in record["headers"] if n.lower() == name.lower()]
    return values[0] if values else None


def crawl_with_warc(mirror: MirrorServer, archive: Path, warc: Path, *sources: str):
    """`partnews crawl` with PARTNEWS_WARC_DIR set; the mirror's log of it, as a list."""
    mirror.requests.clear()
    previous = os.environ.get("PARTNEWS_WARC_DIR")
    os.environ["PARTNEWS_WARC_DIR"] = str(warc)
    try:
        result = run_crawl(mirror.url, archive, *sources)
    finally:
        if previous is None:
            del os.environ["PARTNEWS_WARC_DIR"]
        else:
            os.environ["PARTNEWS_WARC_DIR"] = previous
    assert result.returncode == 0, result.stderr[-3000:]
    return mirror.requests.records()


@pytest.fixture(scope="module")
def own_mirror():
    """A mirror for this module alone: its request log is this module's crawls only."""
    server = MirrorServer(MirrorConfig(sites_dir=SITES_DIR, today=date(2025, 6, 1)))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(own_mirror, tmp_path_factory):
    """Every source crawled once with WARC capture: (archive, warc dir, mirror log)."""
    root = tmp_path_factory.mktemp("warc-crawl")
    log = crawl_with_warc(own_mirror, root / "partnews.db", root / "warc")
    return root / "partnews.db", root / "warc", log


@pytest.fixture(scope="module")
def files(crawled) -> dict[str, list[dict]]:
    _, warc, _ = crawled
    return {path.name: records(path) for path in sorted(warc.iterdir())}


# -- the files -------------------------------------------------------------------------


def test_one_file_per_run_and_source_named_in_crawl_runs(crawled, files):
    archive, _, _ = crawled
    conn = open_archive(archive)
    runs = {r["warc_file"]: r for r in conn.execute("select * from crawl_runs")}
    assert set(files) == set(runs)
    assert len({r["source"] for r in runs.values()}) == len(runs)  # one run per source here
    for name, run in runs.items():
        match = FILENAME.match(name)
        assert match, name
        assert match["source"] == run["source"]
        assert int(match["run"]) == run["id"]
        # the timestamp is when the run's file was opened, in UTC, to the second
        stamp = datetime.strptime(match["stamp"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        started = datetime.fromisoformat(run["started"])
        finished = datetime.fromisoformat(run["finished"])
        assert started <= stamp <= finished


def test_warcinfo_comes_first_and_says_who_captured_what(crawled, files, own_mirror):
    archive, _, _ = crawled
    conn = open_archive(archive)
    for name, recs in files.items():
        run = conn.execute("select * from crawl_runs where warc_file = ?", [name]).fetchone()
        assert recs[0]["type"] == "warcinfo"
        assert [r["type"] for r in recs[1:]].count("warcinfo") == 0
        fields = dict(
            line.split(": ", 1) for line in recs[0]["raw"].decode("utf-8").splitlines() if line
        )
        assert fields["partnews-source"] == run["source"]
        assert fields["partnews-run-id"] == str(run["id"])
        assert fields["partnews-mirror"] == own_mirror.url
        assert fields["http-header-user-agent"] == project_settings.USER_AGENT
        assert fields["robots"] == "obey"
        assert fields["software"].startswith(f"partnews/{partnews.__version__} ")
        assert "warcio/1.8.1" in fields["software"]


def test_every_request_the_mirror_served_has_a_record_under_its_real_url(crawled, files):
    _, _, log = crawled
    served = Counter((r.host, r.path) for r in log)
    captured = Counter(
        target(r) for recs in files.values() for r in recs if r["type"] in ("response", "revisit")
    )
    assert served == captured
    requested = Counter(
        target(r) for recs in files.values() for r in recs if r["type"] == "request"
    )
    assert requested == served
    # real hosts, never the mirror's address
    assert not any(host == "127.0.0.1" for host, _ in captured)


def test_each_request_record_belongs_to_its_response(files):
    for recs in files.values():
        responses = {r["warc"]["WARC-Record-ID"]: r for r in recs if r["type"] == "response"}
        for request in (r for r in recs if r["type"] == "request"):
            response = responses[request["warc"]["WARC-Concurrent-To"]]
            assert request["warc"]["WARC-Target-URI"] == response["warc"]["WARC-Target-URI"]
            method, path, protocol = request["statusline"].split(" ")
            assert (method, protocol) == ("GET", "HTTP/1.1")
            assert path == target(response)[1]
            assert header(request, "Host") == target(response)[0]
            assert header(request, "User-Agent") == project_settings.USER_AGENT


def test_records_hold_the_status_headers_and_body_the_mirror_serves(files, own_mirror):
    """The same request sent again straight to the mirror gets what the record holds."""
    for recs in files.values():
        requests = {r["warc"]["WARC-Concurrent-To"]: r for r in recs if r["type"] == "request"}
        for record in (r for r in recs if r["type"] == "response"):
            host, path = target(record)
            sent = requests[record["warc"]["WARC-Record-ID"]]
            again = fetch_url(
                own_mirror.url,
                path,
                host=host,
                headers={n: v for n, v in sent["headers"] if n.lower() != "host"},
            )
            assert record["status"] == str(again.status), path
            assert record["raw"] == again.body, path
            for name in ("content-type", "content-length", "etag", "location"):
                assert header(record, name) == again.headers.get(name), (path, name)


def test_captures_rows_point_at_their_records(crawled):
    archive, warc, log = crawled
    conn = open_archive(archive)
    rows = conn.execute("select * from captures").fetchall()
    assert len(rows) == len(log)
    for row in rows:
        path = warc / row["warc_file"]
        with open(path, "rb") as handle:
            handle.seek(row["warc_offset"])
            member = handle.read(row["warc_length"])
        # offset and length delimit exactly one gzip member: the record, nothing else
        text = gzip.decompress(member)
        assert text.startswith(b"WARC/1.0\r\n")
        assert f"WARC-Record-ID: {row['record_id']}".encode() in text
        assert f"WARC-Target-URI: {row['url']}\r\n".encode() in text
        assert f"WARC-Date: {row['captured_at']}\r\n".encode() in text
        record = read_record(warc, row["warc_file"], row["warc_offset"])
        assert record.http_headers.get_statuscode() == str(row["status"])


def test_every_item_has_a_capture_holding_its_text_as_fetched(crawled):
    """The item's own page when the crawl fetched it, else the feed or API page it came
    from; either way a record of the run that last saw it, mentioning the item's URL."""
    archive, warc, _ = crawled
    conn = open_archive(archive)
    items = conn.execute("select * from items").fetchall()
    assert items
    own_pages = 0
    db = Archive(archive).db
    for item in items:
        capture = item_capture(db, item["id"])
        assert capture is not None, item["url"]
        assert capture["run_id"] == item["last_run_id"]
        assert capture["status"] == 200
        record = read_record(warc, capture["warc_file"], capture["warc_offset"])
        assert record.rec_headers.get_header("WARC-Target-URI") == capture["url"]
        assert record.rec_headers.get_header("WARC-Record-ID") == capture["record_id"]
        item_urls = {
            r[0] for r in conn.execute("select url from item_urls where item_id = ?", [item["id"]])
        }
        if capture["url"] in item_urls:
            own_pages += 1
        else:
            # a feed or API page: it names the item's page (JSON may escape the slashes)
            slug = [part for part in urlsplit(item["url"]).path.split("/") if part][-1]
            assert slug.encode() in record.payload, (item["url"], capture["url"])
    assert 0 < own_pages < len(items)  # the mirror's sources have both kinds


def test_capture_off_with_an_empty_warc_dir(own_mirror, tmp_path):
    own_mirror.requests.clear()
    result = subprocess.run(
        [
            *[sys.executable, "-m", "partnews.cli", "crawl", "sdfacc"],
            *["--mirror", own_mirror.url, "--archive", str(tmp_path / "a.db"), "--warc-dir", ""],
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("select count(*) from captures").fetchone()[0] == 0
    assert conn.execute("select warc_file from crawl_runs").fetchone()[0] is None
    assert not (tmp_path / "warc").exists()


def test_a_second_crawl_writes_its_own_file_and_revisits_for_304s(own_mirror, tmp_path):
    archive, warc = tmp_path / "partnews.db", tmp_path / "warc"
    crawl_with_warc(own_mirror, archive, warc, "sdfacc")
    first_files = set(p.name for p in warc.iterdir())
    log = crawl_with_warc(own_mirror, archive, warc, "sdfacc")
    new_files = set(p.name for p in warc.iterdir()) - first_files
    assert len(first_files) == 1 and len(new_files) == 1
    conn = open_archive(archive)
    first_run, second_run = conn.execute("select id, warc_file from crawl_runs order by id")
    assert (first_run["warc_file"], second_run["warc_file"]) == (*first_files, *new_files)
    recs = records(warc / second_run["warc_file"])
    statuses = Counter(r.status for r in log)
    revisits = [r for r in recs if r["type"] == "revisit"]
    responses = [r for r in recs if r["type"] == "response"]
    # Whether the crawler sends conditional requests is the nightly crawl's business: every
    # 304 it gets must be a revisit, everything else a response.
    assert len(revisits) == statuses[304]
    assert len(responses) == sum(n for s, n in statuses.items() if s != 304)
    for revisit in revisits:
        earlier = conn.execute(
            "select * from captures where record_id = ?", [revisit["warc"]["WARC-Refers-To"]]
        ).fetchone()
        assert earlier["run_id"] == first_run["id"]
        assert earlier["url"] == revisit["warc"]["WARC-Target-URI"]


# -- the middleware, unit by unit -------------------------------------------------------


class UnitSpider(Spider):
    name = "warc_unit"  # not a registered source: the archive gets no sources row


def open_capture(tmp_path: Path, **settings):
    """A crawler's WARC middleware and run report (the run state's owner), the spider
    opened (as a run starts)."""
    crawler = get_crawler(
        UnitSpider,
        {
            "PARTNEWS_ARCHIVE": str(tmp_path / "partnews.db"),
            "PARTNEWS_WARC_DIR": str(tmp_path / "warc"),
            "EXTENSIONS": {"crawler.run_report.RunReport": 500},
            **settings,
        },
    )
    crawler._apply_settings()
    extension = crawler.get_extension(RunReport)
    middleware = WarcMiddleware.from_crawler(crawler)
    extension.spider_opened(crawler.spidercls())
    return crawler, middleware, extension


def end_run(crawler, extension) -> None:
    extension.spider_closed(crawler.spidercls(), "finished")


PAGE = "<html><body><p>Une page de test, écrite pour ce test.</p></body></html>".encode()
URL = "https://www.example.org/news/a-page/"


def test_a_gzip_encoded_response_is_stored_compressed_as_received(tmp_path):
    crawler, middleware, extension = open_capture(tmp_path)
    body = gzip.compress(PAGE)
    response = HtmlResponse(
        URL,
        status=200,
        headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
        body=body,
    )
    assert middleware.process_response(Request(URL), response) is response
    end_run(crawler, extension)
    (record,) = [r for r in records(next((tmp_path / "warc").iterdir())) if r["type"] == "response"]
    assert record["raw"] == body
    assert header(record, "Content-Encoding") == "gzip"
    assert gzip.decompress(record["raw"]) == PAGE


def test_the_middleware_sees_responses_before_decompression():
    """Downloader middlewares handle responses from the highest number down."""
    settings = Settings()
    settings.setmodule(project_settings)
    order = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    names = [c if isinstance(c, str) else f"{c.__module__}.{c.__name__}" for c in order]
    warc = names.index("crawler.warc.WarcMiddleware")
    for network_side in ("HttpCompressionMiddleware", "RedirectMiddleware", "HttpCacheMiddleware"):
        other = next(i for i, n in enumerate(names) if n.endswith("." + network_side))
        assert warc > other, network_side


def test_a_304_is_a_revisit_of_the_earlier_capture(tmp_path):
    crawler, middleware, extension = open_capture(tmp_path)
    etag = '"v1"'
    middleware.process_response(
        Request(URL), HtmlResponse(URL, status=200, headers={"ETag": etag}, body=PAGE)
    )
    end_run(crawler, extension)
    crawler, middleware, extension = open_capture(tmp_path)  # the next night
    conditional = Request(URL, headers={"If-None-Match": etag})
    middleware.process_response(
        conditional, HtmlResponse(URL, status=304, headers={"ETag": etag}, body=b"")
    )
    end_run(crawler, extension)

    first, second = sorted(
        (tmp_path / "warc").iterdir(), key=lambda p: int(FILENAME.match(p.name)["run"])
    )
    (original,) = [r for r in records(first) if r["type"] == "response"]
    second_records = records(second)
    (revisit,) = [r for r in second_records if r["type"] == "revisit"]
    assert not [r for r in second_records if r["type"] == "response"]
    assert revisit["warc"]["WARC-Profile"].endswith("/revisit/server-not-modified")
    assert revisit["warc"]["WARC-Refers-To"] == original["warc"]["WARC-Record-ID"]
    assert revisit["warc"]["WARC-Refers-To-Target-URI"] == URL
    assert revisit["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
    assert revisit["warc"]["WARC-Payload-Digest"] == original["warc"]["WARC-Payload-Digest"]
    assert revisit["status"] == "304" and revisit["raw"] == b""
    (request,) = [r for r in second_records if r["type"] == "request"]
    assert header(request, "If-None-Match") == etag
    conn = sqlite3.connect(tmp_path / "partnews.db")
    assert [r[0] for r in conn.execute("select status from captures order by id")] == [200, 304]


def test_a_304_without_an_earlier_capture_is_kept_as_a_response(tmp_path):
    crawler, middleware, extension = open_capture(tmp_path)
    middleware.process_response(
        Request(URL, headers={"If-None-Match": '"v0"'}),
        HtmlResponse(URL, status=304, headers={"ETag": '"v0"'}, body=b""),
    )
    end_run(crawler, extension)
    recs = records(next((tmp_path / "warc").iterdir()))
    assert [r["type"] for r in recs] == ["warcinfo", "response", "request"]
    assert recs[1]["status"] == "304"


def test_responses_from_scrapys_cache_are_not_captured_again(tmp_path):
    crawler, middleware, extension = open_capture(tmp_path)
    cached = HtmlResponse(URL, status=200, body=PAGE, flags=["cached"])
    assert middleware.process_response(Request(URL), cached) is cached
    end_run(crawler, extension)
    assert [r["type"] for r in records(next((tmp_path / "warc").iterdir()))] == ["warcinfo"]


def test_the_file_is_readable_while_the_run_is_still_writing(tmp_path):
    """A crawl killed mid-run leaves every record written so far readable."""
    crawler, middleware, extension = open_capture(tmp_path)
    for n in range(3):
        url = f"{URL}?page={n}"
        middleware.process_response(Request(url), HtmlResponse(url, body=PAGE))
    (path,) = (tmp_path / "warc").iterdir()
    recs = records(path)  # the file is still open for writing
    assert [r["type"] for r in recs] == ["warcinfo"] + ["response", "request"] * 3
    end_run(crawler, extension)


def test_where_the_files_go(tmp_path, monkeypatch):
    monkeypatch.delenv("PARTNEWS_WARC_DIR", raising=False)
    archive = str(tmp_path / "db" / "partnews.db")
    assert warc_dir(Settings({"PARTNEWS_ARCHIVE": archive})) == tmp_path / "db" / "warc"
    assert warc_dir(Settings({"PARTNEWS_ARCHIVE": "data/partnews.db"})) == Path("data/warc")
    assert warc_dir(Settings({"PARTNEWS_WARC_DIR": "/srv/warc"})) == Path("/srv/warc")
    monkeypatch.setenv("PARTNEWS_WARC_DIR", str(tmp_path / "env"))
    assert warc_dir(Settings({"PARTNEWS_ARCHIVE": archive})) == tmp_path / "env"
    assert warc_dir(Settings({"PARTNEWS_WARC_DIR": ""})) is None
    with pytest.raises(NotConfigured):
        open_capture(tmp_path, PARTNEWS_WARC_DIR="")


# -- which capture an item is cited by -------------------------------------------------


def test_an_items_capture_is_from_the_run_that_last_saw_it_else_an_earlier_one(tmp_path):
    archive = Archive(tmp_path / "partnews.db")
    db = archive.db
    page, alias = "https://www.example.org/a/", "http://example.org/a"
    db["items"].insert(
        {"id": "i1", "source": "s", "kind": "news", "url": page, "title": "A", "last_run_id": 3}
    )
    db["item_urls"].insert_all(
        [{"url": page, "item_id": "i1", "relation": "canonical"}, {"url": alias, "item_id": "i1"}]
    )

    def capture(run_id, url, status):
        return (
            db["captures"]
            .insert(
                {"run_id": run_id, "url": url, "status": status, "record_id": f"<{run_id}{status}>"}
            )
            .last_pk
        )

    capture(2, page, 200)
    capture(3, alias, 301)
    capture(3, page, 200)
    capture(3, page, 304)
    capture(4, page, 200)  # a later run that did not see the item: not its capture
    assert item_capture(db, "i1")["record_id"] == "<3200>"  # a full response beats the rest
    db["captures"].delete_where("run_id = 3 and status = 200")
    revisit = item_capture(db, "i1")  # the night's only capture of the page: a 304
    assert (revisit["record_id"], revisit["content_record_id"]) == ("<3304>", "<2200>")
    db["captures"].delete_where("run_id = 3")
    assert item_capture(db, "i1")["record_id"] == "<2200>"  # no capture in run 3: run 2's
    assert item_capture(db, "unknown") is None


# -- replay ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_pywb_replays_an_item_as_captured(crawled, tmp_path):
    """pywb lives in its own virtualenv (docs/warc.md), which `make test` installs."""
    folder = need_pywb()
    archive, warc, _ = crawled
    conn = open_archive(archive)
    own = conn.execute(
        "select captures.* from captures join items on items.url = captures.url "
        "where captures.status = 200 limit 1"
    ).fetchone()
    subprocess.run([folder / "wb-manager", "init", "partnews"], cwd=tmp_path, check=True)
    subprocess.run(
        [folder / "wb-manager", "add", "partnews", *sorted(warc.glob("*.warc.gz"))],
        cwd=tmp_path,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [folder / "wayback", "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path
    )
    try:
        stamp = re.sub(r"\D", "", own["captured_at"])
        url = f"http://127.0.0.1:{port}/partnews/{stamp}id_/{own['url']}"
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    body = answer.read()
                    break
            except OSError:
                time.sleep(0.2)
        record = read_record(warc, own["warc_file"], own["warc_offset"])
        assert body == record.payload
    finally:
        server.terminate()
        server.wait(timeout=10)
