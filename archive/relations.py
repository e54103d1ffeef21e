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

Issue 15 added (each section below says how it decides):

* **edited reposts** by containment, found through content-defined *anchors* (stored
  beside each signature, ``item_signatures.anchors``, and looked up in memory:
  partnews/anchor_index.py) that the LSH cannot see at Jaccard 0.2;
* **the same article at another URL of its site**, looked up for the dedupe pipeline
  (`same_item_elsewhere`), with the reason read from the two URLs (`url_variant_reason`);
* **recurring events**: occurrences stay separate items, linked as one series
  (``event_series``);
* **translations without hreflang**, from language-independent evidence
  (partnews/translation.py, ``item_evidence``);
* the original of a story by publication, then by arrival order (``item_arrivals``).

Different articles about the same event share words but not 5-word runs, so they never
join a story. The *story of an item* (its reposts, their translations, and so on) is
read in one recursive query: `STORY_SQL` / `read_story`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import sqlite_utils

from partnews import anchor_index, similarity, translation
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
    """The archive's signatures in a MinHash LSH, and their anchors, kept in step with
    the file.

    The LSH is `partnews.bands.BandIndex`: datasketch's buckets (the same candidates) in
    numpy arrays, at a tenth of the memory of datasketch's own index. The anchors are
    `partnews.anchor_index.AnchorIndex`.

    Before each query it reads the signature rows written since it last looked (``seq``
    only grows), so items archived by another spider or process are seen too.
    """

    def __init__(self) -> None:
        self.reset()

    def refresh(self, db: sqlite_utils.Database) -> int:
        """Add the signatures and anchors written since the last refresh; return how
        many rows were read. Nothing new (the second refresh of a save): one query."""
        latest = db.execute("select max(seq) from item_signatures").fetchone()[0] or 0
        if latest < self.seq:  # another file now lives at this path: start again
            self.reset()
        if latest == self.seq:
            return 0
        rows = db.execute(
            "select item_id, seq, scheme, minhash, anchors from item_signatures "
            "where seq > ? order by seq",
            [self.seq],
        ).fetchall()
        for item_id, seq, scheme, blob, anchors in rows:
            self.seq = seq
            if item_id in self.lsh:
                self.lsh.remove(item_id)
            if scheme == similarity.SIGNATURE_SCHEME:
                values = similarity.from_bytes(blob)
                self.lsh.insert(item_id, values)
            self.anchors.insert(item_id, anchor_index.from_bytes(anchors))
        return len(rows)

    def reset(self) -> None:
        """Start again from the file at the next refresh: after a save that failed and
        was rolled back the memory may hold what the file no longer does (and at first,
        nothing is read yet)."""
        self.lsh, self.seq = similarity.new_band_index(), 0
        self.anchors = anchor_index.AnchorIndex()

    def forget(self, item_id: str) -> None:
        """Take an item's anchors out before its text is checked again (its own anchors
        must not count among the archive's), or when its signature is deleted. Its new
        row, if any, comes back with the next refresh."""
        self.anchors.remove(item_id)

    def candidates(self, values: np.ndarray) -> list[str]:
        """Ids sharing at least one LSH bucket with this signature."""
        return self.lsh.query(values)


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
    """Store the item's signature and anchors; return the archived items it is a repost of.

    Candidates come from the LSH (Jaccard) and from shared anchors (containment: a new
    introduction, a print cut-down); each is confirmed on the exact shingles with
    `similarity.is_repost`. Most similar first. An item whose body is too short to compare
    has no signature (an earlier one is removed) and no matches.
    """
    shingle_set = similarity.cached_shingles(body)
    values = similarity.cached_signature(body)
    index.refresh(db)
    index.forget(item_id)
    if values is None:
        db.execute("delete from item_signatures where item_id = ?", [item_id])
        return []
    item_anchors = list(similarity.cached_anchors(body))
    candidates = set(index.candidates(values)) | set(anchor_candidates(index, item_anchors))
    candidates.discard(item_id)
    matches = []
    for other, (other_source, other_kind, other_body) in _bodies(db, sorted(candidates)).items():
        if not _could_be_reposts((source, kind), (other_source, other_kind)):
            continue
        same, score = similarity.is_repost(shingle_set, similarity.cached_shingles(other_body))
        if same:
            matches.append(Match(other, round(score, 4)))
    db.execute(
        "insert or replace into item_signatures "
        "(item_id, source, seq, scheme, shingles, minhash, anchors) values "
        "(?, ?, (select coalesce(max(seq), 0) + 1 from item_signatures), ?, ?, ?, ?)",
        [
            item_id,
            source,
            similarity.SIGNATURE_SCHEME,
            len(shingle_set),
            similarity.to_bytes(values),
            anchor_index.to_bytes(item_anchors),
        ],
    )
    return sorted(matches, key=lambda m: (-m.similarity, m.item_id))


