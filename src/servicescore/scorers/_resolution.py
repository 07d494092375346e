"""Resolution: was the customer's problem solved? A linear model over the conversation's words and cue facts.

The model reads two parts of a conversation (see :func:`resolution_row`):

* the hashed word 1-2-grams of groups of turns (every customer turn, every
  agent turn, the last customer turn, the first at half weight, the last agent
  turn, the customer's replies), scaled together to unit norm
  (:func:`~servicescore.learn.add_dialog_ngrams`);
* the facts of the cue rules (:class:`~servicescore.scorers._resolution_rules.ResolutionRules`:
  confirmations, persistence, deflection, escalation, sarcasm, completed
  actions, the sentiment trajectory, an unanswered last message, and the rules'
  own value), plus whether the customer spoke last, whether that was a
  question, the last customer and agent sentiment and the number of turns;
  weighted by :data:`FACT_WEIGHT`.

A ridge regression maps them to the raters' mean "task accomplished" score
of NTCIR-14 STC-3 (-2 .. 2), and a one-feature logistic calibration maps that
decision to the share of raters who would say the problem was solved. Both
ship in ``servicescore/data/models/resolution.ssm``; ``training/resolution.py``
rebuilds them byte for byte.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._incremental import ScoreAccumulator, accumulate
from .._lexicon import Lexicon
from .._model import Role, Transcript
from .._score import Evidence, Score
from ..learn import (
    FeatureRow,
    LinearModel,
    ModelFormatError,
    RowBuilder,
    TurnGrams,
    add_dialog_ngrams,
    package_models,
)
from ..learn import load_models as _load_models
from ..learn import save_models as _save_models
from ._resolution_rules import ResolutionRules, _default_lexicon

__all__ = ["FACT_WEIGHT", "ResolutionModel", "ResolutionScorer", "resolution_row"]

#: Hashed columns of the n-gram part.
DIMS = 2**15
#: Weight of the fact part against the unit-norm n-gram part.
FACT_WEIGHT = 0.5
#: The shipped model file (in ``servicescore/data/models/``).
MODEL_FILE = "resolution.ssm"
#: How many evidence spans a score keeps (the largest contributions).
EVIDENCE_LIMIT = 10
_AGENT_SIDE = frozenset({Role.AGENT, Role.BOT})
_RAW_FACTS = frozenset({"sentiment_start", "sentiment_end", "sentiment_change", "final_balance"})


def resolution_row(
    turns: Sequence[TurnAnalysis],
    rules: Score,
    dims: int = DIMS,
    grams: Mapping[int, TurnGrams] | None = None,
) -> FeatureRow:
    """The features of one conversation: its word n-grams and the facts of the cue rules.

    Args:
        turns: The conversation's turn analyses, in order.
        rules: The :class:`ResolutionRules` score of the same turns (with a value).
        dims: Hashed columns.
        grams: The turns' :class:`~servicescore.learn.TurnGrams` by turn index,
            where already computed (a live session computes each once).

    Returns:
        The row; n-gram entries carry their character spans, the customer-turn
        facts the whole last customer turn, the rule facts no span (turn ``-1``).
    """
    builder = RowBuilder(dims)
    add_dialog_ngrams(builder, turns, grams=grams)
    g = FACT_WEIGHT
    names: list[str] = []
    values: list[float] = []
    for key, raw in rules.details.items():
        if key == "label" or isinstance(raw, str):
            continue
        value = float(raw)
        if math.isnan(value):
            names.append("nan:" + key)
            values.append(g)
            continue
        if key == "evidence_sum":
            value = max(-5.0, min(5.0, value)) / 3.0
        elif key not in _RAW_FACTS:
            value = math.log1p(max(0.0, value))
        names.append("d:" + key)
        values.append(g * value)
    names += ["value", "nturns"]
    values += [g * (0.5 if rules.value is None else rules.value), g * len(turns) / 5.0]
    columns = [builder.column(name) for name in names]
    none = np.zeros(len(columns), dtype=np.int64)
    builder.extend(np.array(columns, dtype=np.int64), np.array(values), none - 1, none, none)
    if turns and turns[-1].role is Role.CUSTOMER:
        last = turns[-1]
        builder.add("last_customer", g, last.index)
        if any(s.question for s in last.sentences):
            builder.add("last_q", g, last.index)
    customer = next((t for t in reversed(turns) if t.role is Role.CUSTOMER), None)
    agent = next((t for t in reversed(turns) if t.role in _AGENT_SIDE), None)
    if customer is not None:
        builder.add("lc_sent", g * customer.sentiment, customer.index)
    if agent is not None:
        builder.add("la_sent", g * agent.sentiment, agent.index)
    return builder.build()


@attrs.frozen
class ResolutionModel:
    """The learned resolution model: a ridge decision and its calibration to a probability.

    Attributes:
        decision: Ridge regression over the ``resolution_row`` features; the
            shipped one predicts the STC-3 mean "task accomplished" rating
            (-2 .. 2, higher = more solved).
        calibration: One-column logistic model: ``calibration.predict`` of the
            decision is the value, the expected share of raters who would say
            the problem was solved, in ``[0, 1]``.
    """

    decision: LinearModel = attrs.field(validator=attrs.validators.instance_of(LinearModel))
    calibration: LinearModel = attrs.field(validator=attrs.validators.instance_of(LinearModel))

    def __attrs_post_init__(self) -> None:
        if self.decision.kind != "ridge" or self.calibration.kind != "logistic" or self.calibration.dims != 1:
            raise ModelFormatError(
                "ResolutionModel: needs a ridge decision and a one-column logistic calibration"
            )

    def value(self, decision: float) -> float:
        """The calibrated value in ``[0, 1]`` (higher = more clearly solved) of a decision."""
        weight = float(self.calibration.weights[0])
        return float(self.calibration.read(weight * decision + self.calibration.bias))

    def save(self, path: str | Path) -> None:
        """Write the model to *path* (identical models give identical bytes)."""
        _save_models(path, {"resolution": self.decision, "resolution_calibration": self.calibration})

    @classmethod
    def from_models(cls, models: Mapping[str, LinearModel], source: str = "<models>") -> ResolutionModel:
        """The model from a file's models by name (``resolution``, ``resolution_calibration``)."""
        try:
            return cls(models["resolution"], models["resolution_calibration"])
        except KeyError as missing:
            raise ModelFormatError(f"{source}: no {missing} model (has {sorted(models)})") from None

    @classmethod
    def load(cls, path: str | Path) -> ResolutionModel:
        """Read a model written by :meth:`save`.

        Raises:
            ModelFormatError: If the file is not a resolution model file.
        """
        return cls.from_models(_load_models(path), str(path))

    @classmethod
    def shipped(cls) -> ResolutionModel:
        """The model shipped with servicescore (read once per process)."""
        return _shipped()


