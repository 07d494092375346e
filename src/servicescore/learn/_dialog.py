"""Conversation-level featurizers: hashed word n-grams of groups of turns, with source spans.

A whole-conversation judgement (was the problem solved, was the customer
satisfied) depends on who said what and where: the customer's last message
says more than their first. :func:`add_dialog_ngrams` adds the word 1..n-grams
of several *groups* of turns, each under its own prefix and weight (see
:data:`DIALOG_GROUPS`), and scales the whole bag to unit L2 norm, as TF-IDF
scales a document, so long and short conversations weigh alike.

Hashing is vectorised: each word is hashed once (CRC-32 of its normalised
form, memoised per word), an n-gram's hash combines its words' hashes, and a
group's column is the MurmurHash3 finaliser of the n-gram hash mixed with the
group's own salt (CRC-32 of its prefix), modulo the number of columns. All of
it is numpy arithmetic on 32-bit values: the same columns on every platform
and in every process (:func:`gram_columns` gives them for named n-grams).
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from .._analysis import TurnAnalysis
from .._model import Role
from ._features import RowBuilder

__all__ = ["DIALOG_GROUPS", "TurnGrams", "add_dialog_ngrams", "gram_columns"]

#: Each group of turns, by prefix, and the weight of its n-grams (before the
#: bag is scaled to unit norm): every customer turn (``c:``), every agent or bot
#: turn (``a:``), the last customer turn (``lc:``), the first customer turn
#: (``fc:``, half weight: the opening states the problem, not its outcome), the
#: last agent turn (``la:``) and the customer turns after the first (``rc:``,
#: the replies that say how things went). SYSTEM lines are in no group.
DIALOG_GROUPS: Mapping[str, float] = MappingProxyType(
    {"c:": 1.0, "a:": 1.0, "lc:": 1.0, "fc:": 0.5, "la:": 1.0, "rc:": 1.0}
)

_AGENT_SIDE = frozenset({Role.AGENT, Role.BOT})
_MASK = np.uint64(0xFFFFFFFF)


@functools.lru_cache(maxsize=65536)
def _word_hash(norm: str) -> int:
    return zlib.crc32(norm.encode("utf-8"))


@functools.lru_cache(maxsize=256)
def _salt(head: str) -> int:
    return zlib.crc32(head.encode("utf-8"))


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 32-bit finaliser, elementwise: spreads every input bit over the output."""
    x = values ^ (values >> np.uint64(16))
    x = (x * np.uint64(0x85EBCA6B)) & _MASK
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & _MASK
    x ^= x >> np.uint64(16)
    return x


def _gram_hashes(words: Sequence[int], n: int) -> npt.NDArray[np.uint64]:
    """32-bit hashes of the 1..*n*-grams of a sequence of word hashes (unigrams first)."""
    unigrams = np.array(words, dtype=np.uint64)
    parts = [unigrams]
    previous = unigrams
    for size in range(2, n + 1):
        previous = _mix(((previous[:-1] * np.uint64(0x01000193)) & _MASK) ^ unigrams[size - 1 :])
        parts.append(previous)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def gram_columns(group: str, grams: Sequence[str], dims: int) -> npt.NDArray[np.int64]:
    """The columns :func:`add_dialog_ngrams` gives word n-grams of a group (for tests and inspection).

    Args:
        group: The group prefix (with any featurizer prefix before it), e.g. ``"lc:"``.
        grams: Word n-grams, words (normalised tokens) joined by one space.
        dims: Hashed columns.

    >>> import numpy as np
    >>> a, b = gram_columns("c:", ["thanks", "thanks a lot"], 2**15)
    >>> bool(a != b), bool(gram_columns("lc:", ["thanks"], 2**15)[0] != a)
    (True, True)
    """
    hashes = [_gram_hashes([_word_hash(w) for w in g.split(" ")], len(g.split(" ")))[-1] for g in grams]
    return _group_columns(np.array(hashes, dtype=np.uint64), group, dims)


def _group_columns(hashes: npt.NDArray[np.uint64], head: str, dims: int) -> npt.NDArray[np.int64]:
    return (_mix(hashes ^ np.uint64(_salt(head))) % np.uint64(dims)).astype(np.int64)


