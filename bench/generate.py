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


# The 1,000,000-item archive (bench/bench_archive.py) ---------------------------------------
#
# Whole archived items, shaped as the pipelines leave them (ids, canonical URLs, year and
# month, relevance, sectors, event details), for every source of the registry in the
# proportions a few years of nightly crawls would give. Text is drawn from pools of
# sentences made once per language from a Zipf-weighted vocabulary, plus organisation
# names that follow a long tail: full-text search then meets very common words, rare
# words and everything between, as it does on real news.

_WORDS = {
    "en": (
        "the of and to in a for with on by is at from as that its was are will this "
        "be has have their an which new said more than also it were been about after "
        "San Diego region partnership companies business innovation economic French "
        "France California Provence Marseille Côte d’Azur international investment mission "
        "delegation startups agency development trade chamber research university program "
        "sector growth jobs market technology energy maritime port life sciences biotech "
        "health cleantech aerospace defense software digital tourism industry network "
        "event conference meeting forum summit week members partners leaders mayor city "
        "council state government officials exchange cooperation agreement memorandum "
        "sister cities twinning visit visitors entrepreneurs investors funding capital "
        "million euros dollars jobs created office opened headquarters expansion "
        "laboratory hospital campus students scientists engineers clean hydrogen solar "
        "ocean blue economy drones satellites semiconductors telecom logistics wine food "
        "cosmetics perfume culture arts film festival Riviera Nice Toulon Avignon Sophia "
        "Antipolis Aix-en-Provence Torrey Pines La Jolla Chula Vista Baja Tijuana Pacific "
        "Mediterranean launch announced announces welcomes hosts joins signs presents "
        "celebrates awards prize winners annual report results record year first second"
    ).split(),
    "fr": (
        "de la le les et des à en du un une pour dans sur au par est avec qui que sont "
        "été plus ce cette ses son leur aux a ont entre ou été également aussi après "
        "Région Sud Provence-Alpes-Côte d’Azur Marseille Métropole Aix-Marseille-Provence "
        "San Diego Californie États-Unis partenariat coopération délégation mission "
        "économique entreprises innovation santé énergie maritime numérique économie "
        "agence accord jumelage université recherche emplois créés d’affaires "
        "développement international investissement investisseurs start-up jeunes "
        "pousses filière secteur croissance marché technologie hydrogène solaire "
        "renouvelables océan économie bleue aéronautique défense spatial logiciel "
        "télécommunications microélectronique tourisme industrie réseau événement "
        "rencontre forum sommet semaine membres partenaires président présidente maire "
        "ville conseil régional État élus échange protocole signature visite "
        "entrepreneurs financement capital millions d’euros bureau siège implantation "
        "laboratoire hôpital campus étudiants chercheurs ingénieurs culture festival "
        "Nice Toulon Avignon Sophia Antipolis Aix-en-Provence Côte d’Azur Méditerranée "
        "lancement annonce accueille rejoint signe présente célèbre prix lauréats "
        "rapport annuel résultats record année première deuxième créé réunis accompagné"
    ).split(),
    "de": (
        "die der und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
        "auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie "
        "Region Provence Marseille Unternehmen Wirtschaft Innovation Partnerschaft "
        "Delegation Investitionen Arbeitsplätze Forschung Universität Hafen Energie "
        "Gesundheit Biotechnologie Kosmetik Luftfahrt Digitalisierung Standort Ansiedlung "
        "Millionen Euro Gründer Förderung Messe Konferenz Jahresbericht Ergebnisse Kalifornien"
    ).split(),
}
# Sentences a title is drawn from are shorter than body sentences.
_TITLE_WORDS = (5, 12)
_SENTENCE_WORDS = (8, 22)
_POOL_SIZE = 20_000
_NAME_COUNT = 50_000
_SYLLABLES = (
    "ba be bi bo ca ce co da de di do fa fe fi ga ge go la le li lo ma me mi mo na ne ni "
    "no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo xa zo é è ix ar or "
    "tec lab gen med sol bio nav aéro mar sud"
).split()

