"""Reprocess throughput: captures re-read per second with 1 and 2 workers, and the whole
reprocess against extraction alone over the same captures, in one run
(`python -m bench reprocess`).

The archive: two generic sites of the mirror (Région Sud and risingSUD, their site.toml
and renderer) with generated articles, crawled once into an archive with its WARC files
by the real `partnews crawl`, with the weakened reader of tests/weakened_reader.py (the
article bodies cut in half), so that the reprocess has real changes to write: every
article's body, content hash, signature and lead. Then, for 1 and 2 workers, on fresh
copies of that archive:

- extraction alone: the same worker processes replay the same captures through the
  spiders' readers (Scrapy, HTML parsing, the page-metadata ladder) and drop the items;
- the whole reprocess: the same, plus validate, normalize and relevance in the workers
  and dedupe and the archive's one writer in the main process.

The ratio whole / extraction alone is the cost of the pipeline on top of reading
(target ≤ 1.3). Times are wall-clock seconds, worker start-up included in both. On this
2-core virtual machine one measure varies by up to a quarter from run to run, so the
four measures are taken in `--repeat` rounds (the two of each pair in alternating
order) and the medians are reported, with every round's ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig

ARTICLES = 600  # per site
QUICK_ARTICLES = 8
REPEAT = 3
REPO_ROOT = Path(__file__).resolve().parents[1]
SITES = {"www.maregionsud.fr": "region_sud", "www.risingsud.fr": "rising_sud"}
FIGURE_LABEL = "whole reprocess"
BASELINE_LABEL = "extraction alone"
WORDS = (
    "région port innovation export entreprises partenariat californie marseille nice "
    "toulon énergie santé numérique emploi formation recherche tourisme mer climat "
    "san diego start-up mission accord laboratoire investissement agence"
).split()


def article(index: int, rng: random.Random) -> str:
    """One article: front matter, then four paragraphs of generated words."""
    published = datetime(2016, 1, 1, 9, 0) + timedelta(hours=11 * index)
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60))).capitalize() + "."
        for _ in range(4)
    ]
    return (
        f'+++\nsection = "actualites"\ntitle = "Actualité {index} : {rng.choice(WORDS)} et '
        f'{rng.choice(WORDS)}"\npublished = {published.isoformat()}+01:00\n+++\n'
        + "\n\n".join(paragraphs)
        + "\n"
    )


def make_sites(folder: Path, count: int) -> None:
    """Copies of the two sites' site.toml with `count` generated articles each."""
    rng = random.Random(17)
    for host in SITES:
        site = folder / host
        (site / "posts").mkdir(parents=True)
        shutil.copy(SITES_DIR / host / "site.toml", site / "site.toml")
        for index in range(count):
            (site / "posts" / f"actualite-{index:05d}.md").write_text(
                article(index, rng), encoding="utf-8"
            )


def weakened_crawl(server: MirrorServer, archive: Path) -> None:
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.weakened_reader", "crawl", "--mirror", server.url]
        + ["--archive", str(archive), *SITES.values()],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(f"the crawl failed:\n{result.stderr[-3000:]}")


