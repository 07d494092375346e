"""Tests for what people see of results: short reprs, notebook HTML and JSON-safe dicts."""

from __future__ import annotations

import html.parser
import json
import math

import pytest
from hypothesis import given

from servicescore import (
    Channel,
    Evidence,
    Role,
    Score,
    Scorecard,
    ScoreTable,
    Transcript,
    Turn,
    default_suite,
)
from servicescore._html import marked_html
from servicescore.cli import _sample

from .strategies import transcripts


@pytest.fixture(scope="module")
def cards() -> list[Scorecard]:
    suite = default_suite()
    return [suite(t) for t in _sample()]


@pytest.fixture(scope="module")
def table(cards: list[Scorecard]) -> ScoreTable:
    return ScoreTable.from_scorecards(cards)


class _Checker(html.parser.HTMLParser):
    """Collects the text and checks that every element opened is closed (void elements aside)."""

    VOID = frozenset({"br", "meta", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], f"unclosed elements: {checker.stack}"
    return checker


class TestRepr:
    """Short one-line reprs instead of dumps of arrays."""

    def test_table(self, table: ScoreTable) -> None:
        """Rows, columns and errors, on one short line."""
        text = repr(table)
        columns = len(table.columns)
        assert text.startswith(f"<ScoreTable: 72 rows x {columns} columns [id, channel, turns, start,")
        assert f"({columns - 6} more)" in text
        assert text.endswith("0 errors>")
        assert "\n" not in text and len(text) < 200

    def test_summary(self, table: ScoreTable) -> None:
        """The grouping, the number of groups and the columns."""
        summary = table.group_by("channel").summary(["empathy"], resamples=50)
        assert repr(summary) == "<Summary by channel: 5 groups, columns [empathy], 95% intervals>"
        assert str(summary) != repr(summary)

    def test_scorecard(self, cards: list[Scorecard]) -> None:
        """The id and each value with two decimals, None where a score does not apply."""
        card = cards[0]
        text = repr(card)
        assert text.startswith(f"Scorecard({card.transcript.id!r}, empathy=")
        for name, value in card.values_by_name().items():
            assert f"{name}={'None' if value is None else format(value, '.2f')}" in text
        lone = default_suite()(Transcript("x", [Turn(Role.CUSTOMER, "hello?")]))
        assert "latency=None" in repr(lone)


class TestNotebookHtml:
    """_repr_html_ gives well-formed, escaped HTML."""

    def test_table_shows_first_rows(self, table: ScoreTable) -> None:
        """Ten rows like pandas, with a note on the rest."""
        checker = parse(table._repr_html_())
        rows = [tag for tag, _ in checker.tags if tag == "tr"]
        assert len(rows) == 11  # the header and ten rows
        text = "".join(checker.text)
        assert f"72 rows × {len(table.columns)} columns, first 10 shown" in text
        assert str(table["id"][0]) in text and str(table["id"][10]) not in text

    def test_summary_shows_intervals(self, table: ScoreTable) -> None:
        """Every group with its count and mean [low, high]."""
        summary = table.group_by("channel").summary(["empathy", "latency"], resamples=50)
        text = "".join(parse(summary._repr_html_()).text)
        for row in summary.rows:
            assert str(row.key) in text
            stats = row["empathy"]
            assert f"{stats.mean:.2f}" in text
            if not math.isnan(stats.low):
                assert f"[{stats.low:.2f}, {stats.high:.2f}]" in text

    def test_scorecard_marks_evidence(self, cards: list[Scorecard]) -> None:
        """The transcript text is all there, with cues inside <mark> elements."""
        card = next(c for c in cards if any(e.end > e.start for s in c.values() for e in s.evidence))
        markup = card._repr_html_()
        checker = parse(markup)
        text = "".join(checker.text)
        for turn in card.transcript.turns:
            assert turn.text.split("\n")[0][:30] in text
        assert "<mark" in markup
        assert {attrs.get("class") for tag, attrs in checker.tags if tag == "mark"} <= {"pos", "neg", "mix"}

    def test_data_is_escaped(self) -> None:
        """Markup in ids, texts and metadata is shown, not interpreted."""
        evil = "<script>alert(1)</script>"
        transcript = Transcript(
            evil,
            [Turn(Role.CUSTOMER, evil), Turn(Role.AGENT, f"I'm so sorry {evil}")],
            Channel.CHAT,
            {"agent": evil},
        )
        card = default_suite()(transcript)
        table = ScoreTable.from_scorecards([card])
        for markup in (
            card._repr_html_(),
            table._repr_html_(),
            table.group_by("agent").summary()._repr_html_(),
        ):
            assert "<script" not in markup
            assert "&lt;script&gt;" in markup
            parse(markup)

    @given(transcripts())
    def test_any_transcript_renders(self, transcript: Transcript) -> None:
        """Every transcript renders as well-formed HTML holding its (escaped) texts."""
        card = default_suite()(transcript)
        text = "".join(parse(card._repr_html_()).text)
        for turn in transcript.turns:
            assert turn.text.strip() == "" or turn.text.strip().split()[0] in text


class TestMarked:
    """Evidence spans become marks; overlaps are cut at every boundary."""

    def test_overlap(self) -> None:
        """A piece covered by good and bad evidence is marked mix; the text is unchanged."""
        text = "so sorry, buy now"
        good = Evidence(0, 0, 8, "so sorry", "apology", 0.5)
        bad = Evidence(0, 3, 17, "sorry, buy now", "offer", 0.4)
        markup = marked_html(text, [("empathy", good), ("pushiness", bad)])
        assert markup.count("<mark") == 3
        assert (
            '<mark class="pos"' in markup and '<mark class="mix"' in markup and '<mark class="neg"' in markup
        )
        assert "".join(parse(markup).text) == text

    def test_whole_turn_facts_unmarked(self) -> None:
        """An empty span or the whole text is not highlighted."""
        text = "thanks"
        marks = [
            ("resolution", Evidence(0, 0, 0, "", "closure", 1.0)),
            ("empathy", Evidence(0, 0, 6, "t", "x", 1)),
        ]
        assert marked_html(text, marks) == text


class TestToDict:
    """JSON-safe dictionaries for an API response."""

    def test_score_nan_becomes_null(self) -> None:
        """Non-finite numbers become None, so strict JSON accepts the result."""
        score = Score(
            "latency", 0.5, details={"wait": float("inf"), "n": 3}, evidence=[Evidence(0, 0, 1, "a", "b", 1)]
        )
        data = score.to_dict()
        assert data["details"] == {"wait": None, "n": 3}
        assert json.loads(json.dumps(data, allow_nan=False)) == data

    def test_scorecard(self, cards: list[Scorecard]) -> None:
        """Every scorecard of the sample dumps as strict JSON and keeps its values."""
        for card in cards:
            data = json.loads(json.dumps(card.to_dict(transcript=True), allow_nan=False))
            assert data["id"] == card.transcript.id
            assert {name: s["value"] for name, s in data["scores"].items()} == card.values_by_name()
            assert Transcript.from_dict(data["transcript"]) == card.transcript
            evidence = [e for s in data["scores"].values() for e in s["evidence"]]
            assert len(evidence) == sum(len(s.evidence) for s in card.values())

    @given(transcripts())
    def test_any_transcript(self, transcript: Transcript) -> None:
        """Any scorecard dumps as strict JSON."""
        card = default_suite()(transcript)
        json.dumps(card.to_dict(transcript=True), allow_nan=False)
