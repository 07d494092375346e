"""Live scoring for agent-assist: turns arrive one at a time, alerts come at once.

A :class:`LiveSession` keeps the facts of every turn it has seen (tokens,
sentences, negation scope, sentiment and lexicon hits), each computed once,
when the turn arrives or when a scorer first asks for it. Alerts are decided
from the new turn and a few turns of remembered context, so adding a turn costs
the same whether it is the 5th or the 500th. Scores come from the suite's
incremental scorers (:class:`~servicescore.IncrementalScorer`), fed each turn
once; a scorer without an accumulator runs over the cached facts when
:attr:`LiveSession.scorecard` is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from ._analysis import Analysis, Analyzer, Hit, TurnAnalysis
from ._incremental import IncrementalScorer, ScoreAccumulator
from ._lexicon import Lexicon
from ._model import Channel, Role, Transcript, Turn
from ._score import Evidence, Score
from ._suite import Scorecard, Suite, default_suite
from .exceptions import TranscriptError
from .scorers import EmpathyScorer, LatencyScorer, PushinessScorer
from .scorers._empathy import NEED_THRESHOLD
from .scorers._latency import _duration, _LatencyAccumulator, _saturate

__all__ = ["ALERT_KINDS", "Alert", "AlertKind", "LiveSession", "LiveUpdate"]

#: What an :class:`Alert` warns about.
AlertKind = Literal["missing_empathy", "offer_after_refusal", "slow_reply"]
#: The alert kinds, in the order the documentation lists them.
ALERT_KINDS: Final[tuple[AlertKind, ...]] = ("missing_empathy", "offer_after_refusal", "slow_reply")

#: Who speaks for the company: the pushiness scorer counts bot offers as well.
_COMPANY = frozenset({Role.AGENT, Role.BOT})
#: Evidence categories of the pushiness scorer that are a push at the customer.
_PUSHES = frozenset({"offer", "persistence", "retention"})


def _check_kind(instance: Alert, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ALERT_KINDS:
        expected = ", ".join(repr(kind) for kind in ALERT_KINDS)
        raise ValueError(f"alert kind must be one of {expected} (got {value!r})")


def _to_evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


@attrs.frozen
class Alert:
    """A live warning for the agent, raised by :class:`LiveSession`.

    Attributes:
        kind: ``"missing_empathy"``, ``"offer_after_refusal"`` or ``"slow_reply"``.
        turn: Index of the turn the alert is about: the agent turn that missed
            the customer's distress, the offer, the late reply, or (for a wait
            still open, see :meth:`LiveSession.check`) the customer message
            waiting for an answer.
        message: One line for the agent's screen.
        evidence: Spans to highlight, in turn order (the customer's distress
            or refusal, and the agent turn).
    """

    kind: AlertKind = attrs.field(validator=_check_kind)
    turn: int
    message: str
    evidence: tuple[Evidence, ...] = attrs.field(default=(), converter=_to_evidence)


@attrs.frozen(eq=False)
class _PrecomputedAnalysis(Analysis):
    """An :class:`Analysis` over per-turn facts computed earlier, turn by turn.

    ``turns`` is the given facts (no re-analysis); lexicon hits come from the
    session's store, which computes each turn's hits once per lexicon. Without
    a store it is a view of one turn whose hits the base class computes (and
    caches), with the turn's index in the whole conversation.
    """

    _facts: tuple[TurnAnalysis, ...] = attrs.field(kw_only=True, repr=False)
    _store: _Store | None = attrs.field(default=None, kw_only=True, repr=False)

    @property
    def turns(self) -> tuple[TurnAnalysis, ...]:
        """Per-turn facts, in transcript order."""
        return self._facts

    def hits(self, lexicon: Lexicon) -> tuple[tuple[Hit, ...], ...]:
        """The cues of *lexicon* found in each turn (one tuple per turn)."""
        if self._store is None:
            return super().hits(lexicon)
        return self._store.hits(lexicon, len(self._facts))

    def hits_many(
        self, lexicons: Sequence[Lexicon], roles: Sequence[frozenset[Role] | None] | None = None
    ) -> tuple[tuple[tuple[Hit, ...], ...], ...]:
        """The cues of each of *lexicons* in each turn (see :meth:`Analysis.hits_many`)."""
        if self._store is None:  # matched here, all lexicons in one walk
            return self._match(lexicons, (None,) * len(lexicons) if roles is None else roles)
        return tuple(self.hits(lexicon) for lexicon in lexicons)


class _Store:
    """The append-only facts of a session: turns, their analyses and their lexicon hits."""

    __slots__ = ("analyzer", "facts", "per_lexicon", "session", "turns", "views")

    def __init__(self, session: Transcript, analyzer: Analyzer) -> None:
        self.session = session  # an empty transcript holding the id, channel and metadata
        self.analyzer = analyzer
        self.turns: list[Turn] = []
        self.facts: list[TurnAnalysis] = []
        self.views: list[_PrecomputedAnalysis] = []
        self.per_lexicon: dict[Lexicon, list[tuple[Hit, ...]]] = {}

    def append(self, turn: Turn) -> TurnAnalysis:
        """Analyse *turn* on its own (O(its length)) and keep its facts."""
        index = len(self.turns)
        alone = self.analyzer(Transcript(self.session.id, (turn,), self.session.channel))
        facts = attrs.evolve(alone.turns[0], index=index)
        self.turns.append(turn)
        self.facts.append(facts)
        self.views.append(_PrecomputedAnalysis(alone.transcript, self.analyzer, facts=(facts,)))
        return facts

    def turn_hits(self, lexicon: Lexicon, index: int) -> tuple[Hit, ...]:
        """The hits of *lexicon* in turn *index*, computed once."""
        known = self.per_lexicon.setdefault(lexicon, [])
        while len(known) <= index:
            known.append(self.views[len(known)].hits(lexicon)[0])
        return known[index]

    def hits(self, lexicon: Lexicon, count: int) -> tuple[tuple[Hit, ...], ...]:
        """The hits of *lexicon* in the first *count* turns; only turns not seen before are matched."""
        if count:
            self.turn_hits(lexicon, count - 1)
        return tuple(self.per_lexicon.get(lexicon, ())[:count])

    def transcript(self, count: int) -> Transcript:
        """The first *count* turns as a transcript.

        Every turn was checked when it arrived (a :class:`Turn`, its time not
        before the previous one), so the transcript is assembled without
        checking them all again: a copy of the turn list, not a loop over it.
        """
        session = self.session
        transcript: Transcript = object.__new__(Transcript)
        object.__setattr__(transcript, "id", session.id)
        object.__setattr__(transcript, "turns", tuple(self.turns[:count]))
        object.__setattr__(transcript, "channel", session.channel)
        object.__setattr__(transcript, "meta", session.meta)
        return transcript

    def window(self, indices: list[int], *, sentinel: bool = False) -> Analysis:
        """The analysis of a short transcript of the turns at *indices*, from their cached facts.

        Tokens, sentences and negation are reused (renumbered for the window);
        lexicon cues are matched again over the few turns, and sentiment is
        read again through the analyzer's sentence function (cached by the
        default analyzer). With *sentinel*, an empty agent turn ends the
        window, for scorers that only speak when the company does.
        """
        facts = [attrs.evolve(self.facts[i], index=j) for j, i in enumerate(indices)]
        if sentinel:
            facts.append(TurnAnalysis(len(facts), Turn(Role.AGENT, ""), (), (), (), self.analyzer))
        turns = [f.turn for f in facts]
        transcript = Transcript(self.session.id, turns, self.session.channel)
        return _PrecomputedAnalysis(transcript, self.analyzer, facts=tuple(facts))


class _Accumulators:
    """The suite's incremental scorers, each fed every turn as it arrives (O(1) per turn)."""

    __slots__ = ("count", "requests", "steps")

    def __init__(self, suite: Suite, session: Transcript) -> None:
        self.steps: dict[
            str, tuple[ScoreAccumulator, tuple[Lexicon, ...], tuple[frozenset[Role] | None, ...]]
        ]
        self.steps = {}
        for name, step in suite.steps:
            if isinstance(step, IncrementalScorer):
                requests = tuple(step.lexicon_requests())
                lexicons = tuple(lexicon for lexicon, _ in requests)
                self.steps[name] = (step.start(session), lexicons, tuple(roles for _, roles in requests))
        self.requests = suite._requests
        self.count = 0  # turns read

    def add(self, facts: TurnAnalysis, view: Analysis) -> None:
        """Feed the turn of *facts* (*view*: its one-turn analysis) to every accumulator."""
        requests = self.requests
        if len(requests) > 1:  # every scorer's lexicons in one walk over the turn
            view.hits_many([lexicon for lexicon, _ in requests], [roles for _, roles in requests])
        for accumulator, lexicons, roles in self.steps.values():
            hits = tuple(found[0] for found in view.hits_many(lexicons, roles)) if lexicons else ()
            accumulator.add(facts, hits)
        self.count += 1


