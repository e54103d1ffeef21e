"""Duplicates linked, never merged: reposts in stories, translations, and the story query.

Texts are shaped like the partners' (a Provence Promotion article and the San Diego
chamber's English repost, ../shared/sources.md §2) but written for these tests; the
real-data tests use WordPress posts from ../shared/realdata. Expected similarities are
computed here with an independent shingle count, not with partnews.similarity.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realdata import require

from archive.store import Archive
from partnews import similarity
from partnews.text import content_hash
from pipelines.dedupe import assign_item_id

PP = "https://www.investinprovence.com"
CHAMBER = "https://www.france-sandiego.org"

ORIGINAL = (
    "Provence Promotion held its annual meeting in Marseille on Tuesday. Members elected a "
    "board that brings together the metropolis, the department and the chamber of commerce, "
    "and for the first time several founders of companies the agency helped to settle.\n\n"
    "The board approved a roadmap for three years. International prospecting comes first, "
    "with more trips to North America after the agreement signed with the City of San Diego, "
    "and more attention to investors already in the area who plan to expand.\n\n"
    "The agency will also give every company a single contact person, from its first visit "
    "to the opening of its site, and will publish its results every spring."
)
# The chamber's repost: an acronym expanded, the last paragraph dropped, a sentence added.
REPOST = (
    "Provence Promotion held its annual meeting in Marseille on Tuesday. Members elected a "
    "board that brings together the metropolis, the department and the Chamber of Commerce "
    "and Industry (CCI), and for the first time several founders of companies the agency "
    "helped to settle.\n\n"
    "The board approved a roadmap for three years. International prospecting comes first, "
    "with more trips to North America after the agreement signed with the City of San Diego, "
    "and more attention to investors already in the area who plan to expand.\n\n"
    "San Diego companies can reach the agency through the chamber."
)
# Another article about the same meeting: same people, places and words, its own sentences.
SAME_EVENT = (
    "Marseille, Tuesday. The investment agency of the metropolis renewed its board at its "
    "annual meeting: the department, the chamber of commerce and company founders now sit "
    "together. Its roadmap for three years puts North America first, San Diego included, "
    "and promises companies in the area a single contact person when they plan to expand."
)


def words(text: str) -> list[str]:
    """Lower-case words without accents: an independent matching form for plain texts."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"[a-z0-9]+", "".join(c for c in folded if not unicodedata.combining(c)))


def exact_jaccard(a: str, b: str) -> float:
    def five(text):
        w = words(text)
        return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}

    sa, sb = five(a), five(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "partnews.db")
    yield archive
    archive.close()


def save(archive: Archive, source: str, url: str, body: str | None, **fields) -> str:
    """Archive an item the way the pipelines do (dedupe, then store); return its id."""
    item = {
        "source": source,
        "kind": "news",
        "url": url,
        "canonical_url": url,
        "title": fields.pop("title", "New board, new ambitions"),
        "body": body,
        "language": "en",
        **fields,
    }
    item["content_hash"] = content_hash(item["title"], item["body"] or item.get("summary"))
    item = assign_item_id(item, archive)
    archive.save_item(item)
    return item["id"]


def save_original(archive: Archive) -> str:
    """Archive the Provence Promotion article (13 July 2017) that the chamber reposted."""
    return save(
        archive, "provence_promotion", f"{PP}/en/news/new-board", ORIGINAL, published="2017-07-13"
    )


def save_repost(archive: Archive) -> str:
    """Archive the chamber's English repost of it, four days later."""
    return save(
        archive,
        "sdfacc",
        f"{CHAMBER}/2017/07/17/new-board/",
        REPOST,
        published="2017-07-17T08:45:00-07:00",
    )


def members(archive: Archive) -> dict[str, dict]:
    return {r["item_id"]: r for r in archive.db.query("select * from story_members")}


# Shingles and signatures ------------------------------------------------------------------


def test_shingles_ignore_case_accents_and_punctuation():
    a = similarity.shingles("La Région Sud et la Côte d’Azur accueillent San Diego.")
    b = similarity.shingles("LA REGION SUD ET LA COTE D'AZUR ACCUEILLENT SAN DIEGO")
    assert a == b
    assert "la region sud et la" in a
    assert similarity.shingles("Four words only here") == {"four words only here"}
    assert similarity.shingles("") == frozenset() and similarity.shingles(None) == frozenset()


