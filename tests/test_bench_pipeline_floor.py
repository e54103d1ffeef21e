"""The floor of `bench pipeline` replays what the pipeline wrote, all of it.

The floor is only a floor if the replayed statements rebuild the pipeline's archive:
same rows in every table the store writes, with a transaction per item and with
batches. Otherwise it would time less work than the pipeline does.
"""

from __future__ import annotations

import sqlite3

from bench.bench_pipeline import record_statements, replay, run_pipeline
from bench.generate import generated_items

TABLES = (
    "items",
    "item_versions",
    "item_urls",
    "item_signatures",
    "item_leads",
    "story_members",
    "item_evidence",
    "evidence_df",
    "item_arrivals",
    "items_fts",
)


def dump(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(map(repr, conn.execute(f"select * from {t}"))) for t in TABLES}
    finally:
        conn.close()


def test_the_replayed_statements_rebuild_the_pipelines_archive(tmp_path):
    items = list(generated_items(60))
    log, ends = record_statements(items, tmp_path / "recorded.db")
    assert len(ends) == 60 and ends == sorted(ends) and ends[-1] == len(log)
    recorded = dump(tmp_path / "recorded.db")
    assert len(recorded["items"]) == 60 and recorded["item_signatures"]
    for batch in (None, 7):
        path = tmp_path / f"replayed-{batch}.db"
        assert replay(log, ends, path, batch=batch) > 0
        assert dump(path) == recorded, f"batch={batch}"


def test_the_batched_pipeline_writes_what_the_per_item_pipeline_writes(tmp_path):
    """The bench's batched row times the same work: the same rows in every table, with
    the same items' content (timestamps aside, which differ between the two runs)."""
    items = list(generated_items(60))
    _, per_item = run_pipeline(items, tmp_path / "per-item.db")
    _, batched = run_pipeline(items, tmp_path / "batched.db", batch=7)
    assert [i["id"] for i in batched] == [i["id"] for i in per_item] and len(per_item) == 60
    counts = {}
    for name in ("per-item", "batched"):
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        counts[name] = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
        counts[name]["content"] = sorted(
            conn.execute("select id, content_hash, language, title from items").fetchall()
        )
        conn.close()
    assert counts["batched"] == counts["per-item"]
