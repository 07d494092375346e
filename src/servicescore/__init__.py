"""servicescore: explainable scores for customer-service interactions."""

from __future__ import annotations

from importlib.metadata import version as _version

from ._model import Channel, Role, Transcript, Turn
from .exceptions import (
    FormatError,
    MissingResourceError,
    ServiceScoreError,
    SuiteError,
    TranscriptError,
)

__version__ = _version("servicescore")

__all__ = [
    "Channel",
    "FormatError",
    "MissingResourceError",
    "Role",
    "ServiceScoreError",
    "SuiteError",
    "Transcript",
    "TranscriptError",
    "Turn",
    "__version__",
]
