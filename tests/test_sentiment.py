from __future__ import annotations

import json
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as reference_module

from servicescore import MissingResourceError
from servicescore._sentiment import (
    SERVICE_RULES,
    ServiceSentiment,
    _but_rescale,
    _read_resource,
    _tables,
    vader_compound,
)

from .strategies import sentiment_texts, texts

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
IBM_DIALOGS = SHARED_DATA / "ibm-twitter-cdp" / "dialogs.jsonl"
REFERENCE = reference_module.SentimentIntensityAnalyzer()
PLAIN = ServiceSentiment(rules=())
SERVICE = ServiceSentiment()


def reference(text: str) -> float:
    return float(REFERENCE.polarity_scores(text)["compound"])


def turn_texts(lines: list[str]) -> list[str]:
    return [turn["text"] for line in lines if line.strip() for turn in json.loads(line)["turns"]]


def sample_texts() -> list[str]:
    sample = resources.files("servicescore").joinpath("data", "sample.jsonl")
    return turn_texts(sample.read_text(encoding="utf-8").splitlines())


class TestFaithfulness:
    """vader_compound reproduces vaderSentiment 3.3.2 polarity_scores()["compound"]."""

    def test_sample_turns_equal_the_reference(self) -> None:
        texts_ = sample_texts()
        assert texts_
        assert [vader_compound(text) for text in texts_] == [reference(text) for text in texts_]

    def test_ibm_dialog_turns_equal_the_reference(self) -> None:
        if not IBM_DIALOGS.exists():
            pytest.skip(f"shared data not found at {SHARED_DATA}")
        texts_ = turn_texts(IBM_DIALOGS.read_text(encoding="utf-8").splitlines())
        assert len(texts_) > 2000
        differ = [text for text in texts_ if vader_compound(text) != reference(text)]
        assert differ == []

    @pytest.mark.parametrize(
        "text",
        [
            "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
            "At least it isn't a horrible book.",
            "The book was only kind of good.",
            "Today only kinda sux! But I'll get by, lol",
            "Make sure you :) or :D today!",
            "Catch utf-8 emoji such as 💘 and 💋 and 😁",
            "Sentiment analysis has never been this good!",
            "With VADER, sentiment analysis is the shit!",
            "Roger Dodger is one of the least compelling variations on this theme.",
            "Without a doubt, an excellent idea.",
            "good but good good but bad bad",  # the list.index quirk of _but_check
            "NO good, no NO nor happy?? ???",
            "🔛😀abc 😀 x😀",
            "",
            "   \n\t ",
        ],
    )
    def test_reference_examples(self, text: str) -> None:
        assert vader_compound(text) == reference(text)

    @given(sentiment_texts())
    def test_rule_dense_texts_match_the_reference(self, text: str) -> None:
        assert abs(vader_compound(text) - reference(text)) <= 0.01

    @given(st.text() | texts())
    def test_any_text_matches_the_reference(self, text: str) -> None:
        assert abs(vader_compound(text) - reference(text)) <= 0.01

    @given(st.lists(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0]), max_size=150), st.data())
    def test_but_rescaling_matches_the_reference_quirk(
        self, values: list[float], data: st.DataObject
    ) -> None:
        # Long lists take the heap path, short ones the direct path; both must
        # equal vaderSentiment's own _but_check on the same sentiments.
        but_at = data.draw(st.integers(0, len(values)))
        words = ["w"] * len(values)
        words.insert(but_at, "but")
        sentiments = [*values[:but_at], 0, *values[but_at:]]
        expected = REFERENCE._but_check(words, list(sentiments))
        positions = [i for i in range(len(sentiments)) if i != but_at]
        ported = [sentiments[i] for i in positions]
        _but_rescale(ported, positions, but_at)
        assert ported == [expected[i] for i in positions]

    @pytest.mark.parametrize("but_at", [0, 1, 77, 200])
    def test_long_but_rescaling_matches_the_reference_quirk(self, but_at: int) -> None:
        values = [1.0, 1.0, 0.5, 2.0, -1.0, 0.0] * 40  # > 64 values: the heap path
        words = ["w"] * len(values)
        words.insert(but_at, "but")
        sentiments = [*values[:but_at], 0.0, *values[but_at:]]
        expected = REFERENCE._but_check(words, list(sentiments))
        positions = [i for i in range(len(sentiments)) if i != but_at]
        ported = [sentiments[i] for i in positions]
        _but_rescale(ported, positions, but_at)
        assert ported == [expected[i] for i in positions]


