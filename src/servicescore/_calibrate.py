"""Calibration: fit the brand-impact weights to outcomes a company holds (CSAT, NPS, churn)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from ._impact import BrandImpact
from ._table import ScoreTable

__all__ = ["Calibration", "calibrate"]

Array = npt.NDArray[np.float64]
Kind = Literal["csat", "binary"]

#: Newton (IRLS) steps of the logistic fit at most. L2-regularised logistic
#: loss is strictly convex, and Newton's method converges quadratically near
#: the optimum, so a handful of steps reach machine precision on these few
#: features; the cap only bounds the work.
_NEWTON_STEPS = 50
#: Stop the Newton steps once no coefficient moves more than this.
_NEWTON_TOLERANCE = 1e-10


def _metric_name(kind: str) -> str:
    return "spearman" if kind == "csat" else "auc"


def _freeze(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Calibration:
    """The result of :func:`calibrate`: fitted weights and how well they rank outcomes.

    Scores (:attr:`default_score`, :attr:`fitted_score` and the rest) measure
    how well the experience ranks the outcome, oriented so that higher is
    better: Spearman's rho between experience and outcome for ``kind="csat"``
    (-1 to 1, 0 is no relation), the area under the ROC curve for
    ``kind="binary"`` (0.5 is chance, 1 perfect: the chance that a good
    outcome's interaction has the higher experience, ties counting half).

    Attributes:
        impact: A :class:`~servicescore.BrandImpact` with the fitted weights and
            the neutral points and audience settings of the one calibrated.
        kind: ``"csat"`` or ``"binary"`` (:attr:`metric` names the measure).
        n: The rows used (table rows with a known outcome).
        coefficients: The raw fitted coefficient of each score's component
            (standardised outcome units for csat, log-odds for binary), before
            the weights are scaled to a total absolute weight of 1.
        default_score: Cross-validated score of the starting weights (mean over folds).
        fitted_score: Cross-validated score of the weights fitted on the other
            folds (mean over folds).
        fold_scores: ``(default, fitted)`` on each held-out fold, in fold order.
        default_in_sample: Score of the starting weights on all rows.
        fitted_in_sample: Score of the fitted weights on the rows they were
            fitted to (optimistic: compare :attr:`fitted_score`).
        starting_weights: The weights of the BrandImpact calibrated.

    >>> import numpy as np
    >>> from servicescore import ScoreTable
    >>> table = ScoreTable({"id": np.array(list("abcdefghij"), dtype=object),
    ...                     "resolution": np.linspace(0, 1, 10)})
    >>> calibration = calibrate(table, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5], folds=2)
    >>> calibration.metric, calibration.n, dict(calibration.weights)
    ('spearman', 10, {'resolution': 1.0})
    >>> round(calibration.fitted_score, 3), calibration.sign_changes
    (0.949, ())
    """

    impact: BrandImpact
    kind: Kind
    n: int
    coefficients: Mapping[str, float] = attrs.field(converter=_freeze)
    default_score: float
    fitted_score: float
    fold_scores: tuple[tuple[float, float], ...]
    default_in_sample: float
    fitted_in_sample: float
    starting_weights: Mapping[str, float] = attrs.field(converter=_freeze)

    def __getstate__(self) -> dict[str, Any]:
        """Plain dicts for pickling (mapping proxies do not pickle)."""
        state = {field.name: getattr(self, field.name) for field in attrs.fields(type(self))}
        state["coefficients"] = dict(self.coefficients)
        state["starting_weights"] = dict(self.starting_weights)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`__getstate__`."""
        for key, value in state.items():
            object.__setattr__(self, key, _freeze(value) if isinstance(value, dict) else value)

    @property
    def metric(self) -> str:
        """``"spearman"`` for csat outcomes, ``"auc"`` for binary ones."""
        return _metric_name(self.kind)

    @property
    def weights(self) -> Mapping[str, float]:
        """The fitted signed weights (total absolute weight 1), as in :attr:`impact`."""
        return self.impact.weights

    @property
    def folds_improved(self) -> int:
        """On how many held-out folds the fitted weights scored higher than the starting ones."""
        return sum(fitted > default for default, fitted in self.fold_scores)

    @property
    def sign_changes(self) -> tuple[str, ...]:
        """Scores whose fitted weight has the opposite sign of the starting weight.

        Such a weight is kept as fitted, never flipped: it says that in these
        outcomes more of the score went with *worse* outcomes (or, for
        pushiness and latency, better ones). Check for a confound before
        trusting it.
        """
        return tuple(
            name for name, weight in self.weights.items() if weight * self.starting_weights.get(name, 0.0) < 0
        )

    def __str__(self) -> str:
        """A short report: the scores, default against fitted, and the weights."""
        label = "Spearman's rho" if self.kind == "csat" else "AUC"
        lines = [
            f"Calibration to {self.kind} outcomes: n={self.n}, {len(self.fold_scores)}-fold CV, "
            f"{label} of experience vs outcome",
            f"{'':16}{'default':>9}{'fitted':>9}",
            f"{'cross-validated':16}{self.default_score:>9.3f}{self.fitted_score:>9.3f}",
            f"{'in-sample':16}{self.default_in_sample:>9.3f}{self.fitted_in_sample:>9.3f}",
            f"fitted beats default on {self.folds_improved} of {len(self.fold_scores)} held-out folds",
            f"{'weight':16}{'default':>9}{'fitted':>9}",
        ]
        for name, weight in self.weights.items():
            flag = "  sign changed" if name in self.sign_changes else ""
            lines.append(f"{name:16}{self.starting_weights.get(name, 0.0):>+9.3f}{weight:>+9.3f}{flag}")
        return "\n".join(lines)


