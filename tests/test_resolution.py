"""The cue rules (ResolutionRules) whose facts the learned resolution scorer reads."""

import math
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Analyzer, Lexicon, Role, Score, Transcript, Turn, default_suite
from servicescore.scorers import ResolutionScorer as LearnedResolutionScorer
from servicescore.scorers._resolution_rules import ResolutionRules as ResolutionScorer

from .incremental import fed
from .strategies import live_dialogues, service_dialogues, transcripts

C, A, B, S = Role.CUSTOMER, Role.AGENT, Role.BOT, Role.SYSTEM
SCORER = ResolutionScorer()
LEARNED = LearnedResolutionScorer()

DETAIL_KEYS = {
    "label",
    "confirmations",
    "closures",
    "completed_actions",
    "cancelled_actions",
    "persistence",
    "complaints",
    "deflections",
    "refusals",
    "pending",
    "escalations",
    "cancellations",
    "sarcasm",
    "repeat_contact",
    "abandonment",
    "system_claims",
    "customer_turns",
    "agent_turns",
    "customer_replies",
    "sentiment_start",
    "sentiment_end",
    "sentiment_change",
    "final_balance",
    "evidence_sum",
}


def make(*turns: tuple[Role, str]) -> Transcript:
    return Transcript("t", [Turn(role, text) for role, text in turns])


ROUTER = (
    (C, "My internet has been dropping all morning."),
    (A, "Sorry about that! I've reset your connection from our end. Can you check now?"),
)
LOGIN = (
    (C, "I can't log into my account, it says my password is wrong."),
    (A, "I've sent you a password reset link, could you try that?"),
)
APP = (
    (C, "The app crashes every time I open it."),
    (A, "Please update to the latest version and restart your phone."),
)
REFUND = ((C, "I was charged twice this month."), (A, "I've refunded the duplicate charge."))

RESOLVED = {
    "direct confirmation": (*ROUTER, (C, "It works now, thanks!")),
    "indirect: showing up now": (*LOGIN, (C, "ok, it's showing up now")),
    "indirect: light is green": (*ROUTER, (C, "the light on the router is green again")),
    "indirect: I can log in": (*LOGIN, (C, "I can log in now")),
    "indirect: that did it": (*LOGIN, (C, "that did it")),
    "indirect: perfect": (*LOGIN, (C, "perfect")),
    "negated problem": (*APP, (C, "updated and it's no longer crashing")),
    "no longer getting the error": (*LOGIN, (C, "no longer getting the error")),
    "answer 'no' then confirmation": (*LOGIN, (C, "no it works now")),
    "money back": (*REFUND, (C, "yep the money is back")),
    "parcel arrived": (
        (C, "Where's my parcel?"),
        (A, "It's out for delivery today."),
        (C, "It just arrived, cheers"),
    ),
    "card went through": (
        (C, "My card got declined at the store"),
        (A, "I've removed the fraud hold on your card."),
        (C, "just tried again and it went through"),
    ),
    "printer printed": (
        (C, "My printer won't connect to the wifi."),
        (A, "Hold the wifi button for 5 seconds."),
        (C, "ok it's blinking"),
        (A, "Now select your network on the printer screen."),
        (C, "done, and it just printed the test page!"),
    ),
    "deflection then fixed": (
        (C, "My order never arrived"),
        (A, "Please DM us."),
        (C, "done"),
        (A, "I've sent a replacement, tracking is in your inbox."),
        (C, "got it, thank you!"),
    ),
    "complaint then fixed": (
        (C, "Laptop won't charge"),
        (A, "Try a different outlet."),
        (C, "tried, nothing"),
        (A, "I've arranged a replacement charger, arriving tomorrow."),
        (C, "charger came, laptop is charging. thanks!"),
    ),
    "thanks after an action": (
        (C, "Can I change my flight?"),
        (A, "I've moved you to the 9am flight."),
        (C, "ok thanks"),
    ),
    "phone call, closure": (
        (A, "thank you for calling how can i help"),
        (C, "um my bill went up twenty dollars"),
        (A, "your promo ended i can add a loyalty credit of fifteen a month"),
        (C, "oh okay yeah that works thanks"),
        (A, "done you'll see it on the next statement"),
        (C, "no thats it bye"),
    ),
}

