import math
import pickle
from collections.abc import Mapping
from importlib import resources

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import BrandImpact, ScoreTable, Transcript, default_suite
from servicescore._calibrate import Calibration, _auc, _ranks, _spearman, calibrate
from servicescore.io import read
from tests.strategies import calibration_columns

NAMES = ("resolution", "empathy", "latency", "pushiness")
#: Weights far from the defaults (0.40, 0.25, -0.20, -0.15): empathy first, pushiness strong.
TRUE = {"resolution": 0.15, "empathy": 0.45, "latency": -0.05, "pushiness": -0.35}


def synthetic(n: int = 400, seed: int = 3) -> tuple[ScoreTable, np.ndarray]:
    """Scores in [0, 1] and the noise-free latent experience under TRUE weights."""
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {"id": np.array([f"t{i}" for i in range(n)], dtype=object)}
    latent = np.zeros(n)
    impact = BrandImpact()
    for name in NAMES:
        columns[name] = rng.uniform(0, 1, n)
        latent += TRUE[name] * np.array([impact.component(name, v) for v in columns[name]])
    return ScoreTable(columns), latent


def csat_of(latent: np.ndarray, noise: float = 0.15, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(np.round(3 + 4 * (latent + rng.normal(0, noise, len(latent)))), 1, 5)


def binary_of(latent: np.ndarray, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.uniform(size=len(latent)) < 1 / (1 + np.exp(-8 * latent))).astype(float)


def order(weights: Mapping[str, float]) -> list[str]:
    return sorted(weights, key=lambda name: -abs(weights[name]))


def sample_table() -> tuple[ScoreTable, list[Transcript]]:
    with resources.files("servicescore").joinpath("data", "sample.jsonl").open(encoding="utf-8") as handle:
        transcripts = list(read(handle, "jsonl"))
    suite = default_suite()
    return ScoreTable.from_scorecards(suite(t) for t in transcripts), transcripts


class TestRecovery:
    """Outcomes generated from known weights are fitted back."""

    def test_csat_signs_and_order(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent), "csat")
        for name in NAMES:
            assert math.copysign(1, calibration.weights[name]) == math.copysign(1, TRUE[name])
        assert order(calibration.weights) == order(TRUE)
        assert calibration.fitted_score > calibration.default_score
        assert calibration.folds_improved == 5
        assert calibration.metric == "spearman"
        assert calibration.n == 400

    def test_binary_signs_and_order(self) -> None:
        table, latent = synthetic(600)
        calibration = calibrate(table, binary_of(latent), "binary")
        for name in NAMES:
            assert math.copysign(1, calibration.weights[name]) == math.copysign(1, TRUE[name])
        assert order(calibration.weights)[:2] == ["empathy", "pushiness"]
        assert calibration.fitted_score > calibration.default_score
        assert calibration.metric == "auc"
        assert 0.5 < calibration.fitted_score <= 1

    def test_weights_sum_to_one(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent), "csat")
        assert sum(abs(w) for w in calibration.weights.values()) == pytest.approx(1.0)

    def test_higher_is_better_false_flips_binary(self) -> None:
        table, latent = synthetic(600)
        good = binary_of(latent)
        churned = calibrate(table, 1 - good, "binary", higher_is_better=False)
        assert churned == calibrate(table, good, "binary")

    def test_higher_is_better_false_flips_csat(self) -> None:
        table, latent = synthetic()
        effort = 6 - csat_of(latent)  # a customer-effort score: lower is better
        calibration = calibrate(table, effort, "csat", higher_is_better=False)
        assert calibration.weights == calibrate(table, csat_of(latent), "csat").weights

    def test_wrong_sign_is_kept_and_reported(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent), "csat", impact=BrandImpact({"empathy": -1.0}))
        assert calibration.weights["empathy"] > 0
        assert calibration.sign_changes == ("empathy",)
        assert "sign changed" in str(calibration)

    def test_mapping_equals_aligned_sequence(self) -> None:
        table, latent = synthetic()
        csat = csat_of(latent)
        by_id = dict(zip(table["id"], csat, strict=True))
        assert calibrate(table, by_id, "csat") == calibrate(table, list(csat), "csat")

    def test_unknown_outcomes_are_dropped(self) -> None:
        table, latent = synthetic()
        csat: list[float | None] = list(csat_of(latent))
        csat[0], csat[1] = None, math.nan
        assert calibrate(table, csat, "csat").n == 398
        partial = {str(table["id"][i]): float(csat_of(latent)[i]) for i in range(100)}
        assert calibrate(table, partial, "csat").n == 100

    def test_missing_score_is_neutral(self) -> None:
        table, latent = synthetic()
        columns = dict(table.columns)
        columns["latency"] = np.full(len(table), math.nan)
        calibration = calibrate(ScoreTable(columns), csat_of(latent), "csat")
        assert calibration.weights["latency"] == 0
        assert calibration.coefficients["latency"] == 0

    def test_scores_selects_columns(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent), "csat", scores=["empathy", "pushiness"])
        assert set(calibration.weights) == {"empathy", "pushiness"}

    def test_larger_alpha_shrinks_coefficients(self) -> None:
        table, latent = synthetic()
        light = calibrate(table, csat_of(latent), "csat", alpha=0.0)
        heavy = calibrate(table, csat_of(latent), "csat", alpha=1000.0)
        assert sum(map(abs, heavy.coefficients.values())) < sum(map(abs, light.coefficients.values()))


