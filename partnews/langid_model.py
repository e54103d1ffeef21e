"""py3langid's model, loaded from an uncompressed copy kept in the user's cache.

py3langid ships its model as an LZMA-compressed npz (4.5 MB) and decompresses it on
every load: 0.65–0.95 s of CPU in each process that identifies a language. A crawl pays
it once, but a reprocess or a news crawl pays it in every worker process, every run
(docs/benchmarks.md, "reprocess"). The uncompressed npz (68 MB) loads in about a
fifth of that, so the first load writes it to the cache and later loads read it.

The copy is keyed by py3langid's version and the packaged file's size and mtime, so an
upgrade never reads a stale model; it is written to a temporary file and renamed, so a
killed process never leaves half a model; and an unreadable copy is reported, replaced
and never trusted. Without a writable cache the packaged model is used as before.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import _to_array, load_model

LOGGER = logging.getLogger(__name__)
PACKAGED = MODEL_DIR / MODEL_FILE


def cache_dir() -> Path:
    """Where the copy lives: $PARTNEWS_CACHE_DIR, else $XDG_CACHE_HOME/partnews, else
    ~/.cache/partnews."""
    if os.environ.get("PARTNEWS_CACHE_DIR"):
        return Path(os.environ["PARTNEWS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partnews"


def cached_model_path(packaged: Path = PACKAGED) -> Path:
    """The copy's file name: it changes with py3langid's version and its model file."""
    stat = packaged.stat()
    key = f"{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}"
    return cache_dir() / f"py3langid-model-{key}.npz"


def _identifier(model: tuple, norm_probs: bool) -> LanguageIdentifier:
    ptc, pc, classes, nextmove, row, output = model
    return LanguageIdentifier(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
        norm_probs=norm_probs, tk_row=row,
    )  # fmt: skip


def _read_copy(path: Path) -> tuple:
    """The model tuple py3langid's own `load_model` returns, from the uncompressed copy
    (the automaton's rows as the stdlib arrays it walks)."""
    with np.load(path, allow_pickle=False) as data:
        return (
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            _to_array(data["nextmove"]),
            _to_array(data["nextmove_row"]),
            data["out_feat"].tolist(),
        )


def _write_copy(path: Path, packaged: Path) -> None:
    """Decompress the packaged npz as is (same members, same dtypes), atomically."""
    import lzma
    import shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".py3langid-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out, lzma.open(packaged) as src:
            shutil.copyfileobj(src, out, length=1 << 20)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_identifier(norm_probs: bool = True, packaged: Path = PACKAGED) -> LanguageIdentifier:
    """py3langid's full classifier, from the cached copy when there is a good one."""
    path = cached_model_path(packaged)
    if path.exists():
        try:
            return _identifier(_read_copy(path), norm_probs)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            LOGGER.warning(
                "the cached language model %s is unreadable (%s); reading the packaged "
                "one and replacing the copy",
                path,
                error,
            )
            path.unlink(missing_ok=True)
    try:
        _write_copy(path, packaged)
    except OSError as error:
        LOGGER.warning(
            "could not keep an uncompressed copy of py3langid's model in %s (%s): each "
            "process will decompress it again (about 1 s); set PARTNEWS_CACHE_DIR to a "
            "writable folder to avoid that",
            path.parent,
            error,
        )
        return _identifier(load_model(packaged), norm_probs)
    return _identifier(_read_copy(path), norm_probs)
