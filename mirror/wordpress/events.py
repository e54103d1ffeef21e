"""The Events Calendar (TEC 6): its list views, single event pages, iCal exports and REST.

/events/ (upcoming) and /events/list/?eventDisplay=past with their pagers, /event/<slug>/
with schema.org Event JSON-LD, `?ical=1` on any of them (CRLF lines, VTIMEZONE blocks),
and the tribe/events/v1 REST namespace with X-TEC-Total headers. Off for a site whose
site.toml says `tribe_events = false`.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from mirror.site import MirrorResponse
from mirror.wordpress.content import Entry
from mirror.wordpress.rest import RestApi
from mirror.wordpress.text import date_details, gmt, local, parse_when, strip_tags

ICS_TYPE = "text/calendar; charset=UTF-8"
NO_EVENTS = "There are no upcoming events at this time."
SCHEMA_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
}


def ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def tz_transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """(UTC instant, offset before, offset after) of each DST change in `year`."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        nxt = moment + timedelta(days=1)
        offset = nxt.astimezone(zone).utcoffset()
        if offset != previous:
            hour = moment
            while hour.astimezone(zone).utcoffset() == previous:
                hour += timedelta(hours=1)
            found.append((hour, previous, offset))
            previous = offset
        moment = nxt
    return found


def ics_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


