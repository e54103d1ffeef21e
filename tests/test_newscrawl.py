"""`partnews newscrawl`: WARC files like CC-NEWS's, read on a real local Dask cluster.

The files are built by bench/newscrawl_corpus.py from the mirror's pages (fetched over
real HTTP), real third-party pages (../shared/realdata/dated-pages) and generated noise,
near misses and relevant articles of known date. What must be archived is derived
independently of the job: each HTML page read by the article reader and scored by the
rules, with no prefilter, no Dask and no pipeline; and for generated articles, what
they were generated with.
"""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench import newscrawl_corpus as corpus
from crawler.extract.article import extract_article
from crawler.newscrawl.job import QUIET_CLUSTER, run_newscrawl, write_item
from crawler.newscrawl.listing import month_files
from crawler.newscrawl.prefilter import build_prefilter, cover, prefilter_for
from crawler.newscrawl.reader import Page, Problem, ReadCounts, read_warc
from crawler.newscrawl.scan import page_text, read_article, read_page, scan_file
from crawler.newscrawl.textfilter import near_terms, page_words, text_may_be_relevant
from mirror import SITES_DIR
from mirror.sites import site_folders
from partnews.relevance import load_rules, score_text
from partnews.text import parse_html_document
from reliability.serving import free_port
from tests.requirements import REPO_ROOT, need_shared


def quiet(totals, file):  # the progress display, silenced
    pass


@pytest.fixture(scope="module")
def built(mirror, tmp_path_factory):
    """Three WARC files of the same mix (mirror, real, generated), a fourth of generated
    pages only (served by HTTP in the resume test), the bad-input files, and the truth."""
    need_shared("realdata/dated-pages/truth.jsonl")
    folder = tmp_path_factory.mktemp("warcs")
    hosts = [f.name for f in site_folders(SITES_DIR)]
    mirrored = corpus.mirror_pages(mirror.url, hosts, per_site=6)
    real = corpus.real_pages(limit=20)
    generated, expected = corpus.generated_pages(
        240, relevant_every=30, near_miss_every=20, kilobytes=(2, 8)
    )
    files = []
    for i, records in enumerate(corpus.split(mirrored + real + generated, 3)):
        path = folder / f"CC-NEWS-2025060100000{i}-0000{i}.warc.gz"
        corpus.write_warc(path, records)
        files.append(path)
    late, late_expected = corpus.generated_pages(120, seed=11, relevant_every=20, kilobytes=(2, 8))
    late_path = folder / "http" / "CC-NEWS-20250601000009-00009.warc.gz"
    corpus.write_warc(late_path, late)
    bad = corpus.bad_input_files(folder / "bad", generated[:40])
    # Thousands of records: generated only, so that the truth is known without reading
    # every page (the prefilter makes the job itself fast).
    big, big_expected = corpus.generated_pages(
        3000, seed=5, relevant_every=150, near_miss_every=40, kilobytes=(1, 4)
    )
    big_path = folder / "CC-NEWS-20250601000008-00008.warc.gz"
    corpus.write_warc(big_path, big)
    return {
        "big": big_path,
        "big_records": big,
        "big_expected": big_expected,
        "files": files,
        "records": mirrored + real + generated,
        "expected": expected,
        "late": late_path,
        "late_expected": late_expected,
        "bad": bad,
        "bad_records": generated[:40],
    }


def as_page(record) -> Page:
    return Page(record.url, 0, None, "2025-06-01T12:00:00+00:00", "utf-8", record.payload)


def html_records(records) -> list:
    return [r for r in records if r.status == 200 and "html" in r.content_type]


def plain_relevant(records) -> set[str]:
    """URLs of the HTML 200 pages the rules keep when every page is read by the article
    reader (no prefilter, no second stage)."""
    return {r.url for r in html_records(records) if read_article(as_page(r)) is not None}


@pytest.fixture(scope="module")
def truth(built):
    return plain_relevant(built["records"])


