"""The page-metadata ladder: each rung, each trap, and the real dated pages.

The hand-written pages are small and in our own words; each one holds the evidence of
one rung (or one trap) and nothing that another rung could answer from, so a test
fails when its rung stops working. The real-pages test runs the ladder and htmldate
over shared/realdata/dated-pages and compares them in the same run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.extract.page_metadata import PageMetadata, read_page_metadata
from tests.requirements import need_shared

PROSE = "".join(
    f"<p>Paragraph {n} of the story, a sentence long enough to be read as prose by anyone "
    f"and by every extractor, about a partnership between two regions.</p>"
    for n in range(1, 5)
)
SIDEBAR = (
    "<aside class='sidebar'><h2>More stories</h2><ul>"
    "<li><a href='/older'>An older story</a> <time datetime='2018-02-02'>2 Feb 2018</time></li>"
    "</ul></aside>"
)
COMMENTS = (
    "<section id='comments'><h2>2 comments</h2><ol>"
    "<li class='comment'><p>Well said.</p>"
    "<time datetime='2020-03-09T10:00'>9 March 2020</time></li>"
    "<li class='comment'><time datetime='2020-03-12T18:00'>12 March 2020</time><p>Agreed.</p></li>"
    "</ol></section>"
)


def page(
    head: str = "",
    above: str = "",
    below: str = "",
    after_article: str = "",
    h1: str = "Twin regions sign a pact",
    title: str = "Twin regions sign a pact | The Courier",
) -> str:
    """An article page: <head> extras, what sits above and below the headline, the body,
    then what follows the article (comments), and a sidebar with another story's date."""
    return (
        f"<html lang='en-US'><head><title>{title}</title>{head}</head><body>"
        "<header><a href='/' rel='home'>The Courier</a><nav><a href='/news'>News</a></nav></header>"
        f"<main><article>{above}<h1>{h1}</h1>{below}{PROSE}</article>{after_article}</main>"
        f"{SIDEBAR}<footer>The Courier</footer></body></html>"
    )


def jsonld(value: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


def read(html: str, url: str = "https://courier.example/news/pact", **kwargs) -> PageMetadata:
    return read_page_metadata(html, url, **kwargs)


# ---------------------------------------------------------------- rung a: declared
def test_an_event_page_is_dated_by_its_page_not_by_the_event():
    """An event's own page shows the event's dates (<time>, a line by the heading): they
    are not when the page was published, which its WebPage node declares."""
    head = jsonld(
        {
            "@graph": [
                {"@type": "WebPage", "datePublished": "2019-03-02T08:00:00+00:00"},
                {"@type": "Event", "name": "Trade mission", "startDate": "2019-05-07T09:00"},
            ]
        }
    )
    above = "<p>7 May 2019, 9:00</p><time datetime='2019-05-07T09:00'>May 7</time>"
    meta = read(page(head, above=above))
    assert (meta.published, meta.published_from) == ("2019-03-02T08:00:00+00:00", "jsonld")


def test_jsonld_article_date():
    head = jsonld(
        {"@type": "NewsArticle", "headline": "x", "datePublished": "2019-05-07T09:00:00+02:00"}
    )
    meta = read(page(head))
    assert (meta.published, meta.published_from) == ("2019-05-07T09:00:00+02:00", "jsonld")


def test_jsonld_article_in_a_graph_wins_over_its_webpage():
    head = jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "@id": "#page", "datePublished": "2019-01-01T00:00:00Z"},
                {"@type": "BlogPosting", "headline": "x", "datePublished": "2019-05-07"},
            ],
        }
    )
    assert (read(page(head)).published, read(page(head)).published_from) == ("2019-05-07", "jsonld")


def test_a_webpage_date_ranks_below_the_publication_meta():
    head = jsonld({"@type": "WebPage", "datePublished": "2019-01-01"})
    head += '<meta property="article:published_time" content="2019-05-07T08:00:00+00:00">'
    meta = read(page(head))
    assert (meta.published, meta.published_from) == ("2019-05-07T08:00:00+00:00", "meta")


def test_a_listed_article_in_jsonld_is_not_the_page():
    """A sidebar's ItemList of other articles, with their dates, dates nothing."""
    head = jsonld(
        {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "NewsArticle", "headline": "Other", "datePublished": "2017-07-07"}
            ],
        }
    )
    assert read(page(head)).published is None


