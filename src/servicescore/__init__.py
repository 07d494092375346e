"""servicescore: explainable scores for customer-service interactions."""

from __future__ import annotations

from importlib.metadata import version as _version

from ._aggregate import AtRisk, ColumnStats, Grouping, GroupKey, GroupSummary, Period, Summary
from ._analysis import Analysis, Analyzer, Hit, TurnAnalysis, analyze
from ._batch import score_many, score_stream
from ._business_hours import BusinessHours
from ._calibrate import Calibration, calibrate
from ._fit_scorer import ScorerFit, fit_scorer
from ._impact import DEFAULT_NEUTRAL, DEFAULT_WEIGHTS, BrandImpact, Impact
from ._incremental import IncrementalScorer, ScoreAccumulator, accumulate
from ._lexicon import Cue, CueMatch, Lexicon
from ._live import ALERT_KINDS, Alert, AlertKind, LiveSession, LiveUpdate
from ._model import Channel, Role, Transcript, Turn
from ._score import Evidence, Score, Scorer
from ._sentiment import SERVICE_RULES, ServiceSentiment, vader_compound
from ._suite import FunctionScorer, Scorecard, Suite, default_suite, make_suite, scorer
from ._table import Rejected, ScoreTable
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
    "ALERT_KINDS",
    "DEFAULT_NEUTRAL",
    "DEFAULT_WEIGHTS",
    "SERVICE_RULES",
    "Alert",
    "AlertKind",
    "Analysis",
    "Analyzer",
    "AtRisk",
    "BrandImpact",
    "BusinessHours",
    "Calibration",
    "Channel",
    "ColumnStats",
    "Cue",
    "CueMatch",
    "Evidence",
    "FormatError",
    "FunctionScorer",
    "GroupKey",
    "GroupSummary",
    "Grouping",
    "Hit",
    "Impact",
    "IncrementalScorer",
    "Lexicon",
    "LiveSession",
    "LiveUpdate",
    "MissingResourceError",
    "Period",
    "Rejected",
    "Role",
    "Score",
    "ScoreAccumulator",
    "ScoreTable",
    "Scorecard",
    "Scorer",
    "ScorerFit",
    "Sentence",
    "ServiceScoreError",
    "ServiceSentiment",
    "Suite",
    "SuiteError",
    "Summary",
    "Token",
    "Transcript",
    "TranscriptError",
    "Turn",
    "TurnAnalysis",
    "__version__",
    "accumulate",
    "analyze",
    "calibrate",
    "default_suite",
    "fit_scorer",
    "make_suite",
    "score_many",
    "score_stream",
    "scorer",
    "vader_compound",
]
