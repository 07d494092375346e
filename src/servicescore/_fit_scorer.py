"""Fit the resolution scorer to labelled transcripts: the code of the shipped model and :func:`fit_scorer`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
import numpy as np
import numpy.typing as npt

from ._analysis import analyze
from ._model import Transcript
from .learn import SparseRows, cross_val_decisions, fit, folds_by_id, spearman
from .scorers._resolution import DIMS, ResolutionModel, ResolutionScorer

__all__ = ["ScorerFit", "fit_resolution", "fit_scorer"]

#: Ridge penalty of the decision model (chosen by 5-fold CV on STC-3 dev).
RESOLUTION_L2 = 0.3
#: A light penalty on the one calibration weight.
CALIBRATION_L2 = 1e-3


def fit_resolution(
    rows: SparseRows,
    targets: npt.ArrayLike,
    solved: npt.ArrayLike,
    folds: npt.ArrayLike,
    *,
    l2: float = RESOLUTION_L2,
    meta: dict[str, str] | None = None,
) -> tuple[ResolutionModel, npt.NDArray[np.float64]]:
    """Fit a :class:`~servicescore.scorers.ResolutionModel` and its calibration.

    The decision is a ridge regression of *targets* on *rows*; the calibration
    is a logistic fit of *solved* (each a 0/1 flag or a share in ``[0, 1]``,
    read as that fraction of a positive example) on the out-of-fold
    decisions, so the calibrated value is an honest estimate of the share
    solved on unseen transcripts.

    Returns:
        The model (decision fitted on every row) and the out-of-fold decisions.
    """
    y = np.asarray(targets, dtype=np.float64).reshape(-1)
    share = np.asarray(solved, dtype=np.float64).reshape(-1)
    if len(share) != len(y) or not ((share >= 0) & (share <= 1)).all():
        raise ValueError("fit_resolution: solved needs one value in [0, 1] per row")
    oof, _ = cross_val_decisions(rows, y, folds, kind="ridge", l2=l2)
    n = len(oof)
    one = SparseRows(np.arange(2 * n + 1), np.zeros(2 * n, dtype=np.int64), np.concatenate([oof, oof]), 1)
    labels = np.concatenate([np.ones(n), np.zeros(n)])
    calibration = fit(
        one, labels, kind="logistic", l2=CALIBRATION_L2, sample_weight=np.concatenate([share, 1 - share])
    )
    decision = fit(rows, y, kind="ridge", l2=l2, meta=meta)
    return ResolutionModel(decision, calibration), oof


@attrs.frozen
class ScorerFit:
    """The result of :func:`fit_scorer`.

    Attributes:
        model: The fitted model (pass it as ``ResolutionScorer(model=...)``, or
            :meth:`save` it for ``default_suite(model=PATH)`` and ``--model PATH``).
        cross_validated: Spearman correlation, in ``[-1, 1]`` (higher = closer),
            of the out-of-fold decisions with the labels: how well a model
            fitted this way agrees with labels it has not seen.
        shipped: Spearman correlation of the shipped model's values with the labels.
        count: How many labelled transcripts were fitted (those the scorer applies to).
    """

    model: ResolutionModel
    cross_validated: float
    shipped: float
    count: int

    def save(self, path: str | Path) -> None:
        """Write the model to *path* (see :class:`~servicescore.scorers.ResolutionModel`)."""
        self.model.save(path)

    def __str__(self) -> str:
        return (
            f"fitted on {self.count} transcripts: Spearman {self.cross_validated:+.3f} cross-validated, "
            f"shipped model {self.shipped:+.3f}"
        )


def fit_scorer(
    transcripts: Iterable[Transcript],
    labels: Sequence[float] | npt.ArrayLike,
    *,
    solved: Sequence[float] | npt.ArrayLike | None = None,
    folds: int = 5,
    seed: int = 0,
    l2: float = RESOLUTION_L2,
) -> ScorerFit:
    """Fit the resolution scorer to your own labels (QA scores, CSAT, resolved flags).

    The same code that built the shipped model (``training/resolution.py``):
    the scorer's features of each transcript, a ridge regression on *labels*,
    a calibration of its decisions to *solved*; agreement is measured by
    *folds*-fold cross-validation with folds fixed by transcript id.

    Args:
        transcripts: The labelled transcripts (ids unique).
        labels: One number per transcript, higher = more resolved (a QA score,
            a CSAT rating, a 0/1 resolved flag).
        solved: One value in ``[0, 1]`` per transcript: whether (or the share
            of reviewers who said) it was resolved; what the scorer's value and
            its ``label`` thresholds will mean. Default: *labels* themselves,
            which must then lie in ``[0, 1]``.
        folds: Cross-validation folds (at least 2).
        seed: Seed of the fold assignment.
        l2: Ridge penalty.

    Returns:
        The fitted model and its cross-validated agreement against the shipped model's.

    Raises:
        ValueError: On a length mismatch, repeated ids, *solved* outside
            ``[0, 1]``, or fewer transcripts the scorer applies to than folds.
    """
    items = list(transcripts)
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    share = y if solved is None else np.asarray(solved, dtype=np.float64).reshape(-1)
    if not len(y) == len(share) == len(items):
        raise ValueError(f"fit_scorer: {len(items)} transcripts, {len(y)} labels, {len(share)} solved values")
    if not np.isfinite(y).all():
        raise ValueError("fit_scorer: every label must be a finite number")
    if not ((share >= 0) & (share <= 1)).all():
        raise ValueError("fit_scorer: solved values (default: the labels) must lie in [0, 1]")
    ids = [t.id for t in items]
    if len(set(ids)) != len(ids):
        raise ValueError("fit_scorer: transcript ids must be unique (they fix the folds)")
    scorer = ResolutionScorer()
    rows, keep, shipped = [], [], []
    for i, transcript in enumerate(items):
        analysis = analyze(transcript)
        row = scorer.features(analysis)
        if row is None:
            continue
        rows.append(row)
        keep.append(i)
        value = scorer(analysis).value
        shipped.append(0.0 if value is None else value)
    if len(keep) < max(folds, 3):
        raise ValueError(f"fit_scorer: only {len(keep)} transcripts have a customer and an agent turn")
    picked = np.asarray(keep)
    batch = SparseRows.from_rows(rows, DIMS)
    fold = folds_by_id([ids[i] for i in keep], folds, seed)
    model, oof = fit_resolution(
        batch, y[picked], share[picked], fold, l2=l2, meta={"trained_on": "user labels"}
    )
    return ScorerFit(model, spearman(oof, y[picked]), spearman(np.asarray(shipped), y[picked]), len(keep))
