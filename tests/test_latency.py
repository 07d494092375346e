from __future__ import annotations

import datetime as dt
import math
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import BusinessHours, Channel, Score, Transcript, Turn
from servicescore.scorers import DEFAULT_EXPECTATIONS, LatencyScorer

from .strategies import timed_service_transcripts, transcripts

KEYS = {
    "first_response_s",
    "median_wait_s",
    "p90_wait_s",
    "max_wait_s",
    "waits",
    "waits_over_expectation",
    "unanswered",
    "handle_time_s",
    "expectation_s",
    "silence_s",
    "hold_s",
}
SECONDS_KEYS = KEYS - {"waits", "waits_over_expectation", "unanswered"}


def epoch(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


def chat(*turns: tuple[str, str, float], channel: str = "chat") -> Transcript:
    return Transcript("t", [Turn(role, text, time=time) for role, text, time in turns], channel=channel)


def same(a: float | str, b: float | str) -> bool:
    assert isinstance(a, float)
    assert isinstance(b, float)
    return (math.isnan(a) and math.isnan(b)) or a == b


class TestTextChannels:
    """Waits, first response and unanswered messages in chat, email, social and messaging."""

    def test_bot_reply_is_not_a_first_response(self) -> None:
        t = chat(
            ("customer", "My order never arrived", 0),
            ("bot", "Thanks for your message! An agent will be with you shortly.", 3),
            ("system", "Alex joined the chat", 100),
            ("agent", "Hi, I'm Alex, let me check that order.", 120),
        )
        score = LatencyScorer()(t)
        assert score.details["first_response_s"] == 120.0
        assert score.details["waits"] == 1.0
        first = score.evidence[0]
        assert (first.turn, first.start, first.end) == (3, 0, len(t.turns[3].text))
        assert first.category == "first_response"
        assert first.cue == "first reply after 2 min"
        assert first.weight > 0  # slower than the one-minute chat expectation

    def test_consecutive_customer_messages_wait_from_the_first(self) -> None:
        t = chat(
            ("customer", "hello?", 0),
            ("customer", "anyone there??", 300),
            ("customer", "HELLO", 600),
            ("agent", "Sorry for the wait!", 900),
            ("customer", "my card was charged twice", 960),
            ("agent", "I can refund that now.", 990),
        )
        d = LatencyScorer()(t).details
        assert d["first_response_s"] == 900.0
        assert d["waits"] == 2.0
        assert d["max_wait_s"] == 900.0
        assert d["median_wait_s"] == pytest.approx((900 + 30) / 2)
        assert d["p90_wait_s"] == pytest.approx(30 + 0.9 * 870)
        assert d["waits_over_expectation"] == 1.0
        assert d["unanswered"] == 0.0
        assert d["handle_time_s"] == 990.0
        assert d["expectation_s"] == 60.0
        assert math.isnan(d["silence_s"])
        assert math.isnan(d["hold_s"])

    def test_unanswered_final_message(self) -> None:
        answered = [
            ("customer", "Can I change my flight?", 0.0),
            ("agent", "Yes, via Manage Booking.", 1800.0),
        ]
        base = LatencyScorer()(chat(*answered, channel="social"))
        left = LatencyScorer()(
            chat(*answered, ("customer", "It gives me an error", 2000.0), channel="social")
        )
        assert left.details["unanswered"] == 1.0
        assert left.evidence[-1].category == "unanswered"
        assert left.evidence[-1].turn == 2
        assert base.value is not None
        assert left.value is not None
        assert left.value == pytest.approx(1 - (1 - base.value) * 0.75)

    def test_single_wait_at_the_expectation_scores_half(self) -> None:
        t = chat(("customer", "@brand my parcel?", 0), ("agent", "@cust DM us", 3600), channel="social")
        score = LatencyScorer()(t)
        assert score.value == pytest.approx(0.5)
        assert score.evidence[0].weight == pytest.approx(0.0)

    def test_fast_reply_scores_low_with_negative_evidence(self) -> None:
        t = chat(("customer", "refund status?", 0), ("agent", "Sent today!", 60), channel="messaging")
        score = LatencyScorer()(t)
        assert score.value is not None
        assert score.value < 0.01
        assert score.evidence[0].weight < 0

    def test_never_answered_by_a_human_scores_one(self) -> None:
        t = chat(
            ("customer", "I want to cancel", 0),
            ("bot", "I can help with that! Choose an option.", 1),
            ("customer", "agent", 30),
        )
        score = LatencyScorer()(t)
        assert score.value == 1.0
        assert [e.category for e in score.evidence] == ["unanswered", "unanswered"]
        assert score.details["unanswered"] == 2.0
        assert math.isnan(score.details["first_response_s"])

    def test_later_slow_wait_is_evidence(self) -> None:
        t = chat(
            ("customer", "Hi", 0),
            ("agent", "Hello!", 10),
            ("customer", "Where is my refund?", 20),
            ("agent", "Checking.", 30),
            ("customer", "Well?", 40),
            ("agent", "It was sent yesterday.", 640),
        )
        score = LatencyScorer()(t)
        assert [(e.turn, e.category) for e in score.evidence] == [(1, "first_response"), (5, "wait")]
        assert score.evidence[1].cue == "reply after 10 min"

    def test_email_in_business_hours(self) -> None:
        # Friday 16:00 UTC to Monday 10:00 UTC: 1 h on Friday + 1 h on Monday.
        t = Transcript(
            "e1",
            [
                Turn("customer", "Invoice 118 is wrong.", time=epoch(2026, 3, 6, 16)),
                Turn("agent", "Corrected, sorry!", time=epoch(2026, 3, 9, 10)),
            ],
            channel="email",
        )
        wall = LatencyScorer()(t).details["first_response_s"]
        business = LatencyScorer(business_hours=BusinessHours())(t).details["first_response_s"]
        assert wall == 66 * 3600.0
        assert business == 2 * 3600.0

    def test_accepts_an_analysis_like_object(self) -> None:
        t = chat(("customer", "hi", 0), ("agent", "hello", 5))

        @attrs.frozen
        class Holder:
            transcript: Transcript

        assert LatencyScorer()(Holder(t)) == LatencyScorer()(t)


class TestVoice:
    """Silences and holds in calls."""

    def call(self) -> Transcript:
        return Transcript(
            "c1",
            [
                Turn("system", "Call connected", time=0, end=1),
                Turn("agent", "Northwind, this is Dana.", time=3, end=5),
                Turn("customer", "My bill went up twenty dollars.", time=6, end=10),
                Turn("agent", "Let me check that, one moment.", time=12, end=14),
                Turn("system", "Customer placed on hold", time=15, end=15),
                Turn("system", "Hold ended", time=95, end=95),
                Turn("agent", "Thanks for holding, the promo ended.", time=96, end=100),
                Turn("agent", "I can add a new discount.", time=150, end=152),
                Turn("customer", "ok thanks", time=153, end=154),
                Turn("customer", "bye", time=200, end=201),
            ],
            channel="phone",
        )

    def test_details(self) -> None:
        d = LatencyScorer()(self.call()).details
        # Queue: call start to the agent's greeting.
        assert d["first_response_s"] == 3.0
        # Waits: 3 (opening) and 14 - 10 = 2; the customer's final "ok thanks", "bye"
        # close the call and expect no answer.
        assert d["waits"] == 2.0
        assert d["max_wait_s"] == 3.0
        assert d["unanswered"] == 0.0
        # Holds: the explicit one 15 -> 95, then 100 -> 150 where the agent was silent (> 20 s).
        assert d["hold_s"] == 80.0 + 50.0
        # Silences: 5->6, 10->12, 14->15, 95->96, 152->153, 154->200.
        assert d["silence_s"] == 1 + 2 + 1 + 1 + 1 + 46
        assert d["handle_time_s"] == 201.0

    def test_evidence(self) -> None:
        score = LatencyScorer()(self.call())
        cats = [(e.turn, e.category, e.cue) for e in score.evidence]
        assert cats == [
            (1, "first_response", "first reply after 3 s"),
            (4, "hold", "on hold 1 min 20 s"),
            (7, "hold", "silent agent 50 s"),
            (9, "silence", "silence 46 s"),
        ]
        assert score.evidence[-1].weight == 0.0
        # No penalty for the caller having the last word; the longest hold drives the value.
        r = 0.5 * 3 / 20 + 0.3 * (2 + 0.9 * 1) / 20 + 0.2 * 80 / 20
        assert score.value == pytest.approx(r * r / (1 + r * r))

    def test_transfer_to_queue_is_a_hold(self) -> None:
        t = Transcript(
            "c2",
            [
                Turn("agent", "ShopRight.", time=0, end=1),
                Turn("customer", "My blender arrived cracked.", time=2, end=5),
                Turn("agent", "I'll transfer you to returns.", time=6, end=8),
                Turn("system", "Call transferred to queue: returns", time=9, end=10),
                Turn("system", "Caller disconnected", time=910, end=911),
            ],
            channel="phone",
        )
        score = LatencyScorer()(t)
        assert score.details["hold_s"] == 900.0
        assert score.evidence[-1].category == "hold"
        assert score.evidence[-1].turn == 3
        assert score.value is not None
        assert score.value > 0.9

    def test_phone_without_ends_has_no_silence(self) -> None:
        t = chat(
            ("customer", "um my internet drops", 0), ("agent", "Have you restarted it?", 9), channel="phone"
        )
        d = LatencyScorer()(t).details
        assert math.isnan(d["silence_s"])
        assert d["hold_s"] == 0.0
        assert d["first_response_s"] == 9.0

    def test_call_with_no_wait_has_no_value(self) -> None:
        t = Transcript(
            "c3", [Turn("agent", "Your order shipped.", time=0, end=2), Turn("customer", "ok", time=3, end=4)]
        )
        score = LatencyScorer()(t)
        assert score.value is None
        assert score.reason == "no customer wait for an agent to measure"


class TestNotApplicable:
    """value is None, with a reason, when latency cannot be measured."""

    def test_no_customer(self) -> None:
        score = LatencyScorer()(chat(("agent", "Your order shipped!", 0)))
        assert score.value is None
        assert score.reason is not None
        assert "no customer turn" in score.reason
        assert set(score.details) == KEYS

    def test_missing_times(self) -> None:
        t = Transcript("t", [Turn("customer", "hi", time=0), Turn("agent", "hello")])
        score = LatencyScorer()(t)
        assert score.value is None
        assert score.reason is not None
        assert score.reason.startswith("turn 1 (agent) has no time")
        assert score.evidence == ()

    def test_untimed_bot_turns_are_ignored(self) -> None:
        t = Transcript(
            "t", [Turn("customer", "hi", time=0), Turn("bot", "auto-reply"), Turn("agent", "hello", time=30)]
        )
        assert LatencyScorer()(t).details["first_response_s"] == 30.0

    def test_empty(self) -> None:
        assert LatencyScorer()(Transcript("t", [])).value is None


class TestConfiguration:
    """Keyword-only, validated, immutable configuration."""

    def test_defaults(self) -> None:
        scorer = LatencyScorer()
        assert scorer.name == "latency"
        assert dict(scorer.expectations) == dict(DEFAULT_EXPECTATIONS)
        assert scorer.expectations[Channel.SOCIAL] == 3600.0
        assert set(scorer.expectations) == set(Channel)

    def test_expectations_merge_with_defaults(self) -> None:
        scorer = LatencyScorer(expectations={"twitter": 1800, Channel.CHAT.value: 30.0})
        assert scorer.expectations[Channel.SOCIAL] == 1800.0
        assert scorer.expectations[Channel.CHAT] == 30.0
        assert scorer.expectations[Channel.EMAIL] == DEFAULT_EXPECTATIONS[Channel.EMAIL]

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"expectations": {"chat": 0}}, ValueError),
            ({"expectations": {"chat": math.inf}}, ValueError),
            ({"expectations": {"chat": "60"}}, TypeError),
            ({"expectations": {"fax": 60}}, ValueError),
            ({"expectations": [("chat", 60)]}, TypeError),
            ({"unanswered_weight": 1.5}, ValueError),
            ({"business_hours": "9-5"}, TypeError),
            ({"name": ""}, ValueError),
        ],
    )
    def test_invalid(self, kwargs: dict[str, object], error: type[Exception]) -> None:
        with pytest.raises(error):
            LatencyScorer(**kwargs)  # type: ignore[arg-type]

    def test_keyword_only(self) -> None:
        with pytest.raises(TypeError):
            LatencyScorer("latency")  # type: ignore[misc]

    def test_immutable(self) -> None:
        scorer = LatencyScorer()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            scorer.name = "x"  # type: ignore[misc]
        with pytest.raises(TypeError):
            scorer.expectations[Channel.CHAT] = 1.0  # type: ignore[index]

    def test_evolve_pickle_hash(self) -> None:
        scorer = LatencyScorer(business_hours=BusinessHours(tz="Europe/Berlin"), expectations={"chat": 30})
        assert pickle.loads(pickle.dumps(scorer)) == scorer
        assert hash(scorer) == hash(attrs.evolve(scorer))
        assert attrs.evolve(scorer, unanswered_weight=0.0).expectations[Channel.CHAT] == 30.0