# CPU seconds of the last `reprocess_copy`: (the workers', the writer's). On a machine
# shared with other jobs the wall clock also counts the time the processes waited for a
# core; these say what each side cost.
LAST_CPU: dict[str, float] = {}


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (the finished workers)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reprocess_copy(pristine: Path, folder: Path, workers: int, read_only: bool):
    """(seconds, outcome) of one reprocess of a fresh copy of the archive."""
    from crawler.reprocess import run_reprocess

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(pristine.parent, folder)
    archive = folder / pristine.name
    children, own = _children_cpu(), time.process_time()
    start = time.perf_counter()
    outcome = run_reprocess(
        archive, folder / "warc", list(SITES.values()), workers=workers, read_only=read_only
    )
    seconds = time.perf_counter() - start
    LAST_CPU.update(workers=_children_cpu() - children, writer=time.process_time() - own)
    if outcome.failed:
        raise SystemExit(f"the reprocess failed: {outcome.failed}")
    return seconds, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench reprocess", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--articles", type=int, default=ARTICLES, help=f"per site (default {ARTICLES})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles per site")
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"rounds of the four measures, medians reported (default {REPEAT}; 1 with --quick)",
    )
    args = parser.parse_args(argv)
    articles = QUICK_ARTICLES if args.quick else args.articles
    repeat = 1 if args.quick else max(1, args.repeat)
    # workers -> lists over the rounds: seconds and CPU of each measure.
    alone_s: dict[int, list[float]] = {1: [], 2: []}
    whole_s: dict[int, list[float]] = {1: [], 2: []}
    alone_cpu: dict[int, list[dict]] = {1: [], 2: []}
    whole_cpu: dict[int, list[dict]] = {1: [], 2: []}
    counts: dict[int, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory(prefix="partnews-bench-reprocess-") as tmp:
        folder = Path(tmp)
        make_sites(folder / "sites", articles)
        server = MirrorServer(MirrorConfig(sites_dir=folder / "sites", today=date(2025, 6, 1)))
        server.start()
        pristine = folder / "crawled" / "partnews.db"
        try:
            weakened_crawl(server, pristine)
        finally:
            server.stop()
        for round_number in range(repeat):
            for workers in (1, 2):
                # Alternate which measure goes first, so neither always meets a warmer
                # (or busier) machine.
                order = (True, False) if (round_number + workers) % 2 else (False, True)
                for read_only in order:
                    seconds, outcome = reprocess_copy(
                        pristine, folder / "run", workers, read_only=read_only
                    )
                    (alone_s if read_only else whole_s)[workers].append(seconds)
                    (alone_cpu if read_only else whole_cpu)[workers].append(dict(LAST_CPU))
                    if not read_only:
                        counts[workers] = (
                            sum(outcome.responses.values()),
                            sum(len(ids) for ids in outcome.changed_ids.values()),
                        )
    rows = [
        (w, *counts[w], statistics.median(alone_s[w]), statistics.median(whole_s[w]))
        for w in (1, 2)
    ]
    cpu_rows = [
        (
            w,
            {k: statistics.median(c[k] for c in alone_cpu[w]) for k in ("workers", "writer")},
            {k: statistics.median(c[k] for c in whole_cpu[w]) for k in ("workers", "writer")},
        )
        for w in (1, 2)
    ]
    print(
        f"{articles:,} generated articles on each of two generic sites, crawled with a "
        "weakened reader (bodies cut in half); WARC captures re-read with today's readers\n"
    )
    print(
        "| workers | captures | items changed | extraction alone s | whole reprocess s "
        "| captures/s (whole) | captures/s (extraction) | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workers, captures, changed, alone, whole in rows:
        print(
            f"| {workers} | {captures:,} | {changed:,} | {alone:.1f} | {whole:.1f} "
            f"| {captures / whole:.0f} | {captures / alone:.0f} | {whole / alone:.2f} |"
        )
    for workers in (1, 2):
        ratios = ", ".join(
            f"{whole / alone:.2f}"
            for alone, whole in zip(alone_s[workers], whole_s[workers], strict=True)
        )
        print(f"\nratio of each round, {workers} worker(s): {ratios}", end="")
    print(f"\n\nTimes are the medians of {repeat} round(s); the ratio is the medians' ratio.")
    print(
        "\nCPU seconds of each measure (workers: all reading processes; writer: this "
        "process, which runs dedupe and the store in the whole reprocess):\n"
    )
    print("| workers | extraction alone: workers / writer | whole: workers / writer |")
    print("|---:|---:|---:|")
    for workers, alone_use, whole_use in cpu_rows:
        print(
            f"| {workers} | {alone_use['workers']:.1f} / {alone_use['writer']:.1f} "
            f"| {whole_use['workers']:.1f} / {whole_use['writer']:.1f} |"
        )
    for workers, captures, _, alone, whole in rows:
        print(f"{FIGURE_LABEL}, {workers} worker(s): {captures / whole:.1f} captures/s")
        print(f"{BASELINE_LABEL}, {workers} worker(s): {captures / alone:.1f} captures/s")
    print(
        "\nratio = whole reprocess time / extraction-alone time, same workers, same "
        "captures (target ≤ 1.3)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
