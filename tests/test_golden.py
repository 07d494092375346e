"""Scores on the bundled sample equal the recorded golden scores, value for value.

The golden file ``tests/fixtures/golden_sample_scores.json`` holds every
score's value, reason, details and evidence, and the brand impact, for every
sample transcript, as the default suite computed them when the file was
written by ``benchmarks/make_golden.py``. Speed work must leave them
unchanged; a deliberate change of results regenerates the file and says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from servicescore import Scorecard, Suite, default_suite
from servicescore.cli import _sample

GOLDEN = Path(__file__).parent / "fixtures" / "golden_sample_scores.json"


def card_record(card: Scorecard) -> dict[str, Any]:
    """Everything a scorecard holds, as JSON-ready data (floats round-trip exactly)."""
    scores = {}
    for name, score in card.items():
        scores[name] = {
            "value": score.value,
            "reason": score.reason,
            "details": dict(score.details),
            "evidence": [[e.turn, e.start, e.end, e.cue, e.category, e.weight] for e in score.evidence],
        }
    impact = card.impact
    return {
        "id": card.transcript.id,
        "scores": scores,
        "impact": None if impact is None else [impact.experience, impact.reach, impact.impact],
    }


def records(suite: Suite, transcripts: Iterable[Any]) -> list[dict[str, Any]]:
    """The :func:`card_record` of each transcript scored by *suite*."""
    return [card_record(suite(transcript)) for transcript in transcripts]


def canonical(record: dict[str, Any]) -> str:
    """One comparable text per record (``NaN`` compares equal to itself this way)."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


@pytest.fixture(scope="module")
def golden() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


class TestGolden:
    """The default suite reproduces the golden scores of the sample."""

    def test_same_transcripts(self, golden: list[dict[str, Any]]) -> None:
        """The golden file covers every sample transcript, in order."""
        assert [record["id"] for record in golden] == [t.id for t in _sample()]

    def test_scores_unchanged(self, golden: list[dict[str, Any]]) -> None:
        """Every value, reason, detail, evidence span and impact is as recorded."""
        current = records(default_suite(), _sample())
        for expected, actual in zip(golden, current, strict=True):
            assert canonical(actual) == canonical(expected), expected["id"]

    def test_scores_unchanged_on_second_pass(self, golden: list[dict[str, Any]]) -> None:
        """Warm caches (repeated texts, memoised matching) give the same scores."""
        suite = default_suite()
        records(suite, _sample())
        current = records(suite, _sample())
        assert [canonical(r) for r in current] == [canonical(r) for r in golden]
