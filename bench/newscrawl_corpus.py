"""WARC files like CC-NEWS's, built from the mirror, real pages and generated noise.

Shared by bench/bench_newscrawl.py and tests/test_newscrawl.py. A CC-NEWS file holds
tens of thousands of news pages of every subject, with a request record beside each
response, redirects, errors and the odd image; a few are about the partnership. The
files built here have the same structure:

* the mirror's pages (`mirror_pages`): the partner sites' own pages, fetched from the
  local mirror over real HTTP with their real Host, under their real URLs. Many are
  about the partnership; some are not (a listing, an unrelated event);
* real pages of third-party sites (`real_pages`, ../shared/realdata/dated-pages),
  with their real URLs (percent-encoded as a crawler requests them: one has a space):
  real markup, mostly nothing to do with the partnership;
* generated pages (`generated_pages`): noise articles in English and French padded with
  the scripts and menus of real news pages; "near misses" that pass the byte prefilter
  without being relevant (a footballer named Diego playing in the South of France, a
  San Diego story that mentions a Provence wine); relevant articles on invented press
  sites, each with a known date given by a different kind of evidence (JSON-LD, a meta
  tag, a visible dateline, the URL), whose `Expected` says what the archive must hold;
* non-200 responses and non-HTML payloads, as a crawl meets them;
* `bad_input_files`: a truncated file, a file with a corrupt gzip member, a record
  with a bad HTTP status line, a non-HTML payload and a 10 MB page among good records.

Deterministic for a seed. No third-party text is copied into the repository: the real
pages are read from the shared folder when the files are built.
"""

from __future__ import annotations

import gzip
import json
import random
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from w3lib.url import safe_url_string
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.shared import realdata_dir

CAPTURED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    """One response to write: URL, status, content type and payload."""

    url: str
    payload: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    kind: str = "noise"  # mirror, real, noise, near_miss, relevant, other


@dataclass(frozen=True)
class Expected:
    """What the archive must hold for a generated relevant page."""

    url: str
    host: str
    published: str  # the day, YYYY-MM-DD
    title: str
    language: str


# ---------------------------------------------------------------- the mirror's pages
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect's target is queued as a link, under its real host


def _get(base_url: str, host: str, path: str) -> tuple[int, str, bytes, str | None]:
    """Status, content type, body and Location of one request to the mirror."""
    request = urllib.request.Request(base_url + path, headers={"Host": host})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read(), None
    except urllib.error.HTTPError as error:
        headers = error.headers
        return error.code, headers.get("Content-Type", ""), error.read(), headers.get("Location")


def mirror_pages(base_url: str, hosts: Iterable[str], per_site: int = 40) -> list[Record]:
    """The HTML pages of each mirrored site reachable from its home page (breadth
    first, at most ``per_site`` pages a site), fetched over HTTP from the mirror at
    ``base_url`` with the real Host header, recorded under their real https URLs."""
    records = []
    for host in hosts:
        queue, seen, kept = ["/"], {"/"}, 0
        while queue and kept < per_site:
            path = queue.pop(0)
            status, content_type, body, location = _get(base_url, host, path)
            url = f"https://{host}{path}"
            links = [location] if location else []
            if status == 200 and "html" in content_type:
                records.append(Record(url, body, content_type, kind="mirror"))
                kept += 1
                parser = _Links()
                parser.feed(body.decode("utf-8", "replace"))
                links = parser.links
            for href in links:
                target = urlsplit(urljoin(url, href))
                if target.hostname != host or target.scheme not in ("http", "https"):
                    continue
                if "feed" in target.path or target.query or target.path in seen:
                    continue
                seen.add(target.path)
                queue.append(target.path)
    return records


# ---------------------------------------------------------------- real pages
def real_pages(limit: int | None = None) -> list[Record]:
    """Real article pages of third-party sites with their real URLs (shared folder);
    empty when the shared folder is absent."""
    folder = realdata_dir() / "dated-pages"
    truth = folder / "truth.jsonl"
    if not truth.exists():
        return []
    records = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        path = folder / row["file"]
        if path.exists():
            records.append(Record(safe_url_string(row["url"]), path.read_bytes(), kind="real"))
        if limit and len(records) >= limit:
            break
    return records


