"""A deliberately weakened reader, for testing `partnews reprocess` as users would meet it:
`python -m tests.weakened_reader ARGS…` is `partnews ARGS…` with the Drupal spider's
article reader made worse in three ways a real reader bug could be: it loses the page's
hreflang translations, keeps only the first half of the body, and ignores the page's
<time> element; the generic spider's article reader keeps only the first half of the
body too. An archive crawled this way is then reprocessed with the real reader
(tests/test_reprocess.py, and bench/bench_reprocess.py for its figures).
"""

from __future__ import annotations

import sys

from crawler.spiders import drupal, generic
from partnews.cli import main

_real_extract = drupal.extract_article
_real_apply_body = drupal.DrupalNewsSpider.apply_body
_real_strip_furniture = generic.strip_furniture


def weak_extract(*args, **kwargs):
    item = _real_extract(*args, **kwargs)
    item.translations = {}
    return item


def weak_apply_body(self, item, response) -> None:
    _real_apply_body(self, item, response)
    item.body = half(item.body)


def half(text: str | None) -> str | None:
    """The first half of a text's words: a reader that stops too early."""
    if not text:
        return text
    words = text.split(" ")
    return " ".join(words[: max(1, len(words) // 2)])


def weak_strip_furniture(*args, **kwargs):
    return half(_real_strip_furniture(*args, **kwargs))


def weaken() -> None:
    generic.strip_furniture = weak_strip_furniture
    drupal.extract_article = weak_extract
    drupal.DrupalNewsSpider.apply_body = weak_apply_body
    drupal.DrupalNewsSpider.apply_time = lambda self, item, response: None


if __name__ == "__main__":
    weaken()
    sys.exit(main(sys.argv[1:]))
