"""The charts' canned queries and pages, through Datasette's real app on a crawled archive.

Every expected figure is computed here in Python from the archive's rows (months and
years from the ``published`` text, bands from the score, nights from the runs' start
times), never read back from the query under test. The crawl-health queries run on a
copy of the crawled archive to which earlier nights were added with the archive's own
writer (`Archive.start_run` / `finish_run`, the clock moved with time-machine).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine

from archive import charts
from archive.publish import datasette_app
from archive.store import Archive


def counts(seen: int, new: int, updated: int, requests: int, not_modified: int) -> dict:
    return dict(
        items_seen=seen,
        items_new=new,
        items_updated=updated,
        requests=requests,
        responses_304=not_modified,
    )


# Nights added before the crawl's own night D, per source: (days before D, source, health,
# reasons, counts). sdfacc runs twice on D-1. Every other source has no run those nights.
EARLIER_RUNS = [
    (3, "sdfacc", "healthy", None, counts(30, 2, 1, 20, 5)),
    (3, "provence_promotion", "degraded", ["fewer items than the last nights"],
     counts(4, 0, 0, 12, 0)),
    (2, "sdfacc", "broken", ["the feed answered 500", "no listing page"], counts(0, 0, 0, 3, 0)),
    (1, "sdfacc", "healthy", None, counts(10, 1, 0, 8, 6)),
    (1, "sdfacc", "degraded", ["slow answers"], counts(5, 0, 2, 4, 1)),
    (1, "provence_promotion", None, None, counts(7, 0, 0, 9, 9)),
]  # fmt: skip


def crawl_night(path: Path) -> date:
    """The UTC date on which the crawl that made the archive started."""
    with closing(sqlite3.connect(path)) as conn:
        started = conn.execute("select max(started) from crawl_runs").fetchone()[0]
    return datetime.fromisoformat(started).date()


def archive_with_nights(source: Path, copy: Path) -> Path:
    """A copy of `source` with the runs of EARLIER_RUNS on the nights before its crawl."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    night = crawl_night(copy)
    archive = Archive(copy)
    for days_before, source_id, health, reasons, counts in EARLIER_RUNS:
        moment = datetime.combine(night - timedelta(days=days_before), time(9), tzinfo=UTC)
        with time_machine.travel(moment, tick=False):
            run_id = archive.start_run(source_id)
            archive.finish_run(
                run_id,
                dict(
                    counts,
                    finish_reason="finished",
                    health=health,
                    health_reasons=json.dumps(reasons) if reasons else None,
                ),
            )
    # Datasette serves the file immutable, reading no WAL: everything goes into the file.
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    return copy


@pytest.fixture(scope="module")
def items(crawled_archive) -> list[dict]:
    with closing(sqlite3.connect(crawled_archive)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from items")]


@pytest.fixture(scope="module")
def nights_archive(crawled_archive, tmp_path_factory) -> Path:
    return archive_with_nights(crawled_archive, tmp_path_factory.mktemp("nights") / "partnews.db")


async def query(ds, name: str, **params) -> list[dict]:
    response = await ds.client.get(f"/partnews/{name}.json", params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


# The archive's charts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "language"), [("", ""), ("news", ""), ("event", ""), ("", "fr"), ("news", "en")]
)
async def test_items_per_month_counts_each_source_in_each_month(
    crawled_archive, items, kind, language
):
    expected = Counter(
        (item["published"][:7], item["source"])
        for item in items
        if item["published"]
        and (not kind or item["kind"] == kind)
        and (not language or item["language"] == language)
    )
    rows = await query(
        datasette_app(crawled_archive), "chart_items_per_month", kind=kind, language=language
    )
    per_source = {
        (r["month"], source): items
        for r in rows
        for source, items in json.loads(r["sources"]).items()
    }
    assert expected and per_source == expected, "the mirror has items of every filter tried"
    months = Counter()
    for (month, _), items in expected.items():
        months[month] += items
    assert [(r["month"], r["items"]) for r in rows] == sorted(months.items()), (
        "one row per month, oldest first, with its total"
    )


async def test_items_per_month_downloads_as_csv_with_the_same_rows(crawled_archive):
    ds = datasette_app(crawled_archive)
    as_json = await query(ds, "chart_items_per_month", kind="event", language="")
    response = await ds.client.get(
        "/partnews/chart_items_per_month.csv", params={"kind": "event", "language": "", "_dl": "1"}
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    as_csv = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["month"], int(r["items"]), json.loads(r["sources"])) for r in as_csv] == [
        (r["month"], r["items"], json.loads(r["sources"])) for r in as_json
    ]