def test_jaccard_of_the_repost_matches_an_independent_count():
    expected = exact_jaccard(ORIGINAL, REPOST)
    measured = similarity.jaccard(similarity.shingles(ORIGINAL), similarity.shingles(REPOST))
    assert measured == pytest.approx(expected)
    assert expected >= similarity.REPOST_THRESHOLD, "the light edits keep it a repost"
    assert exact_jaccard(ORIGINAL, SAME_EVENT) < 0.05, "same event, different sentences"


def test_signature_needs_enough_shingles_and_survives_storage():
    assert similarity.text_signature("Details to follow.") is None
    values = similarity.text_signature(ORIGINAL)
    assert len(values) == similarity.NUM_PERM
    assert (similarity.from_bytes(similarity.to_bytes(values)) == values).all()
    assert similarity.estimate(values, similarity.text_signature(ORIGINAL.upper())) == 1.0


def test_bucket_probability_is_the_documented_s_curve():
    # 1 - (1 - J^3)^10 at the documented points.
    assert similarity.bucket_probability(0.5) == pytest.approx(1 - (1 - 0.125) ** 10)
    assert similarity.bucket_probability(0.0) == 0.0
    assert similarity.bucket_probability(1.0) == 1.0


texts = st.lists(
    st.sampled_from("provence marseille san diego region sud agency board roadmap".split()),
    min_size=0,
    max_size=40,
).map(" ".join)


@given(texts, texts)
def test_jaccard_is_symmetric_and_bounded(a, b):
    sa, sb = similarity.shingles(a), similarity.shingles(b)
    value = similarity.jaccard(sa, sb)
    assert value == similarity.jaccard(sb, sa)
    assert 0.0 <= value <= 1.0
    if sa:
        assert similarity.jaccard(sa, sa) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abcdeéèÉ ’'-.,", min_size=0, max_size=200))
def test_signature_depends_only_on_the_matching_form(text):
    variant = text.upper().replace("’", "'")
    a, b = similarity.text_signature(text), similarity.text_signature(variant)
    assert (a is None) == (b is None)
    if a is not None:
        assert (a == b).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=30, max_size=120, unique=True), st.data())