def _ranks(values: Array) -> Array:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.concatenate((starts[1:], [len(values)]))
    average = (starts + ends + 1) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = average[group]
    return ranks


def _spearman(x: Array, y: Array) -> float:
    """Spearman's rank correlation; ``nan`` when either side is constant."""
    rx, ry = _ranks(x), _ranks(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denominator = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry) / denominator if denominator > 0 else math.nan


def _auc(x: Array, y: Array) -> float:
    """Mann-Whitney AUC of *x* separating ``y == 1`` from ``y == 0`` (ties half); ``nan`` if one class."""
    positives = int(np.sum(y == 1))
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    rank_sum = float(np.sum(_ranks(x)[y == 1]))
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def _score(kind: str, experience: Array, outcome: Array) -> float:
    return _spearman(experience, outcome) if kind == "csat" else _auc(experience, outcome)


def _fit_ridge(x: Array, y: Array, alpha: float) -> Array:
    """Ridge coefficients (intercept unpenalised) of the standardised outcome on *x*."""
    spread = float(y.std())
    if spread == 0:
        return np.zeros(x.shape[1])
    target = (y - y.mean()) / spread
    centred = x - x.mean(axis=0)
    gram = centred.T @ centred + alpha * np.eye(x.shape[1])
    solution: Array = np.linalg.lstsq(gram, centred.T @ target, rcond=None)[0]
    return solution


def _fit_logistic(x: Array, y: Array, alpha: float) -> Array:
    """L2-regularised logistic coefficients (intercept unpenalised) by Newton's method (IRLS)."""
    design = np.column_stack((np.ones(len(x)), x))
    penalty = alpha * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    mean = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    beta = np.zeros(design.shape[1])
    beta[0] = math.log(mean / (1 - mean))
    for _ in range(_NEWTON_STEPS):
        p = 0.5 * (1.0 + np.tanh(0.5 * (design @ beta)))  # the logistic function, without overflow
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = (design.T * (p * (1 - p))) @ design + penalty
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        beta = beta - step
        if float(np.max(np.abs(step))) < _NEWTON_TOLERANCE:
            break
    coefficients: Array = beta[1:]
    return coefficients


