"""Hostile and broken article pages, generated, and a mirror site that serves them.

Scraped pages are untrusted input that ends up in web pages. `hostile_cases()` makes
more than 200 article pages for the Région Sud spider (generic ladder: robots.txt, then
the sitemap, then each article), each broken or hostile in one way: malformed HTML,
missing titles and dates, absurd dates, huge titles, control characters, right-to-left
text and emoji, script / iframe / event-handler / ``javascript:`` payloads in titles,
bodies, summaries and links, SQL-looking strings, wrong or invalid encodings.

`HostileSite` answers for the real hosts of www.maregionsud.fr with those pages, so the
real `partnews crawl region_sud` reads them through Scrapy's download stack. Every
script payload, if it ever ran in a reader's browser, would set ``window.__pwned`` or
open a dialog; every remote resource points at ``evil.example``. All text is ours.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass

from mirror.site import MirrorRequest, MirrorResponse

HOSTS = ("www.maregionsud.fr", "maregionsud.fr")
BASE = "https://www.maregionsud.fr"
PWNED = "window.__pwned=1"

# Markup that would run a script or load a foreign resource if it reached a page as HTML.
PAYLOADS = [
    f"<script>{PWNED}</script>",
    f'<img src=x onerror="{PWNED}">',
    f'<svg onload="{PWNED}"></svg>',
    '<iframe src="javascript:parent.__pwned=1"></iframe>',
    f'<a href="javascript:{PWNED}">cliquez ici</a>',
    f'"><script>{PWNED}</script>',
    f"'><img src=x onerror={PWNED}>",
    f"</textarea><script>{PWNED}</script>",
    f"</title><script>{PWNED}</script>",
    f'<body onload="{PWNED}">',
    f'<details open ontoggle="{PWNED}">',
    '<img src="https://evil.example/beacon.png">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "{{7*7}} ${7*7} <%= 7*7 %>",
    f'<object data="javascript:{PWNED}"></object>',
    f"<math><mtext></mtext><mglyph><style><img src=x onerror={PWNED}>",
    '<style>@import "https://evil.example/x.css";</style>',
    '<base href="https://evil.example/">',
    f'<input autofocus onfocus="{PWNED}">',
]
# Where a payload is put: the title, the body as text, the body as raw HTML, the summary.
PAYLOAD_PLACES = ("title", "body text", "body html", "summary")

# Link targets a page may offer: none may be followed, none may be rendered as a link.
BAD_LINKS = [
    f"javascript:{PWNED}",
    "JaVaScRiPt:window.__pwned=1",
    "java\tscript:window.__pwned=1",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "http://127.0.0.1:8001/-/versions",
    "http://169.254.169.254/latest/meta-data/",
    "//evil.example/path",
    "https://evil.example/phish",
]
LINK_PLACES = ("body link", "canonical", "og:image")

MALFORMED = [
    "<p>paragraphe jamais fermé <p>un autre <div>et un bloc",
    "<div>" * 5000 + "très profond" + "</div>" * 10,
    "<p <p <p>> attributs << cassés >>",
    "<!-- un commentaire jamais fermé <p>texte caché",
    "<![CDATA[ du CDATA dans du HTML ]]><p>suite",
    "<table><tr><td><table><tr><td>tableaux imbriqués</td></tr></table>",
    '<p class="sans guillemet fermant>texte</p>',
    "<b><i>chevauchement</b></i>",
    "</p></div></article></body></html><p>après la fin",
    "<html><head><title>seconde tête</title></head><body><p>page dans la page</p>",
    "<frameset><frame src='https://evil.example/'></frameset>",
    "<noscript><p>contenu noscript</p></noscript><template><p>modèle</p></template>",
    "<p>" + "&amp;" * 2000 + "</p>",
    "<p>entités &bogus; &#xZZZ; &#99999999; &#0; &</p>",
    "<svg><foreignObject><p>svg étranger</p></foreignObject></svg>",
    "<select><option>menu<option>sans fin",
    "<p>" + "<b>gras " * 3000 + "</p>",
    "<plaintext><p>tout devient du texte",
    "<xmp><script>pas un script</script></xmp>",
    "\x00\x01\x02<p>octets nuls</p>\x00",
]

ABSURD_DATES = [
    "0000-00-00",
    "0000-01-01T00:00:00Z",
    "31 février 2024",
    "30 février 2023",
    "32 janvier 2020",
    "9999-12-31T23:59:59+00:00",
    "99999-01-01",
    "3024-05-01T10:00:00+02:00",
    "-0044-03-15",
    "1er janvier 10000",
    "2024-13-45",
    "1970-01-01T00:00:00Z",
    "hier",
    "NaN",
    "2024-02-30T25:61:61",
    "18446744073709551616",
]
DATE_PLACES = ("time datetime", "dateline", "og:published_time")

MISSING_TITLES = ["", "   \t\n ", "<b></b>", "&nbsp;", "\u200b\u200b\u200b", "\x01\x02\x03"]
MISSING_DATES = ["no date", "empty datetime", "time without datetime", "empty dateline"]

STRANGE_TEXT = [
    "Titre avec NUL \x00 au milieu",
    "Titre \x1b[31mANSI rouge\x1b[0m",
    "Titre avec \x7f DEL et \x85 NEL et \x9b CSI",
    "Non-caractères \ufffe \uffff",
    "Séparateurs \u2028 de ligne \u2029 et de paragraphe",
    "BOM \ufeff au milieu",
    "Tabulations\t\tverticales\x0b\x0c",
    "مرحبا بكم في المنطقة الجنوبية",
    "שלום לאזור הדרומי",
    "Fichier \u202egnp.exe",
    "Mélange \u202bعربي\u202c et français \u2066isolé\u2069",
    "Famille 👩‍👩‍👧‍👦 drapeaux 🇫🇷🇺🇸 peau 👋🏽",
    "Z̸̢̛̤a̷̡̛l̶̨g̵̢o̶ ̴t̵e̵x̸t̷e̸",
    "𝕳𝖔𝖙𝖊𝖑 𝖉𝖊 𝕽𝖊́𝖌𝖎𝖔𝖓",
    "区域合作 地中海 圣地亚哥",
    "mot" * 2000,
]

SQL_LIKE = [
    "'; DROP TABLE items; --",
    '" OR "1"="1',
    "Robert'); DROP TABLE rejects;--",
    "1; DELETE FROM items WHERE 1=1",
    "x' UNION SELECT name, sql FROM sqlite_master --",
    "') OR 1=1; ATTACH DATABASE '/tmp/x.db' AS x; --",
    'NEAR("provence" "diego", 2)',
    "title:* OR body:*",
    '"guillemet non fermé',
    "* AND OR NOT ( ) ^ -",
    "%' OR '%'='",
    "items_fts MATCH 'a' OR rowid > 0",
]

ENCODINGS = [
    # (label, how the text is encoded, the Content-Type header, the <meta charset>)
    ("latin-1 bytes declared UTF-8", "latin-1", "text/html; charset=UTF-8", "utf-8"),
    ("UTF-8 declared windows-1252", "utf-8", "text/html; charset=windows-1252", "windows-1252"),
    ("invalid UTF-8 bytes", "broken", "text/html; charset=UTF-8", "utf-8"),
    ("UTF-16 with BOM declared UTF-8", "utf-16", "text/html; charset=UTF-8", "utf-8"),
    ("latin-1 with no charset anywhere", "latin-1", "text/html", None),
    ("unknown charset name", "utf-8", "text/html; charset=x-bogus-42", "x-bogus-42"),
    ("header and meta disagree", "utf-8", "text/html; charset=iso-8859-1", "utf-8"),
    ("UTF-8 with a BOM", "utf-8-sig", "text/html; charset=UTF-8", "utf-8"),
    ("no Content-Type header", "utf-8", "", "utf-8"),
    ("served as application/octet-stream", "utf-8", "application/octet-stream", "utf-8"),
    ("served as image/png", "utf-8", "image/png", "utf-8"),
    ("mojibake (double-encoded UTF-8)", "double", "text/html; charset=UTF-8", "utf-8"),
]

WORDS = (
    "région coopération partenariat échanges entreprises innovation export mission "
    "délégation signature accord université recherche maritime énergie solaire port "
    "tourisme culture jeunesse formation emploi industrie santé numérique startup "
    "investissement territoire métropole conseil élus programme projet feuille route "
    "rencontre salon forum atelier visite laboratoire incubateur réseau filière "
    "aéronautique spatial biotechnologie agriculture vin patrimoine musée festival "
    "climat transition mobilité logistique formation bourse étudiant chercheur"
).split()


@dataclass(frozen=True)
class HostileCase:
    """One article page and what kind of hostility it carries."""

    number: int
    family: str  # the class of the case, as docs/reliability.md counts them
    detail: str  # what exactly is wrong, for a failure message
    body: bytes  # the page as served
    content_type: str = "text/html; charset=UTF-8"

    @property
    def slug(self) -> str:
        return f"cas-hostile-{self.number:03d}"

    @property
    def path(self) -> str:
        return f"/actualites/{self.slug}"

    @property
    def url(self) -> str:
        return BASE + self.path


def filler(number: int) -> str:
    """A body of our own words, different for every case (so that no two cases are
    taken for the same item or for reposts of each other)."""
    rng = random.Random(number)
    sentences = []
    for _ in range(4):
        words = rng.sample(WORDS, 12)
        sentences.append(" ".join(words).capitalize() + ".")
    return f"Cas d'essai numéro {number}. " + " ".join(sentences)


def page(
    number: int,
    *,
    title: str | None = None,
    h1: str | None = None,
    head: str = "",
    dateline: str | None = None,
    body: str | None = None,
    charset: str | None = "utf-8",
) -> str:
    """An article page in the shape the Région Sud spider reads. Arguments are HTML
    (already escaped where a CMS would escape); None gives the ordinary part."""
    default_title = f"Actualité de test numéro {number}"
    title_html = html.escape(default_title) if title is None else title
    h1_html = title_html if h1 is None else h1
    if dateline is None:
        dateline = 'Publié le <time datetime="2024-03-12T10:00:00+01:00">12 mars 2024</time>'
    body_html = f"<p>{html.escape(filler(number))}</p>" if body is None else body
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="fr"><head>{meta}<title>{title_html} | Région Sud</title>'
        f'{head}</head><body><main><article class="post"><h1 class="post-title">{h1_html}</h1>'
        f'<p class="post-date">{dateline}</p><div class="post-body">{body_html}</div>'
        "</article></main></body></html>\n"
    )


def _cases() -> list[tuple[str, str, str, str]]:
    """(family, detail, page text, content type) for every case, in a fixed order."""
    out = []
    n = len(out)

    def add(family, detail, text, content_type="text/html; charset=UTF-8"):
        out.append((family, detail, text, content_type))

    for payload in PAYLOADS:
        for place in PAYLOAD_PLACES:
            n = len(out) + 1
            label = f"{payload} (cas {n})"
            escaped = html.escape(label)
            text_body = f"<p>{html.escape(filler(n))}</p>"
            if place == "title":
                add("script and markup payloads", f"{place}: {payload}", page(n, title=escaped))
            elif place == "body text":
                add(
                    "script and markup payloads",
                    f"{place}: {payload}",
                    page(n, body=text_body + f"<p>{escaped}</p>"),
                )
            elif place == "body html":
                add(
                    "script and markup payloads",
                    f"{place}: {payload}",
                    page(n, body=f"<p>Début.</p>{payload}{text_body}"),
                )
            else:
                head = f'<meta name="description" content="{html.escape(label, quote=True)}">'
                head += f'<meta property="og:description" content="{html.escape(label)}">'
                add("script and markup payloads", f"{place}: {payload}", page(n, head=head))
    for link in BAD_LINKS:
        for place in LINK_PLACES:
            n = len(out) + 1
            attr = html.escape(link, quote=True)
            text_body = f"<p>{html.escape(filler(n))}</p>"
            if place == "body link":
                text = page(n, body=text_body + f'<p><a href="{attr}">Lire la suite</a></p>')
            elif place == "canonical":
                text = page(n, head=f'<link rel="canonical" href="{attr}">')
            else:
                text = page(n, head=f'<meta property="og:image" content="{attr}">')
            add("hostile links", f"{place}: {link}", text)
    for markup in MALFORMED:
        n = len(out) + 1
        add("malformed HTML", markup[:60], page(n, body=markup + f"<p>{filler(n)}</p>"))
    n = len(out) + 1
    add("malformed HTML", "empty response", "")
    n = len(out) + 1
    add("malformed HTML", "text without any tag", filler(n))
    for title in MISSING_TITLES:
        n = len(out) + 1
        add("missing titles", repr(title), page(n, title=title))
    n = len(out) + 1
    add("missing titles", "no <title> and no <h1>", page(n).replace("<title>", "<x-t>"))
    for what in MISSING_DATES:
        n = len(out) + 1
        dateline = {
            "no date": "",
            "empty datetime": 'Publié le <time datetime="">bientôt</time>',
            "time without datetime": "Publié le <time>un jour</time>",
            "empty dateline": "Publié le",
        }[what]
        add("missing dates", what, page(n, dateline=dateline))
    for value in ABSURD_DATES:
        for place in DATE_PLACES:
            n = len(out) + 1
            shown = html.escape(value, quote=True)
            if place == "time datetime":
                text = page(n, dateline=f'Publié le <time datetime="{shown}">{shown}</time>')
            elif place == "dateline":
                text = page(n, dateline=f"Publié le {shown}")
            else:
                text = page(
                    n,
                    dateline="",
                    head=f'<meta property="article:published_time" content="{shown}">',
                )
            add("absurd dates", f"{place}: {value}", text)
    for size, label in ((10 * 1024 * 1024, "10 MB"), (1024 * 1024, "1 MB")):
        n = len(out) + 1
        huge = ("Titre démesuré " * (size // 15 + 1))[:size]
        add("huge titles", f"{label} title in <h1>", page(n, h1=html.escape(huge)))
    n = len(out) + 1
    huge = ("Titre démesuré " * 70_000)[:1_000_000]
    add("huge titles", "1 MB title in <title>, <h1> and JSON-LD", _with_jsonld(n, huge))
    for strange in STRANGE_TEXT:
        n = len(out) + 1
        label = f"{strange} (cas {n})"
        add("control characters, RTL, emoji", strange[:40], page(n, title=html.escape(label)))
        n = len(out) + 1
        body = f"<p>{html.escape(filler(n))}</p><p>{html.escape(strange)}</p>"
        add("control characters, RTL, emoji", "body: " + strange[:40], page(n, body=body))
    for sql in SQL_LIKE:
        n = len(out) + 1
        add("SQL-looking strings", f"title: {sql}", page(n, title=html.escape(f"{sql} (cas {n})")))
        n = len(out) + 1
        body = f"<p>{html.escape(filler(n))}</p><p>{html.escape(sql)}</p>"
        add("SQL-looking strings", f"body: {sql}", page(n, body=body))
    for label, encoding, content_type, charset in ENCODINGS:
        n = len(out) + 1
        title = html.escape(f"Été à Marseille, Côte d'Azur (cas {n})")
        text = page(n, title=title, charset=charset)
        out.append(("wrong or invalid encodings", label, (text, encoding), content_type))
    return out


def _with_jsonld(number: int, headline: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}
    script = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    escaped = html.escape(headline)
    head = f'<script type="application/ld+json">{script}</script>'
    return page(number, title=escaped, head=head)


def encode(text: str, encoding: str) -> bytes:
    """A page's bytes in `encoding`; "broken" splices invalid UTF-8 into the title,
    "double" encodes UTF-8 twice (the mojibake of a misconfigured CMS)."""
    if encoding == "broken":
        return text.replace("Été", "\udcff\udcfeté").encode("utf-8", "surrogateescape")
    if encoding == "double":
        return text.encode("utf-8").decode("latin-1").encode("utf-8")
    return text.encode(encoding, "replace")


def hostile_cases() -> list[HostileCase]:
    """Every hostile case, numbered from 1 (the same list on every call)."""
    cases = []
    for number, (family, detail, text, content_type) in enumerate(_cases(), start=1):
        if isinstance(text, tuple):
            body = encode(*text)
        else:
            body = text.encode("utf-8", "surrogatepass")
        cases.append(HostileCase(number, family, detail, body, content_type))
    return cases


class HostileSite:
    """www.maregionsud.fr as a hostile site: robots.txt, a sitemap, the hostile pages."""

    hosts = HOSTS

    def __init__(self, cases: list[HostileCase] | None = None) -> None:
        self.cases = cases if cases is not None else hostile_cases()
        self.by_path = {case.path: case for case in self.cases}

    def handle(self, request: MirrorRequest) -> MirrorResponse | None:
        if request.path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /admin/\nSitemap: {BASE}/sitemap.xml\n"
            return MirrorResponse(body=text.encode(), content_type="text/plain; charset=utf-8")
        if request.path == "/sitemap.xml":
            return MirrorResponse(body=self.sitemap(), content_type="application/xml")
        case = self.by_path.get(request.path)
        if case is None:
            return None
        return MirrorResponse(body=case.body, content_type=case.content_type)

    def sitemap(self) -> bytes:
        rows = "".join(
            f"<url><loc>{case.url}</loc><lastmod>2024-03-12</lastmod></url>" for case in self.cases
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>\n'
        ).encode()
