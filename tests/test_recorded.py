"""Recorded real responses: saved by partnews.recorded, replayed by the mirror as recorded."""

from __future__ import annotations

import http.client
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mirror import SITES_DIR
from partnews.recorded import (
    load_responses,
    recording_name,
    request_key,
    save_response,
    write_site_toml,
)
from tests.conftest import fetch_url
from tests.realdata import realdata_dir
from tests.realsites import (
    CONTENT_TYPES,
    REAL_SITES,
    build_site,
    build_sites,
    require_realdata,
    url_path_of,
)

HOST = "news.example.org"

# What a real server might send: repeated headers, odd capitalisation, validators, and
# transfer headers that must not survive (the body is kept decoded).
REAL_HEADERS = [
    ("Content-Type", "text/html; charset=UTF-8"),
    ("Link", '<https://news.example.org/wp-json/>; rel="https://api.w.org/"'),
    ("Link", "<https://news.example.org/?p=12>; rel=shortlink"),
    ("Set-Cookie", "a=1; Path=/"),
    ("Set-Cookie", "b=2; Path=/"),
    ("ETag", '"abc123"'),
    ("Last-Modified", "Tue, 20 Jun 2017 16:12:00 GMT"),
    ("X-Powered-By", "PHP/8.1"),
    ("Content-Encoding", "gzip"),
    ("Content-Length", "999"),
    ("Transfer-Encoding", "chunked"),
]
KEPT = [
    h
    for h in REAL_HEADERS
    if h[0] not in ("Content-Encoding", "Content-Length", "Transfer-Encoding")
]
BODY = "<!DOCTYPE html><html><body><p>Écrit à Marseille, 17 juin 2017.</p></body></html>".encode()


