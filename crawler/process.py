"""Running Scrapy's crawls inside a longer command, and giving the command back its
signal handlers when they end.

Scrapy installs its own SIGINT and SIGTERM handlers when its reactor starts (the first
signal stops the crawl gracefully, the second at once, and from then on they are
ignored) and leaves them in place after `CrawlerProcess.start` returns. The reactor is
stopped by then, so they stop nothing: whatever a command does after its crawl (the
night's health checks and search index, the demo's Datasette) could be neither
interrupted with Ctrl-C nor stopped with `kill`. `run_crawls` puts back the handlers
the command had before.
"""

from __future__ import annotations

import signal

# The signals whose handlers Scrapy replaces (SIGBREAK exists on Windows only).
SHUTDOWN_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name)
)


def run_crawls(process) -> None:
    """Start the crawls added to ``process`` (a `scrapy.crawler.CrawlerProcess`) and
    return when they have ended, with this process's own handlers of the shutdown
    signals back in place."""
    saved = {number: signal.getsignal(number) for number in SHUTDOWN_SIGNALS}
    try:
        process.start()
    finally:
        for number, handler in saved.items():
            if handler is not None:  # None: installed outside Python, cannot be put back
                signal.signal(number, handler)
