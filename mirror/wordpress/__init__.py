"""The WordPress emulator of the mirror, split by endpoint (see mirror.wordpress.site)."""

from mirror.wordpress.content import Entry, SiteContent, load_content
from mirror.wordpress.site import WordPressSite

__all__ = ["Entry", "SiteContent", "WordPressSite", "load_content"]
