"""Vendor analytics JSON to canonical records (private).

Covers Amazon Connect Contact Lens output (voice and chat, ``Transcript`` at
the top level or nested in ``ConversationCharacteristics``), Amazon Transcribe
Call Analytics output (``ParticipantRole`` on each turn) and Google CCAI
Insights conversation JSON (``entries``). Field shapes follow the vendors'
public documentation; see ``docs/how-to/load-formats.md``.
"""

from __future__ import annotations

from typing import Any

from .._timeutil import parse_time
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
        if role not in _CCAI_ROLES:
            raise _fail(
                f"unknown role {role!r} (expected one of {', '.join(_CCAI_ROLES)})", f"{field}.role", where
            )
        usec = entry.get("start_timestamp_usec")
        if usec is not None and (isinstance(usec, bool) or not isinstance(usec, int)):
            raise _fail(
                f"expected integer microseconds, got {usec!r}", f"{field}.start_timestamp_usec", where
            )
        if "text" not in entry:
            raise _fail("missing required field", f"{field}.text", where)
        turn: dict[str, Any] = {"role": _CCAI_ROLES[role], "text": entry["text"]}
        if usec is not None:
            turn["time"] = usec / 1e6
        if entry.get("user_id") is not None:
            turn["speaker"] = str(entry["user_id"])
        turns.append(turn)
    info = record.get("conversation_info") or {}
    categories = [c.get("display_name") for c in info.get("categories", []) if isinstance(c, dict)]
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
        for p in record.get("Participants", [])
        if isinstance(p, dict)
    }
    turns = []
    for index, item in enumerate(items):
        field = f"Transcript[{index}]"
        if not isinstance(item, dict):
            raise _fail("must be an object", field, where)
        role = item.get("ParticipantRole") or participants.get(item.get("ParticipantId"))
        if role is None and item.get("ParticipantId") in _AWS_ROLES:
            role = item["ParticipantId"]
        if role not in _AWS_ROLES:
            raise _fail(
                f"unknown participant role {role!r} (expected one of {', '.join(_AWS_ROLES)})",
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
            raise _fail(f"expected a string, got {text!r}", f"{field}.Content", where)
        turn: dict[str, Any] = {"role": "system" if is_event else _AWS_ROLES[role], "text": text}
        if channel == "chat":
            if item.get("AbsoluteTime") is not None:
                try:
                    turn["time"] = parse_time(item["AbsoluteTime"])
                except (TypeError, ValueError) as exc:
                    raise _fail(str(exc), f"{field}.AbsoluteTime", where) from None
        else:
            for key, target in (("BeginOffsetMillis", "time"), ("EndOffsetMillis", "end")):
                value = item.get(key)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise _fail(f"expected milliseconds, got {value!r}", f"{field}.{key}", where)
                turn[target] = value / 1000.0
        if item.get("Sentiment"):
            turn["meta"] = {"vendor_sentiment": item["Sentiment"]}
        turns.append(turn)
    identifier = record.get("ContactId") or record.get("JobName") or default_id
    return {"id": str(identifier), "channel": channel, "turns": turns, "metadata": {}}