@pytest.mark.parametrize(
    "tag",
    [
        '<meta property="article:published_time" content="2019-05-07T10:00:00-07:00">',
        '<meta name="parsely-pub-date" content="2019-05-07T10:00:00-07:00">',
        '<meta name="DC.date.issued" content="2019-05-07">',
        '<meta itemprop="datePublished" content="2019-05-07">',
        '<meta name="sailthru.date" content="2019-05-07 10:00:00">',
    ],
)
def test_publication_meta_tags(tag):
    meta = read(page(tag))
    assert meta.published_from == "meta"
    assert meta.published[:10] == "2019-05-07"


def test_time_marked_as_the_publication():
    below = (
        '<p class="byline">By A. Writer <time pubdate datetime="2019-05-07T10:00">7 May</time></p>'
    )
    meta = read(page(below=below))
    assert (meta.published, meta.published_from) == ("2019-05-07T10:00:00", "time")


def test_the_dateline_beside_the_headline_outranks_a_disagreeing_utc_stamp():
    """JSON-LD in UTC past midnight; the page shows the local day by its headline."""
    head = jsonld(
        {"@type": "NewsArticle", "headline": "x", "datePublished": "2023-11-09T05:30:00Z"}
    )
    meta = read(page(head, below="<div class='meta'>November 8, 2023 at 11:30 p.m.</div>"))
    assert (meta.published[:10], meta.published_from) == ("2023-11-08", "dateline")


def test_an_update_date_by_the_headline_does_not_replace_the_publication():
    head = jsonld({"@type": "NewsArticle", "headline": "x", "datePublished": "2023-11-08"})
    for below in (
        "<p class='meta'>Updated: November 20, 2023</p>",
        "<p class='meta'>Mis à jour le <time datetime='2023-11-20'>20/11/2023</time></p>",
        "<p><time class='updated' datetime='2023-11-20'>20 Nov 2023</time></p>",
    ):
        meta = read(page(head, below=below))
        assert (meta.published, meta.published_from) == ("2023-11-08", "jsonld"), below


# ---------------------------------------------------------------- rung b: dateline
def test_the_sources_dateline_is_parsed_with_its_languages():
    meta = read(page(), dateline="publié le 23 JUIL 2018 à 09:00", languages=["fr"])
    assert (meta.published, meta.published_from) == ("2018-07-23T09:00:00", "dateline")


def test_a_day_first_dateline_needs_the_sources_day_order():
    assert read(page(), dateline="05/06/2019", languages=["en"], day_first=True).published == (
        "2019-06-05"
    )


def test_a_visible_dateline_dates_the_page_without_a_selector():
    meta = read(page(below="<p class='byline'>By Ann Lee, March 1, 2020</p>"))
    assert (meta.published, meta.published_from) == ("2020-03-01", "dateline")


def test_a_date_kept_in_a_data_attribute_by_the_headline_is_the_dateline():
    """A script-driven theme keeps the shown date in an attribute (its text is a
    timeline graphic or "2 days ago"): read like a <time datetime>, while an update's
    attribute is not the publication's."""
    below = (
        "<div class='timeline'><span data-date='14. April 2021'></span>"
        "<i>2000</i><i>2010</i><i>2020</i></div>"
    )
    meta = read(page(below=below), languages=["de"])
    assert (meta.published, meta.published_from) == ("2021-04-14", "dateline")
    head = jsonld({"@type": "NewsArticle", "headline": "x", "datePublished": "2021-04-14"})
    below = "<span data-updated-date='2021-04-20'>3 days ago</span>"
    updated = read(page(head, below=below))
    assert (updated.published, updated.published_from) == ("2021-04-14", "jsonld")


@pytest.mark.parametrize(
    "lede,day",
    [
        ("(14. April 2021) Beide Regionen unterzeichnen", "2021-04-14"),
        ("SAN DIEGO, May 7, 2019 — The two regions signed", "2019-05-07"),
        ("Marseille, le 7 mai 2019 – Les deux régions ont signé", "2019-05-07"),
    ],
)
def test_a_lede_that_opens_with_a_dateline_dates_the_page(lede, day):
    """Agencies and press releases open the first paragraph with the day (after the
    place, or in brackets), however long that paragraph is."""
    below = f"<p>{lede} {'a long agreement on trade and research, ' * 20}.</p>"
    meta = read(page(below=below), languages=["de", "en", "fr"])
    assert (meta.published, meta.published_from) == (day, "dateline")


