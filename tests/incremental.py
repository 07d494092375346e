"""Feeding a transcript to an incremental scorer's accumulator, turn by turn, for the prefix tests."""

from __future__ import annotations

from collections.abc import Iterator

from servicescore import Analyzer, IncrementalScorer, ScoreAccumulator, Transcript


def fed(scorer: IncrementalScorer, transcript: Transcript) -> Iterator[ScoreAccumulator]:
    """A fresh accumulator of *scorer*, then the same one after each turn of *transcript* is added."""
    analysis = Analyzer()(transcript)
    requests = scorer.lexicon_requests()
    per_lexicon = analysis.hits_many([lexicon for lexicon, _ in requests], [roles for _, roles in requests])
    accumulator = scorer.start(transcript)
    yield accumulator
    for facts, hits in zip(analysis.turns, zip(*per_lexicon, strict=True), strict=True):
        accumulator.add(facts, hits)
        yield accumulator
