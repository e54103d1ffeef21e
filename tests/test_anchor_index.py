"""The in-memory anchor index (partnews/anchor_index.py) against a plain reference.

The reference is what the two tables it replaced answered (``item_anchors`` and
``anchor_df``, archive/relations.py before issue 17's session 7): an anchor counts when
1 to `cap` items hold it, and an item is a candidate when it holds `need` of the
counted anchors. Random items, removals, re-insertions, merges and compactions.
"""

from __future__ import annotations

import random

import pytest

from partnews.anchor_index import AnchorIndex, from_bytes, to_bytes


def reference(held: dict[str, set[int]], query: list[int], need: int, cap: int) -> list[str]:
    df = {a: sum(a in anchors for anchors in held.values()) for a in set(query)}
    rare = [a for a in set(query) if 1 <= df[a] <= cap]
    if len(rare) < need:
        return []
    return sorted(i for i, anchors in held.items() if len(anchors & set(rare)) >= need)


@pytest.mark.parametrize("merge_every", [1, 7, 1024])
def test_the_same_candidates_as_the_tables_through_inserts_removals_and_compactions(merge_every):
    rng = random.Random(merge_every)
    index = AnchorIndex(merge_every=merge_every)
    held: dict[str, set[int]] = {}
    # A small anchor space, so that anchors are shared and some pass the cap.
    space = list(range(0, 16 * 60, 16))
    checked = nonempty = 0
    for step in range(1500):
        action = rng.random()
        if action < 0.6 or not held:
            item_id = f"i{rng.randrange(400)}"  # sometimes an id already indexed
            anchors = set(rng.sample(space, rng.randint(0, 12)))
            index.insert(item_id, anchors)
            held[item_id] = anchors
        elif action < 0.8:
            item_id = rng.choice(sorted(held))
            index.remove(item_id)
            del held[item_id]
        else:
            query = rng.sample(space, rng.randint(0, 15))
            need, cap = rng.choice([(1, 5), (2, 8), (2, 100), (3, 20)])
            expected = reference(held, query, need, cap)
            assert index.candidates(query, need, cap) == expected, step
            checked += 1
            nonempty += bool(expected)
        assert len(index) == len(held)
    assert checked > 200 and nonempty > 50, "the comparison must meet candidates"


def test_removing_an_unknown_item_is_a_no_op_and_ids_are_kept_apart():
    index = AnchorIndex()
    index.remove("never")
    index.insert("a", [16, 32])
    index.insert("b", [16, 48])
    assert "a" in index and len(index) == 2
    assert index.candidates([16, 32], need=2, df_cap=10) == ["a"]
    assert index.candidates([16], need=1, df_cap=10) == ["a", "b"]
    assert index.candidates([16], need=1, df_cap=1) == [], "held by two: over the cap"


def test_anchors_round_trip_through_their_stored_bytes():
    anchors = [4_294_967_280, 16, 160]  # CRC-32s: the largest fits uint32
    assert from_bytes(to_bytes(anchors)).tolist() == sorted(anchors)
    assert from_bytes(None).tolist() == []
