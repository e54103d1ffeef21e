"""The scheduling files in deploy/ call commands that exist, with options that parse."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import yaml

from partnews.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def partnews_args(command: str) -> list[str]:
    """The arguments after `partnews` in a shell command line (cd … && …/partnews …)."""
    words = shlex.split(command.split("&&")[-1].split(">>")[0])
    start = next(i for i, w in enumerate(words) if w.endswith("partnews"))
    return words[start + 1 :]


def test_the_crontab_lines_run_nightly_with_options_that_parse():
    lines = [
        line
        for line in (DEPLOY / "partnews-nightly.crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 2  # six incremental nights, one full pass
    full = []
    for line in lines:
        fields = line.split(None, 5)
        minute, hour = int(fields[0]), int(fields[1])
        assert 0 <= minute < 60 and 0 <= hour < 24
        args = build_parser().parse_args(partnews_args(fields[5]))
        assert args.command == "nightly"
        full.append(args.full)
    assert full == [False, True]


def read_unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read(DEPLOY / name)
    return unit


def test_the_systemd_timer_starts_the_service_which_runs_nightly():
    timer = read_unit("partnews-nightly.timer")
    service = read_unit("partnews-nightly.service")
    assert timer["Timer"]["Unit"] == "partnews-nightly.service"
    assert timer["Timer"]["OnCalendar"].startswith("*-*-*")
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert service["Service"]["Type"] == "oneshot"
    args = build_parser().parse_args(partnews_args(service["Service"]["ExecStart"]))
    assert args.command == "nightly"
    assert args.archive == "/srv/partnews/data/partnews.db"


def workflow_steps() -> list[dict]:
    workflow = yaml.safe_load((DEPLOY / "nightly-github-actions.yml").read_text())
    [job] = workflow["jobs"].values()
    return job["steps"]


def test_the_workflow_restores_the_archive_crawls_keeps_warcs_and_publishes():
    steps = workflow_steps()
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    order = [
        uses.index("actions/cache/restore"),
        next(i for i, s in enumerate(steps) if "partnews nightly" in s.get("run", "")),
        uses.index("actions/cache/save"),
        uses.index("actions/upload-artifact"),
        next(i for i, s in enumerate(steps) if "datasette publish" in s.get("run", "")),
    ]
    assert order == sorted(order)
    upload = steps[uses.index("actions/upload-artifact")]
    assert "data/warc/" in upload["with"]["path"]


def test_the_workflow_calls_real_commands_with_real_options():
    from click.testing import CliRunner
    from datasette.cli import cli

    for step in workflow_steps():
        run = step.get("run")
        if not run:
            continue
        # GitHub's ${{ … }} expressions are filled in by Actions: "--full" or nothing.
        words = shlex.split(re.sub(r"\$\{\{.*?\}\}", "", run))
        if words[0] == "partnews":
            args = build_parser().parse_args(words[1:])
            assert args.command == "nightly" and args.warc_dir == "data/warc"
        elif words[0] == "datasette":
            assert words[1:3] == ["publish", "cloudrun"]
            help_text = CliRunner().invoke(cli, ["publish", "cloudrun", "--help"]).output
            for option in (w for w in words if w.startswith("--")):
                assert option in help_text, option
        else:
            assert words[0] == "python", run
