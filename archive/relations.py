"""Links between archived items that stay separate: reposts in stories, translations.

Duplicates are linked, never dropped or merged (one article at several URLs is merged
earlier, by pipelines/dedupe.py). Two kinds of link are kept here:

* **reposts**: the same text published again, on another site or at another URL of the
  same site, lightly edited and dated differently. Each item's body gets a MinHash
  signature (partnews.similarity) stored in ``item_signatures``; an in-memory LSH index
  built from that table proposes the archived items that probably resemble a new one in
  near-constant time, and the exact Jaccard index of their 5-word shingles confirms
  them (>= ``REPOST_THRESHOLD``). Confirmed reposts join one *story* in
  ``story_members``: the member published first is the ``original``, every other one a
  ``repost`` with its ``similarity`` to the original. Stories are single-link: a member
  resembles at least one other member (``matched_id``), not necessarily all.
* **translations**: an item's hreflang alternates (``translations``) and the items of
  the same source sharing its CMS id in another language. Both directions are stored in
  ``item_translations``; a translation not yet archived keeps its URL with a NULL
  ``translation_id`` until it arrives, so the crawl order does not matter.

Different articles about the same event share words but not 5-word runs, so they never
join a story. The *story of an item* (its reposts, their translations, and so on) is
read in one recursive query: `STORY_SQL` / `read_story`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from partnews import similarity
from partnews.text import matching_form

ORIGINAL, REPOST = "original", "repost"
# An item's first words in matching form: a teaser and its article share them.
LEAD_WORDS = 8


@dataclass(frozen=True)
class Match:
    """An archived item whose body resembles a new one's, with their Jaccard index."""

    item_id: str
    similarity: float


# The index of signatures -----------------------------------------------------------------


class RepostIndex:
    """The archive's signatures in a MinHash LSH, kept in step with the file.

    Before each query it reads the signature rows written since it last looked (``seq``
    only grows), so items archived by another spider or process are seen too.
    """

    def __init__(self) -> None:
        self.lsh = similarity.new_lsh()
        self.seq = 0

    def refresh(self, db: sqlite_utils.Database) -> int:
        """Add the signatures written since the last refresh; return how many."""
        latest = db.execute("select max(seq) from item_signatures").fetchone()[0] or 0
        if latest < self.seq:  # another file now lives at this path: start again
            self.lsh, self.seq = similarity.new_lsh(), 0
        rows = db.execute(
            "select item_id, seq, scheme, minhash from item_signatures where seq > ? order by seq",
            [self.seq],
        ).fetchall()
        for item_id, seq, scheme, blob in rows:
            self.seq = seq
            if item_id in self.lsh:
                self.lsh.remove(item_id)
            if scheme == similarity.SIGNATURE_SCHEME:
                values = similarity.from_bytes(blob)
                self.lsh.insert(item_id, similarity.as_minhash(values), check_duplication=False)
        return len(rows)

    def candidates(self, values: np.ndarray) -> list[str]:
        """Ids sharing at least one LSH bucket with this signature."""
        return self.lsh.query(similarity.as_minhash(values))


_INDEXES: dict[tuple[str, int], RepostIndex] = {}


def repost_index(path: str | Path) -> RepostIndex:
    """The one index of this archive file in this process.

    A crawl runs every spider in one process, each with its own `Archive`; sharing the
    index keeps one copy of it in memory instead of one per source.
    """
    resolved = os.path.realpath(path)
    key = (resolved, os.stat(resolved).st_ino)
    if key not in _INDEXES:
        _INDEXES[key] = RepostIndex()
    return _INDEXES[key]


# Reposts ---------------------------------------------------------------------------------