@pytest.mark.parametrize(
    "line,day",
    [
        ("<em>( Ancona, 9 Marzo 21 )</em>", "2021-03-09"),
        ("<em>Ancona, 9 marzo 2021</em>", "2021-03-09"),
        ("<p>9 Mar 21 · Ancona</p>", "2021-03-09"),
    ],
)
def test_a_dateline_with_a_place_or_a_two_digit_year(line, day):
    """A dateline that starts with its place, or writes a month's name with a two-digit
    year (as its numeric form "09.03.21" does)."""
    meta = read(page(below=line), languages=["it", "en"])
    assert (meta.published, meta.published_from) == (day, "dateline")


def test_a_time_after_a_written_day_is_not_a_two_digit_year():
    meta = read(page(below="<p>Doors open 9 March 20:30</p>"), languages=["en"])
    assert meta.published_from != "dateline"


def test_a_date_in_a_sentence_of_the_body_is_not_a_dateline():
    below = (
        "<p>The next meeting of both delegations will take place in Marseille on "
        "Wednesday 5 February 2020 at the town hall.</p>"
    )
    assert read(page(below=below)).published_from != "dateline"


# ---------------------------------------------------------------- rung c: htmldate
def test_htmldate_dates_a_page_with_no_declared_date():
    footer_line = "<p class='info'>Last reviewed 2019-05-07 by the editors.</p>"
    html = page().replace("</article>", footer_line + "</article>")
    meta = read(html)
    assert (meta.published, meta.published_from) == ("2019-05-07", "htmldate")


# ---------------------------------------------------------------- rung d: the URL
@pytest.mark.parametrize(
    "url,day",
    [
        ("https://courier.example/2019/05/07/pact/", "2019-05-07"),
        ("https://courier.example/news/pact-2004jun06-story", "2004-06-06"),
        ("https://courier.example/news/20190507/pact", "2019-05-07"),
    ],
)
def test_url_dates(url, day):
    meta = read(page(), url)
    assert (meta.published, meta.published_from) == (day, "url")


# ---------------------------------------------------------------- traps
def test_never_the_last_comment_or_a_sidebar_item():
    meta = read(page(below="<p class='byline'>March 1, 2020</p>", after_article=COMMENTS))
    assert meta.published == "2020-03-01"
    undated = read(page(after_article=COMMENTS))
    assert undated.published is None  # not 2020-03-09, 2020-03-12 or the sidebar's 2018


def test_never_a_date_after_the_capture():
    head = jsonld({"@type": "NewsArticle", "headline": "x", "datePublished": "2021-06-01"})
    captured = datetime(2021, 5, 1, 12, tzinfo=UTC)
    meta = read(page(head), "https://courier.example/2021/04/30/pact", captured=captured)
    assert (meta.published, meta.published_from) == ("2021-04-30", "url")
    assert read(page(head), captured=captured).published is None


def test_no_date_is_none_never_today():
    """htmldate falls back on nothing: no date on the page gives None, whatever the
    capture date."""
    for captured in (None, datetime(2020, 1, 1, tzinfo=UTC)):
        meta = read(page(), captured=captured)
        assert (meta.published, meta.published_from) == (None, None)


def test_no_date_from_a_month_the_text_mentions_or_the_copyright_year():
    """What htmldate's extensive search dated pages by, on the real pages with no known
    day: a month the text mentions, the copyright year as January 1 (HTMLDATE_EXTENSIVE)."""
    below = (
        "<p>The strategy both regions proposed in March 2020 was reviewed in the summer, "
        "said a letter from a member, dated 4 May 2018, read at the meeting.</p>"
    )
    footer = "<footer><p>© 2017 The Courier. All rights reserved.</p></footer></body>"
    html = page(below=below).replace("</body>", footer)
    assert "© 2017" in html
    meta = read(html, captured=datetime(2024, 1, 1, tzinfo=UTC))
    assert (meta.published, meta.published_from) == (None, None)


