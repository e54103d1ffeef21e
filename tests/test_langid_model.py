"""The cached copy of py3langid's model (partnews/langid_model.py): same answers as the
packaged model, written once, never trusted when damaged, optional when unwritable."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from partnews import langid_model

TEXTS = [
    "La Région Sud et San Diego signent un accord de coopération pour les jeunes pousses.",
    "The chamber hosts a trade mission to Marseille with twelve San Diego companies.",
    "Die Delegation aus Kalifornien besucht im Mai die Unternehmen in der Provence.",
]


@pytest.fixture(scope="module")
def packaged() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def answers(identifier: LanguageIdentifier) -> list[tuple[str, float]]:
    return [identifier.classify(text) for text in TEXTS]


def test_first_load_writes_the_copy_and_the_next_reads_it(tmp_path, monkeypatch, packaged):
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    copy = langid_model.cached_model_path()
    assert not copy.exists()
    first = langid_model.load_identifier()
    assert copy.exists() and copy.parent == tmp_path
    assert [p.name for p in tmp_path.iterdir()] == [copy.name]  # no temporary left
    second = langid_model.load_identifier()
    assert answers(first) == answers(second) == answers(packaged)
    # Restricted to the partners' languages too, as partnews.language uses it.
    second.set_languages(["en", "fr", "de", "es"])
    restricted = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted.set_languages(["en", "fr", "de", "es"])
    assert answers(second) == answers(restricted)


def test_a_damaged_copy_is_reported_and_replaced(tmp_path, monkeypatch, packaged, caplog):
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    langid_model.load_identifier()
    copy = langid_model.cached_model_path()
    automaton = copy / "nextmove.npy"
    size = automaton.stat().st_size
    automaton.write_bytes(automaton.read_bytes()[: size // 3])  # a file cut short
    with caplog.at_level(logging.WARNING, logger="partnews.langid_model"):
        identifier = langid_model.load_identifier()
    assert "unreadable" in caplog.text and str(copy) in caplog.text
    assert answers(identifier) == answers(packaged)
    assert automaton.stat().st_size == size


def test_a_copy_missing_a_member_is_replaced(tmp_path, monkeypatch, packaged, caplog):
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    langid_model.load_identifier()
    copy = langid_model.cached_model_path()
    (copy / "ptc.npy").unlink()
    with caplog.at_level(logging.WARNING, logger="partnews.langid_model"):
        identifier = langid_model.load_identifier()
    assert "unreadable" in caplog.text
    assert answers(identifier) == answers(packaged)
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        f"{name}.npy" for name in langid_model.MEMBERS
    )


def test_the_copy_is_mapped_not_read(tmp_path, monkeypatch):
    """The large arrays stay in the file, shared by every process that maps it: the
    automaton is a memoryview of the mapped file and the table a memory map."""
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    langid_model.load_identifier()  # writes the copy
    identifier = langid_model.load_identifier()
    assert isinstance(identifier.tk_nextmove, memoryview)
    assert isinstance(identifier.tk_nextmove.obj, np.memmap)
    assert isinstance(identifier.nb_ptc.base, np.memmap)


def test_a_copy_in_the_previous_format_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    stale = tmp_path / "py3langid-model-1.0-1-1.npz"
    stale.write_bytes(b"an uncompressed npz of the previous release")
    langid_model.load_identifier()
    assert [p.name for p in tmp_path.iterdir()] == [langid_model.cached_model_path().name]


def test_an_unwritable_cache_falls_back_to_the_packaged_model(
    tmp_path, monkeypatch, packaged, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(blocker / "partnews"))
    with caplog.at_level(logging.WARNING, logger="partnews.langid_model"):
        identifier = langid_model.load_identifier()
    assert "PARTNEWS_CACHE_DIR" in caplog.text
    assert answers(identifier) == answers(packaged)


def test_the_copy_name_follows_the_packaged_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNEWS_CACHE_DIR", str(tmp_path))
    model = tmp_path / "model.npz.xz"
    model.write_bytes(b"x" * 10)
    before = langid_model.cached_model_path(model)
    model.write_bytes(b"x" * 11)  # an upgraded model
    assert langid_model.cached_model_path(model) != before