class TestConstants:
    """The rule constants equal vaderSentiment 3.3.2's (nltk's where they agree, ours where not)."""

    def test_scalars(self) -> None:
        tables = _tables()
        assert tables.b_incr == reference_module.B_INCR
        assert tables.c_incr == reference_module.C_INCR
        assert tables.n_scalar == reference_module.N_SCALAR

    def test_word_lists(self) -> None:
        tables = _tables()
        assert tables.negate == frozenset(reference_module.NEGATE)
        assert tables.boosters == reference_module.BOOSTER_DICT
        assert {" ".join(key): value for key, value in tables.special.items()} == (
            reference_module.SPECIAL_CASES
        )

    def test_lexicon(self) -> None:
        assert _tables().lexicon == REFERENCE.lexicon

    def test_tables_are_loaded_once(self) -> None:
        assert _tables() is _tables()


class TestShippedLexicon:
    """The VADER files shipped in servicescore/data/vader are vaderSentiment 3.3.2's, notice included."""

    @pytest.mark.parametrize("name", ["vader_lexicon.txt", "emoji_utf8_lexicon.txt"])
    def test_same_bytes_as_vader_sentiment(self, name: str) -> None:
        shipped = resources.files("servicescore").joinpath("data", "vader", name).read_bytes()
        assert shipped == resources.files("vaderSentiment").joinpath(name).read_bytes()

    def test_licence_notice_kept(self) -> None:
        notice = resources.files("servicescore").joinpath("data", "vader", "LICENSE.txt").read_text()
        assert "MIT License" in notice
        assert "Copyright (c) 2016 C.J. Hutto" in notice


class TestMissingResource:
    """A missing lexicon raises MissingResourceError, which is also a LookupError."""

    def test_missing_file(self) -> None:
        with pytest.raises(MissingResourceError, match=r"'no_such_lexicon\.txt'.*data/vader"):
            _read_resource("no_such_lexicon.txt")

    def test_missing_package(self) -> None:
        with pytest.raises(LookupError, match="no_such_package_servicescore"):
            _read_resource("vader_lexicon.txt", package="no_such_package_servicescore")


class TestServiceSentimentContract:
    """ServiceSentiment is a frozen, validated, deterministic callable in [-1, 1]."""

    @given(sentiment_texts() | texts())
    def test_in_range_and_deterministic(self, text: str) -> None:
        value = SERVICE(text)
        assert -1.0 <= value <= 1.0
        assert SERVICE(text) == value == ServiceSentiment()(text)

    @given(sentiment_texts() | texts())
    def test_without_rules_it_is_vader(self, text: str) -> None:
        assert PLAIN(text) == vader_compound(text)

    def test_thread_safe(self) -> None:
        texts_ = sample_texts()
        expected = [SERVICE(text) for text in texts_]
        with ThreadPoolExecutor(4) as pool:
            runs = [pool.submit(lambda: [SERVICE(text) for text in texts_]) for _ in range(4)]
            assert all(run.result() == expected for run in runs)

    def test_frozen_and_picklable(self) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            SERVICE.rules = frozenset()  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(SERVICE)) == SERVICE
        assert attrs.evolve(SERVICE, rules={"links"}).rules == frozenset({"links"})

    def test_default_rules(self) -> None:
        assert SERVICE.rules == frozenset(SERVICE_RULES)

    def test_unknown_rule(self) -> None:
        with pytest.raises(ValueError, match=r"unknown sentiment rule\(s\) \['irony'\]"):
            ServiceSentiment(rules={"sarcasm", "irony"})

    def test_rules_as_string(self) -> None:
        with pytest.raises(TypeError, match="not the string 'sarcasm'"):
            ServiceSentiment(rules="sarcasm")

    @pytest.mark.parametrize("score", [vader_compound, SERVICE])
    def test_text_must_be_str(self, score: object) -> None:
        with pytest.raises(TypeError, match="text must be a str"):
            score(b"good")  # type: ignore[operator]

    def test_megabyte_text_runs_in_linear_time(self) -> None:
        # Many equal valences after a "but" used to cost O(n**2) in the reference.
        text = "good but " + "good bad nooo @x https://x.y sooo great, just great. " * 20_000
        assert len(text) > 1_000_000
        start = time.perf_counter()
        assert -1.0 <= vader_compound(text) <= 1.0
        assert -1.0 <= SERVICE(text) <= 1.0
        assert time.perf_counter() - start < 30


def rule_off(rule: str) -> ServiceSentiment:
    return ServiceSentiment(rules=set(SERVICE_RULES) - {rule})


