import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicescore.learn import (
    FeatureRow,
    LinearModel,
    ModelFormatError,
    SparseRows,
    balanced_weights,
    cross_val_decisions,
    fit,
    folds_by_id,
    hash_index,
    hash_indices,
    load_models,
    macro_f1,
    roc_auc,
    save_models,
    spearman,
)
from servicescore.learn._model import dumps, loads


def test_hashing_is_stable_across_processes():
    names = ["w:sorry", "c: so", "cue:apology", "ünïcode"]
    here = hash_indices(names, 2**18).tolist()
    code = f"from servicescore.learn import hash_indices;print(hash_indices({names!r}, 2**18).tolist())"
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "7"}
    )
    assert other.stdout.strip() == str(here)
    assert [hash_index(n, 2**18) for n in names] == here


def test_hashing_rejects_bad_dims():
    with pytest.raises(ValueError, match="dims"):
        hash_index("x", 0)


def _toy(n=200, d=50, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        idx = rng.choice(d, size=5, replace=False)
        rows.append(FeatureRow.plain(idx, rng.random(5)))
    true_w = np.linspace(-2, 2, d)
    x = SparseRows.from_rows(rows, d)
    return rows, x, x.dot(true_w)


def test_sparse_dot_and_transpose_match_dense():
    rows, x, _ = _toy(20, 10)
    dense = np.zeros((20, 10))
    for i, r in enumerate(rows):
        np.add.at(dense[i], r.indices, r.values)
    w, v = np.arange(10.0), np.arange(20.0)
    np.testing.assert_allclose(x.dot(w), dense @ w)
    np.testing.assert_allclose(x.T_dot(v), dense.T @ v)
    np.testing.assert_allclose(x.take([3, 1]).dot(w), (dense @ w)[[3, 1]])


def test_duplicate_entries_add_up():
    x = SparseRows.from_rows([([1, 1], [0.5, 0.25])], 3)
    assert x.dot(np.array([0.0, 2.0, 0.0]))[0] == pytest.approx(1.5)


def test_sparse_rows_reject_bad_input():
    with pytest.raises(ValueError, match="row 0"):
        SparseRows.from_rows([([1, 2], [0.5])], 3)
    with pytest.raises(ValueError, match="outside"):
        SparseRows.from_rows([([5], [1.0])], 3)


@pytest.mark.parametrize("kind", ["logistic", "ridge", "ordinal"])
def test_fit_is_deterministic_and_learns(kind):
    _, x, f = _toy()
    if kind == "logistic":
        y = (f > np.median(f)).astype(float)
    elif kind == "ordinal":
        y = np.digitize(f, np.quantile(f, [1 / 3, 2 / 3]))
    else:
        y = f
    a = fit(x, y, kind=kind, l2=0.1)
    b = fit(x, y, kind=kind, l2=0.1)
    assert dumps({"m": a}) == dumps({"m": b})
    pred = a.read(a.decisions(x))
    if kind == "logistic":
        assert roc_auc(y, pred) > 0.95
    elif kind == "ordinal":
        assert macro_f1(y, a.levels(x)) > 0.8
        assert list(a.thresholds) == sorted(a.thresholds)
    else:
        assert spearman(y, pred) > 0.95


def test_fit_rejects_bad_labels():
    _, x, _ = _toy(10, 10)
    with pytest.raises(ValueError, match="0 or 1"):
        fit(x, np.full(10, 2.0))
    with pytest.raises(ValueError, match="labels"):
        fit(x, np.zeros(3))


def test_unused_columns_stay_zero():
    x = SparseRows.from_rows([([0], [1.0]), ([1], [1.0])], 5)
    model = fit(x, [0.0, 1.0])
    assert (model.weights[2:] == 0).all() and model.weights[1] > 0 > model.weights[0]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 63), st.floats(-3, 3, allow_nan=False)), min_size=0, max_size=20),
    st.floats(-2, 2, allow_nan=False),
)
def test_contributions_sum_to_decision_minus_bias(entries, bias):
    weights = np.linspace(-1, 1, 64)
    model = LinearModel("logistic", weights, bias)
    row = FeatureRow.plain([i for i, _ in entries], [v for _, v in entries])
    assert model.contributions(row).sum() == pytest.approx(model.decision(row) - model.bias, abs=1e-5)


def test_save_load_round_trip_is_byte_identical(tmp_path):
    _, x, f = _toy()
    models = {
        "er": fit(x, np.digitize(f, [-0.5, 0.5]), kind="ordinal", meta={"version": "1"}),
        "credit": fit(x, (f > 0).astype(float)),
    }
    first, second = tmp_path / "a.bin", tmp_path / "b.bin"
    save_models(first, models)
    save_models(second, load_models(first))
    assert first.read_bytes() == second.read_bytes()
    back = LinearModel.load(first, "er")
    np.testing.assert_array_equal(back.weights, models["er"].weights)
    assert back.thresholds == models["er"].thresholds and back.meta["version"] == "1"


def test_damaged_model_file_names_the_file(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFormatError, match=r"bad\.bin"):
        load_models(path)
    good = dumps({"m": LinearModel("ridge", [1.0, 0.0])})
    with pytest.raises(ModelFormatError, match="damaged"):
        loads(good[:-3], "x.bin")


def test_folds_by_id_are_fixed_by_the_id():
    ids = [f"r{i}" for i in range(100)]
    folds = folds_by_id(ids, 5)
    assert set(folds.tolist()) == {0, 1, 2, 3, 4}
    assert folds_by_id(ids[::-1], 5).tolist() == folds.tolist()[::-1]


def test_cross_val_decisions_are_out_of_fold():
    _, x, f = _toy()
    y = (f > 0).astype(float)
    folds = folds_by_id([str(i) for i in range(x.n_rows)], 4)
    out, models = cross_val_decisions(x, y, folds, kind="logistic", l2=0.5, sample_weight=balanced_weights(y))
    assert len(models) == 4 and roc_auc(y, out) > 0.8


def test_metrics():
    assert macro_f1([1, 1, 0], [1, 1, 0]) == 1.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_features_map_back_to_the_words():
    from servicescore import Role, Transcript, Turn
    from servicescore._analysis import analyze
    from servicescore.learn._features import RowBuilder, add_char_ngrams, add_facts, add_word_ngrams

    text = "I'm so sorry. What happened to you?"
    facts = analyze(Transcript("t", [Turn(Role.AGENT, text)])).turns[0]
    builder = RowBuilder(2**18)
    add_word_ngrams(builder, facts)
    add_char_ngrams(builder, facts)
    add_facts(builder, facts)
    row = builder.build()
    assert len(row) and (row.turns == 0).all()
    spans = {text[s:e] for s, e in zip(row.starts, row.ends, strict=True)}
    assert "sorry" in spans and "What happened to you?" in spans
    again = RowBuilder(2**18)
    add_word_ngrams(again, facts)
    add_char_ngrams(again, facts)
    add_facts(again, facts)
    assert again.build().indices.tolist() == row.indices.tolist()
