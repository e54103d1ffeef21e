"""Tests for partnews.text: the display form and the matching form of scraped text.

Titles come from /work/shared/sources.md; body sentences are written for these tests.
"""

from __future__ import annotations

import hashlib
import html
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realdata import require

from partnews.text import (
    clean_text,
    content_hash,
    display_title,
    html_to_text,
    matching_form,
    sort_key,
    teaser_prefix_of,
)

MOU_TITLE = (
    "San Diego and Provence-Alpes-Côte d’Azur Region of France – Memorandum of Understanding"
)


# --- clean_text ------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\n\t ", "\u200b\ufeff", "&nbsp;"])
def test_clean_text_empty_is_none(empty):
    assert clean_text(empty) is None


def test_utf8_read_as_cp1252_is_repaired():
    # How the mojibake arises: the UTF-8 bytes of the title decoded as Windows-1252.
    broken = MOU_TITLE.encode("utf-8").decode("cp1252")
    assert "Ã´" in broken and "â€™" in broken
    assert clean_text(broken) == MOU_TITLE


def test_double_encoded_utf8_is_repaired():
    once = "Côte d’Azur".encode().decode("cp1252")
    twice = once.encode("utf-8").decode("cp1252")
    assert clean_text(twice) == "Côte d’Azur"


def test_utf8_read_as_latin1_is_repaired():
    broken = "Région Sud".encode().decode("latin-1")
    assert clean_text(broken) == "Région Sud"


def test_html_entities_are_decoded():
    assert (
        clean_text("Provence Promotion&#8217;s greatest annual results")
        == "Provence Promotion’s greatest annual results"
    )
    assert clean_text("Software/Digital Services &amp; Consulting") == (
        "Software/Digital Services & Consulting"
    )
    assert clean_text("Aix-Marseille&nbsp;Provence") == "Aix-Marseille Provence"


def test_entities_escaped_twice_are_decoded():
    # A feed that escaped "&#8217;" once more: "&amp;#8217;".
    assert clean_text("L&amp;#8217;agence") == "L’agence"


def test_text_is_nfc():
    decomposed = "Re\u0301gion Sud"
    assert clean_text(decomposed) == "R\u00e9gion Sud"


def test_zero_width_characters_are_removed():
    text = "\ufeff\u200bProvence\u200c Pro\u200dmotion\u2060 annual\u00adreport"
    assert clean_text(text) == "Provence Promotion annualreport"


def test_odd_spaces_become_plain_spaces():
    # French typography: NBSP before ":" and "»", narrow NBSP before "!", thin space.
    text = "Investir en provence\u00a0: «\u00a0San\u2009Diego\u00a0»\u202f!"
    assert clean_text(text) == "Investir en provence : « San Diego » !"


def test_whitespace_is_collapsed_within_lines_and_paragraphs_kept():
    text = "  First   line \t end \r\n  second line\n\n\n\n  New   paragraph  \n"
    assert clean_text(text) == "First line end\nsecond line\n\nNew paragraph"


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("l?une des entreprises", "l’une des entreprises"),
        ("5 millions d?euros", "5 millions d’euros"),
        ("au c?ur de la Provence", "au cœur de la Provence"),
        ("Qu?il soit", "Qu’il soit"),
        ("jusqu?au 30 mai", "jusqu’au 30 mai"),
        ("lorsqu?on arrive", "lorsqu’on arrive"),
        ("S?implanter en Provence", "S’implanter en Provence"),
        ("l?hôtel de Région", "l’hôtel de Région"),
        ("L?UNE DES ENTREPRISES", "L’UNE DES ENTREPRISES"),
        ("AU C?UR DE MARSEILLE", "AU CŒUR DE MARSEILLE"),
        ("une ?uvre collective", "une œuvre collective"),
        ("Qu?est-ce que c?est ?", "Qu’est-ce que c’est ?"),
    ],
)
def test_french_apostrophes_lost_to_question_marks_are_restored(damaged, repaired):
    assert clean_text(damaged) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "Quoi?Non",  # a real question mark: "quoi" is not an elided word
        "Is it?Yes",
        "Pourquoi ?",
        "What is next?",
        "l? une",  # a space after: not an elision
        "d?veloppement",  # "?" before a consonant is a lost "é", not an apostrophe
        "la soci?t? l?une",  # lost accents too: "?" is ambiguous in this text
    ],
)
def test_real_question_marks_and_ambiguous_ones_are_kept(text):
    assert clean_text(text) == text


def test_real_question_mark_does_not_block_repair_elsewhere():
    assert clean_text("Quoi?Non, l?une") == "Quoi?Non, l’une"


def test_typographic_quotes_case_and_accents_are_kept():
    text = "« ÉTATS DE LA FRANCE » : le “hub” d’Aix-Marseille"
    assert clean_text(text) == text


# --- display_title ---------------------------------------------------------------------


