"""Nightly crawls on a generated mirror of 5,000 articles: a full pass (the first night),
a night with no change, and a night where 5 % of the articles changed, in one run
(`python -m bench nightly`).

The mirror is Région Sud's generic site (its site.toml and renderer) with generated
articles in a temporary folder; each night is the real `partnews nightly` in a
subprocess. Requests come from the mirror's log; times are wall-clock seconds.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from mirror import SITES_DIR
from mirror.server import MirrorServer
from mirror.site import MirrorConfig

ARTICLES = 5_000
CHANGED_SHARE = 0.05
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
    """(requests, seconds, exit status) of one `partnews nightly` for region_sud."""
    from tests.test_nightly import run_nightly

    server.requests.clear()
    start = time.perf_counter()
    result = run_nightly(server, archive, "--source", "region_sud", *args, timeout=1800)
    return len(server.requests), time.perf_counter() - start, result.returncode


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="partnews-bench-nightly-") as tmp:
        folder = Path(tmp)
        paths = make_site(folder / "sites", ARTICLES)
        server = MirrorServer(MirrorConfig(sites_dir=folder / "sites", today=date(2025, 6, 1)))
        server.start()
        archive = folder / "data" / "partnews.db"
        try:
            rows = [("full pass (first night)", *night(server, archive))]
            rows.append(("no change", *night(server, archive)))
            changed = change(paths, CHANGED_SHARE)
            server.reload()
            rows.append((f"{changed} articles changed (5 %)", *night(server, archive)))
        finally:
            server.stop()
    print(f"{ARTICLES:,} generated articles on one generic site (mirror on this machine)\n")
    print("| night | requests | seconds | exit |\n|---|---:|---:|---:|")
    for name, requests, seconds, status in rows:
        print(f"| {name} | {requests:,} | {seconds:.1f} | {status} |")