def _remove_counted(
    db: sqlite_utils.Database, table: str, column: str, counts: str, item_id: str
) -> None:
    """Remove an item's rows of a sampled table (anchors, evidence tokens) and take them
    off the table that counts in how many items each value occurs."""
    old = [r[0] for r in db.execute(f"select {column} from {table} where item_id = ?", [item_id])]
    if old:
        db.conn.executemany(
            f"update {counts} set items = items - 1 where {column} = ?", [(v,) for v in old]
        )
        db.execute(f"delete from {table} where item_id = ?", [item_id])


# An anchor found in more items than this is boilerplate (a site's footer, a template's
# wording), not evidence of a copy: it proposes no candidates. Without the cap every
# item's candidates grow with the archive (bench dedupe: 1.9 ms of CPU per item at
# 3,000 items, 3.8 at 12,000).
ANCHOR_DF_CAP = 100


def anchor_candidates(index: RepostIndex, item_anchors: list[int]) -> list[str]:
    """Archived items sharing at least MIN_SHARED_ANCHORS of these anchors (or all of
    them, for a text with fewer), from the index as last refreshed. Anchors most items
    share are left out (ANCHOR_DF_CAP); an anchor no item holds occurs nowhere else."""
    if not item_anchors:
        return []
    need = min(similarity.MIN_SHARED_ANCHORS, len(item_anchors))
    return index.anchors.candidates(item_anchors, need, ANCHOR_DF_CAP)


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

    Undated members come last; among equal dates the one archived first wins, by the
    archive's insertion sequence (``item_arrivals``), not by ``first_seen``, whose
    one-second resolution cannot order two items saved in the same second.
    """
    members = db.execute(
        "select items.id, items.published, item_arrivals.seq, items.body "
        "from story_members join items on items.id = story_members.item_id "
        "left join item_arrivals on item_arrivals.item_id = items.id "
        "where story_members.story_id = ?",
        [story_id],
    ).fetchall()
    members.sort(key=original_order)
    original_id, *_, original_body = members[0]
    original = similarity.shingles(original_body)
    for member_id, _published, _seq, body in members:
        if member_id == original_id:
            role, score = ORIGINAL, 1.0
        else:
            role, score = REPOST, round(similarity.jaccard(original, similarity.shingles(body)), 4)
        db.execute(
            "update story_members set role = ?, similarity = ? where item_id = ?",
            [role, score, member_id],
        )


def original_order(member: tuple) -> tuple:
    """Sort key of (id, published, arrival seq, ...): dated before undated, earliest day,
    then earliest time, then first archived; an item with no arrival row comes last."""
    member_id, published, seq = member[0], member[1], member[2]
    return (
        published is None,
        (published or "")[:10],
        published or "",
        seq is None,
        seq or 0,
        member_id,
    )


def record_arrival(db: sqlite_utils.Database, item_id: str) -> None:
    """Note that the item was archived now (once; later saves keep its place)."""
    db.execute("insert or ignore into item_arrivals (item_id) values (?)", [item_id])


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


# One article at several URLs of its site -------------------------------------------------

# The same source's text at a second URL is the same item when its shingles match this
# well (Jaccard), or when one contains the other (CONTAINMENT_THRESHOLD), and the titles
# share at least SAME_TITLE_SHARE of their words. Measured (docs/benchmarks.md): a
# re-edited copy at a new slug kept Jaccard 0.36 and its title; two different articles of
# one site about one event stayed under 0.1 (the mirror's summit texts: 0.02).
SAME_ITEM_THRESHOLD = 0.3
SAME_TITLE_SHARE = 0.5
# ...and, when both are dated, published at most this many days apart: a moved or
# re-served article keeps its date, while a site's recurring posts (a monthly newsletter
# with the same template and nearly the same title) are weeks apart.
SAME_ITEM_DAYS = 7

_LANGUAGE_PREFIX = re.compile(r"^/([a-z]{2})(?:-[a-z]{2})?(/|$)", re.I)
_ID_PATH = re.compile(r"/node/\d+/?$|/\?p=\d+|[?&](?:p|page_id|post|nid|id)=\d+")


def url_variant_reason(kept: str | None, other: str | None) -> str | None:
    """Why two URLs of one site carry the same item, from their shapes: "scheme",
    "old host", "cms id" (``?p=123``, ``/node/1944``), "language prefix", "slug change";
    several joined with "+"; None when either URL is missing or they are equal."""
    if not kept or not other or kept == other:
        return None
    a, b = urlsplit(kept), urlsplit(other)
    reasons = []
    if a.scheme != b.scheme:
        reasons.append("scheme")
    if a.netloc.casefold().removeprefix("www.") != b.netloc.casefold().removeprefix("www."):
        reasons.append("old host")
    elif a.netloc.casefold() != b.netloc.casefold():
        reasons.append("host alias")
    full_a = a.path + ("?" + a.query if a.query else "")
    full_b = b.path + ("?" + b.query if b.query else "")
    if _ID_PATH.search(full_a) or _ID_PATH.search(full_b):
        reasons.append("cms id")
    elif full_a.rstrip("/") != full_b.rstrip("/"):
        lang_a, lang_b = _LANGUAGE_PREFIX.match(a.path), _LANGUAGE_PREFIX.match(b.path)
        path_a = a.path[lang_a.end(1) :] if lang_a else a.path
        path_b = b.path[lang_b.end(1) :] if lang_b else b.path
        if bool(lang_a) != bool(lang_b) and path_a.rstrip("/") == path_b.rstrip("/"):
            reasons.append("language prefix")
        elif path_a.rstrip("/") != path_b.rstrip("/"):
            reasons.append("slug change")
    return "+".join(reasons) or "same address"


def _title_share(a: str | None, b: str | None) -> float:
    """Share of the shorter title's words found in the other (matching form)."""
    words_a, words_b = set(matching_form(a).split()), set(matching_form(b).split())
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / min(len(words_a), len(words_b))


