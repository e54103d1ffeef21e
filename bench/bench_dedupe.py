"""Near-duplicate check at archive scale: MinHash LSH against exact pairwise Jaccard.

100,000 generated items (bench.generate, about 5 % of them light edits of a recent item
on the other site) go into an archive file. For each, the near-duplicate check runs as
`Archive.save_item` runs it (archive.relations: signature, LSH query after reading the
signatures written since, exact confirmation, signature row, story) and is timed; peak
memory is the process's peak resident set. The items rows themselves are written in
batches beside the check and not timed: bench_pipeline measures the store.

Baseline, in the same run: exact pairwise Jaccard of SAMPLE items against the REFERENCE
items before them (what the LSH avoids), timed per item, and the LSH's precision and
recall against it; recall is also given over the whole run, against the generator's own
list of reposts.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from archive import relations
from archive.store import Archive, _item_row, utc_now
from bench import bench_pairs
from bench.generate import generated_items_with_reposts
from partnews import similarity
from partnews.text import content_hash
from pipelines.dedupe import new_item_id

COUNT = int(os.environ.get("BENCH_DEDUPE_ITEMS", "100000"))
REFERENCE = int(os.environ.get("BENCH_DEDUPE_REFERENCE", "10000"))
SAMPLE = int(os.environ.get("BENCH_DEDUPE_SAMPLE", "1000"))
RATE = 0.05
BATCH = 1000
QUICK = {"items": 600, "reference": 200, "sample": 50}
FIGURE_LABEL = "LSH check against the archive"
BASELINE_LABEL = "baseline: exact pairwise Jaccard"


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_all(count: int, reference: int, sample: int) -> dict:
    """Archive count items, timing the near-duplicate check of each; the peak memory is
    read before anything else is held, so it is the archive's."""
    results: dict = {
        "check_seconds": 0.0,
        "rss_start_mb": peak_rss_mb(),
        "candidates": {},
        "same_item": 0,
        "check_cpu_seconds": 0.0,
    }
    labelled: list[tuple[str, str]] = []  # (repost id, original id), from the generator
    ids: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "bench.db")
        db, index, now = archive.db, archive.reposts, utc_now()
        items = generated_items_with_reposts(count, RATE)
        for batch_start in range(0, count, BATCH):
            with db.conn:  # one transaction per batch; reads see its writes
                for n in range(batch_start, min(batch_start + BATCH, count)):
                    item, original = next(items)
                    item_id = ids[n] = new_item_id(item["url"])
                    item.update(id=item_id, content_hash=content_hash(item["title"], item["body"]))
                    db["items"].insert(dict(_item_row(item), first_seen=now, version=1))
                    if original is not None:
                        labelled.append((item_id, ids[original]))
                    if reference <= n < reference + sample:
                        # The sample's raw LSH candidates, before confirmation.
                        index.refresh(db)
                        values = similarity.text_signature(item["body"])
                        found = index.candidates(values) if values is not None else []
                        results["candidates"][item_id] = set(found)
                    start, cpu_start = time.perf_counter(), time.process_time()
                    # The whole duplicate check of one item: the same article at another
                    # URL of its site (dedupe), reposts by Jaccard and by containment,
                    # and translations by cross-language evidence.
                    if relations.same_item_elsewhere(db, index, item) is not None:
                        results["same_item"] += 1
                    matches = relations.check_reposts(
                        db, index, item_id, item["source"], "news", item["body"]
                    )
                    relations.join_story(db, item_id, matches, now)
                    relations.link_translations_by_evidence(db, item_id, item, now)
                    results["check_seconds"] += time.perf_counter() - start
                    results["check_cpu_seconds"] += time.process_time() - cpu_start
        results["rss_after_checks_mb"] = peak_rss_mb()
        results["stories"] = dict(
            db.execute("select item_id, story_id from story_members").fetchall()
        )
        archive.close()
    results["labelled"], results["ids"] = labelled, ids
    return results


