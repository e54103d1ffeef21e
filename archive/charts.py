"""Charts of the archive and of the crawl's health: what each one shows, and its pages.

Every chart is a canned query of datasette_metadata.json (so its JSON and CSV can be
downloaded and re-plotted) and a Vega-Lite specification without data. The page fetches
the query's JSON from this Datasette and renders the specification with the Vega,
Vega-Lite and Vega-Embed builds vendored in archive/static/vega and served by this
Datasette (`/-/partnews-static/vega/`): nothing is loaded from another host.

The pages are ``/-/charts`` (the archive's shape), ``/-/charts/<slug>`` (one chart) and
``/-/health`` (each source's crawl, night by night); the home page shows the archive's
charts too. archive/datasette_plugin.py registers the routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DATABASE = "partnews"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

# The nightly crawl's verdicts (crawl_runs.health), worst last; a run without one is
# "unknown", a night the source was not crawled "no run". Colours a person reads without
# a legend: green, amber, red, grey, and almost white for nothing.
HEALTH_COLOURS = {
    "healthy": "#2e8540",
    "degraded": "#f0ad00",
    "broken": "#c1272d",
    "unknown": "#9e9e9e",
    "no run": "#ececec",
}
# Charts whose width follows the page: they grow with it, their height is their own.
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}
# Relevance bands (archive.store.RELEVANCE_BANDS), strongest first; "unscored" is NULL.
BAND_COLOURS = {
    "high": "#08519c",
    "medium": "#4292c6",
    "low": "#9ecae1",
    "none": "#deebf7",
    "unscored": "#d9d9d9",
}


@dataclass(frozen=True)
class Filter:
    """A parameter of a chart's canned query, offered as a drop-down above the chart."""

    param: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label); the first is the default


@dataclass(frozen=True)
class Chart:
    """One chart: the canned query it plots and how (a Vega-Lite spec without data)."""

    slug: str
    title: str
    description: str
    query: str
    spec: dict[str, Any]
    filters: tuple[Filter, ...] = field(default=())
    wide: bool = False  # the whole width of a page of several charts
    # (column, key, value): a column holding a JSON object, unpacked in the page into one
    # row per key, so that a query can answer one row per month for many sources.
    unpack: tuple[str, str, str] | None = None

    def fields(self) -> set[str]:
        """The query columns the spec reads: every one must be in the query's result."""
        fields = _fields(self.spec)
        if self.unpack:
            column, key, value = self.unpack
            fields = (fields - {key, value}) | {column}
        return fields


