"""Validate EmpathyScorer on EPITOME (Sharma et al. 2020) and ESConv seeker ratings.

Usage::

    python benchmarks/validate_empathy.py epitome ../shared/data/epitome
    python benchmarks/validate_empathy.py esconv ../shared/data/raw/esconv-failed/FailedESConv.json

EPITOME: each (seeker post, response) pair becomes a two-turn transcript
(customer, agent); the scorer's ``details`` levels are compared with the
human levels (0 none, 1 weak, 2 strong) by 3-class macro-F1 per mechanism, on
``dev.csv`` (used for tuning) and ``test.csv`` (held out). ESConv: Spearman's
rho between the empathy value of each dialogue (seeker = customer, supporter
= agent) and the seeker's own empathy rating (1-5).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

from _esconv import esconv_dialogues
from _metrics import bootstrap_ci, confusion, macro_f1, spearman
from servicescore import Role, Transcript, Turn
from servicescore.scorers import EmpathyScorer

MECHANISMS = {"er": "emotional_reactions", "ip": "interpretations", "ex": "explorations"}
#: Fine-tuned RoBERTa figures from Sharma et al. (EMNLP 2020), Table 3 (macro-F1).
REFERENCE = {"er": 0.7475, "ip": 0.6275, "ex": 0.7298}
FLOORS = {"er": 0.60, "ip": 0.50, "ex": 0.60}


def epitome(folder: Path) -> int:
    scorer = EmpathyScorer()
    print("| split | pairs | ER macro-F1 | IP macro-F1 | EX macro-F1 |")
    print("|---|---|---|---|---|")
    failures = 0
    tables = {}
    for split in ("dev", "test"):
        truth: dict[str, list[int]] = {k: [] for k in MECHANISMS}
        predicted: dict[str, list[int]] = {k: [] for k in MECHANISMS}
        with (folder / f"{split}.csv").open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                transcript = Transcript(
                    row["sp_id"] + "/" + row["rp_id"],
                    [Turn(Role.CUSTOMER, row["seeker_post"]), Turn(Role.AGENT, row["response_post"])],
                )
                details = scorer(transcript).details
                for key, detail in MECHANISMS.items():
                    truth[key].append(int(row[key]))
                    predicted[key].append(int(details[detail]))
        scores = {k: macro_f1(truth[k], predicted[k], [0, 1, 2]) for k in MECHANISMS}
        tables[split] = {k: confusion(truth[k], predicted[k], [0, 1, 2]) for k in MECHANISMS}
        print(
            f"| {split} | {len(truth['er'])} | " + " | ".join(f"{scores[k]:.3f}" for k in MECHANISMS) + " |"
        )
        if split == "test":
            failures = sum(scores[k] < FLOORS[k] for k in MECHANISMS)
    print("| RoBERTa (paper) | | " + " | ".join(f"{REFERENCE[k]:.3f}" for k in MECHANISMS) + " |")
    print()
    for key in MECHANISMS:
        print(f"test confusion {key.upper()} (rows true 0/1/2, columns predicted): {tables['test'][key]}")
    return 1 if failures else 0


def esconv(path: Path) -> int:
    scorer = EmpathyScorer()
    values, ratings = [], []
    skipped = 0
    for transcript, outcomes in esconv_dialogues(path):
        rating = outcomes["empathy rating"]
        if math.isnan(rating):
            skipped += 1
            continue
        score = scorer(transcript)
        if score.value is None:
            skipped += 1
            continue
        values.append(score.value)
        ratings.append(float(rating))
    rho = spearman(values, ratings)
    low, high = bootstrap_ci(values, ratings)
    print("| dialogues rated | skipped (no rating) | Spearman rho | 95% bootstrap CI |")
    print("|---|---|---|---|")
    print(f"| {len(values)} | {skipped} | {rho:.3f} | [{low:.3f}, {high:.3f}] |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="data", required=True)
    sub.add_parser("epitome", help="folder with dev.csv and test.csv").add_argument("path", type=Path)
    sub.add_parser("esconv", help="FailedESConv.json").add_argument("path", type=Path)
    args = parser.parse_args(argv)
    return epitome(args.path) if args.data == "epitome" else esconv(args.path)


if __name__ == "__main__":
    sys.exit(main())
