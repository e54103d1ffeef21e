"""The WordPress content model: one folder, site.toml plus one file per post, page and event.

Read through the mirror's one fixture loader (mirror.content); this module only maps the
front matter onto wp_posts-like rows and the site.toml tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mirror.content import read_content_file, read_settings


@dataclass
class Entry:
    """One row of wp_posts: a post, a page or a tribe_events event (dates are site-local)."""

    id: int
    type: str  # "post", "page" or "tribe_events"
    slug: str
    title: str  # as the editor typed it; WordPress texturizes it on output
    content: str  # HTML paragraphs
    date: datetime
    modified: datetime
    author: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""  # a manual excerpt; empty: WordPress cuts one from the content
    image: str = ""  # featured image path ("/wp-content/uploads/…")
    widgets: list[dict] = field(default_factory=list)  # pages: Display Posts lists
    events_widget: dict | None = None  # pages: TEC's upcoming-events widget
    # Events only (The Events Calendar).
    start: datetime | None = None
    end: datetime | None = None
    timezone: str = ""
    all_day: bool = False
    venue: str = ""
    organizers: list[str] = field(default_factory=list)
    cost: str = ""
    website: str = ""
    status: str = "scheduled"
    # Multilingual sites: the entry's language code ("" = the site's default language)
    # and a key shared by an entry and its translations.
    lang: str = ""
    translation: str = ""
    # Filtered sources: whether the entry is meant to be archived (read by tests only).
    relevant: bool | None = None
    # A teaser post of another post (its slug): one item in the archive (read by tests only).
    teaser_of: str = ""


def load_entry(path: Path, entry_type: str) -> Entry:
    meta, body = read_content_file(path)
    meta.setdefault("slug", path.stem)
    meta.setdefault("modified", meta["date"])
    known = set(Entry.__dataclass_fields__)
    unknown = set(meta) - known
    if unknown:
        raise ValueError(f"{path}: unknown front matter keys {sorted(unknown)}")
    return Entry(type=entry_type, content=body.strip(), **meta)


@dataclass
class SiteContent:
    """Everything read from one content folder."""

    settings: dict
    posts: list[Entry]  # newest first
    pages: list[Entry]
    events: list[Entry]  # by start
    authors: dict[str, dict]
    categories: dict[str, dict]
    tags: dict[str, dict]
    event_categories: dict[str, dict]
    venues: dict[str, dict]
    organizers: dict[str, dict]

    def by_id(self, entry_id: int) -> Entry | None:
        for entry in [*self.posts, *self.pages, *self.events]:
            if entry.id == entry_id:
                return entry
        return None


def load_content(folder: Path) -> SiteContent:
    """Read site.toml and posts/, pages/, events/ (each *.html with front matter)."""
    settings = read_settings(folder)

    def entries(sub: str, entry_type: str) -> list[Entry]:
        return [load_entry(p, entry_type) for p in sorted((folder / sub).glob("*.html"))]

    def table(name: str) -> dict[str, dict]:
        return {row["slug"]: row for row in settings.get(name, [])}

    content = SiteContent(
        settings=settings,
        posts=sorted(entries("posts", "post"), key=lambda e: (e.date, e.id), reverse=True),
        pages=entries("pages", "page"),
        events=sorted(entries("events", "tribe_events"), key=lambda e: (e.start, e.id)),
        authors=table("authors"),
        categories=table("categories"),
        tags=table("tags"),
        event_categories=table("event_categories"),
        venues=table("venues"),
        organizers=table("organizers"),
    )
    ids = [e.id for e in [*content.posts, *content.pages, *content.events]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{folder}: duplicate post ids")
    return content
