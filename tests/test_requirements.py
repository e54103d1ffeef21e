"""The one rule for what a test needs from outside the repository: skip with how to get
it on a workstation, fail in CI (CI=true) with the same message (tests/requirements.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import tests.conftest as conftest
from tests import requirements
from tests.realdata import params


@pytest.fixture
def ci(monkeypatch):
    monkeypatch.setenv("CI", "true")


@pytest.fixture
def workstation(monkeypatch):
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def nothing_installed(monkeypatch, tmp_path):
    """No shared folder, no chromium, no pywb: every place they are looked for is empty."""
    monkeypatch.setenv("PARTNEWS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("PARTNEWS_PYWB_BIN", str(tmp_path / "no-pywb"))
    monkeypatch.delenv("PARTNEWS_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))


def test_in_ci_a_missing_part_fails_saying_what_and_how(ci):
    with pytest.raises(pytest.fail.Exception) as failed:
        requirements.require("the widget", False, "run `make widget`")
    assert str(failed.value).startswith("the widget not found: run `make widget`")
    assert "CI=true" in str(failed.value)


def test_on_a_workstation_a_missing_part_skips_with_the_same_message(workstation):
    with pytest.raises(pytest.skip.Exception) as skipped:
        requirements.require("the widget", False, "run `make widget`")
    assert str(skipped.value) == "the widget not found: run `make widget`"


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_ci_set_to_false_is_a_workstation(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        requirements.require("the widget", False, "run `make widget`")


def test_a_part_that_is_there_neither_skips_nor_fails(ci):
    assert requirements.require("the widget", True, "run `make widget`") is None


@pytest.mark.parametrize(
    ("need", "says"),
    [
        (lambda: requirements.need_shared("realdata/x.ics"), "../shared"),
        (requirements.need_chromium, "make chromium"),
        (requirements.need_pywb, "make pywb"),
    ],
    ids=["shared", "chromium", "pywb"],
)
def test_each_need_fails_in_ci_and_skips_elsewhere_saying_how(
    need, says, nothing_installed, monkeypatch
):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=says):
        need()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=says):
        need()


def test_the_stand_in_parameter_for_absent_shared_data_fails_in_ci(nothing_installed, ci):
    [stand_in] = params("ics")
    assert stand_in.values == (None,)
    [mark] = stand_in.marks
    item = SimpleNamespace(get_closest_marker=lambda name: mark if name == mark.name else None)
    with pytest.raises(pytest.fail.Exception, match="../shared"):
        conftest.pytest_runtest_setup(item)


def test_the_shared_data_is_found_where_the_environment_says(monkeypatch, tmp_path, ci):
    (tmp_path / "realdata").mkdir()
    (tmp_path / "realdata" / "a.ics").write_text("BEGIN:VCALENDAR")
    monkeypatch.setenv("PARTNEWS_SHARED", str(tmp_path))
    assert requirements.need_shared("realdata/a.ics") == tmp_path / "realdata" / "a.ics"