class TurnGrams:
    """The word and number 1..*n*-grams of one turn: their hashes and character spans.

    Computed once per turn (a live session keeps them as turns arrive), then
    read by :func:`add_dialog_ngrams` for every group the turn belongs to.

    Args:
        facts: The turn's analysis.
        n: Longest n-gram.
    """

    __slots__ = ("ends", "hashes", "index", "n", "starts")

    def __init__(self, facts: TurnAnalysis, n: int = 2) -> None:
        words = [t for t in facts.tokens if t.kind in ("word", "number")]
        starts = [t.start for t in words]
        ends = [t.end for t in words]
        count = len(words)
        for size in range(2, n + 1):
            starts.extend(starts[: max(0, count - size + 1)])
            ends.extend(ends[size - 1 : count])
        self.index = facts.index
        self.n = n
        self.hashes = _gram_hashes([_word_hash(t.norm) for t in words], n)
        self.starts = np.array(starts, dtype=np.int64)
        self.ends = np.array(ends, dtype=np.int64)


def add_dialog_ngrams(
    builder: RowBuilder,
    turns: Sequence[TurnAnalysis],
    *,
    n: int = 2,
    groups: Mapping[str, float] = DIALOG_GROUPS,
    prefix: str = "",
    grams: Mapping[int, TurnGrams] | None = None,
) -> None:
    """Add the hashed word 1..*n*-grams of each group of *turns*, scaled together to unit L2 norm.

    Args:
        builder: Receives the entries (each with its turn and character span).
        turns: The conversation's turn analyses, in order.
        n: Longest n-gram.
        groups: Weight of each group by prefix (a subset of :data:`DIALOG_GROUPS`'
            keys; a missing group is left out).
        prefix: Put before every group prefix (to keep two featurizers apart).
        grams: Already computed :class:`TurnGrams` by turn index (a turn not in
            it is computed here); they must have been computed with *n*.

    >>> from servicescore import Transcript, Turn, Role
    >>> from servicescore._analysis import analyze
    >>> t = Transcript("t", [Turn(Role.CUSTOMER, "It broke."), Turn(Role.AGENT, "Sorry!")])
    >>> b = RowBuilder(2**10)
    >>> add_dialog_ngrams(b, analyze(t).turns, groups={"c:": 1.0, "a:": 1.0})
    >>> row = b.build()
    >>> len(row), round(float((row.values ** 2).sum()), 6)
    (4, 1.0)
    """
    unknown = set(groups) - set(DIALOG_GROUPS)
    if unknown:
        known = list(DIALOG_GROUPS)
        raise ValueError(f"add_dialog_ngrams: unknown groups {sorted(unknown)} (known: {known})")
    customer = [t for t in turns if t.role is Role.CUSTOMER]
    agent = [t for t in turns if t.role in _AGENT_SIDE]
    speakers = [*customer, *agent]
    cached = {} if grams is None else grams
    blocks_of = [cached.get(t.index) or TurnGrams(t, n) for t in speakers]
    if any(g.n != n for g in blocks_of):
        raise ValueError(f"add_dialog_ngrams: grams computed for another n than {n}")
    offsets = [0]
    for g in blocks_of:
        offsets.append(offsets[-1] + len(g.hashes))
    if not offsets[-1]:
        return
    hashes = np.concatenate([g.hashes for g in blocks_of])
    starts = np.concatenate([g.starts for g in blocks_of])
    ends = np.concatenate([g.ends for g in blocks_of])
    owner = np.repeat(np.array([g.index for g in blocks_of], dtype=np.int64), np.diff(offsets))
    # Turn blocks in the order customer turns, agent turns: each group is one run of blocks.
    nc = len(customer)
    blocks = {"c:": (0, nc), "a:": (nc, len(speakers)), "lc:": (max(0, nc - 1), nc), "fc:": (0, min(1, nc))}
    blocks.update({"la:": (len(speakers) - 1 if agent else nc, len(speakers)), "rc:": (min(1, nc), nc)})
    runs = []
    for group, weight in groups.items():
        low, high = offsets[blocks[group][0]], offsets[blocks[group][1]]
        if weight and high > low:
            runs.append((low, high, _salt(prefix + group), weight))
    if not runs:
        return
    lengths = [high - low for low, high, _, _ in runs]
    index = np.concatenate([np.arange(low, high) for low, high, _, _ in runs])
    salts = np.repeat(np.array([salt for _, _, salt, _ in runs], dtype=np.uint64), lengths)
    values = np.repeat(np.array([weight for _, _, _, weight in runs]), lengths)
    columns = (_mix(hashes[index] ^ salts) % np.uint64(builder.dims)).astype(np.int64)
    # The bag's L2 norm: the weights summed per column, then squared and summed.
    _, inverse = np.unique(columns, return_inverse=True)
    totals = np.bincount(inverse.reshape(-1), weights=values)
    scale = 1.0 / math.sqrt(math.fsum((totals * totals).tolist()))
    builder.extend(columns, values * scale, owner[index], starts[index], ends[index])