def _fields(spec: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "field" and isinstance(value, str):
                found.add(value)
            elif key == "fold":
                found.update(value)
            else:
                found |= _fields(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= _fields(value)
    return found - _DERIVED


# Fields made by the specs' own transforms, not read from the query.
_DERIVED = {"measure", "count", "most"}


def _tooltip(*fields: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"field": name, "type": kind, "title": title} for name, kind, title in fields]


KIND_FILTER = Filter(
    "kind", "Kind", (("", "news and events"), ("news", "news"), ("event", "events"))
)

ITEMS_PER_MONTH = Chart(
    slug="items-per-month",
    title="Items per month, by source",
    description="How much each source published each month (items with a publication "
    "date; undated items are left out). Choose news or events, and a language.",
    query="chart_items_per_month",
    unpack=("sources", "source", "items"),
    spec={
        "mark": {"type": "bar", "tooltip": True},
        "width": "container",
        "autosize": FIT_WIDTH,
        "height": 260,
        "encoding": {
            "x": {
                "field": "month",
                "type": "temporal",
                "timeUnit": "utcyearmonth",
                "title": "Month published",
            },
            "y": {
                "field": "items",
                "type": "quantitative",
                "aggregate": "sum",
                "stack": "zero",
                "title": "Items",
            },
            "color": {"field": "source", "type": "nominal", "title": "Source"},
            "tooltip": _tooltip(
                ("month", "nominal", "Month"),
                ("source", "nominal", "Source"),
                ("items", "quantitative", "Items"),
            ),
        },
    },
    filters=(KIND_FILTER,),  # the language filter is added per archive: see language_filter
    wide=True,
)

SECTORS_PER_YEAR = Chart(
    slug="sectors-per-year",
    title="Items per sector, year by year",
    description="The sectors the relevance rules tag (crawler/relevance.toml): items per "
    "sector and year of publication. An item can be in several sectors.",
    query="chart_sectors_per_year",
    spec={
        "width": "container",
        "autosize": FIT_WIDTH,
        "height": {"step": 24},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year published"},
            "y": {"field": "sector", "type": "nominal", "title": None},
        },
        "layer": [
            {
                "mark": {"type": "rect", "tooltip": True},
                "encoding": {
                    "color": {
                        "field": "items",
                        "type": "quantitative",
                        "title": "Items",
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": _tooltip(
                        ("sector", "nominal", "Sector"),
                        ("year", "ordinal", "Year"),
                        ("items", "quantitative", "Items"),
                    ),
                },
            },
            {
                # The count on each cell, white on the darker half of the scale.
                "transform": [{"joinaggregate": [{"op": "max", "field": "items", "as": "most"}]}],
                "mark": {"type": "text", "fontSize": 10},
                "encoding": {
                    "text": {"field": "items", "type": "quantitative"},
                    "color": {
                        "condition": {"test": "datum.items > datum.most / 2", "value": "white"},
                        "value": "black",
                    },
                },
            },
        ],
    },
)

RELEVANCE_BANDS = Chart(
    slug="relevance-bands",
    title="Relevance to the partnership, year by year",
    description="Items per year by relevance band: high (score 3 or more), medium (1 or "
    "more, the partnership-news threshold), low, none; unscored items were never scored.",
    query="chart_relevance_bands",
    spec={
        "mark": {"type": "bar", "tooltip": True},
        "width": "container",
        "autosize": FIT_WIDTH,
        "height": 220,
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year published"},
            "y": {"field": "items", "type": "quantitative", "stack": "zero", "title": "Items"},
            "color": {
                "field": "relevance_band",
                "type": "nominal",
                "title": "Relevance",
                "scale": {"domain": list(BAND_COLOURS), "range": list(BAND_COLOURS.values())},
            },
            "order": {"field": "band_order", "type": "quantitative"},
            "tooltip": _tooltip(
                ("year", "ordinal", "Year"),
                ("relevance_band", "nominal", "Relevance"),
                ("items", "quantitative", "Items"),
            ),
        },
    },
)

