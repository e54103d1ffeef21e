"""`partnews probe` against every mirror site and against real responses (shared/realdata).

The expected CMS and ladder of each mirror site come from the registry (crawler/sources.toml)
and from the spider that crawls it (its feed, sitemap and listing attributes), never from
the probe's own output: the probe must find what those spiders were written to use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.settings import USER_AGENT
from crawler.sources import _source, load_sources
from crawler.spiders.configured import BASES, spider_attributes
from mirror.site import Fault
from partnews import REPO_ROOT
from partnews.cli import main
from partnews.probe import (
    LADDERS,
    Fetcher,
    listing_candidates,
    page_signals,
    pager_of,
    probe,
    source_block,
    source_id_for,
)
from partnews.recorded import save_response, write_site_toml
from tests.conftest import fetch_url
from tests.realsites import REAL_SITES, build_sites, require_realdata

SOURCES = load_sources()
# A press source is a WordPress site whose search feeds the registry chose to read: the
# probe sees the WordPress site (the "press" choice is a relevance policy, not a CMS).
PLATFORM = {"press": "wordpress"}


def spider_class(source_id: str) -> type:
    return get_spider_loader(get_project_settings()).load(source_id)


def path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def probes(mirror_factory_module):
    """Every registry source probed once through a mirror of its own (so its request log
    counts this probe's requests only): {source id: (report, mirror requests to its host)}."""
    server = mirror_factory_module()
    results = {}
    for source_id, source in SOURCES.items():
        server.requests.clear()
        report = probe(source.homepage, Fetcher(USER_AGENT, delay=0, mirror=server.url))
        served = [r for r in server.requests if r.host in source.hosts]
        results[source_id] = (report, served)
    return results


@pytest.fixture(scope="module")
def mirror_factory_module():
    from mirror import SITES_DIR
    from mirror.server import MirrorServer
    from mirror.site import MirrorConfig
    from tests.conftest import MIRROR_TODAY

    servers = []

    def start(sites_dir: Path = SITES_DIR) -> MirrorServer:
        server = MirrorServer(MirrorConfig(sites_dir=sites_dir, today=MIRROR_TODAY))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_the_cms_is_the_registrys(probes, source_id):
    report, _ = probes[source_id]
    cms = SOURCES[source_id].cms
    assert report.cms == PLATFORM.get(cms, cms), report.evidence


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_the_ladder_is_what_the_sources_spider_uses(probes, source_id):
    report, _ = probes[source_id]
    source = SOURCES[source_id]
    spider = spider_class(source_id)
    feed = report.rung("feed")
    sitemap = report.rung("sitemap")
    listing = report.rung("listing")
    if PLATFORM.get(source.cms, source.cms) == "wordpress":
        assert report.ladder[0] == "wp-rest"
        assert ("tribe-events-rest" in report.ladder) == ("events" in source.kinds)
        assert ("ical" in report.ladder) == ("events" in source.kinds)
        feed_path = getattr(spider, "feed_path", None) or spider.site_feed_path
        assert feed.works and path_of(feed.url) == feed_path
        if hasattr(spider, "sitemap_paths"):
            assert sitemap.works and path_of(sitemap.url) in spider.sitemap_paths
        return
    assert sitemap.works and path_of(sitemap.url) == spider.sitemap_path
    assert feed.works == bool(spider.feed_paths)
    if spider.feed_paths:
        assert path_of(feed.url) in spider.feed_paths
    assert listing.works
    found = report.listings[0]
    if source.cms == "drupal":
        assert report.ladder[:3] == ["feed", "listing", "sitemap"]
        assert found.path in spider.listing_paths
        assert found.pager in (None, "?page={n}")  # Drupal's views pager, zero-based
        assert found.pager is None or found.first_page == 0
    else:
        expected = [*(["feed"] if spider.feed_paths else []), "sitemap", "listing"]
        assert report.ladder == expected
        listings = {item.path: item for item in spider.listings}
        assert found.path in listings
        assert (found.pager, found.first_page) == (
            listings[found.path].pager,
            listings[found.path].first_page,
        )


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_the_budget_holds_and_every_request_is_counted(probes, source_id):
    report, served = probes[source_id]
    assert len(report.requests) <= report.budget == 20
    # what the probe counted is what the server saw, robots.txt included
    assert sorted(path_of(r.url) for r in report.requests) == sorted(r.path for r in served)
    assert served[0].path == "/robots.txt"


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_the_printed_block_is_a_valid_registry_block(probes, source_id):
    report, _ = probes[source_id]
    block = tomllib.loads(source_block(report, "probed"))
    source = _source("probed", block["probed"])
    assert source.cms == report.cms
    assert set(SOURCES[source_id].hosts) & set(source.hosts)
    assert source.side == SOURCES[source_id].side
    assert source.timezone == SOURCES[source_id].timezone
    # the [probed.spider] table is what configured.py accepts for that base spider
    spider_attributes(source, BASES[source.cms])


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_articles_are_sampled_and_read(probes, source_id):
    report, _ = probes[source_id]
    read = [s for s in report.samples if s.reading is not None]
    assert 1 <= len(report.samples) <= 3
    assert read and all(s.reading.title for s in read)
    host = SOURCES[source_id].hosts
    assert all(path_of(s.url) != "/" and any(h in s.url for h in host) for s in report.samples)


def test_the_first_language_of_the_registry_is_found(probes):
    for source_id, (report, _) in probes.items():
        assert SOURCES[source_id].languages[0] in report.languages, source_id


def test_a_small_budget_is_a_hard_limit(mirror_factory):
    server = mirror_factory()
    report = probe(
        "https://www.france-sandiego.org/",
        Fetcher(USER_AGENT, budget=4, delay=0, mirror=server.url),
    )
    assert len(report.requests) == 4
    assert len(server.requests) == 4
    assert {s.reason for s in report.skipped} == {"budget"}


def test_any_page_of_the_site_will_do(mirror):
    report = probe(
        "https://www.maregionsud.fr/actualites/jumelage-san-diego-marseille-2025",
        Fetcher(USER_AGENT, delay=0, mirror=mirror.url),
    )
    spider = spider_class("region_sud")
    assert report.cms == SOURCES["region_sud"].cms
    assert path_of(report.rung("feed").url) in spider.feed_paths
    assert "/" in [path_of(r.url) for r in report.requests]  # the home is read too


def test_a_redirect_to_the_other_host_moves_the_probe(mirror):
    source = SOURCES["times_of_san_diego"]
    report = probe(
        "https://www.timesofsandiego.com/", Fetcher(USER_AGENT, delay=0, mirror=mirror.url)
    )
    canonical = next(h for h in source.hosts if h.startswith("www.") == source.prefer_www)
    assert report.host == canonical
    assert report.robots["status"] == 200 and report.robots["sitemaps"]
    asked = [r.url for r in report.requests]
    assert len(asked) == len(set(asked))  # robots.txt and pages asked once each
    assert report.cms == "wordpress" and "wp-rest" in report.ladder


def test_a_compressed_bomb_is_inflated_only_up_to_the_cap(mirror_factory):
    bomb = Fault(path="^/$", host="www.maregionsud.fr", gzip_bomb=30_000_000)
    server = mirror_factory(faults=[bomb])
    fetcher = Fetcher(USER_AGENT, delay=0, mirror=server.url, max_bytes=1_000_000)
    answer = fetcher.get("https://www.maregionsud.fr/")
    assert answer.status == 200
    assert len(answer.body) <= 1_000_000 and "cut" in answer.error


def robots_site(tmp_path: Path, robots: str) -> Path:
    """A recorded site whose home links a feed and a page, with the given robots.txt."""
    host = "robots.example.org"
    sites = tmp_path / "sites"
    site = sites / host
    write_site_toml(site, [host])
    home = (
        '<html lang="en"><head><title>Example</title>'
        f'<link rel="alternate" type="application/rss+xml" href="https://{host}/feed/">'
        f'</head><body><a href="https://{host}/news">News</a>'
        f'<a href="https://{host}/news/a-story">A story</a></body></html>'
    )
    html = [("Content-Type", "text/html; charset=UTF-8")]
    save_response(site, f"https://{host}/", 200, html, home.encode())
    save_response(
        site, f"https://{host}/robots.txt", 200, [("Content-Type", "text/plain")], robots.encode()
    )
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    save_response(
        site, f"https://{host}/feed/", 200, [("Content-Type", "application/rss+xml")], rss
    )
    return sites


def test_robots_disallow_is_obeyed(tmp_path, mirror_factory):
    server = mirror_factory(
        sites_dir=robots_site(tmp_path, "User-agent: *\nDisallow: /feed/\nDisallow: /news\n")
    )
    report = probe("https://robots.example.org/", Fetcher(USER_AGENT, delay=0, mirror=server.url))
    asked = [r.path for r in server.requests]
    assert "/robots.txt" in asked and "/" in asked
    assert not [p for p in asked if p.startswith(("/feed/", "/news"))]
    assert "https://robots.example.org/feed/" in {
        s.url for s in report.skipped if s.reason == "robots.txt"
    }
    assert not report.rung("feed").works


def test_robots_rules_for_the_projects_user_agent_apply(tmp_path, mirror_factory):
    robots = "User-agent: partnews\nDisallow: /\n\nUser-agent: *\nDisallow:\n"
    server = mirror_factory(sites_dir=robots_site(tmp_path, robots))
    probe("https://robots.example.org/", Fetcher(USER_AGENT, delay=0, mirror=server.url))
    assert [r.path for r in server.requests] == ["/robots.txt"]


def test_saved_responses_are_served_back_identical(tmp_path, mirror, mirror_factory):
    saved = tmp_path / "sites"
    report = probe(
        "https://www.maregionsud.fr/",
        Fetcher(USER_AGENT, delay=0, mirror=mirror.url, save_dir=saved),
    )
    assert (saved / "www.maregionsud.fr" / "site.toml").exists()
    assert len(report.saved) == len(report.requests)
    replay = mirror_factory(sites_dir=saved)
    for request in report.requests:
        original = fetch_url(mirror.url, path_of(request.url), host="www.maregionsud.fr")
        again = fetch_url(replay.url, path_of(request.url), host="www.maregionsud.fr")
        assert (again.status, again.body) == (original.status, original.body), request.url
        assert again.headers.get("content-type") == original.headers.get("content-type")


def test_the_cli_prints_json_and_a_report(mirror, capsys):
    code = main(
        ["probe", "--json", "--delay", "0", "--mirror", mirror.url, "https://www.maregionsud.fr/"]
    )
    [data] = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["cms"] == "generic" and data["ladder"] == list(LADDERS["generic"])
    assert data["requests_used"] == len(data["requests"]) <= 20
    main(
        [
            "probe",
            "--delay",
            "0",
            "--id",
            "region_test",
            "--mirror",
            mirror.url,
            "https://www.maregionsud.fr/",
        ]
    )
    out = capsys.readouterr().out
    assert "[region_test]" in out and "Requests:" in out and "/rss.xml" in out


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["probe", "--help"])
    out = capsys.readouterr().out
    assert "partnews probe https://" in out and "--save" in out


