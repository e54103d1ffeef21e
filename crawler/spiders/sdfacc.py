"""San Diego French-American Chamber of Commerce (france-sandiego.org): news and events.

WordPress with The Events Calendar; see ../shared/sources.md §1.1. Posts come from the
REST API, events from The Events Calendar's REST API (both with fallbacks).
"""

from crawler.spiders.wordpress import TribeEventsMixin, WordPressSpider


class SdfaccSpider(TribeEventsMixin, WordPressSpider):
    name = "sdfacc"

    async def start(self):
        for request in self.start_requests_for_news():
            yield request
        for request in self.start_requests_for_events():
            yield request