class TestProperties:
    """Range, determinism, time-shift invariance and scaling."""

    @given(transcripts())
    def test_any_transcript_is_in_range(self, t: Transcript) -> None:
        score = LatencyScorer()(t)
        assert isinstance(score, Score)
        assert set(score.details) == KEYS
        if score.value is None:
            assert score.reason
        else:
            assert 0.0 <= score.value <= 1.0
            assert score.evidence
            turns = [e.turn for e in score.evidence]
            assert turns == sorted(turns)

    @given(timed_service_transcripts())
    def test_deterministic(self, t: Transcript) -> None:
        assert LatencyScorer()(t) == LatencyScorer()(t)

    @given(timed_service_transcripts(), st.integers(-(2**30), 2**30))
    def test_time_shift_invariance(self, t: Transcript, shift: int) -> None:
        moved = shifted(t, lambda x: x + shift)
        a, b = LatencyScorer()(t), LatencyScorer()(moved)
        assert a.value == b.value
        assert all(same(a.details[k], b.details[k]) for k in KEYS)
        assert a.evidence == b.evidence

    @given(timed_service_transcripts(), st.sampled_from([0.25, 0.5, 2.0, 4.0, 64.0]))
    def test_scaling_times_and_expectations(self, t: Transcript, k: float) -> None:
        scaled = shifted(t, lambda x: x * k)
        base = LatencyScorer()
        both = LatencyScorer(expectations={c: e * k for c, e in DEFAULT_EXPECTATIONS.items()})
        a, b = base(t), both(scaled)
        assert a.value == b.value
        for key in SECONDS_KEYS - {"expectation_s"}:
            assert same(float(a.details[key]) * k, b.details[key])
        assert [(e.turn, e.category, e.weight) for e in a.evidence] == [
            (e.turn, e.category, e.weight) for e in b.evidence
        ]

    @given(timed_service_transcripts(), st.sampled_from([2.0, 4.0, 16.0]))
    def test_slower_is_never_better(self, t: Transcript, k: float) -> None:
        a, b = LatencyScorer()(t), LatencyScorer()(shifted(t, lambda x: x * k))
        if a.value is not None and b.value is not None:
            assert b.value >= a.value


def shifted(t: Transcript, f: object) -> Transcript:
    assert callable(f)
    return Transcript(
        t.id,
        [
            Turn(
                u.role,
                u.text,
                time=None if u.time is None else f(u.time),
                end=None if u.end is None else f(u.end),
            )
            for u in t.turns
        ],
        t.channel,
    )


class TestClosings:
    """A final thank-you or good-bye is not an unanswered message."""

    def chat(self, last: str) -> Transcript:
        return Transcript(
            "t",
            [
                Turn("customer", "My bill doubled.", time=0),
                Turn("agent", "I've refunded the extra charge.", time=40),
                Turn("customer", last, time=60),
            ],
            channel="chat",
        )

    @pytest.mark.parametrize("last", ["Oh great, thank you so much!", "ok", "cheers, bye"])
    def test_closing_needs_no_reply(self, last: str) -> None:
        assert LatencyScorer()(self.chat(last)).details["unanswered"] == 0.0

    @pytest.mark.parametrize(
        "last", ["Thanks, but when will it show?", "It's still wrong, thanks for nothing", "Hello??"]
    )
    def test_question_or_complaint_needs_a_reply(self, last: str) -> None:
        assert LatencyScorer()(self.chat(last)).details["unanswered"] == 1.0
