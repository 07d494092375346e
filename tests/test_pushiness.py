import math
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Analyzer, Cue, Lexicon, Role, Transcript, Turn
from servicescore.scorers import PushinessScorer
from tests.strategies import PRESSURE_SENTENCES, live_dialogues, sales_dialogues

from .incremental import fed

SCORER = PushinessScorer()
DETAIL_KEYS = {
    "offers", "offers_after_refusal", "offers_before_resolution", "offers_while_upset", "retention",
    "persistence", "requested_offers", "pressure", "refusals", "cancel_requests", "sales_share", "resolved",
}  # fmt: skip
OFFER_KINDS = {"offer", "retention", "requested_offer"}


def chat(*lines: tuple[str, str]) -> Transcript:
    return Transcript("t", [Turn(role, text) for role, text in lines])


def value(transcript: Transcript, scorer: PushinessScorer = SCORER) -> float:
    score = scorer(transcript)
    assert score.value is not None
    return score.value


def categories(transcript: Transcript, scorer: PushinessScorer = SCORER) -> list[str]:
    return [e.category for e in scorer(transcript).evidence]


class TestConstruction:
    """Configuration is keyword-only, validated and immutable."""

    def test_defaults(self) -> None:
        assert SCORER.name == "pushiness"
        assert SCORER.products == ()
        assert SCORER.lexicon.name == "pushiness"

    def test_products_become_a_tuple(self) -> None:
        assert PushinessScorer(products=["fibre max"]).products == ("fibre max",)

    @pytest.mark.parametrize("products", ["fibre max", 3, [""], ["ok", 2]])
    def test_bad_products(self, products: object) -> None:
        with pytest.raises(TypeError, match="product"):
            PushinessScorer(products=products)  # type: ignore[arg-type]

    @pytest.mark.parametrize("threshold", [-1.5, 2, math.nan, True])
    def test_bad_threshold(self, threshold: object) -> None:
        with pytest.raises(ValueError, match="upset_threshold"):
            PushinessScorer(upset_threshold=threshold)  # type: ignore[arg-type]

    def test_unknown_lexicon_category(self) -> None:
        with pytest.raises(ValueError, match="mystery"):
            PushinessScorer(lexicon=Lexicon("x", [Cue("abc", "mystery")]))

    def test_frozen(self) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            SCORER.name = "other"  # type: ignore[misc]

    def test_evolve_and_pickle(self) -> None:
        custom = attrs.evolve(SCORER, products=("fibre max",))
        transcript = chat((Role.AGENT, "Would you like Fibre Max?"))
        assert "offer" in categories(transcript, custom)
        assert "offer" not in categories(transcript)
        again = pickle.loads(pickle.dumps(custom))
        assert again(transcript) == custom(transcript)


class TestApplicability:
    """Without an agent or bot the score does not apply."""

    @pytest.mark.parametrize(
        "turns",
        [[], [Turn(Role.CUSTOMER, "hello?")], [Turn(Role.SYSTEM, "queued"), Turn(Role.CUSTOMER, "hi")]],
    )
    def test_none(self, turns: list[Turn]) -> None:
        score = SCORER(Transcript("t", turns))
        assert score.value is None
        assert score.reason

    def test_service_only_is_zero_with_evidence(self) -> None:
        score = SCORER(
            chat((Role.CUSTOMER, "My bill is wrong."), (Role.AGENT, "I've refunded the extra charge."))
        )
        assert score.value == 0.0
        assert score.evidence
        assert set(score.details) == DETAIL_KEYS

    def test_bot_offers_count(self) -> None:
        transcript = chat(
            (Role.BOT, "Did you know our members get free returns? Join now for $4.99 a month!")
        )
        assert value(transcript) > 0.2


