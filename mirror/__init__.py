"""The local mirror of the partner sites: test infrastructure, not product code.

It serves, on 127.0.0.1, our own copies of the sources' sites (content in
``tests/sites/<real host>/``, one folder per site, rendered by one small emulator per
CMS), so that the crawler, the tests and ``make demo`` exercise Scrapy's real download
stack without the network. The product reaches it only through ``partnews mirror`` and
``partnews demo`` and the crawler's ``--mirror`` download handler (crawler/mirror.py).
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITES_DIR = REPO_ROOT / "tests" / "sites"
