"""Conversation-level featurizers: hashed word n-grams of groups of turns, with source spans.

A whole-conversation judgement (was the problem solved, was the customer
satisfied) depends on who said what and where: the customer's last message
says more than their first. :func:`add_dialog_ngrams` adds the word 1..n-grams
of several *groups* of turns, each under its own prefix and weight (see
:data:`DIALOG_GROUPS`), and scales the whole bag to unit L2 norm, as TF-IDF
scales a document, so long and short conversations weigh alike.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .._analysis import TurnAnalysis
from .._model import Role
from ._features import RowBuilder

__all__ = ["DIALOG_GROUPS", "add_dialog_ngrams"]

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


@functools.lru_cache(maxsize=65536)
def _column(name: str, dims: int) -> int:
    return zlib.crc32(name.encode("utf-8")) % dims


def _grams(facts: TurnAnalysis, n: int) -> list[tuple[str, int, int]]:
    """The word and number 1..*n*-grams of a turn, each with its character span."""
    words = [t for t in facts.tokens if t.kind in ("word", "number")]
    out = [(t.norm, t.start, t.end) for t in words]
    for size in range(2, n + 1):
        for i in range(len(words) - size + 1):
            gram = words[i : i + size]
            out.append((" ".join(t.norm for t in gram), gram[0].start, gram[-1].end))
    return out


def add_dialog_ngrams(
    builder: RowBuilder,
    turns: Sequence[TurnAnalysis],
    *,
    n: int = 2,
    groups: Mapping[str, float] = DIALOG_GROUPS,
    prefix: str = "",
) -> None:
    """Add the hashed word 1..*n*-grams of each group of *turns*, scaled together to unit L2 norm.

    Args:
        builder: Receives the entries (each with its turn and character span).
        turns: The conversation's turn analyses, in order.
        n: Longest n-gram.
        groups: Weight of each group by prefix (a subset of :data:`DIALOG_GROUPS`'
            keys; a missing group is left out).
        prefix: Put before every group prefix (to keep two featurizers apart).

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
    members: dict[str, Sequence[TurnAnalysis]] = {
        "c:": customer,
        "a:": agent,
        "lc:": customer[-1:],
        "fc:": customer[:1],
        "la:": agent[-1:],
        "rc:": customer[1:],
    }
    grams = {t.index: _grams(t, n) for t in (*customer, *agent)}
    dims = builder.dims
    entries: list[tuple[int, float, int, int, int]] = []
    totals: dict[int, float] = {}
    for group, weight in groups.items():
        if not weight:
            continue
        for facts in members[group]:
            for gram, start, end in grams[facts.index]:
                column = _column(prefix + group + gram, dims)
                entries.append((column, weight, facts.index, start, end))
                totals[column] = totals.get(column, 0.0) + weight
    if not entries:
        return
    scale = 1.0 / math.sqrt(sum(v * v for v in totals.values()))
    for column, weight, turn, start, end in entries:
        builder.add_index(column, weight * scale, turn, start, end)