def benchmark_pages() -> list[Record]:
    """The real article pages of the article-extraction benchmark (shared folder), as
    they were served (bytes) at their real URLs; empty when the folder is absent."""
    folder = realdata_dir() / "article-extraction-benchmark"
    truth = folder / "ground-truth.json"
    if not truth.exists():
        return []
    rows = json.loads(truth.read_text(encoding="utf-8"))
    return [
        Record(safe_url_string(rows[key]["url"]), gzip.decompress(path.read_bytes()), kind="real")
        for key in sorted(rows)
        if (path := folder / "html" / f"{key}.html.gz").exists()
    ]


# ---------------------------------------------------------------- generated pages
_EN = (
    "council budget school weather traffic police court election market housing game "
    "season coach players fans storm rain museum festival concert restaurant review "
    "company shares earnings quarter report mayor county state bill vote tax road bridge "
    "the of and to in for with a on by from at was is will after new said"
).split()
_FR = (
    "conseil budget école météo circulation police tribunal élection marché logement "
    "match saison entraîneur joueurs supporters orage pluie musée festival concert "
    "restaurant entreprise résultats trimestre maire département vote impôt route pont "
    "le la les des du de et en pour avec sur dans au à été après nouveau selon"
).split()
_PRESS_HOSTS = (
    ("www.harbor-ledger.com", "en"),
    ("www.bayside-courier.com", "en"),
    ("www.gazette-du-littoral.fr", "fr"),
    ("www.echo-des-calanques.fr", "fr"),
)
_NOISE_HOSTS = (
    ("www.midland-tribune.com", "en"),
    ("www.valley-herald.com", "en"),
    ("www.le-petit-journal-du-centre.fr", "fr"),
    ("www.nord-matin-exemple.fr", "fr"),
)
_RELEVANT_EN = (
    "A delegation from Marseille visited San Diego this week to sign a cooperation "
    "agreement between the two biotech clusters.",
    "Companies from the Région Sud met San Diego investors at a trade mission focused on "
    "the blue economy and the port.",
    "The South Alliance programme brings startups from Provence to La Jolla for a "
    "month of meetings with research institutes.",
)
_RELEVANT_FR = (
    "Une délégation de la Région Sud s'est rendue à San Diego pour signer un accord de "
    "coopération sur l'économie bleue.",
    "Des entreprises de Marseille ont rencontré des investisseurs de Californie lors "
    "d'une mission économique à San Diego.",
    "Le jumelage entre Marseille et San Diego fête un anniversaire avec une délégation "
    "de la Côte d'Azur.",
)
_NEAR_MISS = (
    # The words of a term on each side, never the terms themselves: dropped by the bytes.
    (
        "en",
        "Diego Martin scored twice; the san marino squad, back from the south coast of "
        "France, lost again.",
    ),
    (
        "fr",
        "Le milieu Diego a signé à Nantes ; le club, sans victoire, espère remonter au sud "
        "du classement face à la France.",
    ),
    # A term of each side, too light to be the partnership: kept by the bytes, dropped
    # by the rules (California weighs 0.5 and no booster is named).
    (
        "en",
        "A California winery shipped its first rosé to a wine shop in Marseille; the owner "
        "said sales were slow.",
    ),
    (
        "fr",
        "Un vignoble de Californie expédie ses vins vers Marseille, où les ventes restent "
        "modestes.",
    ),
)


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def _boilerplate(rng: random.Random, kilobytes: int) -> str:
    """Menus, scripts and tracking of a news site: the bulk of a real page's bytes."""
    menu = "".join(
        f'<li><a href="/section/{rng.randrange(10**6)}">{_sentence(rng, _EN, 2)}</a></li>'
        for _ in range(40)
    )
    script_size = max(kilobytes * 1024 - len(menu), 0)
    blob = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz{}();=,") for _ in range(512))
    script = (blob * (script_size // 512 + 1))[:script_size]
    return f"<nav><ul>{menu}</ul></nav><script>var cfg={{}};{script}</script>"


def _page(
    title: str,
    paragraphs: list[str],
    language: str,
    boilerplate: str,
    head: str = "",
    dateline: str = "",
) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{head}</head><body>{boilerplate}"
        f"<main><article><h1>{escape(title)}</h1>{dateline}{body}</article></main>"
        f"<footer>{_sentence(random.Random(len(title)), _EN, 6)}</footer></body></html>"
    ).encode()


def _noise(rng: random.Random, index: int, kilobytes: tuple[int, int]) -> Record:
    host, language = rng.choice(_NOISE_HOSTS)
    words = _FR if language == "fr" else _EN
    title = _sentence(rng, words, rng.randint(5, 10)).rstrip(".")
    paragraphs = [
        " ".join(_sentence(rng, words, rng.randint(8, 20)) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(3, 8))
    ]
    payload = _page(title, paragraphs, language, _boilerplate(rng, rng.randint(*kilobytes)))
    return Record(f"https://{host}/news/{index}-{rng.randrange(10**6)}", payload)


def _near_miss(rng: random.Random, index: int, count: int) -> Record:
    """The ``count``-th near miss (record ``index``): the four kinds in turn."""
    language, text = _NEAR_MISS[count % len(_NEAR_MISS)]
    host = next(h for h, lang in _NOISE_HOSTS if lang == language)
    words = _FR if language == "fr" else _EN
    paragraphs = [text, _sentence(rng, words, 15)]
    payload = _page(_sentence(rng, words, 6), paragraphs, language, _boilerplate(rng, 30))
    return Record(f"https://{host}/sport/{index}", payload, kind="near_miss")


def _relevant(rng: random.Random, index: int) -> tuple[Record, Expected]:
    """A relevant article on an invented press site, dated by one kind of evidence."""
    host, language = _PRESS_HOSTS[index % len(_PRESS_HOSTS)]
    day = datetime(2019, 1, 1) + timedelta(days=rng.randrange(2000))
    iso = day.strftime("%Y-%m-%d")
    lead = (_RELEVANT_FR if language == "fr" else _RELEVANT_EN)[index % 3]
    words = _FR if language == "fr" else _EN
    title = (
        f"{'Région Sud et San Diego' if language == 'fr' else 'San Diego and Provence'}: "
        f"{_sentence(rng, words, 5).rstrip('.')} {index}"
    )
    paragraphs = [lead] + [
        " ".join(_sentence(rng, words, rng.randint(8, 20)) for _ in range(3)) for _ in range(4)
    ]
    evidence = index % 4
    head, dateline, path = "", "", f"/article/{index}-{rng.randrange(10**6)}"
    if evidence == 0:
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title}
        ld["datePublished"] = f"{iso}T08:30:00+01:00"
        head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    elif evidence == 1:
        head = f'<meta property="article:published_time" content="{iso}T09:00:00Z">'
    elif evidence == 2:
        months_fr = (
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        )
        if language == "fr":
            text = f"Publié le {day.day} {months_fr.split()[day.month - 1]} {day.year}"
        else:
            text = f"Published {day.strftime('%B')} {day.day}, {day.year}"
        dateline = f'<p class="byline">{text}</p>'
    else:
        path = f"/{day:%Y/%m/%d}/article-{index}"
    payload = _page(
        title, paragraphs, language, _boilerplate(rng, rng.randint(20, 60)), head, dateline
    )
    url = f"https://{host}{path}"
    return Record(url, payload, kind="relevant"), Expected(url, host, iso, title, language)