def same_item_elsewhere(
    db: sqlite_utils.Database, index: RepostIndex, item: dict[str, Any]
) -> tuple[str, float] | None:
    """The archived item of the same source (and kind and language) that this one is the
    same article as, at another URL; with the Jaccard index of their bodies.

    Two items that both carry a CMS id and differ in it are two CMS objects (an article
    published again as a second node): never the same item. Events never match here: an
    occurrence of a recurring event shares its text with the others.
    """
    if item.get("kind", "news") == "event":
        return None
    shingle_set = similarity.cached_shingles(item.get("body"))
    if len(shingle_set) < similarity.MIN_SHINGLES:
        return None
    # Jaccard >= SAME_ITEM_THRESHOLD shares about a third of its anchors (twenty in a
    # 300-word text): the anchors alone find these candidates, no LSH query needed.
    index.refresh(db)
    candidates = set(anchor_candidates(index, list(similarity.cached_anchors(item.get("body")))))
    if not candidates:
        return None
    marks = ",".join("?" * len(candidates))
    rows = db.execute(
        f"select id, title, body, cms_id, language, published from items where id in ({marks}) "
        f"and source = ? and kind = ?",
        [*sorted(candidates), item["source"], item.get("kind", "news")],
    ).fetchall()
    best = None
    for other_id, title, body, cms_id, language, published in rows:
        if item.get("cms_id") and cms_id and item["cms_id"] != cms_id:
            continue
        if not translation.within_window(item.get("published"), published, SAME_ITEM_DAYS):
            continue
        if (language or None) != (item.get("language") or None):
            continue
        if _title_share(item.get("title"), title) < SAME_TITLE_SHARE:
            continue
        theirs = similarity.cached_shingles(body)
        score = similarity.jaccard(shingle_set, theirs)
        contained = (
            min(len(shingle_set), len(theirs)) >= similarity.MIN_CONTAINED_SHINGLES
            and similarity.containment(shingle_set, theirs) >= similarity.CONTAINMENT_THRESHOLD
        )
        if (score >= SAME_ITEM_THRESHOLD or contained) and (best is None or score > best[1]):
            best = (other_id, round(score, 4))
    return best


# Recurring events ------------------------------------------------------------------------


