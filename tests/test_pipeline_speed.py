"""The pipeline's fast paths give exactly what the plain paths give.

`partnews.text` skips ftfy on text ftfy would keep, folds ASCII without decomposing it,
and remembers matching forms; `partnews.similarity` computes MinHash signatures with
numpy. Each must be invisible in the archive: the same cleaned text, the same matching
forms, the same content hashes and signatures, so that an archive built by the plain
code, fed the same items again by the fast code, records no new version.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.store import UNCHANGED, Archive
from bench.generate import generated_items, generated_items_with_reposts
from crawler.sources import load_sources
from mirror import SITES_DIR
from partnews import similarity, text
from pipelines.dedupe import assign_item_id
from pipelines.normalize import normalize_item
from pipelines.validate import problems

# Text that each of ftfy's fixers, the unescaping and the folding has to act on.
TRICKY = [
    "CÃ´te dâ€™Azur",
    "voilÃ le travail",
    "Ã©tÃ© Ã  Marseille",
    "the ﬁrst ﬂight",
    "ＦＵＬＬ ｗｉｄｔｈ ５",
    "line one\r\nline two\rthree\u2028four\u2029five\x85six",
    "bell\x07 and escape \x1b[36mblue\x1b[0m",
    "C1 \x80 \x93quoted\x94",
    "soft\u00adhyphen zero\u200bwidth",
    "Cafe\u0301 de\u0301compose\u0301",
    "ℌello Ⅻ ﬀ",
    "L?entreprise c?ur d?activit? ?uvre",
    "&amp;eacute; &lt;b&gt; &#233;t&#233;",
    "ÉTATS DE LA FRANCE",
    "Straße, ĳssel, øre, łódź, đak, ı",
    "Aix – Marseille — “quotes” «guillemets» ‘single’",
    "plain ascii text, nothing to do.",
    "\u00a0non\u202fbreaking\u2009thin\tspaces",
    "surrogate \ud83d alone",
    "emoji 🇫🇷 flag and tags \U000e0067",
    "",
    "   ",
]


def fixture_texts() -> list[str]:
    """Every text of the mirror's fixture sites (French, English, German, with the odd
    characters their authors typed), and generated items."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(SITES_DIR).rglob("*.md"))]
    for item in generated_items(300):
        texts += [item.get("title") or "", item.get("summary") or "", item.get("body") or ""]
    return texts


def plain_and_fast(function, value):
    """`function(value)` with the fast paths off, then on (caches emptied each time)."""
    results = []
    for fast in (False, True):
        text.FAST_PATHS = fast
        text._CLEANED.clear()
        text._MATCHING.clear()
        try:
            results.append(function(value))
        finally:
            text.FAST_PATHS = True
    return results


@pytest.mark.parametrize("value", TRICKY)
def test_cleaning_and_matching_forms_are_unchanged_on_tricky_text(value):
    for function in (text.clean_text, text.matching_form, text.display_title):
        plain, fast = plain_and_fast(function, value)
        assert fast == plain, (function.__name__, value)


def test_cleaning_and_matching_forms_are_unchanged_on_every_fixture_text():
    texts = fixture_texts()
    assert len(texts) > 500
    for value in texts:
        plain, fast = plain_and_fast(text.matching_form, value)
        assert fast == plain
        plain, fast = plain_and_fast(text.clean_text, value)
        assert fast == plain


def test_ftfy_is_skipped_only_where_it_would_keep_the_text():
    """The decision itself, checked against ftfy on every text (both answers occur)."""
    import ftfy

    skipped = 0
    for value in TRICKY + fixture_texts():
        if text.ftfy_would_keep(value):
            skipped += 1
            assert ftfy.fix_text(value, text._FTFY_CONFIG) == value
    assert skipped > 100
    assert not text.ftfy_would_keep("CÃ´te dâ€™Azur")


def test_minhash_signatures_are_unchanged():
    items = [item for item, _ in generated_items_with_reposts(120, rate=0.3)]
    bodies = [item["body"] for item in items if item.get("body")]
    for body in bodies:
        shingle_set = similarity.shingles(body)
        fast = similarity.signature(shingle_set)
        plain = similarity.signature_datasketch(shingle_set)
        if plain is None:
            assert fast is None
        else:
            assert fast.dtype == plain.dtype
            assert (fast == plain).all()