# ---------------------------------------------------------------- title, authors, language
def test_title_is_the_headline_the_declared_titles_confirm():
    head = '<meta property="og:title" content="Regions sign pact – SEO version | The Courier">'
    meta = read(page(head, h1="Twin regions sign a pact", title="Twin regions sign a pact"))
    assert (meta.title, meta.title_from) == ("Twin regions sign a pact", "heading")


def test_title_from_og_without_the_site_name_when_no_heading_repeats_it():
    head = (
        '<meta property="og:title" content="Regions sign a pact | The Courier">'
        '<meta property="og:site_name" content="The Courier">'
    )
    meta = read(page(head, h1="Breaking news"))
    assert (meta.title, meta.title_from) == ("Regions sign a pact", "og")


def test_without_a_heading_the_part_og_title_and_title_agree_on_is_the_title():
    """og:title adds a kicker, <title> the site and a section: the headline is the part
    both give; a shorter shared part (a topic) is not."""
    og = '<meta property="og:title" content="Built to last?: Harbour Crane Mark II">'
    html = page(og, h1="", title="Dockside | Previews: Harbour Crane Mark II")
    html = html.replace("<h1></h1>", "")
    assert (read(html).title, read(html).title_from) == ("Harbour Crane Mark II", "og")
    topic = '<meta property="og:title" content="San Diego: twin city signs a new pact">'
    html = page(topic, h1="", title="San Diego - Dockside").replace("<h1></h1>", "")
    assert read(html).title == "San Diego: twin city signs a new pact"


def test_title_tag_without_its_site_suffix():
    html = page(h1="").replace("<h1></h1>", "")
    assert (read(html).title, read(html).title_from) == ("Twin regions sign a pact", "title")


def test_a_logo_heading_is_not_the_headline():
    html = page().replace(
        "<a href='/' rel='home'>The Courier</a>", "<h1 class='site-title'>The Courier</h1>"
    )
    assert read(html).title == "Twin regions sign a pact"


def test_a_kicker_or_hidden_label_in_the_heading_is_not_the_title():
    """The visible heading holds the declared headline plus a kicker, a screen-reader
    label or a quoted catchphrase: the title is the part the JSON-LD or og:title
    declares."""
    declared = "Twin regions sign a pact"
    for h1 in (
        "<span class='visually-hidden'>Headline:</span> Twin regions sign a pact",
        "<b>Exclusive –</b> Twin regions sign a pact",
        'Twin regions sign a pact "A new chapter"',
        "Harbour deal: Twin regions sign a pact",
    ):
        head = jsonld({"@type": "NewsArticle", "headline": declared})
        meta = read(page(head, h1=h1, title="The Courier"))
        assert (meta.title, meta.title_from) == (declared, "heading"), h1


def test_a_kicker_left_out_leaves_no_separator_and_spacing_follows_the_declared_title():
    head = '<meta property="og:title" content="Harbour deal: Twin regions sign a pact">'
    h1 = "<span class='emphasis'>Harbour deal</span> <span class='hidden'>: </span>Twin regions"
    h1 += " sign a pact"
    assert read(page(head, h1=h1)).title == "Harbour deal: Twin regions sign a pact"
    alone = "<span class='kicker'>Harbour deal</span> : Twin regions sign a pact"
    assert read(page(h1=alone)).title == "Twin regions sign a pact"


def test_words_that_run_on_from_the_declared_title_are_the_headlines_own():
    """A shorter SEO headline is not a reason to cut a heading whose extra words run on
    without a separator ("… and says …"): only a kicker set off by punctuation goes."""
    head = jsonld({"@type": "NewsArticle", "headline": "Mayor signs the twin city pact"})
    h1 = "Mayor signs the twin city pact and says more will follow"
    assert read(page(head, h1=h1, title="Courier")).title == h1


def test_a_short_declared_title_does_not_cut_the_heading():
    """A declared title that is a minority of the heading's words (a section name, a
    short SEO title) is not taken for the headline inside it."""
    head = jsonld({"@type": "NewsArticle", "headline": "Regions"})
    title = "Regions of two continents sign a new pact"
    meta = read(page(head, h1="Regions of two continents sign a pact", title=title))
    assert meta.title == "Regions of two continents sign a pact"


