"""Generated archive items for benchmarks: English and French text, realistic field shapes.

Deterministic for a seed, so every run measures the same data. The vocabulary is the
partnership's (places, sectors, institutions, with accents), the lengths and date
spreads those of the partner sites' news.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

_EN = (
    "San Diego Provence Marseille Côte d’Azur region partnership delegation biotech "
    "cleantech bluetech aerospace defense software investment companies startups agency "
    "mission trade chamber memorandum innovation research university hospital port "
    "energy maritime tourism growth jobs the of and to in for with a on by from at"
).split()
_FR = (
    "Région Sud Provence-Alpes-Côte d’Azur Marseille Californie partenariat délégation "
    "entreprises innovation santé énergie maritime numérique économie agence mission "
    "accord coopération jumelage université recherche emplois l’agence d’affaires "
    "le la les des du de et en pour avec sur dans au à été créé"
).split()
_SOURCES = ("sdfacc", "provence_promotion")


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def generated_items(count: int, seed: int = 1) -> Iterator[dict]:
    """``count`` raw items as a spider would yield them (dates as datelines or ISO)."""
    rng = random.Random(seed)
    for i in range(count):
        french = rng.random() < 0.4
        words = _FR if french else _EN
        year = rng.randint(2015, 2025)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        paragraphs = [
            " ".join(_sentence(rng, words, rng.randint(8, 25)) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(3, 8))
        ]
        source = rng.choice(_SOURCES)
        host = "www.france-sandiego.org" if source == "sdfacc" else "www.investinprovence.com"
        yield {
            "source": source,
            "kind": "news",
            "url": f"https://{host}/{year}/{month:02d}/{day:02d}/item-{i}/",
            "title": _sentence(rng, words, rng.randint(5, 12)).rstrip("."),
            "summary": paragraphs[0][:200] + "…",
            "body": "\n\n".join(paragraphs),
            "published": f"{year}-{month:02d}-{day:02d}T10:00:00+00:00",
            "published_from": "api",
            "language": "fr" if french else "en",
            "categories": [rng.choice(["Biotech", "Énergie", "Maritime", "Software"])],
            "authors": [],
            "tags": [],
            "alternate_urls": [],
            "translations": {},
        }


# Words a repost spells out ("PACA" -> "Provence-Alpes-Côte d’Azur"): one edit among others.
_EXPANSIONS = {
    "Provence": "Provence-Alpes-Côte d’Azur",
    "Marseille": "Aix-Marseille-Provence",
    "San": "the City of San",
    "Région": "la Région",
}


def light_edit(item: dict, rng: random.Random, index: int) -> dict:
    """A repost of ``item`` on the other site: a paragraph dropped (when it has three or
    more), a sentence added, a name spelled out, dated a few days later, at its own URL."""
    paragraphs = item["body"].split("\n\n")
    if len(paragraphs) >= 3:
        del paragraphs[rng.randrange(len(paragraphs))]
    words = _FR if item["language"] == "fr" else _EN
    paragraphs.append(_sentence(rng, words, rng.randint(8, 16)))
    body = "\n\n".join(paragraphs)
    for short, long in _EXPANSIONS.items():
        if short in body:
            body = body.replace(short, long, 1)
            break
    source = "sdfacc" if item["source"] == "provence_promotion" else "provence_promotion"
    host = "www.france-sandiego.org" if source == "sdfacc" else "www.investinprovence.com"
    year, month, day = item["published"][:10].split("-")
    day = min(int(day) + rng.randint(1, 9), 28)
    return dict(
        item,
        source=source,
        url=f"https://{host}/{year}/{month}/{day:02d}/repost-{index}/",
        body=body,
        published=f"{year}-{month}-{day:02d}T10:00:00+00:00",
    )


def generated_items_with_reposts(
    count: int, rate: float = 0.05, seed: int = 1, window: int = 2000
) -> Iterator[tuple[dict, int | None]]:
    """``count`` items of which about ``rate`` are `light_edit` reposts of one of the
    ``window`` items before them; yields (item, index of its original or None).

    Only the window is kept in memory, so a benchmark measures the archive, not this.
    """
    rng = random.Random(seed + 1)
    fresh = generated_items(count, seed)
    recent: dict[int, dict] = {}
    for index in range(count):
        original = None
        if recent and rng.random() < rate:
            original = rng.choice(list(recent)[-window:])
            item = light_edit(recent[original], rng, index)
        else:
            item = next(fresh)
        recent[index] = item
        if len(recent) > window:
            del recent[next(iter(recent))]
        yield item, original
