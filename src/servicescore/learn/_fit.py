"""Fitting linear models with numpy alone: L2-regularised logistic, ridge and ordinal regression.

Every fit is a deterministic full-batch L-BFGS minimisation (no random
initialisation, no shuffling), so the same data always gives the same
weights, bit for bit on one platform. Only the columns that occur in the data
are optimised (every other weight is exactly zero), which keeps fits over
``2**18`` hashed columns fast and the saved models small.

Objectives, for decision values ``f = X·w + b`` and per-row weights ``s``:

* logistic (labels 0/1): ``sum s·log(1 + exp(-y·f)) + l2/2·|w|²`` with ``y = ±1``;
* ridge: ``sum s·(f - y)²/2 + l2/2·|w|²``;
* ordinal (levels ``0..K``): the all-threshold loss of Rennie and Srebro (2005),
  ``sum_i s_i sum_k log(1 + exp(-z_ik·(f_i - t_k)))`` with ``z_ik = +1`` if
  ``y_i > k`` else ``-1``, plus ``l2/2·|w|²``; no bias (the thresholds ``t``
  play its role).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ._model import KINDS, Kind, LinearModel
from ._sparse import FloatArray, IntArray, SparseRows

__all__ = ["balanced_weights", "cross_val_decisions", "fit", "folds_by_id"]

Objective = Callable[[FloatArray], tuple[float, FloatArray]]


def _log1pexp(z: FloatArray) -> FloatArray:
    out: FloatArray = np.logaddexp(0.0, z)
    return out


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def _lbfgs(objective: Objective, x0: FloatArray, max_iter: int, tol: float, memory: int = 10) -> FloatArray:
    """Minimise a smooth convex *objective* (value and gradient) from *x0*."""
    x = x0.copy()
    value, grad = objective(x)
    s_list: list[FloatArray] = []
    y_list: list[FloatArray] = []
    scale0 = max(1.0, float(np.abs(grad).max()))
    for _ in range(max_iter):
        if float(np.abs(grad).max()) <= tol * scale0:
            break
        # Two-loop recursion: direction = -H·grad.
        q = grad.copy()
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list), strict=True):
            a = float(s @ q) / float(y @ s)
            alphas.append(a)
            q -= a * y
        if s_list:
            q *= float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1])
        else:
            q /= max(1.0, float(np.linalg.norm(grad)))
        for (s, y), a in zip(zip(s_list, y_list, strict=True), reversed(alphas), strict=True):
            b = float(y @ q) / float(y @ s)
            q += (a - b) * s
        direction = -q
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_list.clear()
            y_list.clear()
            direction, slope = -grad, -float(grad @ grad)
        step = 1.0
        for _ in range(40):  # backtracking line search (Armijo)
            x_new = x + step * direction
            new_value, new_grad = objective(x_new)
            if new_value <= value + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break  # no decrease possible at machine precision
        s_vec, y_vec = x_new - x, new_grad - grad
        if float(s_vec @ y_vec) > 1e-12:
            s_list.append(s_vec)
            y_list.append(y_vec)
            if len(s_list) > memory:
                del s_list[0], y_list[0]
        converged = abs(value - new_value) <= 1e-10 * max(1.0, abs(value))
        x, value, grad = x_new, new_value, new_grad
        if converged:
            break
    return x


def fit(
    rows: SparseRows,
    labels: npt.ArrayLike,
    *,
    kind: Kind = "logistic",
    l2: float = 1.0,
    sample_weight: npt.ArrayLike | None = None,
    levels: int | None = None,
    max_iter: int = 500,
    tol: float = 1e-6,
    meta: Mapping[str, str] | None = None,
) -> LinearModel:
    """Fit a :class:`~servicescore.learn.LinearModel` to *rows* and *labels*.

    Args:
        rows: The examples.
        labels: One per row: 0/1 for ``"logistic"``, a number for ``"ridge"``,
            an integer level ``0..levels-1`` for ``"ordinal"``.
        kind: ``"logistic"``, ``"ridge"`` or ``"ordinal"`` (see the module docstring).
        l2: Strength of the L2 penalty on the weights (larger = smoother; must be positive).
        sample_weight: Optional weight of each row (e.g. :func:`balanced_weights`).
        levels: Number of ordinal levels (default: the largest label plus one).
        max_iter: Most L-BFGS iterations.
        tol: Stop when the largest gradient entry falls below ``tol`` times its first value.
        meta: Strings saved with the model.

    Returns:
        The fitted model, with ``rows.n_cols`` weights.

    Raises:
        ValueError: On labels that do not fit the kind, or mismatched lengths.
    """
    if kind not in KINDS:
        raise ValueError(f"fit: kind must be one of {KINDS}, not {kind!r}")
    if not l2 > 0:
        raise ValueError(f"fit: l2 must be positive, not {l2}")
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    n = rows.n_rows
    if len(y) != n:
        raise ValueError(f"fit: {n} rows but {len(y)} labels")
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if len(s) != n or (s < 0).any():
        raise ValueError("fit: sample_weight needs one non-negative weight per row")
    # Optimise only the columns present; the others stay exactly zero.
    used, compact = np.unique(rows.indices, return_inverse=True)
    x_rows = SparseRows(rows.indptr, compact.reshape(-1), rows.values, max(1, len(used)))
    d = x_rows.n_cols
    if kind == "ordinal":
        k = int(y.max()) + 1 if levels is None else levels
        if k < 2 or not np.array_equal(y, np.round(y)) or y.min() < 0 or y.max() >= k:
            raise ValueError(f"fit: ordinal labels must be integers in [0, {k})")
        z = np.where(y[:, None] > np.arange(k - 1)[None, :], 1.0, -1.0)

        def objective(p: FloatArray) -> tuple[float, FloatArray]:
            w, t = p[:d], p[d:]
            m = z * (x_rows.dot(w)[:, None] - t[None, :])
            loss = float((s[:, None] * _log1pexp(-m)).sum()) + 0.5 * l2 * float(w @ w)
            g = -z * _sigmoid(-m) * s[:, None]  # d loss / d (f - t)
            return loss, np.concatenate([x_rows.T_dot(g.sum(axis=1)) + l2 * w, -g.sum(axis=0)])

        # Start the thresholds at the logits of the cumulative label shares.
        share = np.array([(s * (y > j)).sum() for j in range(k - 1)]) / s.sum()
        start = -np.log(np.clip(share, 1e-3, 1 - 1e-3) / (1 - np.clip(share, 1e-3, 1 - 1e-3)))
        p = _lbfgs(objective, np.concatenate([np.zeros(d), start]), max_iter, tol)
        weights, bias, thresholds = p[:d], 0.0, tuple(np.sort(p[d:]).tolist())
    else:
        if kind == "logistic" and not np.isin(y, (0.0, 1.0)).all():
            raise ValueError("fit: logistic labels must be 0 or 1")
        target = 2.0 * y - 1.0 if kind == "logistic" else y

        def objective(p: FloatArray) -> tuple[float, FloatArray]:
            w, b = p[:d], p[d]
            f = x_rows.dot(w) + b
            if kind == "logistic":
                m = target * f
                loss = float(s @ _log1pexp(-m))
                g = -target * _sigmoid(-m) * s
            else:
                r = f - target
                loss = 0.5 * float(s @ (r * r))
                g = r * s
            loss += 0.5 * l2 * float(w @ w)
            return loss, np.append(x_rows.T_dot(g) + l2 * w, g.sum())

        start_bias = 0.0
        if kind == "ridge":
            start_bias = float(s @ target / s.sum())
        p = _lbfgs(objective, np.append(np.zeros(d), start_bias), max_iter, tol)
        weights, bias, thresholds = p[:d], float(p[d]), ()
    full = np.zeros(rows.n_cols, dtype=np.float64)
    if len(used):
        full[used] = weights[: len(used)]
    return LinearModel(kind, full, bias, thresholds, meta or {})


def balanced_weights(labels: npt.ArrayLike) -> FloatArray:
    """Row weights that give every label the same total weight (mean weight 1)."""
    y = np.asarray(labels).reshape(-1)
    values, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    out: FloatArray = (len(y) / (len(values) * counts))[inverse.reshape(-1)]
    return out


def folds_by_id(ids: Sequence[str], k: int, seed: int = 0) -> IntArray:
    """A fold number in ``[0, k)`` for each record id, fixed by a hash of the id (and *seed*).

    The same id always falls in the same fold, whatever the order or the
    other records, so folds do not move when data is added.

    >>> folds_by_id(["a", "b", "c"], 5).tolist()
    [2, 0, 3]
    """
    if k < 2:
        raise ValueError(f"folds_by_id: k must be at least 2, not {k}")
    return np.array([zlib.crc32(f"{seed}:{i}".encode()) % k for i in ids], dtype=np.int64)


def cross_val_decisions(
    rows: SparseRows,
    labels: npt.ArrayLike,
    folds: npt.ArrayLike,
    **fit_args: object,
) -> tuple[FloatArray, list[LinearModel]]:
    """Out-of-fold decision values: each row scored by a model fitted without its fold.

    Args:
        rows: The examples.
        labels: Their labels.
        folds: The fold of each row (e.g. :func:`folds_by_id`).
        **fit_args: Passed to :func:`fit` (``kind``, ``l2``, ``sample_weight`` is split by fold).

    Returns:
        The decision value of every row, and the model of each fold.
    """
    y = np.asarray(labels, dtype=np.float64).reshape(-1)
    fold = np.asarray(folds).reshape(-1)
    weight = fit_args.pop("sample_weight", None)
    out = np.zeros(rows.n_rows)
    models = []
    for f in np.unique(fold):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        w = None if weight is None else np.asarray(weight)[train]
        model = fit(rows.take(train), y[train], sample_weight=w, **fit_args)  # type: ignore[arg-type]
        out[test] = model.decisions(rows.take(test))
        models.append(model)
    return out, models
