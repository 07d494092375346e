"""Tests for BrandImpact: experience bounds and direction, re-weighting, reach and amplification."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import DEFAULT_WEIGHTS, BrandImpact, Channel, Role, Score, Scorecard, Transcript, Turn

NAMES = ("empathy", "resolution", "pushiness", "latency")
GOOD = ("empathy", "resolution")
BAD = ("pushiness", "latency")
IMPACT = BrandImpact()

values = st.none() | st.floats(0.0, 1.0)
cards = st.fixed_dictionaries(dict.fromkeys(NAMES, values))


def card(
    scores: dict[str, float | None], channel: str = "chat", meta: dict[str, object] | None = None
) -> Scorecard:
    transcript = Transcript("t", [Turn(Role.CUSTOMER, "hi")], channel, meta or {})
    return Scorecard(
        transcript,
        {n: Score(n, v) if v is not None else Score(n, None, reason="n/a") for n, v in scores.items()},
    )


class TestExperience:
    """Bounds, direction and re-weighting."""

    @given(cards)
    def test_within_bounds(self, scores: dict[str, float | None]) -> None:
        """Property: experience lies in [-1, 1], or is None when nothing applies."""
        experience = IMPACT.experience(scores)
        if all(v is None for v in scores.values()):
            assert experience is None
        else:
            assert experience is not None
            assert -1.0 <= experience <= 1.0

    @given(cards, st.sampled_from(NAMES), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
    def test_direction(self, scores: dict[str, float | None], name: str, a: float, b: float) -> None:
        """Property: more empathy or resolution never lowers it; more pushiness or latency never raises it."""
        low, high = sorted((a, b))
        before = IMPACT.experience({**scores, name: low})
        after = IMPACT.experience({**scores, name: high})
        assert before is not None
        assert after is not None
        if name in GOOD:
            assert after >= before - 1e-12
        else:
            assert after <= before + 1e-12

    def test_missing_scores_are_reweighted_not_zero(self) -> None:
        """A score that does not apply is left out, not read as a bad or neutral 0."""
        only_resolution = IMPACT.experience({"resolution": 1.0, "latency": None})
        assert only_resolution == 1.0
        assert IMPACT.experience({"resolution": 1.0, "latency": 0.5}) == pytest.approx(
            DEFAULT_WEIGHTS["resolution"] / (DEFAULT_WEIGHTS["resolution"] + abs(DEFAULT_WEIGHTS["latency"]))
        )

    def test_neutral_points(self) -> None:
        """Neutral values give 0: empathy/resolution/latency at 0.5, pushiness at 0."""
        assert IMPACT.experience({"empathy": 0.5, "resolution": 0.5, "pushiness": 0.0, "latency": 0.5}) == 0.0

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"weights": {}}, "at least one score"),
            ({"weights": {"empathy": 0.0}}, "non-zero"),
            ({"weights": {"empathy": math.inf}}, "finite"),
            ({"neutral": {"empathy": 1.0}}, r"\[0, 1\)"),
        ],
    )
    def test_validation(self, kwargs: dict[str, object], message: str) -> None:
        """Bad weights or neutral points fail at construction."""
        with pytest.raises(ValueError, match=message):
            BrandImpact(**kwargs)  # type: ignore[arg-type]


class TestReach:
    """Private reach is 1; public reach is the audience; impact amplifies."""

    def test_private_and_public(self) -> None:
        """Chat is private; social uses followers, else the default audience."""
        assert IMPACT(card({"resolution": 0.0})).reach == 1.0
        assert IMPACT(card({"resolution": 0.0}, "social", {"followers": 999})).reach == 1000.0
        assert IMPACT(card({"resolution": 0.0}, "social")).reach == 1.0 + IMPACT.default_audience
        assert IMPACT(card({"resolution": 0.0}, "social", {"public": False, "followers": 50})).reach == 1.0
        assert IMPACT(card({"resolution": 0.0}, "email", {"public": True, "followers": 9})).reach == 10.0
        # CSV metadata arrive as text.
        assert IMPACT(card({"resolution": 0.0}, "social", {"followers": "1,200"})).reach == 1201.0
        assert IMPACT(card({"resolution": 0.0}, "social", {"public": "false"})).reach == 1.0
        assert IMPACT(card({"resolution": 0.0}, "social", {"followers": "many"})).reach == 101.0

    def test_public_bad_weighs_more_than_private_bad(self) -> None:
        """The same bad experience has a larger negative impact in public."""
        scores = {"resolution": 0.1, "pushiness": 0.9}
        private = IMPACT(card(scores, "messaging"))
        public = IMPACT(card(scores, "social", {"followers": 5000}))
        assert private.experience == public.experience
        assert public.impact is not None
        assert private.impact is not None
        assert public.impact < private.impact < 0

    @given(cards, st.integers(0, 10**7), st.sampled_from(list(Channel)))
    def test_reach_never_shrinks_impact(
        self, scores: dict[str, float | None], followers: int, channel: Channel
    ) -> None:
        """Property: public reach never shrinks the magnitude of impact."""
        private = IMPACT(card(scores, "chat"))
        public = IMPACT(card(scores, channel.value, {"public": True, "followers": followers}))
        if private.impact is None:
            assert public.impact is None
        else:
            assert public.impact is not None
            assert abs(public.impact) >= abs(private.impact)

    def test_pickles(self) -> None:
        """A BrandImpact pickles with its weights."""
        custom = BrandImpact({"resolution": 1.0, "latency": -0.5}, default_audience=10)
        clone = pickle.loads(pickle.dumps(custom))
        assert clone == custom
        assert dict(clone.weights) == {"resolution": 1.0, "latency": -0.5}
