"""The benchmark's scoring functions, checked on hand-computed cases, and a small run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# bench/ is a top-level folder of the repository, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_extraction import benchmark_dir, load_pages, page_counts, scores  # noqa: E402
from crawler.extract.article import main_text  # noqa: E402
from tests.requirements import need_shared  # noqa: E402


def test_shingle_counts_hand_computed():
    # 5 tokens -> 2 four-token shingles each; one shared ("a b c d").
    assert page_counts("a b c d e", "a b c d x", 4) == (1 / 3, 1 / 3, 1 / 3)
    # unigrams: 4 shared, 1 extra, 1 missing -> 4/6, 1/6, 1/6
    assert page_counts("a b c d e", "a b c d x", 1) == pytest.approx((4 / 6, 1 / 6, 1 / 6))
    assert page_counts("same text here now", "same text here now", 4) == (1.0, 0.0, 0.0)


def test_scores_average_per_page():
    result = scores([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    assert result["precision"] == pytest.approx(0.75)
    assert result["recall"] == pytest.approx(1.0)
    assert result["f1"] == pytest.approx(2 * 0.75 / 1.75)


def test_main_text_on_a_few_benchmark_pages():
    need_shared("realdata/article-extraction-benchmark/ground-truth.json")
    pages = load_pages(benchmark_dir(), limit=10)
    counts = [page_counts(truth, main_text(html, url) or "", 4) for html, url, truth in pages]
    # Far above what returning nothing (0) or the whole page would score.
    assert scores(counts)["f1"] > 0.8
