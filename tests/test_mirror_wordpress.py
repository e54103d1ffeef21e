"""The france-sandiego.org mirror answers like WordPress + The Events Calendar, over HTTP."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import feedparser
import icalendar
import pytest

from mirror import SITES_DIR

CONTENT = SITES_DIR / "www.france-sandiego.org"
BASE = "https://www.france-sandiego.org"


def front_matter(folder: str) -> list[dict]:
    """The content files' own metadata, read independently of the mirror's loader."""
    rows = []
    for path in sorted((CONTENT / folder).glob("*.html")):
        meta = tomllib.loads(path.read_text(encoding="utf-8").split("+++")[1])
        meta.setdefault("slug", path.stem)
        meta.setdefault("modified", meta["date"])
        rows.append(meta)
    return rows


POSTS = sorted(front_matter("posts"), key=lambda m: m["date"], reverse=True)
EVENTS = front_matter("events")


def jsonld_events(page: str) -> list[dict]:
    match = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S)
    return json.loads(match.group(1))


def test_the_content_is_as_large_as_the_brief_requires():
    years = {m["date"].year for m in POSTS}
    assert len(POSTS) >= 18 and min(years) == 2016 and max(years) == 2025
    assert len(EVENTS) >= 10


# -- core REST API ------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", [1, 7, 10, 24, 100])
def test_rest_totals_follow_per_page(fetch, per_page):
    response = fetch(f"/wp-json/wp/v2/posts?per_page={per_page}")
    expected_pages = -(-len(POSTS) // per_page)
    assert response.headers["x-wp-total"] == str(len(POSTS))
    assert response.headers["x-wp-totalpages"] == str(expected_pages)
    assert len(json.loads(response.body)) == min(per_page, len(POSTS))


def test_rest_last_page_holds_the_remainder_and_the_next_page_is_400(fetch):
    pages = -(-len(POSTS) // 10)
    last = fetch(f"/wp-json/wp/v2/posts?page={pages}")
    assert len(json.loads(last.body)) == len(POSTS) - 10 * (pages - 1)
    assert 'rel="next"' not in last.headers["link"]
    assert 'rel="prev"' in last.headers["link"]
    beyond = fetch(f"/wp-json/wp/v2/posts?page={pages + 1}")
    assert beyond.status == 400
    assert json.loads(beyond.body)["code"] == "rest_post_invalid_page_number"


def test_rest_first_page_links_to_the_second(fetch):
    link = fetch("/wp-json/wp/v2/posts?per_page=5").headers["link"]
    next_url = re.search(r'<([^>]+)>; rel="next"', link).group(1)
    assert next_url.startswith(BASE + "/wp-json/wp/v2/posts?")
    assert parse_qs(urlsplit(next_url).query) == {"per_page": ["5"], "page": ["2"]}


@pytest.mark.parametrize("per_page", ["0", "101", "ten"])
def test_rest_rejects_bad_per_page(fetch, per_page):
    response = fetch(f"/wp-json/wp/v2/posts?per_page={per_page}")
    assert response.status == 400
    assert json.loads(response.body)["code"] == "rest_invalid_param"


def test_rest_posts_are_newest_first_with_wordpress_fields(fetch):
    posts = json.loads(fetch("/wp-json/wp/v2/posts").body)
    assert [p["slug"] for p in posts] == [m["slug"] for m in POSTS[:10]]
    newest = posts[0]
    for key in ("id", "date", "date_gmt", "guid", "modified", "modified_gmt", "link", "title"):
        assert key in newest
    assert newest["guid"]["rendered"] == f"{BASE}/?p={newest['id']}"
    assert newest["link"] == f"{BASE}/{POSTS[0]['date']:%Y/%m/%d}/{POSTS[0]['slug']}/"
    assert newest["excerpt"]["protected"] is False


def test_rest_embed_inlines_author_terms_and_image(fetch):
    plain = json.loads(fetch("/wp-json/wp/v2/posts?slug=paca-region-sandiego").body)[0]
    assert "_embedded" not in plain
    post = json.loads(fetch("/wp-json/wp/v2/posts?slug=paca-region-sandiego&_embed=1").body)[0]
    embedded = post["_embedded"]
    # Front matter of posts/paca-region-sandiego.html: author sdfacc ("SDFACC"),
    # category south-alliance ("South Alliance"), tag marseille, an image.
    assert [a["name"] for a in embedded["author"]] == ["SDFACC"]
    categories, tags = embedded["wp:term"]
    assert [(t["slug"], t["name"]) for t in categories] == [("south-alliance", "South Alliance")]
    assert [t["slug"] for t in tags] == ["marseille"]
    assert [t["id"] for t in categories] == post["categories"]
    media = embedded["wp:featuredmedia"][0]
    assert media["id"] == post["featured_media"]
    assert media["source_url"] == f"{BASE}/wp-content/uploads/2017/06/mou-signing-city-hall.jpg"


def test_rest_dates_are_local_and_gmt(fetch):
    post = json.loads(fetch("/wp-json/wp/v2/posts?slug=paca-region-sandiego").body)[0]
    assert post["date"] == "2017-06-17T10:00:00"  # San Diego time
    assert post["date_gmt"] == "2017-06-17T17:00:00"  # PDT is UTC-7


def test_rest_modified_after_keeps_only_later_changes(fetch):
    limit = datetime(2025, 1, 1)
    response = fetch("/wp-json/wp/v2/posts?modified_after=2025-01-01T00:00:00&orderby=modified")
    expected = [m["slug"] for m in sorted(POSTS, key=lambda m: m["modified"], reverse=True)]
    expected = [s for s in expected if next(m for m in POSTS if m["slug"] == s)["modified"] > limit]
    assert [p["slug"] for p in json.loads(response.body)] == expected
    assert response.headers["x-wp-total"] == str(len(expected))
    assert expected  # the content has posts edited in 2025


def test_rest_after_with_an_offset_is_converted_to_site_time(fetch):
    # 2022-05-09T17:30:00Z is 10:30 in San Diego: the results post itself is not "after" it
    response = fetch("/wp-json/wp/v2/posts?after=2022-05-09T17:30:00Z&order=asc&per_page=100")
    slugs = [p["slug"] for p in json.loads(response.body)]
    cutoff = datetime(2022, 5, 9, 10, 30)
    assert slugs == [
        m["slug"] for m in sorted(POSTS, key=lambda m: m["date"]) if m["date"] > cutoff
    ]


def test_rest_title_keeps_wordpress_entities(fetch):
    post = json.loads(
        fetch("/wp-json/wp/v2/posts?slug=rd-and-export-region-suds-plan-for-2021").body
    )
    assert post[0]["title"]["rendered"] == "R&amp;D and Export: Région Sud&#8217;s Plan for 2021"


def test_rest_single_post_and_unknown_id(fetch):
    assert json.loads(fetch("/wp-json/wp/v2/posts/247").body)["slug"] == "paca-region-sandiego"
    missing = fetch("/wp-json/wp/v2/posts/999999")
    assert missing.status == 404
    assert json.loads(missing.body)["code"] == "rest_post_invalid_id"


def test_rest_index_lists_the_events_namespace(fetch):
    index = json.loads(fetch("/wp-json/").body)
    assert "tribe/events/v1" in index["namespaces"] and "wp/v2" in index["namespaces"]


# -- HTML ---------------------------------------------------------------------------------


def test_single_post_markup(fetch):
    page = fetch("/2017/06/17/paca-region-sandiego/").text
    assert '<html lang="en-US">' in page
    assert f'<link rel="canonical" href="{BASE}/2017/06/17/paca-region-sandiego/">' in page
    assert '<time class="entry-date published" datetime="2017-06-17T10:00:00-07:00">' in page
    assert '<time class="updated" datetime="2017-06-20T09:12:00-07:00">' in page
    assert '<h1 class="entry-title">San Diego and Provence-Alpes-Côte d’Azur Region' in page
    assert 'rel="category tag">South Alliance</a>' in page
    assert "Leave a Reply" in page


def test_listing_pages_hold_ten_teasers_and_404_past_the_end(fetch):
    pages = -(-len(POSTS) // 10)
    first = fetch("/").text
    titles = re.findall(r'<h2 class="entry-title"><a href="([^"]+)"', first)
    assert titles == [f"{BASE}/{m['date']:%Y/%m/%d}/{m['slug']}/" for m in POSTS[:10]]
    assert '&hellip; <a class="more-link"' in first  # teasers cut with …
    last = fetch(f"/page/{pages}/").text
    assert last.count('<h2 class="entry-title">') == len(POSTS) - 10 * (pages - 1)
    assert fetch(f"/page/{pages + 1}/").status == 404


def test_category_listing_and_feed(fetch):
    in_category = [m for m in POSTS if "success-stories" in m.get("categories", [])]
    listing = fetch("/category/success-stories/").text
    assert listing.count('<h2 class="entry-title">') == len(in_category)
    feed = feedparser.parse(fetch("/category/success-stories/feed/").body)
    assert [e.link for e in feed.entries][0].endswith(f"/{in_category[0]['slug']}/")


def test_missing_trailing_slash_redirects(fetch):
    response = fetch("/2017/06/17/paca-region-sandiego")
    assert response.status == 301
    assert response.headers["location"] == f"{BASE}/2017/06/17/paca-region-sandiego/"


def test_feed_lists_the_ten_newest_posts(fetch):
    response = fetch("/feed/")
    feed = feedparser.parse(response.body)
    assert not feed.bozo
    assert feed.feed.generator.startswith("https://wordpress.org/?v=6.")
    assert [e.link for e in feed.entries] == [
        f"{BASE}/{m['date']:%Y/%m/%d}/{m['slug']}/" for m in POSTS[:10]
    ]
    assert feed.entries[0].id == f"{BASE}/?p={POSTS[0]['id']}"
    assert feed.entries[0].published_parsed[:3] == POSTS[0]["date"].timetuple()[:3]


def test_landing_page_follows_the_seed_and_ends_with_the_empty_widget(fetch):
    page = fetch("/sfbs2019/").text
    assert "May 14th to 17th 2019" in page
    assert "Partnership between THE SOUTH Region and San Diego" in page
    assert "AVENCOD TAKES ROOT IN PROVENCE AND TURNS DISABILITIES INTO IT SOLUTIONS" in page
    article = page.split('<div class="entry-content">')[1].split("</article>")[0]
    words = re.sub(r"<[^>]+>", " ", article).split()
    assert " ".join(words).endswith("There are no upcoming events at this time.")


def test_sitemaps_and_robots(fetch):
    assert f"Sitemap: {BASE}/wp-sitemap.xml" in fetch("/robots.txt").text
    moved = fetch("/sitemap.xml")
    assert (moved.status, moved.headers["location"]) == (301, f"{BASE}/wp-sitemap.xml")
    index = fetch("/wp-sitemap.xml").text
    assert f"{BASE}/wp-sitemap-posts-tribe_events-1.xml" in index
    posts = fetch("/wp-sitemap-posts-post-1.xml").text
    assert posts.count("<loc>") == len(POSTS) == posts.count("<lastmod>")
    events = fetch("/wp-sitemap-posts-tribe_events-1.xml").text
    assert events.count("<loc>") == len(EVENTS)


# -- The Events Calendar ------------------------------------------------------------------


def upcoming_on(today: date) -> list[dict]:
    return sorted((e for e in EVENTS if e["end"].date() >= today), key=lambda e: e["start"])


def test_events_list_shows_upcoming_and_past_relative_to_today(fetch):
    today = date(2025, 6, 1)
    upcoming = fetch("/events/").text
    past = fetch("/events/list/?eventDisplay=past").text
    shown = re.findall(r'class="tribe-events-calendar-list__event-title-link[^"]*"', upcoming)
    assert len(shown) == len(upcoming_on(today))
    for event in EVENTS:
        link = f"{BASE}/event/{event['slug']}/"
        assert (link in upcoming) == (event["end"].date() >= today), event["slug"]
        assert (link in past) == (event["end"].date() < today), event["slug"]


def test_upcoming_flips_with_today(mirror_factory, fetch):
    summit = f"{BASE}/event/south-of-france-business-summit-2019/"
    in_2019 = mirror_factory(today=date(2019, 5, 1))
    assert summit in fetch("/events/", server=in_2019).text
    assert summit not in fetch("/events/").text  # the session mirror's today is 2025-06-01


def test_empty_state_when_today_is_after_every_event(mirror_factory, fetch):
    server = mirror_factory(today=date(2030, 1, 1))
    assert "There are no upcoming events at this time." in fetch("/events/", server=server).text
    api = json.loads(fetch("/wp-json/tribe/events/v1/events", server=server).body)
    assert (api["total"], api["events"]) == (0, [])


def test_event_page_jsonld(fetch):
    page = fetch("/event/south-of-france-business-summit-2019/").text
    [event] = jsonld_events(page)
    assert event["@type"] == "Event"
    assert event["name"] == "South of France Business Summit"
    assert event["startDate"] == "2019-05-14T08:00:00-07:00"
    assert event["endDate"] == "2019-05-17T18:00:00-07:00"
    assert event["location"]["address"]["addressLocality"] == "San Diego"
    assert event["offers"]["price"] == "150"
    assert "This event has passed." in page


def test_cancelled_event_status_and_title(fetch):
    [event] = jsonld_events(fetch("/event/cancelled-provence-wine-and-business-evening/").text)
    assert event["eventStatus"] == "https://schema.org/EventCancelled"
    assert event["name"].startswith("CANCELLED:")
    [postponed] = jsonld_events(fetch("/event/life-sciences-roundtable-with-eurobiomed/").text)
    assert postponed["eventStatus"] == "https://schema.org/EventPostponed"


def test_marseille_event_is_in_paris_time(fetch):
    [event] = jsonld_events(fetch("/event/san-diego-trade-mission-marseille-2025/").text)
    assert event["startDate"] == "2025-09-23T09:00:00+02:00"
    assert event["location"]["address"]["addressCountry"] == "France"


def test_ical_export_parses_with_timezones_and_all_day_dates(fetch):
    response = fetch("/events/?ical=1")
    calendar = icalendar.Calendar.from_ical(response.body)
    events = {str(e["URL"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(upcoming_on(date(2025, 6, 1)))
    picnic = events[f"{BASE}/event/bastille-day-family-picnic-2025/"]
    assert picnic.decoded("DTSTART") == date(2025, 7, 12)
    assert not isinstance(picnic.decoded("DTSTART"), datetime)
    assert picnic.decoded("DTEND") == date(2025, 7, 13)  # exclusive end, one day later
    marseille = events[f"{BASE}/event/san-diego-trade-mission-marseille-2025/"]
    assert marseille["DTSTART"].params["TZID"] == "Europe/Paris"
    assert marseille.decoded("DTSTART").utcoffset().total_seconds() == 2 * 3600
    tzids = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert tzids == {"America/Los_Angeles", "Europe/Paris"}
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Los_Angeles"


def test_single_event_ical(fetch):
    calendar = icalendar.Calendar.from_ical(fetch("/event/holiday-mixer-2024/?ical=1").body)
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2024, 12, 12, 18, 0)
    assert str(event["SUMMARY"]) == "Holiday Mixer 2024"


def test_tribe_rest_defaults_to_upcoming_and_pages(fetch):
    default = json.loads(fetch("/wp-json/tribe/events/v1/events").body)
    assert default["total"] == len(upcoming_on(date(2025, 6, 1)))
    assert "start_date=2025-06-01 00:00:00" in default["rest_url"]
    everything = fetch("/wp-json/tribe/events/v1/events?start_date=2000-01-01&per_page=4")
    data = json.loads(everything.body)
    assert data["total"] == len(EVENTS)
    assert data["total_pages"] == -(-len(EVENTS) // 4)
    assert "page=2" in data["next_rest_url"] and "previous_rest_url" not in data
    first = data["events"][0]
    earliest = min(EVENTS, key=lambda e: e["start"])
    assert first["slug"] == earliest["slug"]
    assert first["start_date"] == f"{earliest['start']:%Y-%m-%d %H:%M:%S}"
    assert first["venue"]["city"] and first["organizer"][0]["organizer"]


def test_tribe_rest_event_fields(fetch):
    event = json.loads(fetch("/wp-json/tribe/events/v1/events/751").body)  # the picnic
    assert event["all_day"] is True
    assert (event["start_date"], event["end_date"]) == (
        "2025-07-12 00:00:00",
        "2025-07-12 23:59:59",
    )
    assert event["timezone"] == "America/Los_Angeles" and event["timezone_abbr"] == "PDT"
    assert event["utc_start_date"] == "2025-07-12 07:00:00"
    assert event["cost"] == "$25" and event["cost_details"]["values"] == ["25"]
    assert event["website"].startswith("https://")
