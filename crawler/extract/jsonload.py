"""Load a JSON payload the way it arrives from a crawl: bytes or text, maybe with a BOM,
maybe wrapped in an HTML page.

Mirrors and some servers hand REST responses back inside HTML (a `<pre>` block, or the
raw JSON saved under an .html name), so the API extractors accept all of these.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

_PRE_RE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL | re.IGNORECASE)


def load_json(data: bytes | str | list | dict) -> Any:
    """Decoded JSON from *data*; already-decoded lists and dicts pass through.

    Raises ValueError when no JSON document can be found, so a spider notices a wrong
    endpoint instead of archiving nothing silently.
    """
    if isinstance(data, (list, dict)):
        return data
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff").strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    pre = _PRE_RE.search(text)
    if pre:
        text = htmllib.unescape(pre.group(1)).strip()
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise ValueError("no JSON document found")
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise ValueError(f"no JSON document found: {exc}") from exc
    return value


def json_string(value: Any) -> str | None:
    """*value* when it is a non-blank string, else None.

    CMS payloads are untrusted: a plugin can write ``1.0``, ``true`` or ``{}`` where a
    URL or a date belongs. The API extractors read every string field through this, so a
    field of the wrong type is missing from the item instead of stopping the page.
    """
    return value if isinstance(value, str) and value.strip() else None


def json_id(value: Any) -> str | None:
    """A CMS id as text: WordPress and The Events Calendar send an int, some exports a
    numeric string; anything else (a float, a boolean, an object) is no id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None
