"""Route requests for the real sites to the local mirror, inside Scrapy's download stack.

With the PARTNEWS_MIRROR setting (`partnews crawl --mirror URL`), every HTTP(S) request
is sent to the mirror server with the real host in its ``Host`` header, and the
response comes back under the real URL. Everything above the download handler (robots.txt,
retries, redirects, caching, the spiders and the pipelines) sees only real URLs, so the
archive built from the mirror is the one the real sites would give. Without the setting
this is Scrapy's ordinary HTTP/1.1 handler.

Every request goes to the mirror in mirror mode, even for hosts the mirror does not know
(it answers 404): a test or demo crawl never leaves the machine.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response


class MirrorAwareDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        mirror = crawler.settings.get("PARTNEWS_MIRROR")
        self.mirror = urlsplit(mirror) if mirror else None

    async def download_request(self, request: Request) -> Response:
        if self.mirror is None:
            return await super().download_request(request)
        real = urlsplit(request.url)
        mirrored_url = urlunsplit(
            (self.mirror.scheme, self.mirror.netloc, real.path or "/", real.query, "")
        )
        headers = request.headers.copy()
        headers["Host"] = real.netloc
        response = await super().download_request(
            request.replace(url=mirrored_url, headers=headers)
        )
        return response.replace(url=request.url)