def raw_get(base_url: str, path: str, host: str, method: str = "GET", headers=None):
    """status, header list in the order received, body: nothing folded or merged."""
    split = base_url.removeprefix("http://")
    address, port = split.split(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        connection.request(method, path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def recorded_sites(tmp_path: Path) -> Path:
    sites = tmp_path / "sites"
    site_dir = sites / HOST
    write_site_toml(site_dir, [HOST])
    save_response(site_dir, f"https://{HOST}/2017/06/17/paca/", 200, REAL_HEADERS, BODY)
    save_response(
        site_dir, f"https://{HOST}/feed/", 200, [("Content-Type", "application/rss+xml")], b"<rss/>"
    )
    save_response(
        site_dir, f"https://{HOST}/?page=2&cat=4", 200, [("Content-Type", "text/html")], b"page two"
    )
    save_response(
        site_dir,
        f"https://{HOST}/old/",
        301,
        [("Location", f"https://{HOST}/2017/06/17/paca/"), ("Content-Type", "text/html")],
        b"",
    )
    return sites


def test_a_recording_is_served_byte_identical_with_its_headers_in_order(tmp_path, mirror_factory):
    server = mirror_factory(sites_dir=recorded_sites(tmp_path))
    status, headers, body = raw_get(server.url, "/2017/06/17/paca/", HOST)
    assert status == 200
    assert body == BODY
    assert headers == [*KEPT, ("Content-Length", str(len(BODY)))]


def test_status_and_location_of_a_redirect_are_replayed(tmp_path, mirror_factory):
    server = mirror_factory(sites_dir=recorded_sites(tmp_path))
    status, headers, _ = raw_get(server.url, "/old/", HOST)
    assert status == 301
    assert ("Location", f"https://{HOST}/2017/06/17/paca/") in headers


def test_query_order_does_not_matter_and_unrecorded_urls_are_404(tmp_path, mirror_factory):
    server = mirror_factory(sites_dir=recorded_sites(tmp_path))
    assert fetch_url(server.url, "/?cat=4&page=2", host=HOST).body == b"page two"
    assert fetch_url(server.url, "/?page=2&cat=4", host=HOST).body == b"page two"
    assert fetch_url(server.url, "/?page=2", host=HOST).status == 404
    assert fetch_url(server.url, "/", host=HOST).status == 404
    assert (
        fetch_url(server.url, "/feed/", host=HOST).headers["content-type"] == "application/rss+xml"
    )


def test_head_sends_the_recorded_headers_and_no_body(tmp_path, mirror_factory):
    server = mirror_factory(sites_dir=recorded_sites(tmp_path))
    status, headers, body = raw_get(server.url, "/2017/06/17/paca/", HOST, method="HEAD")
    assert (status, body) == (200, b"")
    assert headers == [*KEPT, ("Content-Length", str(len(BODY)))]


def test_conditional_requests_use_the_recorded_validators(tmp_path, mirror_factory):
    server = mirror_factory(sites_dir=recorded_sites(tmp_path))
    path = "/2017/06/17/paca/"
    same_etag = fetch_url(server.url, path, host=HOST, headers={"If-None-Match": '"abc123"'})
    other_etag = fetch_url(server.url, path, host=HOST, headers={"If-None-Match": '"zzz"'})
    since_later = fetch_url(
        server.url, path, host=HOST, headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"}
    )
    since_earlier = fetch_url(
        server.url, path, host=HOST, headers={"If-Modified-Since": "Mon, 19 Jun 2017 00:00:00 GMT"}
    )
    assert (same_etag.status, same_etag.body) == (304, b"")
    assert (other_etag.status, other_etag.body) == (200, BODY)
    assert (since_later.status, since_earlier.status) == (304, 200)
    # a recording without validators is never "not modified": nothing to compare with
    feed = fetch_url(
        server.url,
        "/feed/",
        host=HOST,
        headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"},
    )
    assert feed.status == 200 and "etag" not in feed.headers


def test_names_are_readable_distinct_and_stable():
    names = {
        recording_name("https://x.org/"),
        recording_name("https://x.org/?page=2"),
        recording_name("https://x.org/feed/"),
        recording_name("https://x.org/page/2/"),
    }
    assert len(names) == 4
    assert recording_name("https://x.org/feed/").startswith("feed-")
    assert recording_name("https://x.org/?a=1&b=2") == recording_name("https://other.org/?b=2&a=1")
    assert request_key("/caf%C3%A9/?b=2&a=1") == ("/café/", (("a", "1"), ("b", "2")))


def test_saving_again_replaces_the_recording(tmp_path):
    save_response(tmp_path, "https://x.org/feed/", 200, [], b"old")
    save_response(tmp_path, "https://x.org/feed/", 200, [("ETag", '"2"')], b"new")
    [only] = load_responses(tmp_path)
    assert only.body == b"new"
    assert only.headers == (("ETag", '"2"'),)


def test_the_json_holds_url_status_headers_and_time(tmp_path):
    moment = datetime(2026, 5, 10, 13, 5, tzinfo=UTC)
    meta_path = save_response(
        tmp_path, "https://x.org/a?b=1", 404, REAL_HEADERS, b"", recorded_at=moment
    )
    meta = json.loads(meta_path.read_text())
    assert meta == {
        "url": "https://x.org/a?b=1",
        "status": 404,
        "headers": [list(h) for h in KEPT],
        "recorded_at": "2026-05-10T13:05:00+00:00",
    }
    assert meta_path.with_suffix(".body").read_bytes() == b""


def test_a_recording_without_its_body_is_an_error(tmp_path):
    meta_path = save_response(tmp_path, "https://x.org/", 200, [], b"x")
    meta_path.with_suffix(".body").unlink()
    with pytest.raises(FileNotFoundError):
        load_responses(tmp_path)


def test_an_existing_site_toml_is_kept(tmp_path):
    (tmp_path / "site.toml").write_text('cms = "wordpress"\nhosts = ["x.org"]\n')
    assert write_site_toml(tmp_path, ["x.org"]) is None
    assert "wordpress" in (tmp_path / "site.toml").read_text()


def test_recordings_over_an_invented_site_are_served_first(tmp_path, mirror_factory):
    host = "www.france-sandiego.org"
    sites = tmp_path / "sites"
    shutil.copytree(SITES_DIR / host, sites / host)
    before = mirror_factory(sites_dir=sites)
    invented_feed = fetch_url(before.url, "/feed/", host=host)
    invented_home = fetch_url(before.url, "/", host=host)
    assert invented_feed.status == 200 and invented_feed.body != b"<rss>real</rss>"

    save_response(
        sites / host,
        f"https://{host}/feed/",
        200,
        [("Content-Type", "text/xml")],
        b"<rss>real</rss>",
    )
    after = mirror_factory(sites_dir=sites)
    feed = fetch_url(after.url, "/feed/", host=host)
    home = fetch_url(after.url, "/", host=host)
    assert (feed.body, feed.headers["content-type"]) == (b"<rss>real</rss>", "text/xml")
    assert home.status == 200 and home.body == invented_home.body  # the rest stays invented
    assert fetch_url(after.url, "/feed/", host="france-sandiego.org").body == b"<rss>real</rss>"


@pytest.mark.parametrize(
    ("relative", "url_path"),
    [
        ("feed/index.html", "/feed/"),
        ("wp-json/index.html", "/wp-json/"),
        ("sitemap.xml", "/sitemap.xml"),
        ("wp-json/wp/v2/posts", "/wp-json/wp/v2/posts"),
        ("stand-with-us/2017-05-01/ical=1/index.html", "/stand-with-us/2017-05-01/?ical=1"),
    ],
)
def test_realdata_paths_become_the_urls_they_answered(relative, url_path):
    assert url_path_of(relative) == url_path


def test_a_real_wordpress_site_is_served_from_its_realdata_files(tmp_path, mirror_factory):
    require_realdata()
    site = REAL_SITES["saint-gilles-vieux-marche"]
    assert site.host.startswith("xn--")  # "saint-gilles-vieux-marché.net" as sent in Host
    server = mirror_factory(sites_dir=build_sites(tmp_path / "sites", [site.folder]))
    folder = realdata_dir() / site.folder
    for path, file, kind in [
        ("/feed/", "feed/index.html", "rss"),
        ("/wp-json/", "wp-json/index.html", "wp-rest-index"),
        ("/sitemap.xml", "sitemap.xml", "sitemap"),
        ("/page-sitemap.xml", "page-sitemap.xml", "sitemap"),
    ]:
        response = fetch_url(server.url, path, host=site.host)
        assert response.status == 200, path
        assert response.body == (folder / file).read_bytes(), path
        assert response.headers["content-type"] == CONTENT_TYPES[kind], path
    assert fetch_url(server.url, "/", host=site.host).status == 404  # never recorded


def test_every_real_site_builds_and_serves_each_of_its_files(tmp_path, mirror_factory):
    require_realdata()
    sites = build_sites(tmp_path / "sites")
    server = mirror_factory(sites_dir=sites)
    for site in REAL_SITES.values():
        served = 0
        for row in site.rows():
            if row["kind"] not in CONTENT_TYPES:
                continue
            path = site.url_path(row["local_path"])
            response = fetch_url(server.url, path, host=site.host)
            assert response.status == 200, (site.folder, path)
            assert response.body == (realdata_dir() / row["local_path"]).read_bytes()
            served += 1
        assert served >= 2, site.folder


def test_drupal_xmlsitemap_pages_answer_at_sitemap_xml_with_page(tmp_path, mirror_factory):
    require_realdata()
    site = REAL_SITES["fossasia-drupal"]
    server = mirror_factory(sites_dir=build_sites(tmp_path / "sites", [site.folder]))
    index = fetch_url(server.url, "/sitemap.xml", host=site.host)
    page = fetch_url(server.url, "/sitemap.xml?page=1", host=site.host)
    assert b"<sitemapindex" in index.body and b"sitemap.xml?page=1" in index.body
    assert b"<urlset" in page.body


def test_build_site_refuses_an_unknown_folder(tmp_path):
    with pytest.raises(KeyError):
        build_site("no-such-site", tmp_path)


def test_a_realdata_file_can_answer_the_urls_a_spider_asks(tmp_path, mirror_factory):
    require_realdata()
    site = REAL_SITES["unitingnc"]
    asked = "/wp-json/wp/v2/posts?page=1&per_page=100"
    also = {"wp-json/wp/v2/posts/index.html": [asked]}
    build_site(site.folder, tmp_path / "sites", also=also)
    server = mirror_factory(sites_dir=tmp_path / "sites")
    expected = (realdata_dir() / site.folder / "wp-json/wp/v2/posts/index.html").read_bytes()
    assert (
        fetch_url(server.url, "/wp-json/wp/v2/posts?per_page=100&page=1", host=site.host).body
        == expected
    )
    assert fetch_url(server.url, "/wp-json/wp/v2/posts?per_page=10", host=site.host).status == 404
    with pytest.raises(KeyError):
        build_site(site.folder, tmp_path / "other", also={"no/such/file": ["/x"]})