# Source id: (share of the archive, languages with their shares, share of events,
# relevance policy). Proportions: the partner agencies publish most; the filtered
# sources (city, press) keep only partnership items, so they contribute fewer.
SOURCE_PROFILES = {
    "sdfacc": (0.17, {"en": 1.0}, 0.6, "all"),
    "provence_promotion": (0.22, {"en": 0.55, "fr": 0.4, "de": 0.05}, 0.0, "all"),
    "team_cote_dazur": (0.12, {"en": 0.6, "fr": 0.4}, 0.0, "all"),
    "region_sud": (0.16, {"fr": 1.0}, 0.0, "all"),
    "rising_sud": (0.09, {"fr": 0.7, "en": 0.3}, 0.0, "all"),
    "sd_regional_edc": (0.07, {"en": 1.0}, 0.0, "filtered"),
    "ville_de_marseille": (0.07, {"fr": 0.9, "en": 0.1}, 0.0, "filtered"),
    "city_of_san_diego": (0.05, {"en": 1.0}, 0.0, "filtered"),
    "times_of_san_diego": (0.05, {"en": 1.0}, 0.0, "filtered"),
}
_TIMEZONES = {
    "sdfacc": "America/Los_Angeles",
    "sd_regional_edc": "America/Los_Angeles",
    "city_of_san_diego": "America/Los_Angeles",
    "times_of_san_diego": "America/Los_Angeles",
}
# Years 2010-2026: more items every year, as sites post more and more sources are added.
ARCHIVE_YEARS = tuple(range(2010, 2027))
_YEAR_WEIGHTS = tuple(1.0 + 0.18 * i for i in range(len(ARCHIVE_YEARS)))
SECTOR_LABELS = (
    "biotech / life sciences",
    "cleantech / energy",
    "bluetech / maritime",
    "defense",
    "aerospace",
    "software / digital",
    "microelectronics / telecom",
    "tourism",
    "logistics / mobility",
    "cosmetics",
    "agrifood",
)
_VENUES = (
    ("Hotel del Coronado", "1500 Orange Ave", "Coronado", "US"),
    ("UC San Diego Park & Market", "1100 Market St", "San Diego", "US"),
    ("Alliance Française de San Diego", "6550 Mission Gorge Rd", "San Diego", "US"),
    ("The Prado at Balboa Park", "1549 El Prado", "San Diego", "US"),
    ("Torrey Pines Lodge", "11480 N Torrey Pines Rd", "La Jolla", "US"),
    ("Villa Méditerranée", "Esplanade J4", "Marseille", "FR"),
    ("Palais du Pharo", "58 boulevard Charles Livon", "Marseille", "FR"),
    ("Online", None, None, None),
)


