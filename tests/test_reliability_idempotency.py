"""Idempotency: a second `partnews nightly` on a mirror that has not changed archives
nothing: no item, no version, no URL, no story member and no translation link is added,
and the archive's content is the same as after the first night."""

from __future__ import annotations

from reliability.crash import differences, run_nightly, snapshot, table_counts
from reliability.runner import record


def test_a_second_night_on_an_unchanged_mirror_adds_no_row(mirror, tmp_path):
    archive = tmp_path / "partnews.db"
    first = run_nightly(mirror.url, archive)
    assert first.returncode == 0, first.stderr[-3000:]
    counts_before, content_before = table_counts(archive), snapshot(archive)
    assert counts_before["items"] > 0, "the first night archived nothing: nothing was tested"

    second = run_nightly(mirror.url, archive)
    assert second.returncode == 0, second.stderr[-3000:]
    counts_after = table_counts(archive)
    changed = differences(snapshot(archive), content_before)
    record(
        "idempotency",
        {"before": counts_before, "after": counts_after, "differences": changed},
    )

    assert counts_after == counts_before
    assert changed == {}
