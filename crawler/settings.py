"""Scrapy settings for partnews: politeness first, then the item pipelines.

Politeness is part of correctness: robots.txt (Crawl-delay included) is obeyed, the
user agent names the project with a contact URL, requests are throttled per domain.
`partnews crawl --mirror URL` (or PARTNEWS_MIRROR) sends every request to the local
mirror instead of the real hosts, through this same download stack; items keep the
real URLs.
"""

import os

BOT_NAME = "partnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Scrapy's loader, plus the spiders of registry sources that need no code of their own
# (crawler/spiders/configured.py).
SPIDER_LOADER_CLASS = "crawler.spiders.configured.RegistrySpiderLoader"

# The one place the crawler says who it is and where to complain.
CONTACT_URL = "https://github.com/partnews/partnews#contact"
USER_AGENT = f"partnews/0.1 (+{CONTACT_URL}; open archive of San Diego-Region Sud news)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("PARTNEWS_LOG_LEVEL", "INFO")

# The local mirror: real hosts are answered by `partnews mirror` (see crawler/mirror.py).
PARTNEWS_MIRROR = os.environ.get("PARTNEWS_MIRROR") or None
DOWNLOAD_HANDLERS = {
    "http": "crawler.mirror.MirrorAwareDownloadHandler",
    "https": "crawler.mirror.MirrorAwareDownloadHandler",
}

# Where the archive is written (a git-ignored data folder by default).
PARTNEWS_ARCHIVE = os.environ.get("PARTNEWS_ARCHIVE", "data/partnews.db")

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.relevance.RelevancePipeline": 250,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# Closest to the network (after HttpCompressionMiddleware, 590): it sees each response
# as it was received, before decompression, for the WARC files (crawler/warc.py).
DOWNLOADER_MIDDLEWARES = {
    # Requests never leave the source's own web hosts (crawler/boundaries.py); below
    # RobotsTxtMiddleware (100), so robots.txt is never asked of a refused host.
    "crawler.boundaries.BoundariesMiddleware": 50,
    "crawler.warc.WarcMiddleware": 950,
    # Crawl-delay from robots.txt, and the pauses Retry-After asks for (crawler/politeness.py);
    # right after RobotsTxtMiddleware (100), which parses robots.txt first.
    "crawler.politeness.CrawlDelayMiddleware": 110,
    # Scrapy's retries, honouring Retry-After on 429 and 503.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.RetryAfterMiddleware": 550,
    # Conditional GET on entry points on incremental nights (crawler/incremental.py).
    "crawler.incremental.ConditionalGetMiddleware": 580,
}
# What could not be fetched after the retries is recorded per URL in rejects.
SPIDER_MIDDLEWARES = {
    "crawler.failures.RecordFailures": 900,
}
# A <meta http-equiv=refresh> in a page body is the page's own business, not a link to
# follow: following it could leave the source's hosts or lose the page silently.
METAREFRESH_ENABLED = False
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The longest Retry-After waited for within a night; longer, the request is given up.
RETRY_AFTER_MAX = 300

# The run report owns the run's state (crawler/run_state.py): archive, run id,
# incremental memory, politeness clock, WARC recorder, selector counts. Scrapy builds
# extensions before the engine's middlewares and pipelines, which get the state from it.
EXTENSIONS = {
    "crawler.run_report.RunReport": 500,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "crawler.run_report.QuietDropFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
