"""partnews.bands answers exactly what datasketch's MinHashLSH answers, with less memory.

The reference is datasketch's own index with the project's bands and rows, fed the same
signatures (real MinHash signatures of generated texts and of their light edits, random
ones, and signatures built to share one band or all but one value of a band), with
removals and re-insertions in between; the band table must return the same id set for
every query, whether the ids are in its sorted arrays or still in its unsorted tail.
"""

from __future__ import annotations

import random

import numpy as np

from bench.generate import generated_items_with_reposts
from partnews import similarity
from partnews.bands import BandIndex


def _reference():
    return similarity.new_lsh()


def _check_same(table: BandIndex, reference, queries: list[np.ndarray]) -> int:
    """Assert equal answers; return how many queries had at least one candidate."""
    nonempty = 0
    for values in queries:
        expected = set(reference.query(similarity.as_minhash(values)))
        got = table.query(values)
        assert len(got) == len(set(got))
        assert set(got) == expected
        nonempty += bool(expected)
    return nonempty


def test_same_candidates_as_datasketch_on_texts_and_their_edits():
    table = BandIndex(similarity.LSH_BANDS, similarity.LSH_ROWS, merge_every=50)
    reference = _reference()
    queries = []
    for n, (item, _) in enumerate(generated_items_with_reposts(400, 0.2)):
        values = similarity.text_signature(item["body"])
        if values is None:
            continue
        queries.append(values)
        # Query before inserting (what a save does), then index it.
        if n % 7 == 0:
            _check_same(table, reference, [values])
        table.insert(f"item-{n}", values)
        reference.insert(f"item-{n}", similarity.as_minhash(values), check_duplication=False)
    assert len(table) == len(reference.keys)
    found = _check_same(table, reference, queries)
    # Every text finds itself, and the reposts their originals.
    assert found == len(queries)


def test_same_candidates_with_shared_bands_removals_and_reinsertions():
    rng = random.Random(3)
    width = similarity.LSH_BANDS * similarity.LSH_ROWS
    table = BandIndex(similarity.LSH_BANDS, similarity.LSH_ROWS, merge_every=16)
    reference = _reference()
    base = np.array([rng.getrandbits(32) for _ in range(similarity.NUM_PERM)], dtype=np.uint32)
    signatures = {}
    for n in range(300):
        values = np.array(
            [rng.getrandbits(32) for _ in range(similarity.NUM_PERM)], dtype=np.uint32
        )
        band = rng.randrange(similarity.LSH_BANDS)
        cut = slice(band * similarity.LSH_ROWS, (band + 1) * similarity.LSH_ROWS)
        if n % 3 == 0:  # shares one whole band with the base signature
            values[cut] = base[cut]
        elif n % 3 == 1:  # shares a band but its last value: never a candidate by it
            values[cut] = base[cut]
            values[cut.stop - 1] = base[cut.stop - 1] ^ 1
        signatures[f"k{n}"] = values
    # Values past the bands never matter.
    decoy = base.copy()
    decoy[:width] = ~decoy[:width]
    for key, values in signatures.items():
        table.insert(key, values)
        reference.insert(key, similarity.as_minhash(values), check_duplication=False)
    queries = [base, decoy, *list(signatures.values())[::10]]
    assert _check_same(table, reference, queries) >= 1
    assert len(table.query(base)) == 100
    assert table.query(decoy) == []
    # Remove most, re-insert some under new values: the slots are compacted on the way.
    for n in range(0, 300, 2):
        table.remove(f"k{n}")
        reference.remove(f"k{n}")
    for n in range(0, 300, 6):
        values = signatures[f"k{(n + 3) % 300}"]
        table.insert(f"k{n}", values)
        reference.insert(f"k{n}", similarity.as_minhash(values), check_duplication=False)
    for n in range(1, 300, 4):  # replaced in place
        values = signatures[f"k{(n + 1) % 300}"]
        table.insert(f"k{n}", values)
        reference.remove(f"k{n}")
        reference.insert(f"k{n}", similarity.as_minhash(values), check_duplication=False)
    assert "k0" in table and "k2" not in table
    assert len(table) == len(reference.keys)
    assert _check_same(table, reference, [base, decoy, *signatures.values()]) >= 1


def test_an_item_costs_a_fraction_of_datasketchs():
    """The point of the table: its arrays and dict stay far below datasketch's sets."""
    import tracemalloc

    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 2**32, size=(3000, similarity.NUM_PERM), dtype=np.uint64)
    signatures = signatures.astype(np.uint32)
    ids = [f"{n:016x}" for n in range(len(signatures))]
    costs = {}
    for name in ("datasketch", "bands"):
        tracemalloc.start()
        if name == "datasketch":
            index = _reference()
            for key, values in zip(ids, signatures, strict=True):
                index.insert(key, similarity.as_minhash(values), check_duplication=False)
        else:
            index = BandIndex(similarity.LSH_BANDS, similarity.LSH_ROWS)
            for key, values in zip(ids, signatures, strict=True):
                index.insert(key, values)
        costs[name] = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del index
    assert costs["bands"] * 4 < costs["datasketch"]