def test_the_pages_one_h1_wins_over_a_differently_worded_og_title():
    """A page's single <h1> is its headline, even when og:title (written for sharing)
    and <title> (written for search) word it otherwise."""
    head = '<meta property="og:title" content="Why Marseille and San Diego work together">'
    title = "Two regions, one pact - The Courier"
    h1 = "Marseille and San Diego renew their partnership for ten years"
    meta = read(page(head, h1=h1, title=title))
    assert (meta.title, meta.title_from) == (h1, "heading")
    two = page(head, h1=h1, title=title).replace("<main>", "<main><h1>Latest news</h1>")
    assert read(two).title == "Why Marseille and San Diego work together"


def test_the_one_h1_outranks_a_section_h2_that_repeats_the_og_title():
    """A closing section ("Summary – <og:title>") repeats the sharing title better than
    the page's one <h1> does; the <h1> is still the headline."""
    head = '<meta property="og:title" content="Lease or buy? What pays off">'
    html = page(head, h1="Company cars: lease or finance?", title="Courier")
    html = html.replace("</article>", "<h2>Summary – Lease or buy? What pays off</h2></article>")
    assert read(html).title == "Company cars: lease or finance?"


def test_a_sidebar_wrapper_around_the_article_is_not_a_sidebar():
    """A layout container named for its sidebar ("sidebar-wrapper") holds the article
    beside the real sidebar: the headline in it counts, the sidebar's heading does not."""
    html = (
        "<html><head><title>Courier</title>"
        '<meta property="og:title" content="Lease or buy? What pays off"></head><body>'
        "<div class='sidebar-wrapper'><div class='article-wrapper'>"
        f"<h1>Company cars: lease or finance?</h1>{PROSE}</div>"
        "<div class='sidebar'><h1>Lease or buy? What pays off</h1></div></div></body></html>"
    )
    assert read(html).title == "Company cars: lease or finance?"


def test_a_sole_h1_sharing_only_short_words_with_the_declared_titles_is_a_label():
    head = '<meta property="og:title" content="Regions sign the pact of the year">'
    meta = read(page(head, h1="All the news of the day", title="Courier"))
    assert (meta.title, meta.title_from) == ("Regions sign the pact of the year", "og")


def test_on_a_page_without_h1_its_one_h2_is_the_headline():
    head = '<meta property="og:title" content="A reader reviews the ferry | Reviews">'
    html = page(head, h1="The ferry was on time", title="Reviews").replace("h1>", "h2>")
    assert (read(html).title, read(html).title_from) == ("The ferry was on time", "heading")
    with_h1 = html.replace("<footer>", "<footer><h1>Contact</h1>")
    assert read(with_h1).title == "A reader reviews the ferry | Reviews"


def test_a_heading_linking_home_is_the_site_name_and_leaves_the_title():
    """A wiki-style theme prints its name as an <h1> linking to "/", and <title> is
    "Page - Site name": the title is the page's part."""
    logo = "<h1><a href='/'><span>Salsa Wiki - Dance in Lyon</span></a></h1>"
    html = (
        "<html><head><title>Cross body lead - Salsa Wiki - Dance in Lyon</title></head>"
        f"<body><div id='header'>{logo}</div><div id='content'><h2>Figures</h2>"
        f"<h2>Cross</h2>{PROSE}</div></body></html>"
    )
    meta = read(html, "https://salsa.example/cross-body-lead")
    assert (meta.title, meta.title_from) == ("Cross body lead", "title")


def test_a_date_before_the_headline_words_is_not_the_title():
    for h1 in ("07.05.2019 - Twin regions sign a pact", "Twin regions sign a pact | 2019-05-07"):
        assert read(page(h1=h1, title="The Courier")).title == "Twin regions sign a pact", h1


@pytest.mark.parametrize("cls", ["h1small", "small", "article__roofline"])
def test_a_small_or_roofline_part_of_the_heading_is_its_kicker(cls):
    h1 = f"<span class='{cls}'>Energy savings</span> Free checks for every household"
    assert read(page(h1=h1, title="Courier")).title == "Free checks for every household"