def test_anchors_are_unchanged():
    """The anchors taken in one numpy pass are the plain loop's, on every generated body
    and fixture text (texts with and without anchors both occur)."""
    items = [item for item, _ in generated_items_with_reposts(120, rate=0.3)]
    texts = [item["body"] for item in items if item.get("body")] + fixture_texts()[:200]
    with_anchors = 0
    for value in texts:
        shingle_set = similarity.shingles(value)
        fast = similarity.anchors(shingle_set)
        similarity.FAST_SIGNATURES = False
        try:
            plain = similarity.anchors(shingle_set)
        finally:
            similarity.FAST_SIGNATURES = True
        assert fast == plain
        assert all(type(value) is int for value in fast)
        with_anchors += bool(fast)
    assert 0 < with_anchors < len(texts)


def feed(items: list[dict], path: Path) -> list[str]:
    """Validate, normalize, dedupe and store the items; the store's outcomes."""
    sources = load_sources()
    archive = Archive(path)
    outcomes = []
    for raw in items:
        if problems(raw):
            continue
        item = assign_item_id(normalize_item(dict(raw), sources.get(raw["source"])), archive)
        outcomes.append(archive.save_item(item))
    archive.close()
    return outcomes


def test_an_archive_built_by_the_plain_code_records_no_new_version_when_fed_again(tmp_path):
    items = [item for item, _ in generated_items_with_reposts(150, rate=0.3)]
    path = tmp_path / "partnews.db"
    text.FAST_PATHS = False
    similarity.FAST_SIGNATURES = False
    try:
        feed(items, path)
    finally:
        text.FAST_PATHS = True
        similarity.FAST_SIGNATURES = True
    conn = sqlite3.connect(path)
    versions_before = conn.execute("select count(*) from item_versions").fetchone()[0]
    signatures_before = set(conn.execute("select item_id, minhash from item_signatures"))
    conn.close()

    outcomes = feed(items, path)
    assert outcomes and set(outcomes) == {UNCHANGED}
    conn = sqlite3.connect(path)
    assert conn.execute("select count(*) from item_versions").fetchone()[0] == versions_before
    assert set(conn.execute("select item_id, minhash from item_signatures")) == signatures_before
    conn.close()


