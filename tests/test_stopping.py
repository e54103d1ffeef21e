"""A command can still be stopped once its crawl is over: Ctrl-C and `kill` work on what
comes after the crawl (the night's checks and search index, the demo's Datasette), and
stopping the demo stops its Datasette too. Each case is a real process, really signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reliability.serving import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]

# A crawl of one spider that asks for nothing, then a Ctrl-C to the process itself.
AFTER_A_CRAWL = """
import os, signal, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.process import run_crawls

class Nothing(scrapy.Spider):
    name = "nothing"

    async def start(self):
        return
        yield

process = CrawlerProcess({"LOG_ENABLED": False})
process.crawl(Nothing)
if sys.argv[1] == "start":
    process.start()
else:
    run_crawls(process)
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(2)
    print("still running")
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.parametrize(
    "how, expected",
    [
        # Scrapy's own start leaves its handler, which asks a stopped reactor to stop.
        ("start", "still running"),
        ("run_crawls", "interrupted"),
    ],
)
def test_ctrl_c_after_a_crawl_interrupts_the_command(how, expected):
    result = subprocess.run(
        [sys.executable, "-c", AFTER_A_CRAWL, how],
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == expected, result.stderr[-2000:]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_kill_stops_the_demo_and_its_datasette(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "partnews.cli", "demo", "--port", str(port)]
        + ["--archive", str(tmp_path / "demo" / "partnews.db")],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, so that the cleanup reaches Datasette
    )
    try:
        deadline = time.monotonic() + 300
        while not _answers(url):
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the demo never served its archive"
            time.sleep(1)
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("`partnews demo` did not stop on SIGTERM")
        deadline = time.monotonic() + 15
        while _answers(url):
            assert time.monotonic() < deadline, "Datasette kept serving after the demo stopped"
            time.sleep(0.5)
    finally:
        if demo.poll() is None or _answers(url):
            os.killpg(demo.pid, signal.SIGKILL)
        demo.wait()
        log.close()
