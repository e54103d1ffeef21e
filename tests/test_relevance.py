"""The partnership rules (crawler/relevance.toml) on real-world-shaped texts, and the filter."""

import json
import subprocess
import sys

import pytest

from crawler.items import ArchiveItem
from partnews.relevance import load_rules, score_text
from pipelines.relevance import NotRelevant, RelevancePipeline


def test_both_sides_named_is_about_the_partnership():
    result = score_text(
        "La Ville de Marseille signe un accord de coopération avec San Diego",
        None,
        "San Diego devient la première ville jumelle de Marseille aux États-Unis.",
    )
    # min(San Diego 1.0, Marseille 1.0) + boosters "accord de coopération" 1.0
    # and "ville jumelle" 2.0, which count because both sides are named.
    assert result.score == 4.0
    assert "san_diego:San Diego" in result.terms
    assert "region_sud:Marseille" in result.terms
    assert "booster:ville jumelle" in result.terms


def test_one_side_only_is_not_even_with_a_twinning_word():
    result = score_text("Marseille célèbre son jumelage avec Glasgow", None, None)
    assert result.score == 0.0
    assert result.terms == ["region_sud:Marseille"], "boosters need both sides"
    assert not result.is_relevant(load_rules())


def test_accents_case_and_apostrophes_do_not_matter():
    plain = score_text("COTE D'AZUR companies visit LA JOLLA", None, None)
    accented = score_text("Côte d’Azur companies visit La Jolla", None, None)
    assert plain.score == accented.score == 1.0
    assert plain.terms == accented.terms


def test_words_match_whole_not_inside_other_words():
    # "Provencal" is not "Provence"; "Nicely" names no place.
    assert score_text("A provencal recipe, nicely done in San Diego", None, None).score == 0.0


def test_a_programme_term_alone_is_enough():
    result = score_text("The South Alliance annual report", None, None)
    assert result.score == 3.0 and result.is_relevant(load_rules())


def test_publisher_side_counts_for_partner_sources():
    text = "AVENCOD TAKES ROOT IN PROVENCE AND TURNS DISABILITIES INTO IT SOLUTIONS"
    assert score_text(text, None, None).score == 0.0
    assert score_text(text, None, None, publisher_side="san_diego").score == 1.0


def test_sectors_need_two_mentions_or_the_title():
    body = "The biotech cluster grows. Two biotech start-ups joined this year."
    assert score_text("Annual results", None, body).sectors == ["biotech / life sciences"]
    assert score_text("Annual results", None, "One biotech start-up.").sectors == []
    assert "cleantech / energy" in score_text("Hydrogen in Marseille", None, None).sectors


def item(source, title, body=""):
    return ArchiveItem(source=source, url="https://example.org/a", title=title, body=body)


def test_filtered_sources_drop_off_topic_items_and_keep_the_rest():
    pipeline = RelevancePipeline()
    kept = pipeline.process_item(
        item("city_of_san_diego", "Mayor Gloria leads a San Diego trade mission to Marseille")
    )
    assert kept.relevance_score >= 1.0
    with pytest.raises(NotRelevant, match="not about the partnership"):
        pipeline.process_item(item("city_of_san_diego", "Pothole repairs reach 50,000"))


def test_partner_sources_keep_everything_with_its_score():
    kept = RelevancePipeline().process_item(item("sdfacc", "Holiday Mixer 2024"))
    assert kept.relevance_score == 0.0
    assert kept.relevance_terms == ["publisher:san_diego"]


def test_the_relevance_command_explains_a_score():
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "relevance", "Toulon and San Diego navies meet"],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(result.stdout)
    assert answer["relevant"] is True
    assert set(answer["terms"]) == {"san_diego:San Diego", "region_sud:Toulon"}
    assert answer["sectors"] == []