def test_new_source_from_probe_prefills_the_block(tmp_path, mirror):
    registry = tomllib.loads((Path(__file__).parents[1] / "crawler" / "sources.toml").read_text())
    (tmp_path / "crawler").mkdir()
    kept = "\n".join(
        f"[{sid}]\nhosts = {json.dumps(block['hosts'])}\n"
        for sid, block in registry.items()
        if sid != "region_sud"
    )
    (tmp_path / "crawler" / "sources.toml").write_text(kept)
    code = main(
        [
            "new-source",
            "region_again",
            "--from-probe",
            "https://www.maregionsud.fr/",
            "--mirror",
            mirror.url,
            "--delay",
            "0",
            "--root",
            str(tmp_path),
        ]
    )
    assert code == 0
    block = tomllib.loads((tmp_path / "crawler" / "sources.toml").read_text())["region_again"]
    expected = SOURCES["region_sud"]
    assert block["cms"] == expected.cms
    assert block["hosts"] == list(expected.hosts)
    assert block["languages"][0] == expected.languages[0]
    assert block["timezone"] == expected.timezone
    spider = spider_class("region_sud")
    assert block["spider"]["feed_paths"] == list(spider.feed_paths)
    first = block["spider"]["listings"][0]
    path = first if isinstance(first, str) else first["path"]
    assert path in {item.path for item in spider.listings}