UNRESOLVED = {
    "persistence": (*ROUTER, (C, "Still dropping every few minutes.")),
    "negated fix": (*APP, (C, "it is not working")),
    "didn't do it": (*LOGIN, (C, "that didn't do it")),
    "same error": (*LOGIN, (C, "same error as before")),
    "nothing changed": (*APP, (C, "Did both. Nothing changed.")),
    "it keeps": (*APP, (C, "it keeps crashing")),
    "still can't": (*LOGIN, (C, "I still can't log in")),
    "complaint after refund": (*REFUND, (C, "I still see both charges.")),
    "sarcasm: another form": (
        (C, "My sofa arrived with a torn cushion."),
        (A, "Please fill out the attached claim form."),
        (C, "Oh wonderful, another form."),
    ),
    "sarcasm: great, just great": (*ROUTER, (C, "Great, just great. It dropped again.")),
    "sarcasm: thanks for nothing": (*ROUTER, (C, "thanks for nothing")),
    "sarcasm: so helpful + complaint": (*APP, (C, "so helpful, it still crashes")),
    "sarcasm: bare praise after bad news": (
        (C, "I've been waiting 3 weeks for my refund"),
        (A, "Refunds take 4-6 weeks to process."),
        (C, "Brilliant. Really brilliant service."),
    ),
    "deflection: DM": (
        (C, "My order never arrived"),
        (A, "Sorry to hear that, please send us a private message with your order number."),
    ),
    "deflection: helpline": ((C, "My order never arrived"), (A, "Please ring our helpline on 0800 123 456.")),
    "deflection: transfer": ((C, "My bill is wrong"), (A, "I'll transfer you to billing.")),
    "deflection: help page": (
        (C, "How do I reset my router?"),
        (A, "Please visit our help page at example.com/help."),
    ),
    "polite non-resolution": (
        (C, "Can I change my flight?"),
        (A, "Please call our helpline for changes."),
        (C, "ok thanks anyway, I'll figure it out myself"),
    ),
    "thanks after deflection": (
        (C, "Can I change my flight?"),
        (A, "Please call our helpline for changes."),
        (C, "ok thanks"),
    ),
    "never mind": (*ROUTER, (C, "never mind, I'll just use my phone data")),
    "escalation": (*ROUTER, (C, "I want to speak to a supervisor.")),
    "ombudsman": (*ROUTER, (C, "This is going to the ombudsman.")),
    "switching": (*ROUTER, (C, "I'm switching to another provider.")),
    "leaving for a competitor": (*APP, (C, "I'm done. Going with a competitor.")),
    "repeat contact": (*ROUTER, (C, "This is the third time I've called about this.")),
    "broken promise": (
        (C, "Where is my refund?"),
        (A, "It was issued yesterday, it should show within 24 hours."),
        (C, "That's what you said last week."),
    ),
    "unanswered chasing": (*APP, (C, "hello?")),
    "disagreement": (
        (C, "Where is my order?"),
        (A, "It was delivered yesterday at 3pm."),
        (C, "No it wasn't. I've been home all day."),
    ),
    "system says solved, customer says not": (
        *ROUTER,
        (C, "Still dropping."),
        (S, "Ticket marked as solved."),
    ),
}


class TestExamples:
    """Realistic transcripts get the expected label."""

    @pytest.mark.parametrize("turns", RESOLVED.values(), ids=RESOLVED.keys())
    def test_resolved(self, turns: tuple[tuple[Role, str], ...]) -> None:
        score = SCORER(make(*turns))
        assert score.details["label"] == "resolved", score.evidence
        assert score.value is not None and score.value >= 0.6

    @pytest.mark.parametrize("turns", UNRESOLVED.values(), ids=UNRESOLVED.keys())
    def test_unresolved(self, turns: tuple[tuple[Role, str], ...]) -> None:
        score = SCORER(make(*turns))
        assert score.details["label"] == "unresolved", score.evidence
        assert score.value is not None and score.value <= 0.4

    def test_action_without_reaction_is_unclear_when_agent_asked_to_check(self) -> None:
        score = SCORER(make(*ROUTER))
        assert score.details["label"] == "unclear"

    def test_completed_refund_without_reaction_leans_resolved(self) -> None:
        score = SCORER(make(*REFUND))
        assert score.value is not None and score.value > 0.5
        assert score.details["completed_actions"] == 1.0