def query(path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


def archived(path: Path) -> set[tuple]:
    return set(query(path, "select id, source, url, title, published, content_hash from items"))


def archived_urls(path: Path) -> set[str]:
    return {row[0] for row in query(path, "select url from item_urls")}


def record_uri_at(path: str, offset: int) -> str:
    """The target URI of the WARC record starting at ``offset`` (read with warcio)."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        return next(iter(ArchiveIterator(handle))).rec_headers.get_header("WARC-Target-URI")


# ------------------------------------------------------------------ the prefilter
def test_prefilter_never_drops_a_page_the_rules_keep(built, truth):
    prefilter = prefilter_for()
    html = [r for r in built["records"] if r.status == 200 and "html" in r.content_type]
    kept = {r.url for r in html if prefilter.keeps(r.payload)}
    assert truth and truth <= kept
    noise = [r for r in html if r.kind == "noise"]
    assert noise and not any(prefilter.keeps(r.payload) for r in noise)
    # Near misses: some are dropped by the bytes (the words, not the terms), the others
    # pass the bytes test (a light term of each side) and are then dropped by the rules.
    near = [r for r in html if r.kind == "near_miss"]
    passed = [r for r in near if prefilter.keeps(r.payload)]
    assert passed and len(passed) < len(near)
    assert all(b"aliforni" in r.payload for r in passed)
    assert not {r.url for r in near} & truth


def test_prefilter_is_built_from_the_rules_file(tmp_path):
    rules = (REPO_ROOT / "crawler" / "relevance.toml").read_text(encoding="utf-8")
    page = b"<p>Escondido and Toulon sign an agreement</p>"
    assert not build_prefilter(load_rules(REPO_ROOT / "crawler" / "relevance.toml")).keeps(page)
    edited = tmp_path / "relevance.toml"
    edited.write_text(rules.replace('"Biocom" = 0.5', '"Biocom" = 0.5\n"Escondido" = 1.0'), "utf-8")
    assert build_prefilter(load_rules(edited)).keeps(page)
    # Case and accents: the rules' "Côte d'Azur" is found in upper case without its accent.
    assert prefilter_for().keeps("SAN DIEGO et la COTE D’AZUR".encode())


def test_prefilter_database_decides_as_the_plain_python_check(built):
    """The Hyperscan database and the reference check, page by page, on every page of
    the files (mirror, real, noise, near misses, relevant) and on bare phrases."""
    prefilter = prefilter_for()
    payloads = [r.payload for r in built["records"] + built["big_records"]]
    payloads += [
        b"San<b>\n</b>DIEGO meets the Cote d&#8217;Azur",
        b"san-diego.example/provence",
        b"SanDiego and Marseille",  # no separator: not the phrase
        b"South&nbsp;Alliance",
        b"the south, an alliance",  # both words, never the phrase... but a separator
        b"La Jolla",
    ]
    decisions = [prefilter.keeps(p) for p in payloads]
    assert decisions == [prefilter.keeps_reference(p) for p in payloads]
    assert any(decisions) and not all(decisions)
    # A Dask worker may run tasks in several threads: each scans with its own scratch.
    results: list[list[bool]] = []
    threads = [
        threading.Thread(target=lambda: results.append([prefilter.keeps(p) for p in payloads]))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [decisions] * 3


def test_prefilter_finds_terms_as_whole_words_however_their_accents_are_written():
    prefilter = prefilter_for()
    california = b" and California"
    # "Sud" of "R\xc3\xa9gion Sud" inside other words is not the term...
    for page in (b"Sudan", b"a sudden storm", b"pseudo-science", b"Sud-Ouest region"):
        assert not prefilter.keeps(page + california), page
    # ...and the term is found with its accent written in any of the usual ways.
    for written in (
        "R\u00e9gion Sud".encode(),
        "R\u00c9GION SUD".encode(),
        "R\u00e9gion Sud".encode("cp1252"),
        "Re\u0301gion Sud".encode(),
        b"R&eacute;gion&nbsp;Sud",
        b"Region Sud",
        b'{"headline": "R\\u00e9gion\\u00a0Sud"}',
        b'{"headline": "\\nSan Diego in the R\\u00e9gion Sud"}',
        b"<p>La R&#233;gion <b>Sud</b>.</p>",
    ):
        assert prefilter.keeps(written + california), written
    assert not prefilter.keeps(b"Marseille and San Diegoland")  # a word that goes on
    assert prefilter.keeps(b"<li>Marseille</li><li>San Diego</li>")


def test_prefilter_first_pass_words_cover_one_side_and_the_programme():
    """Every term of one side and every programme term holds a word of the first pass
    (so a page it drops names neither), and the words are few: a word shared by several
    terms stands for them all ("diego" for "San Diego" and the programme names)."""
    prefilter = prefilter_for()
    gate = set(prefilter.gate.words)
    sides = [
        side
        for side, terms in prefilter.terms.items()
        if all(gate & set(term.words) for term in terms)
    ]
    assert sides and all(gate & set(term.words) for term in prefilter.programme)
    side_terms = prefilter.terms[sides[0]]
    assert len(gate) < len(side_terms) + len(prefilter.programme)
    assert b"american" not in gate and b"diego" in gate
    # South Alliance; the two names with "French" and "San Diego"; SDFACC: three words.
    words = cover(prefilter.programme)
    assert len(words) == 3 and all(words & set(t.words) for t in prefilter.programme)


def _real_pages() -> list[tuple[str, bytes]]:
    """The real third-party pages of the shared folder: dated pages and the article-
    extraction benchmark's."""
    need_shared("realdata/dated-pages/truth.jsonl")
    need_shared("realdata/article-extraction-benchmark/ground-truth.json")
    return [(r.url, r.payload) for r in corpus.real_pages() + corpus.benchmark_pages()]


def test_prefilter_finds_every_term_the_text_of_real_pages_names():
    """On every real page, each place and programme term that the rules find in the
    page's text (all the text the readers could take, `page_words`) is found by the
    byte scanner in the page's raw bytes: the whole-word edges and accent runs lose
    no term."""
    rules, scanner = load_rules(), prefilter_for().scanner
    pages = _real_pages()
    checked = 0
    for name, payload in pages:
        doc = parse_html_document(page_text(Page(name, 0, None, None, None, payload)))
        named = score_text(None, None, near_terms(page_words(doc), rules), rules, sectors=False)
        wanted = {t.split(":", 1)[1] for t in named.terms if not t.startswith("booster:")}
        found = {scanner.terms[index].term for index in scanner.found(payload)}
        assert wanted <= found, (name, wanted - found)
        checked += len(wanted)
    assert len(pages) >= 500 and checked >= 30, (len(pages), checked)  # a few dozen terms


# ------------------------------------------------------------------ the second stage
def test_text_stage_never_drops_a_page_the_rules_keep(built, truth):
    prefilter = prefilter_for()
    passed = [r for r in html_records(built["records"]) if prefilter.keeps(r.payload)]
    outcomes = {r.url: read_page(as_page(r)) for r in passed}
    assert truth and all(outcomes[url][1] and outcomes[url][0] for url in truth)
    assert {url for url, (item, _) in outcomes.items() if item} == truth
    # It does drop pages: the near misses that name both sides too lightly.
    near = [r.url for r in passed if r.kind == "near_miss"]
    assert near and not any(outcomes[url][1] for url in near)


def _page(head: str, body: str) -> Page:
    html = f"<html lang='en'><head>{head}</head><body>{body}</body></html>"
    return Page("https://news.example.org/a/1", 0, None, None, "utf-8", html.encode())


FILLER = "<p>" + "The council met on Tuesday to discuss the budget of the coming year. " * 6
FILLER += "</p>"


@pytest.mark.parametrize(
    "head, body",
    [
        # Only the meta description names the partnership.
        (
            "<title>A visit</title><meta name='description' content='San Diego and Marseille"
            " sign a cooperation agreement'>",
            "<h1>A visit</h1>" + FILLER,
        ),
        # Only the JSON-LD headline, escaped as JSON escapes it.
        (
            '<title>A visit</title><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "San\\u00a0Diego and Marseille"}</script>',
            FILLER,
        ),
        # Only the <title>.
        ("<title>San Diego and Marseille</title>", FILLER),
        # A term split by an inline tag, the other across two paragraphs.
        (
            "<title>A visit</title>",
            "<h1>A visit</h1><p>Mar<b>seille</b> sent a delegation"
            " to</p><p>San</p><p>Diego.</p>" + FILLER,
        ),
    ],
)
def test_text_stage_reads_every_text_the_readers_score(head, body):
    page = _page(head, body)
    assert read_article(page) is not None  # the full readers keep it...
    item, text_passed = read_page(page)
    assert text_passed and item is not None  # ...so the second stage must


def test_text_stage_drops_a_page_that_names_both_sides_only_in_its_markup():
    page = _page(
        "<title>Council budget</title><script>var tags=['San Diego','Marseille'];</script>",
        "<nav><a href='/san-diego/marseille'>More</a></nav><h1>Council budget</h1>" + FILLER,
    )
    assert prefilter_for().keeps(page.payload)  # the bytes name both sides...
    doc = parse_html_document(page_text(page))
    assert not text_may_be_relevant(doc, load_rules(), prefilter_for())  # ...the text does not
    assert read_page(page) == (None, False)
    assert read_article(page) is None


def test_near_terms_keeps_every_line_a_term_can_be_on():
    rules = load_rules()
    filler = "\n".join(f"line {i} about the weather" for i in range(200))
    # A term across four lines, accents written three ways, far apart in the text.
    words = "\n".join([filler, "Sud", "de", "la", "FRANCE", filler, "re\u0301gion sud", filler])
    words += "\nLa Jolla" + "\n" + filler
    near = near_terms(words, rules)
    assert len(near) < len(words) / 10  # the weather is gone...
    found = set(score_text(None, None, near, rules).terms)
    assert found == set(score_text(None, None, words, rules).terms)  # ...no term with it
    assert {"region_sud:Sud de la France", "region_sud:Région Sud", "san_diego:La Jolla"} <= found


def test_text_stage_sees_every_term_the_readers_find_on_real_pages():
    """On the real third-party pages whose bytes name any term: every term the article
    reader's title, summary and body name is named in the second stage's text."""
    need_shared("realdata/dated-pages/truth.jsonl")
    rules, scanner = load_rules(), prefilter_for().scanner
    checked = 0
    for record in corpus.real_pages():
        if not scanner.found(record.payload):
            continue
        html = page_text(as_page(record))
        doc = parse_html_document(html)
        item = extract_article(html, record.url, doc=doc)
        read = set(score_text(item.title, item.summary, item.body, rules).terms)
        seen = set(score_text(None, None, near_terms(page_words(doc), rules), rules).terms)
        assert read <= seen, record.url
        checked += bool(read)
    assert checked >= 5


# ------------------------------------------------------------------ bad input
def test_reader_names_each_bad_record_with_its_offset(built):
    bad, good = built["bad"], built["bad_records"]
    good_pages = sum(1 for r in good if r.status == 200 and "html" in r.content_type)
    counts = ReadCounts()
    entries = list(read_warc(str(bad["mixed"]), counts))
    problems = [e for e in entries if isinstance(e, Problem)]
    kinds = sorted(p.kind for p in problems if p.kind != "non_html" or "pdf" in (p.message or ""))
    assert kinds == ["bad_http", "bad_http", "non_html", "too_large"]
    for problem in problems:
        assert record_uri_at(str(bad["mixed"]), problem.offset) == problem.url
    # Every good page around them is read.
    assert sum(isinstance(e, Page) for e in entries) == good_pages == counts.pages

    for name in ("truncated", "corrupt"):
        entries = list(read_warc(str(bad[name])))
        problems = [e for e in entries if isinstance(e, Problem) and e.kind != "non_html"]
        assert [p.kind for p in problems] in (["truncated"], ["corrupt"]), (name, problems)
        pages = sum(isinstance(e, Page) for e in entries)
        assert 0 < pages < good_pages, name


def test_reader_names_a_file_cut_anywhere_in_a_responses_head_truncated(built, tmp_path):
    """A file cut at any byte from a response's WARC headers to the end of its HTTP
    headers: every page before that record is read, and the record is reported, with
    its offset, as truncated (corrupt where the cut leaves no WARC header to parse),
    never as an exception (a cut inside the WARC headers' last line, or before the
    status line, used to raise a TypeError that failed the file's task)."""
    records = [r for r in built["bad_records"] if r.status == 200][:4]
    whole = tmp_path / "whole.warc.gz"
    corpus.write_warc(whole, records)
    data = gzip.decompress(whole.read_bytes())
    start = data.rfind(b"WARC/1.", 0, data.rfind(b"WARC-Type: response"))
    http_end = data.index(b"\r\n\r\n", data.index(b"\r\n\r\n", start) + 4) + 4
    cut = tmp_path / "cut.warc"
    kinds = set()
    for end in range(start + 1, http_end):
        cut.write_bytes(data[:end])
        entries = list(read_warc(str(cut)))
        pages = [e for e in entries if isinstance(e, Page)]
        problems = [e for e in entries if isinstance(e, Problem)]
        assert [p.offset for p in pages] == sorted(p.offset for p in pages)
        assert all(p.offset < start for p in pages) and len(pages) == len(records) - 1, end
        assert len(problems) == 1 and problems[0].kind in ("truncated", "corrupt"), end
        # A corrupt file is named after the last record read: the one before.
        assert problems[0].offset in (start, data.rfind(b"WARC/1.", 0, start)), end
        kinds.add(problems[0].kind)
    assert kinds == {"truncated", "corrupt"}


def test_reader_keep_drops_pages_unmade_but_counts_them_and_reports_every_problem(built):
    """``keep`` (the prefilter) sees every page's payload; what it drops is counted and
    never yielded, and every bad record is still reported."""
    location = str(built["bad"]["mixed"])
    all_counts, kept_counts = ReadCounts(), ReadCounts()
    everything = list(read_warc(location, all_counts))
    pages = [e for e in everything if isinstance(e, Page)]
    assert len(pages) >= 3
    chosen = {pages[0].payload, pages[-1].payload}
    seen: list[bytes] = []

    def keep(payload: bytes) -> bool:
        seen.append(payload)
        return payload in chosen

    kept = list(read_warc(location, kept_counts, keep=keep))
    assert seen == [p.payload for p in pages]
    assert [e for e in kept if isinstance(e, Page)] == [p for p in pages if p.payload in chosen]
    problems = [e for e in everything if isinstance(e, Problem)]
    assert problems and [e for e in kept if isinstance(e, Problem)] == problems
    assert kept_counts == all_counts


# ------------------------------------------------------------------ the job on Dask
@pytest.fixture(scope="module")
def two_workers(built, tmp_path_factory):
    """The three files, the big one and the bad ones read by a local cluster of 2 worker
    processes."""
    path = tmp_path_factory.mktemp("two") / "partnews.db"
    locations = job_files(built)
    totals = run_newscrawl(locations, path, workers=2, progress=quiet)
    return path, totals


def job_files(built) -> list[str]:
    return [
        *(str(p) for p in built["files"]),
        str(built["big"]),
        *(str(p) for p in built["bad"].values()),
    ]


def test_relevant_pages_are_archived_as_press_and_the_rest_dropped(built, truth, two_workers):
    path, totals = two_workers
    assert totals.files == 7 and totals.failed == 0
    written = sum(1 for _ in built["big_records"])
    (big_records,) = query(
        path, "select records from newscrawl_files where warc_file = ?", [str(built["big"])]
    )[0]
    assert big_records == written >= 3000
    urls = archived_urls(path)
    assert truth <= urls
    records = built["records"] + built["big_records"]
    dropped = {r.url for r in records if r.kind in ("noise", "near_miss", "other")}
    assert not dropped & urls
    assert {row[0] for row in query(path, "select distinct source from items")} == {"press"}
    # Generated articles: their day, title, language and site, whatever the date evidence.
    for wanted in built["expected"] + built["big_expected"]:
        rows = query(
            path,
            "select items.published, items.title, items.language, newscrawl_items.host "
            "from items join newscrawl_items on newscrawl_items.item_id = items.id "
            "where newscrawl_items.url = ?",
            [wanted.url],
        )
        assert rows, wanted.url
        published, title, language, host = rows[0]
        assert (published[:10], title, language, host) == (
            wanted.published,
            wanted.title,
            wanted.language,
            wanted.host,
        )


def test_each_item_cites_its_warc_record(two_workers):
    path, _ = two_workers
    rows = query(
        path,
        "select captures.url, captures.warc_file, captures.warc_offset, item_captures.item_id "
        "from captures join item_captures on item_captures.capture_id = captures.id",
    )
    assert rows
    for url, warc_file, offset, _item in rows:
        assert record_uri_at(warc_file, offset) == url


def test_bad_input_is_filed_with_file_and_offset_and_the_job_goes_on(built, two_workers):
    path, totals = two_workers
    rejects = query(path, "select url, reason, item from rejects where source = 'press'")
    reasons = " ".join(r[1] for r in rejects)
    for kind in ("bad_http", "too_large", "non_html"):
        assert f"newscrawl {kind}" in reasons
    assert "newscrawl truncated" in reasons or "newscrawl corrupt" in reasons
    mixed = str(built["bad"]["mixed"])
    assert any(mixed in r[1] and "offset" in r[1] for r in rejects)
    done = query(path, "select warc_file, status from newscrawl_files")
    assert len(done) == 7 and {status for _, status in done} == {"done"}
    # The good records of the bad files were read: the relevant ones among them archived.
    relevant_good = plain_relevant(built["bad_records"])
    assert relevant_good and relevant_good <= archived_urls(path)


def test_one_worker_gives_the_same_archive_and_a_second_run_adds_nothing(
    built, two_workers, tmp_path
):
    two_path, _ = two_workers
    one_path = tmp_path / "one.db"
    locations = job_files(built)
    run_newscrawl(locations, one_path, workers=1, progress=quiet)
    assert archived(one_path) == archived(two_path)

    before = archived(one_path)
    again = run_newscrawl(locations, one_path, workers=1, progress=quiet)
    assert (again.files, again.skipped, again.records) == (0, 7, 0)
    rescan = run_newscrawl(locations[:1], one_path, workers=1, rescan=True, progress=quiet)
    assert rescan.files == 1 and rescan.relevant > 0
    assert rescan.outcomes.get("new", 0) == 0 and rescan.outcomes.get("updated", 0) == 0
    assert archived(one_path) == before
    captures = query(
        one_path, "select count(*), count(distinct warc_file || warc_offset) from captures"
    )
    assert captures[0][0] == captures[0][1]


# ------------------------------------------------------------------ kill and resume
class _Gate(SimpleHTTPRequestHandler):
    """Serves a folder; a file whose name is in ``held`` waits until the gate opens."""

    held: set[str] = set()
    gate = threading.Event()

    def do_GET(self):
        if Path(self.path).name in self.held:
            self.gate.wait(120)
        super().do_GET()

    def log_message(self, *args):
        pass


def test_month_listing_kill_and_resume(built, two_workers, tmp_path):
    """`--month` over HTTP: the job is killed while one file is held back by the server,
    then run again: the files done before the kill are not read again."""
    site = tmp_path / "cc"
    month = site / "crawl-data" / "CC-NEWS" / "2025" / "06"
    month.mkdir(parents=True)
    names = []
    for path in [*built["files"], built["late"]]:
        (month / path.name).write_bytes(path.read_bytes())
        names.append(f"crawl-data/CC-NEWS/2025/06/{path.name}")
    (month / "warc.paths.gz").write_bytes(gzip.compress("\n".join(names).encode()))
    handler = type("Gate", (_Gate,), {"held": {built["late"].name}, "gate": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        listed = month_files("2025-06", base)
        assert listed == [base + name for name in names]
        archive = tmp_path / "partnews.db"
        command = [
            sys.executable, "-m", "partnews.cli", "newscrawl", "--month", "2025-06",
            "--base-url", base, "--workers", "2", "--archive", str(archive),
        ]  # fmt: skip
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        job = subprocess.Popen(
            command, cwd=tmp_path, env=env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        done = []
        for _ in range(600):  # until the three files before the held one are written
            if archive.exists():
                try:
                    done = query(
                        archive, "select warc_file from newscrawl_files where status = 'done'"
                    )
                except sqlite3.OperationalError:
                    done = []
            if len(done) == 3 or job.poll() is not None:
                break
            time.sleep(0.5)
        assert job.poll() is None, job.stderr.read().decode()[-2000:]
        os.killpg(job.pid, signal.SIGKILL)  # the job and its cluster, all started here
        job.wait(30)
        assert sorted(row[0] for row in done) == sorted(listed[:3])
        killed_run = query(archive, "select max(run_id) from newscrawl_files")[0][0]

        handler.gate.set()
        totals = run_newscrawl(listed, archive, workers=2, progress=quiet)
        assert (totals.files, totals.skipped) == (1, 3)
        rows = query(archive, "select warc_file, run_id, status from newscrawl_files")
        assert {r[0] for r in rows if r[1] == killed_run} == set(listed[:3])
        # The killed run, left open by the kill, is closed as interrupted by the next one.
        runs = query(archive, "select id, finish_reason, finished is not null from crawl_runs")
        assert runs == [(killed_run, "interrupted", 1), (killed_run + 1, "finished", 1)]
        assert all(status == "done" for *_, status in rows) and len(rows) == 4
        # The same items as the uninterrupted run of the local files, plus the late file's.
        two_path, _ = two_workers
        ours = {row[0] for row in archived(archive)}
        marks = ",".join("?" * len(built["files"]))
        from_files = query(
            two_path,
            f"select item_id from newscrawl_items where warc_file in ({marks})",
            [str(p) for p in built["files"]],
        )
        assert from_files and {row[0] for row in from_files} <= ours
        late_urls = {wanted.url for wanted in built["late_expected"]}
        assert late_urls and late_urls <= archived_urls(archive)
    finally:
        handler.gate.set()
        server.shutdown()


# ------------------------------------------------------------------ duplicates
def test_a_file_whose_writes_fail_is_left_unwritten_and_written_whole_next_run(built, tmp_path):
    """The driver writes a file's results all or nothing: when one item cannot be
    written, none of the file's items, captures or progress row are left, and the same
    results written again give every item."""
    from archive.store import Archive
    from crawler.newscrawl.job import PRESS_SOURCE, Totals, write_result

    result = scan_file(str(built["files"][0]))
    assert result["relevant"] >= 2
    broken = dict(result["items"][-1], item={"title": "No URL"})  # cannot be deduplicated
    archive = Archive(tmp_path / "partial.db")
    archive.ensure_newscrawl()
    archive.upsert_sources([PRESS_SOURCE])
    run_id = archive.start_run("press")
    with pytest.raises(KeyError):
        write_result(archive, run_id, dict(result, items=[*result["items"], broken]), Totals())
    counts = query(
        archive.path,
        "select (select count(*) from items), (select count(*) from captures), "
        "(select count(*) from newscrawl_files), (select count(*) from items_fts)",
    )
    assert counts == [(0, 0, 0, 0)]
    assert archive.newscrawl_done_files() == set()
    write_result(archive, run_id, result, Totals())
    archive.close()
    assert len(query(archive.path, "select id from items")) == result["relevant"]
    assert archive_done(archive.path) == {str(built["files"][0])}


def test_a_job_whose_writes_fail_names_the_file_and_the_next_run_finishes_it(
    built, tmp_path, monkeypatch
):
    """On a real local cluster: the error names the file whose results could not be
    written; the file before it stays done, and a new run reads that file again."""
    from crawler.newscrawl import job

    first, second = (str(p) for p in built["files"][:2])
    write_item = job.write_item

    def failing(archive, run_id, found):
        if found["capture"]["warc_file"] == second:
            raise ValueError("the disk is full")
        return write_item(archive, run_id, found)

    monkeypatch.setattr(job, "write_item", failing)
    path = tmp_path / "stopped.db"
    with pytest.raises(job.WriteFailed, match=f"could not write the results of {second}"):
        run_newscrawl([first, second], path, workers=1, progress=quiet)
    assert archive_done(path) == {first}
    kept = {row[0] for row in query(path, "select warc_file from newscrawl_items")}
    assert kept == {first}
    monkeypatch.setattr(job, "write_item", write_item)
    again = run_newscrawl([first, second], path, workers=1, progress=quiet)
    assert (again.files, again.skipped) == (1, 1)
    assert archive_done(path) == {first, second}
    clean = tmp_path / "clean.db"
    run_newscrawl([first, second], clean, workers=1, progress=quiet)
    assert archived(path) == archived(clean)
    hits = "select warc_file, warc_offset, item_id from newscrawl_items"
    assert set(query(path, hits)) == set(query(clean, hits))


# ------------------------------------------------------------------ a running scheduler
def _deployment_env() -> dict[str, str]:
    """A deployment's processes: partnews installed (this virtualenv's editable install,
    not the source folder on the path), and the recipe's Dask settings
    (deploy/dask/partnews.yaml, which docs/newscrawl.md's image copies into /etc/dask)."""
    env = dict(os.environ, DASK_CONFIG=str(REPO_ROOT / "deploy" / "dask"))
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture
def scheduler_with_two_workers(tmp_path):
    """`dask scheduler` and `dask worker` (2 one-thread worker processes) started as a
    deployment starts them, each in its own process; the scheduler's address."""
    from dask.distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    env = _deployment_env()
    started = []
    logs = []
    try:
        for name, command in (
            (
                "scheduler",
                ["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]],
            ),
            ("worker", ["worker", address, "--nworkers", "2", "--nthreads", "1"]),
        ):
            log = (tmp_path / f"{name}.log").open("w")
            logs.append(log)
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dask", *command, "--no-dashboard"],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def test_a_running_scheduler_reads_the_files_as_the_local_cluster_does(
    built, two_workers, scheduler_with_two_workers, tmp_path
):
    """`partnews newscrawl --scheduler tcp://HOST:PORT`, the real command, on a scheduler
    and workers started apart (as on Kubernetes or a batch system): the same archive as
    the local cluster's, each item citing its WARC record."""
    path = tmp_path / "remote.db"
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "newscrawl", *job_files(built)]
        + ["--scheduler", scheduler_with_two_workers, "--archive", str(path)],
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "newscrawl: 7 files read" in result.stdout
    two_path, _ = two_workers
    assert archived(path) == archived(two_path)
    assert archive_done(path) == archive_done(two_path)


def test_a_scheduler_that_cannot_be_reached_is_named_with_what_to_do(built, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    path = tmp_path / "none.db"
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "newscrawl", str(built["files"][0])]
        + ["--scheduler", address, "--archive", str(path)],
        cwd=REPO_ROOT,
        env=dict(
            os.environ, PYTHONPATH=str(REPO_ROOT), DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s"
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr
    assert "leave out --scheduler" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(path, "select finish_reason from crawl_runs") == [("scheduler_unreachable",)]
    assert archive_done(path) == set()


def test_a_news_crawl_waits_for_the_archives_other_writer(built, tmp_path):
    """One writer: while a nightly holds the archive's lock, the news crawl does not
    start (exit 3, naming the holder), and a nightly is refused while it runs."""
    from archive.lock import LockHeld, acquire

    path = tmp_path / "locked.db"
    nightly = acquire(path)  # the command a lock is taken for by default
    try:
        result = subprocess.run(
            [sys.executable, "-m", "partnews.cli", "newscrawl", str(built["files"][0])]
            + ["--workers", "1", "--archive", str(path)],
            cwd=REPO_ROOT,
            env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        nightly.release()
    assert result.returncode == 3, result.stderr[-2000:]
    assert f"Not starting: partnews nightly is running on {path} (pid {os.getpid()}" in (
        result.stderr
    )
    assert not path.exists()  # nothing was written

    seen = []

    def holder_refuses_a_nightly(totals, file):
        with pytest.raises(LockHeld, match="partnews newscrawl is running"):
            acquire(path)
        seen.append(file)

    run_newscrawl([str(built["files"][0])], path, workers=1, progress=holder_refuses_a_nightly)
    assert seen == [str(built["files"][0])]
    acquire(path).release()  # free again once the news crawl has ended


def archive_done(path: Path) -> set[str]:
    return {row[0] for row in query(path, "select warc_file from newscrawl_files")}


def test_a_partner_url_keeps_its_source_and_a_press_copy_joins_its_story(mirror, tmp_path):
    """A CC-NEWS capture of a partner's page adds a capture to the partner's item; the
    same article on a newspaper's site is a press item in the partner item's story."""
    from archive.store import Archive
    from crawler.extract.article import extract_article
    from crawler.sources import load_sources
    from pipelines.dedupe import assign_item_id
    from pipelines.normalize import normalize_item

    pages = corpus.mirror_pages(mirror.url, ["www.france-sandiego.org"], per_site=40)
    article = next(p for p in pages if plain_relevant([p]) and "/20" in p.url)
    partner = extract_article(article.payload.decode("utf-8"), article.url).to_dict()
    partner["source"] = "sdfacc"
    archive_path = tmp_path / "partnews.db"
    archive = Archive(archive_path)
    partner = assign_item_id(normalize_item(partner, load_sources()["sdfacc"]), archive)
    archive.save_item(partner)

    copy_url = "https://www.harbor-ledger.com/2025/06/01/partnership-story"
    warc = tmp_path / "copy.warc.gz"
    corpus.write_warc(warc, [article, corpus.Record(copy_url, article.payload)])
    archive.ensure_newscrawl()
    result = scan_file(str(warc))
    outcomes = [write_item(archive, 99, found) for found in result["items"]]
    archive.close()
    assert sorted(outcomes) == ["known", "new"]
    (source,) = query(archive_path, "select source from items where id = ?", [partner["id"]])[0]
    assert source == "sdfacc"
    press = query(archive_path, "select id from items where source = 'press'")
    assert len(press) == 1
    stories = query(
        archive_path,
        "select story_id from story_members where item_id in (?, ?)",
        [partner["id"], press[0][0]],
    )
    assert len(stories) == 2 and stories[0] == stories[1]
    cited = query(
        archive_path,
        "select captures.warc_file from item_captures join captures "
        "on captures.id = item_captures.capture_id where item_captures.item_id = ?",
        [partner["id"]],
    )
    assert cited == [(str(warc),)]


def _malloc_trim_threshold() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_the_local_clusters_workers_run_without_the_dashboards_profiler(monkeypatch):
    """The local cluster has no dashboard, so its workers' statistical profiler (a stack
    sample every 10 ms, merged every second) is switched off in the worker processes;
    and they keep glibc's own memory thresholds (Dask's MALLOC_TRIM_THRESHOLD_ made
    every large page a fresh mapping, page faults and all)."""
    import dask

    from crawler.newscrawl.job import dask_client

    # (An earlier cluster of this process may have set it here: Dask's nanny sets its
    # variables in its own process's environment too.)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    client, cluster = dask_client(None, 1)
    try:
        key = "distributed.worker.profile.enabled"
        assert set(client.run(dask.config.get, key).values()) == {False}
        assert dask.config.get(key) is True  # the driver's own configuration is untouched
        key = "distributed.admin.tick.interval"
        assert set(client.run(dask.config.get, key).values()) == {"1s"}
        assert set(client.run(_malloc_trim_threshold).values()) == {None}
        assert _malloc_trim_threshold() is None  # nor in the driver's environment
    finally:
        client.close()
        cluster.close()


def test_the_cluster_recipes_dask_settings_are_the_local_clusters():
    """deploy/dask/partnews.yaml (copied into the workers' image by docs/newscrawl.md's
    recipe) gives a cluster's workers the local cluster's two settings."""
    import dask.config
    from distributed.nanny import _get_env_variables

    recipe = REPO_ROOT / "deploy" / "dask" / "partnews.yaml"
    assert "COPY deploy/dask/partnews.yaml /etc/dask/" in (
        REPO_ROOT / "docs" / "newscrawl.md"
    ).read_text(encoding="utf-8")
    # Dask's defaults, then the file (as a worker reads them).
    settings = dask.config.merge(
        dask.config.config, dask.config.collect(paths=[str(recipe.parent)], env={})
    )
    with dask.config.set(settings):
        for key, value in QUIET_CLUSTER.items():
            if key.startswith("distributed.nanny.pre-spawn-environ."):
                assert key.rsplit(".", 1)[1] not in _get_env_variables(
                    "distributed.nanny.pre-spawn-environ"
                )
            else:
                assert dask.config.get(key) == value, key
