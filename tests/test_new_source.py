"""`partnews new-source` on a copy of the repository: the scaffolded sources crawl end to
end through the mirror (their generated tests pass), and a refused source writes nothing.

The repository is copied once (without .venv, .git, data, test-output) and the command
runs there as a user runs it, so /work/main's own registry and folders never change.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from crawler.spiders.generic import GenericNewsSpider, Listing
from partnews import REPO_ROOT
from partnews.cli import main
from tests.requirements import require

IGNORED = (".venv", ".git", "data", "test-output", "__pycache__", ".pytest_cache")
IGNORED += (".ruff_cache", ".hypothesis")
# The scaffolded sources: (id, cms, name, homepage, extra arguments).
SOURCES = [
    ("port_news", "wordpress", "Port News", "https://www.port-news.org/", []),
    ("ville_test", "drupal", "Ville de Test", "https://www.ville-test.fr/", []),
    (
        "sd_gazette",
        "generic",
        "SD Gazette",
        "https://sdgazette.com/",
        ["--relevance", "filtered", "--languages", "en,es"],
    ),
]


def command(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m partnews.cli ARGS` run in the copy, on the copy's code."""
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the copy's crawler/ and tests/, with its content."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for folder in ("crawler", "tests")
        for path in (root / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo") / "partnews"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(*IGNORED))
    return root


@pytest.fixture(scope="module")
def scaffolded(repo) -> dict:
    """The three sources made in the copy; the registry's text before and the outputs."""
    registry_before = (repo / "crawler" / "sources.toml").read_text(encoding="utf-8")
    outputs = {}
    for source_id, cms, name, homepage, extra in SOURCES:
        args = ["new-source", source_id, "--cms", cms, "--name", name, "--homepage", homepage]
        result = command(repo, "partnews.cli", *args, *extra, "--root", str(repo))
        assert result.returncode == 0, result.stderr
        outputs[source_id] = result.stdout
    return {"registry_before": registry_before, "outputs": outputs}


def registry(repo: Path) -> dict:
    with open(repo / "crawler" / "sources.toml", "rb") as f:
        return tomllib.load(f)


def test_blocks_are_appended_and_the_others_kept(repo, scaffolded):
    text = (repo / "crawler" / "sources.toml").read_text(encoding="utf-8")
    assert text.startswith(scaffolded["registry_before"])
    blocks = registry(repo)
    assert list(blocks)[-3:] == [s[0] for s in SOURCES]
    original = tomllib.loads(scaffolded["registry_before"])
    assert {k: blocks[k] for k in original} == original


def test_registry_fields_follow_the_arguments(repo, scaffolded):
    blocks = registry(repo)
    port = blocks["port_news"]
    assert port["hosts"] == ["www.port-news.org", "port-news.org"]
    assert port["prefer_www"] is True
    assert (port["side"], port["languages"], port["timezone"]) == (
        "San Diego",
        ["en"],
        "America/Los_Angeles",
    )
    assert port["day_first"] is False
    assert (port["cms"], port["relevance"], port["kinds"]) == ("wordpress", "all", ["news"])
    assert port["spider"] == {}, "WordPress needs no attribute: the REST API is standard"

    ville = blocks["ville_test"]  # a .fr host: the Région Sud side, in French, in Paris
    assert (ville["side"], ville["languages"], ville["timezone"]) == (
        "Région Sud",
        ["fr"],
        "Europe/Paris",
    )
    assert ville["day_first"] is True
    assert ville["spider"]["listing_paths"] == ["/actualites"]

    gazette = blocks["sd_gazette"]  # a bare host: its www twin is a host too
    assert gazette["hosts"] == ["sdgazette.com", "www.sdgazette.com"]
    assert gazette["prefer_www"] is False
    assert gazette["languages"] == ["en", "es"]
    assert gazette["relevance"] == "filtered"


def test_mirror_folders_are_valid_sites_of_their_cms(repo, scaffolded):
    for source_id, cms, _, homepage, _ in SOURCES:
        host = homepage.split("/")[2]
        folder = repo / "tests" / "sites" / host
        settings = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
        assert settings["cms"] == cms
        assert host in settings["hosts"]
        assert f"test_source_{source_id}.py" in (folder / "README.md").read_text()
    assert len(list((repo / "tests/sites/www.ville-test.fr/nodes").glob("*.fr.md"))) == 2


def test_output_says_what_was_made_and_what_next(scaffolded):
    out = scaffolded["outputs"]["ville_test"]
    assert "appended to crawler/sources.toml" in out
    assert "created tests/sites/www.ville-test.fr/site.toml" in out
    assert "created tests/test_source_ville_test.py" in out
    assert ".venv/bin/pytest tests/test_source_ville_test.py" in out
    assert "crawler/spiders/ville_test.py" not in out, "no spider file unless asked"


def test_scrapy_lists_the_configured_spiders(repo, scaffolded):
    result = command(repo, "scrapy", "list")
    assert result.returncode == 0, result.stderr
    assert {s[0] for s in SOURCES} <= set(result.stdout.split())
    assert not any((repo / "crawler" / "spiders" / f"{s[0]}.py").exists() for s in SOURCES)


def test_generated_tests_crawl_every_item_through_the_mirror(repo, scaffolded):
    tests = [f"tests/test_source_{s[0]}.py" for s in SOURCES]
    result = command(repo, "pytest", "-q", "-p", "no:cacheprovider", *tests)
    assert result.returncode == 0, result.stdout[-3000:]
    # Per file: the folder has items, all archived once, then each of the two items.
    assert f"{4 * len(SOURCES)} passed" in result.stdout

    # And they fail when the crawl misses an item: a node the spider's pattern skips.
    node = repo / "tests/sites/www.ville-test.fr/nodes/3.fr.md"
    node.write_text(
        '+++\nnid = 3\nlangcode = "fr"\ntitle = "Hors des actualités"\n'
        'alias = "/blog/hors-des-actualites"\ncreated = 2024-02-01T11:00:00+01:00\n+++\n'
        "Un texte d'exemple.\n",
        encoding="utf-8",
    )
    try:
        result = command(repo, "pytest", "-q", "-p", "no:cacheprovider", tests[1])
    finally:
        node.unlink()
    assert result.returncode == 1
    assert "/blog/hors-des-actualites was not archived" in result.stdout


def test_spider_file_is_a_subclass_with_the_attributes(repo, scaffolded, capsys):
    args = ["new-source", "riviera_daily", "--cms", "generic", "--name", "Riviera Daily"]
    args += ["--homepage", "https://www.riviera-daily.fr/", "--spider-file", "--root", str(repo)]
    assert main(args) == 0
    path = repo / "crawler" / "spiders" / "riviera_daily.py"
    assert f"created {path.relative_to(repo)}" in capsys.readouterr().out
    spider = runpy.run_path(str(path))["RivieraDailySpider"]
    assert issubclass(spider, GenericNewsSpider)
    assert spider.name == "riviera_daily"
    assert spider.listings == (Listing("/actualites"),)
    assert spider.article_path_pattern.match("/actualites/une-visite")
    block = registry(repo)["riviera_daily"]
    assert "spider" not in block, "its attributes live in the spider file"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sdfacc", "--cms", "wordpress", "--homepage", "https://www.other-site.org/"],
            "source 'sdfacc' is already in crawler/sources.toml",
        ),
        (
            ["Port-News", "--cms", "wordpress", "--homepage", "https://www.other-site.org/"],
            "'Port-News' is not a valid source id",
        ),
        (
            ["class", "--cms", "drupal", "--homepage", "https://www.other-site.org/"],
            "'class' is not a valid source id",
        ),
        (
            ["other_site", "--cms", "generic", "--homepage", "www.other-site.org"],
            "'www.other-site.org' is not a homepage URL",
        ),
        (
            ["other_site", "--cms", "generic", "--homepage", "ftp://other-site.org/"],
            "'ftp://other-site.org/' is not a homepage URL",
        ),
        (
            ["other_site", "--cms", "generic", "--homepage", "https://france-sandiego.org/"],
            "france-sandiego.org is already a host of source 'sdfacc'",
        ),
        (
            ["other_site", "--cms", "generic", "--homepage", "https://www.other-site.org/"]
            + ["--timezone", "Europe/Marseille"],
            "'Europe/Marseille' is not an IANA timezone",
        ),
    ],
    ids=["duplicate id", "bad id", "keyword id", "no scheme", "not http", "host taken", "zone"],
)
def test_refused_sources_write_nothing(repo, scaffolded, capsys, args, message):
    before = snapshot(repo)
    assert main(["new-source", *args, "--name", "Other", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("new-source: nothing written: ")
    assert message in err
    assert snapshot(repo) == before


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["new-source", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "partnews new-source " in out
    assert "--cms {wordpress,drupal,generic,press}" in out


def test_generated_python_is_ruff_clean(repo, scaffolded):
    found = importlib.util.find_spec("ruff") is not None
    require("ruff (a dev dependency)", found, "pip install -e '.[dev]' (make venv)")
    files = [f"tests/test_source_{s[0]}.py" for s in SOURCES]
    files += [str(p.relative_to(repo)) for p in (repo / "crawler/spiders").glob("riviera_*.py")]
    result = command(repo, "ruff", "check", *files)
    assert result.returncode == 0, result.stdout
    result = command(repo, "ruff", "format", "--check", *files)
    assert result.returncode == 0, result.stdout