def _shipped() -> ResolutionModel:
    return ResolutionModel.from_models(package_models(MODEL_FILE), MODEL_FILE)


def _check_thresholds(instance: ResolutionScorer, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in [0, 1] (got {value!r})")


def _check_model(instance: ResolutionScorer, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, ResolutionModel):
        raise TypeError(f"model must be a ResolutionModel or None (got {type(value).__name__})")


@attrs.frozen(kw_only=True)
class ResolutionScorer:
    """Scores whether the customer's problem was solved; value in ``[0, 1]``, higher = more clearly solved.

    The value is the share of customer-service raters expected to say the
    problem was solved (in the shipped model, raters of NTCIR-14 STC-3, who
    rated each dialogue for "task accomplished" on -2 .. 2; "solved" is a
    rating of 1 or 2), from a linear model over the conversation's words and
    the facts of the cue rules (see the module docstring and
    docs/explanation/models.md). So ``0.7`` means about 70% of raters would
    call it solved. ``details["label"]`` is ``"resolved"`` at or above
    *resolved_threshold* (default: most raters, 0.6, would say solved),
    ``"unresolved"`` at or below *unresolved_threshold* (default 0.4), else
    ``"unclear"``. The value is ``None`` without a customer turn or without a
    human agent turn. Scores are computed turn by turn through :meth:`start`,
    so a live session's score after each turn is the batch score of the turns
    so far.

    Evidence: the spans of words whose n-grams moved the decision most (at
    most ``EVIDENCE_LIMIT`` = 10, weight = their summed contribution to the
    decision; spans of function words alone, such as "for the", are not
    shown), the customer-turn facts (last message a question, last
    sentiment) on their turn, and the rule facts together on the strongest
    rule cue. Outcomes a vendor detected (``meta["outcomes"]``, as the
    Contact Lens and Transcribe readers keep them) are added as
    ``"vendor_outcome"`` spans of weight 0: shown, for a UI to highlight, but
    not counted in the value (the model was not trained with them).

    ``details``: ``label``; ``decision`` (the model's decision, on the STC-3
    -2 .. 2 scale for the shipped model); ``rule_value`` (the cue rules'
    value); and the rule facts the model read: counts ``confirmations``,
    ``closures``, ``completed_actions``, ``cancelled_actions``,
    ``persistence``, ``complaints``, ``deflections``, ``refusals``,
    ``pending``, ``escalations``, ``cancellations``, ``sarcasm``,
    ``repeat_contact``, ``abandonment``, ``system_claims``,
    ``customer_turns``, ``agent_turns``, ``customer_replies``;
    ``sentiment_start``, ``sentiment_end``, ``sentiment_change``,
    ``final_balance`` and ``evidence_sum`` (the rules' logit); and
    ``vendor_outcomes``, the number of vendor-detected outcome spans.

    Args:
        lexicon: The cue lexicon the rules read (default: the shipped
            ``"resolution"`` lexicon).
        model: A :class:`ResolutionModel` (default ``None``: the shipped one),
            e.g. one fitted with :func:`~servicescore.fit_scorer`.
        resolved_threshold: Lowest value labelled ``"resolved"``.
        unresolved_threshold: Highest value labelled ``"unresolved"``; below
            *resolved_threshold*.
        name: The name the score is reported under.

    Raises:
        ValueError: If a threshold lies outside ``[0, 1]`` or the thresholds
            are not ordered.

    >>> from servicescore import Transcript, Turn, Role
    >>> fixed = Transcript("t", [
    ...     Turn(Role.CUSTOMER, "My router light keeps blinking red."),
    ...     Turn(Role.AGENT, "I've reset the line from our side, could you restart it?"),
    ...     Turn(Role.CUSTOMER, "ok the light is green again, thanks!"),
    ... ])
    >>> still = Transcript("t", fixed.turns[:2] + (Turn(Role.CUSTOMER, "Nope, still blinking red."),))
    >>> scorer = ResolutionScorer()
    >>> scorer(fixed).value > scorer(still).value
    True
    >>> scorer(still).details["label"]
    'unresolved'
    """

    lexicon: Lexicon = attrs.field(factory=_default_lexicon, validator=attrs.validators.instance_of(Lexicon))
    model: ResolutionModel | None = attrs.field(default=None, validator=_check_model)
    resolved_threshold: float = attrs.field(default=0.6, validator=_check_thresholds)
    unresolved_threshold: float = attrs.field(default=0.4, validator=_check_thresholds)
    name: str = attrs.field(default="resolution", validator=attrs.validators.instance_of(str))
    _rules: ResolutionRules = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.unresolved_threshold < self.resolved_threshold:
            raise ValueError(
                "unresolved_threshold must be below resolved_threshold "
                f"(got {self.unresolved_threshold} >= {self.resolved_threshold})"
            )
        object.__setattr__(self, "_rules", ResolutionRules(lexicon=self.lexicon, name=self.name))

    def lexicon_requests(self) -> tuple[tuple[Lexicon, frozenset[Role]], ...]:
        """The lexicons the cue rules read, each with the roles whose turns it is matched on."""
        return self._rules.lexicon_requests()

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator: feed it each turn's facts in order, read its ``score()`` at any time."""
        return _Accumulator(self, self._rules.start(transcript), _vendor_outcomes(transcript))

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        return accumulate(self, analyze(item))

    def features(self, item: Transcript | Analysis) -> FeatureRow | None:
        """The model's features of one transcript (``None`` when the score does not apply)."""
        analysis = analyze(item)
        rules = accumulate(self._rules, analysis)
        return None if rules.value is None else resolution_row(analysis.turns, rules)

    def label(self, value: float) -> str:
        """``"resolved"``, ``"unresolved"`` or ``"unclear"`` for a value (see the class docstring)."""
        if value >= self.resolved_threshold:
            return "resolved"
        if value <= self.unresolved_threshold:
            return "unresolved"
        return "unclear"


class _Accumulator:
    """Feeds the cue rules turn by turn and keeps the turns; the model reads both at :meth:`score`."""

    __slots__ = ("grams", "outcomes", "rules", "scorer", "turns")

    def __init__(
        self, scorer: ResolutionScorer, rules: ScoreAccumulator, outcomes: tuple[Evidence, ...] = ()
    ) -> None:
        self.scorer = scorer
        self.rules = rules
        self.outcomes = outcomes
        self.turns: list[TurnAnalysis] = []
        self.grams: dict[int, TurnGrams] = {}

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        self.rules.add(facts, hits)
        self.turns.append(facts)
        if facts.role is Role.CUSTOMER or facts.role in _AGENT_SIDE:
            self.grams[facts.index] = TurnGrams(facts)

    def score(self) -> Score:
        scorer = self.scorer
        rules = self.rules.score()
        details: dict[str, float | str] = {"label": "unclear", "decision": math.nan, "rule_value": math.nan}
        details.update((k, v) for k, v in rules.details.items() if k != "label")
        outcomes = tuple(e for e in self.outcomes if e.turn < len(self.turns))
        details["vendor_outcomes"] = float(len(outcomes))
        if rules.value is None:
            return Score(scorer.name, None, details=details, reason=rules.reason)
        model = scorer.model if scorer.model is not None else _shipped()
        row = resolution_row(self.turns, rules, model.decision.dims, self.grams)
        decision = model.decision.decision(row)
        value = model.value(decision)
        details["label"] = scorer.label(value)
        details["decision"] = round(decision, 4)
        details["rule_value"] = round(rules.value, 4)
        evidence = _evidence(self.turns, row, model.decision.contributions(row), rules)
        if outcomes:
            evidence = tuple(sorted((*evidence, *outcomes), key=lambda e: (e.turn, e.start, e.end)))
        return Score(scorer.name, value, evidence, details)


def _index(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _vendor_outcomes(transcript: Transcript) -> tuple[Evidence, ...]:
    """The vendor's detected outcomes (``meta["outcomes"]``, e.g. Contact Lens) as weight-0 evidence.

    Spans that do not point into a turn's text are skipped: metadata may come
    from anywhere.
    """
    spans = transcript.meta.get("outcomes")
    if not isinstance(spans, list | tuple):
        return ()
    found = []
    for span in spans:
        if not isinstance(span, Mapping):
            continue
        turn, start, end = (_index(span.get(key)) for key in ("turn", "start", "end"))
        if turn is None or start is None or end is None:
            continue
        if 0 <= turn < len(transcript.turns) and 0 <= start < end <= len(transcript.turns[turn].text):
            text = transcript.turns[turn].text[start:end]
            found.append(Evidence(turn, start, end, text, "vendor_outcome", 0.0))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Words that carry grammar, not content (``servicescore/data/function_words.txt``)."""
    text = resources.files("servicescore").joinpath("data", "function_words.txt").read_text("utf-8")
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


def _only_function_words(text: str) -> bool:
    words = _function_words()
    return all(w.strip(".,!?;:'\"").lower().replace("\u2019", "'") in words for w in text.split())


def _span_keys(row: FeatureRow) -> np.ndarray[Any, Any]:
    """One integer per entry's source span, ordered as ``(turn, start, end)``."""
    base = int(row.ends.max()) + 1 if len(row) else 1
    if (int(row.turns.max()) + 2) * base * base < 2**62:
        return (row.turns + 1) * (base * base) + row.starts * base + row.ends
    _, inverse = np.unique(np.stack([row.turns, row.starts, row.ends], axis=1), axis=0, return_inverse=True)
    return inverse.reshape(-1)


def _evidence(
    turns: Sequence[TurnAnalysis], row: FeatureRow, contributions: np.ndarray[Any, Any], rules: Score
) -> tuple[Evidence, ...]:
    """The largest contributions as evidence: word spans, customer-turn facts, and the rule facts.

    Contributions are summed per source span; the rule facts (turn ``-1``)
    together make one item. The ``EVIDENCE_LIMIT`` largest by weight rounded
    to 4 decimals (ties: the earlier span) are kept, in transcript order. A
    span of function words alone (``servicescore/data/function_words.txt``:
    "for", "the", "it is") is not shown: it weighs in the decision but tells
    a reader nothing.
    """
    if not len(row):
        return ()
    keys = _span_keys(row)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts_span = np.empty(len(keys), dtype=bool)
    starts_span[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts_span[1:])
    heads = np.flatnonzero(starts_span)
    sums = np.add.reduceat(contributions[order], heads)
    first = order[heads]  # an entry of each span
    ranked = np.argsort(-np.abs(np.round(sums, 4)), kind="stable").tolist()
    picked = first[ranked].tolist()
    where = (row.turns[picked].tolist(), row.starts[picked].tolist(), row.ends[picked].tolist())
    spans = zip(sums[ranked].tolist(), *where, strict=True)
    items: list[Evidence] = []
    for total, turn, start, end in spans:
        if not total or (turn < 0 and not rules.evidence):
            continue
        weight = round(total, 4)
        if turn < 0:
            strongest = max(rules.evidence, key=lambda e: abs(e.weight))
            cue = f"resolution cues (rules value {rules.value:.2f})"
            items.append(Evidence(strongest.turn, strongest.start, strongest.end, cue, "rule_facts", weight))
        elif start == end:
            items.append(Evidence(turn, 0, 0, "last turn and its sentiment", "turn_fact", weight))
        else:
            text = turns[turn].text[start:end]
            if _only_function_words(text):
                continue  # weighs in the decision, but explains nothing to a reader
            items.append(Evidence(turn, start, end, text, "words", weight))
        if len(items) == EVIDENCE_LIMIT:
            break
    items.sort(key=lambda e: (e.turn, e.start, e.end))
    return tuple(items)