class TestOfferDetection:
    """Offers are found in many phrasings; service actions are not offers."""

    @pytest.mark.parametrize(
        "text",
        [
            "I can also set you up with our premium support plan.",
            "Would you be interested in our device protection plan?",
            "Have you considered our family bundle?",
            "While I have you, would you like to add streaming for $5 a month?",
            "Did you know we now offer home insurance?",
            "Can I interest you in an upgrade today?",
            "You could also switch to our annual plan and save 20%.",
            "How about a free trial of the premium tier?",
            "We're running a special promotion on faster speeds this month.",
            "Upgrade today and get two months free!",
            "I'd recommend the unlimited plan, it's only $10 more.",
            "Let me tell you about our new rewards card.",
        ],
    )
    def test_offer(self, text: str) -> None:
        transcript = chat((Role.CUSTOMER, "My internet is slow."), (Role.AGENT, text))
        assert "offer" in categories(transcript), text

    @pytest.mark.parametrize(
        "text",
        [
            "I've reset your router, it should work now.",
            "Would you like me to check your connection?",
            "I can set up a payment plan for the balance.",
            "Your plan includes unlimited data.",
            "I've applied a $20 credit to your bill for the trouble.",
            "There's a change fee of $75 for that flight.",
            "Could you restart the router and try again?",
            "I can't offer you a discount, sorry.",
            "Feel free to reach out anytime.",
        ],
    )
    def test_not_offer(self, text: str) -> None:
        transcript = chat((Role.CUSTOMER, "My internet is slow."), (Role.AGENT, text))
        assert not set(categories(transcript)) & OFFER_KINDS, text

    def test_company_products(self) -> None:
        scorer = PushinessScorer(products=("fibre max", "nightowl*"))
        transcript = chat((Role.AGENT, "Have you tried NightOwl streaming? You could get Fibre Max too."))
        assert categories(transcript, scorer).count("offer") == 2

    def test_follow_up_question_on_an_offer(self) -> None:
        transcript = chat((Role.AGENT, "You'd also get a free tablet with Unlimited Max. Shall I add it?"))
        assert categories(transcript).count("offer") == 2


class TestTiming:
    """The same offer weighs more before resolution, to an upset customer and after a refusal."""

    offer = (Role.AGENT, "Would you like to upgrade to our premium plan?")

    def test_before_resolution_is_pushier(self) -> None:
        before = chat(
            (Role.CUSTOMER, "My internet is down."), self.offer, (Role.AGENT, "I've reset your line.")
        )
        after = chat(
            (Role.CUSTOMER, "My internet is down."), (Role.AGENT, "I've reset your line."), self.offer
        )
        assert value(before) > value(after)
        assert SCORER(before).details["offers_before_resolution"] == 1.0
        assert SCORER(after).details["offers_before_resolution"] == 0.0

    def test_customer_confirmation_resolves(self) -> None:
        resolved = chat((Role.CUSTOMER, "It works now, thank you so much!"), self.offer)
        open_ = chat((Role.CUSTOMER, "It still doesn't work."), self.offer)
        assert value(resolved) < value(open_)
        assert "resolved" in categories(resolved)

    def test_upset_customer(self) -> None:
        upset = chat(
            (Role.CUSTOMER, "This is terrible, I'm furious and sick of your awful service."), self.offer
        )
        calm = chat((Role.CUSTOMER, "My internet has been slow since Monday."), self.offer)
        assert value(upset) > value(calm)
        assert SCORER(upset).details["offers_while_upset"] == 1.0

    @pytest.mark.parametrize(
        "refusal",
        ["No thanks.", "Not interested.", "I just want it fixed.", "I'll pass.", "no", "Please stop."],
    )
    def test_persistence_after_refusal(self, refusal: str) -> None:
        first = (Role.AGENT, "Can I interest you in our protection plan?")
        second = (Role.AGENT, "You should really add it, it's only $5.")
        refused = chat(first, (Role.CUSTOMER, refusal), second)
        neutral = chat(first, (Role.CUSTOMER, "Hmm, my router is blinking."), second)
        assert value(refused) > value(neutral)
        assert SCORER(refused).details["offers_after_refusal"] == 1.0
        assert SCORER(neutral).details["refusals"] == 0.0

    def test_bare_no_is_a_refusal_only_after_an_offer(self) -> None:
        after_offer = chat(self.offer, (Role.CUSTOMER, "No."))
        after_question = chat((Role.AGENT, "Is the light green?"), (Role.CUSTOMER, "No."))
        assert SCORER(after_offer).details["refusals"] == 1.0
        assert SCORER(after_question).details["refusals"] == 0.0

    def test_retention_after_cancel(self) -> None:
        cancel = chat(
            (Role.CUSTOMER, "I want to cancel my account."),
            (Role.AGENT, "Before you go, are you sure? We'd hate to lose you."),
            (Role.CUSTOMER, "Please just cancel it."),
            (Role.AGENT, "What if I gave you 3 months free?"),
        )
        score = SCORER(cancel)
        assert score.details["cancel_requests"] == 2.0
        assert score.details["retention"] >= 2.0
        assert score.details["refusals"] == 1.0
        assert score.value is not None
        assert score.value > 0.8

    def test_cancel_without_push(self) -> None:
        honoured = chat(
            (Role.CUSTOMER, "I want to cancel my account."), (Role.AGENT, "Done, it's cancelled.")
        )
        assert value(honoured) == 0.0


