"""Tests for lexicons: the file format, pattern syntax, matching and extension."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Cue, FormatError, Lexicon, MissingResourceError
from servicescore._text import tokenize


def found(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    tokens = tokenize(text)
    return [
        (" ".join(t.norm for t in tokens[m.first : m.last]), m.cue.category) for m in lexicon.match(tokens)
    ]


class TestPatterns:
    """Alternatives, optional groups, prefixes and wildcards."""

    def test_alternatives_and_optional_groups(self) -> None:
        """``(a|b)?`` expands to every combination, including none."""
        lexicon = Lexicon("t", [Cue("(i_am|we_are)? (so|very)? sorry", "apology")])
        assert found(lexicon, "We're very sorry") == [("we are very sorry", "apology")]
        assert found(lexicon, "sorry!") == [("sorry", "apology")]

    def test_prefix_and_wildcard(self) -> None:
        """``word*`` matches by prefix and a lone ``*`` matches any one word."""
        lexicon = Lexicon("t", [Cue("apologi*", "apology"), Cue("upgrade to *", "offer")])
        assert found(lexicon, "We apologise. Upgrade to premium?") == [
            ("apologise", "apology"),
            ("upgrade to premium", "offer"),
        ]

    def test_longest_match_wins_and_contained_matches_drop(self) -> None:
        """The longest phrase at a position wins; phrases inside it are not reported again."""
        lexicon = Lexicon("t", [Cue("sorry", "apology"), Cue("sorry to hear that", "reaction")])
        assert found(lexicon, "So sorry to hear that") == [("sorry to hear that", "reaction")]

    def test_elongated_words_match_their_squeezed_form(self) -> None:
        """``pleeease`` matches ``please``."""
        assert found(Lexicon("t", [Cue("please", "p")]), "pleeease") == [("pleease", "p")]

    @given(st.lists(st.sampled_from(["sorry", "very", "I", "am", "hello", "."]), max_size=15))
    def test_matches_do_not_nest(self, words: list[str]) -> None:
        """No reported match lies inside another."""
        lexicon = Lexicon("t", [Cue("(i_am)? (very)? sorry", "a"), Cue("very", "b")])
        matches = lexicon.match(tokenize(" ".join(words)))
        for a in matches:
            for b in matches:
                if a is not b:
                    assert not (a.first <= b.first and b.last <= a.last)


class TestFiles:
    """Shipped lexicons, user files and extension."""

    @pytest.mark.parametrize("name", ["empathy"])
    def test_shipped_lexicons_load_with_sources(self, name: str) -> None:
        """Every shipped cue has a category, a weight and a source comment."""
        lexicon = Lexicon.load(name)
        assert lexicon.version
        assert all(cue.category and cue.source for cue in lexicon.cues)

    def test_unknown_lexicon(self) -> None:
        """Loading a lexicon that does not ship raises MissingResourceError."""
        with pytest.raises(MissingResourceError, match="nope"):
            Lexicon.load("nope")

    def test_from_file_and_errors(self, tmp_path: Path) -> None:
        """A user file loads; a bad weight names file, line and field."""
        path = tmp_path / "acme.tsv"
        path.write_text("# version: 3\nfibre plus\tproduct\t2\tour catalogue\n", encoding="utf-8")
        lexicon = Lexicon.from_file(path)
        assert (lexicon.name, lexicon.version, lexicon.cues[0].weight) == ("acme", "3", 2.0)
        path.write_text("# version: 3\n\nfibre plus\tproduct\theavy\n", encoding="utf-8")
        with pytest.raises(FormatError, match=r"acme.tsv:3: weight: weight must be a number"):
            Lexicon.from_file(path)

    def test_extend_returns_a_new_lexicon(self) -> None:
        """extend() leaves the original untouched."""
        base = Lexicon("t", [Cue("sorry", "apology")])
        extended = base.extend([("fibre plus", "product", 1.0)])
        assert found(extended, "Fibre Plus") == [("fibre plus", "product")]
        assert found(base, "Fibre Plus") == []