def series_key(item: dict[str, Any]) -> str:
    """What the occurrences of one recurring event share: source, title and text."""
    text = item.get("body") or item.get("summary")
    joined = "\n".join([item["source"], matching_form(item.get("title")), matching_form(text)])
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


def link_series(db: sqlite_utils.Database, item_id: str, item: dict[str, Any], now: str) -> None:
    """Put an event in the series of the source's events with its title and text.

    A series exists once two occurrences (two items with different starts) share the key;
    a lone event keeps a row too, so that its later occurrences join it.
    """
    if item.get("kind") != "event":
        return
    key = series_key(item)
    db.execute(
        "insert into event_series (item_id, series_id, source, start, linked_at) "
        "values (?, ?, ?, ?, ?) on conflict(item_id) do update set "
        "series_id = excluded.series_id, start = excluded.start",
        [item_id, key, item["source"], item.get("start"), now],
    )


SERIES_SQL = """
select items.id, items.title, items.url, event_series.start
from event_series join items on items.id = event_series.item_id
where event_series.series_id = (select series_id from event_series where item_id = :item_id)
order by event_series.start, items.id
"""


def read_series(db: sqlite_utils.Database, item_id: str) -> list[dict[str, Any]]:
    """Every occurrence of the item's series, the item included, by start."""
    cursor = db.execute(SERIES_SQL, {"item_id": item_id})
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# Translations without hreflang -----------------------------------------------------------

# An evidence token found in more items than this says nothing about which item is the
# translation ("Provence", "2021"): it is not used to find candidates (it still counts
# in the verdict).
EVIDENCE_DF_CAP = 200
# Candidates share at least this many of the rarer tokens.
MIN_CANDIDATE_TOKENS = 3
LANGUAGES = ("en", "fr", "de")


def link_translations_by_evidence(
    db: sqlite_utils.Database, item_id: str, item: dict[str, Any], now: str
) -> list[tuple[str, float]]:
    """Record the item's evidence and link it to the archived items in other languages
    that it translates (or that translate it); return [(other id, cover)].

    Candidates share at least MIN_CANDIDATE_TOKENS tokens found in at most
    EVIDENCE_DF_CAP items, are in another known language and published within the
    window; `partnews.translation.compare` decides on their whole evidence.
    """
    _remove_counted(db, "item_evidence", "token", "evidence_df", item_id)
    language = item.get("language")
    tokens = translation.evidence(
        translation.text_of(item.get("title"), item.get("body"), item.get("summary"))
    )
    if not tokens or language not in LANGUAGES:
        return []
    day = (item.get("published") or "")[:10] or None
    db.conn.executemany(
        "insert into item_evidence (item_id, token, language, day) values (?, ?, ?, ?)",
        [(item_id, token, language, day) for token in tokens],
    )
    db.conn.executemany(
        "insert into evidence_df (token, items) values (?, 1) "
        "on conflict(token) do update set items = items + 1",
        [(token,) for token in tokens],
    )
    marks = ",".join("?" * len(tokens))
    rare = [
        row[0]
        for row in db.execute(
            f"select token from evidence_df where token in ({marks}) and items <= ?",
            [*tokens, EVIDENCE_DF_CAP],
        )
    ]
    others = [code for code in LANGUAGES if code != language]
    if len(rare) < MIN_CANDIDATE_TOKENS:
        return []
    rare_marks = ",".join("?" * len(rare))
    candidates = db.execute(
        f"select item_id, min(day) from item_evidence where language in (?, ?) "
        f"and token in ({rare_marks}) group by item_id having count(*) >= ?",
        [*others, *rare, MIN_CANDIDATE_TOKENS],
    ).fetchall()
    linked = []
    for other_id, other_day in candidates:
        if other_id == item_id or not translation.within_window(day, other_day):
            continue
        theirs = [
            row[0]
            for row in db.execute(
                "select token from item_evidence where item_id = ? order by rowid", [other_id]
            )
        ]
        verdict = translation.compare(tokens, theirs)
        if verdict.is_translation:
            _link_pair(db, item_id, other_id, "content", now)
            db.execute(
                "update item_translations set score = ? where evidence = 'content' and "
                "((item_id = ? and translation_id = ?) or (item_id = ? and translation_id = ?))",
                [verdict.cover, item_id, other_id, other_id, item_id],
            )
            linked.append((other_id, verdict.cover))
    return linked