PAIRS = {
    "works / still drops": ((C, "It's working now."), (C, "It's still dropping.")),
    "light green / red": ((C, "the light is green again"), (C, "the light is still red")),
    "did it / didn't": ((C, "that did it"), (C, "that didn't do it")),
    "log in / can't": ((C, "I can log in now"), (C, "I can't log in")),
    "sound back / silent": ((C, "sound is back, brilliant"), (C, "did that, still silent")),
    "sincere / sarcastic thanks": ((C, "thank you so much!"), (C, "thanks for nothing")),
    "arrived / empty inbox": ((C, "there it is, in my inbox"), (C, "nope, inbox is empty")),
    "just got it / nothing": ((C, "just got it"), (C, "nothing in my inbox")),
    "went through / declined": ((C, "went through this time, thanks"), (C, "declined again")),
}


class TestContrastivePairs:
    """Transcripts that differ only in the customer's last turn are ordered by it."""

    @pytest.mark.parametrize(("good", "bad"), PAIRS.values(), ids=PAIRS.keys())
    def test_last_turn_decides(self, good: tuple[Role, str], bad: tuple[Role, str]) -> None:
        good_score, bad_score = SCORER(make(*ROUTER, good)), SCORER(make(*ROUTER, bad))
        assert good_score.value is not None and bad_score.value is not None
        assert good_score.value > bad_score.value
        assert good_score.details["label"] == "resolved"
        assert bad_score.details["label"] == "unresolved"

    def test_last_turn_outweighs_earlier_ones(self) -> None:
        relapse = SCORER(
            make(*ROUTER, (C, "It works now, thanks!"), (A, "Great!"), (C, "aaand it dropped again"))
        )
        recovered = SCORER(
            make(*ROUTER, (C, "still dropping"), (A, "I've replaced the line card."), (C, "that fixed it"))
        )
        assert relapse.details["label"] == "unresolved"
        assert recovered.details["label"] == "resolved"

    def test_complaint_after_action_cancels_it(self) -> None:
        score = SCORER(make(*REFUND, (C, "I still see both charges.")))
        assert score.details["completed_actions"] == 0.0
        assert score.details["cancelled_actions"] == 1.0
        assert any(e.category == "cancelled_action" and e.weight == 0.0 for e in score.evidence)

    def test_confirmation_outweighs_agent_action(self) -> None:
        action_only = SCORER(make((C, "I was charged twice."), (A, "I've refunded the duplicate charge.")))
        confirmed = SCORER(make(*REFUND, (C, "I see the refund in my account now.")))
        assert action_only.value is not None and confirmed.value is not None
        assert confirmed.value > action_only.value


class TestSystemLines:
    """SYSTEM and BOT lines are never evidence of resolution."""

    def test_ticket_solved_line_changes_nothing(self) -> None:
        plain = SCORER(make(*ROUTER, (C, "Still dropping.")))
        claimed = SCORER(make(*ROUTER, (C, "Still dropping."), (S, "Ticket marked as solved.")))
        assert claimed.value == plain.value
        assert claimed.details["system_claims"] == 1.0
        assert next(e for e in claimed.evidence if e.category == "system_claim").weight == 0.0

    def test_bot_claim_and_bot_action_are_ignored(self) -> None:
        with_bot = SCORER(make(*LOGIN, (B, "Done! Your ticket has been resolved."), (C, "still nothing")))
        assert with_bot.details["label"] == "unresolved"


class TestNotApplicable:
    """Without a customer or a human agent there is no resolution to judge."""

    @pytest.mark.parametrize(
        ("turns", "reason"),
        [
            ((), "no customer turn"),
            (((A, "Hello?"),), "no customer turn"),
            (((C, "Where is my order?"),), "no agent turn"),
            (((C, "Add a bag please"), (B, "Done! 1 bag added."), (C, "paid, thanks")), "no agent turn"),
        ],
    )
    def test_none_with_reason(self, turns: tuple[tuple[Role, str], ...], reason: str) -> None:
        score = SCORER(make(*turns))
        assert score.value is None
        assert score.reason == reason
        assert set(score.details) == DETAIL_KEYS
        assert score.details["label"] == "unclear"


