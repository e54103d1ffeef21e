"""Search quality on the demo archive: recall@20 and nDCG@10 of the judged query set,
with the English ↔ French glossary (the figure) and without it (the baseline).

`python -m bench search_quality` crawls the bundled mirror into a fresh archive, as
`partnews demo` does (`--archive PATH` reuses one), then runs every query of
bench/search_judgments.toml through the search of the search page (archive/search.py,
relevance order) twice: with expansion on and off. Relevance is binary (an item is in
the query's judged list or not); nDCG@10 uses log2 discounts and the ideal ordering of
the judged items. `--quick` runs the first 6 queries.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from archive.glossary import load_glossary
from archive.search import SearchRequest, run_search

JUDGMENTS = Path(__file__).with_name("search_judgments.toml")
REPO_ROOT = Path(__file__).resolve().parents[1]
FIGURE_LABEL = "with glossary"
BASELINE_LABEL = "without glossary"
QUICK_QUERIES = 6
MIRROR_TODAY = date(2025, 6, 1)


@dataclass(frozen=True)
class Judged:
    q: str
    language: str
    relevant: frozenset[str]  # item URLs


def load_judgments(path: Path = JUDGMENTS) -> list[Judged]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Judged(q["q"], q["language"], frozenset(q["relevant"])) for q in data["query"]]


def recall_at(ranked: list[str], relevant: frozenset[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at(ranked: list[str], relevant: frozenset[str], k: int) -> float:
    """Binary-gain nDCG: the DCG of the first ``k`` results over the best possible."""
    dcg = sum(1 / math.log2(i + 2) for i, url in enumerate(ranked[:k]) if url in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def crawl_demo(path: Path) -> None:
    """The bundled mirror crawled into ``path`` by the real `partnews crawl`."""
    from mirror import SITES_DIR
    from mirror.server import MirrorServer
    from mirror.site import MirrorConfig

    server = MirrorServer(MirrorConfig(sites_dir=SITES_DIR, today=MIRROR_TODAY))
    server.start()
    try:
        subprocess.run(
            [sys.executable, "-m", "partnews.cli", "crawl", "--mirror", server.url]
            + ["--archive", str(path)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
    finally:
        server.stop()


@dataclass
class Scores:
    recall: list[float]
    ndcg: list[float]


def evaluate(conn: sqlite3.Connection, queries: list[Judged], expand: bool) -> Scores:
    glossary = load_glossary()
    known = {r[0] for r in conn.execute("select url from items")}
    scores = Scores([], [])
    for judged in queries:
        missing = judged.relevant - known
        if missing:
            raise SystemExit(f"{judged.q!r}: judged items not in the archive: {sorted(missing)}")
        result = run_search(
            conn, SearchRequest(q=judged.q, size=20, expand=expand), glossary, facets=False
        )
        ranked = [row["url"] for row in result.rows]
        scores.recall.append(recall_at(ranked, judged.relevant, 20))
        scores.ndcg.append(ndcg_at(ranked, judged.relevant, 10))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench search_quality", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--archive", type=Path, help="a demo archive to reuse (else crawled)")
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_QUERIES} queries")
    args = parser.parse_args(argv)
    queries = load_judgments()
    if args.quick:
        queries = queries[:QUICK_QUERIES]
    with tempfile.TemporaryDirectory() as tmp:
        path = args.archive or Path(tmp) / "partnews.db"
        if not args.archive:
            crawl_demo(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            on, off = evaluate(conn, queries, True), evaluate(conn, queries, False)
            items = conn.execute("select count(*) from items").fetchone()[0]
        finally:
            conn.close()
    languages = {lang: sum(q.language == lang for q in queries) for lang in ("en", "fr")}
    print(
        f"{len(queries)} judged queries ({languages['en']} English, {languages['fr']} French) "
        f"over the demo archive ({items} items)\n"
    )
    print(
        "| query | language | relevant | recall@20 off | recall@20 on | nDCG@10 off | nDCG@10 on |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for i, q in enumerate(queries):
        print(
            f"| {q.q} | {q.language} | {len(q.relevant)} | {off.recall[i]:.2f} | "
            f"{on.recall[i]:.2f} | {off.ndcg[i]:.3f} | {on.ndcg[i]:.3f} |"
        )
    print("\n| search | mean recall@20 | mean nDCG@10 |\n|---|---:|---:|")
    for label, scores in ((FIGURE_LABEL, on), (BASELINE_LABEL, off)):
        print(
            f"| {label} | {statistics.mean(scores.recall):.3f} | "
            f"{statistics.mean(scores.ndcg):.3f} |"
        )
    better = sum(a > b for a, b in zip(on.recall, off.recall, strict=True))
    worse = sum(a < b for a, b in zip(on.recall, off.recall, strict=True))
    print(f"recall@20 higher with the glossary on {better} queries, lower on {worse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
