"""Tests for `partnews parse-date`: the real command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def partnews(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m partnews.cli parse-date ARGS` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "partnews.cli", "parse-date", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_texts_as_arguments_give_one_json_object_each():
    done = partnews("--lang", "fr", "--tz", "Europe/Paris", "publié le 23 JUIL 2018 à 09:00",
                    "du 14 au 16 février 2017")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout) == [
        {
            "input": "publié le 23 JUIL 2018 à 09:00",
            "start": "2018-07-23T09:00:00+02:00",  # Paris in July: UTC+2
            "end": None,
            "precision": "datetime",
            "language": "fr",
        },
        {
            "input": "du 14 au 16 février 2017",
            "start": "2017-02-14",
            "end": "2017-02-16",
            "precision": "day",
            "language": "fr",
        },
    ]
    assert "\\u" not in done.stdout  # accents are printed as they are


def test_text_without_date_is_an_answer_not_an_error():
    done = partnews("Dernière mise à jour :")
    assert done.returncode == 0, done.stderr
    [result] = json_lines(done.stdout)
    assert result["start"] is None and result["precision"] is None


def test_stdin_mode_reads_one_text_per_line():
    lines = "28 Januar 2019 / Cosmetics\n\n05 May 2022 / invest in provence\n"
    done = partnews("-", stdin=lines)
    assert done.returncode == 0, done.stderr
    results = json_lines(done.stdout)
    assert [r["input"] for r in results] == [
        "28 Januar 2019 / Cosmetics",
        "",
        "05 May 2022 / invest in provence",
    ]
    assert [r["start"] for r in results] == ["2019-01-28", None, "2022-05-05"]


def test_stdin_and_arguments_mix_in_order():
    done = partnews("2019-05-14", "-", "2019", stdin="20191010\r\n")
    assert done.returncode == 0, done.stderr
    assert [r["start"] for r in json_lines(done.stdout)] == ["2019-05-14", "2019-10-10", "2019"]


def test_base_places_dates_without_a_year():
    done = partnews("--base", "2018-08-20", "du 27 au 30 août", "le 31 août dernier")
    assert done.returncode == 0, done.stderr
    first, second = json_lines(done.stdout)
    assert (first["start"], first["end"]) == ("2018-08-27", "2018-08-30")
    assert second["start"] == "2017-08-31"  # "dernier": the last 31 August before base


def test_day_first_and_month_first():
    day_first = partnews("--day-first", "07/03/2014")
    month_first = partnews("--month-first", "07/03/2014")
    undecided = partnews("07/03/2014")
    assert json_lines(day_first.stdout)[0]["start"] == "2014-03-07"
    assert json_lines(month_first.stdout)[0]["start"] == "2014-07-03"
    assert json_lines(undecided.stdout)[0]["start"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["--base", "2019-13-01", "x"],
        ["--base", "yesterday", "x"],
        ["--tz", "Mars/Olympus_Mons", "x"],
        ["--lang", "xx", "x"],
        ["--lang", ",", "x"],
        ["--day-first", "--month-first", "x"],
        [],
    ],
)
def test_bad_options_exit_2(args):
    done = partnews(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "usage:" in done.stderr


def test_help_shows_an_example():
    done = partnews("--help")
    assert done.returncode == 0
    assert "partnews parse-date --lang fr" in done.stdout
    assert "--base" in done.stdout and "--month-first" in done.stdout


def test_listed_in_partnews_help():
    done = subprocess.run(
        [sys.executable, "-m", "partnews.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "parse-date" in done.stdout
