"""Simulated nights of `partnews nightly` on a copy of the mirror whose content changes.

Night 1 reads everything (no history), night 2 finds nothing changed, night 3 finds one
new WordPress post and one edited article, night 4 meets a layout change on one site.
Each night is the real command in a subprocess; requests are counted in the mirror's log.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mirror import SITES_DIR
from tests.crawling import REPO_ROOT, open_archive

SOURCES_BY_HOST = {
    "www.france-sandiego.org": "sdfacc",
    "www.investinprovence.com": "provence_promotion",
    "www.investincotedazur.com": "team_cote_dazur",
    "www.maregionsud.fr": "region_sud",
    "www.risingsud.fr": "rising_sud",
    "www.sandiegobusiness.org": "sd_regional_edc",
    "www.marseille.fr": "ville_de_marseille",
    "www.sandiego.gov": "city_of_san_diego",
    "timesofsandiego.com": "times_of_san_diego",
}
EDITED = "tests/sites/www.maregionsud.fr/posts/budget-2025.md"
EDITED_URL = "https://www.maregionsud.fr/espace-presse/communiques/budget-2025"
NEW_POST_TITLE = "Chamber opens a Marseille desk for San Diego startups"


def run_nightly(server, archive: Path, *args: str, timeout: int = 300):
    """`partnews nightly --mirror URL --archive PATH ARGS…` in a subprocess."""
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", "partnews.cli", "nightly", "--mirror", server.url]
        + ["--archive", str(archive), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def requests_by_source(server) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {source: [] for source in SOURCES_BY_HOST.values()}
    for record in server.requests.records():
        paths[SOURCES_BY_HOST[record.host]].append(record.path)
    return paths


def night_rows(archive: Path) -> dict[str, dict]:
    """The newest crawl_runs row of each source."""
    conn = open_archive(archive)
    rows = conn.execute(
        "select * from crawl_runs where id in (select max(id) from crawl_runs group by source)"
    ).fetchall()
    conn.close()
    return {row["source"]: dict(row) for row in rows}


def edit_article(sites: Path) -> None:
    """Rewrite the budget release's text and give it a new modification date."""
    path = sites / "www.maregionsud.fr" / "posts" / "budget-2025.md"
    text = path.read_text(encoding="utf-8")
    front, body = text.split("+++", 2)[1:]
    front += "modified = 2025-05-30T09:00:00+02:00\n"
    body += "\nUn amendement voté en séance ajoute une ligne pour les ports de commerce.\n"
    path.write_text(f"+++{front}+++{body}", encoding="utf-8")


def add_wordpress_post(sites: Path, now: datetime) -> None:
    """A post published now (the REST API's modified_after must bring it)."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    (sites / "www.france-sandiego.org" / "posts" / "marseille-desk.html").write_text(
        f'+++\nid = 9901\ntitle = "{NEW_POST_TITLE}"\ndate = {stamp}\n'
        f'modified = {stamp}\nauthor = "sdfacc"\ncategories = ["news"]\n+++\n'
        "<p>The chamber will host founders from San Diego at a desk in Marseille "
        "for three months, with introductions to regional investors.</p>\n",
        encoding="utf-8",
    )


def break_layout(sites: Path) -> None:
    """Région Sud moves its articles under /articles/: the spider's URL pattern no longer
    matches anything in the feed, the sitemap or the listings."""
    path = sites / "www.maregionsud.fr" / "site.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'item_path = "[^"]+"', 'item_path = "/articles/{slug}"', text)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Four nights on one archive; each night's result, rows and requests by source."""
    from datetime import date

    from mirror.server import MirrorServer
    from mirror.site import MirrorConfig

    tmp = tmp_path_factory.mktemp("nights")
    sites = tmp / "sites"
    shutil.copytree(SITES_DIR, sites)
    archive = tmp / "data" / "partnews.db"
    server = MirrorServer(MirrorConfig(sites_dir=sites, today=date(2025, 6, 1)))
    server.start()
    results = {}
    try:
        for night in (1, 2, 3, 4):
            if night == 3:
                edit_article(sites)
                add_wordpress_post(sites, datetime.now(UTC))
                server.reload()
            if night == 4:
                break_layout(sites)
                server.reload()
            server.requests.clear()
            result = run_nightly(server, archive)
            results[night] = {
                "result": result,
                "rows": night_rows(archive),
                "requests": requests_by_source(server),
                "report": json.loads((archive.parent / "nightly-report.json").read_text()),
            }
    finally:
        server.stop()
    results["archive"] = archive
    return results


def test_the_first_night_reads_everything_and_is_healthy(nights):
    first = nights[1]
    assert first["result"].returncode == 0, first["result"].stderr[-3000:]
    assert {r["mode"] for r in first["rows"].values()} == {"full"}
    assert all(r["health"] == "healthy" for r in first["rows"].values())
    assert sum(r["items_new"] for r in first["rows"].values()) > 100
    assert "Backed up" not in first["result"].stderr  # no archive yet: nothing to back up


