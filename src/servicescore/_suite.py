"""Composition: named scorers fanned out over one shared analysis."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, overload

import attrs

from ._analysis import Analysis, Analyzer, analyze
from ._lexicon import Lexicon
from ._model import Role, Transcript
from ._score import Score, Scorer
from .exceptions import SuiteError

if TYPE_CHECKING:
    from ._impact import BrandImpact, Impact

__all__ = ["FunctionScorer", "Scorecard", "Suite", "default_suite", "make_suite", "scorer"]


@attrs.frozen
class Scorecard(Mapping[str, Score]):
    """The scores of one transcript, by scorer name, with its brand impact.

    A read-only mapping: ``card["empathy"]`` is a :class:`~servicescore.Score`.

    Attributes:
        transcript: The transcript scored.
        scores: The scores, in the suite's order.
        impact: The :class:`~servicescore.Impact`, when the suite has a
            :class:`~servicescore.BrandImpact`; otherwise ``None``.
    """

    transcript: Transcript
    scores: Mapping[str, Score]
    impact: Impact | None = None

    def __getitem__(self, name: str) -> Score:
        """The score named *name*."""
        return self.scores[name]

    def __iter__(self) -> Iterator[str]:
        """The score names, in the suite's order."""
        return iter(self.scores)

    def __len__(self) -> int:
        """How many scores the card holds."""
        return len(self.scores)

    def values_by_name(self) -> dict[str, float | None]:
        """Each score's value (``None`` where it does not apply)."""
        return {name: score.value for name, score in self.scores.items()}

    def to_dict(self, *, transcript: bool = False) -> dict[str, object]:
        """The scorecard as a JSON-safe dictionary, for an API response.

        Keys: ``id``, ``channel``, ``scores`` (name to :meth:`Score.to_dict
        <servicescore.Score.to_dict>`, in the suite's order), ``impact``
        (``experience`` in [-1, 1], ``reach`` >= 1 and ``impact``, each
        ``None`` where unknown; ``None`` without a brand impact) and, with
        *transcript*, ``transcript``: the canonical record of
        :meth:`Transcript.to_dict <servicescore.Transcript.to_dict>`.
        Non-finite numbers become ``None``, so ``json.dumps`` accepts it even
        with ``allow_nan=False``.

        >>> import json
        >>> from servicescore import Transcript, Turn
        >>> card = default_suite()(Transcript("t1", [Turn("customer", "Thanks, it works!")]))
        >>> data = card.to_dict()
        >>> list(data), list(data["scores"]), data["scores"]["latency"]["value"]
        (['id', 'channel', 'scores', 'impact'], ['empathy', 'resolution', 'pushiness', 'latency'], None)
        >>> json.loads(json.dumps(data, allow_nan=False))["id"]
        't1'
        """
        from ._score import json_number

        impact = self.impact
        data: dict[str, object] = {
            "id": self.transcript.id,
            "channel": self.transcript.channel.value,
            "scores": {name: score.to_dict() for name, score in self.scores.items()},
            "impact": None
            if impact is None
            else {name: json_number(getattr(impact, name)) for name in ("experience", "reach", "impact")},
        }
        if transcript:
            data["transcript"] = self.transcript.to_dict()
        return data

    def __repr__(self) -> str:
        """One line: the id and each value (``None`` where a score does not apply)."""
        parts = [repr(self.transcript.id)]
        for name, value in self.values_by_name().items():
            parts.append(f"{name}={'None' if value is None else format(value, '.2f')}")
        if self.impact is not None and self.impact.experience is not None:
            parts.append(f"experience={self.impact.experience:.2f}")
        return f"Scorecard({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """The transcript with its evidence highlighted and the scores, for Jupyter."""
        from ._html import scorecard_html

        return scorecard_html(self, standalone=True)


def _check_scorers(
    instance: Suite, attribute: attrs.Attribute[Any], value: tuple[tuple[str, Scorer], ...]
) -> None:
    seen: set[str] = set()
    for entry in value:
        if not (isinstance(entry, tuple) and len(entry) == 2):
            raise SuiteError(f"each step must be a (name, scorer) pair (got {entry!r})")
        name, step = entry
        if not isinstance(name, str) or not name:
            raise SuiteError(f"scorer names must be non-empty strings (got {name!r})")
        if name in seen:
            raise SuiteError(f"scorer names must be unique: {name!r} appears twice")
        if not callable(step):
            raise SuiteError(f"scorer {name!r} is not callable (got {type(step).__name__})")
        seen.add(name)
    if not value:
        raise SuiteError("a suite needs at least one scorer")


def _to_steps(value: Iterable[tuple[str, Scorer]]) -> tuple[tuple[str, Scorer], ...]:
    return tuple(
        (entry[0], entry[1]) if isinstance(entry, list) and len(entry) == 2 else entry for entry in value
    )


@attrs.frozen
class Suite:
    """Named scorers applied to one shared :class:`~servicescore.Analysis` per transcript.

    Like scikit-learn's ``FeatureUnion``: each step is a ``(name, scorer)``
    pair, names are unique (checked once, at construction), and calling the
    suite analyses the transcript once and hands the same analysis to every
    scorer, so a scorer gives the same result alone and inside a suite. A
    scorer that raises gets a note naming it, and the error propagates.

    Args:
        steps: ``(name, scorer)`` pairs; the score is reported under *name*.
        impact: A :class:`~servicescore.BrandImpact` applied to each
            :class:`Scorecard`, or ``None``.
        analyzer: The :class:`~servicescore.Analyzer` used (default settings
            when ``None``).

    Raises:
        SuiteError: If names repeat or are empty, a step is not callable, or
            there is no step.

    >>> from servicescore.scorers import EmpathyScorer, LatencyScorer
    >>> suite = make_suite(EmpathyScorer(), LatencyScorer())
    >>> suite.names
    ('empathy', 'latency')
    >>> suite.replace("latency", LatencyScorer(name="latency")).names
    ('empathy', 'latency')
    """

    steps: tuple[tuple[str, Scorer], ...] = attrs.field(converter=_to_steps, validator=_check_scorers)
    impact: BrandImpact | None = attrs.field(default=None, kw_only=True)
    analyzer: Analyzer | None = attrs.field(default=None, kw_only=True)
    # Every scorer's lexicon_requests(), matched in one walk per turn before the scorers run.
    _requests: tuple[tuple[Lexicon, frozenset[Role] | None], ...] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        requests: dict[tuple[Lexicon, frozenset[Role] | None], None] = {}
        for _, step in self.steps:
            wanted = getattr(step, "lexicon_requests", None)
            if callable(wanted):
                requests.update(dict.fromkeys(wanted()))
        object.__setattr__(self, "_requests", tuple(requests))

    @property
    def names(self) -> tuple[str, ...]:
        """The scorers' names, in order."""
        return tuple(name for name, _ in self.steps)

    def __getitem__(self, name: str) -> Scorer:
        """The scorer named *name*.

        Raises:
            KeyError: If the suite has no scorer of that name.
        """
        for step_name, step in self.steps:
            if step_name == name:
                return step
        raise KeyError(name)

    def replace(self, name: str, scorer: Scorer) -> Suite:
        """Return a new suite with the scorer named *name* replaced by *scorer*.

        Raises:
            SuiteError: If the suite has no scorer named *name*.
        """
        if name not in self.names:
            raise SuiteError(f"no scorer named {name!r} to replace (names: {', '.join(self.names)})")
        steps = tuple((n, scorer if n == name else s) for n, s in self.steps)
        return attrs.evolve(self, steps=steps)

    def analyze(self, transcript: Transcript) -> Analysis:
        """The shared analysis the suite's scorers read."""
        return analyze(transcript, self.analyzer)

    def __call__(self, item: Transcript | Analysis, /) -> Scorecard:
        """Score one transcript (or its analysis) with every scorer.

        Raises:
            Exception: Whatever a scorer raises, with a note naming the scorer.
        """
        analysis = item if isinstance(item, Analysis) else self.analyze(item)
        requests = self._requests
        if len(requests) > 1:
            analysis.hits_many([lexicon for lexicon, _ in requests], [roles for _, roles in requests])
        return self._assemble(analysis.transcript, analysis, {})

    def _assemble(
        self, transcript: Transcript, analysis: Analysis | None, known: Mapping[str, Score]
    ) -> Scorecard:
        """The scorecard of *transcript*: the *known* scores, and every other step run on *analysis*."""
        scores: dict[str, Score] = {}
        for name, step in self.steps:
            score = known.get(name)
            if score is None:
                assert analysis is not None  # the caller passes one when a score is missing
                try:
                    score = step(analysis)
                except Exception as exc:
                    exc.add_note(f"raised by scorer {name!r} of the suite on transcript {transcript.id!r}")
                    raise
            if not isinstance(score, Score):
                raise SuiteError(f"scorer {name!r} returned {type(score).__name__}, not a Score")
            if score.name != name:
                score = attrs.evolve(score, name=name)
            scores[name] = score
        card = Scorecard(transcript, scores)
        if self.impact is not None:
            card = attrs.evolve(card, impact=self.impact(card))
        return card