class TestDetailsAndEvidence:
    """Details have fixed keys; every value is explained by evidence."""

    def test_details_keys_and_types(self) -> None:
        score = SCORER(make(*ROUTER, (C, "It works now, thanks!")))
        assert set(score.details) == DETAIL_KEYS
        for key, value in score.details.items():
            assert isinstance(value, str) if key == "label" else isinstance(value, float), key
        assert float(score.details["confirmations"]) >= 1.0
        assert score.details["completed_actions"] == 1.0
        assert score.details["customer_replies"] == 1.0

    def test_nan_without_customer_reply(self) -> None:
        score = SCORER(make((C, "My bill is wrong"), (A, "I'll transfer you to billing.")))
        assert math.isnan(float(score.details["sentiment_end"]))
        assert math.isnan(float(score.details["final_balance"]))
        assert float(score.details["deflections"]) >= 1.0

    def test_evidence_points_at_text(self) -> None:
        transcript = make(*ROUTER, (C, "It works now, thanks!"))
        score = SCORER(transcript)
        assert score.evidence
        for e in score.evidence:
            if e.end > e.start:
                assert transcript.turns[e.turn].text[e.start : e.end] == e.cue
        cues = {e.cue.lower() for e in score.evidence if e.weight > 0}
        assert any("works" in cue for cue in cues)

    def test_evidence_without_any_cue(self) -> None:
        score = SCORER(make((C, "Question about my plan"), (A, "Sure, go on.")))
        assert score.value is not None and score.evidence

    def test_counts(self) -> None:
        score = SCORER(
            make(*ROUTER, (C, "This is the third time I've called. I want a manager or I cancel my account."))
        )
        assert float(score.details["repeat_contact"]) >= 1.0
        assert float(score.details["escalations"]) >= 1.0
        assert float(score.details["cancellations"]) >= 1.0
        sarcastic = SCORER(make(*APP, (C, "Oh wonderful, another form.")))
        assert float(sarcastic.details["sarcasm"]) >= 1.0

    def test_accepts_an_analysis(self) -> None:
        transcript = make(*ROUTER, (C, "It works now, thanks!"))
        assert SCORER(Analyzer()(transcript)) == SCORER(transcript)


class TestConfiguration:
    """The scorer is frozen, keyword-configured and validated."""

    def test_defaults(self) -> None:
        assert SCORER.name == "resolution"
        assert SCORER.resolved_threshold == 0.6
        assert SCORER.unresolved_threshold == 0.4

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"resolved_threshold": 1.5},
            {"unresolved_threshold": -0.1},
            {"resolved_threshold": 0.3},
            {"resolved_threshold": 0.5, "unresolved_threshold": 0.5},
            {"resolved_threshold": "high"},
        ],
    )
    def test_bad_thresholds(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError, match="threshold"):
            ResolutionScorer(**kwargs)  # type: ignore[arg-type]

    def test_keyword_only_and_frozen(self) -> None:
        with pytest.raises(TypeError):
            ResolutionScorer(Lexicon.load("resolution"))  # type: ignore[call-arg]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            SCORER.name = "x"  # type: ignore[misc]

    def test_thresholds_change_the_label(self) -> None:
        transcript = make(*REFUND)
        strict = attrs.evolve(SCORER, resolved_threshold=0.99, unresolved_threshold=0.01)
        assert strict(transcript).details["label"] == "unclear"

    def test_extended_lexicon(self) -> None:
        lexicon = Lexicon.load("resolution").extend([("grand so", "confirm", 2.0)])
        custom = ResolutionScorer(lexicon=lexicon, name="res")
        score = custom(make(*ROUTER, (C, "grand so")))
        assert score.name == "res"
        assert score.details["label"] == "resolved"

    def test_pickles(self) -> None:
        clone = pickle.loads(pickle.dumps(SCORER))
        transcript = make(*ROUTER, (C, "It works now, thanks!"))
        assert clone(transcript) == SCORER(transcript)