def _fit(kind: str, x: Array, y: Array, alpha: float) -> Array:
    """The coefficients of *x*'s columns; exactly 0 for a column that does not vary."""
    varies = np.ptp(x, axis=0) > 0 if len(x) else np.zeros(x.shape[1], dtype=bool)
    coefficients = np.zeros(x.shape[1])
    if varies.any():
        fit = _fit_ridge if kind == "csat" else _fit_logistic
        coefficients[varies] = fit(x[:, varies], y, alpha)
    return coefficients


def _evolve(impact: BrandImpact, names: Sequence[str], coefficients: Array) -> BrandImpact | None:
    """*impact* with the coefficients, scaled to total absolute weight 1, as weights; ``None`` if all 0."""
    total = float(np.sum(np.abs(coefficients)))
    if total == 0 or not math.isfinite(total):
        return None
    weights = {name: float(c) / total for name, c in zip(names, coefficients, strict=True)}
    return attrs.evolve(impact, weights=weights)


def _experience(impact: BrandImpact | None, names: Sequence[str], values: Array) -> Array:
    """The experience of each row under *impact* (``None``, no weighted score, counts as 0)."""
    if impact is None:
        return np.zeros(len(values))
    result = np.empty(len(values))
    for i, row in enumerate(values):
        experience = impact.experience(dict(zip(names, map(float, row), strict=True)))
        result[i] = 0.0 if experience is None else experience
    return result


def _outcomes(table: ScoreTable, outcomes: object) -> Array:
    """The outcome of each table row as floats (``nan`` where unknown)."""
    rows = len(table)
    if isinstance(outcomes, Mapping):
        ids = table["id"] if "id" in table.columns else np.array([], dtype=object)
        found = [outcomes.get(i) for i in ids]
        if not any(value is not None for value in found):
            sample = ", ".join(repr(k) for k in list(outcomes)[:3])
            raise ValueError(
                f"no transcript id of the table is a key of outcomes (table ids like "
                f"{', '.join(repr(i) for i in ids[:3])}; outcome keys like {sample})"
            )
        values: list[object] = found
    elif isinstance(outcomes, str | bytes):
        raise TypeError("outcomes must be a mapping id -> outcome or a sequence of numbers, not a string")
    else:
        try:
            values = list(outcomes)  # type: ignore[call-overload]
        except TypeError:
            raise TypeError(
                f"outcomes must be a mapping id -> outcome or a sequence aligned with the table rows "
                f"(got {type(outcomes).__name__})"
            ) from None
        if len(values) != rows:
            raise ValueError(f"outcomes must give one value per table row ({rows}), got {len(values)}")
    result = np.empty(len(values))
    for i, value in enumerate(values):
        if value is None:
            result[i] = math.nan
            continue
        if not isinstance(value, int | float | np.integer | np.floating):
            raise TypeError(f"outcome of row {i} must be a number or None (got {value!r})")
        result[i] = float(value)
        if math.isinf(result[i]):
            raise ValueError(f"outcome of row {i} must be finite (got {value!r})")
    return result


def _features(
    table: ScoreTable, impact: BrandImpact, scores: Sequence[str] | None
) -> tuple[list[str], Array]:
    """The score names and the table's values of them (one column each, ``nan`` where missing)."""
    if scores is None:
        names = [name for name in impact.weights if name in table.columns]
        if not names:
            raise ValueError(
                f"the table has no column for any weighted score ({', '.join(impact.weights)}); "
                f"columns: {', '.join(table.columns)}"
            )
    else:
        names = list(dict.fromkeys(scores))
        if not names:
            raise ValueError("scores must name at least one score column")
        missing = [name for name in names if name not in table.columns]
        if missing:
            raise ValueError(
                f"no score column {', '.join(map(repr, missing))} in the table "
                f"(columns: {', '.join(table.columns)})"
            )
    columns = []
    for name in names:
        try:
            columns.append(np.asarray(table[name], dtype=np.float64))
        except (TypeError, ValueError):
            raise ValueError(f"column {name!r} is not numeric, so it cannot be a score") from None
    return names, np.column_stack(columns) if columns else np.empty((len(table), 0))


