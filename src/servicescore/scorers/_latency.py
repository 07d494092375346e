"""How much slower than the channel leads people to expect a customer was answered."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

import attrs

from .._analysis import Analysis
from .._business_hours import BusinessHours
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

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or an analysis of one).

        Returns:
            A :class:`~servicescore.Score` whose value lies in ``[0, 1]``
            (higher = slower than expected) or is ``None`` with a reason.
        """
        transcript = item if isinstance(item, Transcript) else item.transcript
        turns = transcript.turns
        if not any(turn.role is Role.CUSTOMER for turn in turns):
            return self._none("no customer turn: there is no wait to measure")
        for index, turn in enumerate(turns):
            if turn.time is None and turn.role in (Role.CUSTOMER, Role.AGENT):
                return self._none(
                    f"turn {index} ({turn.role.value}) has no time; latency needs the times "
                    "of customer and agent turns"
                )
        expectation = self.expectations[transcript.channel]
        timed = [(index, turn) for index, turn in enumerate(turns) if turn.time is not None]
        has_ends = any(turn.end is not None for _, turn in timed)
        voice = has_ends or transcript.channel is Channel.PHONE
        elapsed: Callable[[float, float], float] = (
            self.business_hours.elapsed if self.business_hours is not None else _wall
        )

        waits, unanswered = _waits(timed, voice=voice, elapsed=elapsed)
        holds, silences, hold_s, silence_s = (
            _gaps(timed, expectation, has_ends=has_ends) if voice else ([], [], math.nan, math.nan)
        )
        seconds = sorted(wait.seconds for wait in waits)
        details = _nan_details()
        details.update(
            waits=float(len(waits)),
            waits_over_expectation=float(sum(s > expectation for s in seconds)),
            unanswered=float(len(unanswered)),
            expectation_s=expectation,
            silence_s=silence_s,
            hold_s=hold_s,
            handle_time_s=max(0.0, elapsed(_start(timed[0][1]), max(_done(turn) for _, turn in timed))),
        )
        if seconds:
            details.update(
                first_response_s=waits[0].seconds,
                median_wait_s=_quantile(seconds, 0.5),
                p90_wait_s=_quantile(seconds, 0.9),
                max_wait_s=seconds[-1],
            )

        evidence: list[Evidence] = []
        never_answered = not any(turn.role is Role.AGENT for turn in turns)
        if never_answered:
            for index in unanswered:
                evidence.append(
                    _span(turns, index, "no human agent ever replied", "unanswered", 1.0 / len(unanswered))
                )
            return _score(self.name, 1.0, evidence, details, None)

        for position, wait in enumerate(waits):
            ratio = wait.seconds / expectation
            if position == 0:
                cue, category = f"first reply after {_duration(wait.seconds)}", "first_response"
            elif wait.seconds > expectation:
                cue, category = f"reply after {_duration(wait.seconds)}", "wait"
            else:
                continue
            evidence.append(_span(turns, wait.reply, cue, category, _saturate(ratio) - 0.5))
        penalty = self.unanswered_weight if unanswered and not voice else 0.0
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
            return _score(self.name, None, evidence, details, "no customer wait for an agent to measure")
        longest = max([*seconds, *(hold.seconds for hold in holds)], default=0.0)
        combined = 0.0
        if seconds:
            combined += _W_FIRST * waits[0].seconds / expectation
            combined += _W_P90 * details["p90_wait_s"] / expectation
        combined += _W_MAX * longest / expectation
        value = 1.0 - (1.0 - _saturate(combined)) * (1.0 - penalty)
        return _score(self.name, min(1.0, max(0.0, value)), evidence, details, None)

    def _none(self, reason: str) -> Score:
        return _score(self.name, None, [], _nan_details(), reason)


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


def _waits(
    timed: list[tuple[int, Turn]], *, voice: bool, elapsed: Callable[[float, float], float]
) -> tuple[list[_Wait], list[int]]:
    """Customer waits for a human agent, and the unanswered final customer turns."""
    waits: list[_Wait] = []
    pending: float | None = None
    opening = False
    if voice and timed and timed[0][1].role is not Role.AGENT:
        # A call that opens with IVR, queue or customer turns: the caller
        # waits from the first turn until an agent speaks.
        pending, opening = _start(timed[0][1]), True
    unanswered: list[int] = []
    timed_turns = dict(timed)
    for index, turn in timed:
        if turn.role is Role.CUSTOMER:
            unanswered.append(index)
            if pending is None or (voice and not opening):
                pending = _done(turn) if voice else _start(turn)
        elif turn.role is Role.AGENT:
            if pending is not None:
                waits.append(_Wait(index, max(0.0, elapsed(pending, _start(turn)))))
            pending, opening = None, False
            unanswered = []
    if waits:  # a closing "thanks, bye" after a human reply expects no answer
        while unanswered and _is_closing(timed_turns[unanswered[-1]].text):
            unanswered.pop()
    return waits, unanswered


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


def _gaps(
    timed: list[tuple[int, Turn]], expectation: float, *, has_ends: bool
) -> tuple[list[_Hold], list[tuple[int, float]], float, float]:
    """Holds and long silences of a call, with total hold and silence seconds.

    A gap runs from the latest end (or start) so far to the next turn's
    start. Gaps before the first agent turn are queue time (reported as the
    first response), not silence or hold. Without turn ends, gaps between
    starts include speech, so only explicit hold events are measured and
    silence is ``nan``. Long silences are listed only where no wait
    evidence already covers them (gaps not ended by an agent turn).
    """
    holds: list[_Hold] = []
    silences: list[tuple[int, float]] = []
    hold_total = silence_total = 0.0
    frontier: float | None = None
    episode: _Hold | None = None
    answered = agent_spoke_last = False
    for index, turn in timed:
        start = _start(turn)
        if answered and frontier is not None and start > frontier:
            gap = start - frontier
            if episode is not None:
                episode = _Hold(episode.turn, episode.seconds + gap, True)
                hold_total += gap
            elif has_ends and agent_spoke_last and turn.role is not Role.CUSTOMER and gap > expectation:
                holds.append(_Hold(index, gap, False))
                hold_total += gap
            elif has_ends:
                silence_total += gap
                if gap > expectation and turn.role is not Role.AGENT:
                    silences.append((index, gap))
        if turn.role is Role.SYSTEM and _HOLD_END.search(turn.text):
            if episode is not None:
                holds.append(episode)
                episode = None
        elif turn.role is Role.SYSTEM and answered and _HOLD_START.search(turn.text):
            if episode is None:
                episode = _Hold(index, 0.0, True)
        elif turn.role is Role.AGENT and episode is not None:
            holds.append(episode)
            episode = None
        if turn.role is Role.AGENT:
            answered = agent_spoke_last = True
        elif turn.role is Role.CUSTOMER:
            agent_spoke_last = False
        done = _done(turn)
        frontier = done if frontier is None else max(frontier, done)
    if episode is not None:
        holds.append(episode)
    return holds, silences, hold_total, silence_total if has_ends else math.nan


def _span(turns: tuple[Turn, ...], index: int, cue: str, category: str, weight: float) -> Evidence:
    return Evidence(index, 0, len(turns[index].text), cue, category, weight)


def _score(
    name: str, value: float | None, evidence: list[Evidence], details: dict[str, float], reason: str | None
) -> Score:
    """Build the score, evidence in turn order (stable for one turn)."""
    ordered = tuple(sorted(evidence, key=lambda item: item.turn))
    return Score(name, value, ordered, details, reason)