STORY_TIMELINE = Chart(
    slug="story-timeline",
    title="Stories: a text and its reposts",
    description="The 40 stories most recently added to: one row per story (the "
    "original's title), one dot per copy at its publication date, coloured by source. "
    "A wave of reposts shows as dots bunched together.",
    query="chart_story_timeline",
    spec={
        "width": "container",
        "autosize": FIT_WIDTH,
        "height": {"step": 22},
        "encoding": {
            "y": {
                "field": "story",
                "type": "nominal",
                "title": None,
                "sort": {"field": "first_published"},
                "axis": {"labelLimit": 320},
            },
        },
        "layer": [
            {
                "mark": {"type": "rule", "color": "#999"},
                "encoding": {
                    "x": {
                        "field": "published",
                        "type": "temporal",
                        "aggregate": "min",
                        "title": "Published",
                        "axis": {"format": "%b %Y"},
                    },
                    "x2": {"field": "published", "aggregate": "max"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
                "encoding": {
                    "x": {"field": "published", "type": "temporal"},
                    "color": {"field": "source", "type": "nominal", "title": "Source"},
                    "shape": {"field": "role", "type": "nominal", "title": "Role"},
                    # "published" is parsed as a date for x, so the tooltip must show it
                    # as one (a nominal tooltip showed epoch milliseconds).
                    "tooltip": [
                        *_tooltip(("title", "nominal", "Title"), ("source", "nominal", "Source")),
                        {
                            "field": "published",
                            "type": "temporal",
                            "title": "Published",
                            "format": "%Y-%m-%d",
                        },
                        *_tooltip(
                            ("role", "nominal", "Role"),
                            ("similarity", "quantitative", "Similarity"),
                        ),
                    ],
                },
            },
        ],
    },
    wide=True,
)

NIGHTS_FILTER = Filter(
    "nights",
    "Nights",
    # No more: sources × nights must stay within Datasette's 1,000 rows.
    (("60", "last 60 nights"), ("30", "last 30 nights"), ("14", "last 14 nights")),
)

# Nights as "MM-DD", upright: sixty of them fit in a page's width.
NIGHT_AXIS = {"labelExpr": "substring(datum.value, 5)", "labelAngle": -90}

HEALTH_STRIP = Chart(
    slug="health-strip",
    title="Health, night by night",
    description="One square per source and night (UTC date of the run): green healthy, "
    "amber degraded, red broken (the nightly crawl's verdict; the worst of the night when "
    "a source ran twice), grey unknown. Hover a square for the reasons and the counts.",
    query="crawl_nights",
    spec={
        # Squares of one size whatever the number of nights: nights are ordinal, and the
        # query gives every night of the window (a night without a run is "no run").
        "mark": {"type": "rect", "tooltip": True, "stroke": "white", "strokeWidth": 1},
        "width": {"step": 14},
        "height": {"step": 18},
        "encoding": {
            "x": {
                "field": "night",
                "type": "ordinal",
                "title": "Night (UTC)",
                "axis": NIGHT_AXIS,
            },
            "y": {"field": "source", "type": "nominal", "title": None},
            "color": {
                "field": "health",
                "type": "nominal",
                "title": "Health",
                "scale": {"domain": list(HEALTH_COLOURS), "range": list(HEALTH_COLOURS.values())},
            },
            "tooltip": _tooltip(
                ("source", "nominal", "Source"),
                ("night", "nominal", "Night"),
                ("health", "nominal", "Health"),
                ("health_reasons", "nominal", "Why"),
                ("items_seen", "quantitative", "Items seen"),
                ("items_new", "quantitative", "New"),
                ("items_updated", "quantitative", "Updated"),
                ("requests", "quantitative", "Requests"),
                ("responses_304", "quantitative", "304 Not Modified"),
            ),
        },
    },
    filters=(NIGHTS_FILTER,),
)


def _per_source_lines(measures: list[tuple[str, str]], y_title: str) -> dict[str, Any]:
    """Small multiples: one row per source, one line per measure, night by night."""
    return {
        "transform": [
            {"fold": [name for name, _ in measures], "as": ["measure", "count"]},
            {
                "calculate": " : ".join(
                    f"datum.measure === '{name}' ? '{label}'" for name, label in measures
                )
                + " : datum.measure",
                "as": "measure",
            },
        ],
        "mark": {"type": "line", "point": True, "tooltip": True},
        # One column per night, as wide as the health strip's, so the nights line up.
        "width": {"step": 14},
        "height": 70,
        "encoding": {
            "x": {"field": "night", "type": "ordinal", "title": "Night (UTC)", "axis": NIGHT_AXIS},
            "y": {"field": "count", "type": "quantitative", "title": y_title},
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "sort": [label for _, label in measures],
            },
            "row": {
                "field": "source",
                "type": "nominal",
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left"},
            },
            "tooltip": [
                {"field": "source", "type": "nominal", "title": "Source"},
                {"field": "night", "type": "nominal", "title": "Night"},
                {"field": "measure", "type": "nominal", "title": "What"},
                {"field": "count", "type": "quantitative", "title": "How many"},
            ],
        },
        "resolve": {"scale": {"y": "independent"}},
    }


HEALTH_ITEMS = Chart(
    slug="health-items",
    title="Items seen, new and updated, night by night",
    description="What each source's nightly run found: items seen, items archived for the "
    "first time, and items whose content changed.",
    query="crawl_nights",
    spec=_per_source_lines(
        [("items_seen", "seen"), ("items_new", "new"), ("items_updated", "updated")], "Items"
    ),
    filters=(NIGHTS_FILTER,),
)

HEALTH_REQUESTS = Chart(
    slug="health-requests",
    title="Requests and 304 Not Modified, night by night",
    description="Requests each run sent, and how many the site answered 304 Not Modified "
    "(nothing changed since the last night, so nothing was downloaded again).",
    query="crawl_nights",
    spec=_per_source_lines([("requests", "requests"), ("responses_304", "304s")], "Requests"),
    filters=(NIGHTS_FILTER,),
)

ARCHIVE_CHARTS = (ITEMS_PER_MONTH, SECTORS_PER_YEAR, RELEVANCE_BANDS, STORY_TIMELINE)
HEALTH_CHARTS = (HEALTH_STRIP, HEALTH_ITEMS, HEALTH_REQUESTS)
CHARTS = {chart.slug: chart for chart in ARCHIVE_CHARTS + HEALTH_CHARTS}


def languages_of(source_languages: list[str | None]) -> list[str]:
    """Every language the sources publish in, from sources.languages ("en,fr,de").

    Read from the registry rather than from a DISTINCT over a million items, so that the
    filter costs nothing on a page view.
    """
    found = {code.strip() for value in source_languages for code in (value or "").split(",")}
    return sorted(code for code in found if code)


def language_filter(languages: list[str]) -> Filter:
    return Filter("language", "Language", (("", "all languages"), *((c, c) for c in languages)))


def page_chart(chart: Chart, languages: list[str]) -> dict[str, Any]:
    """What a template needs to draw one chart: its texts, query, filters and full spec."""
    filters = list(chart.filters)
    if chart is ITEMS_PER_MONTH:
        filters.append(language_filter(languages))
    return {
        "slug": chart.slug,
        "title": chart.title,
        "description": chart.description,
        "query": chart.query,
        "wide": chart.wide,
        "unpack": list(chart.unpack) if chart.unpack else None,
        "filters": [
            {"param": f.param, "label": f.label, "options": list(f.options)} for f in filters
        ],
        "spec": {"$schema": VEGA_LITE_SCHEMA, **chart.spec},
    }


async def _languages(datasette) -> list[str]:
    db = datasette.get_database(DATABASE)
    rows = (await db.execute("select languages from sources")).rows
    return languages_of([row["languages"] for row in rows])


async def archive_charts(datasette) -> list[dict[str, Any]]:
    """The archive's charts, ready for the home page and /-/charts."""
    languages = await _languages(datasette)
    return [page_chart(chart, languages) for chart in ARCHIVE_CHARTS]


async def _render(datasette, request, template: str, context: dict[str, Any]):
    from datasette.utils.asgi import Response

    # The instance's metadata, as Datasette's own pages have it (titles, licence, source).
    context = {"metadata": datasette.metadata(), **context}
    return Response.html(await datasette.render_template(template, context, request=request))


async def charts_page(datasette, request):
    """/-/charts: every chart of the archive's shape."""
    return await _render(
        datasette,
        request,
        "charts.html",
        {"page_title": "The archive at a glance", "charts": await archive_charts(datasette)},
    )


async def chart_page(datasette, request):
    """/-/charts/<slug>: one chart on a page of its own (health charts included)."""
    from datasette.utils.asgi import NotFound

    chart = CHARTS.get(request.url_vars["slug"])
    if chart is None:
        raise NotFound("No such chart")
    return await _render(
        datasette,
        request,
        "charts.html",
        {"page_title": chart.title, "charts": [page_chart(chart, await _languages(datasette))]},
    )


async def health_page(datasette, request):
    """/-/health: each source's nightly crawl, as a strip of verdicts and its counts."""
    languages = await _languages(datasette)
    return await _render(
        datasette,
        request,
        "health.html",
        {"charts": [page_chart(chart, languages) for chart in HEALTH_CHARTS]},
    )
