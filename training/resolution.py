"""Rebuild the shipped resolution model from NTCIR-14 STC-3 dev, byte for byte.

Usage::

    python -m training.resolution --data ../shared/data [--out src/servicescore/data/models/resolution.ssm]

Reads ``stc3/dev.jsonl`` and ``stc3/dev_labels.csv``; the decision model is a
ridge regression on the raters' mean "task accomplished" (A, -2 .. 2), its
calibration a logistic fit of the share of raters who rated A >= 1. Prints the
5-fold cross-validated Spearman correlations (folds fixed by id with
``servicescore.learn.folds_by_id(ids, 5)``) with A and with satisfaction (S),
those of the cue rules alone, and the sha256 of the written file. There is no
randomness: two runs write identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

import numpy as np

from servicescore._analysis import analyze
from servicescore._fit_scorer import RESOLUTION_L2, fit_resolution
from servicescore.io import read
from servicescore.learn import SparseRows, folds_by_id, spearman
from servicescore.scorers import ResolutionScorer
from servicescore.scorers._resolution import DIMS, FACT_WEIGHT

DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src" / "servicescore" / "data" / "models" / "resolution.ssm"
)


def load_stc3(data: Path) -> tuple[list, dict[str, dict[str, str]]]:
    """The STC-3 dev transcripts and their label rows by id."""
    stc3 = data / "stc3"
    with (stc3 / "dev_labels.csv").open(newline="", encoding="utf-8") as handle:
        labels = {row["id"]: row for row in csv.DictReader(handle)}
    transcripts = [t for t in read(stc3 / "dev.jsonl") if t.id in labels]
    return transcripts, labels


def solved_share(row: dict[str, str]) -> float:
    """The share of raters who rated "task accomplished" 1 or 2."""
    return (float(row["A_count_1"]) + float(row["A_count_2"])) / float(row["n_annotators"])


def main(argv: list[str] | None = None) -> int:
    """Train, write and check the model; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (holds stc3/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the model file")
    args = parser.parse_args(argv)
    transcripts, labels = load_stc3(args.data)
    scorer = ResolutionScorer()
    rows, ids, rule_values = [], [], []
    for transcript in transcripts:
        analysis = analyze(transcript)
        row = scorer.features(analysis)
        if row is None:
            continue
        rows.append(row)
        ids.append(transcript.id)
        rule_values.append(float(scorer._rules(analysis).value or 0.0))
    a = np.array([float(labels[i]["A_mean"]) for i in ids])
    s = np.array([float(labels[i]["S_mean"]) for i in ids])
    share = np.array([solved_share(labels[i]) for i in ids])
    batch = SparseRows.from_rows(rows, DIMS)
    folds = folds_by_id(ids, 5)
    meta = {
        "trained_on": f"NTCIR-14 STC-3 English dev ({len(ids)} dialogues): A_mean; calibration: share A >= 1",
        "terms": "STC-3 texts: non-commercial research use; annotations CC BY 4.0",
        "features": f"dialog word 1-2-grams (2**15) + rule facts x{FACT_WEIGHT}",
        "l2": str(RESOLUTION_L2),
    }
    model, oof = fit_resolution(batch, a, share, folds, meta=meta)
    _, oof_s = fit_resolution(batch, s, share, folds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    calibrated = np.array([model.value(d) for d in oof])
    print(f"STC-3 dev: {len(ids)} dialogues, 5-fold CV by id (folds_by_id(ids, 5))")
    rules_a, rules_s = spearman(rule_values, a), spearman(rule_values, s)
    print(f"  learned resolution vs A  Spearman {spearman(oof, a):.3f}   (rules alone {rules_a:.3f})")
    print(f"  same recipe fitted to S  Spearman {spearman(oof_s, s):.3f}   (rules alone {rules_s:.3f})")
    print(f"  A-model vs S             Spearman {spearman(oof, s):.3f}")
    for low, high in ((0.0, 0.4), (0.4, 0.6), (0.6, 1.01)):
        inside = (calibrated >= low) & (calibrated < high)
        if inside.any():
            print(
                f"  value in [{low:.1f}, {min(high, 1.0):.1f}): {int(inside.sum()):4d} dialogues, "
                f"mean value {calibrated[inside].mean():.3f}, share solved {share[inside].mean():.3f}"
            )
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
