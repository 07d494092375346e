"""Vendor analytics JSON to canonical records (private).

Covers Amazon Connect Contact Lens output (voice and chat, ``Transcript`` at
the top level or nested in ``ConversationCharacteristics``), Amazon Transcribe
Call Analytics output (``ParticipantRole`` on each turn) and Google CCAI
Insights conversation JSON (``entries``). Field shapes follow the vendors'
public documentation; see ``docs/how-to/load-formats.md``.
"""

from __future__ import annotations

import math
from typing import Any

from .._timeutil import MAX_SECONDS, parse_time, short_repr
from ..exceptions import FormatError

__all__ = ["convert_vendor", "vendor_kind"]

_AWS_ROLES = {"CUSTOMER": "customer", "AGENT": "agent", "SYSTEM": "system", "CUSTOM_BOT": "bot"}
_CCAI_ROLES = {
    "AGENT": "agent",
    "HUMAN_AGENT": "agent",
    "AUTOMATED_AGENT": "bot",
    "CUSTOMER": "customer",
    "END_USER": "customer",
}


def _aws_transcript(record: dict[str, Any]) -> Any:
    if "Transcript" in record:
        return record["Transcript"]
    characteristics = record.get("ConversationCharacteristics")
    if isinstance(characteristics, dict):
        return characteristics.get("Transcript")
    return None


def vendor_kind(record: dict[str, Any]) -> str | None:
    """Return ``"aws"`` or ``"ccai"`` when *record* is a vendor document, else ``None``."""
    if "turns" in record:
        return None
    if "entries" in record:
        return "ccai"
    if _aws_transcript(record) is not None:
        return "aws"
    return None


def convert_vendor(
    record: dict[str, Any], kind: str, default_id: str, where: dict[str, Any]
) -> dict[str, Any]:
    """Convert a vendor document into a canonical record.

    Raises:
        FormatError: Naming the vendor field at fault (``where`` supplies path/line).
    """
    if kind == "ccai":
        return _ccai(record, default_id, where)
    return _aws(record, default_id, where)


def _fail(reason: str, field: str, where: dict[str, Any]) -> FormatError:
    return FormatError(reason, field=field, **where)


def _seconds(value: object, divisor: float, unit: str, field: str, where: dict[str, Any]) -> float:
    """*value* (a JSON number of *unit*) divided into seconds, range-checked."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"expected {unit}, got {short_repr(value)}", field, where)
    try:
        seconds = value / divisor
    except OverflowError:
        seconds = float("inf")
    if not math.isfinite(seconds) or abs(seconds) > MAX_SECONDS:
        raise _fail(f"{unit} out of range, got {short_repr(value)}", field, where)
    return seconds


def _object(record: dict[str, Any], key: str, where: dict[str, Any]) -> dict[str, Any]:
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(f"must be an object, got {type(value).__name__}", key, where)
    return value


def _list(value: object, field: str, where: dict[str, Any]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"must be a list, got {type(value).__name__}", field, where)
    return value


def _ccai(record: dict[str, Any], default_id: str, where: dict[str, Any]) -> dict[str, Any]:
    entries = record["entries"]
    if not isinstance(entries, list):
        raise _fail(f"must be a list, got {type(entries).__name__}", "entries", where)
    turns = []
    for index, entry in enumerate(entries):
        field = f"entries[{index}]"
        if not isinstance(entry, dict):
            raise _fail("must be an object", field, where)
        role = entry.get("role")
        if not isinstance(role, str) or role not in _CCAI_ROLES:
            raise _fail(
                f"unknown role {short_repr(role)} (expected one of {', '.join(_CCAI_ROLES)})",
                f"{field}.role",
                where,
            )
        usec = entry.get("start_timestamp_usec")
        if usec is not None and not isinstance(usec, int):
            raise _fail(
                f"expected integer microseconds, got {short_repr(usec)}",
                f"{field}.start_timestamp_usec",
                where,
            )
        if "text" not in entry:
            raise _fail("missing required field", f"{field}.text", where)
        turn: dict[str, Any] = {"role": _CCAI_ROLES[role], "text": entry["text"]}
        if usec is not None:
            turn["time"] = _seconds(usec, 1e6, "integer microseconds", f"{field}.start_timestamp_usec", where)
        if entry.get("user_id") is not None:
            turn["speaker"] = str(entry["user_id"])
        turns.append(turn)
    info = _object(record, "conversation_info", where)
    found = _list(info.get("categories"), "conversation_info.categories", where)
    categories = [c.get("display_name") for c in found if isinstance(c, dict)]
    metadata: dict[str, Any] = {"categories": categories} if categories else {}
    return {
        "id": str(record.get("name") or default_id),
        "channel": "chat",
        "turns": turns,
        "metadata": metadata,
    }


def _aws(record: dict[str, Any], default_id: str, where: dict[str, Any]) -> dict[str, Any]:
    items = _aws_transcript(record)
    if not isinstance(items, list):
        raise _fail(f"must be a list, got {type(items).__name__}", "Transcript", where)
    channel = "chat" if str(record.get("Channel", "VOICE")).upper() == "CHAT" else "phone"
    participants = {
        p.get("ParticipantId"): p.get("ParticipantRole")
        for p in _list(record.get("Participants"), "Participants", where)
        if isinstance(p, dict) and isinstance(p.get("ParticipantId"), str)
    }
    turns = []
    for index, item in enumerate(items):
        field = f"Transcript[{index}]"
        if not isinstance(item, dict):
            raise _fail("must be an object", field, where)
        participant = item.get("ParticipantId")
        participant = participant if isinstance(participant, str) else None
        role = item.get("ParticipantRole") or participants.get(participant)
        if role is None and participant in _AWS_ROLES:
            role = participant
        if not isinstance(role, str) or role not in _AWS_ROLES:
            raise _fail(
                f"unknown participant role {short_repr(role)} (expected one of {', '.join(_AWS_ROLES)})",
                f"{field}.ParticipantRole",
                where,
            )
        is_event = item.get("Type") == "EVENT" or str(item.get("ContentType", "")).startswith(
            "application/vnd.amazonaws.connect.event"
        )
        text = item.get("Content")
        if is_event:
            text = text or str(item.get("ContentType", "event")).rsplit(".", 1)[-1]
        elif not isinstance(text, str):
            raise _fail(f"expected a string, got {short_repr(text)}", f"{field}.Content", where)
        turn: dict[str, Any] = {"role": "system" if is_event else _AWS_ROLES[role], "text": text}
        if channel == "chat":
            if item.get("AbsoluteTime") is not None:
                try:
                    turn["time"] = parse_time(item["AbsoluteTime"])
                except (TypeError, ValueError) as exc:
                    raise _fail(str(exc)[:200], f"{field}.AbsoluteTime", where) from None
        else:
            for key, target in (("BeginOffsetMillis", "time"), ("EndOffsetMillis", "end")):
                value = item.get(key)
                if value is not None:
                    turn[target] = _seconds(value, 1000.0, "milliseconds", f"{field}.{key}", where)
        if item.get("Sentiment"):
            turn["meta"] = {"vendor_sentiment": item["Sentiment"]}
        turns.append(turn)
    identifier = record.get("ContactId") or record.get("JobName") or default_id
    return {"id": str(identifier), "channel": channel, "turns": turns, "metadata": {}}