class TestDeterminism:
    """The same inputs and seed give the same calibration."""

    def test_same_seed(self) -> None:
        table, latent = synthetic()
        assert calibrate(table, csat_of(latent), seed=7) == calibrate(table, csat_of(latent), seed=7)

    def test_seed_changes_folds_only(self) -> None:
        table, latent = synthetic()
        one, two = calibrate(table, csat_of(latent), seed=1), calibrate(table, csat_of(latent), seed=2)
        assert one.weights == two.weights
        assert one.fold_scores != two.fold_scores

    def test_binary_folds_hold_both_classes(self) -> None:
        table, latent = synthetic(60)
        calibration = calibrate(table, binary_of(latent), "binary", folds=10)
        assert all(not math.isnan(d) and not math.isnan(f) for d, f in calibration.fold_scores)


class TestErrors:
    """Unusable inputs raise errors that name the problem."""

    def test_too_few_rows(self) -> None:
        table, latent = synthetic(9)
        with pytest.raises(ValueError, match=r"too few rows.*9 .*need at least 10"):
            calibrate(table, csat_of(latent), folds=5)

    def test_no_overlap(self) -> None:
        table, _ = synthetic()
        with pytest.raises(ValueError, match="no transcript id"):
            calibrate(table, {"other": 3.0})

    def test_constant_csat(self) -> None:
        table, _ = synthetic()
        with pytest.raises(ValueError, match="constant"):
            calibrate(table, [4.0] * len(table))

    def test_constant_binary(self) -> None:
        table, _ = synthetic()
        with pytest.raises(ValueError, match="constant"):
            calibrate(table, [1] * len(table), "binary")

    def test_rare_binary_class(self) -> None:
        table, _ = synthetic(40)
        with pytest.raises(ValueError, match="2 rows of one class"):
            calibrate(table, [1, 1] + [0] * 38, "binary")

    def test_binary_not_zero_one(self) -> None:
        table, latent = synthetic()
        with pytest.raises(ValueError, match=r"must be 0 or 1.*got 2, 3"):
            calibrate(table, csat_of(latent), "binary")

    def test_length_mismatch(self) -> None:
        table, _ = synthetic()
        with pytest.raises(ValueError, match=r"one value per table row \(400\), got 3"):
            calibrate(table, [1.0, 2.0, 3.0])

    def test_not_a_number(self) -> None:
        table, _ = synthetic(10)
        with pytest.raises(TypeError, match="row 3"):
            calibrate(table, [1, 2, 3, "5", 1, 2, 3, 4, 5, 1])

    def test_string_outcomes(self) -> None:
        table, _ = synthetic(10)
        with pytest.raises(TypeError, match="not a string"):
            calibrate(table, "1234512345")

    @pytest.mark.parametrize(
        ("option", "message"),
        [
            ({"kind": "nps"}, "kind"),
            ({"folds": 1}, "folds"),
            ({"folds": 2.5}, "folds"),
            ({"alpha": -1.0}, "alpha"),
            ({"alpha": math.nan}, "alpha"),
            ({"scores": ["courtesy"]}, "courtesy"),
            ({"scores": []}, "at least one"),
        ],
    )
    def test_bad_options(self, option: dict[str, object], message: str) -> None:
        table, latent = synthetic()
        with pytest.raises(ValueError, match=message):
            calibrate(table, csat_of(latent), **option)  # type: ignore[arg-type]

    def test_no_weighted_score_in_table(self) -> None:
        table = ScoreTable({"id": np.array(["a", "b"], dtype=object), "courtesy": np.array([0.1, 0.2])})
        with pytest.raises(ValueError, match="no column for any weighted score"):
            calibrate(table, [1.0, 2.0])

    def test_non_numeric_column(self) -> None:
        table, latent = synthetic()
        columns = dict(table.columns)
        columns["resolution"] = np.array(["yes"] * len(table), dtype=object)
        with pytest.raises(ValueError, match="'resolution' is not numeric"):
            calibrate(ScoreTable(columns), csat_of(latent))

    def test_nothing_varies(self) -> None:
        table, latent = synthetic()
        columns = {"id": table["id"], "empathy": np.full(len(table), 0.7)}
        with pytest.raises(ValueError, match="no score varies"):
            calibrate(ScoreTable(columns), csat_of(latent))


