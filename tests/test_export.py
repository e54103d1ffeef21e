"""`partnews export`: full JSON Lines and CSV dumps, filtered, from a real crawled archive."""

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest


def export(archive, *args) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "export", "--archive", str(archive), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr.startswith("Exported ")
    return result.stdout


@pytest.fixture(scope="module")
def rows(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    conn.row_factory = sqlite3.Row
    data = [
        dict(r)
        for r in conn.execute(
            "select items.*, events.start from items left join events on events.item_id = items.id"
        )
    ]
    conn.close()
    return data


def test_jsonl_holds_every_item_with_lists_and_event_details(crawled_archive, rows):
    exported = [json.loads(line) for line in export(crawled_archive).splitlines()]
    assert {r["id"] for r in exported} == {r["id"] for r in rows}
    by_id = {r["id"]: r for r in exported}
    for row in rows:
        assert by_id[row["id"]]["start"] == row["start"]
        if row["categories"]:
            assert by_id[row["id"]]["categories"] == json.loads(row["categories"])
    published = [r["published"] for r in exported if r["published"]]
    assert published == sorted(published, reverse=True), "newest first"


def test_csv_with_filters(crawled_archive, rows):
    text = export(crawled_archive, "--format", "csv", "--source", "sdfacc", "--kind", "event")
    exported = list(csv.DictReader(io.StringIO(text)))
    expected = {r["id"] for r in rows if r["source"] == "sdfacc" and r["kind"] == "event"}
    assert expected and {r["id"] for r in exported} == expected


def test_date_range_and_query(crawled_archive, rows):
    text = export(crawled_archive, "--since", "2019-01-01", "--until", "2019-12-31")
    exported = [json.loads(line) for line in text.splitlines()]
    expected = {
        r["id"]
        for r in rows
        if r["published"] and "2019-01-01" <= r["published"][:10] <= "2019-12-31"
    }
    assert expected and {r["id"] for r in exported} == expected
    marseille = [
        json.loads(line) for line in export(crawled_archive, "--query", "Marséille").splitlines()
    ]
    assert marseille and all(
        "marseille" in " ".join(filter(None, [r["title"], r["summary"], r["body"]])).lower()
        for r in marseille
    )


def test_a_missing_archive_says_what_to_do(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "export", "--archive", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Run `partnews crawl` first" in result.stderr
