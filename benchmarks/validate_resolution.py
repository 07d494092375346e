"""Validate ResolutionScorer on the bundled sample, ESConv (failed) and IBM's Twitter dialogs.

Usage::

    python benchmarks/validate_resolution.py \
        --esconv /path/to/esconv-failed/FailedESConv.json \
        --ibm /path/to/ibm-twitter-cdp/dialogs.jsonl

Prints Markdown: for each data set the label distribution and the median
value; for ESConv, where seekers rated their emotion before and after the
conversation (1-5) and gave feedback on some turns, the Spearman correlation
of the value with the improvement (initial minus final intensity) and with
the seeker's last feedback. The bundled sample (``servicescore/data/sample.jsonl``)
is always scored and listed transcript by transcript. Data paths are arguments;
nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources

from _esconv import esconv_dialogues
from servicescore import Role, Transcript
from servicescore.io import read
from servicescore.scorers import ResolutionScorer

LABELS = ("resolved", "unclear", "unresolved")


def _ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (ties share the mean of their positions), 1-based."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson correlation of average ranks)."""
    rx, ry = _ranks(x), _ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else math.nan


def _distribution(name: str, labels: Counter[str], values: list[float], skipped: Counter[str]) -> str:
    scored = sum(labels.values())
    cells = " | ".join(
        f"{labels[label]} ({100 * labels[label] / scored:.0f}%)" if scored else "0" for label in LABELS
    )
    median = f"{statistics.median(values):.2f}" if values else "-"
    none = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())) or "0"
    return f"| {name} | {scored} | {cells} | {median} | {none} |"


def _score_all(
    scorer: ResolutionScorer, transcripts: Iterable[Transcript]
) -> tuple[list[tuple[Transcript, float, str]], Counter[str]]:
    rows, skipped = [], Counter[str]()
    for transcript in transcripts:
        score = scorer(transcript)
        if score.value is None:
            skipped[score.reason or "?"] += 1
            continue
        rows.append((transcript, score.value, str(score.details["label"])))
    return rows, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--esconv", help="FailedESConv.json of thu-coai/Emotional-Support-Conversation")
    parser.add_argument("--ibm", help="canonical JSONL of IBM twitter-customer-care-document-prediction")
    parser.add_argument("--quiet", action="store_true", help="omit the per-transcript table of the sample")
    args = parser.parse_args()
    scorer = ResolutionScorer()

    print("## Label distribution\n")
    print("| data | scored | resolved | unclear | unresolved | median value | value None |")
    print("|---|---|---|---|---|---|---|")
    sample_path = resources.files("servicescore") / "data" / "sample.jsonl"
    with resources.as_file(sample_path) as local:
        sample_rows, sample_skipped = _score_all(scorer, read(local))
    print(
        _distribution(
            "bundled sample", Counter(r[2] for r in sample_rows), [r[1] for r in sample_rows], sample_skipped
        )
    )
    esconv_rows: list[tuple[float, float, float]] = []
    if args.esconv:
        data = list(esconv_dialogues(args.esconv))
        rows, skipped = _score_all(scorer, (t for t, _ in data))
        outcome = {t.id: (o["emotion improvement"], o["last feedback"]) for t, o in data}
        esconv_rows = [(value, *outcome[t.id]) for t, value, _ in rows]
        print(_distribution("ESConv failed", Counter(r[2] for r in rows), [r[1] for r in rows], skipped))
    if args.ibm:
        rows, skipped = _score_all(scorer, read(args.ibm))
        print(_distribution("IBM Twitter CDP", Counter(r[2] for r in rows), [r[1] for r in rows], skipped))
        for split in ("dev", "test"):
            part = [r for r in rows if r[0].meta.get("split") == split]
            if part:
                print(
                    _distribution(
                        f"IBM Twitter CDP ({split})",
                        Counter(r[2] for r in part),
                        [r[1] for r in part],
                        Counter(),
                    )
                )

    if esconv_rows:
        print("\n## ESConv: value against seeker outcomes\n")
        print("| outcome | n | Spearman rho |")
        print("|---|---|---|")
        for name, column in (
            ("emotion improvement (initial - final intensity)", 1),
            ("last seeker feedback (1-5)", 2),
        ):
            pairs = [(r[0], r[column]) for r in esconv_rows if not math.isnan(r[column])]
            rho = spearman([p[0] for p in pairs], [p[1] for p in pairs]) if len(pairs) > 2 else math.nan
            print(f"| {name} | {len(pairs)} | {rho:+.3f} |")

    if not args.quiet:
        print("\n## Bundled sample, transcript by transcript\n")
        print("| id | value | label | last customer turn |")
        print("|---|---|---|---|")
        for transcript, value, label in sample_rows:
            last = next(t.text for t in reversed(transcript.turns) if t.role is Role.CUSTOMER)
            last = last.replace("|", "/").replace("\n", " ")
            print(f"| {transcript.id} | {value:.2f} | {label} | {last[:70]} |")


if __name__ == "__main__":
    main()
