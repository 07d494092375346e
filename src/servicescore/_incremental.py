"""Scorers that read a conversation turn by turn, so live scores cost O(1) per turn.

An :class:`IncrementalScorer` scores through an accumulator: it is fed the
facts of each turn in order and can give the score of the turns so far at any
moment. The built-in scorers score a whole transcript the same way (see
:func:`accumulate`), so a live session and a batch run share one code path
and agree exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ._analysis import Analysis, Hit, TurnAnalysis
from ._lexicon import Lexicon
from ._model import Role, Transcript
from ._score import Score, Scorer

__all__ = ["IncrementalScorer", "ScoreAccumulator", "accumulate"]

#: The ``(lexicon, roles)`` pairs a scorer reads (``roles`` ``None``: every turn).
LexiconRequests = Sequence[tuple[Lexicon, frozenset[Role] | None]]


class ScoreAccumulator(Protocol):
    """The running state of one :class:`IncrementalScorer` over one conversation."""

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        """Read the next turn.

        Args:
            facts: The turn's analysis; ``facts.index`` is its index in the
                conversation, and turns arrive in order.
            hits: The turn's cues of each lexicon the scorer requests, in the
                order of its ``lexicon_requests()`` (an empty tuple for a
                lexicon restricted to other roles).
        """
        ...

    def score(self) -> Score:
        """The score of the turns read so far (the accumulator stays usable)."""
        ...


@runtime_checkable
class IncrementalScorer(Scorer, Protocol):
    """A :class:`~servicescore.Scorer` that can also score a conversation as it grows.

    :class:`~servicescore.LiveSession` feeds such scorers one turn at a time,
    so reading the scores after each turn does not re-read the conversation;
    scorers without these methods are re-run over the cached turn facts.
    """

    def lexicon_requests(self) -> LexiconRequests:
        """The lexicons whose cues :meth:`ScoreAccumulator.add` receives, with the roles each is read on."""
        ...

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator for *transcript* (its id, channel and metadata; not its turns)."""
        ...


def accumulate(scorer: IncrementalScorer, analysis: Analysis) -> Score:
    """Score a whole transcript by feeding every turn of *analysis* to a fresh accumulator."""
    accumulator = scorer.start(analysis.transcript)
    requests = scorer.lexicon_requests()
    turns = analysis.turns
    if not requests:
        for facts in turns:
            accumulator.add(facts, ())
        return accumulator.score()
    per_lexicon = analysis.hits_many([lexicon for lexicon, _ in requests], [roles for _, roles in requests])
    for facts, hits in zip(turns, zip(*per_lexicon, strict=True), strict=True):
        accumulator.add(facts, hits)
    return accumulator.score()