def _zipf_cumulative(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights for ``random.choices``: rank r drawn ∝ 1 / r**exponent."""
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def organisation_names(count: int = _NAME_COUNT, seed: int = 7) -> list[str]:
    """Made-up company and programme names, most frequent first (rank 1 = most common).

    Drawn with a Zipf law over their rank, so the first names are in thousands of items
    and the last in a handful: the rare words of the bench's searches.
    """
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        if len(name) >= 5 and name not in seen:
            seen.add(name)
            names.append(name)
    return names


class TextPools:
    """Sentence pools per language, made once; items draw whole sentences from them."""

    def __init__(self, seed: int = 3, size: int = _POOL_SIZE):
        rng = random.Random(seed)
        self.titles: dict[str, list[str]] = {}
        self.sentences: dict[str, list[str]] = {}
        for lang, words in _WORDS.items():
            weights = _zipf_cumulative(len(words), 0.9)
            shuffled = words[:]
            # Function words first in each list, so they get the top Zipf ranks; the
            # rest are shuffled so that no topic word is always the most common.
            head, tail = shuffled[:40], shuffled[40:]
            rng.shuffle(tail)
            ranked = head + tail

            def sentence(low: int, high: int, ranked=ranked, weights=weights) -> str:
                picked = rng.choices(ranked, cum_weights=weights, k=rng.randint(low, high))
                text = " ".join(picked)
                return text[0].upper() + text[1:]

            self.titles[lang] = [sentence(*_TITLE_WORDS) for _ in range(size // 4)]
            self.sentences[lang] = [sentence(*_SENTENCE_WORDS) + "." for _ in range(size)]
        self.names = organisation_names()
        self.name_weights = _zipf_cumulative(len(self.names), 1.05)


def _slug(title: str, index: int) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()[:8]
    return "-".join(words + [str(index)])


def _url(source: str, lang: str, kind: str, date: str, slug: str, index: int) -> str:
    """The URL shapes of each source (docs: ../shared/sources.md)."""
    y, m, d = date[:4], date[5:7], date[8:10]
    if source == "sdfacc":
        if kind == "event":
            return f"https://www.france-sandiego.org/event/{slug}/"
        return f"https://france-sandiego.org/{y}/{m}/{d}/{slug}/"
    if source == "provence_promotion":
        if lang == "de":
            return f"https://www.investinprovence.com/de/node/{index}"
        prefix = "/actualites/" if lang == "fr" else "/en/news/"
        return f"https://www.investinprovence.com{prefix}{slug}"
    if source == "team_cote_dazur":
        return f"https://www.investincotedazur.com/{'en/' if lang == 'en' else ''}{slug}/"
    if source == "region_sud":
        return f"https://www.maregionsud.fr/actualites/detail/{slug}"
    if source == "rising_sud":
        return f"https://www.risingsud.fr/{'en/' if lang == 'en' else ''}actualites/{slug}/"
    if source == "sd_regional_edc":
        return f"https://www.sandiegobusiness.org/blog/{slug}/"
    if source == "ville_de_marseille":
        return f"https://www.marseille.fr/international/actualites/{slug}"
    if source == "city_of_san_diego":
        return f"https://www.sandiego.gov/mayor/news/{slug}"
    return f"https://timesofsandiego.com/business/{y}/{m}/{d}/{slug}/"


_NAME_SENTENCE = {
    "en": "{name} is part of the programme.",
    "fr": "{name} fait partie du programme.",
    "de": "{name} ist Teil des Programms.",
}


def archive_items(count: int, seed: int = 1, pools: TextPools | None = None) -> Iterator[dict]:
    """``count`` archived items (news and events) as the pipelines hand them to the store.

    Every field the archive's facets, search and pages use is filled the way the
    pipelines fill it: ``id`` from the canonical URL, ``relevance_score`` and ``sectors``
    (about half the items have sectors), event details for the chamber's events.
    """
    import hashlib

    rng = random.Random(seed)
    pools = pools or TextPools()
    sources = list(SOURCE_PROFILES)
    source_weights = [SOURCE_PROFILES[s][0] for s in sources]
    for index in range(count):
        source = rng.choices(sources, weights=source_weights)[0]
        _, languages, event_share, policy = SOURCE_PROFILES[source]
        lang = rng.choices(list(languages), weights=list(languages.values()))[0]
        kind = "event" if rng.random() < event_share else "news"
        year = rng.choices(ARCHIVE_YEARS, weights=_YEAR_WEIGHTS)[0]
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        tz = _TIMEZONES.get(source, "Europe/Paris")
        offset = "-07:00" if tz.startswith("America") else "+02:00"
        names = rng.choices(pools.names, cum_weights=pools.name_weights, k=rng.randint(1, 3))
        title = rng.choice(pools.titles[lang])
        if rng.random() < 0.3:
            title = f"{names[0]}: {title}"
        sentences = pools.sentences[lang]
        paragraphs = [
            " ".join(rng.choices(sentences, k=rng.randint(2, 4))) for _ in range(rng.randint(2, 5))
        ]
        paragraphs[-1] += " " + " ".join(_NAME_SENTENCE[lang].format(name=n) for n in names)
        url = _url(source, lang, kind, date, _slug(title, index), index)
        score = round(rng.uniform(1.0, 6.0) if policy == "filtered" else rng.expovariate(0.8), 1)
        sectors = (
            sorted(set(rng.choices(SECTOR_LABELS, k=rng.randint(1, 3))))
            if rng.random() < 0.55
            else []
        )
        item = {
            "id": hashlib.sha1(url.encode()).hexdigest()[:16],
            "source": source,
            "kind": kind,
            "url": url,
            "canonical_url": url,
            "title": title,
            "title_sort": title.lower(),
            "summary": paragraphs[0][:200] + "…" if rng.random() < 0.7 else None,
            "body": "\n\n".join(paragraphs),
            "published": f"{date}T{rng.randint(7, 19):02d}:00:00{offset}"
            if rng.random() < 0.8
            else date,
            "published_from": rng.choice(("api", "feed", "jsonld", "dateline", "time")),
            "modified": None,
            "language": lang,
            "authors": [rng.choice(("Staff", "Communication", "Rédaction"))]
            if rng.random() < 0.5
            else [],
            "categories": [rng.choice(SECTOR_LABELS).split(" / ")[0].title()],
            "tags": [],
            "image": None,
            "translations": {},
            "cms_id": f"wp:post/{index}"
            if source != "provence_promotion"
            else f"drupal:node/{index}",
            "relevance_score": score,
            "relevance_terms": ["San Diego", "Provence"] if score >= 1 else [],
            "sectors": sectors,
            "content_hash": hashlib.sha256(paragraphs[0].encode()).hexdigest(),
        }
        if kind == "event":
            venue = rng.choice(_VENUES)
            hour = rng.randint(8, 19)
            item.update(
                start=f"{date}T{hour:02d}:00:00{offset}",
                end=f"{date}T{hour + 2:02d}:00:00{offset}",
                timezone=tz,
                all_day=False,
                venue_name=venue[0],
                venue_address=venue[1],
                venue_city=venue[2],
                venue_country=venue[3],
                organizer="SDFACC",
                registration_url=url + "#register",
                cost=rng.choice((None, "Free", "$25", "$40 members / $60 non-members")),
                status=rng.choices(("scheduled", "cancelled", "postponed"), (0.93, 0.05, 0.02))[0],
            )
        yield item
