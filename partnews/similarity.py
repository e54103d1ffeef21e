"""Near-duplicate text: word shingles, MinHash signatures and the LSH that finds reposts.

A repost is the same text published again, lightly edited (an acronym expanded, a
paragraph dropped, a sentence added) and dated differently. Two texts are compared as
sets of *shingles*: every run of ``SHINGLE_WORDS`` consecutive words of their matching
form (`partnews.text.matching_form`: case, accents and punctuation folded). Light edits
only break the few shingles that cross them, while two different articles about the
same event share words but almost no 5-word runs.

Resemblance is the Jaccard index of the two shingle sets. A MinHash signature
(datasketch, ``NUM_PERM`` permutations, fixed seed, "affine32" scheme) estimates it
from a few hundred bytes, and `new_lsh` buckets signatures so that the items likely to
resemble a new one are found without comparing it to every archived item. Candidates
are then confirmed with the exact Jaccard index of the texts (`jaccard`): the stored
similarity never depends on the sketch's luck.

Everything here is pure (no I/O); the archive stores the signatures (archive/relations.py).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from partnews.bands import BandIndex
from partnews.text import matching_form

# Words per shingle: long enough that unrelated texts in one domain share almost none,
# short enough that one edit breaks few of them.
SHINGLE_WORDS = 5
# Texts with fewer shingles are too short to call reposts (an event's one-line blurb).
MIN_SHINGLES = 10
# A repost shares at least half of its shingles with the original: Jaccard >= 0.5.
REPOST_THRESHOLD = 0.5

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
# The signature scheme, stored beside each signature: signatures of another scheme are
# never compared with these (they are recomputed from the text).
SIGNATURE_SCHEME = f"minhash-{SCHEME}-{NUM_PERM}-seed{SEED}-w{SHINGLE_WORDS}"

# LSH bands x rows: a pair lands in a common bucket with probability 1 - (1 - J^r)^b,
# 0.74 at J = 0.5, 0.91 at 0.6, 0.985 at 0.7, and 0.00008 at J = 0.02 (unrelated texts
# of one domain). datasketch's own optimum for 0.5 (25 x 5) takes about 860 MB at 100,000
# items against about 340 MB for these: every bucket is a Python set, so memory grows with
# the number of bands (measured: python -m bench dedupe). The archive now keeps the same
# buckets in numpy arrays (`new_band_index`, partnews.bands), which cost about a tenth.
LSH_BANDS = 10
LSH_ROWS = 3

_DTYPE = np.dtype("<u4")


def shingles(text: str | None, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The set of ``size``-word runs of the text's matching form.

    A text shorter than ``size`` words gives one shingle (itself); no text gives none.
    """
    words = matching_form(text).split()
    if not words:
        return frozenset()
    if len(words) <= size:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 when both are empty (nothing to resemble)."""
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The permutations of the fixed seed, generated once (datasketch redraws them per
    MinHash otherwise, which costs more than hashing a text)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


# Off only to compare with datasketch's own computation (tests/test_pipeline_speed.py).
FAST_SIGNATURES = True


def signature(shingle_set: Iterable[str]) -> np.ndarray | None:
    """The MinHash hash values (uint32) of a shingle set; None below ``MIN_SHINGLES``.

    The same values as datasketch's ``MinHash.update_batch`` (`signature_datasketch`),
    computed in one numpy batch: the shingles' SHA-1 prefixes are joined and read as
    one little-endian uint32 array (datasketch's ``sha1_hash32``, without a Python
    integer per shingle), pre-mixed with the MurmurHash3 finalizer, and put through the
    affine permutations as one (shingles x permutations) matrix.
    """
    if not FAST_SIGNATURES:
        return signature_datasketch(shingle_set)
    encoded = list(map(str.encode, shingle_set))
    if len(encoded) < MIN_SHINGLES:
        return None
    sha1 = hashlib.sha1
    digests = b"".join([sha1(e).digest()[:4] for e in encoded])
    hv = np.frombuffer(digests, dtype="<u4").astype(np.uint64).reshape(-1, 1)
    hv = _fmix32(hv)
    a, b = _permutations()
    values = (hv * a + b).min(axis=0)
    return np.minimum(values, _MAX_HASH32).astype(_DTYPE)


def signature_datasketch(shingle_set: Iterable[str]) -> np.ndarray | None:
    """`signature` as datasketch computes it (the reference the fast path must equal)."""
    encoded = [s.encode("utf-8") for s in shingle_set]
    if len(encoded) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(encoded)
    return minhash.hashvalues.astype(_DTYPE)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix for the affine32 scheme: MurmurHash3's 32-bit finalizer, on
    the scheme's uint64 array (its arithmetic wraps modulo 2^64, as datasketch's does)."""
    from datasketch.minhash import _FMIX_CONSTANTS, _SCHEME_DTYPES, _SCHEME_WIDTHS

    hv = hv.astype(_SCHEME_DTYPES[SCHEME], copy=False)
    s1, m1, s2, m2, s3 = _FMIX_CONSTANTS[_SCHEME_WIDTHS[SCHEME]]
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