def test_dropping_a_few_shingles_keeps_a_high_estimate(numbers, data):
    """MinHash estimates the Jaccard index: a set minus a few elements stays close."""
    full = {f"w{n}" for n in numbers}
    dropped = data.draw(st.integers(0, len(full) // 10))
    part = set(sorted(full)[dropped:])
    exact = len(part) / len(full)
    estimate = similarity.estimate(similarity.signature(full), similarity.signature(part))
    # One minimum moves only when a dropped element held it: the estimate never falls
    # further below the exact value than the share of dropped elements allows.
    assert estimate >= exact - 0.25


# Reposts and stories ---------------------------------------------------------------------


def test_a_repost_on_another_site_joins_the_originals_story(archive):
    original = save_original(archive)
    repost = save_repost(archive)
    assert archive.db["items"].count == 2, "reposts stay separate items"
    rows = members(archive)
    assert rows[original]["story_id"] == rows[repost]["story_id"]
    assert rows[original]["role"] == "original" and rows[original]["similarity"] == 1.0
    assert rows[repost]["role"] == "repost"
    assert rows[repost]["similarity"] == pytest.approx(exact_jaccard(ORIGINAL, REPOST), abs=1e-4)
    assert rows[repost]["matched_id"] == original


def test_the_earliest_is_the_original_whatever_the_crawl_order(archive):
    repost = save_repost(archive)
    original = save_original(archive)
    rows = members(archive)
    assert rows[original]["role"] == "original"
    assert rows[repost]["role"] == "repost"
    assert rows[repost]["similarity"] == pytest.approx(exact_jaccard(ORIGINAL, REPOST), abs=1e-4)


def test_the_same_article_at_another_url_of_its_site_is_one_item_not_a_story(archive):
    """Issue 15: the source's own copy at a new slug is the same item, with the reason."""
    first = save_original(archive)
    again = save(
        archive,
        "provence_promotion",
        f"{PP}/en/news/new-board-0",
        REPOST,
        title="New board",
        published="2017-07-14",
    )
    assert exact_jaccard(ORIGINAL, REPOST) >= 0.3
    assert first == again
    assert members(archive) == {}, "not a repost story"
    reasons = dict(archive.db.execute("select url, reason from item_urls").fetchall())
    assert reasons[f"{PP}/en/news/new-board-0"] == "slug change"
    item = archive.db.execute("select body, published from items").fetchone()
    assert item == (ORIGINAL, "2017-07-13"), "the archived text stays: no flip-flop"


def test_different_articles_about_the_same_event_are_never_linked(archive):
    save(archive, "provence_promotion", f"{PP}/en/news/new-board", ORIGINAL)
    save(archive, "sdfacc", f"{CHAMBER}/2017/07/20/meeting/", SAME_EVENT, title="Meeting")
    assert archive.db["items"].count == 2
    assert members(archive) == {}


def test_recurring_events_of_one_source_are_not_reposts(archive):
    blurb = (
        "Join members of the chamber for coffee and a short talk on doing business between "
        "San Diego and the South of France, followed by open networking until nine."
    )
    for month in ("01", "02"):
        save(
            archive,
            "sdfacc",
            f"{CHAMBER}/event/breakfast-2024-{month}/",
            blurb,
            kind="event",
            title=f"Business breakfast 2024-{month}",
        )
    assert members(archive) == {}


def paragraph(tag: str, n: int) -> str:
    """n distinct words: a paragraph sharing no 5-word run with any other tag's."""
    return " ".join(f"{tag}{i}" for i in range(n))


def test_two_stories_meet_when_a_new_item_resembles_both(archive):
    p1, p2, p3 = paragraph("alpha", 30), paragraph("beta", 40), paragraph("gamma", 30)
    a, b, c = f"{p1} {p2}", f"{p2} {p3}", f"{p1} {p2} {p3}"
    assert exact_jaccard(a, b) < 0.5 <= min(exact_jaccard(c, a), exact_jaccard(c, b))
    first = save(archive, "provence_promotion", f"{PP}/a", a, title="A", published="2018-01-01")
    first_copy = save(
        archive, "sdfacc", f"{CHAMBER}/a/", a + " delta", title="A2", published="2018-01-05"
    )
    second = save(archive, "provence_promotion", f"{PP}/b", b, title="B", published="2018-02-01")
    second_copy = save(
        archive, "sdfacc", f"{CHAMBER}/b/", b + " delta", title="B2", published="2018-02-05"
    )
    before = members(archive)
    assert before[first]["story_id"] == before[first_copy]["story_id"]
    assert before[second]["story_id"] == before[second_copy]["story_id"]
    assert before[first]["story_id"] != before[second]["story_id"]
    both = save(archive, "sdfacc", f"{CHAMBER}/c/", c, title="C", published="2018-03-01")
    rows = members(archive)
    assert len({rows[i]["story_id"] for i in (first, first_copy, second, second_copy, both)}) == 1
    assert [i for i, row in rows.items() if row["role"] == "original"] == [first]
    assert rows[second]["similarity"] == pytest.approx(exact_jaccard(a, b), abs=1e-4)


def test_an_index_sees_what_another_archive_object_wrote(tmp_path):
    """Two spiders of one crawl, each with its own Archive on the same file."""
    path = tmp_path / "partnews.db"
    pp, chamber = Archive(path), Archive(path)
    save_original(pp)
    repost = save(chamber, "sdfacc", f"{CHAMBER}/r/", REPOST, published="2017-07-17")
    assert members(chamber)[repost]["role"] == "repost"
    pp.close()
    chamber.close()


def test_a_reopened_archive_finds_reposts_of_what_it_held(tmp_path):
    path = tmp_path / "partnews.db"
    first = Archive(path)
    save_original(first)
    first.close()
    # A fresh process: no index in memory yet.
    from archive import relations

    relations._INDEXES.clear()
    second = Archive(path)
    repost = save(second, "sdfacc", f"{CHAMBER}/r/", REPOST, published="2017-07-17")
    assert members(second)[repost]["role"] == "repost"
    second.close()


def test_a_short_body_gets_no_signature_and_no_story(archive):
    save(archive, "sdfacc", f"{CHAMBER}/x/", "Details to follow.")
    save(archive, "sdfacc", f"{CHAMBER}/y/", "Details to follow.", title="Other")
    assert archive.db["item_signatures"].count == 0
    assert members(archive) == {}


# Translations ------------------------------------------------------------------------------

EN = f"{PP}/en/news/new-board"
FR = f"{PP}/actualites/nouveau-conseil"
FRENCH = (
    "Provence Promotion a tenu son assemblée générale à Marseille mardi. Les membres ont élu "
    "un conseil qui réunit la métropole, le département et la chambre de commerce."
)


@pytest.mark.parametrize("french_first", [False, True])
def test_hreflang_translations_are_linked_both_ways_in_either_order(archive, french_first):
    translations = {"en": EN, "fr": FR}
    french = dict(
        source="provence_promotion",
        url=FR,
        body=FRENCH,
        language="fr",
        title="Nouveau conseil",
        translations=translations,
    )
    english = dict(source="provence_promotion", url=EN, body=ORIGINAL, translations=translations)
    order = [french, english] if french_first else [english, french]
    ids = [save(archive, **fields) for fields in order]
    fr_id, en_id = ids if french_first else ids[::-1]
    links = {
        (r["item_id"], r["translation_id"], r["language"], r["url"])
        for r in archive.db.query("select * from item_translations")
    }
    assert links == {(en_id, fr_id, "fr", FR), (fr_id, en_id, "en", EN)}


def test_a_translation_not_yet_archived_waits_with_its_url(archive):
    en_id = save(archive, "provence_promotion", EN, ORIGINAL, translations={"fr": FR})
    [row] = archive.db.query("select * from item_translations")
    assert (row["item_id"], row["url"], row["translation_id"]) == (en_id, FR, None)


def test_cms_siblings_in_another_language_are_translations(archive):
    en_id = save(archive, "provence_promotion", EN, ORIGINAL, cms_id="drupal:node/1745")
    fr_id = save(
        archive,
        "provence_promotion",
        FR,
        FRENCH,
        language="fr",
        title="Nouveau",
        cms_id="drupal:node/1745",
    )
    pairs = {
        (r["item_id"], r["translation_id"], r["evidence"])
        for r in archive.db.query("select * from item_translations")
    }
    assert pairs == {(en_id, fr_id, "cms_id"), (fr_id, en_id, "cms_id")}


def test_the_story_of_a_repost_reaches_the_originals_translation(archive):
    """An English repost of an article with a French version: one story, read in one query."""
    translations = {"en": EN, "fr": FR}
    en_id = save(
        archive,
        "provence_promotion",
        EN,
        ORIGINAL,
        translations=translations,
        published="2017-07-13",
    )
    fr_id = save(
        archive,
        "provence_promotion",
        FR,
        FRENCH,
        language="fr",
        title="Nouveau",
        translations=translations,
        published="2017-07-13",
    )
    repost = save_repost(archive)
    other = save(archive, "sdfacc", f"{CHAMBER}/2017/07/20/meeting/", SAME_EVENT, title="M")
    for start in (repost, fr_id, en_id):
        story = {row["id"]: row for row in archive.story(start)}
        assert set(story) == {en_id, fr_id, repost}, "not the other article on the event"
    story = {row["id"]: row for row in archive.story(repost)}
    assert story[en_id]["role"] == "original" and story[repost]["role"] == "repost"
    assert story[fr_id]["role"] is None and story[fr_id]["translation_ids"] == en_id
    assert [row["id"] for row in archive.story(other)] == [other]


# Real data ---------------------------------------------------------------------------------


def test_a_real_post_and_its_page_copy_are_one_story_and_its_neighbours_are_not(archive):
    """A WordPress post read from the REST API, and the same post's HTML page syndicated on
    another site: near-identical text; the site's nine other posts share its vocabulary."""
    from crawler.extract.article import extract_article
    from crawler.extract.wordpress import parse_wp_posts

    posts = json.loads(require("unitingnc/wp-json/wp/v2/posts/index.html").read_text())
    page = require("unitingnc/2020/01/an-app-for-the-ministry/index.html").read_text()
    ids = {}
    for item in parse_wp_posts(posts, site_url="https://www.unitingnc.org"):
        fields = item.to_dict()
        fields.pop("source")
        fields.pop("url")
        fields.pop("body")
        ids[item.cms_id] = save(archive, "unitingnc", item.url, item.body, **fields)
    copy = extract_article(page, "https://syndication.example/an-app-for-the-ministry/")
    copy_id = save(
        archive, "syndication", copy.url, copy.body, title=copy.title, published="2021-01-01"
    )
    rows = members(archive)
    assert set(rows) == {copy_id, ids["wp:post/5169"]}
    assert rows[ids["wp:post/5169"]]["role"] == "original"
    assert rows[copy_id]["similarity"] >= similarity.REPOST_THRESHOLD
