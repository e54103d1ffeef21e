"""partnews: the archive of the San Diego / Région Sud partnership's news and events.

This package holds what is neither crawling (crawler/), item processing (pipelines/)
nor the archive itself (archive/): the command line and the pure text, URL and date
helpers that all of them share. The local mirror of the sources' sites is test
infrastructure and lives apart, in the top-level ``mirror`` package.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
__version__ = "0.1.0"