def test_an_unchanged_night_makes_at_most_three_requests_per_source(nights):
    second = nights[2]
    assert second["result"].returncode == 0, second["result"].stderr[-3000:]
    for source, paths in second["requests"].items():
        assert len(paths) <= 3, (source, paths)
        assert "/robots.txt" in paths, source
    for source, row in second["rows"].items():
        assert row["mode"] == "incremental", source
        assert (row["items_new"], row["items_updated"]) == (0, 0), source
        assert row["health"] == "healthy", (source, row["health_reasons"])


def test_an_unchanged_night_revalidates_entry_points_with_304s(nights):
    rows = nights[2]["rows"]
    # Drupal and generic sites send validators for their feed and sitemap.
    for source in ("provence_promotion", "region_sud", "ville_de_marseille", "sd_regional_edc"):
        assert rows[source]["responses_304"] == 2, source
    assert rows["times_of_san_diego"]["responses_304"] == 1  # the site feed: no search


def test_the_backup_is_taken_before_the_second_night_writes(nights):
    assert "Backed up the archive to" in nights[2]["result"].stderr
    backup = Path(nights[2]["report"]["backup"])
    assert backup.exists()
    conn = open_archive(backup)
    # The copy holds the first night only: nine runs, no incremental one.
    modes = [r[0] for r in conn.execute("select mode from crawl_runs")]
    assert modes == ["full"] * 9


def test_a_changed_night_reads_only_the_changed_pages(nights):
    third = nights[3]
    assert third["result"].returncode == 0, third["result"].stderr[-3000:]
    rows, requests = third["rows"], third["requests"]
    assert (rows["sdfacc"]["items_new"], rows["sdfacc"]["items_updated"]) == (1, 0)
    assert (rows["region_sud"]["items_new"], rows["region_sud"]["items_updated"]) == (0, 1)
    # Région Sud: robots, the feed (304: the release is not among its newest), the
    # sitemap (changed) and the one article whose lastmod changed.
    articles = [p for p in requests["region_sud"] if p.startswith(("/actualites/", "/espace-"))]
    assert articles == ["/espace-presse/communiques/budget-2025"]
    assert len(requests["region_sud"]) == 4
    assert len(requests["sdfacc"]) == 3
    for source in set(rows) - {"sdfacc", "region_sud"}:
        assert (rows[source]["items_new"], rows[source]["items_updated"]) == (0, 0), source


def test_the_changed_article_has_a_new_version_naming_the_body(nights):
    conn = open_archive(nights["archive"])
    item_id = conn.execute("select item_id from item_urls where url = ?", [EDITED_URL]).fetchone()[
        0
    ]
    versions = conn.execute(
        "select version, changed_fields from item_versions where item_id = ? order by version",
        [item_id],
    ).fetchall()
    assert [v["version"] for v in versions] == [1, 2]
    assert "body" in json.loads(versions[1]["changed_fields"])
    assert (
        conn.execute("select count(*) from items where title = ?", [NEW_POST_TITLE]).fetchone()[0]
        == 1
    )


def test_a_layout_change_makes_that_source_broken_and_the_night_fail(nights):
    fourth = nights[4]
    result = fourth["result"]
    assert result.returncode == 1
    assert "Not healthy: region_sud." in result.stderr
    row = fourth["rows"]["region_sud"]
    assert row["health"] == "broken"
    reasons = json.loads(row["health_reasons"])
    assert any("https://www.maregionsud.fr/sitemap.xml" in r and "zero" in r for r in reasons)
    assert fourth["report"]["failing"] == ["region_sud"]
    others = [r for s, r in fourth["rows"].items() if s != "region_sud"]
    assert all(r["health"] == "healthy" for r in others)
    assert "region_sud" in result.stdout and "broken" in result.stdout


def test_the_night_folder_is_removed_once_the_night_completes(nights):
    assert not any((nights["archive"].parent / "nightly").iterdir())


def test_partnews_sources_shows_each_sources_health(nights):
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "sources", "--json", "--archive"]
        + [str(nights["archive"])],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["region_sud"]["health"] == "broken"
    assert rows["region_sud"]["status"].startswith("broken: ")
    assert rows["sdfacc"]["status"].startswith("healthy")


def test_retry_after_is_waited_for_before_the_retry(mirror_factory, tmp_path):
    from mirror.site import Fault

    server = mirror_factory(
        faults=[
            Fault(path=r"^/rss\.xml$", host="www.sandiego.gov", status=503, retry_after=2, times=1)
        ]
    )
    result = run_nightly(server, tmp_path / "partnews.db", "--source", "city_of_san_diego")
    assert result.returncode == 0, result.stderr[-3000:]  # one 503 is not a trend
    answers = [r for r in server.requests.records() if r.path == "/rss.xml"]
    assert [r.status for r in answers] == [503, 200]
    assert answers[1].time - answers[0].time >= 2


def test_the_search_index_follows_the_archive(nights):
    """Each night leaves the search index in step: built after a night that changed
    texts, left alone after one that did not (archive/search_index.py)."""
    from archive import search_index

    states = [nights[n]["report"]["search_index"]["state"] for n in (1, 2, 3)]
    assert states == ["built", "current", "built"]
    assert "Search index rebuilt" in nights[3]["result"].stderr
    conn = open_archive(nights["archive"])
    assert search_index.in_step(nights["archive"], conn, {}) is not None
