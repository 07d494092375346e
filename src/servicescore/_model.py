"""The transcript data model: roles, channels, turns and transcripts."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from ._timeutil import parse_time
from .exceptions import TranscriptError

__all__ = ["Channel", "Role", "Transcript", "Turn"]


class Role(enum.Enum):
    """Who speaks a turn.

    A :attr:`BOT` reply is automated and never counts as a human response;
    :attr:`SYSTEM` turns are events such as IVR prompts or "joined the queue".
    """

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"

    @classmethod
    def parse(cls, value: object) -> Role:
        """Return the role named by *value* (a :class:`Role` or its name, any case).

        Raises:
            TranscriptError: If *value* names no role.
        """
        if isinstance(value, Role):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        expected = ", ".join(repr(r.value) for r in cls)
        raise TranscriptError(
            f"unknown role {value!r} (expected one of {expected})", field="role", value=value
        )


class Channel(enum.Enum):
    """The medium of an interaction.

    :attr:`SOCIAL` posts are public and seen by an audience; :attr:`MESSAGING`
    covers private direct messages, SMS and WhatsApp.
    """

    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"
    MESSAGING = "messaging"

    @classmethod
    def parse(cls, value: object) -> Channel:
        """Return the channel named by *value* (name or common alias, any case).

        Aliases: ``voice``/``call`` for phone, ``twitter`` for social, ``sms``,
        ``dm`` and ``whatsapp`` for messaging.

        Raises:
            TranscriptError: If *value* names no channel.
        """
        if isinstance(value, Channel):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            key = _CHANNEL_ALIASES.get(key, key)
            try:
                return cls(key)
            except ValueError:
                pass
        expected = ", ".join(repr(c.value) for c in cls)
        raise TranscriptError(
            f"unknown channel {value!r} (expected one of {expected})",
            field="channel",
            value=value,
        )


_CHANNEL_ALIASES = {
    "voice": "phone",
    "call": "phone",
    "twitter": "social",
    "sms": "messaging",
    "dm": "messaging",
    "whatsapp": "messaging",
}


def _to_role(value: object) -> Role:
    return Role.parse(value)


def _to_channel(value: object) -> Channel:
    return Channel.parse(value)


def _freeze_meta(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TranscriptError(
            f"metadata must be a mapping, got {type(value).__name__}", field="meta", value=value
        )
    return dict(value)


def _convert_time(value: object) -> float | None:
    try:
        return parse_time(value)
    except (TypeError, ValueError) as exc:
        raise TranscriptError(str(exc), field="time", value=value) from None


def _check_text(instance: Turn, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise TranscriptError(
            f"text must be a string, got {type(value).__name__} {value!r}",
            field="text",
            value=value,
        )


@attrs.frozen(eq=True, hash=False)
class Turn:
    """One message or utterance.

    Args:
        role: Who speaks (:class:`Role` or its name).
        text: What was said or written.
        time: Start of the turn in seconds (epoch, or offset from the start of
            a call); ISO 8601 strings with a zone are converted.
        end: End of the turn in seconds (voice), not before *time*.
        speaker: Optional speaker name or id.
        meta: Free-form metadata.

    Raises:
        TranscriptError: For an unknown role, non-string text, a bad time or
            an end before the start.
    """

    role: Role = attrs.field(converter=_to_role)
    text: str = attrs.field(validator=_check_text)
    time: float | None = attrs.field(default=None, converter=_convert_time)
    end: float | None = attrs.field(default=None, converter=_convert_time)
    speaker: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_meta)

    def __attrs_post_init__(self) -> None:
        if self.time is not None and self.end is not None and self.end < self.time:
            raise TranscriptError(
                f"'end' must not be earlier than 'time' (got {self.end} < {self.time})",
                field="end",
                value=self.end,
            )


def _convert_turns(value: Iterable[Turn]) -> tuple[Turn, ...]:
    turns = tuple(value)
    for index, turn in enumerate(turns):
        if not isinstance(turn, Turn):
            raise TranscriptError(
                f"turn {index} must be a Turn, got {type(turn).__name__}",
                turn=index,
                field="turns",
                value=turn,
            )
    return turns


def _check_id(instance: Transcript, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise TranscriptError(f"id must be a non-empty string, got {value!r}", field="id", value=value)


@attrs.frozen(eq=True, hash=False)
class Transcript:
    """One customer-service interaction.

    Args:
        id: Identifier of the interaction.
        turns: The turns in order.
        channel: Where it happened (:class:`Channel` or its name).
        meta: Metadata such as ``agent``, ``team``, ``company``, ``followers``.

    Raises:
        TranscriptError: If a turn is invalid or turn start times decrease.

    Example:
        >>> t = Transcript("t1", [Turn("customer", "Hi", time=0), Turn("agent", "Hello!", time=4)],
        ...                channel="chat")
        >>> len(t), t.turns[1].role
        (2, <Role.AGENT: 'agent'>)
    """

    id: str = attrs.field(validator=_check_id)
    turns: tuple[Turn, ...] = attrs.field(converter=_convert_turns)
    channel: Channel = attrs.field(default=Channel.CHAT, converter=_to_channel)
    meta: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_meta)

    def __attrs_post_init__(self) -> None:
        last: float | None = None
        last_index = -1
        for index, turn in enumerate(self.turns):
            if turn.time is None:
                continue
            if last is not None and turn.time < last:
                raise TranscriptError(
                    f"'time' of turn {index} must not be earlier than turn {last_index} "
                    f"(got {turn.time} < {last})",
                    turn=index,
                    field="time",
                    value=turn.time,
                )
            last, last_index = turn.time, index

    def __len__(self) -> int:
        return len(self.turns)

    def __iter__(self) -> Iterator[Turn]:
        return iter(self.turns)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Transcript:
        """Build a transcript from one canonical record.

        The record looks like ``{"id": "t1", "channel": "chat", "turns":
        [{"role": "customer", "text": "...", "time": "2026-03-04T10:15:02Z"}],
        "metadata": {"agent": "a7"}}``.

        Raises:
            TranscriptError: With ``field`` set to the path of the bad value,
                e.g. ``turns[2].role``.
        """
        if not isinstance(record, Mapping):
            raise TranscriptError(f"record must be an object, got {type(record).__name__}", value=record)
        if "id" not in record:
            raise TranscriptError("missing required field", field="id")
        raw_turns = record.get("turns")
        if not isinstance(raw_turns, list | tuple):
            raise TranscriptError(
                f"must be a list of turns, got {type(raw_turns).__name__}",
                field="turns",
                value=raw_turns,
            )
        turns = []
        for index, raw in enumerate(raw_turns):
            if not isinstance(raw, Mapping):
                raise TranscriptError(
                    f"must be an object, got {type(raw).__name__}",
                    turn=index,
                    field=f"turns[{index}]",
                    value=raw,
                )
            for required in ("role", "text"):
                if required not in raw:
                    raise TranscriptError(
                        "missing required field", turn=index, field=f"turns[{index}].{required}"
                    )
            try:
                turns.append(
                    Turn(
                        raw["role"],
                        raw["text"],
                        time=raw.get("time"),
                        end=raw.get("end"),
                        speaker=raw.get("speaker"),
                        meta=raw.get("meta"),
                    )
                )
            except TranscriptError as exc:
                raise TranscriptError(
                    exc.message, turn=index, field=f"turns[{index}].{exc.field}", value=exc.value
                ) from None
        try:
            return cls(
                str(record["id"]) if isinstance(record["id"], int) else record["id"],
                turns,
                channel=record.get("channel", "chat"),
                meta=record.get("metadata"),
            )
        except TranscriptError as exc:
            field = exc.field if exc.turn is None else f"turns[{exc.turn}].{exc.field}"
            raise TranscriptError(exc.message, turn=exc.turn, field=field, value=exc.value) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical record; :meth:`from_dict` inverts it exactly.

        Times are written as float seconds so the round trip is exact.
        """
        turns = []
        for turn in self.turns:
            raw: dict[str, Any] = {"role": turn.role.value, "text": turn.text}
            if turn.time is not None:
                raw["time"] = turn.time
            if turn.end is not None:
                raw["end"] = turn.end
            if turn.speaker is not None:
                raw["speaker"] = turn.speaker
            if turn.meta:
                raw["meta"] = dict(turn.meta)
            turns.append(raw)
        return {
            "id": self.id,
            "channel": self.channel.value,
            "turns": turns,
            "metadata": dict(self.meta),
        }