async def test_sectors_per_year_counts_an_item_in_each_of_its_sectors(crawled_archive, items):
    expected = Counter(
        (int(item["published"][:4]), sector)
        for item in items
        if item["published"] and item["sectors"]
        for sector in json.loads(item["sectors"])
    )
    rows = await query(datasette_app(crawled_archive), "chart_sectors_per_year")
    assert expected and {(r["year"], r["sector"]): r["items"] for r in rows} == expected


def band(score: float | None) -> str:
    """The bands of the archive's documentation: high from 3, medium from 1 (the
    partnership-news threshold), low above 0, none at 0, unscored without a score."""
    if score is None:
        return "unscored"
    return "high" if score >= 3 else "medium" if score >= 1 else "low" if score > 0 else "none"


async def test_relevance_bands_count_each_year_by_band(crawled_archive, items):
    expected = Counter(
        (int(item["published"][:4]), band(item["relevance_score"]))
        for item in items
        if item["published"]
    )
    rows = await query(datasette_app(crawled_archive), "chart_relevance_bands")
    assert {(r["year"], r["relevance_band"]): r["items"] for r in rows} == expected
    assert {"high", "medium", "none"} <= {b for _, b in expected}, "several bands to show"
    order = list(charts.BAND_COLOURS)
    assert all(r["band_order"] == order.index(r["relevance_band"]) + 1 for r in rows)


async def test_story_timeline_has_every_copy_of_each_story_under_its_original(crawled_archive):
    with closing(sqlite3.connect(crawled_archive)) as conn:
        members = conn.execute(
            "select story_members.story_id, story_members.item_id, story_members.role, "
            "items.title, items.source, items.published from story_members "
            "join items on items.id = story_members.item_id"
        ).fetchall()
    assert 0 < len({m[0] for m in members}) <= 40, "the mirror's stories all fit the chart"
    originals = {story: title for story, _, role, title, _, _ in members if role == "original"}
    rows = await query(datasette_app(crawled_archive), "chart_story_timeline")
    assert {(r["story_id"], r["id"], r["role"], r["source"]) for r in rows} == {
        (story, item, role, source) for story, item, role, _, source, _ in members
    }
    assert all(r["story"] == originals[r["story_id"]] for r in rows)
    sizes = Counter(m[0] for m in members)
    assert all(r["members"] == sizes[r["story_id"]] for r in rows)
    firsts = [r["first_published"] for r in rows]
    assert firsts == sorted(firsts), "stories in the order they began"


# Crawl health ---------------------------------------------------------------------------


async def test_crawl_nights_gives_each_source_every_night_with_the_worst_verdict(
    nights_archive,
):
    night = crawl_night(nights_archive)
    day = {k: (night - timedelta(days=k)).isoformat() for k in range(4)}
    with closing(sqlite3.connect(nights_archive)) as conn:
        sources = {r[0] for r in conn.execute("select id from sources")}
        tonight = conn.execute("select source from crawl_runs where date(started) = ?", [day[0]])
        crawled_tonight = {r[0] for r in tonight}
    rows = await query(datasette_app(nights_archive), "crawl_nights")
    by_key = {(r["source"], r["night"]): r for r in rows}

    assert len(rows) == len(by_key) == len(sources) * 4, "every source, every night, once"
    assert sorted({r["night"] for r in rows}) == [day[3], day[2], day[1], day[0]]
    # The crawl that made the archive gives no verdict: unknown.
    assert {s for s in sources if by_key[(s, day[0])]["health"] == "unknown"} == crawled_tonight

    three = by_key[("sdfacc", day[3])]
    assert (three["health"], three["runs"]) == ("healthy", 1)
    assert (three["items_seen"], three["responses_304"]) == (30, 5)
    broken = by_key[("sdfacc", day[2])]
    assert broken["health"] == "broken"
    assert broken["health_reasons"] == "the feed answered 500 no listing page"
    # Two runs in one night: the counts add up, the worse verdict stands.
    twice = by_key[("sdfacc", day[1])]
    assert (twice["runs"], twice["health"]) == (2, "degraded")
    assert twice["health_reasons"] == "slow answers"
    assert (twice["items_seen"], twice["items_new"], twice["items_updated"]) == (15, 1, 2)
    assert (twice["requests"], twice["responses_304"]) == (12, 7)

    assert by_key[("provence_promotion", day[3])]["health"] == "degraded"
    assert by_key[("provence_promotion", day[2])]["health"] == "no run"
    assert by_key[("provence_promotion", day[2])]["items_seen"] is None
    assert by_key[("provence_promotion", day[1])]["health"] == "unknown"
    others = sources - {"sdfacc", "provence_promotion"}
    assert all(by_key[(s, day[k])]["health"] == "no run" for s in others for k in (1, 2, 3))