def test_display_title_is_one_line():
    assert (
        display_title("  Provence Promotion\n  présente son\n\nrapport annuel ")
        == "Provence Promotion présente son rapport annuel"
    )


def test_display_title_keeps_all_caps_and_repairs_entities():
    assert (
        display_title("AVENCOD TAKES ROOT IN PROVENCE &amp; TURNS DISABILITIES INTO IT SOLUTIONS")
        == "AVENCOD TAKES ROOT IN PROVENCE & TURNS DISABILITIES INTO IT SOLUTIONS"
    )


@pytest.mark.parametrize("empty", [None, "", " \n "])
def test_display_title_empty_is_none(empty):
    assert display_title(empty) is None


# --- matching_form and sort_key --------------------------------------------------------


def test_all_caps_title_and_title_case_match():
    caps = "AIX-MARSEILLE: AN ALTERNATIVE TO CAPITAL CITIES TO SET UP SHOP, GROW AND INNOVATE"
    normal = "Aix-Marseille: an alternative to capital cities to set up shop, grow and innovate"
    expected = "aix marseille an alternative to capital cities to set up shop grow and innovate"
    assert matching_form(caps) == matching_form(normal) == expected


def test_matching_form_removes_accents():
    assert (
        matching_form("Une journée d’immersion en Provence pour treize ambassadeurs français")
        == "une journee d immersion en provence pour treize ambassadeurs francais"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Cœur", "coeur"), ("ÆGIS", "aegis"), ("Straße", "strasse"), ("ÉTATS", "etats")],
)
def test_matching_form_folds_ligatures_and_sharp_s(text, expected):
    assert matching_form(text) == expected


def test_quotes_apostrophes_and_dashes_fold_together():
    forms = {
        matching_form("Côte d’Azur – Intermediate Results Sept. 2021"),
        matching_form("Cote d'Azur - Intermediate Results Sept 2021"),
        matching_form("CÔTE D‘AZUR — INTERMEDIATE RESULTS SEPT. 2021"),
    }
    assert forms == {"cote d azur intermediate results sept 2021"}


def test_matching_form_sees_through_entities_and_mojibake():
    entity = "Provence Promotion&#8217;s greatest annual results"
    mojibake = "Provence Promotion’s greatest annual results".encode().decode("cp1252")
    assert (
        matching_form(entity)
        == matching_form(mojibake)
        == ("provence promotion s greatest annual results")
    )


def test_matching_form_of_none_is_empty():
    assert matching_form(None) == ""
    assert matching_form("  ") == ""


def test_sort_key_orders_regardless_of_case_and_accents():
    titles = ["Zèbre project", "ÉTATS de la France", "avencod", "Etats-Unis"]
    # Code-point order would put "ÉTATS" last and "avencod" after "Zèbre".
    assert sorted(titles) == ["Etats-Unis", "Zèbre project", "avencod", "ÉTATS de la France"]
    assert sorted(titles, key=sort_key) == [
        "avencod",
        "ÉTATS de la France",  # "etats de ..." < "etats unis"
        "Etats-Unis",
        "Zèbre project",
    ]
    assert sort_key("ÉTATS de la France") == matching_form("ÉTATS de la France")


# --- html_to_text ----------------------------------------------------------------------


def test_html_to_text_paragraphs_and_line_breaks():
    markup = "<p>First paragraph with <b>bold</b> text.</p><p>Second<br>line</p>"
    assert html_to_text(markup) == "First paragraph with bold text.\n\nSecond\nline"


def test_html_to_text_drops_scripts_styles_and_head():
    markup = (
        "<html><head><title>Site name</title><style>p {color: red}</style></head>"
        "<body><script>var tracker = 1;</script><p>Body text</p>"
        "<noscript>Enable JavaScript</noscript><!-- a comment --></body></html>"
    )
    assert html_to_text(markup) == "Body text"


def test_html_to_text_lists_headings_and_tables():
    markup = (
        "<h2>Programme</h2><ul><li>Visit</li><li>Dinner</li></ul>"
        "<table><tr><td>Day 1</td><td>Marseille</td></tr>"
        "<tr><td>Day 2</td><td>Nice</td></tr></table>"
    )
    assert html_to_text(markup) == "Programme\n\nVisit\nDinner\n\nDay 1 Marseille\nDay 2 Nice"


def test_html_to_text_source_newlines_are_spaces():
    assert html_to_text("<p>one\ntwo\r\n   three</p>") == "one two three"


def test_html_to_text_two_br_make_a_paragraph():
    assert html_to_text("First<br><br>Second<br/>Third") == "First\n\nSecond\nThird"


def test_html_to_text_decodes_entities_and_spaces():
    markup = "<p>Provence Promotion&#8217;s &amp; partners&nbsp;!</p>"
    assert html_to_text(markup) == "Provence Promotion’s & partners !"


@pytest.mark.parametrize(
    "markup", [None, "", "   ", "<p> </p>", "<!-- only a comment -->", "<script>x()</script>"]
)
def test_html_to_text_without_text_is_none(markup):
    assert html_to_text(markup) is None


