"""Small numpy metrics shared by the validation scripts (no scipy or scikit-learn needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def macro_f1(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int]) -> float:
    """Unweighted mean of the per-label F1 scores."""
    return float(np.mean([f1(truth, predicted, label)[2] for label in labels]))


def f1(truth: Sequence[object], predicted: Sequence[object], label: object) -> tuple[float, float, float]:
    """Precision, recall and F1 of *label*."""
    t = np.asarray([x == label for x in truth])
    p = np.asarray([x == label for x in predicted])
    tp = float(np.sum(t & p))
    precision = tp / p.sum() if p.sum() else 0.0
    recall = tp / t.sum() if t.sum() else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def confusion(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[int]) -> list[list[int]]:
    """Rows: true label; columns: predicted label."""
    index = {label: i for i, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        table[index[t]][index[p]] += 1
    return table


def _ranks(values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    order = np.argsort(array, kind="mergesort")
    ranks = np.empty(len(array))
    ranks[order] = np.arange(1, len(array) + 1)
    for value in np.unique(array):  # average ranks of ties
        tied = array == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get average ranks)."""
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def bootstrap_ci(
    x: Sequence[float], y: Sequence[float], *, samples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile bootstrap interval of Spearman's rho (pairs resampled, seeded)."""
    rng = np.random.default_rng(seed)
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    values = []
    for _ in range(samples):
        pick = rng.integers(0, len(xs), len(xs))
        if np.ptp(xs[pick]) and np.ptp(ys[pick]):
            values.append(spearman(xs[pick], ys[pick]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