def pairwise(
    ids: dict[int, str], count: int, reference: int, sample: int
) -> tuple[float, int, set[tuple[str, str]]]:
    """Exact Jaccard of each sample item with each reference item before it (the same
    generated items again): (seconds, items compared, pairs >= the threshold)."""
    shingled = [
        (ids[n], similarity.shingles(item["body"]))
        for n, (item, _) in zip(
            range(reference + sample), generated_items_with_reposts(count, RATE), strict=False
        )
    ]
    reference_items, sample_items = shingled[:reference], shingled[reference:]
    start = time.perf_counter()
    pairs = set()
    for item_id, shingle_set in sample_items:
        for other_id, other_set in reference_items:
            if similarity.jaccard(shingle_set, other_set) >= similarity.REPOST_THRESHOLD:
                pairs.add((item_id, other_id))
    return time.perf_counter() - start, len(sample_items), pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench dedupe", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=COUNT, help=f"(default {COUNT:,})")
    parser.add_argument("--reference", type=int, default=REFERENCE, help="pairwise reference")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="pairwise sample")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK}, to check it works")
    parser.add_argument(
        "--pairs",
        type=Path,
        help="instead: precision and recall of each relation on a directory of labelled "
        "pairs (bench/bench_pairs.py)",
    )
    args = parser.parse_args(argv)
    if args.pairs:
        return bench_pairs.main([str(args.pairs)])
    sizes = QUICK if args.quick else vars(args)
    count, reference, sample = sizes["items"], sizes["reference"], sizes["sample"]
    results = check_all(count, reference, sample)
    ids, stories = results["ids"], results["stories"]
    pairwise_s, compared, truth = pairwise(ids, count, reference, sample)
    reference_ids = {ids[n] for n in range(min(reference, count))}
    sample_ids = [ids[n] for n in range(reference, min(reference + sample, count))]

    def same_story(a: str, b: str) -> bool:
        return a in stories and stories.get(a) == stories.get(b)

    linked = {
        (item_id, other)
        for item_id in sample_ids
        if item_id in stories
        for other in reference_ids
        if same_story(item_id, other)
    }
    raw = {
        (item_id, other)
        for item_id, found in results["candidates"].items()
        for other in found
        if other in reference_ids
    }
    labelled = results["labelled"]
    label_recall = sum(same_story(a, b) for a, b in labelled) / max(len(labelled), 1)
    check_ms = 1000 * results["check_seconds"] / count
    pairwise_ms = 1000 * pairwise_s / max(compared, 1)
    scaled = pairwise_ms * count / max(reference, 1)

    print(
        f"{count:,} generated items ({RATE:.0%} light-edit reposts); "
        f"{similarity.SHINGLE_WORDS}-word shingles, MinHash {similarity.NUM_PERM} permutations, "
        f"LSH {similarity.LSH_BANDS} bands x {similarity.LSH_ROWS} rows, "
        f"threshold {similarity.REPOST_THRESHOLD}\n"
    )
    print(f"| {'what':<56} | {'ms/item':>9} | {'÷ LSH':>7} |")
    print(f"|{'-' * 58}|{'-' * 11}|{'-' * 9}|")
    rows = (
        (f"{FIGURE_LABEL} (up to {count:,} items)", check_ms),
        (f"{BASELINE_LABEL} against {reference:,} items", pairwise_ms),
        (f"baseline scaled to {count:,} items", scaled),
    )
    for label, ms in rows:
        print(f"| {label:<56} | {ms:>9.3f} | {ms / check_ms:>7.1f} |")
    print(
        f"\nCPU time of the check (this process only, whatever else runs on the machine): "
        f"{1000 * results['check_cpu_seconds'] / count:.3f} ms/item; load average at the "
        f"end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"\npeak memory (RSS): {results['rss_after_checks_mb']:.0f} MB after the checks "
        f"({results['rss_start_mb']:.0f} MB at start)"
    )
    print(
        f"\nsample: {compared} items against {reference:,}: {len(truth)} pairs with "
        f"Jaccard >= {similarity.REPOST_THRESHOLD} by exact pairwise comparison"
    )
    print(
        f"- LSH candidates before confirmation: {len(raw)}, "
        f"precision {len(raw & truth) / max(len(raw), 1):.1%}, "
        f"recall {len(raw & truth) / max(len(truth), 1):.1%}"
    )
    print(
        f"- linked in one story: {len(linked)}, "
        f"precision {len(linked & truth) / max(len(linked), 1):.1%}, "
        f"recall {len(linked & truth) / max(len(truth), 1):.1%}"
    )
    print(
        "items the same-site check matched to an earlier item of their own source (a "
        f"generated repost of a repost returns to the first site): {results['same_item']}"
    )
    print(
        f"whole run: {len(labelled):,} generated reposts, {label_recall:.1%} in their "
        f"original's story (an edit can leave less than {similarity.REPOST_THRESHOLD} Jaccard)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
