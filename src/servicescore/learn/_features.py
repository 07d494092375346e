"""Featurizers over the existing turn analysis: hashed n-grams and named facts, with source spans.

A :class:`RowBuilder` collects the entries of one example; each featurizer
adds entries for one turn, every entry carrying the character span of the
words it came from, so a model's contributions (see
:meth:`LinearModel.contributions <servicescore.learn.LinearModel.contributions>`)
map back to text.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Iterable

import numpy as np

from .._analysis import Hit, TurnAnalysis
from ._sparse import FeatureRow, FloatArray, IntArray

__all__ = ["RowBuilder", "add_char_ngrams", "add_cues", "add_facts", "add_word_ngrams"]

_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves"})
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})


@functools.lru_cache(maxsize=4096)
def _named_column(name: str, dims: int) -> int:
    return zlib.crc32(name.encode("utf-8")) % dims


class RowBuilder:
    """Collects the entries of one :class:`FeatureRow` (not thread-safe: one builder per example).

    Args:
        dims: The number of hashed columns.
    """

    def __init__(self, dims: int) -> None:
        if dims < 1:
            raise ValueError(f"dims must be at least 1, not {dims}")
        self.dims = dims
        self._indices: list[int] = []
        self._values: list[float] = []
        self._turns: list[int] = []
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._chunks: list[tuple[IntArray, FloatArray, IntArray, IntArray, IntArray]] = []

    def column(self, name: str) -> int:
        """The hashed column of the feature *name* (as :func:`~servicescore.learn.hash_index`, memoised)."""
        return _named_column(name, self.dims)

    def add(self, name: str, value: float, turn: int = -1, start: int = 0, end: int = 0) -> None:
        """Add the feature *name* (hashed) with *value*, from the span ``start:end`` of *turn*."""
        self.add_index(_named_column(name, self.dims), value, turn, start, end)

    def add_index(self, index: int, value: float, turn: int = -1, start: int = 0, end: int = 0) -> None:
        """Add an entry for an already hashed column."""
        self._indices.append(index)
        self._values.append(value)
        self._turns.append(turn)
        self._starts.append(start)
        self._ends.append(end)

    def extend(
        self, indices: IntArray, values: FloatArray, turns: IntArray, starts: IntArray, ends: IntArray
    ) -> None:
        """Add many entries at once (equal-length arrays), after the entries added so far."""
        self._flush()
        self._chunks.append((indices, values, turns, starts, ends))

    def _flush(self) -> None:
        if self._indices:
            self._chunks.append(
                (
                    np.array(self._indices, dtype=np.int64),
                    np.array(self._values, dtype=np.float64),
                    np.array(self._turns, dtype=np.int64),
                    np.array(self._starts, dtype=np.int64),
                    np.array(self._ends, dtype=np.int64),
                )
            )
            self._indices, self._values, self._turns, self._starts, self._ends = [], [], [], [], []

    def add_group(self, indices: Iterable[int], turn: int, spans: Iterable[tuple[int, int]]) -> None:
        """Add a bag of hashed columns scaled to unit L2 norm (term frequencies, as TF-IDF does)."""
        idx = list(indices)
        if not idx:
            return
        counts: dict[int, int] = {}
        for i in idx:
            counts[i] = counts.get(i, 0) + 1
        value = 1.0 / math.sqrt(sum(c * c for c in counts.values()))
        for i, (start, end) in zip(idx, spans, strict=True):
            self.add_index(i, value, turn, start, end)

    def build(self) -> FeatureRow:
        """The row of every entry added so far, in the order they were added."""
        self._flush()
        chunks = self._chunks
        if not chunks:
            return FeatureRow.plain(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        if len(chunks) == 1:
            return FeatureRow(*chunks[0])
        return FeatureRow(*(np.concatenate(parts) for parts in zip(*chunks, strict=True)))


def add_word_ngrams(builder: RowBuilder, facts: TurnAnalysis, n: int = 2, prefix: str = "w:") -> None:
    """Hashed word 1..*n*-grams of the turn's normalised tokens (punctuation other than ``?!`` skipped)."""
    tokens = [t for t in facts.tokens if t.kind != "punct" or t.norm in {"?", "!"}]
    names, spans = [], []
    for size in range(1, n + 1):
        for i in range(len(tokens) - size + 1):
            gram = tokens[i : i + size]
            names.append(prefix + " ".join([t.norm for t in gram]))
            spans.append((gram[0].start, gram[-1].end))
    dims = builder.dims
    builder.add_group([zlib.crc32(s.encode("utf-8")) % dims for s in names], facts.index, spans)


@functools.lru_cache(maxsize=65536)
def _char_columns(word: str, low: int, high: int, dims: int, prefix: str) -> tuple[int, ...]:
    padded = f" {word} "
    grams = [padded[i : i + k] for k in range(low, high + 1) for i in range(len(padded) - k + 1)]
    return tuple(zlib.crc32((prefix + g).encode("utf-8")) % dims for g in grams)


def add_char_ngrams(
    builder: RowBuilder, facts: TurnAnalysis, low: int = 2, high: int = 5, prefix: str = "c:"
) -> None:
    """Hashed character *low*..*high*-grams inside each word (padded by spaces, like ``char_wb``)."""
    columns: list[int] = []
    spans: list[tuple[int, int]] = []
    for token in facts.tokens:
        if token.kind == "punct":
            continue
        cols = _char_columns(token.norm, low, high, builder.dims, prefix)
        columns.extend(cols)
        spans.extend([(token.start, token.end)] * len(cols))
    builder.add_group(columns, facts.index, spans)


def add_cues(builder: RowBuilder, hits: Iterable[Hit], prefix: str = "cue:") -> None:
    """One entry per lexicon cue hit: ``cue:<category>`` (``...:negated`` when negated), value its weight."""
    for hit in hits:
        name = f"{prefix}{hit.cue.category}{':negated' if hit.negated else ''}"
        builder.add(name, hit.cue.weight, hit.turn, hit.start, hit.end)


def add_facts(builder: RowBuilder, facts: TurnAnalysis, prefix: str = "fact:") -> None:
    """Named facts of the turn: questions, second and first person, negation, sentiment, length."""
    turn, text = facts.index, facts.text
    for index, sentence in enumerate(facts.sentences):
        if sentence.question:
            builder.add(prefix + "question", 1.0, turn, sentence.start, sentence.end)
        value = facts.sentence_sentiments[index]
        if value:
            side = "positive" if value > 0 else "negative"
            builder.add(prefix + "sentiment:" + side, abs(value), turn, sentence.start, sentence.end)
    for token, negated in zip(facts.tokens, facts.negated, strict=True):
        if token.norm in _SECOND_PERSON:
            builder.add(prefix + "second_person", 1.0, turn, token.start, token.end)
        elif token.norm in _FIRST_PERSON:
            builder.add(prefix + "first_person", 1.0, turn, token.start, token.end)
        if negated:
            builder.add(prefix + "negated", 1.0, turn, token.start, token.end)
    builder.add(prefix + "log_length", math.log1p(len(facts.tokens)), turn, 0, len(text))
