"""Tests for LiveSession: turn-by-turn scoring and agent-assist alerts."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import (
    Analysis,
    Analyzer,
    Channel,
    Role,
    Transcript,
    TranscriptError,
    Turn,
    default_suite,
    make_suite,
    scorer,
)
from servicescore._incremental import IncrementalScorer
from servicescore._live import ALERT_KINDS, Alert, LiveSession, LiveUpdate
from servicescore.scorers import DEFAULT_EXPECTATIONS, EmpathyScorer, LatencyScorer, PushinessScorer

from .strategies import (
    live_dialogues,
    sales_dialogues,
    service_dialogues,
    timed_service_transcripts,
    transcripts,
)

SUITE = default_suite()

any_transcript = st.one_of(
    transcripts(), service_dialogues(), sales_dialogues(), timed_service_transcripts(), live_dialogues()
)


def feed(transcript: Transcript, suite: object = SUITE) -> LiveSession:
    session = LiveSession(
        suite,  # type: ignore[arg-type]
        transcript_id=transcript.id,
        channel=transcript.channel,
        meta=transcript.meta,
    )
    for turn in transcript.turns:
        session.add(turn)
    return session


def kinds(alerts: tuple[Alert, ...]) -> list[str]:
    return [alert.kind for alert in alerts]


class TestBatchEquality:
    """After the last turn, the live scorecard is the batch scorecard."""

    @given(any_transcript)
    def test_final_scorecard_equals_batch(self, transcript: Transcript) -> None:
        """Property: feeding any transcript turn by turn ends with suite(transcript)."""
        session = feed(transcript)
        assert session.transcript == transcript
        assert session.scorecard == SUITE(transcript)

    @given(live_dialogues(), st.data())
    def test_every_update_scores_its_prefix(self, transcript: Transcript, data: st.DataObject) -> None:
        """Property: each update's scorecard is the batch scorecard of the turns up to it, read late."""
        session = LiveSession(transcript_id=transcript.id, channel=transcript.channel)
        updates = [session.add(turn) for turn in transcript.turns]
        if updates:
            k = data.draw(st.integers(0, len(updates) - 1))
            prefix = Transcript(transcript.id, transcript.turns[: k + 1], transcript.channel)
            assert updates[k].turn == k
            assert updates[k].scorecard == SUITE(prefix)

    @given(any_transcript)
    def test_scorecard_after_each_turn_scores_its_prefix(self, transcript: Transcript) -> None:
        """Property: the scorecard read right after each turn (from the incremental scorers) is batch's."""
        session = LiveSession(transcript_id=transcript.id, channel=transcript.channel, meta=transcript.meta)
        for k, turn in enumerate(transcript.turns):
            session.add(turn)
            prefix = Transcript(transcript.id, transcript.turns[: k + 1], transcript.channel, transcript.meta)
            assert session.scorecard == SUITE(prefix)

    def test_scorers_without_accumulators_are_rerun(self) -> None:
        """A suite mixing incremental and plain scorers scores each prefix as in batch."""

        @scorer
        def agent_share(analysis: Analysis) -> float | None:
            turns = analysis.turns
            return sum(t.role is Role.AGENT for t in turns) / len(turns) if turns else None

        suite = make_suite(EmpathyScorer(), LatencyScorer(), agent_share)
        assert isinstance(suite["empathy"], IncrementalScorer)
        assert not isinstance(suite["agent_share"], IncrementalScorer)
        transcript = Transcript(
            "m",
            [
                Turn(Role.CUSTOMER, "I was charged twice, I'm really upset.", time=0),
                Turn(Role.AGENT, "I'm so sorry, that's stressful. I've refunded it.", time=30),
                Turn(Role.CUSTOMER, "Thanks!", time=60),
            ],
        )
        session = LiveSession(suite, transcript_id="m")
        for k, turn in enumerate(transcript.turns):
            session.add(turn)
            assert session.scorecard == suite(Transcript("m", transcript.turns[: k + 1]))

    def test_scorecard_read_between_turns(self) -> None:
        """Reading the scorecard after every turn changes nothing in the final result."""
        transcript = Transcript(
            "c",
            [
                Turn(Role.CUSTOMER, "My internet keeps dropping every evening.", time=0),
                Turn(Role.AGENT, "Have you considered our premium fibre plan?", time=20),
                Turn(Role.CUSTOMER, "No thanks.", time=40),
                Turn(Role.AGENT, "You should really upgrade now, the offer ends tonight.", time=50),
            ],
        )
        session = LiveSession(transcript_id="c")
        for turn in transcript.turns:
            session.add(turn)
            assert session.scorecard is session.scorecard  # cached until the next turn
        assert session.scorecard == SUITE(transcript)

    def test_custom_suite_and_analyzer(self) -> None:
        """A suite with its own analyzer and a subset of scorers scores the same live and in batch."""
        suite = make_suite(EmpathyScorer(), PushinessScorer(), analyzer=Analyzer(sentiment=lambda s: -0.5))
        transcript = Transcript(
            "t", [Turn("customer", "Help, my bill is wrong."), Turn("agent", "Would you like our gold plan?")]
        )
        assert feed(transcript, suite).scorecard == suite(transcript)

    def test_empty_session(self) -> None:
        """A session without turns scores the empty transcript."""
        session = LiveSession(transcript_id="e", channel="email", meta={"agent": "a1"})
        assert len(session) == 0
        assert session.transcript == Transcript("e", [], "email", {"agent": "a1"})
        assert session.scorecard == SUITE(session.transcript)
        assert session.alerts == ()


