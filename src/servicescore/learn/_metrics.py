"""Agreement figures for validating a model against human labels (numpy only)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["macro_f1", "roc_auc", "spearman"]


def macro_f1(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """The unweighted mean over the true labels of each label's F1, in ``[0, 1]`` (higher = better).

    >>> round(macro_f1([0, 1, 2, 2], [0, 1, 2, 1]), 4)
    0.7778
    """
    t, p = np.asarray(truth).reshape(-1), np.asarray(predicted).reshape(-1)
    if len(t) != len(p) or not len(t):
        raise ValueError("macro_f1: truth and predicted must be non-empty and of equal length")
    scores = []
    for label in np.unique(t):
        tp = float(((t == label) & (p == label)).sum())
        denominator = float((t == label).sum() + (p == label).sum())
        scores.append(2 * tp / denominator)
    return float(np.mean(scores))


def _ranks(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Ranks from 1, ties sharing their mean rank."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    _values, inverse = np.unique(x, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), weights=ranks)
    counts = np.bincount(inverse.reshape(-1))
    out: npt.NDArray[np.float64] = (sums / counts)[inverse.reshape(-1)]
    return out


def roc_auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Area under the ROC curve of *scores* for 0/1 *labels*, in ``[0, 1]`` (0.5 = chance).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y = np.asarray(labels).reshape(-1).astype(bool)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if len(y) != len(s) or not n_pos or not n_neg:
        raise ValueError("roc_auc: needs scores for both classes, one per label")
    ranks = _ranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman's rank correlation, in ``[-1, 1]`` (ties get mean ranks).

    >>> round(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 4)
    0.8
    """
    a, b = np.asarray(x, dtype=np.float64).reshape(-1), np.asarray(y, dtype=np.float64).reshape(-1)
    if len(a) != len(b) or len(a) < 2:
        raise ValueError("spearman: needs two equal-length samples of at least two values")
    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])
