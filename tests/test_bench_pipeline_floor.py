"""The floor of `bench pipeline` replays what the pipeline wrote, all of it.

The floor is only a floor if the replayed statements rebuild the pipeline's archive:
same rows in every table the store writes, with a transaction per item and with
batches. Otherwise it would time less work than the pipeline does.
"""

from __future__ import annotations

import sqlite3

from bench.bench_pipeline import record_statements, replay
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
