"""A nightly killed with SIGKILL mid-crawl resumes on the next invocation: nothing lost,
nothing duplicated, and the article pages it had archived are not read again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from mirror.site import Fault
from tests.crawling import REPO_ROOT, open_archive
from tests.test_nightly import run_nightly

SOURCES = ("--source", "provence_promotion", "--source", "region_sud")
# Article pages answer slowly, so that the kill lands in the middle of the crawl.
SLOW_ARTICLES = [
    Fault(path=r"^/(en/news|actualites|de/node)/", host="www.investinprovence.com", delay=0.3),
    Fault(path=r"^/(actualites|espace-presse/communiques)/.", host="www.maregionsud.fr", delay=0.3),
]


def start_nightly(server, archive) -> subprocess.Popen:
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "partnews.cli", "nightly", "--mirror", server.url]
        + ["--archive", str(archive), *SOURCES],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def archived_count(archive) -> int:
    if not archive.exists():
        return 0
    try:
        conn = sqlite3.connect(archive, timeout=10)
        count = conn.execute("select count(*) from items").fetchone()[0]
        conn.close()
        return count
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet


def snapshot(archive) -> dict[str, set]:
    """What must be the same after a resumed night and a clean one.

    Items are named by their cited URL, not their id: an id comes from the URL of the
    first copy met, which depends on the order answers arrive in, run to run. A story
    is the set of its members with their roles (its id is its first member's)."""
    conn = open_archive(archive)
    cited = dict(conn.execute("select id, url from items").fetchall())
    items = {
        tuple(row)
        for row in conn.execute(
            "select source, url, canonical_url, title, content_hash, version, published from items"
        )
    }
    urls = {
        (url, cited[item_id], relation)
        for url, item_id, relation in conn.execute("select url, item_id, relation from item_urls")
    }
    versions = {
        (cited[item_id], version, content_hash, changed)
        for item_id, version, content_hash, changed in conn.execute(
            "select item_id, version, content_hash, changed_fields from item_versions"
        )
    }
    stories: dict[str, set] = {}
    for item_id, story_id, role in conn.execute(
        "select item_id, story_id, role from story_members"
    ):
        stories.setdefault(story_id, set()).add((cited[item_id], role))
    translations = {
        (cited[item_id], url, cited.get(translation_id))
        for item_id, url, translation_id in conn.execute(
            "select item_id, url, translation_id from item_translations"
        )
    }
    conn.close()
    return {
        "items": items,
        "urls": urls,
        "versions": versions,
        "stories": {frozenset(members) for members in stories.values()},
        "translations": translations,
    }


def test_a_night_killed_mid_crawl_resumes_without_loss_or_duplicates(mirror_factory, tmp_path):
    server = mirror_factory(faults=SLOW_ARTICLES)
    archive = tmp_path / "killed" / "partnews.db"
    process = start_nightly(server, archive)
    deadline = time.monotonic() + 120
    while archived_count(archive) < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None, "the night ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    conn = open_archive(archive)
    read_before_kill = {r[0] for r in conn.execute("select url from page_state")}
    conn.close()
    assert read_before_kill, "the kill came before any page was archived"

    server.requests.clear()
    resumed = run_nightly(server, archive, *SOURCES)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming the night" in resumed.stderr
    again = {
        f"https://{r.host}{r.path}" for r in server.requests.records() if r.path != "/robots.txt"
    }
    assert not again & read_before_kill, "pages archived before the kill were read again"

    clean_archive = tmp_path / "clean" / "partnews.db"
    clean = run_nightly(server, clean_archive, *SOURCES)
    assert clean.returncode == 0, clean.stderr[-3000:]
    killed_then_resumed, clean_run = snapshot(archive), snapshot(clean_archive)
    for table in clean_run:
        assert killed_then_resumed[table] == clean_run[table], table

    conn = open_archive(archive)
    reasons = [r[0] for r in conn.execute("select finish_reason from crawl_runs order by id")]
    assert "interrupted" in reasons  # the killed run is marked, not left open
    assert not (archive.parent / "nightly").exists() or not any(
        (archive.parent / "nightly").iterdir()
    )
