"""Tests for EmpathyScorer: mechanisms, negation, need, repetition and evidence."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given

from servicescore import Analyzer, Cue, Lexicon, Role, Transcript, Turn
from servicescore.scorers import EmpathyScorer

from .strategies import empathy_cases, transcripts

SCORER = EmpathyScorer()


def exchange(customer: str, *agent: str) -> Transcript:
    turns = [Turn(Role.CUSTOMER, customer)]
    turns += [Turn(Role.AGENT, line) for line in agent]
    return Transcript("t", turns)


UPSET = "I've been charged twice this month and now my rent payment bounced. I'm so stressed."


class TestMechanisms:
    """EPITOME levels in details."""

    def test_strong_emotional_reaction_and_interpretation(self) -> None:
        """'So sorry ... sounds stressful' and 'I can see why' are strong ER and IP."""
        score = SCORER(
            exchange(UPSET, "I'm so sorry, that sounds really stressful. I can see why you're worried.")
        )
        assert score.details["emotional_reactions"] == 2
        assert score.details["interpretations"] == 2
        assert score.value is not None and score.value > 0.8

    def test_explorations_generic_and_specific(self) -> None:
        """A generic question is level 1, a specific one about the person level 2, a data request 0."""
        assert SCORER(exchange("It broke.", "What happened?")).details["explorations"] == 1
        specific = exchange("It broke.", "Did the screen stop responding after you installed the update?")
        assert SCORER(specific).details["explorations"] == 2
        assert SCORER(exchange("It broke.", "Can I have your order number?")).details["explorations"] == 0

    def test_cold_reply_to_upset_customer_is_below_neutral(self) -> None:
        """An unmet need pulls the value under 0.5; the same facts with empathy lift it above."""
        cold = SCORER(exchange(UPSET, "Refunds take 5-7 business days."))
        warm = SCORER(exchange(UPSET, "Oh no, I'm really sorry. Refunds take 5-7 business days."))
        assert cold.value is not None and warm.value is not None
        assert cold.value < 0.5 < warm.value
        assert cold.details["coverage"] == 0.0 and warm.details["coverage"] == 1.0
        assert any(e.category == "unmet_need" for e in cold.evidence)

    def test_need_weights_empathy(self) -> None:
        """The same empathetic reply earns more after an upset customer than after a neutral one."""
        reply = "I'm sorry about that, let me fix it."
        upset = SCORER(exchange(UPSET, reply)).value
        calm = SCORER(exchange("Hi, can you change my billing date?", reply)).value
        assert upset is not None and calm is not None and upset > calm

    def test_empathy_without_keywords_from_shared_experience(self) -> None:
        """A shared experience counts as interpretation even without 'I understand'."""
        score = SCORER(
            exchange("My flight was cancelled and I'm stuck.", "I had the exact same thing last winter.")
        )
        assert score.details["interpretations"] == 2


class TestNegationAndScripts:
    """Refused apologies, dismissals, repeated scripted lines."""

    def test_refused_apology_counts_against(self) -> None:
        """'I'm not sorry' scores below a plain factual reply."""
        refused = SCORER(exchange("The parcel never came.", "I'm not sorry, it's the courier's job."))
        factual = SCORER(exchange("The parcel never came.", "It's the courier's job."))
        assert refused.value is not None and factual.value is not None
        assert refused.value < factual.value
        assert any(e.weight < 0 and e.category == "apology" for e in refused.evidence)

    def test_dismissal(self) -> None:
        """Telling a customer to calm down lowers empathy."""
        score = SCORER(exchange("This is ridiculous!", "Calm down, there's nothing I can do."))
        assert score.value is not None and score.value < 0.3
        assert score.details["dismissals"] >= 1

    def test_verbatim_repetition_earns_less(self) -> None:
        """The same scripted line earns half as much each time it is repeated."""
        line = "We're sorry for the trouble."
        once = SCORER(exchange("Where is my card?", line, "It ships Monday."))
        thrice = SCORER(exchange("Where is my card?", line, line, line))
        credits = [e.weight for e in thrice.evidence if e.category == "emotional_reaction"]
        assert credits == sorted(credits, reverse=True) and credits[1] == pytest.approx(credits[0] / 2)
        assert thrice.details["repeats"] == 2 and once.details["repeats"] == 0

    @given(empathy_cases())
    def test_negating_a_cue_never_raises_empathy(self, pair: tuple[Transcript, Transcript]) -> None:
        """Property: negating an empathy cue never raises the value."""
        plain, negated = (SCORER(t).value for t in pair)
        assert plain is not None and negated is not None
        assert negated <= plain


class TestContract:
    """Range, None cases, evidence, configuration."""

    @given(transcripts())
    def test_range_determinism_and_evidence(self, transcript: Transcript) -> None:
        """Values lie in [0, 1] or are None with a reason; the same input gives the same score."""
        score = SCORER(transcript)
        assert score == SCORER(transcript)
        if score.value is None:
            assert score.reason
            return
        assert 0.0 <= score.value <= 1.0
        assert {"emotional_reactions", "interpretations", "explorations", "need", "coverage"} <= set(
            score.details
        )
        for evidence in score.evidence:
            text = transcript.turns[evidence.turn].text
            assert 0 <= evidence.start <= evidence.end <= len(text)

    def test_no_agent_turn(self) -> None:
        """Without an agent turn the score does not apply."""
        score = SCORER(Transcript("t", [Turn(Role.CUSTOMER, "hello?"), Turn(Role.BOT, "We're sorry!")]))
        assert score.value is None and score.reason == "no agent turn"

    def test_evidence_points_at_the_words(self) -> None:
        """Evidence spans highlight the cue in the agent's turn."""
        transcript = exchange("Still broken.", "Ugh, I'm so sorry to hear that.")
        cues = [transcript.turns[e.turn].text[e.start : e.end] for e in SCORER(transcript).evidence]
        assert "I'm so sorry to hear" in cues

    def test_company_phrases_extend_the_lexicon(self) -> None:
        """A company's own empathy phrase counts once added to the lexicon."""
        phrase = exchange("My order is late.", "Bummer city, friend.")
        extended = EmpathyScorer(
            lexicon=Lexicon.load("empathy").extend([Cue("bummer city", "emotional_reaction", 2)])
        )
        assert extended(phrase).details["emotional_reactions"] == 2
        assert SCORER(phrase).details["emotional_reactions"] == 0

    def test_accepts_an_analysis_and_is_frozen(self) -> None:
        """Scoring an Analysis equals scoring its transcript; the scorer is immutable."""
        transcript = exchange(UPSET, "That sounds awful, I'm sorry.")
        assert SCORER(Analyzer()(transcript)) == SCORER(transcript)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            SCORER.name = "x"  # type: ignore[misc]
        assert attrs.evolve(SCORER, name="care")(transcript).name == "care"

    def test_coverage_is_nan_without_need(self) -> None:
        """Coverage does not apply when the customer never needed empathy."""
        assert math.isnan(SCORER(exchange("Hi, what are your opening hours?", "9 to 5.")).details["coverage"])

    def test_configuration_is_validated_and_pickles(self) -> None:
        """A wrong lexicon or an empty name fails at construction; the scorer pickles."""
        import pickle

        with pytest.raises(TypeError, match="lexicon"):
            EmpathyScorer(lexicon="empathy")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="name"):
            EmpathyScorer(name="")
        transcript = exchange(UPSET, "That sounds awful, I'm sorry.")
        assert pickle.loads(pickle.dumps(SCORER))(transcript) == SCORER(transcript)