def test_html_to_text_accepts_an_xml_declaration():
    assert html_to_text('<?xml version="1.0" encoding="utf-8"?><p>Text</p>') == "Text"


def test_html_to_text_on_real_wordpress_titles():
    """WordPress REST titles are HTML ("interns&#8217; stories"): each one's text is the
    title with its entities decoded (cross-checked with the standard library)."""
    posts = json.loads(require("unitingnc/wp-json/wp/v2/posts/index.html").read_text())
    titles = [post["title"]["rendered"] for post in posts]
    assert any("&#8217;" in title for title in titles)
    for title in titles:
        assert "<" not in title  # plain titles: html.unescape gives their text
        assert html_to_text(title) == html.unescape(title).strip()


def test_html_to_text_on_real_pages_keeps_no_markup():
    page = require("federation-apcp/evenement/quartier-libre-jeunesse-en-creation/index.html")
    text = html_to_text(page.read_text(encoding="utf-8"))
    assert text is not None
    assert "<div" not in text and "</" not in text and "&amp;" not in text
    assert "\n\n\n" not in text and "  " not in text


# --- content_hash ----------------------------------------------------------------------


def test_content_hash_ignores_case_whitespace_accents_and_entities():
    body = "The agency   welcomed new companies in 2021.\n\nMost of them came from abroad."
    a = content_hash("Provence Promotion&#8217;s greatest annual results", body)
    b = content_hash(
        "PROVENCE PROMOTION’S GREATEST ANNUAL RESULTS",
        "The agency welcomed new companies in 2021. Most of them came from abroad.",
    )
    assert a == b


def test_content_hash_is_sha256_of_matching_forms_one_per_line():
    expected = hashlib.sha256(b"cote d azur\nthe region").hexdigest()
    assert content_hash("Côte d’Azur", "THE REGION") == expected


def test_content_hash_differs_for_different_text_and_part_boundaries():
    assert content_hash("Provence Promotion", "results") != content_hash("Provence", "results")
    assert content_hash("a b", "c") != content_hash("a", "b c")


def test_content_hash_treats_none_as_empty():
    assert content_hash("title", None) == content_hash("title", "")


# --- teaser_prefix_of ------------------------------------------------------------------

BODY = (
    "The agency welcomed a record number of foreign companies last year, most of them "
    "from North America.\n\nIts director presented the figures in Marseille."
)


@pytest.mark.parametrize(
    "teaser",
    [
        "The agency welcomed a record number of foreign companies last year…",
        "The agency welcomed a record number of foreign companies last year...",
        "The agency welcomed a record number of foreign [&hellip;]",
        "The agency welcomed a record number [...] Read more",
        "The agency welcomed a record number of forei…",  # cut inside a word
        "THE AGENCY WELCOMED A RECORD NUMBER…",  # listings may shout
        "The agency welcomed a record number of foreign companies last year, most of them "
        "from North America. Its director presented the figures in Marseille.",  # all of it
    ],
)
def test_teaser_is_prefix_of_its_article(teaser):
    assert teaser_prefix_of(teaser, BODY)


@pytest.mark.parametrize(
    "teaser",
    [
        "The agency welcomed investors from Florida…",  # another article
        "The agency welcomed a record number",  # no ellipsis: not a teaser of this body
        "The…",  # too short to tie to one article
        "",
    ],
)
def test_other_text_is_not_a_teaser_of_the_article(teaser):
    assert not teaser_prefix_of(teaser, BODY)


def test_teaser_of_empty_body_is_false():
    assert not teaser_prefix_of("The agency welcomed a record number…", "")


# --- properties ------------------------------------------------------------------------

# Pieces the normalisers treat specially, mixed into arbitrary text.
_PIECES = list("aeéEÉlLdDcCuUœŒ?’'\"«»–—-&#;amp8217 \n\r\t<>/.…ßℌİ") + [
    "\u00a0",
    "\u202f",
    "\u200b",
    "\ufeff",
    "\u00ad",
    "Ã´",
    "â€™",
    "&amp;",
    "&#8217;",
    "<p>",
    "<br>",
]
_TRICKY = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
TEXTS = st.one_of(st.text(), _TRICKY)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_text_normalisers_are_idempotent(text):
    for normalise in (clean_text, display_title, matching_form, sort_key):
        once = normalise(text)
        if once is not None:
            assert normalise(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_matching_form_has_only_lower_case_words(text):
    form = matching_form(text)
    assert form == " ".join(form.split())
    assert all(c.isalnum() or c == " " for c in form)
    assert form == form.casefold()


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_html_to_text_output_is_clean_text(text):
    out = html_to_text(text)
    assert out is None or clean_text(out) == out


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_hash_and_teaser_never_raise(a, b):
    digest = content_hash(a, b)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert teaser_prefix_of(a, b) in (True, False)
