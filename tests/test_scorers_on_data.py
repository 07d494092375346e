"""Every built-in scorer on real transcripts: in range and explained by evidence."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pytest

from servicescore import Analyzer, Role, Score, Transcript, Turn, io
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

    @pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the checkout")
    def test_epitome_pairs(self) -> None:
        """Every EPITOME test pair (seeker post, response) scores in range, with evidence."""

        def pairs() -> Iterator[Transcript]:
            with (SHARED / "epitome" / "test.csv").open(encoding="utf-8", newline="") as rows:
                for row in csv.DictReader(rows):
                    turns = [Turn(Role.CUSTOMER, row["seeker_post"]), Turn(Role.AGENT, row["response_post"])]
                    yield Transcript(row["rp_id"], turns)

        assert score_all(pairs())["empathy"] == 1212

    @pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the checkout")
    def test_esconv_dialogues(self) -> None:
        """The 196 ESConv dialogues (seeker = customer, supporter = agent) score in range, with evidence."""
        path = SHARED / "raw" / "esconv-failed" / "FailedESConv.json"
        items = json.loads(path.read_text(encoding="utf-8"))

        def dialogues() -> Iterator[Transcript]:
            for number, item in enumerate(items):
                turns = [
                    Turn(Role.CUSTOMER if t["speaker"] == "speaker" else Role.AGENT, t["content"].strip())
                    for t in item["dialog"]
                ]
                yield Transcript(str(number), turns)

        assert score_all(dialogues())["resolution"] == 196

    @pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside the checkout")
    def test_persuasionforgood_dialogues(self) -> None:
        """The 300 annotated PersuasionForGood dialogues (persuader = agent) score in range, with evidence."""
        path = SHARED / "persuasionforgood" / "annotated_sentences.csv"
        with path.open(encoding="utf-8", newline="") as rows:
            records = list(csv.DictReader(rows))

        def dialogues() -> Iterator[Transcript]:
            for dialog, sentences in groupby(records, key=lambda r: r["B2"]):
                turns = [Turn(Role.AGENT if r["B4"] == "0" else Role.CUSTOMER, r["Unit"]) for r in sentences]
                yield Transcript(dialog, turns)

        assert score_all(dialogues())["pushiness"] == 300
