"""Tests for tokenisation, sentences and negation scope."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servicescore._text import negation_scope, sentences, tokenize

from .strategies import texts


class TestTokenize:
    """tokenize: offsets, normalisation, contractions."""

    def test_curly_apostrophes_and_contractions(self) -> None:
        """Curly and straight apostrophes give the same normalised tokens."""
        assert [t.norm for t in tokenize("I’m sorry, don’t worry")] == [
            t.norm for t in tokenize("I'm sorry, don't worry")
        ]
        assert [t.norm for t in tokenize("can't won't")] == ["can", "not", "will", "not"]

    def test_contractions_without_apostrophe(self) -> None:
        """ASR and chat spellings such as ``dont`` and ``im`` are expanded."""
        assert [t.norm for t in tokenize("im sorry i dont know")] == [
            "i",
            "am",
            "sorry",
            "i",
            "do",
            "not",
            "know",
        ]

    def test_elongation_caps_emoji_urls_handles(self) -> None:
        """Elongated words are shortened, CAPS lowered, and special tokens kept whole."""
        tokens = tokenize("SOOO slow 😡 @AcmeHelp see https://acme.co/x?y=1 #fail :(")
        assert [(t.norm, t.kind) for t in tokens] == [
            ("soo", "word"),
            ("slow", "word"),
            ("😡", "emoji"),
            ("@acmehelp", "handle"),
            ("see", "word"),
            ("https://acme.co/x?y=1", "url"),
            ("#fail", "hashtag"),
            (":(", "emoji"),
        ]
        assert tokens[0].squeezed == "so"

    @given(texts())
    def test_offsets_point_into_the_text(self, text: str) -> None:
        """Every token's span lies inside the text and spans are in order."""
        tokens = tokenize(text)
        previous = 0
        for token in tokens:
            assert 0 <= token.start < token.end <= len(text)
            assert text[token.start : token.end] == token.text
            assert token.start >= previous
            previous = token.start

    def test_long_input_is_linear(self) -> None:
        """A 1 MB turn of pathological input tokenises without backtracking blow-ups."""
        text = ("a" * 999 + "'" + "b" * 999 + " ") * 500
        assert len(tokenize(text)) >= 500


class TestSentences:
    """sentences: punctuation, line breaks, ASR runs, questions."""

    def test_punctuation_and_questions(self) -> None:
        """Sentences end at . ! ? and questions are marked."""
        text = "Thanks!! I see the problem. Could you restart the router?"
        found = sentences(text, tokenize(text))
        assert [text[s.start : s.end] for s in found] == [
            "Thanks!!",
            "I see the problem.",
            "Could you restart the router?",
        ]
        assert [s.question for s in found] == [False, False, True]

    def test_unpunctuated_asr_questions(self) -> None:
        """ASR questions without a question mark are recognised by their opening."""
        text = "can you tell me what the charge is for"
        (sentence,) = sentences(text, tokenize(text))
        assert sentence.question

    def test_long_asr_run_is_cut_at_fillers(self) -> None:
        """A long run without punctuation is cut at fillers."""
        text = (
            "um so my bill went up again this month and i never changed anything at all "
            "on my plan um so what happened"
        )
        found = sentences(text, tokenize(text))
        assert len(found) == 2
        assert found[1].question

    @given(texts())
    def test_sentences_partition_the_tokens(self, text: str) -> None:
        """Sentences cover every token exactly once, in order."""
        tokens = tokenize(text)
        found = sentences(text, tokens)
        covered = [i for s in found for i in range(s.first, s.last)]
        assert covered == list(range(len(tokens)))


class TestNegationScope:
    """negation_scope: reach, breakers, the "can't ... enough" idiom."""

    def test_scope_stops_at_punctuation_and_contrast(self) -> None:
        """A negation covers up to three words and stops at commas and 'but'."""
        tokens = tokenize("I'm not at all sorry, but I do understand")
        negated = [t.norm for t, n in zip(tokens, negation_scope(tokens), strict=True) if n]
        assert negated == ["at", "all", "sorry"]

    def test_cannot_enough_is_not_negation(self) -> None:
        """'I can't thank you enough' is emphatic, not negated."""
        tokens = tokenize("I can't apologise enough")
        assert not any(negation_scope(tokens))

    @given(st.lists(st.sampled_from(["not", "no", "sorry", "I", ",", "but", "never"]), max_size=12))
    def test_negators_themselves_are_never_in_scope(self, words: list[str]) -> None:
        """A negator word is never marked as negated."""
        tokens = tokenize(" ".join(words))
        for token, negated in zip(tokens, negation_scope(tokens), strict=True):
            if token.norm in {"not", "no", "never"}:
                assert not negated
