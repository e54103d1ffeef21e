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

How: one sorted array of 64-bit keys (a mix of a band's values, tagged with the band's
number) with the slot of each item; a query looks its keys up with one binary search and
keeps the slots whose band values are equal (the key only narrows the search: equality
is decided on the values, so a key collision never makes a candidate). Inserted items
wait in a small unsorted tail, looked up by key in one numpy comparison, until
``merge_every`` of them are merged into the sorted arrays. A removed item's slot is
emptied; the slots are compacted when more than half are empty.

Pure, in-memory, no I/O (archive/relations.py fills it from the archive's signatures).
"""

from __future__ import annotations

import numpy as np

# The odd multipliers that fold a band's third and later values into its 64-bit key.
_MIX = np.uint64(0x9E3779B97F4A7C15)


class BandIndex:
    """Ids of signatures sharing a band with a query signature (see the module docstring)."""

    def __init__(self, bands: int, rows: int, merge_every: int = 1024) -> None:
        if not 1 <= bands <= 1 << _BAND_BITS:
            raise ValueError(f"at most {1 << _BAND_BITS} bands")
        self.bands, self.rows, self.merge_every = bands, rows, merge_every
        self._width = bands * rows
        self._values = np.zeros((0, self._width), dtype=np.uint32)
        self._count = 0  # slots used, live or emptied
        self._merged = 0  # slots [0, _merged) are in the sorted arrays
        # One sorted array for every band: a band's keys carry its number in their top
        # bits, so one binary search looks up all the bands of a query at once.
        self._keys = np.zeros(0, dtype=np.uint64)
        self._slots = np.zeros(0, dtype=np.int32)
        # The tagged keys of the unsorted tail, one row per slot not yet merged.
        self._tail_keys = np.zeros((merge_every, bands), dtype=np.uint64)
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
        shaped = band_values.reshape(1, self.bands, self.rows)
        self._tail_keys[self._count - self._merged] = self._tagged_keys(shaped)[0]
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
        keys = self._tagged_keys(q.reshape(1, self.bands, self.rows))[0]
        lows = np.searchsorted(self._keys, keys, side="left")
        highs = np.searchsorted(self._keys, keys, side="right")
        found: set[int] = set()
        for band in np.flatnonzero(highs > lows).tolist():
            self._keep_equal(found, self._slots[lows[band] : highs[band]], band, q[band])
        pending = self._count - self._merged
        if pending:
            hits = np.flatnonzero(self._tail_keys[:pending] == keys)
            for row, band in zip(*np.divmod(hits, self.bands), strict=True):
                slot = np.array([self._merged + row], dtype=np.int32)
                self._keep_equal(found, slot, int(band), q[band])
        ids = (self._ids[slot] for slot in found)
        return [key for key in ids if key is not None]

    def _keep_equal(self, found: set[int], slots: np.ndarray, band: int, q: np.ndarray) -> None:
        """Add the slots whose values in this band equal the query's (the key only
        narrowed the search)."""
        columns = slice(band * self.rows, (band + 1) * self.rows)
        equal = (self._values[slots, columns] == q).all(axis=1)
        found.update(slots[equal].tolist())

    def _tagged_keys(self, values: np.ndarray) -> np.ndarray:
        """(n, bands) keys of (n, bands, rows) band values, each band's number in the top
        bits."""
        keys = _band_keys(values) >> np.uint64(_BAND_BITS)
        tags = np.arange(self.bands, dtype=np.uint64) << np.uint64(64 - _BAND_BITS)
        return keys | tags

    def _merge(self) -> None:
        """Move the unsorted tail into the sorted arrays."""
        tail = self._values[self._merged : self._count].reshape(-1, self.bands, self.rows)
        new_keys = self._tagged_keys(tail).ravel()
        new_slots = np.repeat(np.arange(self._merged, self._count, dtype=np.int32), self.bands)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_slots = new_keys[order], new_slots[order]
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._slots = np.insert(self._slots, at, new_slots)
        self._merged = self._count

    def _compact(self) -> None:
        """Rebuild without the emptied slots (after many removals)."""
        live = sorted(self._slot_of.items(), key=lambda pair: pair[1])
        fresh = BandIndex(self.bands, self.rows, self.merge_every)
        for key, slot in live:
            fresh.insert(key, self._values[slot])
        fresh._merge()
        self.__dict__.update(fresh.__dict__)


# Bits of a key that carry its band's number (so at most 16 bands).
_BAND_BITS = 4


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
