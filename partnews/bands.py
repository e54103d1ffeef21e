"""A compact LSH band table: the buckets of datasketch's MinHashLSH in numpy arrays.

Two signatures are candidates when, in at least one of ``bands`` bands, their ``rows``
hash values are all equal: the bands are the signature's first ``bands x rows`` values,
``rows`` at a time, exactly as datasketch's ``MinHashLSH(params=(bands, rows))`` cuts
them. The answers are the same; only the storage differs.

Why not datasketch's own index: it keeps every bucket as a Python ``set`` in a ``dict``
per band, with a ``bytes`` key per band and item; almost every bucket holds one item, so
an item costs about 3.3 kB (322 MB at 100,000 items, measured in isolation: the bulk of
the duplicate check's memory, docs/benchmarks.md). Here an item costs its band values
(``bands x rows`` uint32), one 64-bit key and one slot number per band, and its id:
about 0.3 kB.

How: each band keeps a sorted array of 64-bit keys (a mix of the band's values) with the
slot of each item; a query looks its keys up with a binary search and keeps the slots
whose band values are equal (the key only narrows the search: equality is decided on the
values, so a key collision never makes a candidate). Inserted items wait in a small
unsorted tail, compared in one numpy operation, until ``merge_every`` of them are merged
into the sorted arrays. A removed item's slot is emptied; the slots are compacted when
more than half are empty.

Pure, in-memory, no I/O (archive/relations.py fills it from the archive's signatures).
"""

from __future__ import annotations

import numpy as np

# The odd multipliers that fold a band's third and later values into its 64-bit key.
_MIX = np.uint64(0x9E3779B97F4A7C15)


class BandIndex:
    """Ids of signatures sharing a band with a query signature (see the module docstring)."""

    def __init__(self, bands: int, rows: int, merge_every: int = 1024) -> None:
        self.bands, self.rows, self.merge_every = bands, rows, merge_every
        self._width = bands * rows
        self._values = np.zeros((0, self._width), dtype=np.uint32)
        self._count = 0  # slots used, live or emptied
        self._merged = 0  # slots [0, _merged) are in the sorted band arrays
        self._keys = [np.zeros(0, dtype=np.uint64) for _ in range(bands)]
        self._slots = [np.zeros(0, dtype=np.int32) for _ in range(bands)]
        self._ids: list[str | None] = []
        self._slot_of: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, key: str) -> bool:
        return key in self._slot_of

    def insert(self, key: str, values: np.ndarray) -> None:
        """Index a signature (at least ``bands x rows`` hash values) under this id; an id
        already indexed is replaced."""
        if key in self._slot_of:
            self.remove(key)
        band_values = np.asarray(values[: self._width], dtype=np.uint32)
        if band_values.shape != (self._width,):
            raise ValueError(f"a signature needs at least {self._width} values")
        if self._count == len(self._values):
            grown = np.zeros((max(1024, 2 * self._count), self._width), dtype=np.uint32)
            grown[: self._count] = self._values[: self._count]
            self._values = grown
        self._values[self._count] = band_values
        self._ids.append(key)
        self._slot_of[key] = self._count
        self._count += 1
        if self._count - self._merged >= self.merge_every:
            self._merge()

    def remove(self, key: str) -> None:
        """Forget this id (KeyError when it is not indexed)."""
        slot = self._slot_of.pop(key)
        self._ids[slot] = None
        if len(self._ids) - len(self._slot_of) > max(self.merge_every, len(self._slot_of)):
            self._compact()

    def query(self, values: np.ndarray) -> list[str]:
        """Ids of the indexed signatures that share all ``rows`` values of at least one
        band with this one."""
        q = np.asarray(values[: self._width], dtype=np.uint32).reshape(self.bands, self.rows)
        keys = _band_keys(q.reshape(1, self.bands, self.rows))[0]
        found: set[int] = set()
        for band in range(self.bands):
            sorted_keys = self._keys[band]
            lo = int(np.searchsorted(sorted_keys, keys[band], side="left"))
            hi = int(np.searchsorted(sorted_keys, keys[band], side="right"))
            if lo == hi:
                continue
            slots = self._slots[band][lo:hi]
            columns = slice(band * self.rows, (band + 1) * self.rows)
            equal = (self._values[slots, columns] == q[band]).all(axis=1)
            found.update(slots[equal].tolist())
        if self._merged < self._count:
            tail = self._values[self._merged : self._count].reshape(-1, self.bands, self.rows)
            hit = (tail == q).all(axis=2).any(axis=1)
            found.update((np.flatnonzero(hit) + self._merged).tolist())
        ids = (self._ids[slot] for slot in found)
        return [key for key in ids if key is not None]

    def _merge(self) -> None:
        """Move the unsorted tail into each band's sorted arrays."""
        new_slots = np.arange(self._merged, self._count, dtype=np.int32)
        tail = self._values[self._merged : self._count].reshape(-1, self.bands, self.rows)
        new_keys = _band_keys(tail)
        for band in range(self.bands):
            order = np.argsort(new_keys[:, band], kind="stable")
            keys, slots = new_keys[order, band], new_slots[order]
            at = np.searchsorted(self._keys[band], keys, side="right")
            self._keys[band] = np.insert(self._keys[band], at, keys)
            self._slots[band] = np.insert(self._slots[band], at, slots)
        self._merged = self._count

    def _compact(self) -> None:
        """Rebuild without the emptied slots (after many removals)."""
        live = [(key, self._values[slot]) for key, slot in self._slot_of.items()]
        live.sort(key=lambda pair: self._slot_of[pair[0]])
        fresh = BandIndex(self.bands, self.rows, self.merge_every)
        for key, values in live:
            fresh.insert(key, values)
        fresh._merge()
        self.__dict__.update(fresh.__dict__)


def _band_keys(values: np.ndarray) -> np.ndarray:
    """(n, bands) 64-bit keys of (n, bands, rows) uint32 band values: the first two values
    side by side, later ones folded in by multiplication (wrapping modulo 2^64)."""
    wide = values.astype(np.uint64)
    keys = wide[..., 0].copy()
    if values.shape[-1] > 1:
        keys |= wide[..., 1] << np.uint64(32)
    for row in range(2, values.shape[-1]):
        keys ^= (wide[..., row] + np.uint64(row)) * _MIX
    return keys
