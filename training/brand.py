"""Fit the default brand-experience weights to STC-3 customer satisfaction, cross-validated by id.

Usage::

    python -m training.brand --data ../shared/data

Scores the NTCIR-14 STC-3 English dev dialogues with the default suite, but
takes each dialogue's resolution value *out of fold*: from a resolution model
fitted (``fit_resolution``, the shipped model's recipe) on the other four of
five folds fixed by id (``folds_by_id(ids, 5)``), because the shipped
resolution model was trained on these very dialogues. Then, per fold,
:func:`servicescore.calibrate` fits the weights on the other folds and the
experience of the held-out dialogues is compared with the raters' mean
satisfaction (Spearman's rho, pooled over the 1,008 out-of-fold experiences).

STC-3 dialogues carry no timestamps, so latency never applies there and its
weight cannot be fitted: the printed weights keep latency's prior share
(:data:`LATENCY_WEIGHT`) and scale the fitted weights of the other scores to
the rest, which is what ``DEFAULT_WEIGHTS`` in ``servicescore/_impact.py``
holds. Everything is deterministic: the same data prints the same figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from servicescore import DEFAULT_WEIGHTS, BrandImpact, ScoreTable, calibrate, default_suite
from servicescore._analysis import analyze
from servicescore._fit_scorer import fit_resolution
from servicescore.learn import SparseRows, folds_by_id, spearman
from servicescore.scorers import ResolutionScorer
from servicescore.scorers._resolution import DIMS

from .resolution import load_stc3, solved_share

#: The weights before they were fitted (see docs/explanation/brand-impact.md).
PRIOR_WEIGHTS = {"resolution": 0.40, "empathy": 0.25, "latency": -0.20, "pushiness": -0.15}
#: Latency's weight, kept from the prior (STC-3 has no timestamps to fit it on).
LATENCY_WEIGHT = -0.20
#: The scores fitted on STC-3, with the sign each weight must keep (the
#: documented meaning: more resolution or empathy never lowers the experience,
#: more pushiness never raises it). A score whose fitted weight comes out with
#: the other sign gets weight 0, and the rest are fitted again without it.
SIGNS = {"resolution": 1.0, "empathy": 1.0, "pushiness": -1.0}
FITTED = tuple(SIGNS)
#: The smallest share of the total weight any score keeps, with its sign: the
#: prior that each score matters somewhat, so each still moves the experience
#: in its documented direction (and alone still gives an experience).
FLOOR = 0.05


def out_of_fold_resolution(transcripts: list, labels: dict, folds_of: dict[str, int]) -> dict[str, float]:
    """Each dialogue's resolution value from a model fitted without its fold."""
    scorer = ResolutionScorer()
    rows, ids = [], []
    for transcript in transcripts:
        row = scorer.features(analyze(transcript))
        if row is not None:
            rows.append(row)
            ids.append(transcript.id)
    a = np.array([float(labels[i]["A_mean"]) for i in ids])
    share = np.array([solved_share(labels[i]) for i in ids])
    folds = np.array([folds_of[i] for i in ids])
    model, oof = fit_resolution(SparseRows.from_rows(rows, DIMS), a, share, folds)
    return {i: model.value(float(d)) for i, d in zip(ids, oof, strict=True)}


def fit_weights(table: ScoreTable, satisfaction: np.ndarray) -> dict[str, float]:
    """Weights fitted with :func:`~servicescore.calibrate`, each keeping its sign in :data:`SIGNS` or 0."""
    names = list(FITTED)
    while True:
        fitted = dict(calibrate(table, satisfaction, "csat", scores=names).weights)
        wrong = [name for name in names if fitted[name] * SIGNS[name] < 0]
        if not wrong:
            return with_latency_prior(with_floor({name: fitted.get(name, 0.0) for name in FITTED}))
        names = [name for name in names if name not in wrong]