@pytest.mark.parametrize(
    "marked",
    [
        "<div class='news-headline'>Twin regions sign a pact</div>",
        "<p class='entry-title'>Twin regions sign a pact</p>",
        "<span itemprop='headline'>Twin regions sign a pact</span>",
    ],
)
def test_without_h1_or_h2_the_element_marked_as_headline_is_the_title(marked):
    html = page(title="Courier | News").replace("<h1>Twin regions sign a pact</h1>", marked)
    html = html.replace("<main>", "<main><div class='subheadline'>Trade and research</div>")
    assert (read(html).title, read(html).title_from) == ("Twin regions sign a pact", "heading")


def test_authors_and_language():
    head = jsonld(
        {
            "@type": "NewsArticle",
            "headline": "x",
            "author": [{"@type": "Person", "name": "Ann Lee"}, {"name": "Bo Chen"}],
        }
    )
    meta = read(page(head))
    assert meta.authors == ("Ann Lee", "Bo Chen")
    assert meta.language == "en"
    assert read(page('<meta name="author" content="Cy Dee">')).authors == ("Cy Dee",)


# ---------------------------------------------------------------- the real dated pages
def _dated_pages():
    folder = need_shared("realdata/dated-pages/truth.jsonl").parent
    from bench.bench_page_metadata import load_pages

    return [p for p in load_pages(folder) if p.date]


def test_real_dated_pages_beat_htmldate():
    """The exact day on the real pages, against htmldate at its best configuration on
    the same pages, each page parsed once for both."""
    from htmldate import find_date

    from partnews.text import parse_html_document

    pages = _dated_pages()
    ours = htmldate = 0
    for p in pages:
        tree = parse_html_document(p.html)
        theirs = find_date(tree, original_date=True, url=p.url)  # copies the tree
        mine = read_page_metadata(tree, p.url)
        ours += (mine.published or "")[:10] == p.date
        htmldate += theirs == p.date
    assert ours >= htmldate
    # The goal: 356/371 (96.0 %) with htmldate's extensive search, 353/371 (95.1 %)
    # without it (HTMLDATE_EXTENSIVE); the misses are pages whose true day is shown nowhere
    # on the page, contradicts all of its own dates, or is a bare line htmldate's element
    # search does not reach (docs/benchmarks.md).
    assert ours / len(pages) >= 0.95


def test_real_titled_pages_beat_trafilatura():
    """The exact title (whitespace and case folded) on the real titled pages, against
    trafilatura's extract_metadata on the same pages."""
    from trafilatura.metadata import extract_metadata

    from bench.bench_page_metadata import fold, load_pages
    from partnews.text import parse_html_document

    folder = need_shared("realdata/dated-pages/truth.jsonl").parent
    pages = [p for p in load_pages(folder) if p.title]
    ours = theirs = 0
    for p in pages:
        mine = read_page_metadata(p.html, p.url, use_htmldate=False)
        found = extract_metadata(parse_html_document(p.html), default_url=p.url)
        ours += fold(mine.title) == fold(p.title)
        theirs += fold(found.title) == fold(p.title)
    assert ours > theirs
    assert ours / len(pages) >= 0.90  # the goal (181/200 measured)


# ---------------------------------------------------------------- walking by the headline
def test_the_walk_by_the_headline_follows_document_order():
    """The elements after and before an element, as the dateline reader walks them from
    it, are those of the whole page's document order (comments and processing
    instructions left out), nearest first, on a page of nested sections and on real
    pages."""
    from itertools import islice

    from crawler.extract.page_metadata import _following, _preceding
    from partnews.text import parse_html_document

    nested = (
        "<html><head><title>T</title><!-- c --></head><body><div id=a><p>1<!-- x --><b>2</b>"
        "</p><section><h1>H</h1><div><span>3</span><?pi x?></div></section><p>4</p></div>"
        "<footer><p>5</p></footer></body></html>"
    )
    trees = [parse_html_document(nested)]
    trees += [parse_html_document(p.html) for p in _dated_pages()[:5]]
    checked = 0
    for tree in trees:
        order = [e for e in tree.iter() if isinstance(e.tag, str)]
        for el in order[:: max(1, len(order) // 150)][:150]:
            at = order.index(el)
            assert list(islice(_following(el), 80)) == order[at + 1 : at + 81]
            assert list(islice(_preceding(el), 15)) == order[max(0, at - 15) : at][::-1]
            checked += 1
    assert checked > 300