class TestReassurance:
    """A negator before a problem noun is a reassurance, not a complaint."""

    @pytest.mark.parametrize(
        "text",
        [
            "No problem.",
            "No worries.",
            "not a problem",
            "It's not an issue at all.",
            "I have no complaints.",
            "No issues so far.",
            "It worked without any issues.",
            "no major problems",
            "never a problem",
        ],
    )
    def test_not_negative(self, text: str) -> None:
        assert SERVICE(text) > 0

    def test_no_issues_was_negative_in_vader(self) -> None:
        assert vader_compound("No issues so far.") < 0 < SERVICE("No issues so far.")
        assert rule_off("reassurance")("No issues so far.") < 0

    def test_negator_does_not_reach_further(self) -> None:
        # VADER's "no" also negates "happy" two words later.
        assert SERVICE("No problem, happy to help!") > vader_compound("No problem, happy to help!") + 0.3

    def test_a_real_problem_stays_negative(self) -> None:
        assert SERVICE("There is a problem with my bill.") < 0
        assert SERVICE("Problems again, no fix.") < 0


class TestPoliteness:
    """Request markers (please, kindly) carry no sentiment."""

    def test_kindly_stop(self) -> None:
        assert vader_compound("Kindly stop calling me.") > 0
        assert SERVICE("Kindly stop calling me.") < 0
        assert rule_off("politeness")("Kindly stop calling me.") > 0

    def test_please_is_neutral(self) -> None:
        assert SERVICE("Please reset my password.") == 0.0
        assert SERVICE("Please help, the app is broken") < 0


class TestSarcasm:
    """Echoed praise and bare praise in repeat complaints are ironic."""

    @pytest.mark.parametrize(
        "text",
        [
            "Great, just great. Third time this week.",
            "Great, just great.",
            "Perfect. The app crashed again, third time today.",
            "Oh wonderful, yet again my order is late.",
            "Lovely. 3rd time I call about this.",
        ],
    )
    def test_not_positive(self, text: str) -> None:
        assert vader_compound(text) > 0
        assert SERVICE(text) < 0
        assert rule_off("sarcasm")(text) > 0

    @pytest.mark.parametrize(
        "text",
        ["Great service, thanks again!", "That's great, thank you!", "It is just great.", "Perfect, fixed!"],
    )
    def test_sincere_praise_stays_positive(self, text: str) -> None:
        assert SERVICE(text) == vader_compound(text) > 0


class TestApostrophes:
    """Curly apostrophes and quotes behave like straight ones."""

    @pytest.mark.parametrize(
        ("curly", "straight"),
        [("I’m sorry", "I'm sorry"), ("I don’t like it.", "I don't like it."), ("“great”", '"great"')],
    )
    def test_like_straight(self, curly: str, straight: str) -> None:
        assert SERVICE(curly) == SERVICE(straight) == vader_compound(straight)

    def test_negation_works(self) -> None:
        assert vader_compound("I don’t like it.") > 0 > SERVICE("I don’t like it.")


class TestElongation:
    """Elongated words are looked up collapsed and count as emphasis."""

    def test_collapsed_lookup(self) -> None:
        assert vader_compound("This is goooood") == 0.0
        assert SERVICE("This is goooood") > vader_compound("This is good") > 0
        assert SERVICE("nooo") < 0 == vader_compound("nooo")

    def test_elongated_booster(self) -> None:
        assert SERVICE("sooo good") > vader_compound("so good") > vader_compound("sooo good")

    def test_off(self) -> None:
        assert rule_off("elongation")("This is goooood") == 0.0


class TestLinks:
    """URLs and @handles carry no sentiment."""

    def test_handle_that_is_a_lexicon_word(self) -> None:
        # "united" is +1.8 in VADER's lexicon, and "uber" a booster.
        assert SERVICE("@united you are the worst") == vader_compound("you are the worst")
        assert SERVICE("@Uber great ride") == vader_compound("great ride")
        assert vader_compound("@united you are the worst") > SERVICE("@united you are the worst")

    def test_urls(self) -> None:
        assert SERVICE("see https://example.com/happy-love-great") == 0.0
        assert SERVICE("see https: //www.example.com/great") == 0.0
        assert SERVICE("see WWW.great.com") == 0.0
        assert rule_off("links")("see https://example.com/great") == vader_compound(
            "see https://example.com/great"
        )

    def test_email_and_words_ending_in_www(self) -> None:
        assert SERVICE("awww. so sweet") == vader_compound("awww. so sweet")
