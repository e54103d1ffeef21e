"""An in-memory inverted index of anchors: which items hold which content-defined shingles.

The containment check of issue 15 (archive/relations.py) finds an edited repost through
the anchors it shares with its original (`partnews.similarity.anchors`), leaving out
the anchors most items share (a site's boilerplate). Those lookups used to be two
tables, ``item_anchors`` and ``anchor_df``. Their keys are random, so each item's 15–40
anchors dirtied a leaf page each: 42 % of the pages an item's commit wrote (issue 17,
docs/benchmarks.md). The anchors are now stored once per item, as a blob beside its
signature in ``item_signatures``, and this index holds them in memory. It is built
from that table like the LSH band table (partnews/bands.py) and answers the same
questions.

How: one sorted array of anchors with the slot of the item that holds each, plus a
dict of the recent items' anchors, merged into it every ``merge_every`` items. A
removed item's slot is marked dead; dead entries are dropped when more than half the
slots are dead. Pure, in-memory, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class AnchorIndex:
    """Items by the anchors they hold, with each anchor's count of live items."""

    def __init__(self, merge_every: int = 1024) -> None:
        self.merge_every = merge_every
        self._keys = np.zeros(0, dtype=np.uint32)
        self._slots = np.zeros(0, dtype=np.int32)
        # The tail: anchor -> slots of the items inserted since the last merge.
        self._tail: dict[int, list[int]] = {}
        self._tail_items = 0
        self._ids: list[str | None] = []
        self._slot_of: dict[str, int] = {}
        self._live = np.zeros(1024, dtype=bool)

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._slot_of

    def insert(self, item_id: str, anchors: Iterable[int]) -> None:
        """Index an item's anchors; an item already indexed is replaced."""
        if item_id in self._slot_of:
            self.remove(item_id)
        slot = len(self._ids)
        if slot == len(self._live):
            self._live = np.concatenate([self._live, np.zeros(len(self._live), dtype=bool)])
        self._live[slot] = True
        self._ids.append(item_id)
        self._slot_of[item_id] = slot
        for anchor in {int(a) for a in anchors}:
            self._tail.setdefault(anchor, []).append(slot)
        self._tail_items += 1
        if self._tail_items >= self.merge_every:
            self._merge()

    def remove(self, item_id: str) -> None:
        """Forget an item (nothing happens when it is not indexed)."""
        slot = self._slot_of.pop(item_id, None)
        if slot is None:
            return
        self._ids[slot] = None
        self._live[slot] = False
        if len(self._ids) - len(self._slot_of) > max(self.merge_every, len(self._slot_of)):
            self._compact()

    def candidates(self, anchors: Iterable[int], need: int, df_cap: int) -> list[str]:
        """Items holding at least `need` of these anchors, counting only the anchors that
        between 1 and `df_cap` items hold (an anchor more items share is boilerplate);
        none when fewer than `need` such anchors are left. Sorted ids."""
        query = sorted({int(a) for a in anchors})
        if not query:
            return []
        keys = np.array(query, dtype=np.uint32)
        lows = np.searchsorted(self._keys, keys, side="left").tolist()
        highs = np.searchsorted(self._keys, keys, side="right").tolist()
        live = self._live
        rare: list[np.ndarray] = []
        for anchor, low, high in zip(query, lows, highs, strict=True):
            slots = self._slots[low:high]
            tail = self._tail.get(anchor)
            if tail:
                slots = np.concatenate([slots, np.array(tail, dtype=np.int32)])
            if not len(slots):
                continue
            held = slots[live[slots]]  # the live items holding the anchor: its df
            if 1 <= len(held) <= df_cap:
                rare.append(held)
        if len(rare) < need:
            return []
        voters, votes = np.unique(np.concatenate(rare), return_counts=True)
        return sorted(self._ids[slot] for slot in voters[votes >= need].tolist())

    def _merge(self) -> None:
        """Move the tail into the sorted arrays."""
        if not self._tail:
            self._tail_items = 0
            return
        new_keys = np.array(
            [anchor for anchor, slots in self._tail.items() for _ in slots], dtype=np.uint32
        )
        new_slots = np.array([s for slots in self._tail.values() for s in slots], dtype=np.int32)
        self._tail, self._tail_items = {}, 0
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_slots = new_keys[order], new_slots[order]
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._slots = np.insert(self._slots, at, new_slots)

    def _compact(self) -> None:
        """Drop the dead entries and renumber the slots (after many removals)."""
        self._merge()
        live_slots = np.flatnonzero(self._live[: len(self._ids)])
        renumber = np.full(len(self._ids), -1, dtype=np.int32)
        renumber[live_slots] = np.arange(len(live_slots), dtype=np.int32)
        keep = self._live[self._slots]
        self._keys = self._keys[keep]
        self._slots = renumber[self._slots[keep]]
        self._ids = [self._ids[slot] for slot in live_slots.tolist()]
        self._slot_of = {item_id: slot for slot, item_id in enumerate(self._ids)}
        self._live = np.zeros(max(1024, 2 * len(self._ids)), dtype=bool)
        self._live[: len(self._ids)] = True


def to_bytes(anchors: Iterable[int]) -> bytes:
    """Anchors as stored in ``item_signatures.anchors``: sorted little-endian uint32 (an
    anchor is a CRC-32)."""
    return np.array(sorted(anchors), dtype="<u4").tobytes()


def from_bytes(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype="<u4")
