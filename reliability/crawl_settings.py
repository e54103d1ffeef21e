"""Scrapy settings for reliability crawls: the project's, plus overrides for one test.

`partnews crawl` reads the settings module named by SCRAPY_SETTINGS_MODULE; the fault
and hostile-input tests point it here and pass a JSON object of overrides in
PARTNEWS_SETTINGS_JSON, so a test can make DOWNLOAD_TIMEOUT short (a timeout fault
then takes seconds, not the production 30), shrink DOWNLOAD_MAXSIZE for size and bomb
faults, or enable a middleware, without touching crawler/settings.py.
"""

import json
import os

from crawler.settings import *  # noqa: F403 (the project's settings, unchanged)

_overrides = json.loads(os.environ.get("PARTNEWS_SETTINGS_JSON") or "{}")
for _name, _value in _overrides.items():
    if isinstance(_value, dict) and isinstance(globals().get(_name), dict):
        _value = {**globals()[_name], **_value}  # e.g. one more downloader middleware
    globals()[_name] = _value
