"""Make the files of a new source: its registry block, mirror folder, test, spider file.

Adding a partner site to partnews is the same few files every time (docs/adding-a-source.md):
a block in crawler/sources.toml, a mirror folder tests/sites/<host>/ that answers like the
real site, and tests/test_source_<id>.py that crawls that folder through the mirror;
a ``crawler/spiders/<id>.py`` only when the site needs code. `partnews new-source`
(partnews/commands/new_source.py) calls `create_source`, which writes them from the
skeletons beside this module: ``<format>/`` (a minimal, valid mirror folder with two
placeholder items, for the mirror renderer of that name), ``tests/`` (the test) and
``spider.py.tmpl``. Everything is checked before anything is written, so a refused
source leaves the repository untouched.

Skeleton files hold ``{{key}}`` placeholders (file names too), filled by plain string
replacement: their other braces (TOML tables, ``{slug}`` paths, Python) stay as they are.
"""

from __future__ import annotations

import json
import keyword
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SKELETONS = Path(__file__).parent
CMSES = ("wordpress", "drupal", "generic", "press")
SIDES = ("San Diego", "Région Sud")
RELEVANCE = ("all", "filtered")
# The mirror renderer (mirror/sites.py) whose folder format each CMS uses: a
# press outlet is a WordPress site searched through its search feeds.
MIRROR_FORMAT = {
    "wordpress": "wordpress",
    "press": "wordpress",
    "drupal": "drupal",
    "generic": "generic",
}
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
PLACEHOLDER = re.compile(r"\{\{\w+\}\}")
# The placeholder items' dates: mid-morning, far from midnight in any timezone's offset.
DATES = (datetime(2024, 5, 14, 10, 0), datetime(2023, 11, 7, 9, 30))
# A press outlet on one side searches for the other side's names.
SEARCH_TERMS = {
    "San Diego": ("Provence", "Marseille", "Côte d'Azur", "Région Sud", "South of France"),
    "Région Sud": ("San Diego", "Californie", "California"),
}
# The skeleton's words, in the languages the mirror renderers have interface strings for.
# The first item names both sides of the partnership; the second neither.
TEXTS = {
    "en": {
        "listing_path": "/news",
        "listing_title": "News",
        "dateline": "Published on {date}",
        "ui_home": "Home",
        "ui_skip": "Skip to content",
        "ui_breadcrumb": "Breadcrumb",
        "ui_share": "Share",
        "ui_related": "Related",
        "ui_read_more": "Read more",
        "partnership_title": "Example: San Diego and Région Sud partners meet",
        "partnership_p1": "This example stands in for a real article. Replace it with one "
        "modelled on the real site: the same URL shape, dateline and markup as "
        "../shared/sources.md records them, in words written for this project.",
        "partnership_p2": "It names San Diego and the Région Sud, so that a source whose "
        'relevance policy is "filtered" keeps it.',
        "other_title": "Example: the office has new opening hours",
        "other_p1": "This second example is about something else: the office now opens "
        'at nine. A "filtered" source leaves it out of the archive.',
    },
    "fr": {
        "listing_path": "/actualites",
        "listing_title": "Actualités",
        "dateline": "Publié le {date}",
        "ui_home": "Accueil",
        "ui_skip": "Aller au contenu",
        "ui_breadcrumb": "Fil d'Ariane",
        "ui_share": "Partager",
        "ui_related": "À lire aussi",
        "ui_read_more": "Lire la suite",
        "partnership_title": "Exemple : San Diego et la Région Sud se rencontrent",
        "partnership_p1": "Cet exemple tient la place d'un vrai article. Remplacez-le par "
        "un article calqué sur le vrai site : même forme d'URL, même date affichée, même "
        "balisage que ce qu'en dit ../shared/sources.md, avec un texte écrit pour le projet.",
        "partnership_p2": "Il nomme San Diego et la Région Sud : une source dont la "
        'politique de pertinence est "filtered" le garde.',
        "other_title": "Exemple : nouveaux horaires d'ouverture",
        "other_p1": "Ce second exemple parle d'autre chose : les bureaux ouvrent désormais "
        'à neuf heures. Une source "filtered" le laisse hors de l\'archive.',
    },
}
# Example values for base-spider attributes whose default (None, empty) shows nothing.
EXAMPLES: dict[str, object] = {
    "dateline_css": ".date",
    "time_css": "article time",
    "author_css": ".byline",
    "listing_paths": ("/news",),
    "feed_paths": ("/rss.xml",),
    "language_prefixes": {"fr": "", "en": "/en"},
}


