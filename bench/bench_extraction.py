"""Score the article body extraction on the article-extraction benchmark.

Runs `crawler.extract.article.main_text` (what `extract_article` uses for ``body``)
with and without ``favor_precision``, beside plain ``trafilatura.extract(html)`` with
its defaults, on the 181 pages of scrapinghub's article-extraction-benchmark stored in
shared/realdata, and prints precision/recall/F1.

The metric follows the benchmark's own evaluate.py: text is cut into ``\\w+`` tokens,
compared as multisets of 4-token shingles, TP/FP/FN are normalised per page so long
pages do not weigh more, precision and recall are averaged over pages and F1 is taken
from those averages. A unigram (single-token) score is printed too.

Usage: python -m bench.bench_extraction [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from crawler.extract import article

_TOKEN_RE = re.compile(r"\w+")


def benchmark_dir() -> Path:
    shared = os.environ.get("PARTNEWS_SHARED")
    root = Path(shared) if shared else Path(__file__).resolve().parents[1] / ".." / "shared"
    return root / "realdata" / "article-extraction-benchmark"


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


def _ours(favor_precision: bool) -> Callable[[str, str], str | None]:
    def run(html: str, url: str) -> str | None:
        article.FAVOR_PRECISION = favor_precision
        return article.main_text(html, url)

    return run


EXTRACTORS: dict[str, Callable[[str, str], str | None]] = {
    "extract_article (favor_precision=False)": _ours(False),
    "extract_article (favor_precision=True)": _ours(True),
    "trafilatura.extract(html) defaults": lambda html, url: trafilatura.extract(html),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    args = parser.parse_args(argv)
    root = benchmark_dir()
    if not (root / "ground-truth.json").exists():
        print(f"benchmark not found at {root}", file=sys.stderr)
        return 1
    pages = load_pages(root, args.limit)
    saved = article.FAVOR_PRECISION
    print(f"{len(pages)} pages; metric: benchmark 4-token shingles (and single tokens)")
    print(f"{'extractor':<42} {'P':>6} {'R':>6} {'F1':>6}   {'P1':>6} {'R1':>6} {'F1_1':>6}")
    try:
        for name, extract in EXTRACTORS.items():
            preds = [extract(html, url) or "" for html, url, _ in pages]
            truths = [truth for _, _, truth in pages]
            s4 = scores([page_counts(t, p, 4) for t, p in zip(truths, preds, strict=True)])
            s1 = scores([page_counts(t, p, 1) for t, p in zip(truths, preds, strict=True)])
            print(
                f"{name:<42} {s4['precision']:6.3f} {s4['recall']:6.3f} {s4['f1']:6.3f}   "
                f"{s1['precision']:6.3f} {s1['recall']:6.3f} {s1['f1']:6.3f}"
            )
    finally:
        article.FAVOR_PRECISION = saved
    return 0


if __name__ == "__main__":
    sys.exit(main())
