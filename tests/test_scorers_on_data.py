"""Every built-in scorer on real transcripts: in range and explained by evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from servicescore import Analyzer, Score, Transcript, io
from servicescore.cli import _sample
from servicescore.scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionScorer

SCORERS = (EmpathyScorer(), ResolutionScorer(), PushinessScorer(), LatencyScorer())
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def check(transcript: Transcript, score: Score) -> None:
    if score.value is None:
        assert score.reason, (transcript.id, score.name)
        return
    assert 0.0 <= score.value <= 1.0
    assert score.evidence, f"{score.name} of {transcript.id} has no evidence"
    for item in score.evidence:
        assert 0 <= item.turn < len(transcript.turns)
        assert 0 <= item.start <= item.end <= len(transcript.turns[item.turn].text)


def score_all(transcripts: Iterator[Transcript]) -> dict[str, int]:
    applied = dict.fromkeys((s.name for s in SCORERS), 0)
    analyzer = Analyzer()
    for transcript in transcripts:
        analysis = analyzer(transcript)
        for scorer in SCORERS:
            score = scorer(analysis)
            assert score == scorer(transcript)  # the shared analysis changes nothing
            check(transcript, score)
            applied[score.name] += score.value is not None
    return applied


class TestOnData:
    """The bundled sample and the shared, human-labelled data sets."""

    def test_bundled_sample(self) -> None:
        """All four scores apply to most sample transcripts, each explained."""
        applied = score_all(_sample())
        assert min(applied.values()) >= 50, applied

    @pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the checkout")
    def test_ibm_twitter_dialogs(self) -> None:
        """The 1,025 IBM customer-care dialogues score in range, with evidence."""
        applied = score_all(io.read(SHARED / "ibm-twitter-cdp" / "dialogs.jsonl"))
        assert applied["latency"] == 1025
        assert applied["empathy"] == 1025