class TestAnalysisOnce:
    """Each turn is analysed once, however often the scorecard is read."""

    def test_each_text_tokenised_once(self) -> None:
        """With an uncached tokenizer, every turn's text is tokenised once across all scorecard reads."""
        from servicescore._text import tokenize

        calls: list[str] = []

        def counting(text: str) -> tuple[object, ...]:
            calls.append(text)
            return tokenize(text)

        suite = make_suite(EmpathyScorer(), PushinessScorer(), analyzer=Analyzer(tokenize=counting))  # type: ignore[arg-type]
        session = LiveSession(suite)
        lines = ["Hello there.", "Hi, how can I help?", "My order is late.", "Let me check that."]
        for i, text in enumerate(lines):
            session.add(Turn(Role.CUSTOMER if i % 2 == 0 else Role.AGENT, text))
            session.scorecard  # noqa: B018 - read to force scoring
        session.add(Turn(Role.CUSTOMER, "No thanks, I'm furious!!"))  # alert windows reuse the tokens
        session.add(Turn(Role.AGENT, "Would you like our premium plan?"))
        assert [alert.kind for alert in session.alerts] == ["missing_empathy", "offer_after_refusal"]
        session.scorecard  # noqa: B018
        assert sorted(calls) == sorted(
            [*lines, "No thanks, I'm furious!!", "Would you like our premium plan?"]
        )


class TestMissingEmpathy:
    """An upset customer answered without empathy raises "missing_empathy"."""

    def test_alert_on_cold_reply(self) -> None:
        """A cold reply to a distressed customer raises an alert pointing at both turns."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "I was charged twice and I'm furious!!"))
        update = session.add(Turn(Role.AGENT, "Your order number is 4471."))
        assert kinds(update.alerts) == ["missing_empathy"]
        alert = update.alerts[0]
        assert alert.turn == 1
        assert {e.turn for e in alert.evidence} == {0, 1}
        assert any(e.category == "unmet_need" and e.turn == 1 for e in alert.evidence)
        assert "upset" in alert.message

    def test_no_alert_with_empathy(self) -> None:
        """An apology or understanding answers the need."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "I was charged twice and I'm furious!!"))
        assert session.add(Turn(Role.AGENT, "I'm so sorry, I understand why you are upset.")).alerts == ()

    def test_no_alert_when_calm(self) -> None:
        """A calm customer needs no empathy."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "hi, quick question about my bill"))
        assert session.add(Turn(Role.AGENT, "Your order number is 4471.")).alerts == ()

    def test_bot_turn_does_not_answer(self) -> None:
        """A bot's reply neither answers the need nor raises; the next agent turn does."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "I was charged twice and I'm furious!!"))
        assert session.add(Turn(Role.BOT, "Please choose an option.")).alerts == ()
        update = session.add(Turn(Role.AGENT, "Let me check the account."))
        assert kinds(update.alerts) == ["missing_empathy"]
        assert update.alerts[0].evidence[0].turn == 0

    @given(st.one_of(live_dialogues(), service_dialogues(), transcripts()))
    def test_matches_empathy_score(self, transcript: Transcript) -> None:
        """Property: alerts fire exactly at the agent turns the batch empathy score marks "unmet_need"."""
        session = feed(transcript)
        unmet = sorted({e.turn for e in session.scorecard["empathy"].evidence if e.category == "unmet_need"})
        assert sorted(a.turn for a in session.alerts if a.kind == "missing_empathy") == unmet