class TestRequestedOffers:
    """An offer the customer asked for is service."""

    def test_requested_offer_weighs_nothing(self) -> None:
        transcript = chat(
            (Role.CUSTOMER, "Do you have a cheaper plan?"),
            (Role.AGENT, "Yes, would you like to switch to our Basic plan for $20 a month?"),
        )
        assert value(transcript) == 0.0
        assert "requested_offer" in categories(transcript)

    def test_unrequested_version_is_pushy(self) -> None:
        transcript = chat(
            (Role.CUSTOMER, "My bill is wrong."),
            (Role.AGENT, "Would you like to switch to our Basic plan for $20 a month?"),
        )
        assert value(transcript) > 0.2

    def test_bridge_beyond_the_request(self) -> None:
        transcript = chat(
            (Role.CUSTOMER, "Do you offer a discount on the Team plan?"),
            (Role.AGENT, "Yes, nonprofits get 40% off. Also, have you considered our Enterprise plan?"),
        )
        assert "offer" in categories(transcript)

    def test_tell_me_more(self) -> None:
        transcript = chat(
            (Role.AGENT, "Have you heard about our new fibre plan?"),
            (Role.CUSTOMER, "Oh, tell me more."),
            (Role.AGENT, "It's twice as fast and you'd get the first month free for $30 a month."),
        )
        kinds = categories(transcript)
        assert kinds.count("offer") == 1
        assert "requested_offer" in kinds


class TestPressure:
    """Deadlines, scarcity and insistence add pressure."""

    @pytest.mark.parametrize("sentence", PRESSURE_SENTENCES)
    def test_pressure_sentence(self, sentence: str) -> None:
        transcript = chat((Role.AGENT, "Would you like our premium plan? " + sentence))
        assert SCORER(transcript).details["pressure"] >= 1.0

    def test_deadline_needs_sales_talk(self) -> None:
        service = chat((Role.AGENT, "Your reset link expires in 24 hours."))
        sales = chat((Role.AGENT, "The 20% discount on premium expires Friday."))
        assert SCORER(service).details["pressure"] == 0.0
        assert SCORER(sales).details["pressure"] == 1.0

    def test_sales_share(self) -> None:
        transcript = chat((Role.AGENT, "I've fixed it. Would you like our premium plan?"))
        share = SCORER(transcript).details["sales_share"]
        assert isinstance(share, float)
        assert 0.0 < share < 1.0

    def test_sales_share_without_agent_words(self) -> None:
        score = SCORER(chat((Role.AGENT, "🙂")))
        assert math.isnan(score.details["sales_share"])  # type: ignore[arg-type]


class TestEvidence:
    """Evidence points at the text that explains the value."""

    def test_spans(self) -> None:
        transcript = chat(
            (Role.CUSTOMER, "My internet keeps dropping."),
            (Role.AGENT, "Have you considered our premium plan? It's 20% off today only."),
            (Role.CUSTOMER, "No thanks, I just want it fixed."),
        )
        score = SCORER(transcript)
        for e in score.evidence:
            text = transcript.turns[e.turn].text
            assert text[e.start : e.end] == e.cue or e.start == e.end
        assert {"offer", "pressure", "refusal"} <= {e.category for e in score.evidence}
        weights = {e.category: e.weight for e in score.evidence}
        assert weights["offer"] > 0 and weights["pressure"] > 0 and weights["refusal"] == 0


