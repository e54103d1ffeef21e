"""A deliberately weakened reader, for testing `partnews reprocess` as users would meet it:
`python -m tests.weakened_reader ARGS…` is `partnews ARGS…` with the Drupal spider's
article reader made worse in three ways a real reader bug could be: it loses the page's
hreflang translations, keeps only the first half of the body, and ignores the page's
<time> element. An archive crawled this way is then reprocessed with the real reader.
"""

from __future__ import annotations

import sys

from crawler.spiders import drupal
from partnews.cli import main

_real_extract = drupal.extract_article
_real_apply_body = drupal.DrupalNewsSpider.apply_body


def weak_extract(*args, **kwargs):
    item = _real_extract(*args, **kwargs)
    item.translations = {}
    return item


def weak_apply_body(self, item, response) -> None:
    _real_apply_body(self, item, response)
    if item.body:
        words = item.body.split(" ")
        item.body = " ".join(words[: max(1, len(words) // 2)])


def weaken() -> None:
    drupal.extract_article = weak_extract
    drupal.DrupalNewsSpider.apply_body = weak_apply_body
    drupal.DrupalNewsSpider.apply_time = lambda self, item, response: None


if __name__ == "__main__":
    weaken()
    sys.exit(main(sys.argv[1:]))