# --- pure readers -----------------------------------------------------------------------


def test_page_signals_read_cms_signs_feeds_and_languages():
    html = """<html lang="fr-FR"><head><title>Site</title>
    <meta name="generator" content="WordPress 6.5">
    <link rel="https://api.w.org/" href="/wp-json/">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">
    <link rel="alternate" type="text/calendar" href="/events/?ical=1">
    <link rel="alternate" hreflang="en-US" href="https://x.org/en/">
    <meta name="tec-api-version" content="v1"></head>
    <body><a href="/page/2/" rel="next">Older</a></body></html>"""
    signals = page_signals(html, "https://x.org/", [("X-Powered-By", "PHP")])
    assert signals.lang == "fr-FR"
    assert signals.rest_api == "https://x.org/wp-json/"
    assert signals.feeds == ["https://x.org/feed/"]
    assert signals.calendars == ["https://x.org/events/?ical=1"]
    assert signals.hreflang == {"en-US": "https://x.org/en/"}
    assert signals.rel_next == "https://x.org/page/2/"
    assert signals.wordpress and signals.tribe_events and not signals.drupal


def test_page_signals_read_drupal_headers_and_shortlinks():
    html = '<html><head><link rel="shortlink" href="/node/12"></head><body></body></html>'
    headers = [("X-Generator", "Drupal 10 (https://www.drupal.org)"), ("X-Drupal-Cache", "HIT")]
    signals = page_signals(html, "https://x.fr/a", headers)
    assert len(signals.drupal) == 3 and not signals.wordpress


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (["/news?page=0", "/news?page=1", "/news?page=2"], ("?page={n}", 0)),
        (["/news?page=2", "/news?page=3"], ("?page={n}", 1)),
        (["/news/page/2/", "/news/page/3/"], ("/page/{n}/", 1)),
        (["/news/page/2"], ("/page/{n}", 1)),
        (["/news/a-story", "/other?page=2"], None),
    ],
)
def test_pagers(links, expected):
    pager = pager_of("https://x.org/news", [f"https://x.org{link}" for link in links])
    if expected is None:
        assert pager is None
    else:
        assert (pager.pager, pager.first_page) == expected