class TestProperties:
    """Range, determinism and monotonicity in pressure."""

    @given(sales_dialogues())
    def test_range_and_keys(self, transcript: Transcript) -> None:
        score = SCORER(transcript)
        if score.value is None:
            assert score.reason
            return
        assert 0.0 <= score.value <= 1.0
        assert set(score.details) == DETAIL_KEYS
        assert score.evidence

    @given(sales_dialogues())
    def test_deterministic(self, transcript: Transcript) -> None:
        assert SCORER(transcript) == SCORER(transcript)
        assert PushinessScorer()(transcript) == SCORER(transcript)

    @given(sales_dialogues())
    def test_lexicons_matched_with_others_first(self, transcript: Transcript) -> None:
        # A suite matches every scorer's lexicon_requests() in one walk before scoring.
        analysis = Analyzer()(transcript)
        requests = [(Lexicon("other", [Cue("sorry", "apology")]), None), *SCORER.lexicon_requests()]
        analysis.hits_many([lexicon for lexicon, _ in requests], [roles for _, roles in requests])
        assert SCORER(analysis) == SCORER(transcript)

    @given(sales_dialogues(), st.sampled_from(PRESSURE_SENTENCES), st.integers(0, 10))
    def test_appending_pressure_never_lowers(self, transcript: Transcript, pressure: str, pick: int) -> None:
        agents = [i for i, t in enumerate(transcript.turns) if t.role is Role.AGENT]
        if not agents:
            return
        index = agents[pick % len(agents)]
        turns = list(transcript.turns)
        turns[index] = attrs.evolve(turns[index], text=turns[index].text + " " + pressure)
        before, after = value(transcript), value(attrs.evolve(transcript, turns=turns))
        assert after >= before - 1e-12

    @given(sales_dialogues(), st.sampled_from(PRESSURE_SENTENCES), st.integers(0, 10))
    def test_adding_a_pressure_turn_never_lowers(
        self, transcript: Transcript, pressure: str, pick: int
    ) -> None:
        turns = list(transcript.turns)
        turns.insert(pick % (len(turns) + 1), Turn(Role.AGENT, pressure))
        after = value(attrs.evolve(transcript, turns=turns))
        before = SCORER(transcript).value
        assert after >= (before or 0.0) - 1e-12


class TestIncremental:
    """The accumulator fed turn by turn gives, after each turn, the batch score of the turns so far."""

    @given(sales_dialogues() | live_dialogues())
    def test_prefix_scores_equal_batch(self, transcript: Transcript) -> None:
        for k, accumulator in enumerate(fed(SCORER, transcript)):
            expected = SCORER(attrs.evolve(transcript, turns=transcript.turns[:k]))
            assert accumulator.score() == expected
            assert accumulator.score() == expected  # reading the score leaves the state alone

    def test_no_sales_span_joins_evidence_in_order(self) -> None:
        transcript = chat(
            (Role.CUSTOMER, "Do you have a cheaper plan?"),
            (Role.AGENT, "Yes, would you like to switch to our Basic plan for $20 a month?"),
        )
        *_, accumulator = fed(SCORER, transcript)
        score = accumulator.score()
        assert score == SCORER(transcript)
        # As the batch sort put it: after the requested offer at the same (turn, start).
        assert [e.category for e in score.evidence] == ["request", "requested_offer", "no_sales"]


class TestWordSets:
    """The closed word classes ship as data; a malformed file is reported with its line."""

    def test_shipped_sets_load(self) -> None:
        from servicescore.scorers import _pushiness_sentences as _pushiness

        assert {"openers", "possessives", "stop", "articles"} <= set(_pushiness._WORDS)
        assert "your" in _pushiness._WORDS["possessives"]

    def test_a_line_without_words_names_file_and_line(self) -> None:
        from servicescore.exceptions import FormatError
        from servicescore.scorers._pushiness_sentences import _read_word_sets

        with pytest.raises(FormatError, match=r"words\.txt:3"):
            _read_word_sets("# comment\nopeners\tso then\tfillers\nstop\t\tnothing here\n", "words.txt")

    def test_a_set_defined_twice_is_an_error(self) -> None:
        from servicescore.exceptions import FormatError
        from servicescore.scorers._pushiness_sentences import _read_word_sets

        with pytest.raises(FormatError, match="twice"):
            _read_word_sets("stop\ta the\tx\nstop\tan\ty\n", "words.txt")