def _bodies(db: sqlite_utils.Database, ids: list[str]) -> dict[str, tuple[str, str, str | None]]:
    """id -> (source, kind, body) of these items."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"select id, source, kind, body from items where id in ({marks})", ids)
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _could_be_reposts(mine: tuple[str, str], theirs: tuple[str, str]) -> bool:
    """Events of one source that share their text are occurrences of a recurring event
    (the same blurb every month), not reposts of each other."""
    return not (mine[0] == theirs[0] and mine[1] == theirs[1] == "event")


def check_reposts(
    db: sqlite_utils.Database,
    index: RepostIndex,
    item_id: str,
    source: str,
    kind: str,
    body: str | None,
) -> list[Match]:
    """Store the item's signature and return the archived items it is a repost of.

    Most similar first. An item whose body is too short to compare has no signature
    (an earlier one is removed) and no matches.
    """
    shingle_set = similarity.shingles(body)
    values = similarity.signature(shingle_set)
    if values is None:
        db.execute("delete from item_signatures where item_id = ?", [item_id])
        return []
    index.refresh(db)
    candidates = [c for c in index.candidates(values) if c != item_id]
    matches = []
    for other, (other_source, other_kind, other_body) in _bodies(db, candidates).items():
        if not _could_be_reposts((source, kind), (other_source, other_kind)):
            continue
        score = similarity.jaccard(shingle_set, similarity.shingles(other_body))
        if score >= similarity.REPOST_THRESHOLD:
            matches.append(Match(other, round(score, 4)))
    db.execute(
        "insert or replace into item_signatures "
        "(item_id, source, seq, scheme, shingles, minhash) values "
        "(?, ?, (select coalesce(max(seq), 0) + 1 from item_signatures), ?, ?, ?)",
        [
            item_id,
            source,
            similarity.SIGNATURE_SCHEME,
            len(shingle_set),
            similarity.to_bytes(values),
        ],
    )
    return sorted(matches, key=lambda m: (-m.similarity, m.item_id))


def has_signature(db: sqlite_utils.Database, item_id: str) -> bool:
    row = db.execute("select 1 from item_signatures where item_id = ?", [item_id]).fetchone()
    return row is not None


def join_story(
    db: sqlite_utils.Database, item_id: str, matches: list[Match], now: str
) -> str | None:
    """Put the item and its matches in one story (merging their stories); return its id.

    A story's id is the id of the item it was first found around; when two stories meet,
    the smaller id is kept. Roles and similarities to the original are recomputed.
    """
    ids = [item_id, *(m.item_id for m in matches)]
    marks = ",".join("?" * len(ids))
    current = dict(
        db.execute(
            f"select item_id, story_id from story_members where item_id in ({marks})", ids
        ).fetchall()
    )
    if not matches:
        story_id = current.get(item_id)
        if story_id:
            _assign_roles(db, story_id)
        return story_id
    stories = sorted(set(current.values()))
    story_id = stories[0] if stories else matches[0].item_id
    for other in stories[1:]:
        db.execute("update story_members set story_id = ? where story_id = ?", [story_id, other])
    best = matches[0]
    db.execute(
        "insert into story_members (item_id, story_id, role, matched_id, matched_similarity, "
        "linked_at) values (?, ?, ?, ?, ?, ?) on conflict(item_id) do update set "
        "story_id = excluded.story_id, matched_id = excluded.matched_id, "
        "matched_similarity = excluded.matched_similarity",
        [item_id, story_id, REPOST, best.item_id, best.similarity, now],
    )
    for match in matches:
        db.execute(
            "insert into story_members (item_id, story_id, role, matched_id, "
            "matched_similarity, linked_at) values (?, ?, ?, ?, ?, ?) "
            "on conflict(item_id) do update set story_id = excluded.story_id",
            [match.item_id, story_id, REPOST, item_id, match.similarity, now],
        )
    _assign_roles(db, story_id)
    return story_id


def _assign_roles(db: sqlite_utils.Database, story_id: str) -> None:
    """The member published first is the original; each member's similarity is to it.

    Undated members come last; among equal dates the one archived first wins.
    """
    members = db.execute(
        "select items.id, items.published, items.first_seen, items.body "
        "from story_members join items on items.id = story_members.item_id "
        "where story_members.story_id = ?",
        [story_id],
    ).fetchall()
    members.sort(key=lambda m: (m[1] is None, (m[1] or "")[:10], m[1] or "", m[2] or "", m[0]))
    original_id, *_, original_body = members[0]
    original = similarity.shingles(original_body)
    for member_id, _published, _first_seen, body in members:
        if member_id == original_id:
            role, score = ORIGINAL, 1.0
        else:
            role, score = REPOST, round(similarity.jaccard(original, similarity.shingles(body)), 4)
        db.execute(
            "update story_members set role = ?, similarity = ? where item_id = ?",
            [role, score, member_id],
        )


# Teasers ---------------------------------------------------------------------------------


def lead_of(text: str | None) -> str | None:
    """The first ``LEAD_WORDS`` words of the text's matching form.

    Only for texts longer than that: the word after them may be cut by a teaser's
    ellipsis, the ones before are whole.
    """
    words = matching_form(text).split()
    if len(words) <= LEAD_WORDS:
        return None
    return " ".join(words[:LEAD_WORDS])


def record_lead(db: sqlite_utils.Database, item_id: str, source: str, text: str | None) -> None:
    lead = lead_of(text)
    if lead is None:
        db.execute("delete from item_leads where item_id = ?", [item_id])
        return
    db.execute(
        "insert or replace into item_leads (item_id, source, lead) values (?, ?, ?)",
        [item_id, source, lead],
    )


def items_with_lead(
    db: sqlite_utils.Database, source: str, lead: str | None
) -> list[dict[str, Any]]:
    """The archived items of this source whose text starts with these words."""
    if not lead:
        return []
    rows = db.execute(
        "select items.id, items.kind, items.summary, items.body from item_leads "
        "join items on items.id = item_leads.item_id "
        "where item_leads.source = ? and item_leads.lead = ? order by items.first_seen",
        [source, lead],
    ).fetchall()
    return [dict(zip(("id", "kind", "summary", "body"), row, strict=True)) for row in rows]


# Translations ----------------------------------------------------------------------------


def _item_language_url(db: sqlite_utils.Database, item_id: str) -> tuple[str | None, str | None]:
    row = db.execute("select language, url from items where id = ?", [item_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _link_pair(
    db: sqlite_utils.Database, item_id: str, other_id: str, evidence: str, now: str
) -> None:
    """Both directions of a translation link, each row naming the other's URL."""
    for a, b in ((item_id, other_id), (other_id, item_id)):
        # A row naming one of b's URLs while b was not archived yet: b has arrived.
        db.execute(
            "update item_translations set translation_id = ? where item_id = ? "
            "and translation_id is null and url in (select url from item_urls where item_id = ?)",
            [b, a, b],
        )
        known = db.execute(
            "select 1 from item_translations where item_id = ? and translation_id = ?", [a, b]
        ).fetchone()
        language, url = _item_language_url(db, b)
        if not known and url:
            db.execute(
                "insert or ignore into item_translations "
                "(item_id, url, language, translation_id, evidence, first_seen) "
                "values (?, ?, ?, ?, ?, ?)",
                [a, url, language, b, evidence, now],
            )


