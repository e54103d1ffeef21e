"""Decide whether an event is scheduled, cancelled or postponed.

Organisers rarely set a status field; they edit the title instead ("CANCELLED: Board
meeting", "Annulé - Conférence"). Every event extractor applies the same rule: the
source's own status field first, then a status word at the start of the title, then
an announcement in the description ("this evening is cancelled", "la conférence est
reportée"): The Events Calendar's REST API carries no status, and organisers who do
not edit the title say it in the text.
"""

from __future__ import annotations

import re

_TITLE_RE = re.compile(
    r"^\W*(?P<word>cancell?ed|canceled|annul[ée]e?s?|postponed|report[ée]e?s?)\b",
    re.IGNORECASE,
)


def status_from_title(title: str | None) -> str | None:
    """ "cancelled"/"postponed" when the title starts with such a word (English or
    French), else None."""
    if not title:
        return None
    match = _TITLE_RE.match(title)
    if not match:
        return None
    word = match.group("word").lower()
    return "cancelled" if word.startswith(("cancel", "annul")) else "postponed"


# "is cancelled", "has been postponed", "est annulée", "a été reportée"; a bare mention
# ("rescheduled after being postponed last year") is not enough.
_TEXT_RE = re.compile(
    r"\b(?:is|are|has been|have been|was|were|will be)\s+(?:now\s+)?"
    r"(?P<en>cancell?ed|postponed)\b"
    r"|\b(?:est|sont|a été|ont été|sera|seront)\s+(?:malheureusement\s+)?"
    r"(?P<fr>annul[ée]e?s?|report[ée]e?s?)\b",
    re.IGNORECASE,
)


def status_from_text(text: str | None) -> str | None:
    """ "cancelled"/"postponed" when the text announces it in English or French."""
    match = _TEXT_RE.search(text or "")
    if not match:
        return None
    word = (match.group("en") or match.group("fr")).lower()
    return "cancelled" if word.startswith(("cancel", "annul")) else "postponed"


def status_from_value(value: str | None) -> str | None:
    """Map a source status value (iCal STATUS, schema.org eventStatus URL, Tribe's
    event-status field) to the archive's vocabulary; None when it says nothing."""
    if not value:
        return None
    word = str(value).rsplit("/", 1)[-1].lower()
    if "cancel" in word:
        return "cancelled"
    if "postpon" in word:
        return "postponed"
    if word in (
        "scheduled",
        "eventscheduled",
        "confirmed",
        "eventrescheduled",
        "rescheduled",
        "eventmovedonline",
        "tentative",
    ):
        return "scheduled"
    return None


def event_status(value: str | None, title: str | None, description: str | None = None) -> str:
    """The status to store: an explicit cancelled/postponed wins, then the title prefix,
    then an announcement in the description, then "scheduled" (an announced event is
    taken as going ahead)."""
    explicit = status_from_value(value)
    if explicit in ("cancelled", "postponed"):
        return explicit
    return status_from_title(title) or status_from_text(description) or "scheduled"
