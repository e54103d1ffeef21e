"""Reading the several records of one response one at a time, so that one that fails is
filed and logged while the others are still read.

An iCal export holds many VEVENTs, a REST answer many posts or events, a feed many
entries. The extractors validate what they read and do not raise on malformed input;
an exception while reading one record is therefore a bug (ours, or a library's on a
shape nobody foresaw). It must not lose the whole response, and it must not pass
silently either: `read_records` turns it into a `RecordFailure` (URL, reader,
exception type and message), logs it with its traceback, and hands it to the caller's
`on_failure` (the spiders file it in the run's rejects: crawler/spiders/base.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class RecordFailure:
    """One record that could not be read."""

    url: str | None
    reader: str  # which reader failed, e.g. "ical", "wordpress post"
    error_type: str
    message: str

    @property
    def reason(self) -> str:
        """The rejects row's reason."""
        return f"{self.reader} could not read one record: {self.error_type}: {self.message}"[:500]


def read_records(
    records: Iterable[R],
    read: Callable[[R], T | None],
    *,
    reader: str,
    url: str | None = None,
    on_failure: Callable[[RecordFailure], None] | None = None,
) -> list[T]:
    """`read(record)` for each record, in order; None results are left out.

    A record whose reading raises is logged (warning, with the traceback) and handed to
    `on_failure`; the next record is read as if nothing happened.
    """
    out: list[T] = []
    for record in records:
        try:
            result = read(record)
        except Exception as error:  # any class: it is filed and logged, never dropped
            failure = RecordFailure(url, reader, type(error).__name__, str(error))
            logger.warning("Rejected one record at %s: %s", url, failure.reason, exc_info=True)
            if on_failure is not None:
                on_failure(failure)
            continue
        if result is not None:
            out.append(result)
    return out