class ScaffoldError(ValueError):
    """A new source that cannot be made as asked; nothing has been written."""


@dataclass(frozen=True)
class NewSource:
    """What `partnews new-source` was asked for, with the defaults filled in."""

    id: str
    cms: str
    name: str
    homepage: str
    side: str
    languages: tuple[str, ...]
    timezone: str
    relevance: str
    spider_file: bool = False
    kinds: tuple[str, ...] = ("news",)
    # Base-spider attributes found on the real site by `partnews probe` (name, value):
    # when given, the registry block sets these instead of the skeleton mirror's.
    found: tuple[tuple[str, object], ...] = ()
    probed: bool = False  # made from a probe: `found` is all there is, even when empty
    # A comment line written above the block (where its values came from).
    note: str = ""

    @property
    def host(self) -> str:
        return (urlsplit(self.homepage).hostname or "").lower()

    @property
    def hosts(self) -> tuple[str, ...]:
        """The homepage host and its www/bare twin, which sites answer on too (a
        subdomain such as region-sud.latribune.fr has none)."""
        if self.host.startswith("www."):
            return self.host, self.host[4:]
        if self.host.count(".") == 1:
            return self.host, "www." + self.host
        return (self.host,)

    @property
    def base_url(self) -> str:
        return f"{urlsplit(self.homepage).scheme}://{self.host}"

    @property
    def lang(self) -> str:
        """The skeleton's language: the source's first, where the renderers speak it."""
        return self.languages[0] if self.languages[0] in TEXTS else "en"

    @property
    def mirror_format(self) -> str:
        return MIRROR_FORMAT[self.cms]

    @property
    def mirror_folder(self) -> Path:
        return Path("tests") / "sites" / self.host


def new_source(
    source_id: str,
    cms: str,
    name: str,
    homepage: str,
    side: str | None = None,
    languages: list[str] | None = None,
    timezone: str | None = None,
    relevance: str | None = None,
    spider_file: bool = False,
    kinds: tuple[str, ...] = ("news",),
    found: tuple[tuple[str, object], ...] = (),
    probed: bool = False,
    note: str = "",
) -> NewSource:
    """A `NewSource` with the defaults of its side: a French host is on the Région Sud
    side, which writes French in Europe/Paris; the other side English in Los Angeles;
    press outlets are filtered, partners archive everything."""
    host = (urlsplit(homepage).hostname or "").lower()
    side = side or ("Région Sud" if host.endswith(".fr") else "San Diego")
    french = side == "Région Sud"
    return NewSource(
        id=source_id,
        cms=cms,
        name=name.strip(),
        homepage=homepage.strip(),
        side=side,
        languages=tuple(languages or (["fr"] if french else ["en"])),
        timezone=timezone or ("Europe/Paris" if french else "America/Los_Angeles"),
        relevance=relevance or ("filtered" if cms == "press" else "all"),
        spider_file=spider_file,
        kinds=tuple(kinds),
        found=tuple(found),
        probed=probed,
        note=note,
    )


# --- checks ---------------------------------------------------------------------------


def registry(root: Path) -> dict:
    with open(root / "crawler" / "sources.toml", "rb") as f:
        return tomllib.load(f)


