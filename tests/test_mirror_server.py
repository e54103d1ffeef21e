"""The mirror's HTTP layer over real sockets: routing, validators, HEAD, faults, reload."""

from __future__ import annotations

import http.client
import shutil
import socket
from pathlib import Path

import pytest

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import Fault, MirrorConfig
from mirror.sites import load_sites

MOU = "/2017/06/17/paca-region-sandiego/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=UTF-8"),
        (MOU, "text/html; charset=UTF-8"),
        ("/feed/", "application/rss+xml; charset=UTF-8"),
        ("/wp-json/wp/v2/posts", "application/json; charset=UTF-8"),
        ("/wp-json/tribe/events/v1/events", "application/json; charset=UTF-8"),
        ("/events/?ical=1", "text/calendar; charset=UTF-8"),
        ("/wp-sitemap.xml", "application/xml; charset=UTF-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_type_and_length_match_the_body(fetch, path, content_type):
    response = fetch(path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert int(response.headers["content-length"]) == len(response.body)
    assert "cache-control" not in response.headers  # WordPress sends none


def test_etag_is_strong_and_if_none_match_gives_304_without_body(fetch):
    first = fetch(MOU)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    again = fetch(MOU, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    other = fetch(MOU, headers={"If-None-Match": '"something-else"'})
    assert other.status == 200 and other.body == first.body


def test_last_modified_is_the_post_modified_date_and_drives_if_modified_since(fetch):
    response = fetch(MOU)
    # front matter: modified = 2017-06-20T09:12:00 in San Diego (PDT, UTC-7)
    assert response.headers["last-modified"] == "Tue, 20 Jun 2017 16:12:00 GMT"
    same = fetch(MOU, headers={"If-Modified-Since": "Tue, 20 Jun 2017 16:12:00 GMT"})
    later = fetch(MOU, headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"})
    earlier = fetch(MOU, headers={"If-Modified-Since": "Tue, 20 Jun 2017 16:11:59 GMT"})
    assert (same.status, later.status, earlier.status) == (304, 304, 200)


def test_if_none_match_takes_precedence_over_if_modified_since(fetch):
    response = fetch(
        MOU,
        headers={
            "If-None-Match": '"stale"',
            "If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT",
        },
    )
    assert response.status == 200


def test_head_sends_the_get_headers_without_a_body(fetch):
    get = fetch("/feed/")
    head = fetch("/feed/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


def test_both_hosts_serve_the_same_content(fetch):
    www = fetch(MOU, host="www.france-sandiego.org")
    bare = fetch(MOU, host="france-sandiego.org")
    with_port = fetch(MOU, host="WWW.France-SanDiego.org:443")
    assert www.status == bare.status == with_port.status == 200
    assert www.body == bare.body == with_port.body


def test_unknown_host_is_404(fetch):
    assert fetch(MOU, host="www.example.com").status == 404


def test_path_prefix_routing_when_browsing(mirror, fetch):
    routed = fetch("/www.france-sandiego.org" + MOU, host=None)  # Host: 127.0.0.1:PORT
    assert routed.status == 200
    assert routed.body == fetch(MOU).body
    index = fetch("/", host=None)
    assert index.status == 200
    assert 'href="/www.france-sandiego.org/"' in index.text
    assert fetch("/no-such-host.example/", host=None).status == 404


def test_redirects_keep_the_site_location(fetch):
    response = fetch("/?p=247")
    assert response.status == 301
    assert response.headers["location"] == "https://www.france-sandiego.org" + MOU


def test_request_log_counts_and_clears(mirror_factory, fetch):
    server = mirror_factory()
    fetch(MOU, server=server)
    fetch(MOU, server=server, method="HEAD")
    fetch("/feed/", server=server, host="france-sandiego.org")
    assert server.requests.count(path=MOU) == 2
    assert server.requests.count(host="france-sandiego.org") == 1
    assert [r.method for r in server.requests] == ["GET", "HEAD", "GET"]
    assert [r.status for r in server.requests] == [200, 200, 200]
    server.requests.clear()
    assert len(server.requests) == 0


def test_fault_status_with_retry_after_fires_only_the_given_times(mirror_factory, fetch):
    fault = Fault(path=r"^/feed/", status=503, retry_after=120, times=2)
    server = mirror_factory(faults=[fault])
    statuses = [fetch("/feed/", server=server) for _ in range(3)]
    assert [r.status for r in statuses] == [503, 503, 200]
    assert statuses[0].headers["retry-after"] == "120"
    assert fetch(MOU, server=server).status == 200  # other paths untouched


def test_fault_only_for_its_host(mirror_factory, fetch):
    server = mirror_factory(faults=[Fault(path=".*", host="france-sandiego.org", status=429)])
    assert fetch(MOU, server=server, host="france-sandiego.org").status == 429
    assert fetch(MOU, server=server, host="www.france-sandiego.org").status == 200


def test_fault_probability_zero_never_fires(mirror_factory, fetch):
    server = mirror_factory(faults=[Fault(status=500, probability=0.0)])
    assert {fetch(MOU, server=server).status for _ in range(5)} == {200}


def test_fault_reset_closes_without_answer(mirror_factory):
    server = mirror_factory(faults=[Fault(path="^/feed/", reset=True)])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/feed/", headers={"Host": "www.france-sandiego.org"})
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, socket.error)):
        connection.getresponse().read()
    assert server.requests.records()[-1].status == 0


def test_fault_truncate_sends_less_than_content_length(mirror_factory):
    server = mirror_factory(faults=[Fault(path="^/feed/", truncate=True)])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/feed/", headers={"Host": "www.france-sandiego.org"})
    response = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()


def test_reload_serves_edited_content(tmp_path, mirror_factory, fetch):
    sites = tmp_path / "sites"
    shutil.copytree(SITES_DIR, sites)
    server = mirror_factory(sites_dir=sites)
    assert "Memorandum of Understanding" in fetch(MOU, server=server).text
    post = sites / "www.france-sandiego.org" / "posts" / "paca-region-sandiego.html"
    post.write_text(post.read_text().replace("Memorandum of Understanding", "MoU, revised"))
    assert "MoU, revised" not in fetch(MOU, server=server).text  # content is read once
    server.reload()
    assert "MoU, revised" in fetch(MOU, server=server).text


def test_every_folder_with_a_site_toml_is_a_site(tmp_path):
    config = MirrorConfig(sites_dir=Path(SITES_DIR))
    folders = sorted(p.parent.name for p in Path(SITES_DIR).glob("*/site.toml"))
    sites = load_sites(config)
    assert len(sites) == len(folders) >= 9
    # Each folder's first host is the folder's own name (tests/sites/<real hostname>/).
    assert sorted(site.hosts[0] for site in sites) == folders


def test_an_unknown_cms_is_a_clear_error(tmp_path):
    (tmp_path / "www.example.org").mkdir()
    (tmp_path / "www.example.org" / "site.toml").write_text(
        'cms = "joomla"\nhosts = ["www.example.org"]\n'
    )
    with pytest.raises(ValueError, match="unknown cms 'joomla'"):
        load_sites(MirrorConfig(sites_dir=tmp_path))


def test_start_returns_the_bound_url_and_stop_frees_the_port():
    server = MirrorServer(MirrorConfig(sites_dir=Path(SITES_DIR)))
    url = server.start()
    assert url == f"http://127.0.0.1:{server.port}" and server.port > 0
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