async def test_crawl_nights_shows_only_the_last_nights_asked_for(nights_archive):
    night = crawl_night(nights_archive)
    rows = await query(datasette_app(nights_archive), "crawl_nights", nights="2")
    assert {r["night"] for r in rows} == {night.isoformat(), (night - timedelta(1)).isoformat()}


async def test_crawl_nights_starts_at_the_first_run(crawled_archive):
    """An archive crawled once has one night, not sixty empty ones before it."""
    rows = await query(datasette_app(crawled_archive), "crawl_nights")
    assert {r["night"] for r in rows} == {crawl_night(crawled_archive).isoformat()}


# Specs and pages ------------------------------------------------------------------------


@pytest.mark.parametrize("chart", list(charts.CHARTS.values()), ids=lambda c: c.slug)
async def test_each_chart_reads_only_columns_its_query_returns(nights_archive, chart):
    response = await datasette_app(nights_archive).client.get(
        f"/partnews/{chart.query}.json", params={"_shape": "objects"}
    )
    assert response.status_code == 200
    columns = set(response.json()["columns"])
    assert chart.fields() and chart.fields() <= columns


def test_languages_come_from_the_sources_registry():
    assert charts.languages_of(["en", "en,fr,de", None, "fr, en", ""]) == ["de", "en", "fr"]


async def test_home_page_shows_the_archive_charts_with_their_data_links(crawled_archive):
    response = await datasette_app(crawled_archive).client.get("/")
    assert response.status_code == 200
    html = response.text
    for chart in charts.ARCHIVE_CHARTS:
        assert f'id="chart-{chart.slug}"' in html
        assert f'href="/partnews/{chart.query}.json?_shape=array"' in html
        assert f'href="/partnews/{chart.query}.csv?_dl=1"' in html
    assert 'href="/-/health"' in html and 'href="/-/charts"' in html
    # The language filter offers the languages the sources publish in.
    assert '<option value="fr">fr</option>' in html and '<option value="de">de</option>' in html


async def test_chart_pages_and_the_health_page(crawled_archive):
    ds = datasette_app(crawled_archive)
    page = await ds.client.get("/-/charts")
    assert page.status_code == 200
    assert all(f'id="chart-{c.slug}"' in page.text for c in charts.ARCHIVE_CHARTS)
    health = await ds.client.get("/-/health")
    assert health.status_code == 200
    assert all(f'id="chart-{c.slug}"' in health.text for c in charts.HEALTH_CHARTS)
    assert 'id="health-controls"' in health.text
    one = await ds.client.get("/-/charts/story-timeline")
    assert one.status_code == 200 and one.text.count("<figure") == 1
    assert (await ds.client.get("/-/charts/no-such-chart")).status_code == 404


async def test_the_chart_libraries_are_served_by_this_datasette(crawled_archive):
    ds = datasette_app(crawled_archive)
    html = (await ds.client.get("/-/health")).text
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        url = f"/-/partnews-static/vega/{name}"
        assert f'src="{url}"' in html
        response = await ds.client.get(url)
        assert response.status_code == 200 and len(response.content) > 10_000
        assert response.headers["content-type"].startswith(
            ("text/javascript", "application/javascript")
        )
    escape = await ds.client.get("/-/partnews-static/../datasette_plugin.py")
    assert escape.status_code == 404