def make_suite(
    *scorers: Scorer, impact: BrandImpact | None = None, analyzer: Analyzer | None = None
) -> Suite:
    """Build a :class:`Suite` that names each scorer by its ``name`` attribute.

    Raises:
        SuiteError: If two scorers share a name (rename one with
            ``attrs.evolve(scorer, name=...)``).
    """
    return Suite(tuple((s.name, s) for s in scorers), impact=impact, analyzer=analyzer)


def default_suite(model: str | os.PathLike[str] | None = None) -> Suite:
    """The four built-in scorers with default settings, and the default :class:`~servicescore.BrandImpact`.

    Args:
        model: A resolution model file written by :meth:`ScorerFit.save
            <servicescore.ScorerFit.save>` (default: the shipped model).

    >>> default_suite().names
    ('empathy', 'resolution', 'pushiness', 'latency')
    """
    from ._impact import BrandImpact
    from .scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionModel, ResolutionScorer

    resolution = ResolutionScorer(model=None if model is None else ResolutionModel.load(os.fspath(model)))
    return make_suite(EmpathyScorer(), resolution, PushinessScorer(), LatencyScorer(), impact=BrandImpact())


ScoreFunction = Callable[[Analysis], "Score | float | None"]


def _import_attribute(module: str, qualname: str) -> Any:
    """The object at *qualname* in *module* (how decorated scorers unpickle)."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


@attrs.frozen
class FunctionScorer:
    """A plain function turned into a :class:`~servicescore.Scorer` by :func:`scorer`.

    The function receives the shared :class:`~servicescore.Analysis` and
    returns a :class:`~servicescore.Score`, a float in ``[0, 1]`` or ``None``
    (does not apply). Module-level functions pickle, so such scorers run in
    worker processes too.

    Attributes:
        name: The name the score is reported under.
        function: The function.
    """

    name: str
    function: ScoreFunction

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by reference when ``@scorer`` replaced the module-level function with this object."""
        module, qualname = (
            getattr(self.function, "__module__", None),
            getattr(self.function, "__qualname__", ""),
        )
        if module and "<" not in qualname:
            try:
                target = _import_attribute(module, qualname)
            except (ImportError, AttributeError):
                target = None
            if (
                isinstance(target, FunctionScorer)
                and target.function is self.function
                and target.name == self.name
            ):
                return (_import_attribute, (module, qualname))
        return (FunctionScorer, (self.name, self.function))

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis) with the function."""
        result = self.function(analyze(item))
        if isinstance(result, Score):
            return result if result.name == self.name else attrs.evolve(result, name=self.name)
        if result is None:
            return Score(self.name, None, reason=f"{self.name} does not apply")
        return Score(self.name, float(result))


@overload
def scorer(function: ScoreFunction, /) -> FunctionScorer: ...
@overload
def scorer(*, name: str) -> Callable[[ScoreFunction], FunctionScorer]: ...
def scorer(
    function: ScoreFunction | None = None, /, *, name: str | None = None
) -> FunctionScorer | Callable[[ScoreFunction], FunctionScorer]:
    """Turn a function of an :class:`~servicescore.Analysis` into a scorer.

    Use as ``@scorer`` (named after the function) or ``@scorer(name="...")``.

    >>> @scorer
    ... def agent_share(analysis):
    ...     agent = sum(t.role.value == "agent" for t in analysis.turns)
    ...     return agent / len(analysis.turns) if analysis.turns else None
    >>> from servicescore import Transcript, Turn
    >>> agent_share(Transcript("t", [Turn("customer", "hi"), Turn("agent", "hello")])).value
    0.5
    """
    if function is not None:
        return FunctionScorer(str(getattr(function, "__name__", "scorer")), function)

    def wrap(inner: ScoreFunction) -> FunctionScorer:
        return FunctionScorer(name or str(getattr(inner, "__name__", "scorer")), inner)

    return wrap