def with_floor(weights: dict[str, float]) -> dict[str, float]:
    """Weights (total absolute weight 1) where each is at least :data:`FLOOR` in size, signed as in SIGNS."""
    small = {name for name, w in weights.items() if abs(w) < FLOOR}
    rest = sum(abs(w) for name, w in weights.items() if name not in small) or 1.0
    keep = (1.0 - FLOOR * len(small)) / rest
    return {name: SIGNS[name] * FLOOR if name in small else w * keep for name, w in weights.items()}


def with_latency_prior(weights: dict[str, float]) -> dict[str, float]:
    """The fitted weights scaled to ``1 - |LATENCY_WEIGHT|``, with latency's prior weight added."""
    total = sum(abs(w) for w in weights.values()) or 1.0
    scaled = {name: (1 - abs(LATENCY_WEIGHT)) * w / total for name, w in weights.items()}
    return {**scaled, "latency": LATENCY_WEIGHT}


def main(argv: list[str] | None = None) -> int:
    """Print the cross-validated figures and the fitted default weights."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (holds stc3/)")
    args = parser.parse_args(argv)
    transcripts, labels = load_stc3(args.data)
    ids = [t.id for t in transcripts]
    folds_of = dict(zip(ids, folds_by_id(ids, 5).tolist(), strict=True))
    resolution = out_of_fold_resolution(transcripts, labels, folds_of)
    cards = [default_suite()(t) for t in transcripts]
    columns = {"id": np.array(ids, dtype=object)}
    columns["resolution"] = np.array([resolution.get(i, np.nan) for i in ids])
    for name in ("empathy", "pushiness", "latency"):
        columns[name] = np.array([np.nan if c[name].value is None else c[name].value for c in cards])
    table = ScoreTable(columns)
    satisfaction = np.array([float(labels[i]["S_mean"]) for i in ids])
    fold = np.array([folds_of[i] for i in ids])

    def experiences(impact: BrandImpact, rows: np.ndarray) -> np.ndarray:
        out = []
        for k in rows:
            value = impact.experience({name: float(columns[name][k]) for name in (*FITTED, "latency")})
            out.append(0.0 if value is None else value)
        return np.array(out)

    everyone = np.arange(len(ids))
    prior = experiences(BrandImpact(PRIOR_WEIGHTS), everyone)
    shipped = experiences(BrandImpact(), everyone)
    held_out = np.zeros(len(ids))
    per_fold = []
    for k in range(5):
        train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        part = ScoreTable({name: values[train] for name, values in columns.items()})
        impact = BrandImpact(fit_weights(part, satisfaction[train]))
        held_out[test] = experiences(impact, test)
        per_fold.append(spearman(held_out[test], satisfaction[test]))
    weights = fit_weights(table, satisfaction)
    print(f"STC-3 dev: {len(ids)} dialogues, 5 folds by id; resolution values out of fold")
    print(f"  resolution (out of fold) vs S     Spearman {spearman(columns['resolution'], satisfaction):.3f}")
    print(f"  experience, prior weights vs S    Spearman {spearman(prior, satisfaction):.3f}")
    folds_text = ", ".join(f"{s:.3f}" for s in per_fold)
    print(f"  experience, fitted weights vs S   Spearman {spearman(held_out, satisfaction):.3f}")
    print(f"    (out of fold, pooled; per fold {folds_text})")
    print(f"fitted weights (sign-constrained, at least {FLOOR} each; latency kept at its prior):")
    for name, weight in weights.items():
        print(f"  {name:<11} {weight:+.3f}   (DEFAULT_WEIGHTS: {DEFAULT_WEIGHTS.get(name, 0.0):+.2f})")
    dissatisfied = satisfaction < 0
    print(f"shipped DEFAULT_WEIGHTS: experience vs S Spearman {spearman(shipped, satisfaction):.3f}")
    print(f"  dissatisfied (mean S < 0): {dissatisfied.mean():.0%} of all dialogues")
    for below in (0.0, -0.3, -0.5, -0.6):
        flagged = shipped < below
        share = dissatisfied[flagged].mean() if flagged.any() else float("nan")
        shown = f"{flagged.mean():4.0%} of dialogues, {share:.0%} of them dissatisfied"
        print(f"  experience < {below:+.1f}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