class TestProperties:
    """Range, determinism, labels and system lines hold for any transcript."""

    @given(service_dialogues() | transcripts())
    def test_range_and_label(self, transcript: Transcript) -> None:
        score = SCORER(transcript)
        assert set(score.details) == DETAIL_KEYS
        if score.value is None:
            assert score.reason
            return
        assert 0.0 <= score.value <= 1.0
        assert score.evidence
        label = score.details["label"]
        if score.value >= SCORER.resolved_threshold:
            assert label == "resolved"
        elif score.value <= SCORER.unresolved_threshold:
            assert label == "unresolved"
        else:
            assert label == "unclear"

    @given(service_dialogues())
    def test_deterministic(self, transcript: Transcript) -> None:
        assert SCORER(transcript) == SCORER(transcript)

    @given(service_dialogues(), st.data())
    def test_system_solved_line_never_raises(self, transcript: Transcript, data: st.DataObject) -> None:
        position = data.draw(st.integers(0, len(transcript.turns)))
        line = data.draw(
            st.sampled_from(
                ["Ticket marked as solved.", "Your case has been resolved.", "Status: closed - solved"]
            )
        )
        role = data.draw(st.sampled_from([S, B]))
        turns = list(transcript.turns)
        turns.insert(position, Turn(role, line))
        before, after = SCORER(transcript), SCORER(Transcript("d", turns))
        if before.value is None:
            assert after.value is None
        else:
            assert after.value is not None and after.value <= before.value


class TestStateReports:
    """Customer clauses without a cue are read as reports of the state."""

    def test_positive_report_is_evidence_on_its_clause(self) -> None:
        transcript = make(
            (C, "The app crashes when I open photos."),
            (A, "Please update to version 5.2."),
            (C, "Updated, and the photos open fine."),
        )
        score = SCORER(transcript)
        report = next(e for e in score.evidence if e.category == "state_confirm")
        assert report.weight > 0
        assert transcript.turns[2].text[report.start : report.end] == report.cue
        assert score.details["label"] == "resolved"

    def test_negated_state_is_a_problem(self) -> None:
        score = SCORER(
            make(
                (C, "I sent £200 to my sister and she hasn't got it"),
                (A, "I've released the payment"),
                (C, "she just checked, her balance hasn't moved"),
            )
        )
        assert any(e.category == "state_problem" and e.weight < 0 for e in score.evidence)
        assert score.details["label"] == "unresolved"
        assert score.details["cancelled_actions"] == 1.0

    def test_missing_state_reported_back(self) -> None:
        context = ((C, "the washing machine won't drain"), (A, "take the transit bolt out at the back"))
        good = SCORER(make(*context, (C, "took it out and the water's draining away")))
        bad = SCORER(make(*context, (C, "took it out and it's just sitting full of water")))
        assert good.value is not None and bad.value is not None
        assert good.value > bad.value
        assert good.details["label"] == "resolved"

    def test_let_down_after_but(self) -> None:
        score = SCORER(
            make(
                (C, "The jacket I ordered in medium came in small."),
                (A, "I've sent out a medium by express."),
                (C, "A parcel arrived today, but it's another small."),
            )
        )
        assert score.details["label"] == "unresolved"


