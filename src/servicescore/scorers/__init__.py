"""The built-in scorers: empathy, resolution, pushiness and response latency.

Each is a frozen, keyword-configured callable that takes a
:class:`~servicescore.Transcript` (or its shared :class:`~servicescore.Analysis`)
and returns a :class:`~servicescore.Score` with a value in ``[0, 1]``.
"""

from __future__ import annotations

from ._empathy import EmpathyScorer
from ._latency import DEFAULT_EXPECTATIONS, LatencyScorer
from ._pushiness import PushinessScorer
from ._resolution import ResolutionModel, ResolutionScorer

__all__ = [
    "DEFAULT_EXPECTATIONS",
    "EmpathyScorer",
    "LatencyScorer",
    "PushinessScorer",
    "ResolutionModel",
    "ResolutionScorer",
]