def test_listing_candidates_prefer_the_parent_of_articles():
    links = [
        ("https://x.org/en", "English"),
        ("https://x.org/about", "About"),
        ("https://x.org/section", "Section"),
        ("https://x.org/section/news", "News"),
        ("https://x.org/section/news/one", "One"),
        ("https://x.org/section/news/two", "Two"),
    ]
    articles = ["https://x.org/section/news/one", "https://x.org/section/news/two"]
    ranked = listing_candidates("https://x.org/", links, articles)
    assert ranked[0][0] == "/section/news"
    assert "/en" not in dict(ranked) and "/about" not in dict(ranked)


def test_source_ids_from_hosts():
    assert source_id_for("www.nice-cote-azur.fr") == "nice_cote_azur"
    assert source_id_for("3f.example.com") == "site_3f_example"


# --- real responses (shared/realdata) ---------------------------------------------------


@pytest.fixture(scope="module")
def real_probes(tmp_path_factory, mirror_factory_module):
    require_realdata()
    sites = build_sites(tmp_path_factory.mktemp("realsites"))
    server = mirror_factory_module(sites_dir=sites)
    homepages = {
        "saint-gilles-vieux-marche": "https://saint-gilles-vieux-marché.net/",
        "curtismethod": "https://curtismethod.com/",
        "fossasia-drupal": "http://fossasia.org/",
        "unitingnc": "https://www.unitingnc.org/",
    }
    return {
        name: probe(url, Fetcher(USER_AGENT, delay=0, mirror=server.url))
        for name, url in homepages.items()
    }


