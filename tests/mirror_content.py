"""Read the mirror's content files (tests/sites/<host>/) straight from disk, for tests.

Tests derive their expected values from these files, independently of the mirror's own
loader and of the crawler: a content file is TOML front matter between two '+++' lines,
then the body the site shows.
"""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

TAG = re.compile(r"<[^>]+>")


def front_matter(path: Path) -> tuple[dict, str]:
    """The TOML front matter between '+++' lines and the body after it (as written)."""
    _, meta, body = path.read_text(encoding="utf-8").split("+++", 2)
    return tomllib.loads(meta), body


def site_settings(folder: Path) -> dict:
    """A mirror site's site.toml: names, sections, pagers and boilerplate texts."""
    return tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))


def node_files(folder: Path) -> list[tuple[dict, str]]:
    """(front matter, stripped body) of every Drupal node file, in file-name order."""
    nodes = []
    for path in sorted((folder / "nodes").glob("*.md")):
        meta, body = front_matter(path)
        nodes.append((meta, body.strip()))
    return nodes


def wordpress_posts(folder: Path) -> list[dict]:
    """Every WordPress post's front matter in file-name order, with the defaults WordPress
    applies (slug from the file name, modified = date) and its HTML body under "body"."""
    posts = []
    for path in sorted((folder / "posts").glob("*.html")):
        meta, body = front_matter(path)
        meta.setdefault("slug", path.stem)
        meta.setdefault("modified", meta["date"])
        meta["body"] = body
        posts.append(meta)
    return posts


def read_site(folder: Path) -> tuple[dict, list[dict]]:
    """A generic-CMS site: site.toml, and every post's front matter with its real "url",
    its language "lang" (the post's, else its section's, else the site's) and its plain
    "paragraphs" (blocks that are not markup, entities decoded)."""
    site = site_settings(folder)
    sections = {s["id"]: s for s in site["sections"]}
    posts = []
    for path in sorted((folder / "posts").glob("*.md")):
        meta, body = front_matter(path)
        section = sections[meta["section"]]
        slug = meta.get("slug", path.stem)
        meta["url"] = site["base_url"] + section["item_path"].format(slug=slug)
        meta.setdefault("lang", section.get("lang", site["language"]))
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", body.strip())]
        meta["paragraphs"] = [html.unescape(b) for b in blocks if b and not b.startswith("<")]
        posts.append(meta)
    return site, posts


def first_paragraph(body: str) -> str:
    """The text of a body's first paragraph: up to the first '</p>' or blank line, tags
    dropped, so that it can be looked for in the archived plain-text body."""
    return TAG.sub("", re.split(r"</p>|\n\n", body.strip(), maxsplit=1)[0])


def body_text(body: str) -> str:
    """The text a reader sees of a node file's body: tags dropped, one blank line between
    paragraphs."""
    paragraphs = (" ".join(TAG.sub("", p).split()) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)
