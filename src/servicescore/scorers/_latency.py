"""How much slower than the channel leads people to expect a customer was answered."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import cast

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis
from .._business_hours import BusinessHours
from .._incremental import ScoreAccumulator
from .._model import Channel, Role, Transcript, Turn
from .._score import Evidence, Score
from .._text import NEGATORS, tokenize

__all__ = ["DEFAULT_EXPECTATIONS", "LatencyScorer"]

#: Seconds within which people expect a reply, per channel. Each number is
#: the customer-facing expectation (or, for the phone, the operators' usual
#: target) at which the scorer's value is 0.5.
DEFAULT_EXPECTATIONS: Mapping[Channel, float] = MappingProxyType(
    {
        # Phone: 20 s to answer, the "80/20" service level (80% of calls
        # answered within 20 s) that most call centres adopt; a convention
        # popularised by AT&T in the 1980s rather than a measured tolerance.
        # The same figure marks long dead air and holds inside a call.
        Channel.PHONE: 20.0,
        # Live chat: one minute. Comm100 Live Chat Benchmark Report 2020: the
        # average wait for an agent to pick up a chat was 46 s in 2019 (48 s in
        # 2018), so a first reply after a minute is slower than usual.
        Channel.CHAT: 60.0,
        # Email: one business day. Toister Performance Solutions' 2015 email
        # response-time survey (>1,000 US adults): "one business day" was the
        # most chosen expectation (43.4%), while 43.9% expected faster.
        Channel.EMAIL: 86_400.0,
        # Public social media: one hour. Lithium / Millward Brown Digital 2013
        # (501 Twitter users): 53% of those who expect a brand to reply want it
        # within the hour, 72% when they complain.
        Channel.SOCIAL: 3_600.0,
        # Private messaging (DMs, SMS, WhatsApp): 15 minutes, the response time
        # Facebook requires (with a 90% response rate) for a Page's "Very
        # responsive to messages" badge.
        Channel.MESSAGING: 900.0,
    }
)

#: Weights of the first response, the 90th-percentile wait and the longest
#: wait (or hold) in the combined wait ratio. The first reply weighs most
#: because it is the wait customers judge a brand on (it is the headline
#: help-desk metric); p90 and max keep a slow middle or one long gap visible.
_W_FIRST, _W_P90, _W_MAX = 0.5, 0.3, 0.2

#: SYSTEM events that put a call on hold or take it off hold (event texts such
#: as "Customer placed on hold", "Hold music playing", "Hold ended"). A
#: transfer ("Call transferred to queue: returns") also leaves the caller
#: waiting for the next agent, so it starts a hold too.
_HOLD_END = re.compile(
    r"\b(?:off[ -]hold|unhold|hold (?:ended|end|stopped|released)|resum\w*|retriev\w*)\b", re.IGNORECASE
)
_HOLD_START = re.compile(r"\b(?:on[ -]hold|hold|holding|transfer\w*)\b", re.IGNORECASE)

_DETAIL_KEYS = (
    "first_response_s",
    "median_wait_s",
    "p90_wait_s",
    "max_wait_s",
    "waits",
    "waits_over_expectation",
    "unanswered",
    "handle_time_s",
    "expectation_s",
    "silence_s",
    "hold_s",
)


def _convert_expectations(
    value: Mapping[Channel, float] | Mapping[str, float] | None,
) -> Mapping[Channel, float]:
    merged = dict(DEFAULT_EXPECTATIONS)
    if value is None:
        return MappingProxyType(merged)
    if not isinstance(value, Mapping):
        raise TypeError(f"expectations must map channels to seconds, got {type(value).__name__}")
    for key, seconds in value.items():
        channel = Channel.parse(key)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError(
                f"expectation for {channel.value!r} must be seconds, got {type(seconds).__name__} {seconds!r}"
            )
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"expectation for {channel.value!r} must be positive seconds, got {seconds!r}")
        merged[channel] = float(seconds)
    return MappingProxyType(merged)


def _check_business_hours(
    instance: LatencyScorer, attribute: attrs.Attribute[BusinessHours | None], value: object
) -> None:
    if value is not None and not isinstance(value, BusinessHours):
        raise TypeError(f"business_hours must be a BusinessHours or None, got {type(value).__name__}")


def _check_unit(instance: LatencyScorer, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in [0, 1], got {value!r}")


def _check_name(instance: LatencyScorer, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"name must be a non-empty string, got {value!r}")


def _saturate(ratio: float) -> float:
    """Map a wait ratio (wait / expectation) in [0, inf) monotonically onto [0, 1).

    A log-logistic curve of shape 2: 0 for no wait, 0.2 at half the
    expectation, 0.5 at the expectation, 0.8 at twice it, 0.9 at three times.
    """
    if math.isinf(ratio):
        return 1.0
    squared = ratio * ratio
    return squared / (1.0 + squared)


def _quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (NumPy's default method)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _duration(seconds: float) -> str:
    """Format seconds for a cue: ``45 s``, ``3 min 20 s``, ``2 h 10 min``, ``3 d 4 h``."""
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.1f} s" if seconds < 10 and whole != seconds else f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _nan_details() -> dict[str, float]:
    return dict.fromkeys(_DETAIL_KEYS, math.nan)


@attrs.frozen
class _Wait:
    reply: int
    seconds: float


@attrs.frozen
class _Hold:
    turn: int
    seconds: float
    explicit: bool


@attrs.frozen(kw_only=True)
class LatencyScorer:
    """Score how much slower than expected a customer was answered.

    **Range and direction.** ``value`` lies in ``[0, 1]``; higher is *slower*
    than the channel leads people to expect (bad). When every wait equals
    the channel's expectation the value is 0.5.

    **Waits.** The customer waits from a customer message until the next
    human :attr:`~servicescore.Role.AGENT` turn; bot and system turns do not
    end a wait. Several customer messages in a row are one wait that starts
    at the first of them, as help desks count it. The first wait is the
    *first response*. Customer messages after the last agent turn are
    *unanswered*. In voice transcripts (the phone channel, or any turn with
    an ``end``) a wait starts when the customer stops speaking (the end of
    their latest turn); a call that opens with IVR, queue or customer turns
    waits from its first turn until an agent speaks (speed of answer).

    **Voice.** Gaps from the end of one turn (the latest end so far) to
    the start of the next are non-talk time; before the first agent turn
    they are queue time, counted in the first response only. A gap is a
    *hold* while a system hold or transfer event is active (until an agent
    speaks or a "hold ended" event), or when the agent spoke last and a
    silence longer than the expectation is broken by the agent or the
    system rather than the customer; every other gap is *silence*.

    **Value.** With ``r = wait / expectation`` and
    ``R = 0.5 r_first + 0.3 r_p90 + 0.2 r_max`` (``r_max`` also covers the
    longest hold), ``value = 1 - (1 - R²/(1 + R²)) (1 - u)`` where ``u`` is
    *unanswered_weight* when a text conversation ends with unanswered
    customer messages, else 0. A customer who never got any human agent
    turn scores 1. The value depends on waits only through their ratio to
    the expectation, so it is unchanged by shifting all times and by scaling
    times and expectations together, and it never falls when waits grow.

    **Evidence.** Whole-turn spans (``start=0``, ``end=len(text)``): the
    first response (category ``"first_response"``, at the reply), every
    later wait longer than the expectation (``"wait"``), each unanswered
    final customer message (``"unanswered"``), each hold (``"hold"``, at the
    hold event or the agent turn ending it) and each silence longer than the
    expectation (``"silence"``, weight 0: reported, not scored). A wait's
    weight is ``r²/(1 + r²) - 0.5``: positive when slower than expected,
    negative when faster.

    **Details** (seconds, or counts; ``nan`` when not applicable):
    ``first_response_s``, ``median_wait_s``, ``p90_wait_s``, ``max_wait_s``,
    ``waits``, ``waits_over_expectation``, ``unanswered``, ``handle_time_s``
    (first turn to the end of the last), ``expectation_s``, ``silence_s``
    and ``hold_s`` (voice only). With *business_hours*, waits and handle time
    are business seconds and the expectation is read in business time;
    silences and holds stay wall-clock.

    ``value`` is ``None`` (with a ``reason``) when there is no customer turn,
    when a customer or agent turn has no time, or when a call has no wait to
    measure.

    Args:
        name: Name the score is reported under.
        expectations: Seconds within which people expect a reply, per
            :class:`~servicescore.Channel` (or its name); entries given
            replace the defaults for those channels only: phone 20 s,
            chat 60 s, email 24 h, social 1 h, messaging 15 min (sources in
            the module's comments and the latency explanation page).
        business_hours: Count waits in business time only.
        unanswered_weight: Share of the scale added when a text conversation
            ends with unanswered customer messages (a final message may be a
            thank-you needing no reply, so this is not an endless wait).

    Raises:
        TypeError: For configuration values of the wrong type.
        ValueError: For non-positive expectations or a weight outside [0, 1].

    Example:
        >>> from servicescore import Transcript, Turn
        >>> chat = Transcript("c1", [
        ...     Turn("customer", "Is my order late?", time=0),
        ...     Turn("bot", "Thanks! An agent will reply soon.", time=2),
        ...     Turn("agent", "Hi! It ships today.", time=90),
        ... ], channel="chat")
        >>> score = LatencyScorer()(chat)
        >>> score.details["first_response_s"], round(score.value, 2)
        (90.0, 0.69)
        >>> score.evidence[0].cue
        'first reply after 1 min 30 s'
    """

    name: str = attrs.field(default="latency", validator=_check_name)
    expectations: Mapping[Channel, float] = attrs.field(
        default=None, converter=_convert_expectations, hash=False
    )
    business_hours: BusinessHours | None = attrs.field(default=None, validator=_check_business_hours)
    unanswered_weight: float = attrs.field(default=0.25, validator=_check_unit)

    def __reduce__(self) -> tuple[object, ...]:
        # The expectations are a read-only mapping proxy, which cannot be
        # pickled itself; rebuild from plain values instead.
        return (
            _rebuild,
            (self.name, dict(self.expectations), self.business_hours, self.unanswered_weight),
        )

    def lexicon_requests(self) -> tuple[()]:
        """No lexicon: latency reads only the turns' roles and times."""
        return ()

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator for *transcript*'s channel: feed it turns in order, read its score any time."""
        return _LatencyAccumulator(self, transcript.channel)

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or an analysis of one).

        Returns:
            A :class:`~servicescore.Score` whose value lies in ``[0, 1]``
            (higher = slower than expected) or is ``None`` with a reason.
        """
        transcript = item if isinstance(item, Transcript) else item.transcript
        accumulator = _LatencyAccumulator(self, transcript.channel)
        for index, turn in enumerate(transcript.turns):
            accumulator.add_turn(index, turn)
        return accumulator.score()


def _rebuild(
    name: str,
    expectations: Mapping[Channel, float] | Mapping[str, float],
    business_hours: BusinessHours | None,
    unanswered_weight: float,
) -> LatencyScorer:
    return LatencyScorer(
        name=name,
        expectations=expectations,
        business_hours=business_hours,
        unanswered_weight=unanswered_weight,
    )


def _wall(start: float, end: float) -> float:
    return end - start


def _start(turn: Turn) -> float:
    assert turn.time is not None  # only timed turns are passed
    return turn.time


def _done(turn: Turn) -> float:
    """When a turn is complete: its end for voice, else its time."""
    return turn.end if turn.end is not None else _start(turn)


class _Waits:
    """Customer waits for a human agent, read turn by turn (timed turns only)."""

    __slots__ = (
        "elapsed",
        "evidence",
        "expectation",
        "opening",
        "pending",
        "pending_turn",
        "seconds",
        "started",
        "unanswered",
        "voice",
        "waits",
    )

    def __init__(self, expectation: float, *, voice: bool, elapsed: Callable[[float, float], float]) -> None:
        self.expectation, self.voice, self.elapsed = expectation, voice, elapsed
        self.waits: list[_Wait] = []
        self.seconds: list[float] = []  # the waits' seconds, sorted
        self.evidence: list[Evidence] = []  # the first reply, and each later wait over the expectation
        self.pending: float | None = None  # since when the customer waits
        self.pending_turn: int | None = None  # the turn that started the wait
        self.opening = False
        self.unanswered: list[int] = []  # customer turns since the last agent turn
        self.started = False  # whether a turn was read

    def add(self, index: int, turn: Turn) -> None:
        role, voice = turn.role, self.voice
        if not self.started:
            self.started = True
            if voice and role is not Role.AGENT:
                # A call that opens with IVR, queue or customer turns: the caller
                # waits from the first turn until an agent speaks.
                self.pending, self.pending_turn, self.opening = _start(turn), index, True
        if role is Role.CUSTOMER:
            self.unanswered.append(index)
            if self.pending is None or (voice and not self.opening):
                self.pending = _done(turn) if voice else _start(turn)
                self.pending_turn = index
        elif role is Role.AGENT:
            if self.pending is not None:
                self._wait(index, turn, max(0.0, self.elapsed(self.pending, _start(turn))))
            self.pending, self.pending_turn, self.opening = None, None, False
            self.unanswered = []

    def _wait(self, index: int, turn: Turn, seconds: float) -> None:
        if not self.waits:
            cue, category = f"first reply after {_duration(seconds)}", "first_response"
        elif seconds > self.expectation:
            cue, category = f"reply after {_duration(seconds)}", "wait"
        else:
            cue = ""
        if cue:
            weight = _saturate(seconds / self.expectation) - 0.5
            self.evidence.append(Evidence(index, 0, len(turn.text), cue, category, weight))
        self.waits.append(_Wait(index, seconds))
        bisect.insort(self.seconds, seconds)


#: Words of a closing message that expects no reply.
_THANKS = frozenset({"thanks", "thank", "thx", "ty", "cheers", "bye", "goodbye", "appreciated", "appreciate"})
_ACKNOWLEDGEMENTS = frozenset(
    {"ok", "okay", "great", "perfect", "awesome", "brilliant", "cool", "got", "it", "k"}
)
#: A closing is short; a long message with "thanks" in it usually asks for more.
_CLOSING_WORDS = 12


def _is_closing(text: str) -> bool:
    """Whether a final customer message only thanks or acknowledges (``Great, thank you!``)."""
    tokens = tokenize(text)
    words = [t.norm for t in tokens if t.kind == "word"]
    if (
        any(t.text == "?" for t in tokens)
        or not words
        or len(words) > _CLOSING_WORDS
        or NEGATORS & set(words)
    ):
        return False
    return bool(_THANKS & set(words)) or set(words) <= _ACKNOWLEDGEMENTS


class _Gaps:
    """Holds and long silences of a call, read turn by turn (timed turns only).

    A gap runs from the latest end (or start) so far to the next turn's
    start. Gaps before the first agent turn are queue time (reported as the
    first response), not silence or hold. Without turn ends, gaps between
    starts include speech, so only explicit hold events are measured and
    silence is ``nan``. Long silences are listed only where no wait
    evidence already covers them (gaps not ended by an agent turn).
    """

    __slots__ = (
        "agent_spoke_last",
        "answered",
        "episode",
        "expectation",
        "frontier",
        "has_ends",
        "hold_total",
        "holds",
        "silence_total",
        "silences",
    )

    def __init__(self, expectation: float, *, has_ends: bool) -> None:
        self.expectation, self.has_ends = expectation, has_ends
        self.holds: list[_Hold] = []
        self.silences: list[tuple[int, float]] = []
        self.hold_total = self.silence_total = 0.0
        self.frontier: float | None = None
        self.episode: _Hold | None = None  # a hold still running
        self.answered = self.agent_spoke_last = False

    def add(self, index: int, turn: Turn) -> None:
        start, role, has_ends = _start(turn), turn.role, self.has_ends
        frontier, episode = self.frontier, self.episode
        if self.answered and frontier is not None and start > frontier:
            gap = start - frontier
            if episode is not None:
                episode = _Hold(episode.turn, episode.seconds + gap, True)
                self.hold_total += gap
            elif has_ends and self.agent_spoke_last and role is not Role.CUSTOMER and gap > self.expectation:
                self.holds.append(_Hold(index, gap, False))
                self.hold_total += gap
            elif has_ends:
                self.silence_total += gap
                if gap > self.expectation and role is not Role.AGENT:
                    self.silences.append((index, gap))
        if role is Role.SYSTEM and _HOLD_END.search(turn.text):
            if episode is not None:
                self.holds.append(episode)
                episode = None
        elif role is Role.SYSTEM and self.answered and _HOLD_START.search(turn.text):
            if episode is None:
                episode = _Hold(index, 0.0, True)
        elif role is Role.AGENT and episode is not None:
            self.holds.append(episode)
            episode = None
        self.episode = episode
        if role is Role.AGENT:
            self.answered = self.agent_spoke_last = True
        elif role is Role.CUSTOMER:
            self.agent_spoke_last = False
        done = _done(turn)
        self.frontier = done if frontier is None else max(frontier, done)

    def result(self) -> tuple[list[_Hold], list[tuple[int, float]], float, float]:
        """Holds (a running one included), silences, and total hold and silence seconds."""
        holds = self.holds if self.episode is None else [*self.holds, self.episode]
        silence = self.silence_total if self.has_ends else math.nan
        return holds, self.silences, self.hold_total, silence


class _LatencyAccumulator:
    """The running state of :class:`LatencyScorer` over one conversation, turn by turn.

    Waits, holds and silences are folded as turns arrive; reading the score
    sorts the few evidence spans and checks the trailing unanswered customer
    messages. A call's first turn with an end time changes how the turns are
    read (as speech with pauses), so the folds are rebuilt then, once.
    """

    __slots__ = (
        "agents",
        "channel",
        "closings",
        "customers",
        "elapsed",
        "expectation",
        "first_start",
        "gaps",
        "has_ends",
        "last_done",
        "scorer",
        "timed",
        "turns",
        "untimed",
        "waits",
    )

    def __init__(self, scorer: LatencyScorer, channel: Channel) -> None:
        self.scorer, self.channel = scorer, channel
        self.expectation = scorer.expectations[channel]
        hours = scorer.business_hours
        self.elapsed: Callable[[float, float], float] = hours.elapsed if hours is not None else _wall
        self.turns: list[Turn] = []
        self.timed: list[tuple[int, Turn]] = []
        self.untimed: tuple[int, Turn] | None = None  # the first customer or agent turn with no time
        self.customers = self.agents = 0
        self.has_ends = False
        self.first_start: float | None = None
        self.last_done = -math.inf
        self.closings: dict[int, bool] = {}  # whether a customer turn only thanks or acknowledges
        self.waits, self.gaps = self._folds()

    @property
    def voice(self) -> bool:
        return self.has_ends or self.channel is Channel.PHONE

    def _folds(self) -> tuple[_Waits, _Gaps | None]:
        waits = _Waits(self.expectation, voice=self.voice, elapsed=self.elapsed)
        gaps = _Gaps(self.expectation, has_ends=self.has_ends) if self.voice else None
        for index, turn in self.timed:
            waits.add(index, turn)
            if gaps is not None:
                gaps.add(index, turn)
        return waits, gaps

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        """Read the next turn (only its role and times count)."""
        self.add_turn(facts.index, facts.turn)

    def add_turn(self, index: int, turn: Turn) -> None:
        """Read turn *index* of the conversation."""
        self.turns.append(turn)
        role = turn.role
        if role is Role.CUSTOMER:
            self.customers += 1
        elif role is Role.AGENT:
            self.agents += 1
        if turn.time is None:
            if self.untimed is None and role in (Role.CUSTOMER, Role.AGENT):
                self.untimed = (index, turn)
            return
        self.timed.append((index, turn))
        if self.first_start is None:
            self.first_start = _start(turn)
        self.last_done = max(self.last_done, _done(turn))
        if turn.end is not None and not self.has_ends:
            self.has_ends = True
            self.waits, self.gaps = self._folds()
            return
        self.waits.add(index, turn)
        if self.gaps is not None:
            self.gaps.add(index, turn)

    def _closing(self, index: int) -> bool:
        known = self.closings.get(index)
        if known is None:
            known = self.closings[index] = _is_closing(self.turns[index].text)
        return known

    def score(self) -> Score:
        """The score of the turns read so far."""
        name, expectation = self.scorer.name, self.expectation
        if not self.customers:
            return _none(name, "no customer turn: there is no wait to measure")
        if self.untimed is not None:
            index, turn = self.untimed
            return _none(
                name,
                f"turn {index} ({turn.role.value}) has no time; latency needs the times "
                "of customer and agent turns",
            )
        waits, voice = self.waits, self.voice
        unanswered = list(waits.unanswered)
        if waits.waits:  # a closing "thanks, bye" after a human reply expects no answer
            while unanswered and self._closing(unanswered[-1]):
                unanswered.pop()
        if self.gaps is not None:
            holds, silences, hold_s, silence_s = self.gaps.result()
        else:
            holds, silences, hold_s, silence_s = [], [], math.nan, math.nan
        seconds = waits.seconds
        details = _nan_details()
        details.update(
            waits=float(len(seconds)),
            waits_over_expectation=float(sum(s > expectation for s in seconds)),
            unanswered=float(len(unanswered)),
            expectation_s=expectation,
            silence_s=silence_s,
            hold_s=hold_s,
            handle_time_s=max(0.0, self.elapsed(cast(float, self.first_start), self.last_done)),
        )
        if seconds:
            details.update(
                first_response_s=waits.waits[0].seconds,
                median_wait_s=_quantile(seconds, 0.5),
                p90_wait_s=_quantile(seconds, 0.9),
                max_wait_s=seconds[-1],
            )
        turns = self.turns
        if not self.agents:
            evidence = [
                _span(turns, index, "no human agent ever replied", "unanswered", 1.0 / len(unanswered))
                for index in unanswered
            ]
            return _score(name, 1.0, evidence, details, None)

        evidence = list(waits.evidence)
        penalty = self.scorer.unanswered_weight if unanswered and not voice else 0.0
        if penalty:
            for index in unanswered:
                cue = f"no reply to the final customer message{'s' if len(unanswered) > 1 else ''}"
                evidence.append(_span(turns, index, cue, "unanswered", penalty / len(unanswered)))
        for hold in holds:
            cue = f"{'on hold' if hold.explicit else 'silent agent'} {_duration(hold.seconds)}"
            evidence.append(_span(turns, hold.turn, cue, "hold", _saturate(hold.seconds / expectation) - 0.5))
        for index, gap in silences:
            evidence.append(_span(turns, index, f"silence {_duration(gap)}", "silence", 0.0))

        if not seconds and not holds and not penalty:
            return _score(name, None, evidence, details, "no customer wait for an agent to measure")
        longest = max([*seconds, *(hold.seconds for hold in holds)], default=0.0)
        combined = 0.0
        if seconds:
            combined += _W_FIRST * waits.waits[0].seconds / expectation
            combined += _W_P90 * details["p90_wait_s"] / expectation
        combined += _W_MAX * longest / expectation
        value = 1.0 - (1.0 - _saturate(combined)) * (1.0 - penalty)
        return _score(name, min(1.0, max(0.0, value)), evidence, details, None)


def _none(name: str, reason: str) -> Score:
    return _score(name, None, [], _nan_details(), reason)


def _span(turns: Sequence[Turn], index: int, cue: str, category: str, weight: float) -> Evidence:
    return Evidence(index, 0, len(turns[index].text), cue, category, weight)


def _score(
    name: str, value: float | None, evidence: list[Evidence], details: dict[str, float], reason: str | None
) -> Score:
    """Build the score, evidence in turn order (stable for one turn)."""
    ordered = tuple(sorted(evidence, key=lambda item: item.turn))
    return Score(name, value, ordered, details, reason)