class TestOfferAfterRefusal:
    """An offer pushed after the customer said no raises "offer_after_refusal"."""

    def test_alert_on_repeated_pitch(self) -> None:
        """The pitch after "no thanks" raises, with the refusal and the offer as evidence."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "My internet keeps dropping every evening."))
        first = session.add(Turn(Role.AGENT, "Have you considered our premium fibre plan?"))
        assert first.alerts == ()
        session.add(Turn(Role.CUSTOMER, "No thanks, I just want it fixed."))
        update = session.add(Turn(Role.AGENT, "Would you like to add a second line for $10 a month?"))
        assert kinds(update.alerts) == ["offer_after_refusal"]
        alert = update.alerts[0]
        assert alert.turn == 3
        assert alert.evidence[0].category == "refusal"
        assert alert.evidence[0].turn == 2
        assert alert.evidence[-1].turn == 3 and alert.evidence[-1].category in {"offer", "persistence"}
        assert "No thanks" in alert.message

    def test_no_alert_without_refusal(self) -> None:
        """Offers before any refusal are the pushiness score's business, not an alert."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "Do you have a cheaper plan?"))
        update = session.add(
            Turn(Role.AGENT, "Yes, would you like to switch to our Basic plan for $20 a month?")
        )
        assert update.alerts == ()

    def test_service_after_refusal_is_fine(self) -> None:
        """Fixing the problem after a "no" raises nothing."""
        session = LiveSession()
        session.add(Turn(Role.AGENT, "Have you considered our premium fibre plan?"))
        session.add(Turn(Role.CUSTOMER, "Not interested."))
        update = session.add(Turn(Role.AGENT, "I've reset your router from our side."))
        assert "offer_after_refusal" not in kinds(update.alerts)

    def test_bot_offer_counts(self) -> None:
        """A bot pushing an offer after a refusal raises too (the pushiness scorer counts bots)."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "No thanks, not interested."))
        update = session.add(Turn(Role.BOT, "Join our rewards program today!"))
        assert kinds(update.alerts) == ["offer_after_refusal"]
        assert "bot" in update.alerts[0].message

    @given(st.one_of(sales_dialogues(), live_dialogues()))
    def test_matches_batch_offers_after_refusal(self, transcript: Transcript) -> None:
        """Property: alerts fall on the pushes the batch pushiness score finds after the first refusal."""
        session = feed(transcript)
        push = session.scorecard["pushiness"]
        alerted = {a.turn for a in session.alerts if a.kind == "offer_after_refusal"}
        refusals = [e.turn for e in push.evidence if e.category == "refusal"]
        expected = {
            e.turn
            for e in push.evidence
            if refusals and e.turn > min(refusals) and e.category in {"offer", "persistence", "retention"}
        }
        assert alerted == expected
        if push.value is None or push.details["offers_after_refusal"] == 0:
            assert not alerted


class TestSlowReply:
    """A wait over the channel's expectation raises "slow_reply"."""

    def test_late_reply(self) -> None:
        """A chat reply after 2 minutes (expected: 1 minute) raises at the reply."""
        session = LiveSession(channel="chat")
        session.add(Turn(Role.CUSTOMER, "Is my order late?", time=0))
        session.add(Turn(Role.BOT, "An agent will reply soon.", time=2))
        update = session.add(Turn(Role.AGENT, "It ships today.", time=120))
        assert kinds(update.alerts) == ["slow_reply"]
        alert = update.alerts[0]
        assert alert.turn == 2
        assert alert.evidence[0].cue == "reply after 2 min"
        assert alert.evidence[0].weight > 0
        assert "1 min" in alert.message

    def test_prompt_reply(self) -> None:
        """A reply within the expectation raises nothing."""
        session = LiveSession(channel="chat")
        session.add(Turn(Role.CUSTOMER, "Is my order late?", time=0))
        assert session.add(Turn(Role.AGENT, "It ships today.", time=59)).alerts == ()

    def test_check_open_wait_once(self) -> None:
        """check(now) raises once for a wait still open, about the waiting message."""
        session = LiveSession(channel="messaging")
        assert DEFAULT_EXPECTATIONS[Channel.MESSAGING] == 900
        session.add(Turn(Role.CUSTOMER, "Hello?", time=1000))
        assert session.check(1000 + 899) == ()
        raised = session.check(1000 + 901)
        assert kinds(raised) == ["slow_reply"]
        assert raised[0].turn == 0 and raised[0].evidence[0].category == "open_wait"
        assert session.check(5000) == ()
        assert session.alerts == raised

    def test_follow_up_message_shows_the_wait(self) -> None:
        """A customer's late follow-up is a clock tick: the open wait alerts at once."""
        session = LiveSession(channel="chat")
        session.add(Turn(Role.CUSTOMER, "Hi, my card was blocked.", time=0))
        update = session.add(Turn(Role.CUSTOMER, "Hello?? anyone there?", time=300))
        assert kinds(update.alerts) == ["slow_reply"]
        assert update.alerts[0].turn == 0

    def test_suite_expectations_and_untimed_turns(self) -> None:
        """The suite's LatencyScorer sets the expectation; untimed turns raise nothing."""
        suite = make_suite(LatencyScorer(expectations={"chat": 10}))
        session = LiveSession(suite)
        session.add(Turn(Role.CUSTOMER, "Is my order late?", time=0))
        assert kinds(session.add(Turn(Role.AGENT, "Checking.", time=11)).alerts) == ["slow_reply"]
        untimed = LiveSession(suite)
        untimed.add(Turn(Role.CUSTOMER, "Is my order late?"))
        assert untimed.add(Turn(Role.AGENT, "Checking.")).alerts == ()
        assert untimed.check(1e12) == ()

    def test_phone_queue(self) -> None:
        """A call waits from its first turn (IVR) until an agent speaks."""
        session = LiveSession(channel="phone")
        session.add(Turn(Role.SYSTEM, "Welcome, please hold.", time=0, end=5))
        session.add(Turn(Role.CUSTOMER, "billing", time=6, end=7))
        update = session.add(Turn(Role.AGENT, "Hi, this is Sam.", time=45, end=47))
        assert kinds(update.alerts) == ["slow_reply"]
        assert update.alerts[0].evidence[0].cue == "reply after 45 s"

    @given(timed_service_transcripts())
    def test_matches_latency_evidence(self, transcript: Transcript) -> None:
        """Property: reply alerts fall on the replies the latency score finds slower than expected."""
        session = feed(transcript)
        latency = session.scorecard["latency"]
        late = sorted(
            e.turn for e in latency.evidence if e.category in {"first_response", "wait"} and e.weight > 0
        )
        alerted = sorted(
            a.turn for a in session.alerts if a.kind == "slow_reply" and a.evidence[0].category == "wait"
        )
        if any(turn.role is Role.CUSTOMER for turn in transcript.turns):
            assert alerted == late

    @pytest.mark.parametrize("now", [math.nan, math.inf])
    def test_check_rejects_non_finite(self, now: float) -> None:
        """check() refuses a time that is not finite."""
        with pytest.raises(ValueError, match="finite"):
            LiveSession().check(now)

    def test_check_rejects_non_numbers(self) -> None:
        """check() refuses strings and booleans."""
        with pytest.raises(TypeError, match="number"):
            LiveSession().check("10")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="number"):
            LiveSession().check(True)


