"""servicescore: explainable scores for customer-service interactions."""

from __future__ import annotations

from importlib.metadata import version as _version

from ._analysis import Analysis, Analyzer, Hit, TurnAnalysis, analyze
from ._business_hours import BusinessHours
from ._lexicon import Cue, CueMatch, Lexicon
from ._model import Channel, Role, Transcript, Turn
from ._score import Evidence, Score, Scorer
from ._sentiment import SERVICE_RULES, ServiceSentiment, vader_compound
from ._text import Sentence, Token
from .exceptions import (
    FormatError,
    MissingResourceError,
    ServiceScoreError,
    SuiteError,
    TranscriptError,
)

__version__ = _version("servicescore")

__all__ = [
    "SERVICE_RULES",
    "Analysis",
    "Analyzer",
    "BusinessHours",
    "Channel",
    "Cue",
    "CueMatch",
    "Evidence",
    "FormatError",
    "Hit",
    "Lexicon",
    "MissingResourceError",
    "Role",
    "Score",
    "Scorer",
    "Sentence",
    "ServiceScoreError",
    "ServiceSentiment",
    "SuiteError",
    "Token",
    "Transcript",
    "TranscriptError",
    "Turn",
    "TurnAnalysis",
    "__version__",
    "analyze",
    "vader_compound",
]
