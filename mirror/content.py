"""The one reader of the mirror's fixture files, shared by every CMS emulator.

A site folder (``tests/sites/<real host>/``) holds a ``site.toml`` and content files:
TOML front matter between two ``+++`` lines, then the body the site shows. WordPress,
Drupal and the generic emulator all read their folders through these functions, so the
file format has one definition; each emulator only maps the front matter onto its own
content model.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

FRONT_MATTER = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n?(.*)\Z", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter, body as written) of a content file's text.

    Windows line ends are read as Unix ones, so a file edited on Windows reads the same.
    """
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise ValueError("a content file starts with +++, its TOML front matter, then +++")
    return tomllib.loads(match.group(1)), match.group(2)


def read_content_file(path: Path) -> tuple[dict, str]:
    """(front matter, body) of one content file; the path is named in any error."""
    try:
        return split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: {error}") from error


def read_settings(folder: Path) -> dict:
    """A site folder's site.toml: what tells one site of a CMS from another."""
    return tomllib.loads((Path(folder) / "site.toml").read_text(encoding="utf-8"))


def body_blocks(text: str) -> tuple[str, ...]:
    """Blank-line separated blocks: plain text becomes a <p>, a block starting with "<"
    is kept as HTML; the lines of a block are joined with a space, as a browser shows them."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        chunk = " ".join(line.strip() for line in chunk.splitlines()).strip()
        if chunk:
            blocks.append(chunk if chunk.startswith("<") else f"<p>{chunk}</p>")
    return tuple(blocks)


def aware(value: object) -> datetime:
    """A front-matter instant: TOML gives datetimes, a string is read as ISO 8601; both
    must carry their UTC offset, since a published date is an instant, not a wall time."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r}: dates need a UTC offset")
    return moment
