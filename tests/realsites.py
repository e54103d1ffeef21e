"""Mirror site folders made of real responses: shared/realdata turned into recorded sites.

Several folders of ``../shared/realdata/`` hold what one real site answered at several
URLs (a WordPress feed, its ``/wp-json/`` index, its sitemaps…). `build_site` copies
one such folder, in a temporary directory, into the mirror's layout: a
``<real host>/site.toml`` with ``cms = "recorded"`` and one recording per file
(partnews/recorded.py), with the Content-Type of its kind in realdata/MANIFEST.tsv.
Served by a MirrorServer, the base spiders and ``partnews probe`` then meet real markup
over real HTTP. Nothing is copied into the repository.

    sites_dir = build_sites(tmp_path, ["saint-gilles-vieux-marche"])
    server = mirror_factory(sites_dir=sites_dir)
    host = REAL_SITES["saint-gilles-vieux-marche"].host   # IDNA form, as sent in Host

The files carry no recorded headers beyond Content-Type: realdata kept bodies only. The
mirror matches path and query exactly: `build_site(..., also=...)` records a file under
the further URLs a spider asks (``?per_page=100&page=1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from partnews.recorded import save_response, write_site_toml
from tests.realdata import manifest, realdata_dir
from tests.requirements import need_shared

MISSING = "shared/realdata not found (check out ../shared or set PARTNEWS_SHARED)"

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=UTF-8",
    "atom": "application/atom+xml; charset=UTF-8",
    "sitemap": "application/xml; charset=UTF-8",
    "wp-rest-index": "application/json; charset=UTF-8",
    "wp-rest-posts": "application/json; charset=UTF-8",
    "wp-rest-other": "application/json; charset=UTF-8",
    "tribe-events": "application/json; charset=UTF-8",
    "ics": "text/calendar; charset=UTF-8",
    "html-article": "text/html; charset=UTF-8",
    "html-event": "text/html; charset=UTF-8",
    "html-jsonld-article": "text/html; charset=UTF-8",
}
"""What a server sends for each MANIFEST kind (what WordPress and Drupal send for them)."""

RECORDED_AT = datetime(2026, 5, 10, tzinfo=UTC)  # fixed: the folders are rebuilt per test


@dataclass(frozen=True)
class RealSite:
    """One realdata folder that is one real site, and where its files were served."""

    folder: str  # the realdata folder ("saint-gilles-vieux-marche")
    # Where a file's URL differs from its folder path (the xmlsitemap module's cached
    # files, served at /sitemap.xml?page=N): local path inside the folder -> URL path.
    paths: tuple[tuple[str, str], ...] = ()

    def rows(self) -> list[dict[str, str]]:
        return [row for row in manifest() if row["local_path"].startswith(self.folder + "/")]

    @property
    def host(self) -> str:
        """The real host, in the IDNA form a client sends ("xn--…" for accented names)."""
        rows = self.rows()
        if not rows:
            raise FileNotFoundError(MISSING)
        return host_of(rows[0]["real_site"])

    def url_path(self, local_path: str) -> str:
        relative = local_path[len(self.folder) + 1 :]
        return dict(self.paths).get(relative) or url_path_of(relative)


REAL_SITES = {
    site.folder: site
    for site in (
        RealSite("saint-gilles-vieux-marche"),  # WordPress: feed, /wp-json/, sitemaps
        RealSite("curtismethod"),  # WordPress + The Events Calendar: REST, sitemaps
        RealSite("unitingnc"),  # WordPress + The Events Calendar: REST, iCal, pages
        RealSite("amap-chaudeau"),  # WordPress: feeds, wp-sitemap.xml
        RealSite("webaquebec2016"),  # WordPress REST custom types, sitemap
        RealSite("federation-apcp"),  # WordPress + The Events Calendar: HTML pages
        RealSite(
            "fossasia-drupal",  # Drupal's xmlsitemap module: index and one page
            paths=(("index.xml", "/sitemap.xml"), ("1.xml", "/sitemap.xml?page=1")),
        ),
    )
}


def require_realdata() -> None:
    """Skip the calling test when shared/realdata is absent; fail instead under CI=true."""
    need_shared("realdata/MANIFEST.tsv")


def host_of(real_site: str) -> str:
    """The hostname of MANIFEST's real_site column ("https://x.org (notes)"), IDNA-encoded."""
    match = re.search(r"https?://([^/\s]+)", real_site)
    if match is None:
        raise ValueError(f"no URL in real_site {real_site!r}")
    return match.group(1).lower().encode("idna").decode("ascii")


def url_path_of(relative: str) -> str:
    """The URL a saved file answered: ``feed/index.html`` -> ``/feed/``,
    ``x/ical=1/index.html`` -> ``/x/?ical=1`` (wget's layout), else the path itself."""
    path = "/" + relative
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    match = re.fullmatch(r"(.*/)([^/=]+=[^/]*)/", path)
    if match:
        return f"{match.group(1)}?{match.group(2)}"
    return path


def build_site(folder: str, sites_dir: Path, also: dict[str, list[str]] | None = None) -> Path:
    """Write realdata/<folder> as a recorded site under `sites_dir`; returns the site folder.

    The mirror matches path and query exactly, so a spider that asks
    ``/wp-json/wp/v2/posts?per_page=100`` finds nothing recorded at ``/wp-json/wp/v2/posts``:
    `also` records a file under more URL paths, the ones the spider asks
    (``{"wp-json/wp/v2/posts/index.html": ["/wp-json/wp/v2/posts?per_page=100&page=1"]}``,
    keys relative to the realdata folder).
    """
    site = REAL_SITES[folder]
    rows = site.rows()
    if not rows:
        raise FileNotFoundError(MISSING)
    also = also or {}
    unknown = set(also) - {row["local_path"][len(folder) + 1 :] for row in rows}
    if unknown:
        raise KeyError(f"not files of realdata/{folder}: {sorted(unknown)}")
    site_dir = Path(sites_dir) / site.host
    write_site_toml(site_dir, [site.host])
    for row in rows:
        if row["kind"] not in CONTENT_TYPES:
            continue  # expected outputs of other libraries, not responses
        body = (realdata_dir() / row["local_path"]).read_bytes()
        path = site.url_path(row["local_path"])
        headers = [("Content-Type", CONTENT_TYPES[row["kind"]])]
        # WordPress answers a REST route with and without its trailing slash, and wget's
        # folder/index.html layout cannot tell which was asked: record both.
        paths = [path]
        if path.startswith("/wp-json/") and path.endswith("/") and path != "/wp-json/":
            paths.append(path.rstrip("/"))
        paths += also.get(row["local_path"][len(folder) + 1 :], [])
        for each in paths:
            url = f"https://{site.host}{each}"
            save_response(site_dir, url, 200, headers, body, recorded_at=RECORDED_AT)
    return site_dir


def build_sites(sites_dir: Path, folders: list[str] | None = None) -> Path:
    """Every named realdata site (all of REAL_SITES by default) as recorded site folders."""
    for folder in folders or list(REAL_SITES):
        build_site(folder, sites_dir)
    return Path(sites_dir)
