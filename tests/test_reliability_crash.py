"""Crash safety: `partnews nightly` killed with SIGKILL at random moments, then resumed,
leaves the archive a clean night leaves, and a sound SQLite file after every kill.

CI kills the night 3 times; `make reliability` (PARTNEWS_RELIABILITY_FULL=1) 20 times.
The moments are drawn from a seeded RNG (reliability/crash.py), so a failure replays.
"""

from __future__ import annotations

import os

from mirror.site import Fault
from reliability.crash import crash_check
from reliability.runner import record

KILLS = 20 if os.environ.get("PARTNEWS_RELIABILITY_FULL") == "1" else 3
# Every page but robots.txt answers a little slowly, so that a night lasts long enough
# for the random kills to land inside the crawl rather than after it.
SLOW_PAGES = [Fault(path=r"^/(?!robots\.txt)", delay=0.2)]


def test_nightly_killed_at_random_moments_ends_equal_to_a_clean_night(mirror_factory, tmp_path):
    server = mirror_factory(faults=SLOW_PAGES)
    outcome = crash_check(server.url, tmp_path, KILLS, seed=7)
    record("crash", {k: v for k, v in outcome.items() if k != "final_stderr"})

    assert outcome["landed"] >= 1, "every night ended before its kill: nothing was tested"
    assert outcome["problems"] == []
    assert outcome["final_returncode"] == 0, outcome["final_stderr"]
    assert outcome["clean_returncode"] == 0
    assert outcome["differences"] == {}
    assert outcome["counts"] == outcome["clean_counts"]
