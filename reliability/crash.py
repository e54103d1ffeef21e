"""Crash safety: kill `partnews nightly` with SIGKILL at random moments, resume, compare.

A night may die at any instant (OOM killer, reboot, a cron timeout). This module starts
the real command in a subprocess against a mirror, kills it after a random delay drawn
from a seeded RNG, checks that the SQLite file and its FTS5 index are still sound, and
does it again; then lets a last invocation finish. The archive it leaves must equal the
archive of one clean, uninterrupted night: the same items, URLs, versions and relations.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from reliability.runner import REPO_ROOT

COUNTED_TABLES = ("items", "item_urls", "item_versions", "story_members", "item_translations")


def nightly_command(mirror_url: str, archive: Path, *args: str) -> list[str]:
    """The exact command a cron job runs, pointed at the mirror."""
    return [sys.executable, "-m", "partnews.cli", "nightly", "--mirror", mirror_url] + [
        "--archive",
        str(archive),
        *args,
    ]


def nightly_env() -> dict[str, str]:
    """The caller's environment, minus a mirror that would override --mirror."""
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    return env


def run_nightly(
    mirror_url: str, archive: Path, *args: str, timeout: int = 300
) -> subprocess.CompletedProcess:
    """One whole night, to the end (its stderr kept for the failure message)."""
    return subprocess.run(
        nightly_command(mirror_url, archive, *args),
        cwd=REPO_ROOT,
        env=nightly_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def integrity_problems(archive: Path) -> list[str]:
    """What SQLite's and FTS5's own checks say is wrong (empty: the file is sound).

    A kill before the archive or its index was created leaves nothing to check, which is
    sound too: the next invocation creates them."""
    if not archive.exists():
        return []
    problems = []
    conn = sqlite3.connect(archive, timeout=10)
    try:
        rows = [r[0] for r in conn.execute("pragma integrity_check")]
        if rows != ["ok"]:
            problems.append("integrity_check: " + "; ".join(rows[:5]))
        has_fts = conn.execute("select 1 from sqlite_master where name = 'items_fts'").fetchone()
        if has_fts:
            try:
                conn.execute("insert into items_fts(items_fts) values ('integrity-check')")
            except sqlite3.DatabaseError as error:
                problems.append(f"FTS5 integrity-check: {error}")
    finally:
        conn.close()
    return problems


def table_counts(archive: Path) -> dict[str, int]:
    """Rows per archive table: what a night that archives nothing new must leave alone."""
    conn = sqlite3.connect(archive)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in COUNTED_TABLES}
    finally:
        conn.close()


def items_archived(archive: Path) -> int:
    """Items in the archive so far (0 before its schema exists): how far a kill let it get."""
    if not archive.exists():
        return 0
    conn = sqlite3.connect(archive, timeout=10)
    try:
        return conn.execute("select count(*) from items").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def snapshot(archive: Path) -> dict[str, set]:
    """What must be the same after a resumed night and a clean one.

    Items are named by their cited URL, not their id: an id comes from the URL of the
    first copy met, which depends on the order answers arrive in, run to run. A story
    is the set of its members with their roles (its id is its first member's)."""
    conn = sqlite3.connect(archive)
    try:
        cited = dict(conn.execute("select id, url from items").fetchall())
        items = set(
            conn.execute(
                "select source, url, canonical_url, title, body, published, content_hash, "
                "version from items"
            ).fetchall()
        )
        urls = {
            (url, cited[item_id], relation)
            for url, item_id, relation in conn.execute(
                "select url, item_id, relation from item_urls"
            )
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
    finally:
        conn.close()
    return {
        "items": items,
        "urls": urls,
        "versions": versions,
        "stories": {frozenset(members) for members in stories.values()},
        "translations": translations,
    }


def differences(got: dict[str, set], expected: dict[str, set]) -> dict[str, dict]:
    """Per part of the snapshot: how many rows are missing and how many are extra."""
    out = {}
    for part in expected:
        missing, extra = expected[part] - got[part], got[part] - expected[part]
        if missing or extra:
            out[part] = {"missing": len(missing), "extra": len(extra)}
    return out


def kill_once(mirror_url: str, archive: Path, delay: float, args: tuple[str, ...]) -> bool:
    """Start a night, SIGKILL it after `delay` seconds; False if it had already ended."""
    process = subprocess.Popen(
        nightly_command(mirror_url, archive, *args),
        cwd=REPO_ROOT,
        env=nightly_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True


def kill_and_resume(
    mirror_url: str,
    archive: Path,
    kills: int,
    *,
    seed: int = 0,
    delays: tuple[float, float] = (0.2, 6.0),
    args: tuple[str, ...] = (),
) -> dict:
    """`kills` SIGKILLs at random moments, integrity checks after each, then a full night.

    The delays (seconds after the start, seeded, so a failure can be replayed) cover
    the interpreter's start-up, the lock and backup, and the crawl itself. Returns the
    figures: each delay, how many kills landed before the night ended, the items archived
    after each kill, what the integrity checks found, and the last night's exit status."""
    rng = random.Random(seed)
    outcome: dict = {"kills": kills, "seed": seed, "delays": [], "landed": 0, "problems": []}
    outcome["items_after_kill"] = []
    for n in range(kills):
        delay = round(rng.uniform(*delays), 2)
        landed = kill_once(mirror_url, archive, delay, args)
        outcome["delays"].append(delay)
        outcome["landed"] += landed
        outcome["items_after_kill"].append(items_archived(archive))
        outcome["problems"] += [
            f"after kill {n + 1} at {delay} s: {p}" for p in integrity_problems(archive)
        ]
    final = run_nightly(mirror_url, archive, *args)
    outcome["final_returncode"] = final.returncode
    outcome["final_stderr"] = final.stderr[-3000:]
    outcome["problems"] += [f"after the last night: {p}" for p in integrity_problems(archive)]
    return outcome


def crash_check(mirror_url: str, workdir: Path, kills: int, seed: int = 0) -> dict:
    """The whole check: a killed-and-resumed archive against a clean night's archive."""
    started = time.monotonic()
    killed = workdir / "killed" / "partnews.db"
    clean = workdir / "clean" / "partnews.db"
    killed.parent.mkdir(parents=True, exist_ok=True)
    clean.parent.mkdir(parents=True, exist_ok=True)
    # The clean night first: its length is the span the kills are drawn from.
    clean_run = run_nightly(mirror_url, clean)
    clean_seconds = round(time.monotonic() - started, 2)
    outcome = kill_and_resume(mirror_url, killed, kills, seed=seed, delays=(0.2, clean_seconds))
    outcome["clean_returncode"] = clean_run.returncode
    outcome["clean_seconds"] = clean_seconds
    final_items = table_counts(killed)["items"]
    outcome["kills_mid_crawl"] = sum(0 < n < final_items for n in outcome["items_after_kill"])
    expected = snapshot(clean)
    outcome["differences"] = differences(snapshot(killed), expected)
    outcome["counts"] = table_counts(killed)
    outcome["clean_counts"] = table_counts(clean)
    outcome["seconds"] = round(time.monotonic() - started, 1)
    return outcome
