"""What a scorer returns: a :class:`Score` explained by :class:`Evidence` spans."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs
import numpy as np

if TYPE_CHECKING:
    from ._analysis import Analysis
    from ._model import Transcript

__all__ = ["Evidence", "Score", "Scorer"]


def json_number(value: object) -> object:
    """*value* as JSON allows it: ``nan`` and infinities become ``None``, numpy scalars Python ones."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@attrs.frozen
class Evidence:
    """A span of one turn that moved a score, for a UI to highlight.

    Attributes:
        turn: Index of the turn in the transcript's ``turns``.
        start: Offset of the first character of the span in the turn's text.
        end: Offset one past the last character (``text[start:end]`` is the span).
            A span with ``start == end == 0`` marks a whole-turn fact such as a
            wait or a repeated line.
        cue: What was found, usually the matched words (``"so sorry"``) or a
            short description (``"wait 2h 10m"``).
        category: The cue family, such as ``"apology"`` or ``"offer"``.
        weight: Signed contribution: positive evidence raises the score's
            value, negative evidence lowers it.
    """

    turn: int
    start: int
    end: int
    cue: str
    category: str
    weight: float

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"evidence span must satisfy 0 <= start <= end (got {self.start}, {self.end})")

    def to_dict(self) -> dict[str, object]:
        """The evidence as a JSON-safe dictionary (a non-finite weight becomes ``None``).

        >>> Evidence(1, 0, 8, "so sorry", "apology", 0.4).to_dict()
        {'turn': 1, 'start': 0, 'end': 8, 'cue': 'so sorry', 'category': 'apology', 'weight': 0.4}
        """
        return {
            "turn": self.turn,
            "start": self.start,
            "end": self.end,
            "cue": self.cue,
            "category": self.category,
            "weight": json_number(self.weight),
        }


def _to_evidence(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(evidence)


def _freeze_details(value: Mapping[str, float | str]) -> Mapping[str, float | str]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Score:
    """One scorer's verdict on one transcript.

    Attributes:
        name: The scorer's name (``"empathy"``, ``"latency"``, ...).
        value: In ``[0, 1]``; it measures the named property, so high
            empathy or resolution is good and high pushiness or latency is
            bad. ``None`` when the score does not apply (see :attr:`reason`).
        evidence: The spans that explain the value, in turn order.
        details: Named sub-measures (counts, seconds, levels, a label); each
            scorer documents its keys.
        reason: Why :attr:`value` is ``None``, or ``None`` when it is not.
    """

    name: str
    value: float | None
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_to_evidence)
    details: Mapping[str, float | str] = attrs.field(factory=dict, converter=_freeze_details)
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.value is None:
            if not self.reason:
                raise ValueError(f"score {self.name!r} without a value must give a reason")
        elif not (0.0 <= self.value <= 1.0) or math.isnan(self.value):
            raise ValueError(f"score {self.name!r} must lie in [0, 1] (got {self.value!r})")

    def to_dict(self) -> dict[str, object]:
        """The score as a JSON-safe dictionary, for an API response or a log line.

        Keys: ``name``, ``value`` (``None`` where the score does not apply),
        ``reason``, ``details`` (non-finite numbers become ``None``) and
        ``evidence`` (a list of :meth:`Evidence.to_dict`). ``json.dumps``
        accepts the result, even with ``allow_nan=False``.

        >>> import json
        >>> score = Score("latency", None, details={"first_response": float("nan")}, reason="no times")
        >>> score.to_dict()["value"], score.to_dict()["details"]
        (None, {'first_response': None})
        >>> json.dumps(score.to_dict(), allow_nan=False)[:40]
        '{"name": "latency", "value": null, "reas'
        """
        return {
            "name": self.name,
            "value": json_number(self.value),
            "reason": self.reason,
            "details": {str(key): json_number(value) for key, value in self.details.items()},
            "evidence": [item.to_dict() for item in self.evidence],
        }

    def __getstate__(self) -> dict[str, object]:
        state = {field.name: getattr(self, field.name) for field in attrs.fields(Score)}
        state["details"] = dict(self.details)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            if key == "details":
                value = MappingProxyType(dict(value))  # type: ignore[call-overload]
            object.__setattr__(self, key, value)


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores a transcript: a ``name`` and a call returning a :class:`Score`.

    The built-in scorers are frozen attrs classes; a user's scorer may be any
    object (or function wrapped in a small class) with the same shape. It
    receives either a :class:`~servicescore.Transcript` or the shared
    :class:`~servicescore.Analysis` of one, and must accept both.

    A scorer that reads lexicon hits may also define
    ``lexicon_requests()``, returning the ``(lexicon, roles)`` pairs it asks
    :meth:`Analysis.hits_many <servicescore.Analysis.hits_many>` for (``roles``
    ``None`` for :meth:`~servicescore.Analysis.hits`); a
    :class:`~servicescore.Suite` then matches every scorer's lexicons in one
    walk over each turn's tokens. It is an optimisation only: results are
    the same without it.
    """

    @property
    def name(self) -> str:
        """The name the score is reported under."""
        ...

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        ...
