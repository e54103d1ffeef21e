"""The normalize pipeline on real-world-shaped items (sources.md §1.2, §3.6, §4)."""

from crawler.sources import get_source
from pipelines.normalize import in_zone, normalize_item

PROVENCE = get_source("provence_promotion")
SDFACC = get_source("sdfacc")

ENGLISH_BODY = (
    "The Aix-Marseille-Provence Metropolis wants to attract more start-ups. Its plan "
    "combines incubators, seed funding and a welcome desk for founders who move to "
    "Marseille from abroad, and it counts on the French Tech label to be seen."
)


def raw(**fields):
    item = {
        "source": "provence_promotion",
        "kind": "news",
        "url": "https://www.investinprovence.com/en/news/attracting-startups",
        "title": "Attracting startups",
        "body": ENGLISH_BODY,
    }
    item.update(fields)
    return item


def test_german_dateline_over_english_text_under_de_path():
    item = normalize_item(
        raw(
            url="https://investinprovence.com/de/node/1973",
            language="de",
            published="28 Januar 2019",
            published_from="dateline",
        ),
        PROVENCE,
    )
    assert item["published"] == "2019-01-28"
    assert item["published_from"] == "dateline"
    assert item["language"] == "en", "the text is English whatever the path says"
    assert item["canonical_url"] == "https://www.investinprovence.com/de/node/1973"


def test_french_dateline_is_read_day_first():
    item = normalize_item(
        raw(
            url="https://www.investinprovence.com/actualites/rapport-annuel",
            language="fr",
            title="Provence Promotion présente son rapport annuel",
            body="L’agence présente ses résultats de l’année et les projets d’implantation "
            "accompagnés dans la métropole, avec les emplois créés et les secteurs concernés.",
            published="26 Juin 2020",
        ),
        PROVENCE,
    )
    assert item["published"] == "2020-06-26"
    assert item["language"] == "fr"


def test_utc_api_dates_are_shown_in_the_source_timezone():
    item = normalize_item(
        raw(
            source="sdfacc",
            url="https://france-sandiego.org/2017/12/31/new-year/",
            published="2018-01-01T04:00:00+00:00",
            published_from="api",
        ),
        SDFACC,
    )
    # 04:00 UTC on 1 January is 8 pm on 31 December in San Diego (PST, UTC-8).
    assert item["published"] == "2017-12-31T20:00:00-08:00"
    assert item["canonical_url"] == "https://www.france-sandiego.org/2017/12/31/new-year/"


def test_an_unreadable_date_falls_back_to_the_url_date_and_says_so():
    item = normalize_item(
        raw(
            source="sdfacc",
            url="https://www.france-sandiego.org/2019/05/07/french-tech-capital/",
            published="Copyright © 2019, The San Diego Union-Tribune",
        ),
        SDFACC,
    )
    assert item["published"] == "2019-05-07"
    assert item["published_from"] == "url"


def test_no_date_anywhere_stays_null_never_today():
    item = normalize_item(raw(published="Dernière mise à jour :"), PROVENCE)
    assert item["published"] is None
    assert item["published_from"] is None


def test_text_and_url_repairs():
    item = normalize_item(
        raw(
            title="  Provence Promotion&#8217;s greatest   annual results ",
            summary="CÃ´te dâ€™Azur\u200b and Marseille",
            url="https://investinprovence.com/en/news/results?utm_source=feedburner&utm_medium=feed#top",
            categories=["invest in provence", "invest in provence", " Energy "],
        ),
        PROVENCE,
    )
    assert item["title"] == "Provence Promotion’s greatest annual results"
    assert item["summary"] == "Côte d’Azur and Marseille"
    assert item["canonical_url"] == "https://www.investinprovence.com/en/news/results"
    assert item["categories"] == ["invest in provence", "Energy"]
    assert item["title_sort"].startswith("provence promotion")


def test_content_hash_ignores_case_spacing_and_entities():
    first = normalize_item(
        raw(title="LAUNCH OF NEW MEASURES", body="Mobility  in Provence."), PROVENCE
    )
    second = normalize_item(
        raw(
            url="https://www.investinprovence.com/de/node/2046",
            title="Launch of new measures",
            body="Mobility in&nbsp;Provence.",
        ),
        PROVENCE,
    )
    third = normalize_item(
        raw(title="Launch of new measures", body="Housing in Provence."), PROVENCE
    )
    assert first["content_hash"] == second["content_hash"]
    assert first["content_hash"] != third["content_hash"]
    assert first["title"] == "LAUNCH OF NEW MEASURES", "ALL-CAPS titles are kept as published"


def test_event_times_keep_their_own_timezone():
    item = normalize_item(
        raw(
            source="sdfacc",
            kind="event",
            url="https://www.france-sandiego.org/event/tour-2017/",
            start="2017-10-30T09:00:00+01:00",
            end="2017-11-03T17:00:00+01:00",
            timezone="Europe/Paris",
        ),
        SDFACC,
    )
    assert (item["start"], item["end"]) == (
        "2017-10-30T09:00:00+01:00",
        "2017-11-03T17:00:00+01:00",
    )
    assert item["timezone"] == "Europe/Paris"


def test_in_zone_leaves_days_and_naive_times_alone():
    assert in_zone("2019-05-14", "Europe/Paris") == "2019-05-14"
    assert in_zone("2019-05-14T08:00:00", "Europe/Paris") == "2019-05-14T08:00:00"
    assert in_zone("2019-05-14T06:00:00+00:00", "Europe/Paris") == "2019-05-14T08:00:00+02:00"
