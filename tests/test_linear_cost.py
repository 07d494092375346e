"""Long inputs finish: a 1 MB turn and a 200-turn transcript are scored (no timing asserted here).

How the cost grows with length is measured in ``benchmarks/bench_throughput.py``;
these tests only check that such inputs complete and give the same results as
their parts would where that must hold.
"""

from __future__ import annotations

from servicescore import Role, Transcript, Turn, default_suite
from servicescore._analysis import Analyzer
from servicescore._text import sentences, tokenize
from servicescore.cli import _sample


def sample_texts() -> list[str]:
    return [turn.text for transcript in _sample() for turn in transcript.turns]


class TestLongInputs:
    """Very long turns and transcripts are scored."""

    def test_one_megabyte_turn(self) -> None:
        """A single 1 MB agent turn after a customer turn is scored by the whole suite."""
        texts = sample_texts()
        big = "\n".join(texts * (1_000_000 // sum(len(t) + 1 for t in texts) + 1))[:1_000_000]
        transcript = Transcript(
            "big",
            [Turn(Role.CUSTOMER, "My order never came.", time=0.0), Turn(Role.AGENT, big, time=60.0)],
            channel="chat",
        )
        card = default_suite()(transcript)
        assert set(card) == {"empathy", "resolution", "pushiness", "latency"}

    def test_sentence_of_every_token(self) -> None:
        """``sentence_of`` finds the sentence holding each token of a long turn."""
        text = " ".join(sample_texts())
        facts = Analyzer()(Transcript("t", [Turn(Role.AGENT, text)], channel="chat")).turns[0]
        spans = sentences(text, tokenize(text))
        for token in range(0, len(facts.tokens), 37):
            index = facts.sentence_of(token)
            assert spans[index].first <= token < spans[index].last

    def test_long_transcript(self) -> None:
        """A transcript of 200 real turns is scored."""
        turns = [turn for transcript in _sample() for turn in transcript.turns][:200]
        timed = [Turn(turn.role, turn.text, time=60.0 * i) for i, turn in enumerate(turns)]
        card = default_suite()(Transcript("long", timed, channel="chat"))
        assert card["latency"].value is None or 0.0 <= card["latency"].value <= 1.0
