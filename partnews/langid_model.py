"""py3langid's model, memory-mapped from an uncompressed copy kept in the user's cache.

py3langid ships its model as an LZMA-compressed npz (4.5 MB) and decompresses it on
every load: 0.65–0.95 s of CPU in each process that identifies a language. A crawl pays
it once, but a reprocess or a news crawl pays it in every worker process, every run
(docs/benchmarks.md, "reprocess"). So the first load writes the arrays uncompressed to
the cache, one `.npy` file each, and later loads map them into memory (`np.load` with
``mmap_mode="r"``): nothing is read or copied until it is used, and the processes of
a machine share the pages. The automaton py3langid walks byte by byte is handed over as
a memoryview of the mapped array, which it indexes as fast as the stdlib array its own
loader builds (a 39 MB copy that was most of a load's 0.17 s).

The copy is keyed by py3langid's version and the packaged file's size and mtime, so an
upgrade never reads a stale model; it is written to a temporary folder and renamed, so a
killed process never leaves half a model; and a copy that cannot be mapped (a file cut
short, a missing or malformed member) is reported and replaced. Without a writable
cache the packaged model is used as before.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
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
    """The copy's folder: its name changes with py3langid's version and its model file."""
    stat = packaged.stat()
    key = f"{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}"
    return cache_dir() / f"py3langid-model-{key}"


# The members of py3langid's npz, in the order of the tuple its `load_model` returns.
MEMBERS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _identifier(model: tuple, norm_probs: bool) -> LanguageIdentifier:
    ptc, pc, classes, nextmove, row, output = model
    return LanguageIdentifier(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
        norm_probs=norm_probs, tk_row=row,
    )  # fmt: skip


def _read_copy(path: Path) -> tuple:
    """The model tuple py3langid's own `load_model` returns, mapped from the copy: the
    automaton as a memoryview (indexed like the stdlib array), the small arrays as the
    lists and arrays py3langid builds."""
    data = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in MEMBERS}
    nextmove = memoryview(data["nextmove"])
    if nextmove.format != "I" or data["ptc"].shape[1] != len(data["classes"]):
        raise ValueError(f"unexpected arrays in {path}")
    return (
        data["ptc"],
        np.array(data["pc"]),
        data["classes"].tolist(),
        nextmove,
        _to_array(data["nextmove_row"]),
        data["out_feat"].tolist(),
    )


def _write_copy(path: Path, packaged: Path) -> None:
    """Decompress the packaged npz and save each member (same dtypes) as a `.npy` file of
    a folder, renamed into place whole. Copies in the previous format (one `.npz`) are
    removed: they are 68 MB each and nothing reads them any more."""
    import lzma

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=".py3langid-", suffix=".tmp"))
    try:
        with tempfile.TemporaryFile(dir=path.parent) as npz:
            with lzma.open(packaged) as src:
                shutil.copyfileobj(src, npz, length=1 << 20)
            npz.seek(0)
            with np.load(npz, allow_pickle=False) as data:
                for name in MEMBERS:
                    np.save(temporary / f"{name}.npy", data[name], allow_pickle=False)
        try:
            os.rename(temporary, path)
        except OSError:
            if not path.is_dir():  # not another process's copy renamed first: a failure
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    for old in path.parent.glob("py3langid-model-*.npz"):
        old.unlink(missing_ok=True)


def load_identifier(norm_probs: bool = True, packaged: Path = PACKAGED) -> LanguageIdentifier:
    """py3langid's full classifier, from the cached copy when there is a good one."""
    path = cached_model_path(packaged)
    if path.exists():
        try:
            return _identifier(_read_copy(path), norm_probs)
        except (OSError, ValueError) as error:
            LOGGER.warning(
                "the cached language model %s is unreadable (%s); reading the packaged "
                "one and replacing the copy",
                path,
                error,
            )
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
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
