"""Tests for the shared Analysis and the injectable Analyzer."""

from __future__ import annotations

from hypothesis import given

from servicescore import Analysis, Analyzer, Cue, Lexicon, Role, Transcript, Turn, analyze

from .strategies import transcripts


def constant_sentiment(value: float) -> Analyzer:
    return Analyzer(sentiment=lambda sentence: value)


CALL = Transcript(
    "c1",
    [
        Turn(Role.CUSTOMER, "My router died. I'm NOT happy!"),
        Turn(Role.AGENT, "I'm not sorry. Kidding, I'm so sorry."),
    ],
)


class TestAnalysis:
    """Lazy, shared facts about a transcript."""

    def test_turn_facts(self) -> None:
        """Each turn has tokens, sentences and a negation mask of equal length."""
        analysis = constant_sentiment(0.0)(CALL)
        first = analysis.turns[0]
        assert first.role is Role.CUSTOMER
        assert len(first.sentences) == 2
        assert len(first.negated) == len(first.tokens)

    def test_sentiment_is_sentence_mean_of_polar_sentences(self) -> None:
        """Turn sentiment averages the non-neutral sentences, so length does not push it to extremes."""
        scores = {"My router died.": -0.5, "I'm NOT happy!": -0.3}
        analysis = Analyzer(sentiment=lambda s: scores.get(s, 0.0))(CALL)
        assert analysis.turns[0].sentence_sentiments == (-0.5, -0.3)
        assert analysis.turns[0].sentiment == -0.4
        assert analysis.turns[1].sentiment == 0.0

    def test_sentiment_is_lazy(self) -> None:
        """Tokens do not need the sentiment function."""
        calls: list[str] = []
        analysis = Analyzer(sentiment=lambda s: calls.append(s) or 0.0)(CALL)
        assert analysis.turns[1].tokens
        assert calls == []
        assert analysis.turns[1].sentiment == 0.0
        assert len(calls) == 2

    def test_hits_are_negation_aware_and_cached(self) -> None:
        """Hits carry spans and negation, and are computed once per lexicon."""
        lexicon = Lexicon("t", [Cue("(so)? sorry", "apology")])
        analysis = constant_sentiment(0.0)(CALL)
        hits = analysis.hits(lexicon)
        assert hits is analysis.hits(lexicon)
        spans = [(CALL.turns[1].text[h.start : h.end], h.negated) for h in hits[1]]
        assert spans == [("sorry", True), ("so sorry", False)]
        evidence = hits[1][1].evidence(CALL.turns[1].text, 1.5)
        assert (evidence.turn, evidence.cue, evidence.category, evidence.weight) == (
            1,
            "so sorry",
            "apology",
            1.5,
        )

    def test_analyze_passes_an_analysis_through(self) -> None:
        """analyze() returns an Analysis unchanged and analyses a Transcript."""
        analysis = constant_sentiment(0.0)(CALL)
        assert analyze(analysis) is analysis
        assert isinstance(analyze(CALL), Analysis)

    def test_custom_tokenizer(self) -> None:
        """A user tokenizer replaces the default one."""
        from servicescore import Token

        def whole(text: str) -> tuple[Token, ...]:
            return (Token(text, text.lower(), 0, len(text), "word"),) if text else ()

        analysis = Analyzer(tokenize=whole, sentiment=lambda s: 0.0)(CALL)
        assert [t.norm for t in analysis.turns[0].tokens] == ["my router died. i'm not happy!"]

    @given(transcripts())
    def test_one_turn_analysis_per_turn(self, transcript: Transcript) -> None:
        """The analysis has one entry per turn, in order, with in-range sentiment."""
        analysis = constant_sentiment(0.25)(transcript)
        assert [t.turn for t in analysis.turns] == list(transcript.turns)
        assert all(t.sentiment in (0.0, 0.25) for t in analysis.turns)