def _folds(kind: str, y: Array, folds: int, seed: int) -> list[Array]:
    """Held-out row indices of each fold: a seeded shuffle, dealt round-robin (by class if binary)."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y == label) for label in (0.0, 1.0)] if kind == "binary" else [np.arange(len(y))]
    held: list[list[int]] = [[] for _ in range(folds)]
    offset = 0
    for group in groups:
        for j, index in enumerate(rng.permutation(group)):
            held[(offset + j) % folds].append(int(index))
        offset += len(group)
    return [np.sort(np.asarray(fold, dtype=np.intp)).astype(np.intp) for fold in held]


def calibrate(
    table: ScoreTable,
    outcomes: Mapping[str, float | None] | Sequence[float | None] | npt.ArrayLike,
    kind: Kind = "csat",
    *,
    scores: Sequence[str] | None = None,
    impact: BrandImpact | None = None,
    higher_is_better: bool = True,
    alpha: float = 1.0,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """Fit the brand-impact weights to outcomes, and measure the fit by cross-validation.

    Each row's features are the centred components of its scores
    (:meth:`BrandImpact.component <servicescore.BrandImpact.component>`, in
    ``[-1, 1]``, 0 at the neutral point). A score that does not apply (``nan``
    in the table) counts as 0, neutral, in the fit; the experience itself, as
    always, re-weights over the scores that apply. With ``kind="csat"`` the
    outcome is standardised and fitted by ridge regression (L2 penalty
    *alpha*, intercept unpenalised, normal equations); with ``kind="binary"``
    by L2-regularised logistic regression (Newton's method, deterministic).
    The coefficients, scaled so their absolute values sum to 1 (the experience
    divides by the total absolute weight anyway), are the new signed weights.
    A coefficient whose sign differs from the starting weight is kept and
    listed in :attr:`Calibration.sign_changes`, never silently flipped; with
    such a weight the experience no longer rises with that score as the
    defaults do. A score that never varies over the rows gets weight 0.

    The fit is checked by *folds*-fold cross-validation (rows shuffled with
    *seed*; stratified by outcome for binary): on each held-out fold the
    experience under the weights fitted on the other folds, and under the
    starting weights, is compared with the outcome (Spearman's rho or AUC).

    Args:
        table: Scores of the transcripts (:class:`~servicescore.ScoreTable`).
        outcomes: The outcome of each transcript: a mapping from transcript
            id to outcome, or a sequence aligned with the table's rows.
            ``None`` or ``nan`` means unknown, and that row is left out.
        kind: ``"csat"`` for an ordinal or continuous outcome (CSAT 1-5, NPS
            0-10, a rating); ``"binary"`` for 0/1 outcomes.
        scores: The score columns to weigh (default: every score of
            *impact*'s weights that the table has). Names without a starting
            weight may be given (a scorer of your own); their neutral point
            is *impact*'s (0.5 unless set).
        impact: The starting :class:`~servicescore.BrandImpact` (default
            :class:`BrandImpact() <servicescore.BrandImpact>`): its weights are
            the baseline, and its neutral points and audience settings carry
            over to the result.
        higher_is_better: Whether a higher outcome is the better one (CSAT,
            NPS, "renewed" = 1). Set ``False`` for outcomes where higher is
            worse: churned = 1, reopened = 1, customer effort score.
        alpha: The L2 penalty (>= 0): larger shrinks the weights harder.
        folds: Folds of the cross-validation (>= 2).
        seed: Seed of the fold shuffle; the same seed gives the same result.

    Returns:
        The :class:`Calibration`, with the new BrandImpact as ``.impact``.

    Raises:
        ValueError: If fewer than ``folds * 2`` rows have an outcome (or, for
            binary, fewer than *folds* of either class), no table id is a key
            of *outcomes*, the outcomes are constant, a binary outcome is not
            0 or 1, a sequence's length differs from the table's, a score
            column is missing, or no score varies over the rows.
        TypeError: If an outcome is not a number or ``None``.

    >>> import numpy as np
    >>> from servicescore import ScoreTable
    >>> rng = np.random.default_rng(1)
    >>> empathy, resolution = rng.uniform(0, 1, 200), rng.uniform(0, 1, 200)
    >>> table = ScoreTable({"id": np.array([f"t{i}" for i in range(200)], dtype=object),
    ...                     "empathy": empathy, "resolution": resolution})
    >>> # Made-up CSAT driven three times more by empathy than by resolution:
    >>> csat = np.clip(np.round(3 * empathy + resolution + 1 + rng.normal(0, 0.5, 200)), 1, 5)
    >>> calibration = calibrate(table, csat, "csat")
    >>> print(calibration)
    Calibration to csat outcomes: n=200, 5-fold CV, Spearman's rho of experience vs outcome
                      default   fitted
    cross-validated     0.257    0.800
    in-sample           0.262    0.822
    fitted beats default on 5 of 5 held-out folds
    weight            default   fitted
    resolution         +0.690   +0.217
    empathy            +0.040   +0.783
    """
    if kind not in ("csat", "binary"):
        raise ValueError(f"kind must be 'csat' or 'binary' (got {kind!r})")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"folds must be an integer >= 2 (got {folds!r})")
    if not isinstance(alpha, int | float) or not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0 (got {alpha!r})")
    impact = BrandImpact() if impact is None else impact
    names, values = _features(table, impact, scores)
    y = _outcomes(table, outcomes)
    known = ~np.isnan(y)
    values, y = values[known], y[known]
    n = len(y)
    if n < folds * 2:
        raise ValueError(
            f"too few rows with an outcome for {folds}-fold cross-validation: {n} (need at least {folds * 2})"
        )
    if kind == "binary":
        bad = sorted({float(v) for v in y if v not in (0.0, 1.0)})
        if bad:
            shown = ", ".join(f"{v:g}" for v in bad[:5])
            raise ValueError(
                f"a binary outcome must be 0 or 1 (1 = good unless higher_is_better=False); got {shown}"
            )
        if not higher_is_better:
            y = 1.0 - y
        smaller = int(min(np.sum(y == 0), np.sum(y == 1)))
        if smaller < folds:
            raise ValueError(
                f"constant or nearly constant binary outcome: {smaller} rows of one class, "
                f"fewer than folds={folds}"
                if smaller
                else f"the outcomes are constant: all {n} rows are {int(y[0])}"
            )
    else:
        if np.ptp(y) == 0:
            raise ValueError(f"the outcomes are constant: all {n} rows are {y[0]:g}")
        if not higher_is_better:
            y = -y
    features = np.zeros_like(values)
    for j, name in enumerate(names):
        column = values[:, j]
        present = ~np.isnan(column)
        features[present, j] = [impact.component(name, float(v)) for v in column[present]]

    coefficients = _fit(kind, features, y, alpha)
    fitted = _evolve(impact, names, coefficients)
    if fitted is None:
        raise ValueError(f"no score varies over the rows ({', '.join(names)}), so no weight can be fitted")

    fold_scores = []
    for held in _folds(kind, y, folds, seed):
        train = np.ones(n, dtype=bool)
        train[held] = False
        fold_impact = _evolve(impact, names, _fit(kind, features[train], y[train], alpha))
        default = _score(kind, _experience(impact, names, values[held]), y[held])
        score = _score(kind, _experience(fold_impact, names, values[held]), y[held])
        fold_scores.append((default, score))

    def mean(figures: list[float]) -> float:
        defined = [s for s in figures if not math.isnan(s)]
        return float(np.mean(defined)) if defined else math.nan

    return Calibration(
        impact=fitted,
        kind=kind,
        n=n,
        coefficients={name: float(c) for name, c in zip(names, coefficients, strict=True)},
        default_score=mean([d for d, _ in fold_scores]),
        fitted_score=mean([f for _, f in fold_scores]),
        fold_scores=tuple(fold_scores),
        default_in_sample=_score(kind, _experience(impact, names, values), y),
        fitted_in_sample=_score(kind, _experience(fitted, names, values), y),
        starting_weights=impact.weights,
    )
