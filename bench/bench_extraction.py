"""Score the article body extraction on the article-extraction benchmark.

Runs `crawler.extract.article.main_text` (what `extract_article` uses for ``body``)
beside its baseline, ``trafilatura.extract`` called with the very options main_text
passes it (read from main_text itself, so the two cannot drift apart), on the 181
pages of scrapinghub's article-extraction-benchmark stored in shared/realdata, and
prints precision/recall/F1 and milliseconds per page. partnews's body *is* trafilatura
with those options; what the comparison measures is partnews's clean-up of its text
(plain_to_text). For reference it also prints main_text with the other
``favor_precision`` setting and trafilatura with its defaults.

The metric follows the benchmark's own evaluate.py: text is cut into ``\\w+`` tokens,
compared as multisets of 4-token shingles, TP/FP/FN are normalised per page so long
pages do not weigh more, precision and recall are averaged over pages and F1 is taken
from those averages. A unigram (single-token) score is printed too.

Usage: python -m bench extraction [--limit N] [--quick]; it skips, saying so, when the
shared folder is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import trafilatura

from bench.shared import realdata_dir, skip_message
from crawler.extract import article

_TOKEN_RE = re.compile(r"\w+")


def benchmark_dir() -> Path:
    return realdata_dir() / "article-extraction-benchmark"


def shingles(text: str, n: int) -> Counter:
    """Multiset of n-token shingles (a text shorter than n is one short shingle)."""
    tokens = _TOKEN_RE.findall(text or "")
    grams = [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return Counter(g for g in grams if g)


def page_counts(truth: str, pred: str, n: int) -> tuple[float, float, float]:
    """(tp, fp, fn) for one page, normalised to sum to 1."""
    t, p = shingles(truth, n), shingles(pred, n)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Benchmark-style precision, recall (averaged per page) and F1 of the averages."""
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def load_pages(root: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(html, url, true body) per page; ground-truth.json is keyed by sha256(url),
    which is also the html/<key>.html.gz file name."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        path = root / "html" / f"{key}.html.gz"
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        pages.append((html, truth[key].get("url"), truth[key].get("articleBody", "")))
    return pages


def project_options() -> dict:
    """The keyword arguments main_text gives trafilatura.extract (url aside), read by
    calling it once on a tiny page with trafilatura.extract replaced by a recorder: the
    baseline then runs with exactly the project's options, whatever they become."""
    with mock.patch.object(article.trafilatura, "extract", return_value=None) as recorder:
        article.main_text("<html><body><p>A line.</p></body></html>", "https://example.org/")
    if not recorder.call_args:
        raise RuntimeError("main_text no longer calls trafilatura.extract: update this bench")
    options = dict(recorder.call_args.kwargs)
    options.pop("url", None)
    return options


def _ours(favor_precision: bool | None = None) -> Callable[[str, str], str | None]:
    def run(html: str, url: str) -> str | None:
        saved = article.FAVOR_PRECISION
        if favor_precision is not None:
            article.FAVOR_PRECISION = favor_precision
        try:
            return article.main_text(html, url)
        finally:
            article.FAVOR_PRECISION = saved

    return run


def _options_text(options: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in options.items())


FIGURE_LABEL = "partnews main_text (extract_article's body)"
BASELINE_LABEL = f"baseline: trafilatura {trafilatura.__version__} extract, project's options"


def extractors() -> dict[str, Callable[[str, str], str | None]]:
    """The figure, its baseline, then two reference rows."""
    options = project_options()
    other = not options.get("favor_precision", False)
    return {
        FIGURE_LABEL: _ours(),
        BASELINE_LABEL: lambda html, url: trafilatura.extract(html, url=url, **options),
        f"main_text with favor_precision={other} (reference)": _ours(other),
        "trafilatura.extract(html) defaults (reference)": lambda html, url: trafilatura.extract(
            html
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench extraction", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--quick", action="store_true", help="5 pages, to check the bench works")
    args = parser.parse_args(argv)
    root = benchmark_dir()
    if not (root / "ground-truth.json").exists():
        print(skip_message(root))
        return 0
    pages = load_pages(root, 5 if args.quick else args.limit)
    truths = [truth for _, _, truth in pages]
    print(f"{len(pages)} pages; metric: benchmark 4-token shingles (and single tokens)")
    print(f"baseline options (as main_text passes them): {_options_text(project_options())}\n")
    print(
        f"| {'extractor':<62} | {'P':>5} | {'R':>5} | {'F1':>5} | {'F1 (tokens)':>11} "
        f"| {'ms/page':>7} |"
    )
    print(f"|{'-' * 64}|------:|------:|------:|{'-' * 12}:|{'-' * 8}:|")
    chosen = extractors()
    for extract in chosen.values():  # warm-up, so the first row does not pay for loading
        extract(*pages[0][:2])
    # Page by page, every extractor in turn: a noisy moment of a shared machine falls on
    # all of them, not on whichever row ran then.
    preds: dict[str, list[str]] = {name: [] for name in chosen}
    seconds = dict.fromkeys(chosen, 0.0)
    for html, url, _ in pages:
        for name, extract in chosen.items():
            start = time.perf_counter()
            preds[name].append(extract(html, url) or "")
            seconds[name] += time.perf_counter() - start
    for name in chosen:
        pairs = list(zip(truths, preds[name], strict=True))
        s4 = scores([page_counts(t, p, 4) for t, p in pairs])
        s1 = scores([page_counts(t, p, 1) for t, p in pairs])
        ms = 1000 * seconds[name] / len(pages)
        print(
            f"| {name:<62} | {s4['precision']:5.3f} | {s4['recall']:5.3f} | {s4['f1']:5.3f} "
            f"| {s1['f1']:11.3f} | {ms:7.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