def link_translations(
    db: sqlite_utils.Database, item_id: str, item: dict[str, Any], now: str
) -> None:
    """Record the item's translations and resolve the ones that were waiting for it."""
    own_urls = {r[0] for r in db.execute("select url from item_urls where item_id = ?", [item_id])}
    language = item.get("language")
    for code, url in sorted((item.get("translations") or {}).items()):
        if not url or url in own_urls or code == language or code == "x-default":
            continue
        row = db.execute("select item_id from item_urls where url = ?", [url]).fetchone()
        other = row[0] if row else None
        if other == item_id:
            continue
        db.execute(
            "insert or ignore into item_translations "
            "(item_id, url, language, translation_id, evidence, first_seen) "
            "values (?, ?, ?, ?, 'hreflang', ?)",
            [item_id, url, code, other, now],
        )
        if other:
            _link_pair(db, item_id, other, "hreflang", now)
    # Items that named one of this item's URLs as their translation before it arrived.
    marks = ",".join("?" * len(own_urls))
    waiting = db.execute(
        f"select item_id from item_translations where translation_id is null "
        f"and item_id != ? and url in ({marks})",
        [item_id, *own_urls],
    ).fetchall()
    for (other,) in waiting:
        _link_pair(db, other, item_id, "hreflang", now)
    # A CMS's translations share its id (a Drupal node in French and in English).
    if item.get("cms_id"):
        siblings = db.execute(
            "select id from items where source = ? and cms_id = ? and id != ? "
            "and language is not ?",
            [item["source"], item["cms_id"], item_id, language],
        ).fetchall()
        for (other,) in siblings:
            _link_pair(db, item_id, other, "cms_id", now)


# Reading a story -------------------------------------------------------------------------

# Every item linked to :item_id by reposts and translations, transitively: the item's
# story members, their translations, the story members of those translations, and so on.
# Needs SQLite 3.34+ (several recursive SELECTs in one CTE).
STORY_SQL = """
with recursive linked(item_id) as (
    select :item_id
    union
    select other.item_id from linked
        join story_members as mine on mine.item_id = linked.item_id
        join story_members as other on other.story_id = mine.story_id
    union
    select t.translation_id from linked
        join item_translations as t on t.item_id = linked.item_id
        where t.translation_id is not null
)
select items.id, items.source, items.language, items.published, items.title, items.url,
       story_members.story_id, story_members.role, story_members.similarity,
       (select group_concat(t.translation_id) from item_translations as t
         where t.item_id = items.id and t.translation_id is not null) as translation_ids
from linked
join items on items.id = linked.item_id
left join story_members on story_members.item_id = items.id
order by items.published is null, items.published, items.id
"""


def read_story(db: sqlite_utils.Database, item_id: str) -> list[dict[str, Any]]:
    """The rows of `STORY_SQL` for one item (the item itself included)."""
    cursor = db.execute(STORY_SQL, {"item_id": item_id})
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