class TestResult:
    """The calibration's BrandImpact works wherever the default one does."""

    def test_used_in_a_suite(self) -> None:
        table, transcripts = sample_table()
        csat = np.where(table["resolution.label"] == "resolved", 5.0, 2.0) - (table["pushiness"] > 0.3)
        calibration = calibrate(table, csat, "csat")
        suite = attrs.evolve(default_suite(), impact=calibration.impact)
        card = suite(transcripts[0])
        assert card.impact == calibration.impact(card)
        assert card.impact is not None
        assert card.impact.experience is not None
        assert -1 <= card.impact.experience <= 1

    def test_keeps_neutral_and_audience(self) -> None:
        table, latent = synthetic()
        start = BrandImpact(neutral={"empathy": 0.3}, default_audience=5.0, audience_keys=("fans",))
        impact = calibrate(table, csat_of(latent), impact=start).impact
        assert impact.neutral == start.neutral
        assert (impact.default_audience, impact.audience_keys) == (5.0, ("fans",))

    def test_pickles(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent))
        again = pickle.loads(pickle.dumps(calibration))
        assert again == calibration
        assert pickle.loads(pickle.dumps(calibration.impact)) == calibration.impact
        suite = attrs.evolve(default_suite(), impact=calibration.impact)
        assert pickle.loads(pickle.dumps(suite)).impact == calibration.impact

    def test_frozen(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, csat_of(latent))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            calibration.n = 3  # type: ignore[misc]
        with pytest.raises(TypeError):
            calibration.coefficients["empathy"] = 1.0  # type: ignore[index]

    def test_report(self) -> None:
        table, latent = synthetic()
        report = str(calibrate(table, csat_of(latent)))
        assert report.startswith("Calibration to csat outcomes: n=400, 5-fold CV, Spearman's rho")
        assert "cross-validated" in report
        assert "in-sample" in report
        assert "fitted beats default on 5 of 5" in report
        for name in NAMES:
            assert name in report

    def test_is_a_calibration(self) -> None:
        table, latent = synthetic()
        calibration = calibrate(table, binary_of(latent), "binary")
        assert isinstance(calibration, Calibration)
        assert len(calibration.fold_scores) == 5
        assert calibration.starting_weights == BrandImpact().weights


class TestMetrics:
    """The rank metrics agree with their definitions."""

    def test_ranks_average_ties(self) -> None:
        assert _ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]

    def test_spearman(self) -> None:
        x = np.array([1.0, 2.0, 3.0, 4.0])
        assert _spearman(x, x**3) == pytest.approx(1.0)
        assert _spearman(x, -x) == pytest.approx(-1.0)
        assert math.isnan(_spearman(x, np.ones(4)))

    def test_auc(self) -> None:
        y = np.array([0.0, 0.0, 1.0, 1.0])
        assert _auc(np.array([1.0, 2.0, 3.0, 4.0]), y) == 1.0
        assert _auc(np.array([4.0, 3.0, 2.0, 1.0]), y) == 0.0
        assert _auc(np.ones(4), y) == 0.5
        assert (
            _auc(np.array([1.0, 3.0, 2.0, 3.0]), y) == 0.625
        )  # (1 + 0 + 1 + 0.5) / 4: the 3-3 tie counts half
        assert math.isnan(_auc(np.ones(4), np.ones(4)))

    @given(st.lists(st.floats(-5, 5), min_size=2, max_size=30))
    def test_auc_is_pairwise_share(self, values: list[float]) -> None:
        x = np.array(values)
        y = np.array([i % 2 for i in range(len(values))], dtype=float)
        pairs = [(a, b) for a in x[y == 1] for b in x[y == 0]]
        expected = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)
        assert _auc(x, y) == pytest.approx(expected)


class TestProperties:
    """Properties over random tables and outcomes."""

    @given(calibration_columns(), st.dictionaries(st.sampled_from(NAMES), st.floats(0, 1)))
    def test_experience_within_bounds(
        self, data: tuple[dict[str, object], list[float]], values: dict[str, float]
    ) -> None:
        columns, outcomes = data
        calibration = calibrate(ScoreTable(columns), outcomes, "csat")  # type: ignore[arg-type]
        experience = calibration.impact.experience(dict(values))
        assert experience is None or -1 <= experience <= 1
        assert sum(map(abs, calibration.weights.values())) == pytest.approx(1.0)
        for default, fitted in calibration.fold_scores:
            for score in (default, fitted):
                assert math.isnan(score) or -1 - 1e-9 <= score <= 1 + 1e-9

    @given(calibration_columns())
    def test_binary_scores_in_range(self, data: tuple[dict[str, object], list[float]]) -> None:
        columns, outcomes = data
        good = [float(o >= 3) for o in outcomes]
        if min(sum(good), len(good) - sum(good)) < 2:
            good[:4] = [0.0, 0.0, 1.0, 1.0]
        calibration = calibrate(ScoreTable(columns), good, "binary", folds=2)  # type: ignore[arg-type]
        assert all(math.isfinite(w) for w in calibration.weights.values())
        for score in (calibration.default_score, calibration.fitted_score, calibration.fitted_in_sample):
            assert math.isnan(score) or 0 <= score <= 1