def _other(rng: random.Random, index: int) -> Record:
    """A redirect, an error page, or a payload that is not HTML."""
    host, _ = rng.choice(_NOISE_HOSTS)
    choice = index % 3
    if choice == 0:
        return Record(f"https://{host}/old/{index}", b"", "text/html", 301, "other")
    if choice == 1:
        return Record(
            f"https://{host}/gone/{index}", b"<html>Not found</html>", status=404, kind="other"
        )
    image = bytes(rng.randrange(256) for _ in range(2048))
    return Record(f"https://{host}/img/{index}.jpg", image, "image/jpeg", kind="other")


def generated_pages(
    count: int,
    seed: int = 7,
    relevant_every: int = 200,
    near_miss_every: int = 50,
    other_every: int = 20,
    kilobytes: tuple[int, int] = (20, 80),
) -> tuple[list[Record], list[Expected]]:
    """``count`` generated records: mostly noise, one relevant article every
    ``relevant_every``, a near miss every ``near_miss_every``, a redirect, error or
    image every ``other_every``; and what the archive must hold of the relevant ones.
    A noise page carries ``kilobytes`` (a range) of menus and scripts, as real ones do."""
    rng = random.Random(seed)
    records, expected = [], []
    for i in range(count):
        if i % relevant_every == relevant_every // 2:
            record, wanted = _relevant(rng, i)
            expected.append(wanted)
        elif i % near_miss_every == 1:
            record = _near_miss(rng, i, i // near_miss_every)
        elif i % other_every == 3:
            record = _other(rng, i)
        else:
            record = _noise(rng, i, kilobytes)
        records.append(record)
    return records, expected


# ---------------------------------------------------------------- writing WARC files
_REASONS = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}


