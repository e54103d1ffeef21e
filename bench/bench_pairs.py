"""Precision and recall of each duplicate relation on a directory of labelled pairs.

`python -m bench dedupe --pairs DIR` (or `python -m bench.bench_pairs DIR`). DIR holds a
``pairs.json`` and the texts it names (real pages are kept outside the repository; the
repository's own pairs, written for the tests, are in tests/pairs/):

    {"items": {NAME: {"file": "texts/x.txt", "language": "en", "published": "2017-07-13"
                      or null, "derived_from": NAME (optional: an edit of another text)}},
     "translations": [[A, B], ...],   # each other cross-language pair is a different story
     "reposts": [[A, B], ...],        # edited reposts (a new introduction, a cut-down)
     "same_item": [[A, B], ...],      # one site's article at two URLs (re-edited wording)
     "same_event": [[A, B], ...]}     # different articles about one event: never linked

A text's first line is its title. Each relation is judged by the rule the archive applies
and, as the baseline from the same run, by the rule of the landed code (0418e95):
translations only from hreflang or a shared CMS id (pairs carry neither) and otherwise
the repost rule (shingle Jaccard >= 0.5); reposts by Jaccard >= 0.5; one item at two URLs
only by an equal content hash.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from archive import relations
from partnews import similarity, translation
from partnews.text import content_hash

FIGURE_LABEL = "relations decided by the archive's rules"
BASELINE_LABEL = "baseline: the landed rules"


@dataclass
class Text:
    name: str
    language: str | None
    published: str | None
    title: str
    body: str
    derived: bool


def load(directory: Path) -> tuple[dict[str, Text], dict]:
    """The texts and the manifest of a pairs directory."""
    manifest = json.loads((directory / "pairs.json").read_text(encoding="utf-8"))
    texts = {}
    for name, meta in manifest["items"].items():
        raw = (directory / meta["file"]).read_text(encoding="utf-8").strip()
        title, _, body = raw.partition("\n")
        texts[name] = Text(
            name,
            meta.get("language"),
            meta.get("published"),
            title,
            body or title,
            bool(meta.get("derived_from")),
        )
    return texts, manifest


def is_translation(a: Text, b: Text) -> bool:
    """The archive's rule (archive/relations.py `link_translations_by_evidence`)."""
    verdict = translation.compare(
        translation.evidence(translation.text_of(a.title, a.body)),
        translation.evidence(translation.text_of(b.title, b.body)),
    )
    return verdict.is_translation and translation.within_window(a.published, b.published)


def landed_repost(a: Text, b: Text) -> bool:
    return (
        similarity.jaccard(similarity.shingles(a.body), similarity.shingles(b.body))
        >= similarity.REPOST_THRESHOLD
    )


def is_repost(a: Text, b: Text) -> bool:
    return similarity.is_repost(similarity.shingles(a.body), similarity.shingles(b.body))[0]


def is_same_item(a: Text, b: Text) -> bool:
    """The rule of `relations.same_item_elsewhere` on two texts of one site."""
    mine, theirs = similarity.shingles(a.body), similarity.shingles(b.body)
    contained = (
        min(len(mine), len(theirs)) >= similarity.MIN_CONTAINED_SHINGLES
        and similarity.containment(mine, theirs) >= similarity.CONTAINMENT_THRESHOLD
    )
    close = similarity.jaccard(mine, theirs) >= relations.SAME_ITEM_THRESHOLD or contained
    return (
        close
        and relations._title_share(a.title, b.title) >= relations.SAME_TITLE_SHARE
        and translation.within_window(a.published, b.published, relations.SAME_ITEM_DAYS)
    )


def landed_same_item(a: Text, b: Text) -> bool:
    return content_hash(a.title, a.body) == content_hash(b.title, b.body)


def labelled_pairs(texts: dict[str, Text], manifest: dict) -> dict[str, tuple[set, set]]:
    """kind -> (positive pairs, negative pairs). Translations: every cross-language pair of
    original (not derived) texts not listed is a negative; the other kinds are judged on
    their positives and on the same-event pairs."""
    key = lambda pair: tuple(sorted(pair))  # noqa: E731
    translations = {key(p) for p in manifest.get("translations", [])}
    originals = [t for t in texts.values() if not t.derived and t.language]
    cross = {
        key((a.name, b.name))
        for a, b in itertools.combinations(originals, 2)
        if a.language != b.language
    }
    same_event = {key(p) for p in manifest.get("same_event", [])}
    return {
        "translation": (translations, cross - translations),
        "repost": ({key(p) for p in manifest.get("reposts", [])}, same_event),
        "same_item": ({key(p) for p in manifest.get("same_item", [])}, same_event),
    }


RULES = {
    "translation": (is_translation, landed_repost),
    "repost": (is_repost, landed_repost),
    "same_item": (is_same_item, landed_same_item),
}


def evaluate(directory: Path) -> dict[str, dict]:
    """kind -> counts, precision and recall of the rule and of its baseline."""
    texts, manifest = load(directory)
    results = {}
    for kind, (positives, negatives) in labelled_pairs(texts, manifest).items():
        row: dict = {"positives": len(positives), "negatives": len(negatives)}
        for label, rule in zip(("rule", "baseline"), RULES[kind], strict=True):
            found = {p for p in positives | negatives if rule(texts[p[0]], texts[p[1]])}
            true = len(found & positives)
            row[label] = {
                "linked": len(found),
                "true": true,
                "false": sorted(found - positives),
                "missed": sorted(positives - found),
                "precision": true / len(found) if found else None,
                "recall": true / len(positives) if positives else None,
            }
        results[kind] = row
    return results


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pairs", description=__doc__)
    parser.add_argument("pairs", type=Path, help="a directory with pairs.json")
    parser.add_argument("--quick", action="store_true", help="(the same: pairs are few)")
    args = parser.parse_args(argv)
    results = evaluate(args.pairs)
    print(f"pairs from {args.pairs}\n")
    print(
        "| relation | pairs (+/-) | rule: linked, precision, recall | "
        "landed rule: linked, precision, recall |"
    )
    print("|---|---|---|---|")
    for kind, row in results.items():
        rule, base = row["rule"], row["baseline"]
        print(
            f"| {kind} | {row['positives']}/{row['negatives']} | {rule['true']} of "
            f"{row['positives']} ({rule['linked']} linked), {_pct(rule['precision'])}, "
            f"{_pct(rule['recall'])} | {base['true']} of {row['positives']} "
            f"({base['linked']} linked), {_pct(base['precision'])}, {_pct(base['recall'])} |"
        )
    for kind, row in results.items():
        for label in ("rule", "baseline"):
            for what in ("false", "missed"):
                if row[label][what]:
                    print(f"{kind} {label} {what}: {row[label][what]}")
    print(f"\n{FIGURE_LABEL}: see the rule columns; {BASELINE_LABEL}: the last column")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
