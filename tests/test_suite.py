"""Tests for Suite, make_suite, default_suite, Scorecard and the scorer decorator."""

from __future__ import annotations

import pickle

import attrs
import pytest
from hypothesis import given, settings

from servicescore import (
    Analysis,
    Analyzer,
    Role,
    Score,
    Scorecard,
    Suite,
    SuiteError,
    Token,
    Transcript,
    Turn,
    default_suite,
    make_suite,
    scorer,
)
from servicescore._text import tokenize
from servicescore.scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionScorer

from .strategies import transcripts

CHAT = Transcript(
    "c1",
    [
        Turn(Role.CUSTOMER, "My order never came and I'm upset.", time=0),
        Turn(Role.AGENT, "I'm so sorry! I've sent a replacement today.", time=30),
        Turn(Role.CUSTOMER, "Thanks, got the tracking link.", time=60),
    ],
    "chat",
)


@scorer
def agent_share(analysis: Analysis) -> float | None:
    """Share of agent turns (a user-written scorer)."""
    if not analysis.turns:
        return None
    return sum(t.role is Role.AGENT for t in analysis.turns) / len(analysis.turns)


class TestConstruction:
    """Names are unique, checked once; steps are validated."""

    def test_make_suite_names_by_scorer(self) -> None:
        """make_suite names each step after its scorer."""
        suite = make_suite(EmpathyScorer(), LatencyScorer(), agent_share)
        assert suite.names == ("empathy", "latency", "agent_share")
        assert suite["latency"] == LatencyScorer()

    def test_duplicate_names(self) -> None:
        """Two scorers with one name are refused at construction."""
        with pytest.raises(SuiteError, match="'empathy' appears twice"):
            make_suite(EmpathyScorer(), EmpathyScorer())
        renamed = make_suite(EmpathyScorer(), attrs.evolve(EmpathyScorer(), name="empathy2"))
        assert renamed.names == ("empathy", "empathy2")

    @pytest.mark.parametrize(
        ("steps", "message"),
        [
            ((), "at least one scorer"),
            ((("", EmpathyScorer()),), "non-empty strings"),
            ((("x", 3),), "not callable"),
            (("oops",), r"\(name, scorer\) pair"),
        ],
    )
    def test_bad_steps(self, steps: tuple[object, ...], message: str) -> None:
        """Malformed steps raise SuiteError naming the problem."""
        with pytest.raises(SuiteError, match=message):
            Suite(steps)  # type: ignore[arg-type]

    def test_replace(self) -> None:
        """replace() returns a new suite; the original is unchanged."""
        suite = default_suite()
        pushy = PushinessScorer(products=("fibre max",))
        replaced = suite.replace("pushiness", pushy)
        assert replaced["pushiness"] is pushy
        assert suite["pushiness"] == PushinessScorer()
        with pytest.raises(SuiteError, match="no scorer named 'tone'"):
            suite.replace("tone", pushy)
        with pytest.raises(KeyError):
            suite["tone"]


class TestScoring:
    """One shared analysis; same results as the scorers alone."""

    def test_scorecard_is_a_mapping_with_impact(self) -> None:
        """A scorecard maps names to scores and carries the brand impact."""
        card = default_suite()(CHAT)
        assert isinstance(card, Scorecard)
        assert list(card) == ["empathy", "resolution", "pushiness", "latency"]
        assert len(card) == 4
        assert card.impact is not None
        assert card.impact.experience is not None
        assert card.impact.experience > 0
        assert card.transcript is CHAT

    @settings(max_examples=25)
    @given(transcripts())
    def test_suite_equals_scorers_alone(self, transcript: Transcript) -> None:
        """Property: every score in a suite equals the scorer's own result."""
        scorers = (EmpathyScorer(), ResolutionScorer(), PushinessScorer(), LatencyScorer(), agent_share)
        card = make_suite(*scorers)(transcript)
        for step in scorers:
            assert card[step.name] == step(transcript)

    def test_analysis_runs_once_per_transcript(self) -> None:
        """The tokenizer runs once per turn however many scorers read it."""
        calls: list[str] = []

        def counting(text: str) -> tuple[Token, ...]:
            calls.append(text)
            return tokenize(text)

        suite = attrs.evolve(default_suite(), analyzer=Analyzer(tokenize=counting))
        suite(CHAT)
        assert len(calls) == len(CHAT.turns)

    def test_failing_scorer_is_named(self) -> None:
        """An exception from a scorer propagates with a note naming it."""

        @scorer(name="broken")
        def broken(analysis: Analysis) -> float:
            raise ZeroDivisionError("boom")

        with pytest.raises(ZeroDivisionError) as info:
            make_suite(EmpathyScorer(), broken)(CHAT)
        assert "raised by scorer 'broken' of the suite on transcript 'c1'" in info.value.__notes__[0]

    def test_non_score_result(self) -> None:
        """A step returning something else than a Score is a SuiteError."""

        class Bad:
            name = "bad"

            def __call__(self, item: object) -> float:
                return 0.5

        with pytest.raises(SuiteError, match="returned float"):
            Suite((("bad", Bad()),))(CHAT)  # type: ignore[arg-type]

    def test_function_scorers(self) -> None:
        """Decorated functions return Scores; None means the score does not apply."""
        assert agent_share(CHAT) == Score("agent_share", 1 / 3)
        empty = agent_share(Transcript("e", []))
        assert empty.value is None
        assert empty.reason

        @scorer(name="custom")
        def full(analysis: Analysis) -> Score:
            return Score("whatever", 1.0)

        assert full(CHAT).name == "custom"

    def test_pickle_round_trip(self) -> None:
        """A suite (with a module-level function scorer) pickles and scores the same."""
        suite = default_suite()
        clone = pickle.loads(pickle.dumps(suite))
        assert clone.names == suite.names
        assert clone(CHAT) == suite(CHAT)
        with_function = make_suite(EmpathyScorer(), agent_share)
        assert pickle.loads(pickle.dumps(with_function))(CHAT) == with_function(CHAT)