def write_warc(path: Path, records: Iterable[Record]) -> int:
    """A gzipped WARC file as CC-NEWS writes them: a warcinfo record, then each response
    followed by its request. The number of response records."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "partnews bench"})
        )
        for i, record in enumerate(records):
            date = (CAPTURED + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            headers = [
                ("Content-Type", record.content_type),
                ("Content-Length", str(len(record.payload))),
            ]
            if record.status == 301:
                headers.append(("Location", record.url + "/"))
            http = StatusAndHeaders(
                f"{record.status} {_REASONS.get(record.status, 'OK')}", headers, protocol="HTTP/1.1"
            )
            response = writer.create_warc_record(
                record.url,
                "response",
                payload=BytesIO(record.payload),
                length=len(record.payload),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(response)
            request = writer.create_warc_record(
                record.url,
                "request",
                payload=BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders(
                    f"GET {urlsplit(record.url).path or '/'} HTTP/1.1",
                    [("Host", urlsplit(record.url).hostname or "")],
                    is_http_request=True,
                ),
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(request)
            count += 1
    return count


def split(records: list[Record], files: int, seed: int = 3) -> list[list[Record]]:
    """The records shuffled and dealt into ``files`` files of the same mix."""
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::files] for i in range(files)]


# ---------------------------------------------------------------- bad input
def _raw_record(url: str, block: bytes, record_type: str = "response") -> bytes:
    """One gzip member holding a WARC record written by hand (for blocks warcio refuses)."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: 2025-06-01T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + block + b"\r\n\r\n")


def bad_input_files(folder: Path, good: list[Record]) -> dict[str, Path]:
    """Files with bad input among the ``good`` records (at least 4):

    * ``mixed``: a record with a bad HTTP status line, a non-HTML payload (PDF) and a
      10 MB page between good records, all readable to the end;
    * ``truncated``: the good records' file cut in the middle of its last records;
    * ``corrupt``: the good records' file with bytes overwritten in its middle.
    """
    folder.mkdir(parents=True, exist_ok=True)
    half = len(good) // 2
    mixed = folder / "mixed.warc.gz"
    write_warc(mixed, good[:half])
    huge = b"<html><body><p>" + b"word " * (2 * 1024 * 1024) + b"</p></body></html>"
    with open(mixed, "ab") as handle:
        handle.write(
            _raw_record(
                "https://www.valley-herald.com/bad-header", b"HTTP/1.1 OOPS\r\n\r\n<html></html>"
            )
        )
        handle.write(
            _raw_record(
                "https://www.valley-herald.com/not-http", b"garbage without status\r\n\r\n<p>"
            )
        )
    tail = folder / "tail.warc.gz"
    write_warc(
        tail,
        [
            Record(
                "https://www.valley-herald.com/report.pdf",
                b"%PDF-1.4 not a page",
                "application/pdf",
            ),
            Record("https://www.valley-herald.com/huge", huge),
            *good[half:],
        ],
    )
    with open(mixed, "ab") as handle:
        handle.write(tail.read_bytes())
    tail.unlink()

    whole = folder / "whole.warc.gz"
    write_warc(whole, good)
    data = whole.read_bytes()
    truncated = folder / "truncated.warc.gz"
    truncated.write_bytes(data[: len(data) - len(data) // 5])
    corrupt = folder / "corrupt.warc.gz"
    broken = bytearray(data)
    middle = len(broken) // 2
    broken[middle : middle + 64] = b"\x00" * 64
    corrupt.write_bytes(bytes(broken))
    whole.unlink()
    return {"mixed": mixed, "truncated": truncated, "corrupt": corrupt}
