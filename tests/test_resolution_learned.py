"""The learned ResolutionScorer: value, label, evidence spans, live exactness, model files, fitting."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings

from servicescore import LiveSession, Role, Transcript, Turn, fit_scorer
from servicescore.learn import ModelFormatError, package_models
from servicescore.scorers import ResolutionModel, ResolutionScorer

from .strategies import live_dialogues, service_dialogues

C, A = Role.CUSTOMER, Role.AGENT
SCORER = ResolutionScorer()


def _t(*lines, tid="t"):
    return Transcript(tid, [Turn(role, text) for role, text in lines])


FIXED = _t(
    (C, "My router light keeps blinking red."),
    (A, "I've reset the line from our side, could you restart it?"),
    (C, "ok the light is green again, thanks!"),
)
STILL = _t((C, FIXED.turns[0].text), (A, FIXED.turns[1].text), (C, "Nope, still blinking red."))


def test_value_label_and_details():
    good, bad = SCORER(FIXED), SCORER(STILL)
    assert 0 <= bad.value < good.value <= 1
    assert bad.details["label"] == "unresolved"
    for score in (good, bad):
        assert score.details["label"] == SCORER.label(score.value)
        assert 0 <= score.details["rule_value"] <= 1
        assert math.isfinite(score.details["decision"])
    assert SCORER(_t((C, "hello?"))).value is None


def test_thresholds_move_the_label():
    value = SCORER(FIXED).value
    assert ResolutionScorer(resolved_threshold=value, unresolved_threshold=value / 2)(FIXED).details[
        "label"
    ] == ("resolved")
    with pytest.raises(ValueError, match="below"):
        ResolutionScorer(resolved_threshold=0.3, unresolved_threshold=0.5)
    with pytest.raises(TypeError, match="ResolutionModel"):
        ResolutionScorer(model="x")  # type: ignore[arg-type]


def test_evidence_points_at_text_and_is_signed():
    score = SCORER(STILL)
    assert 0 < len(score.evidence) <= 10
    for e in score.evidence:
        text = STILL.turns[e.turn].text
        if e.category == "words":
            assert text[e.start : e.end] == e.cue
        assert e.weight != 0
    assert any(e.category == "words" and e.weight < 0 and "still" in e.cue for e in score.evidence)


@settings(max_examples=25, deadline=None)
@given(live_dialogues())
def test_live_session_after_last_turn_equals_batch(transcript):
    session = LiveSession(transcript_id=transcript.id, channel=transcript.channel, meta=transcript.meta)
    for turn in transcript.turns:
        session.add(turn)
    live, batch = session.scorecard["resolution"], SCORER(transcript)
    assert (live.value, live.evidence, live.reason) == (batch.value, batch.evidence, batch.reason)
    assert repr(dict(live.details)) == repr(dict(batch.details))


@settings(max_examples=25, deadline=None)
@given(service_dialogues())
def test_values_in_range_and_deterministic(transcript):
    a, b = SCORER(transcript), pickle.loads(pickle.dumps(SCORER))(transcript)
    assert (a.value, a.evidence) == (b.value, b.evidence)
    assert a.value is None or 0 <= a.value <= 1


def test_shipped_model_is_small_and_loaded_once():
    assert ResolutionModel.shipped() == ResolutionModel.shipped()
    assert package_models("resolution.ssm") is package_models("resolution.ssm")
    model = ResolutionModel.shipped()
    assert model.decision.kind == "ridge" and model.calibration.dims == 1
    assert model.calibration.weights[0] > 0  # a higher decision means more solved
    assert "STC-3" in model.decision.meta["trained_on"]


def _synthetic(n=60):
    """Resolved when the customer's last line says "sorted", not when it says "broken"."""
    items, labels = [], []
    for i in range(n):
        solved = i % 2 == 0
        last = f"the {['modem', 'card', 'parcel'][i % 3]} is sorted now" if solved else "it is still broken"
        items.append(
            _t((C, f"problem {i} with my account"), (A, "let me look into it"), (C, last), tid=f"s{i}")
        )
        labels.append(1.0 if solved else 0.0)
    return items, labels


def test_fit_scorer_save_load_score_is_exact(tmp_path):
    items, labels = _synthetic()
    result = fit_scorer(items, labels)
    assert result.count == len(items)
    assert result.cross_validated > 0.8
    assert "cross-validated" in str(result)
    path = tmp_path / "mine.ssm"
    result.save(path)
    loaded = ResolutionModel.load(path)
    fitted, reloaded = ResolutionScorer(model=result.model), ResolutionScorer(model=loaded)
    probe = _t((C, "my card is blocked"), (A, "let me look into it"), (C, "the card is sorted now"))
    assert fitted(probe) == reloaded(probe)
    assert fitted(probe).value > fitted(_t((C, "my card is blocked"), (A, "ok"), (C, "still broken"))).value
    result.save(tmp_path / "again.ssm")
    assert path.read_bytes() == (tmp_path / "again.ssm").read_bytes()


def test_fit_scorer_rejects_bad_input(tmp_path):
    items, labels = _synthetic(10)
    with pytest.raises(ValueError, match="labels"):
        fit_scorer(items, labels[:-1])
    with pytest.raises(ValueError, match="solved values"):
        fit_scorer(items, np.array(labels) * 5)
    with pytest.raises(ValueError, match="unique"):
        fit_scorer(items[:5] + items[:5], labels)
    bad = tmp_path / "bad.ssm"
    bad.write_bytes(b"nope")
    with pytest.raises(ModelFormatError, match=r"bad\.ssm"):
        ResolutionModel.load(bad)


def test_model_file_reaches_default_suite_and_cli(tmp_path, capsys):
    from servicescore import default_suite
    from servicescore.cli import main

    items, labels = _synthetic()
    path = tmp_path / "mine.ssm"
    fit_scorer(items, labels).save(path)
    probe = _t((C, "my card is blocked"), (A, "let me look into it"), (C, "the card is sorted now"))
    mine = ResolutionScorer(model=ResolutionModel.load(path))(probe)
    assert default_suite(path)(probe)["resolution"] == mine
    assert default_suite()(probe)["resolution"] == SCORER(probe)
    out = tmp_path / "scores.csv"
    assert main(["score", "--sample", "--model", str(path), "-o", str(out)]) == 0
    assert main(["score", "--sample", "--model", str(tmp_path / "missing.ssm")]) == 1
    bad = tmp_path / "bad.ssm"
    bad.write_bytes(b"nope")
    assert main(["score", "--sample", "--model", str(bad)]) == 1
    assert "bad.ssm" in capsys.readouterr().err