class TestAgentReading:
    """Actions and hand-offs without the usual keywords."""

    def test_generic_completed_action(self) -> None:
        score = SCORER(make((C, "no hot water on our street"), (A, "We've flushed the main this afternoon.")))
        assert score.details["completed_actions"] == 1.0
        assert any(e.category == "action" and e.cue == "We've flushed" for e in score.evidence)

    def test_asking_is_no_action(self) -> None:
        score = SCORER(make((C, "where is my parcel"), (A, "I've asked the driver.")))
        assert score.details["completed_actions"] == 0.0

    def test_non_answer_wrap_up(self) -> None:
        score = SCORER(
            make(
                (C, "Is there a way to export my data?"),
                (A, "I understand your concern. Is there anything else I can help with?"),
                (C, "No, that's fine, thanks."),
            )
        )
        assert any(e.category == "non_answer" for e in score.evidence)
        assert score.details["label"] != "resolved"

    def test_wrap_up_after_an_action_is_no_non_answer(self) -> None:
        score = SCORER(
            make(*REFUND, (A, "Is there anything else I can help with?"), (C, "No, that's all, thanks!"))
        )
        assert not any(e.category == "non_answer" for e in score.evidence)
        assert score.details["label"] == "resolved"

    @pytest.mark.parametrize(
        ("line", "cue"),
        [
            ("We have put a new fuse in the box.", "We have put"),
            ("Our team rebuilt the index", "team rebuilt"),
        ],
    )
    def test_generic_action_with_irregular_verb_or_other_actor(self, line: str, cue: str) -> None:
        score = SCORER(make((C, "search is broken"), (A, line)))
        assert score.details["completed_actions"] == 1.0
        assert any(e.category == "action" and e.cue == cue for e in score.evidence)

    def test_conditional_action_is_no_action(self) -> None:
        score = SCORER(make((C, "search is broken"), (A, "If we rebuilt it, would that help?")))
        assert score.details["completed_actions"] == 0.0


class TestInASuite:
    """The scorer asks a suite for its lexicons; the scores stay the same."""

    def test_lexicon_requests(self) -> None:
        (customer, customer_roles), (agent, agent_roles) = SCORER.lexicon_requests()
        assert customer_roles == frozenset({C})
        assert agent_roles == frozenset(Role) - {C}
        assert set(customer.cues) | set(agent.cues) <= set(SCORER.lexicon.cues)

    @given(service_dialogues())
    def test_same_score_alone_and_in_a_suite(self, transcript: Transcript) -> None:
        alone, shared = LEARNED(transcript), default_suite()(transcript)["resolution"]
        assert (shared.value, shared.evidence, shared.reason) == (alone.value, alone.evidence, alone.reason)
        assert repr(dict(shared.details)) == repr(dict(alone.details))  # NaN-safe


def same(a: Score, b: Score) -> bool:
    """Equal scores, NaN details included, to the last bit."""
    return (a.name, a.value, a.reason, a.evidence, repr(dict(a.details))) == (
        b.name,
        b.value,
        b.reason,
        b.evidence,
        repr(dict(b.details)),
    )


def assert_prefixes_equal_batch(transcript: Transcript) -> None:
    for k, accumulator in enumerate(fed(SCORER, transcript)):
        expected = SCORER(attrs.evolve(transcript, turns=transcript.turns[:k]))
        assert same(accumulator.score(), expected), k
        assert same(accumulator.score(), expected), k  # reading the score leaves the state alone


class TestIncremental:
    """The accumulator fed turn by turn gives, after each turn, the batch score of the turns so far."""

    @given(service_dialogues() | live_dialogues())
    def test_prefix_scores_equal_batch(self, transcript: Transcript) -> None:
        assert_prefixes_equal_batch(transcript)

    def test_agent_using_a_symptom_word_rereads_the_replies(self) -> None:
        # "declining" reports the opening's symptom until the agent says it too: then it is no symptom.
        transcript = make(
            (C, "My card was declined at the shop."),
            (A, "Sorry about that."),
            (C, "the card is declining at the till"),
            (A, "Sorry the card is declining."),
        )
        assert_prefixes_equal_batch(transcript)
        *_, before, after = (accumulator.score() for accumulator in fed(SCORER, transcript))
        assert [e.category for e in before.evidence if e.turn == 2] == ["state_problem"]
        assert [e.category for e in after.evidence if e.turn == 2] == ["no_cue"]

    def test_long_conversation(self) -> None:
        # Recency, settled evidence, answered complaints, capped and undone actions over many turns.
        lines = {
            C: ["still not working", "It works now, thanks!", "any update?", "This is ridiculous.", "ok"],
            A: ["I've reset your router from our side.", "Please DM us.", "Could you try again now?"],
        }
        turns = [(C, "My internet keeps dropping.")]
        for k in range(40):
            role = (C, A)[k % 2]
            turns.append((role, lines[role][(k * 7 + k // 3) % len(lines[role])]))
        assert_prefixes_equal_batch(make(*turns))
