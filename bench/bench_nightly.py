"""Nightly crawls on a generated mirror of 5,000 articles: a full pass (the first night),
a night with no change, and a night where 5 % of the articles changed, in one run
(`python -m bench nightly`).

The mirror is Région Sud's generic site (its site.toml and renderer) with generated
articles in a temporary folder; each night is the real `partnews nightly` in a
subprocess. Requests come from the mirror's log; times are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig

ARTICLES = 5_000
QUICK_ARTICLES = 40
CHANGED_SHARE = 0.05
REPO_ROOT = Path(__file__).resolve().parents[1]
FIGURE_LABEL = "no change"
BASELINE_LABEL = "full pass (first night)"
HOST = "www.maregionsud.fr"
WORDS = (
    "région port innovation export entreprises partenariat californie marseille nice "
    "toulon énergie santé numérique emploi formation recherche tourisme mer climat"
).split()


def article(index: int, rng: random.Random) -> str:
    """One article file: front matter, then three paragraphs of generated words."""
    section = "actualites" if index % 2 else "communiques"
    published = datetime(2015, 1, 1, 9, 0) + timedelta(hours=13 * index)
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))).capitalize() + "."
        for _ in range(3)
    ]
    return (
        f'+++\nsection = "{section}"\ntitle = "Article {index} : {rng.choice(WORDS)} et '
        f'{rng.choice(WORDS)}"\npublished = {published.isoformat()}+01:00\n+++\n'
        + "\n\n".join(paragraphs)
        + "\n"
    )


def make_site(folder: Path, count: int) -> list[Path]:
    """A copy of Région Sud's site.toml with `count` generated articles."""
    site = folder / HOST
    (site / "posts").mkdir(parents=True)
    shutil.copy(SITES_DIR / HOST / "site.toml", site / "site.toml")
    rng = random.Random(5)
    paths = []
    for index in range(count):
        path = site / "posts" / f"article-{index:05d}.md"
        path.write_text(article(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def change(paths: list[Path], share: float) -> int:
    """Edit `share` of the articles: a new paragraph and a new modification date."""
    chosen = random.Random(9).sample(paths, int(len(paths) * share))
    for path in chosen:
        _, front, body = path.read_text(encoding="utf-8").split("+++", 2)
        front += "modified = 2025-05-30T09:00:00+02:00\n"
        body += "\nUn paragraphe ajouté pour la mise à jour.\n"
        path.write_text(f"+++{front}+++{body}", encoding="utf-8")
    return len(chosen)


def night(server: MirrorServer, archive: Path, *args: str) -> tuple[int, float, int]:
    """(requests, seconds, exit status) of one `partnews nightly` for region_sud, run as a
    user runs it: the real command in a subprocess, against the mirror."""
    server.requests.clear()
    env = dict(os.environ, PARTNEWS_LOG_LEVEL="WARNING")
    env.pop("PARTNEWS_MIRROR", None)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "nightly", "--mirror", server.url]
        + ["--archive", str(archive), "--source", "region_sud", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(f"partnews nightly exited {result.returncode}:\n{result.stderr[-2000:]}")
    return len(server.requests), seconds, result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench nightly", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=ARTICLES, help=f"(default {ARTICLES:,})")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ARTICLES} articles, to check it works"
    )
    args = parser.parse_args(argv)
    articles = QUICK_ARTICLES if args.quick else args.articles
    with tempfile.TemporaryDirectory(prefix="partnews-bench-nightly-") as tmp:
        folder = Path(tmp)
        paths = make_site(folder / "sites", articles)
        server = MirrorServer(MirrorConfig(sites_dir=folder / "sites", today=date(2025, 6, 1)))
        server.start()
        archive = folder / "data" / "partnews.db"
        try:
            rows = [(BASELINE_LABEL, *night(server, archive))]
            rows.append((FIGURE_LABEL, *night(server, archive)))
            changed = change(paths, CHANGED_SHARE)
            server.reload()
            rows.append((f"{changed} articles changed (5 %)", *night(server, archive)))
        finally:
            server.stop()
    print(f"{articles:,} generated articles on one generic site (mirror on this machine)")
    print("baseline: the full pass of the first night; the figure: the nights after it\n")
    print("| night | requests | seconds | exit |\n|---|---:|---:|---:|")
    for name, requests, seconds, status in rows:
        print(f"| {name} | {requests:,} | {seconds:.1f} | {status} |")
    return max(status for *_, status in rows)


if __name__ == "__main__":
    raise SystemExit(main())