def problems(new: NewSource, root: Path) -> list[str]:
    """Everything that stops the source from being made (empty: go ahead)."""
    found = []
    if not ID_PATTERN.fullmatch(new.id) or keyword.iskeyword(new.id):
        found.append(
            f"{new.id!r} is not a valid source id: use lower-case letters, digits and "
            "underscores, starting with a letter (it names the spider and its module)"
        )
    sources = registry(root)
    if new.id in sources:
        found.append(f"source {new.id!r} is already in crawler/sources.toml")
    for path in (Path("crawler/spiders") / f"{new.id}.py", test_path(new)):
        if (root / path).exists():
            found.append(f"{path} already exists")
    if new.cms not in CMSES:
        found.append(f"unknown cms {new.cms!r}: choose from {', '.join(CMSES)}")
    found += homepage_problems(new.homepage)
    if not found and new.host:
        for other_id, block in sources.items():
            if set(new.hosts) & set(block.get("hosts", ())):
                found.append(f"{new.host} is already a host of source {other_id!r}")
    if not new.name or "\n" in new.name:
        found.append("the name must be one line of text")
    if new.side not in SIDES:
        found.append(f"side must be one of {' or '.join(map(repr, SIDES))}, not {new.side!r}")
    bad = [code for code in new.languages if not re.fullmatch(r"[a-z]{2}", code)]
    if bad or not new.languages:
        found.append(f"languages are two-letter codes separated by commas (en,fr), not {bad}")
    try:
        ZoneInfo(new.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(f"{new.timezone!r} is not an IANA timezone (America/Los_Angeles)")
    if new.relevance not in RELEVANCE:
        found.append(f"relevance must be 'all' or 'filtered', not {new.relevance!r}")
    return found


def homepage_problems(homepage: str) -> list[str]:
    """A homepage must be an absolute http(s) URL with a real hostname."""
    parts = urlsplit(homepage)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or " " in homepage:
        return [f"{homepage!r} is not a homepage URL: give it as https://www.example.org/"]
    return []


# --- rendering ------------------------------------------------------------------------


def fill(text: str, values: dict[str, str]) -> str:
    """The skeleton `text` with its {{key}} placeholders replaced; a placeholder left
    over is a bug in the skeleton, never written out."""
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = PLACEHOLDER.findall(text)
    if left:
        raise KeyError(f"skeleton placeholders without a value: {sorted(set(left))}")
    return text


def toml_value(value: object) -> str:
    """A Python value as a TOML value: regular expressions as literal strings (no
    backslash doubling), tuples as arrays, `Listing`s as a path or an inline table."""
    from crawler.spiders.generic import Listing

    if isinstance(value, re.Pattern):
        pattern = value.pattern
        return f"'{pattern}'" if "'" not in pattern else json.dumps(pattern, ensure_ascii=False)
    if isinstance(value, Listing):
        if value == Listing(value.path):
            return toml_value(value.path)
        return (
            f"{{ path = {toml_value(value.path)}, pager = {toml_value(value.pager)}, "
            f"first_page = {value.first_page} }}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def python_value(value: object) -> str:
    """A Python value as source code for a spider file's class attribute."""
    from crawler.spiders.generic import Listing

    if isinstance(value, re.Pattern):
        return f're.compile(r"{value.pattern}")'
    if isinstance(value, Listing):
        if value == Listing(value.path):
            return f"Listing({python_value(value.path)})"
        return (
            f"Listing({python_value(value.path)}, {python_value(value.pager)}, "
            f"first_page={value.first_page})"
        )
    if isinstance(value, tuple):
        inner = ", ".join(python_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)}: {python_value(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def base_spider(cms: str) -> type:
    from crawler.spiders.configured import BASES

    return BASES[cms]


def needed_attributes(new: NewSource) -> dict[str, object]:
    """The base-spider attributes the skeleton mirror needs (its URL shapes, its date):
    change them together with the mirror folder to the real site's. A WordPress site
    needs none: the REST API is at the same place on every site."""
    from crawler.spiders.generic import Listing

    if new.probed or new.found:
        return dict(new.found)
    listing = TEXTS[new.lang]["listing_path"]
    article = re.compile(f"^{listing}/[^/]+$")
    if new.cms == "drupal":
        return {
            "listing_paths": (listing,),
            "article_path_pattern": article,
            "dateline_css": ".news-date",
        }
    if new.cms == "generic":
        return {
            "feed_paths": ("/rss.xml",),
            "listings": (Listing(listing),),
            "article_path_pattern": article,
            "dateline_css": ".post-date",
        }
    return {}


def attribute_lines(new: NewSource, render, comment: str, assign: str) -> list[str]:
    """The needed attributes, then every other settable attribute of the base spider
    commented out with its default (or an example), in the syntax `render` writes."""
    from crawler.spiders.configured import settable_attributes

    needed = needed_attributes(new)
    lines = [f"{name}{assign}{render(value)}" for name, value in needed.items()]
    for name, default in sorted(settable_attributes(base_spider(new.cms)).items()):
        if name in needed:
            continue
        if default in (None, (), {}) and name in EXAMPLES:
            lines.append(
                f"{comment}{name}{assign}{render(EXAMPLES[name])}  (example; default: none)"
            )
        elif default not in (None, (), {}):
            line = f"{comment}{name}{assign}{render(default)}"
            # A default too long for one line is only named: it is in the base's module.
            too_long = len(line) > 90
            lines.append(
                f"{comment}{name}: see {base_spider(new.cms).__module__}" if too_long else line
            )
    if not lines:
        lines.append(f"{comment}none: search_terms and hosts are all this base spider reads")
    return lines


def registry_block(new: NewSource) -> str:
    """The source's block for crawler/sources.toml, with every field of the file's header."""
    lines = [
        *([f"# {new.note}"] if new.note else []),
        f"[{new.id}]",
        f"name = {toml_value(new.name)}",
        f"organisation = {toml_value(new.name)}  # who runs the site, if its name does not say",
        f"side = {toml_value(new.side)}",
        f"homepage = {toml_value(new.homepage)}",
        f"hosts = {toml_value(new.hosts)}",
        f"prefer_www = {toml_value(new.host.startswith('www.'))}",
        f"languages = {toml_value(new.languages)}",
        f"timezone = {toml_value(new.timezone)}",
        f"day_first = {toml_value(new.languages[0] != 'en')}",
        f"kinds = {toml_value(new.kinds)}",
        f"relevance = {toml_value(new.relevance)}",
        f"cms = {toml_value(new.cms)}",
    ]
    if new.cms == "press":
        lines.append(f"search_terms = {toml_value(SEARCH_TERMS[new.side])}")
    lines.append(f"# [{new.id}.politeness] holds Scrapy settings for it alone: DOWNLOAD_DELAY = 5")
    base = base_spider(new.cms).__name__
    if new.spider_file:
        lines.append(f"# Its spider is crawler/spiders/{new.id}.py ({base} subclass).")
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"[{new.id}.spider]",
        f"# Class attributes of {base} (crawler/spiders/configured.py BASES): regular",
        "# expressions as strings, lists for tuples; uncommented lines override the default.",
        *attribute_lines(new, toml_value, "# ", " = "),
    ]
    return "\n".join(lines) + "\n"


def spider_source(new: NewSource) -> str:
    """crawler/spiders/<id>.py: a subclass of the CMS base spider with its attributes."""
    from crawler.spiders.configured import class_name

    base = base_spider(new.cms)
    needed = needed_attributes(new)
    imports = []
    if any(isinstance(v, re.Pattern) for v in needed.values()):
        imports.append("import re\n")
    names = base.__name__ + (", Listing" if "listings" in needed else "")
    imports.append(f"from {base.__module__} import {names}")
    lines = attribute_lines(new, python_value, "# ", " = ")
    return fill(
        (SKELETONS / "spider.py.tmpl").read_text(encoding="utf-8"),
        {
            "id": new.id,
            "name": new.name,
            "host": new.host,
            "cms": new.cms.capitalize() if new.cms != "press" else "A press outlet (WordPress)",
            "base": base.__name__,
            "class_name": class_name(new.id),
            "imports": "\n".join(imports),
            "attributes": "\n".join(f"    {line}" for line in lines),
        },
    )


def values(new: NewSource) -> dict[str, str]:
    """The placeholders' values for the mirror folder and the test."""
    zone = ZoneInfo(new.timezone)
    locale = {"en": "en-US", "fr": "fr-FR", "de": "de-DE"}.get(new.lang, "en-US")
    texts = dict(TEXTS[new.lang])
    result = {
        "id": new.id,
        "name": new.name,
        "name_toml": toml_value(new.name),
        "host": new.host,
        "hosts_toml": toml_value(new.hosts),
        "base_url": new.base_url,
        "timezone": new.timezone,
        "lang": new.lang,
        "locale": locale,
        "locale_underscore": locale.replace("-", "_"),
        "css_hash": re.sub(r"\W", "", new.id)[:16].ljust(16, "0"),
        **{k: v for k, v in texts.items() if not k.endswith("_title")},
        "listing_title": texts["listing_title"],
        "partnership_title": toml_value(texts["partnership_title"]),
        "other_title": toml_value(texts["other_title"]),
    }
    for n, moment in enumerate(DATES, start=1):
        result[f"local_date_{n}"] = moment.isoformat()
        result[f"aware_date_{n}"] = moment.replace(tzinfo=zone).isoformat()
    return result


def test_source(new: NewSource) -> str:
    """tests/test_source_<id>.py: crawl the mirror folder, check every item is archived."""
    tests = SKELETONS / "tests"
    wordpress = new.mirror_format == "wordpress"
    content = (tests / f"content_{new.mirror_format}.py.tmpl").read_text(encoding="utf-8")
    title_check = 'row["title"] == item["title"]'
    if wordpress:
        title_check = 'curly(row["title"]) == curly(item["title"])'
    return fill(
        (tests / "test_source.py.tmpl").read_text(encoding="utf-8"),
        {
            **values(new),
            "content_items": content.rstrip("\n"),
            "zoneinfo_import": "from zoneinfo import ZoneInfo\n" if wordpress else "",
            "title_check": title_check,
        },
    )


def test_path(new: NewSource) -> Path:
    return Path("tests") / f"test_source_{new.id}.py"


def mirror_files(new: NewSource) -> dict[Path, str]:
    """The skeleton mirror folder of the source's CMS, filled in (paths under the repo)."""
    skeleton = SKELETONS / new.mirror_format
    filled = values(new)
    files = {}
    for path in sorted(p for p in skeleton.rglob("*") if p.is_file()):
        relative = fill(str(path.relative_to(skeleton)), filled)
        files[new.mirror_folder / relative] = fill(path.read_text(encoding="utf-8"), filled)
    return files


# --- writing --------------------------------------------------------------------------


@dataclass
class Made:
    """What `create_source` wrote (paths relative to the root) and what it kept."""

    created: list[Path]
    kept_mirror: bool


def create_source(new: NewSource, root: Path) -> Made:
    """Check, then write the source's files under `root` and append its registry block.
    A mirror folder that exists already is kept as it is."""
    found = problems(new, root)
    if found:
        raise ScaffoldError("; ".join(found))
    files: dict[Path, str] = {}
    kept_mirror = (root / new.mirror_folder).exists()
    if not kept_mirror:
        files.update(mirror_files(new))
    files[test_path(new)] = test_source(new)
    if new.spider_file:
        files[Path("crawler/spiders") / f"{new.id}.py"] = spider_source(new)
    block = registry_block(new)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    registry_path = root / "crawler" / "sources.toml"
    current = registry_path.read_text(encoding="utf-8")
    separator = "\n" if current.endswith("\n") else "\n\n"
    registry_path.write_text(current + separator + block, encoding="utf-8")
    return Made([Path("crawler/sources.toml"), *files], kept_mirror)
