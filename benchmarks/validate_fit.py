"""The fitting API on a 500 / 508 split of STC-3 dev: fit on 500, score the other 508.

Usage::

    python benchmarks/validate_fit.py ../shared/data/stc3

Splits the 1,008 labelled dev dialogues by a hash of their ids (the first
500 in CRC-32 order of ``"split:" + id`` are the fit set), fits the
resolution scorer to the mean "task accomplished" rating of the 500 with
:func:`servicescore.fit_scorer`, and prints the Spearman correlation with
that rating on the other 508 of: the fitted scorer, the shipped scorer and
the cue rules. The shipped model was trained on all 1,008 dialogues, the 508
included, so its figure there is in-sample and not a fair comparison.
"""

from __future__ import annotations

import argparse
import csv
import zlib
from pathlib import Path

from servicescore import Transcript, fit_scorer
from servicescore.io import read
from servicescore.learn import spearman
from servicescore.scorers import ResolutionScorer
from servicescore.scorers._resolution_rules import ResolutionRules

FIT_SIZE = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stc3", type=Path, help="the stc3 folder (dev.jsonl, dev_labels.csv)")
    args = parser.parse_args()
    with (args.stc3 / "dev_labels.csv").open(newline="", encoding="utf-8") as handle:
        labels = {row["id"]: row for row in csv.DictReader(handle)}
    transcripts = sorted(
        (t for t in read(args.stc3 / "dev.jsonl") if t.id in labels),
        key=lambda t: zlib.crc32(f"split:{t.id}".encode()),
    )
    fit_set, held_out = transcripts[:FIT_SIZE], transcripts[FIT_SIZE:]

    def accomplished(t: Transcript) -> float:
        return float(labels[t.id]["A_mean"])

    def solved(t: Transcript) -> float:
        row = labels[t.id]
        return (float(row["A_count_1"]) + float(row["A_count_2"])) / float(row["n_annotators"])

    fit = fit_scorer(fit_set, [accomplished(t) for t in fit_set], solved=[solved(t) for t in fit_set])
    print(fit)
    truth = [accomplished(t) for t in held_out]
    scorers = {
        f"fitted on the {len(fit_set)}": ResolutionScorer(model=fit.model),
        "shipped (trained on all, these included)": ResolutionScorer(),
        "cue rules": ResolutionRules(),
    }
    print(f"on the other {len(held_out)} dialogues, Spearman with task accomplished:")
    for name, scorer in scorers.items():
        values = [scorer(t).value for t in held_out]
        shown = [0.5 if v is None else v for v in values]
        print(f"  {name:<42} {spearman(shown, truth):+.3f}")


if __name__ == "__main__":
    main()