def test_real_wordpress_rest_feed_and_sitemap(real_probes):
    report = real_probes["saint-gilles-vieux-marche"]
    assert report.host == REAL_SITES["saint-gilles-vieux-marche"].host
    assert report.cms == "wordpress"
    assert "wp/v2" in report.wordpress["namespaces"]
    assert report.rung("feed").works and report.rung("sitemap").works
    # its sitemap index points to a page sitemap that was recorded: both are read
    kinds = [s.kind for s in report.sitemaps]
    assert kinds == ["sitemapindex", "urlset"]
    assert report.sitemaps[1].entries > 100


def test_real_events_calendar(real_probes):
    report = real_probes["curtismethod"]
    assert report.cms == "wordpress"
    assert report.rung("tribe-events-rest").works
    assert any("tribe_events" in path_of(s.url) for s in report.sitemaps)


def test_real_drupal_xmlsitemap(real_probes):
    report = real_probes["fossasia-drupal"]
    assert report.cms == "drupal"
    assert any("xmlsitemap" in e for e in report.evidence["drupal"])
    assert any("/node/N" in e for e in report.evidence["drupal"])
    assert [s.kind for s in report.sitemaps] == ["sitemapindex", "urlset"]


def test_real_wordpress_posts_lead_to_a_dated_article(real_probes):
    report = real_probes["unitingnc"]
    assert report.rung("wp-rest").works and report.rung("tribe-events-rest").works
    read = [s for s in report.samples if s.status == 200 and s.reading is not None]
    # the one article page realdata holds is among the REST API's posts, and it is dated
    assert any(s.url.endswith("/2020/01/an-app-for-the-ministry/") for s in read)
    assert all(s.reading.published and s.reading.published_from for s in read)
    assert report.timezone  # from the REST index's timezone_string


# --- end to end: a source made from the probe alone -----------------------------------

# Registry sources removed from a copy of the repository, then made again by
# `new-source --from-probe` under another id: (generic ladder, Drupal).
REMADE = {"region_sud": "region_again", "city_of_san_diego": "city_again"}
IGNORED = (".venv", ".git", "data", "test-output", "__pycache__", ".pytest_cache")
IGNORED += (".ruff_cache", ".hypothesis")


def test_sources_made_from_the_probe_alone_crawl_every_item(tmp_path, mirror):
    """The generated test of each remade source (every item of its mirror folder
    archived once, with its title, URL and date) passes with the probe's block alone."""
    root = tmp_path / "partnews"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(*IGNORED))
    registry = root / "crawler" / "sources.toml"
    blocks = re.split(r"(?m)^(?=\[)", registry.read_text(encoding="utf-8"))
    kept = [b for b in blocks if not re.match(rf"\[({'|'.join(REMADE)})[\].]", b)]
    registry.write_text("".join(kept), encoding="utf-8")
    for source_id in REMADE:
        (root / "crawler" / "spiders" / f"{source_id}.py").unlink(missing_ok=True)
        (root / "tests" / f"test_source_{source_id}.py").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(root)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    for source_id, new_id in REMADE.items():
        homepage = SOURCES[source_id].homepage
        made = run(
            "partnews.cli",
            "new-source",
            new_id,
            "--from-probe",
            homepage,
            "--mirror",
            mirror.url,
            "--delay",
            "0",
        )
        assert made.returncode == 0, made.stderr[-2000:]
        block = tomllib.loads(registry.read_text(encoding="utf-8"))[new_id]
        assert block["cms"] == SOURCES[source_id].cms and "spider" in block
    tests = [f"tests/test_source_{new_id}.py" for new_id in REMADE.values()]
    result = run("pytest", "-q", "-p", "no:cacheprovider", *tests)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