class TestValidation:
    """Bad input is refused with a message naming the turn; the session stays usable."""

    def test_time_going_backwards(self) -> None:
        """A turn earlier than the previous timed turn is refused, as Transcript refuses it."""
        session = LiveSession()
        session.add(Turn(Role.CUSTOMER, "hi", time=10))
        session.add(Turn(Role.SYSTEM, "queued"))
        with pytest.raises(TranscriptError, match=r"'time' of turn 2 must not be earlier than turn 0"):
            session.add(Turn(Role.AGENT, "hello", time=5))
        assert len(session) == 2
        assert session.add(Turn(Role.AGENT, "hello", time=12)).turn == 2

    def test_not_a_turn(self) -> None:
        """Only Turn objects are accepted."""
        with pytest.raises(TranscriptError, match="turn 0 must be a Turn, got str"):
            LiveSession().add("hello")  # type: ignore[arg-type]

    def test_bad_session_settings(self) -> None:
        """Id, channel and suite are checked when the session starts."""
        with pytest.raises(TranscriptError, match="id"):
            LiveSession(transcript_id="")
        with pytest.raises(TranscriptError, match="channel"):
            LiveSession(channel="fax")
        with pytest.raises(TypeError, match="suite must be a Suite"):
            LiveSession(EmpathyScorer())  # type: ignore[arg-type]

    def test_alert_kind_checked(self) -> None:
        """Alerts only come in the documented kinds."""
        assert ALERT_KINDS == ("missing_empathy", "offer_after_refusal", "slow_reply")
        with pytest.raises(ValueError, match="alert kind"):
            Alert("rude", 0, "x")  # type: ignore[arg-type]

    def test_alerts_are_immutable(self) -> None:
        """Alerts are frozen; the session's list is handed out as a tuple."""
        alert = Alert("slow_reply", 0, "late")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            alert.turn = 1  # type: ignore[misc]
        session = LiveSession()
        assert isinstance(session.alerts, tuple)

    def test_update_repr(self) -> None:
        """A LiveUpdate shows its turn and alerts, not the session internals."""
        update = LiveSession().add(Turn(Role.CUSTOMER, "hi"))
        assert isinstance(update, LiveUpdate)
        assert repr(update) == "LiveUpdate(turn=0, alerts=())"