# A fresh MinHash starts at the scheme's largest value (datasketch's initial hashvalues).
_MAX_HASH32 = np.uint64((1 << 32) - 1)


def text_signature(text: str | None) -> np.ndarray | None:
    """`signature` of the text's shingles."""
    return signature(shingles(text))


def to_bytes(values: np.ndarray) -> bytes:
    """The signature as stored in the archive: NUM_PERM little-endian uint32."""
    return values.astype(_DTYPE).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=_DTYPE)


def estimate(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard index: the share of equal hash values."""
    return float(np.count_nonzero(a == b)) / len(a)


def as_minhash(values: np.ndarray) -> LeanMinHash:
    """A datasketch sketch of stored hash values, for the LSH."""
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def new_lsh() -> MinHashLSH:
    """An empty LSH index with the bands documented above."""
    return MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))


def new_band_index() -> BandIndex:
    """An empty LSH with the same bands and the same candidates as `new_lsh`, in compact
    numpy arrays (partnews.bands: about 0.3 kB per item against datasketch's 3.3 kB)."""
    return BandIndex(LSH_BANDS, LSH_ROWS)


def bucket_probability(similarity: float, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> float:
    """Chance that two texts with this Jaccard index share an LSH bucket (the S-curve)."""
    return 1.0 - (1.0 - similarity**rows) ** bands


# Containment: edited reposts ------------------------------------------------------------
#
# A repost with a new introduction, or a print version cut down from the online article,
# keeps most of the shorter text's 5-word runs but shares few with the longer one's
# extra paragraphs: Jaccard falls to 0.2 while the share of the shorter text found in the
# longer stays near 1. Two different articles about one event share almost no 5-word
# run, so their containment stays as low as their Jaccard (measured: docs/benchmarks.md).

# A copy counts as an edited repost when this share of the shorter text's shingles is in
# the longer one...
CONTAINMENT_THRESHOLD = 0.7
# ...and the shorter text has at least this many shingles (a one-paragraph blurb found
# inside a long article is a quotation, not a repost).
MIN_CONTAINED_SHINGLES = 40

# Anchors: the shingles whose CRC-32 is divisible by ANCHOR_MODULUS. The choice depends on
# the shingle alone, so a text contained in another keeps its anchors inside the other's:
# any repost with containment c shares about c x (its anchors) of them, whatever the
# lengths. One text in 16 is an anchor: a 300-word article has about 19.
ANCHOR_MODULUS = 16
# Candidates share at least this many anchors (two guards against one stock phrase).
MIN_SHARED_ANCHORS = 2


def containment(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): the share of the shorter text found in the longer one;
    0.0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def is_repost(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> tuple[bool, float]:
    """(whether two shingle sets are the same text lightly or heavily edited, the score).

    Jaccard >= REPOST_THRESHOLD, or containment >= CONTAINMENT_THRESHOLD when the shorter
    text is long enough to be an article of its own. The score is the Jaccard index (what
    a story stores as ``similarity``)."""
    score = jaccard(a, b)
    if score >= REPOST_THRESHOLD:
        return True, score
    if min(len(a), len(b)) >= MIN_CONTAINED_SHINGLES and containment(a, b) >= CONTAINMENT_THRESHOLD:
        return True, score
    return False, score


def anchors(shingle_set: Iterable[str]) -> list[int]:
    """The shingles' content-defined sample (see ANCHOR_MODULUS), as signed 64-bit-safe
    integers for SQLite, sorted."""
    if not FAST_SIGNATURES:
        found = set()
        for shingle in shingle_set:
            value = zlib.crc32(shingle.encode("utf-8"))
            if value % ANCHOR_MODULUS == 0:
                found.add(value)
        return sorted(found)
    # The same values, the CRC-32s taken in one C-level pass and filtered by numpy.
    values = np.fromiter(map(zlib.crc32, map(str.encode, shingle_set)), dtype=np.uint32)
    return sorted(set(values[values % ANCHOR_MODULUS == 0].tolist()))


# One item's text is compared twice in a save (dedupe looks for the same article at
# another URL, then the archive for reposts), and a candidate's text once per new item
# that proposes it: the last texts' shingles and signatures are kept, not recomputed.
@lru_cache(maxsize=64)
def cached_shingles(text: str | None) -> frozenset[str]:
    """`shingles` of the text, remembered for the last 64 texts (a few megabytes: at
    100,000 items 512 texts took the check past its 500 MB budget)."""
    return shingles(text)


@lru_cache(maxsize=64)
def cached_anchors(text: str | None) -> tuple[int, ...]:
    """`anchors` of the text's shingles, remembered for the last 64 texts (dedupe looks
    for the same article elsewhere, then the store for reposts: both need them)."""
    return tuple(anchors(cached_shingles(text)))


@lru_cache(maxsize=64)
def cached_signature(text: str | None) -> np.ndarray | None:
    """`signature` of the text's shingles, remembered for the last 64 texts (read-only:
    callers must not modify the array)."""
    return signature(cached_shingles(text))