def _realdata_texts() -> list[str]:
    """Every small file of shared/realdata read as text, and the same texts garbled by
    the two classic wrong decodings (UTF-8 read as Latin-1 and as Windows-1252)."""
    from tests.requirements import need_shared

    folder = need_shared("realdata/MANIFEST.tsv").parent
    texts = [
        p.read_bytes().decode("utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.stat().st_size < 150_000
    ]
    garbled = [t.encode("utf-8", "replace").decode("latin-1") for t in texts[:150]]
    garbled += [t.encode("utf-8", "replace").decode("cp1252", "replace") for t in texts[:150]]
    return texts + garbled


def test_the_windowed_badness_check_answers_as_ftfy_on_real_pages():
    """`looks_bad` is ftfy's `is_bad`, searched only near its key characters: the same
    answer on whole real pages, garbled copies and random slices of them (both answers
    occur), so skipping ftfy on its say-so skips it exactly where ftfy would."""
    import random

    from ftfy.badness import is_bad

    rng = random.Random(17)
    answers = {True: 0, False: 0}
    for value in _realdata_texts() + TRICKY:
        slices = [value]
        for _ in range(4):
            start = rng.randrange(len(value) + 1)
            slices.append(value[start : start + rng.randrange(1, 300)])
        for piece in slices:
            expected = is_bad(piece)
            assert text.looks_bad(piece) == expected, piece[:200]
            answers[expected] += 1
    assert answers[True] > 100 and answers[False] > 100


@pytest.mark.parametrize(
    "value",
    ["Ã©", "xÃ©", "Ã ", "abc voilÃ  fin", "Ã", "ÉTÉ°", "a" * 50 + "Ã©" + "b" * 50, "€€€", "Â «"],
)
def test_the_windowed_badness_check_at_the_edges_of_a_text(value):
    """Mojibake at the very start or end of a text, or alone, is still seen."""
    from ftfy.badness import is_bad

    assert text.looks_bad(value) == is_bad(value)


def test_relevance_terms_are_found_as_the_plain_regexes_find_them():
    """The substring test before each term's regex changes no count: every term of the
    rules, on every fixture and generated text (terms found and absent both occur)."""
    from partnews import relevance

    rules = relevance.load_rules()
    terms = {t for side in rules.sides.values() for t in side}
    terms |= set(rules.programme) | set(rules.boosters)
    terms |= {t for _, sector_terms in rules.sectors.values() for t in sector_terms}
    found = 0
    for value in fixture_texts():
        form = text.matching_form(value)
        for term in terms:
            pattern = relevance._pattern(term)
            assert relevance._count(term, form) == len(pattern.findall(form))
            assert relevance._occurs(term, form) == (pattern.search(form) is not None)
            found += relevance._occurs(term, form)
    assert found > 100


def _teaser_check_before(copy: dict, article: dict) -> bool:
    """`pipelines.dedupe.is_teaser_of` as it was before the ellipsis was checked first."""
    body = article.get("body")
    if not body or copy.get("kind", "news") != article.get("kind", "news"):
        return False
    short = copy.get("body") or copy.get("summary")
    if not short or text.matching_form(short) == text.matching_form(body):
        return False
    return text.teaser_prefix_of(short, body)


def test_the_teaser_check_answers_as_before_on_cut_copies_of_every_fixture_text():
    """The ellipsis is looked for before two whole texts are compared: the same answer
    on teasers cut with each ellipsis (also escaped or garbled), copies without one,
    equal texts and unrelated texts, as body or as summary, in both directions."""
    from pipelines.dedupe import is_teaser_of

    bodies = [t for t in fixture_texts() if len(t.split()) >= 12][:250]
    assert len(bodies) >= 200
    tails = ["…", "...", " [&hellip;]", " [...] Read more", "â€¦", " (…) Lire la suite", ""]
    answers = {True: 0, False: 0}
    for n, body in enumerate(bodies):
        words = body.split()
        other = bodies[(n + 7) % len(bodies)]
        copies = [body, body + "...", other, other.split("\n")[0] + "…"]
        copies += [" ".join(words[: 4 + n % 9]) + tails[n % len(tails)]]
        copies += [" ".join(words[: 5 + n % 4]).upper() + "…"]
        for short in copies:
            for field in ("body", "summary"):
                copy = {field: short}
                for a, b in ((copy, {"body": body}), ({"body": body, "summary": None}, copy)):
                    expected = _teaser_check_before(a, b)
                    assert is_teaser_of(a, b) == expected, (short[:80], body[:80])
                    answers[expected] += 1
    assert answers[True] > 100 and answers[False] > 1000, answers


def test_the_teaser_tail_is_found_as_the_whole_tail_pattern_finds_it():
    """`has_teaser_tail` searches from the ellipsis on (`_TEASER_END_RE`), not with the
    optional opening of `_TEASER_TAIL_RE`: the same answer on every fixture text, cut
    with each tail, with an ellipsis inside the text, and with trailing spaces."""
    assert text._TEASER_END_RE.pattern != text._TEASER_TAIL_RE.pattern  # the cut happened
    tails = [
        "…",
        "...",
        " [&hellip;]",
        " [...] Read more »",
        "â€¦",
        " ( … ) Lire la suite",
        " .... EN SAVOIR PLUS",
        "… continue reading ->",
        "..",
        ". . .",
        "… more",
        "",
    ]
    answers = {True: 0, False: 0}
    for n, body in enumerate(fixture_texts()):
        words = body.split()
        cut = " ".join(words[: 3 + n % 11])
        for value in (
            body,
            cut + tails[n % len(tails)],
            cut + "... " + " ".join(words[3:9]),
            cut + tails[(n + 5) % len(tails)] + "  \n ",
        ):
            expected = text._TEASER_TAIL_RE.search(text.clean_text(value) or "") is not None
            assert text.has_teaser_tail(value) == expected, value[-80:]
            answers[expected] += 1
    assert answers[True] > 100 and answers[False] > 100, answers
