"""Validate calibrate() on real outcomes: ESConv seeker ratings and PersuasionForGood donations.

Usage::

    python benchmarks/validate_calibration.py ../shared/data
    python benchmarks/validate_calibration.py ../shared/data --repeats 10 --folds 5 --alpha 1

Each data set is scored with the default suite (four scorers, default
BrandImpact) into a ScoreTable, and ``calibrate`` fits the brand-impact
weights to an outcome the data holds. Reported: the cross-validated score of
the experience under the default weights and under weights fitted on the
other folds (Spearman's rho for ratings, AUC for a binary outcome), averaged
over ``--repeats`` seeds of the fold shuffle (mean, and the lowest and highest
repeat), the in-sample figures, and the weights fitted on all rows.

* ESConv (Liu et al., ACL 2021), ``raw/esconv-failed/FailedESConv.json``: the
  196 dialogues its authors dropped as poor; seeker ("speaker") = customer,
  supporter ("listener") = agent; no timestamps, so latency never applies.
  Outcomes: the seeker's empathy rating (1-5), the emotion improvement
  (initial minus final intensity) and the seeker's last turn feedback (1-5).
* PersuasionForGood (Wang et al., ACL 2019), ``persuasionforgood/``: 300
  dialogues in which a persuader (agent) asks a persuadee (customer) to
  donate; sentences are grouped into turns by ``Turn`` and role. The
  outcome is binary: the persuadee's actual donation (``B6``) > 0. Pushiness
  is scored with the donation as the "product". This is a persuasion task,
  not service: asking for the donation is the job, so a fitted weight on
  pushiness may come out positive, and that says nothing about service.

Data paths are arguments; nothing is copied into the repository. Exits 0 when
the data sets were found and calibrated (the figures are reported, not floors).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from _esconv import esconv_dialogues
from servicescore import Channel, Role, ScoreTable, Suite, Transcript, Turn, default_suite
from servicescore._calibrate import Calibration, Kind, calibrate
from servicescore.scorers import PushinessScorer

#: The "products" of PersuasionForGood: the donation asked for (as in validate_pushiness.py).
DONATION_TERMS = ("donat*", "contribut*", "pledge", "give", "giving", "spare")


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def persuasion(folder: Path) -> Iterator[tuple[Transcript, float]]:
    """PersuasionForGood dialogues (persuader = agent, persuadee = customer) and whether they donated."""
    donated: dict[str, float] = {}
    with (folder / "annotated_info.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            if row["B4"].strip() == "1":
                donation = _number(row["B6"])
                donated[row["B2"]] = math.nan if math.isnan(donation) else float(donation > 0)
    dialogs: dict[str, list[tuple[int, Role, str]]] = {}
    with (folder / "annotated_sentences.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            role = Role.AGENT if row["B4"].strip() == "0" else Role.CUSTOMER
            # The release escapes some apostrophes as \' (a scraping artefact); undo that.
            text = row["Unit"].replace("\\'", "'").replace('\\"', '"').strip()
            if text:
                dialogs.setdefault(row["B2"], []).append((int(row["Turn"]), role, text))
    for dialog, units in dialogs.items():
        # One turn per run of sentences with the same Turn number and role.
        grouped: list[tuple[tuple[int, Role], list[str]]] = []
        for turn, role, text in units:
            if grouped and grouped[-1][0] == (turn, role):
                grouped[-1][1].append(text)
            else:
                grouped.append(((turn, role), [text]))
        turns = [Turn(role, "\n".join(texts)) for (_, role), texts in grouped]
        yield Transcript(dialog, turns, Channel.CHAT), donated.get(dialog, math.nan)


def repeated(
    table: ScoreTable, outcomes: Mapping[str, float], kind: Kind, args: argparse.Namespace
) -> tuple[list[Calibration], str]:
    """Calibrations with seeds 0..repeats-1, and a Markdown row of their figures."""
    runs = [
        calibrate(table, outcomes, kind, alpha=args.alpha, folds=args.folds, seed=seed)
        for seed in range(args.repeats)
    ]
    default = [r.default_score for r in runs]
    fitted = [r.fitted_score for r in runs]
    gain = [f - d for f, d in zip(fitted, default, strict=True)]
    better = sum(r.folds_improved for r in runs)
    total = sum(len(r.fold_scores) for r in runs)
    first = runs[0]
    row = (
        f"| {first.n} | {first.metric} | {_spread(default)} | {_spread(fitted)} | {_spread(gain, sign=True)} "
        f"| {better}/{total} | {first.default_in_sample:.3f} | {first.fitted_in_sample:.3f} |"
    )
    return runs, row


def _spread(values: list[float], *, sign: bool = False) -> str:
    form = "+.3f" if sign else ".3f"
    return f"{np.mean(values):{form}} ({min(values):{form}} to {max(values):{form}})"


HEADER = (
    "| outcome | n | metric | CV default | CV fitted | CV gain | folds fitted > default "
    "| in-sample default | in-sample fitted |\n|---|---|---|---|---|---|---|---|---|"
)


def weights_table(calibrations: dict[str, Calibration]) -> None:
    names = list(next(iter(calibrations.values())).starting_weights)
    print("| weights (fitted on all rows) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    first = next(iter(calibrations.values()))
    print("| default | " + " | ".join(f"{first.starting_weights[n]:+.3f}" for n in names) + " |")
    for outcome, calibration in calibrations.items():
        cells = []
        for name in names:
            weight = calibration.weights.get(name)
            flag = " (sign changed)" if name in calibration.sign_changes else ""
            cells.append("-" if weight is None else f"{weight:+.3f}{flag}")
        print(f"| {outcome} | " + " | ".join(cells) + " |")


def applies(table: ScoreTable, names: tuple[str, ...]) -> str:
    return ", ".join(f"{name} {int(np.sum(~np.isnan(table[name])))}" for name in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "data", type=Path, help="the shared data folder (holding raw/ and persuasionforgood/)"
    )
    parser.add_argument("--repeats", type=int, default=10, help="seeds of the fold shuffle (default 10)")
    parser.add_argument("--alpha", type=float, default=1.0, help="L2 penalty of the fit (default 1)")
    parser.add_argument("--folds", type=int, default=5, help="folds of the cross-validation (default 5)")
    args = parser.parse_args(argv)
    esconv_path = args.data / "raw" / "esconv-failed" / "FailedESConv.json"
    p4g = args.data / "persuasionforgood"
    for needed in (esconv_path, p4g / "annotated_info.csv", p4g / "annotated_sentences.csv"):
        if not needed.exists():
            print(f"missing data: {needed}", file=sys.stderr)
            return 1
    print(
        f"calibrate() with alpha={args.alpha:g}, {args.folds}-fold CV repeated with seeds "
        f"0-{args.repeats - 1}: mean (lowest to highest repeat)\n"
    )

    suite = default_suite()
    print(f"## ESConv ({esconv_path.name}): seeker ratings, kind='csat'\n")
    items = list(esconv_dialogues(esconv_path))
    table = ScoreTable.from_scorecards(suite(t) for t, _ in items)
    print(f"{len(table)} dialogues; scores that apply: {applies(table, suite.names)}\n")
    print(HEADER)
    fitted: dict[str, Calibration] = {}
    for outcome in ("empathy rating", "emotion improvement", "last feedback"):
        outcomes = {t.id: values[outcome] for t, values in items}
        runs, row = repeated(table, outcomes, "csat", args)
        fitted[outcome] = runs[0]
        print(f"| {outcome} {row}")
    print()
    weights_table(fitted)
    print()

    print(f"## PersuasionForGood ({p4g.name}/): donated (B6 > 0), kind='binary'\n")
    p4g_suite: Suite = suite.replace("pushiness", PushinessScorer(products=DONATION_TERMS))
    dialogs = list(persuasion(p4g))
    table = ScoreTable.from_scorecards(p4g_suite(t) for t, _ in dialogs)
    donated = {t.id: outcome for t, outcome in dialogs}
    known = [v for v in donated.values() if not math.isnan(v)]
    print(
        f"{len(table)} dialogues, {int(sum(known))} of {len(known)} persuadees donated; "
        f"scores that apply: {applies(table, p4g_suite.names)}\n"
    )
    print(HEADER)
    runs, row = repeated(table, donated, "binary", args)
    print(f"| donated {row}")
    print()
    weights_table({"donated": runs[0]})
    print()
    print("Raw coefficients (log-odds per unit of component):", end=" ")
    print(", ".join(f"{name} {value:+.3f}" for name, value in runs[0].coefficients.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