class _Snapshot:
    """The session after its first *count* turns; transcript and scorecard built on first read.

    While no later turn has arrived, the incremental scorers' scores are read
    from their accumulators; other scorers (and any later read) run over the
    cached turn facts.
    """

    __slots__ = ("_accumulators", "_card", "_count", "_store", "_suite", "_transcript")

    def __init__(
        self, store: _Store, suite: Suite, count: int, accumulators: _Accumulators | None = None
    ) -> None:
        self._store, self._suite, self._count = store, suite, count
        self._accumulators = accumulators
        self._transcript: Transcript | None = None
        self._card: Scorecard | None = None

    @property
    def transcript(self) -> Transcript:
        if self._transcript is None:
            self._transcript = self._store.transcript(self._count)
        return self._transcript

    @property
    def scorecard(self) -> Scorecard:
        if self._card is None:
            store, count, accumulators = self._store, self._count, self._accumulators
            current: dict[str, Score] = {}
            if accumulators is not None and accumulators.count == count:
                current = {name: entry[0].score() for name, entry in accumulators.steps.items()}
            analysis = None
            if len(current) < len(self._suite.steps):
                analysis = _PrecomputedAnalysis(
                    self.transcript, store.analyzer, facts=tuple(store.facts[:count]), store=store
                )
            self._card = self._suite._assemble(self.transcript, analysis, current)
        return self._card