class EventsCalendar(RestApi):
    """The Events Calendar's pages, exports and REST namespace."""

    def tribe_rest(self, route: str, query: dict[str, list[str]]) -> MirrorResponse | None:
        """A tribe/events/v1 route, or None when the route is not TEC's."""
        first = {k: v[0] for k, v in query.items() if v}
        route = route.rstrip("/") or "/"
        if route == "/tribe/events/v1/events":
            return self.tribe_events(first)
        if match := re.fullmatch(r"/tribe/events/v1/events/(\d+)", route):
            event = next((e for e in self.content.events if e.id == int(match[1])), None)
            if event is None:
                return self.rest_error("event-not-found", "The requested event was not found", 404)
            return self.rest_response(self.event_json(event), last_modified=self.newest([event]))
        return None

    def events_route(self, path: str, params: dict[str, str]) -> MirrorResponse | None:
        ical = params.get("ical") == "1"
        if match := re.fullmatch(r"/event/([^/]+)/", path):
            event = next((e for e in self.content.events if e.slug == match[1]), None)
            if event is None:
                return None
            return self.ical([event]) if ical else self.event_page(event)
        if match := re.fullmatch(r"/events/(?:list/)?(?:page/(\d+)/)?", path):
            past = params.get("eventDisplay") == "past"
            events = self.past_events() if past else self.upcoming_events()
            if ical:
                return self.ical(events)
            return self.events_list(events, past, int(match[1] or 1))
        return None

    def events_list(self, events: list[Entry], past: bool, page: int):
        total_pages = max(1, -(-len(events) // self.events_per_page))
        if page > total_pages:
            return None
        shown = events[(page - 1) * self.events_per_page : page * self.events_per_page]
        if not past:
            shown.sort(key=lambda e: (e.start, e.id))
        months: list[tuple[str, list[Entry]]] = []
        for event in shown:
            label = f"{event.start:%B %Y}"
            if not months or months[-1][0] != label:
                months.append((label, []))
            months[-1][1].append(event)
        query = "?eventDisplay=past" if past else ""
        return self.html_response(
            "events_list.html",
            last_modified=self.newest(shown) or self.newest(self.content.events),
            doc_title="Past Events" if past else "Events",
            canonical=f"{self.base}/events/list/{query}" if past else f"{self.base}/events/",
            months=months,
            events=shown,
            past=past,
            page=page,
            total_pages=total_pages,
            jsonld=self.jsonld(shown) if shown else "",
            no_events=NO_EVENTS,
            event_meta=self.event_meta,
        )

    def event_page(self, event: Entry) -> MirrorResponse:
        return self.html_response(
            "event.html",
            last_modified=self.aware(event.modified),
            doc_title=self.title(event),
            canonical=self.permalink(event),
            post=event,
            shortlink=f"{self.base}/?p={event.id}",
            meta=self.event_meta(event),
            jsonld=self.jsonld([event]),
            is_past=event.end.date() < self.config.today,
        )

    def event_meta(self, event: Entry) -> dict:
        """What the templates show of an event: dates in TEC's words, venue, organizers."""
        start, end = self.event_bounds(event)
        if event.all_day:
            schedule = f"{start:%B} {start.day}, {start.year}"
            if end.date() != start.date():
                schedule += f" - {end:%B} {end.day}, {end.year}"
        else:
            schedule = f"{start:%B} {start.day}, {start.year} @ {self.clock(start)}"
            if end.date() == start.date():
                schedule += f" - {self.clock(end)}"
            else:
                schedule += f" - {end:%B} {end.day}, {end.year} @ {self.clock(end)}"
        return {
            "schedule": schedule,
            "start": start,
            "end": end,
            "start_iso": local(start, self.event_zone(event)).isoformat(),
            "tz_abbr": local(start, self.event_zone(event)).tzname(),
            "venue": self.content.venues.get(event.venue),
            "organizers": [self.content.organizers[o] for o in event.organizers],
            "categories": self.terms(event, "tribe_events_cat"),
            "status_label": {"cancelled": "Canceled", "postponed": "Postponed"}.get(event.status),
            "excerpt": self.excerpt_text(event),
        }

    @staticmethod
    def clock(moment: datetime) -> str:
        return f"{moment.hour % 12 or 12}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"

    def jsonld(self, events: list[Entry]) -> str:
        """TEC's <script type="application/ld+json"> payload: a list of schema.org Events."""
        items = []
        for event in events:
            zone = self.event_zone(event)
            start, end = self.event_bounds(event)
            item = {
                "@context": "http://schema.org",
                "@type": "Event",
                "name": self.title(event),
                # TEC escapes the excerpt's HTML and appends a literal backslash-n
                "description": html.escape(f"<p>{self.excerpt_text(event)}</p>") + "\\n",
            }
            if event.image:
                item["image"] = self.image_url(event)
            item.update(
                {
                    "url": self.permalink(event),
                    "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                    "eventStatus": SCHEMA_STATUS[event.status],
                    "startDate": local(start, zone).isoformat(),
                    "endDate": local(end, zone).isoformat(),
                }
            )
            venue = self.content.venues.get(event.venue)
            if venue:
                item["location"] = {
                    "@type": "Place",
                    "name": venue["name"],
                    "description": "",
                    "url": f"{self.base}/venue/{venue['slug']}/",
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": venue.get("address", ""),
                        "addressLocality": venue.get("city", ""),
                        "addressRegion": venue.get("state", venue.get("province", "")),
                        "postalCode": venue.get("zip", ""),
                        "addressCountry": venue.get("country", ""),
                    },
                    "telephone": venue.get("phone", ""),
                    "sameAs": venue.get("website", ""),
                }
            if event.organizers:
                org = self.content.organizers[event.organizers[0]]
                item["organizer"] = {
                    "@type": org.get("type", "Person"),
                    "name": org["name"],
                    "description": "",
                    "url": org.get("website", ""),
                    "telephone": org.get("phone", ""),
                    "email": org.get("email", ""),
                    "sameAs": org.get("website", ""),
                }
            if event.cost:
                price = re.sub(r"[^\d.]", "", event.cost) or "0"
                item["offers"] = {
                    "@type": "Offer",
                    "price": price,
                    "priceCurrency": "EUR" if "€" in event.cost else "USD",
                    "url": event.website or self.permalink(event),
                    "category": "primary",
                    "availability": "inStock",
                    "validFrom": local(event.date, self.zone).isoformat(),
                }
            item["performer"] = "Organization"
            items.append(item)
        return json.dumps(items, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")

    def ical(self, events: list[Entry]) -> MirrorResponse:
        """The iCal export as TEC 6 writes it: CRLF lines, VTIMEZONE blocks, one VEVENT each."""
        s = self.content.settings
        name = s["name"]
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:-//{name} - ECPv{s.get('tec_version', '6.5.1')}//NONSGML v1.0//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{name}",
            f"X-ORIGINAL-URL:{self.base}",
            f"X-WR-CALDESC:Events for {name}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-Robots-Tag:noindex",
            "X-PUBLISHED-TTL:PT1H",
            f"X-WR-TIMEZONE:{s['timezone']}",
        ]
        zones = sorted({e.timezone or s["timezone"] for e in events})
        for zone_name in zones:
            zone = ZoneInfo(zone_name)
            years = [
                y
                for e in events
                if (e.timezone or s["timezone"]) == zone_name
                for y in (e.start.year, e.end.year)
            ]
            lines += ["BEGIN:VTIMEZONE", f"TZID:{zone_name}"]
            for year in range(min(years), max(years) + 1):
                for instant, before, after in tz_transitions(zone, year):
                    kind = "DAYLIGHT" if after > before else "STANDARD"
                    lines += [
                        f"BEGIN:{kind}",
                        f"TZOFFSETFROM:{ics_offset(before)}",
                        f"TZOFFSETTO:{ics_offset(after)}",
                        f"TZNAME:{(instant + timedelta(hours=1)).astimezone(zone).tzname()}",
                        # TEC writes the UTC instant of the change, without a Z
                        f"DTSTART:{instant:%Y%m%dT%H%M%S}",
                        f"END:{kind}",
                    ]
            lines.append("END:VTIMEZONE")
        stamp = max((e.modified for e in events), default=datetime(2016, 1, 1))
        for event in events:
            zone = self.event_zone(event)
            start, end = self.event_bounds(event)
            if event.all_day:
                dates = [
                    f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{end.date() + timedelta(days=1):%Y%m%d}",
                ]
            else:
                dates = [
                    f"DTSTART;TZID={zone.key}:{start:%Y%m%dT%H%M%S}",
                    f"DTEND;TZID={zone.key}:{end:%Y%m%dT%H%M%S}",
                ]
            start_ts = int(local(start, zone).timestamp())
            end_ts = int(local(end, zone).timestamp())
            lines += [
                "BEGIN:VEVENT",
                *dates,
                f"DTSTAMP:{stamp:%Y%m%dT%H%M%S}",
                f"CREATED:{gmt(event.date, self.zone):%Y%m%dT%H%M%SZ}",
                f"LAST-MODIFIED:{gmt(event.modified, self.zone):%Y%m%dT%H%M%SZ}",
                f"UID:{event.id}-{start_ts}-{end_ts}@{self.real_host}",
                f"SUMMARY:{ics_escape(html.unescape(self.title(event)))}",
                "DESCRIPTION:" + ics_escape(self.ics_text(event.content)),
                f"URL:{self.permalink(event)}",
            ]
            venue = self.content.venues.get(event.venue)
            if venue:
                parts = [venue["name"], venue.get("address", ""), venue.get("city", "")]
                parts += [venue.get("state", ""), venue.get("zip", ""), venue.get("country", "")]
                lines.append("LOCATION:" + "\\, ".join(ics_escape(p) for p in parts if p))
            if event.image:
                lines.append(f"ATTACH;FMTTYPE=image/jpeg:{self.image_url(event)}")
            categories = [t["name"] for t in self.terms(event, "tribe_events_cat")]
            if categories:
                lines.append("CATEGORIES:" + ",".join(ics_escape(c) for c in categories))
            for slug in event.organizers:
                org = self.content.organizers[slug]
                cn = org["name"].replace(",", "%2C")
                lines.append(f'ORGANIZER;CN="{cn}":MAILTO:{org.get("email", "")}')
            lines.append("END:VEVENT")
        lines.append("END:VCALENDAR")
        body = "\r\n".join(lines) + "\r\n"
        filename = re.sub(r"[^a-z0-9]+", "-", self.real_host.lower()).strip("-")
        return MirrorResponse(
            body=body.encode("utf-8"),
            content_type=ICS_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'},
            last_modified=self.newest(events),
        )

    @staticmethod
    def ics_text(markup: str) -> str:
        """The description as TEC exports it: tags stripped, one line per paragraph."""
        paragraphs = re.split(r"</p>\s*", markup)
        texts = [" ".join(strip_tags(p).split()) for p in paragraphs]
        return "\n".join(t for t in texts if t)

    def tribe_events(self, params: dict[str, str]) -> MirrorResponse:
        """GET /tribe/events/v1/events: upcoming by default, like TEC (start_date = today)."""
        for name, high in (("page", None), ("per_page", 50)):
            raw = params.get(name)
            valid = raw is None or (raw.isdigit() and 1 <= int(raw) <= (high or int(raw)))
            if not valid:
                return self.invalid_param(name, f"Invalid parameter(s): {name}")
        page = int(params.get("page", 1))
        per_page = int(params.get("per_page", 10))
        today = self.config.today
        start = parse_when(params["start_date"]) if "start_date" in params else None
        end = parse_when(params["end_date"]) if "end_date" in params else None
        if "start_date" in params and start is None:
            return self.invalid_param("start_date", "Invalid parameter(s): start_date")
        if "end_date" in params and end is None:
            return self.invalid_param("end_date", "Invalid parameter(s): end_date")
        start = start or datetime.combine(today, time(0, 0))
        if end is None:
            default_end = today.replace(year=today.year + 2) + timedelta(days=1)
            end = datetime.combine(default_end, time(23, 59, 59))
        elif len(params["end_date"].strip()) == 10:
            end = datetime.combine(end.date(), time(23, 59, 59))
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        events = [
            e
            for e in self.content.events
            if self.event_bounds(e)[1] >= start and self.event_bounds(e)[0] <= end
        ]
        total = len(events)
        total_pages = -(-total // per_page)
        if total and page > total_pages:
            return self.rest_error(
                "event-archive-page-not-found",
                "The requested event archive page does not exist",
                404,
            )
        shown = events[(page - 1) * per_page : page * per_page]
        fixed = {
            "per_page": per_page,
            "start_date": f"{start:%Y-%m-%d %H:%M:%S}",
            "end_date": f"{end:%Y-%m-%d %H:%M:%S}",
            "status": "publish",
        }
        api = f"{self.base}/wp-json/tribe/events/v1/events/"
        data: dict = {
            "events": [self.event_json(e) for e in shown],
            "rest_url": f"{api}?page={page}&per_page={per_page}&start_date={fixed['start_date']}"
            f"&end_date={fixed['end_date']}&status=publish",
        }
        if page < total_pages:
            data["next_rest_url"] = api + "?" + urlencode({**fixed, "page": page + 1})
        if page > 1:
            data["previous_rest_url"] = api + "?" + urlencode({**fixed, "page": page - 1})
        data["total"] = total
        data["total_pages"] = total_pages
        headers = {"X-TEC-Total": str(total), "X-TEC-TotalPages": str(total_pages)}
        return self.rest_response(data, headers=headers, last_modified=self.newest(shown))

    def event_json(self, event: Entry) -> dict:
        """One event as TEC's REST API v1 returns it."""
        zone = self.event_zone(event)
        start, end = self.event_bounds(event)
        utc_start = local(start, zone).astimezone(UTC).replace(tzinfo=None)
        utc_end = local(end, zone).astimezone(UTC).replace(tzinfo=None)
        host_id = lambda i: f"{self.real_host}?id={i}"  # noqa: E731
        author = str(self.content.authors.get(event.author, {"id": 1})["id"])

        def stamp(moment: datetime) -> str:
            return f"{moment:%Y-%m-%d %H:%M:%S}"

        data = {
            "id": event.id,
            "global_id": host_id(event.id),
            "global_id_lineage": [host_id(event.id)],
            "author": author,
            "status": "publish",
            "date": stamp(event.date),
            "date_utc": stamp(gmt(event.date, self.zone)),
            "modified": stamp(event.modified),
            "modified_utc": stamp(gmt(event.modified, self.zone)),
            "url": self.permalink(event),
            "rest_url": f"{self.base}/wp-json/tribe/events/v1/events/{event.id}",
            "title": self.title(event),
            "description": self.rendered_content(event).strip(),
            "excerpt": f"<p>{self.excerpt_text(event)}</p>\n" if event.excerpt else "",
            "slug": event.slug,
            "image": self.image_json(event),
            "all_day": event.all_day,
            "start_date": stamp(start),
            "start_date_details": date_details(start),
            "end_date": stamp(end),
            "end_date_details": date_details(end),
            "utc_start_date": stamp(utc_start),
            "utc_start_date_details": date_details(utc_start),
            "utc_end_date": stamp(utc_end),
            "utc_end_date_details": date_details(utc_end),
            "timezone": zone.key,
            "timezone_abbr": local(start, zone).tzname(),
            "cost": event.cost,
            "cost_details": self.cost_details(event.cost),
            "website": event.website,
            "show_map": True,
            "show_map_link": True,
            "hide_from_listings": False,
            "sticky": False,
            "featured": False,
            "categories": [self.tribe_term(t) for t in self.terms(event, "tribe_events_cat")],
            "tags": [],
            "venue": self.venue_json(event.venue) if event.venue else [],
            "organizer": [self.organizer_json(o) for o in event.organizers],
        }
        return data

    def image_json(self, event: Entry):
        if not event.image:
            return False
        return {
            "url": self.image_url(event),
            "id": event.id + 1,
            "extension": event.image.rsplit(".", 1)[-1],
            "width": 1200,
            "height": 800,
            "filesize": 182734,
            "sizes": {},
        }

    @staticmethod
    def cost_details(cost: str) -> dict:
        if not cost:
            return {"currency_symbol": "", "currency_position": "prefix", "values": []}
        symbol = "€" if "€" in cost else "$"
        values = re.findall(r"\d+(?:\.\d+)?", cost) or ["0"]
        return {
            "currency_symbol": symbol,
            "currency_code": "EUR" if symbol == "€" else "USD",
            "currency_position": "prefix",
            "values": values,
        }

    def tribe_term(self, term: dict) -> dict:
        count = sum(1 for e in self.content.events if term["slug"] in e.categories)
        api = f"{self.base}/wp-json/tribe/events/v1/categories"
        return {
            "name": term["name"],
            "slug": term["slug"],
            "term_group": 0,
            "term_taxonomy_id": term["id"],
            "taxonomy": "tribe_events_cat",
            "description": "",
            "parent": 0,
            "count": count,
            "filter": "raw",
            "id": term["id"],
            "urls": {"self": f"{api}/{term['id']}", "collection": api},
        }

    def linked_post(self, row: dict, kind: str) -> dict:
        when = row.get("date", datetime(2016, 1, 4, 9, 0))
        return {
            "id": row["id"],
            "author": "1",
            "status": "publish",
            "date": f"{when:%Y-%m-%d %H:%M:%S}",
            "date_utc": f"{gmt(when, self.zone):%Y-%m-%d %H:%M:%S}",
            "modified": f"{when:%Y-%m-%d %H:%M:%S}",
            "modified_utc": f"{gmt(when, self.zone):%Y-%m-%d %H:%M:%S}",
            "url": f"{self.base}/{kind}/{row['slug']}/",
        }

    def venue_json(self, slug: str) -> dict:
        venue = self.content.venues[slug]
        data = self.linked_post(venue, "venue")
        data.update(
            {
                "venue": venue["name"],
                "slug": venue["slug"],
                "address": venue.get("address", ""),
                "city": venue.get("city", ""),
                "country": venue.get("country", ""),
                "province": venue.get("province", ""),
                "state": venue.get("state", ""),
                "zip": venue.get("zip", ""),
                "stateprovince": venue.get("state", venue.get("province", "")),
                "show_map": True,
                "show_map_link": True,
                "global_id": f"{self.real_host}?id={venue['id']}",
                "global_id_lineage": [f"{self.real_host}?id={venue['id']}"],
            }
        )
        return data

    def organizer_json(self, slug: str) -> dict:
        org = self.content.organizers[slug]
        data = self.linked_post(org, "organizer")
        data.update(
            {
                "organizer": org["name"],
                "slug": org["slug"],
                "phone": org.get("phone", ""),
                "website": org.get("website", ""),
                "email": org.get("email", ""),
                "global_id": f"{self.real_host}?id={org['id']}",
                "global_id_lineage": [f"{self.real_host}?id={org['id']}"],
            }
        )
        return data