@attrs.frozen(eq=False)
class LiveUpdate:
    """What :meth:`LiveSession.add` returns: the new turn's index and its alerts.

    Attributes:
        turn: Index of the turn just added.
        alerts: The alerts that turn raised (often none).
    """

    turn: int
    alerts: tuple[Alert, ...]
    _snapshot: _Snapshot = attrs.field(repr=False, alias="snapshot")

    @property
    def scorecard(self) -> Scorecard:
        """The scores of the conversation up to and including this turn (computed on first read)."""
        return self._snapshot.scorecard


def _first(suite: Suite, kind: type[Any], default: Callable[[], Any]) -> Any:
    for _, step in suite.steps:
        if isinstance(step, kind):
            return step
    return default()


def _whole(turn: Turn, index: int, cue: str, category: str, weight: float) -> Evidence:
    return Evidence(index, 0, len(turn.text), cue, category, weight)


def _moved(evidence: Evidence, indices: list[int]) -> Evidence:
    """*evidence* from a short window transcript, pointed at the turn's index in the session."""
    return attrs.evolve(evidence, turn=indices[evidence.turn])


class LiveSession:
    """Score a conversation while it happens, one turn at a time, for agent-assist.

    Feed turns with :meth:`add`; read :attr:`alerts` for what the agent should
    fix now and :attr:`scorecard` for the scores so far. After the last turn
    the scorecard equals ``suite(session.transcript)``, the batch result.

    **Cost.** Adding a turn analyses that turn only (tokens, sentences,
    negation, sentiment, lexicon cues), feeds it to the accumulator of each
    incremental scorer (:class:`~servicescore.IncrementalScorer`: all the
    built-in ones) and decides its alerts from a window of at most seven
    turns, so it does not grow with the conversation. Reading
    :attr:`scorecard` asks the accumulators for their scores; only scorers
    without one run over the cached per-turn facts (linear in the turns so
    far, with no re-analysis). The card is kept until the next turn.

    **Alerts** (each with the turn it concerns and evidence spans):

    ``"missing_empathy"``
        A customer turn was upset (the empathy scorer's *moment of need*:
        sentiment at or below ``-0.3``, or distress cues such as ``charged
        twice`` of at least that weight) and the next agent turn answers it
        with no empathy (the empathy scorer, run on the upset turn and the
        reply, finds no acknowledgement, apology, reaction, interpretation or
        exploration). The same turns carry ``"unmet_need"`` evidence in the
        batch empathy score.
    ``"offer_after_refusal"``
        An agent (or bot) sentence pushes an offer (an offer, a persistence
        push or a retention offer, as the pushiness scorer finds them) after
        the customer refused one. The pushiness scorer reads each new turn
        with the few earlier turns that set its state in the batch score:
        the company's latest offer, the customer's refusal, cancel request
        and request for an offer, and their latest turn (at most seven
        turns). On the test dialogues the alerts fall exactly on the batch
        score's offers after a refusal; context further back (an item the
        customer named long before) can still make the two differ.
    ``"slow_reply"``
        The customer waited longer than the channel's expectation (the
        suite's :class:`~servicescore.scorers.LatencyScorer` expectations,
        default :data:`~servicescore.scorers.DEFAULT_EXPECTATIONS`, in
        business time with its ``business_hours``). Raised when the late
        agent reply arrives, and once per open wait as soon as a timed turn
        or :meth:`check` shows the wait is over the expectation. Waits are
        counted as the latency scorer counts them: from the first unanswered
        customer message (from the end of the customer's latest turn on the
        phone) to the next human agent turn.

    Args:
        suite: The scorers (default: :func:`~servicescore.default_suite`).
        transcript_id: Id of the transcript being built.
        channel: The conversation's :class:`~servicescore.Channel` (or its name).
        meta: Transcript metadata (``agent``, ``followers`` ...).

    Raises:
        TranscriptError: For an empty id, an unknown channel or metadata
            that is not a mapping.
        TypeError: If *suite* is not a :class:`~servicescore.Suite`.

    >>> from servicescore import Turn
    >>> session = LiveSession(channel="chat")
    >>> session.add(Turn("customer", "I was charged twice and I'm furious!", time=0)).alerts
    ()
    >>> update = session.add(Turn("agent", "Please send your account number.", time=150))
    >>> [alert.kind for alert in update.alerts]
    ['missing_empathy', 'slow_reply']
    >>> session.scorecard == session.suite(session.transcript)
    True
    """

    __slots__ = (
        "_accumulators",
        "_alerts",
        "_analyzer",
        "_cancel",
        "_clock",
        "_empathy",
        "_last_company",
        "_last_customer",
        "_last_time",
        "_need",
        "_need_turn",
        "_offer_turn",
        "_pushiness",
        "_refusal",
        "_request",
        "_snapshot",
        "_store",
        "_suite",
        "_wait_alerted",
    )

    def __init__(
        self,
        suite: Suite | None = None,
        *,
        transcript_id: str = "live",
        channel: Channel | str = Channel.CHAT,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        if suite is None:
            suite = default_suite()
        if not isinstance(suite, Suite):
            raise TypeError(f"suite must be a Suite, got {type(suite).__name__}")
        empty = Transcript(transcript_id, (), channel, meta)
        self._suite = suite
        self._analyzer = suite.analyzer if suite.analyzer is not None else Analyzer()
        self._store = _Store(empty, self._analyzer)
        self._accumulators = _Accumulators(suite, empty)
        self._snapshot = _Snapshot(self._store, suite, 0, self._accumulators)
        self._alerts: list[Alert] = []
        self._empathy: EmpathyScorer = _first(suite, EmpathyScorer, EmpathyScorer)
        self._pushiness: PushinessScorer = _first(suite, PushinessScorer, PushinessScorer)
        # Waits counted by the suite's latency scorer (or a default one), for slow_reply alerts.
        self._clock = _LatencyAccumulator(_first(suite, LatencyScorer, LatencyScorer), empty.channel)
        self._last_time: tuple[int, float] | None = None
        # Empathy: the most distressed customer turn since the last agent turn.
        self._need = 0.0
        self._need_turn: int | None = None
        # Pushiness: the latest refusal (its turn, the company turn before it, its evidence).
        self._refusal: tuple[int, tuple[int, ...], tuple[Evidence, ...]] | None = None
        self._offer_turn: int | None = None  # the latest company turn with an offer
        self._cancel: int | None = None  # the latest cancel request
        self._last_company: int | None = None
        self._last_customer: int | None = None
        self._request: int | None = None  # the latest customer turn asking for an offer
        # Latency: the wait last alerted about (its first turn and start).
        self._wait_alerted: tuple[int, float] | None = None

    @property
    def suite(self) -> Suite:
        """The suite that scores the conversation."""
        return self._suite

    @property
    def transcript(self) -> Transcript:
        """The conversation so far (built on first read after each turn)."""
        return self._snapshot.transcript

    @property
    def scorecard(self) -> Scorecard:
        """The suite's scores of the conversation so far (computed on first read after each turn)."""
        return self._snapshot.scorecard

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every alert raised so far, in the order raised."""
        return tuple(self._alerts)

    def __len__(self) -> int:
        """How many turns the session holds."""
        return len(self._store.turns)

    def add(self, turn: Turn) -> LiveUpdate:
        """Add the next turn; return its index, the alerts it raised and (lazily) the scores so far.

        Raises:
            TranscriptError: If *turn* is not a :class:`~servicescore.Turn` or
                starts earlier than the previous timed turn (the session is
                left unchanged).
        """
        index = len(self._store.turns)
        if not isinstance(turn, Turn):
            raise TranscriptError(
                f"turn {index} must be a Turn, got {type(turn).__name__}",
                turn=index,
                field="turns",
                value=turn,
            )
        if turn.time is not None and self._last_time is not None and turn.time < self._last_time[1]:
            last_index, last = self._last_time
            raise TranscriptError(
                f"'time' of turn {index} must not be earlier than turn {last_index} "
                f"(got {turn.time} < {last})",
                turn=index,
                field="time",
                value=turn.time,
            )
        facts = self._store.append(turn)
        self._accumulators.add(facts, self._store.views[index])
        if turn.time is not None:
            self._last_time = (index, turn.time)
        raised: list[Alert] = []
        if turn.role is Role.CUSTOMER:
            self._customer(facts)
        elif turn.role is Role.AGENT:
            raised.extend(self._empathy_reply(facts))
        if turn.role in _COMPANY:
            raised.extend(self._offer(index))
            self._last_company = index
        raised.extend(self._latency_turn(turn, index))
        self._alerts.extend(raised)
        self._snapshot = _Snapshot(self._store, self._suite, index + 1, self._accumulators)
        return LiveUpdate(index, tuple(raised), snapshot=self._snapshot)

    def check(self, now: float) -> tuple[Alert, ...]:
        """Check the open wait at time *now* (seconds, on the turns' clock).

        Call it on a timer between turns: when the customer has been waiting
        for a human agent longer than the channel's expectation, it raises a
        ``"slow_reply"`` alert (once per wait) about the waiting customer
        message, and adds it to :attr:`alerts`.

        Returns:
            The alert raised, or an empty tuple.

        Raises:
            TypeError: If *now* is not a number.
            ValueError: If *now* is not finite.
        """
        if isinstance(now, bool) or not isinstance(now, int | float):
            raise TypeError(f"now must be seconds as a number, got {type(now).__name__} {now!r}")
        if not math.isfinite(now):
            raise ValueError(f"now must be a finite number of seconds, got {now!r}")
        raised = self._open_wait(float(now))
        self._alerts.extend(raised)
        return raised

    # ---- empathy ----

    def _customer(self, facts: TurnAnalysis) -> None:
        """Remember an upset customer turn (the empathy scorer's moment of need) and any refusal."""
        hits = self._store.turn_hits(self._empathy.lexicon, facts.index)
        cues = sum(h.cue.weight for h in hits if h.cue.category == "distress" and not h.negated)
        distress = min(1.0, max(-facts.sentiment, cues))
        if distress >= NEED_THRESHOLD and distress > self._need:
            self._need, self._need_turn = distress, facts.index
        previous, self._last_customer = self._last_customer, facts.index
        self._find_refusal(facts.index, previous)

    def _empathy_reply(self, facts: TurnAnalysis) -> list[Alert]:
        """``missing_empathy`` when this agent turn answers an upset customer without empathy."""
        upset = self._need_turn
        self._need, self._need_turn = 0.0, None
        if upset is None:
            return []
        indices = [upset, facts.index]
        score = self._empathy(self._store.window(indices))
        if score.details.get("coverage") != 0.0:
            return []  # answered (coverage 1.0), or the scorer sees no need (nan)
        customer = self._store.facts[upset]
        distress = [
            h.evidence(customer.text, h.cue.weight)
            for h in self._store.turn_hits(self._empathy.lexicon, upset)
            if h.cue.category == "distress" and not h.negated
        ]
        if not distress:
            cue = f"upset customer (sentiment {customer.sentiment:.2f})"
            distress = [_whole(customer.turn, upset, cue, "upset", round(customer.sentiment, 4))]
        unmet = [_moved(e, indices) for e in score.evidence if e.category == "unmet_need"]
        message = (
            f"The customer is upset (turn {upset}) and this reply shows no empathy: "
            "acknowledge how they feel before moving on."
        )
        return [Alert("missing_empathy", facts.index, message, (*distress, *unmet))]

    # ---- pushiness ----

    def _find_refusal(self, index: int, previous: int | None) -> None:
        """Ask the pushiness scorer whether customer turn *index* refuses, cancels or asks for an offer.

        It reads the turn after the company's latest offer, and the customer
        turn *previous* in between if any, so it knows what the batch score
        knows here: whether an offer was ever made, and whether one came
        since the customer last spoke (a bare "no" refuses only then).
        """
        offer = self._offer_turn
        context = [] if offer is None else [offer]
        if offer is not None and previous is not None and previous > offer:
            context.append(previous)
        indices = [*context, index]
        position = len(indices) - 1
        score = self._pushiness(self._store.window(indices, sentinel=offer is None))
        found = [e for e in score.evidence if e.turn == position]
        refusals = tuple(_moved(e, indices) for e in found if e.category == "refusal")
        if refusals:
            self._refusal, self._request = (index, tuple(context), refusals), None
        elif any(e.category == "request" for e in found):
            self._request = index
        if any(e.category == "cancel" for e in found):
            self._cancel = index

    def _offer(self, index: int) -> list[Alert]:
        """``offer_after_refusal`` when this company turn pushes an offer after the customer's refusal.

        The pushiness scorer reads the turn with the customer's latest turn
        and, after a refusal, with the refusal and its context, the latest
        cancel request and the latest request for an offer since the refusal
        (an offer asked for is service): at most seven turns, whatever the
        length of the conversation.
        """
        context = {i for i in (self._last_customer, self._cancel) if i is not None}
        if self._refusal is not None:
            refused, before, _ = self._refusal
            context.update((refused, *before))
            if self._request is not None:
                context.add(self._request)
        indices = [*sorted(context), index]
        position = len(indices) - 1
        score = self._pushiness(self._store.window(indices))
        found = [e for e in score.evidence if e.turn == position]
        if any(e.category in _PUSHES or e.category == "requested_offer" for e in found):
            self._offer_turn = index
        if self._refusal is None:
            return []
        pushes = [_moved(e, indices) for e in found if e.category in _PUSHES and e.weight > 0]
        if not pushes:
            return []
        refused, _, refusal_evidence = self._refusal
        role = self._store.turns[index].role.value
        message = (
            f"The customer said no (turn {refused}: {refusal_evidence[0].cue!r}); "
            f"the {role} pushes an offer again: {pushes[0].cue!r}"
        )
        return [Alert("offer_after_refusal", index, message, (*refusal_evidence, *pushes))]

    # ---- latency ----

    def _latency_turn(self, turn: Turn, index: int) -> list[Alert]:
        """Count the turn's wait as the latency scorer does; ``slow_reply`` when a wait runs long."""
        clock = self._clock
        raised = (
            list(self._open_wait(turn.time)) if turn.time is not None and turn.role is not Role.AGENT else []
        )
        clock.add_turn(index, turn)
        waits = clock.waits.waits
        if turn.role is not Role.AGENT or not waits or waits[-1].reply != index:
            return raised
        wait, expectation = waits[-1].seconds, clock.expectation
        if wait <= expectation:
            return raised
        cue = f"reply after {_duration(wait)}"
        weight = round(_saturate(wait / expectation) - 0.5, 4)  # the latency scorer's weight of a wait
        message = (
            f"The customer waited {_duration(wait)} for this reply; on {clock.channel.value} "
            f"they expect one within {_duration(expectation)}."
        )
        return [*raised, Alert("slow_reply", index, message, (_whole(turn, index, cue, "wait", weight),))]

    def _open_wait(self, now: float) -> tuple[Alert, ...]:
        """``slow_reply`` (once per wait) when the open wait at *now* exceeds the expectation."""
        clock = self._clock
        waits = clock.waits
        since, index = waits.pending, waits.pending_turn
        if since is None or index is None or self._wait_alerted == (index, since):
            return ()
        wait = clock.elapsed(since, now)
        if wait <= clock.expectation:
            return ()
        self._wait_alerted = (index, since)
        turn = self._store.turns[index]
        cue = f"waiting {_duration(wait)}"
        message = (
            f"The customer has been waiting {_duration(wait)} for an agent (since turn {index}); "
            f"on {clock.channel.value} they expect a reply within "
            f"{_duration(clock.expectation)}."
        )
        return (Alert("slow_reply", index, message, (_whole(turn, index, cue, "open_wait", 0.0),)),)
