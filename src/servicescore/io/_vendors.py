"""Vendor analytics JSON to canonical records (private).

Covers Amazon Connect Contact Lens output (voice and chat, ``Transcript`` at
the top level or nested in ``ConversationCharacteristics``), Amazon Transcribe
Call Analytics output (``ParticipantRole`` on each turn) and Google CCAI
Insights conversation JSON (``entries``). Field shapes follow the vendors'
public documentation; see ``docs/how-to/load-formats.md``.

What the vendor computed is kept in the transcript's metadata: ``agent`` (the
first agent's display name, or CCAI ``user_id``), ``categories`` (matched
category names) and ``issues``/``outcomes``/``action_items`` (Contact Lens and
Transcribe summary spans, each ``{"turn", "start", "end", "text"}`` with
``turns[turn].text[start:end] == text``). A wrong JSON type in any field read
is a :class:`~servicescore.exceptions.FormatError` naming the field; names
that carry nothing (blank, or redacted to ``[PII]``), spans that are empty
within the turn's text, and chat summary items naming an unknown transcript
item are left out.
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
#: The AWS contact summary parts and the metadata key each one lands in.
_SUMMARY_KEYS = {
    "IssuesDetected": "issues",
    "OutcomesDetected": "outcomes",
    "ActionItemsDetected": "action_items",
}
#: Character offset keys: Contact Lens first, Amazon Transcribe second.
_OFFSET_KEYS = (("BeginOffsetChar", "EndOffsetChar"), ("Begin", "End"))
#: Characters that continue a word (``I've``, ``e-mail``) when a span is widened.
_WORD_JOINERS = frozenset("'\u2019-_")
#: What Contact Lens writes for a display name in a redacted file.
_REDACTED = "[PII]"


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


def _object(value: object, field: str, where: dict[str, Any]) -> dict[str, Any]:
    """*value* as an object (``None`` is an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(f"must be an object, got {type(value).__name__}", field, where)
    return value


def _list(value: object, field: str, where: dict[str, Any]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"must be a list, got {type(value).__name__}", field, where)
    return value


def _name(value: object, field: str, where: dict[str, Any]) -> str | None:
    """A display name, or ``None`` when absent, blank or redacted."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(f"expected a name (string), got {short_repr(value)}", field, where)
    name = value.strip()
    return name if name and _REDACTED not in name else None


def _category_names(found: list[tuple[object, str]], where: dict[str, Any]) -> list[str]:
    """Distinct non-blank category names in order; each item is (value, field)."""
    names: list[str] = []
    for value, field in found:
        if not isinstance(value, str):
            raise _fail(f"expected a category name (string), got {short_repr(value)}", field, where)
        name = value.strip()
        if name and name not in names:
            names.append(name)
    return names


def _offset(value: object, field: str, where: dict[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(f"expected a character offset (integer >= 0), got {short_repr(value)}", field, where)
    return value


def _offsets(entry: object, field: str, where: dict[str, Any]) -> tuple[int, int]:
    """``(begin, end)`` of a summary entry's ``CharacterOffsets``, either vendor's keys."""
    offsets = _object(
        _object(entry, field, where).get("CharacterOffsets"), f"{field}.CharacterOffsets", where
    )
    for begin_key, end_key in _OFFSET_KEYS:
        if begin_key in offsets or end_key in offsets:
            break
    else:
        raise _fail(
            "missing BeginOffsetChar/EndOffsetChar (or Begin/End)", f"{field}.CharacterOffsets", where
        )
    begin = _offset(offsets.get(begin_key), f"{field}.CharacterOffsets.{begin_key}", where)
    end = _offset(offsets.get(end_key), f"{field}.CharacterOffsets.{end_key}", where)
    if end < begin:
        raise _fail(f"ends before it begins ({end} < {begin})", f"{field}.CharacterOffsets.{end_key}", where)
    return begin, end


def _in_word(char: str) -> bool:
    return char.isalnum() or char in _WORD_JOINERS


def _span(turn: int, text: str, begin: int, end: int) -> dict[str, Any] | None:
    """The vendor's ``[begin, end)`` of *text* as a metadata span, or ``None`` when empty.

    Offsets past the text are cut to its length; the span is widened so that
    it cuts no word (the vendors' own examples are off by one character at
    times) and trimmed of surrounding white space.
    """
    start, stop = min(begin, len(text)), min(end, len(text))
    if start >= stop:  # an empty span marks nothing: it is not widened into a word
        return None
    while 0 < start < len(text) and _in_word(text[start - 1]) and _in_word(text[start]):
        start -= 1
    while 0 < stop < len(text) and _in_word(text[stop - 1]) and _in_word(text[stop]):
        stop += 1
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    if start == stop:
        return None
    return {"turn": turn, "start": start, "end": stop, "text": text[start:stop]}


def _ccai(record: dict[str, Any], default_id: str, where: dict[str, Any]) -> dict[str, Any]:
    entries = record["entries"]
    if not isinstance(entries, list):
        raise _fail(f"must be a list, got {type(entries).__name__}", "entries", where)
    turns = []
    agent: str | None = None
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
        user = entry.get("user_id")
        if user is not None:
            if isinstance(user, bool) or not isinstance(user, int | str):
                raise _fail(f"expected an integer id, got {short_repr(user)}", f"{field}.user_id", where)
            turn["speaker"] = str(user)
            if agent is None and turn["role"] == "agent":
                agent = turn["speaker"]
        turns.append(turn)
    info = _object(record.get("conversation_info"), "conversation_info", where)
    found = _list(info.get("categories"), "conversation_info.categories", where)
    pairs = []
    for index, category in enumerate(found):
        field = f"conversation_info.categories[{index}]"
        pairs.append((_object(category, field, where).get("display_name"), f"{field}.display_name"))
    metadata: dict[str, Any] = {}
    if agent is not None:
        metadata["agent"] = agent
    categories = _category_names(pairs, where)
    if categories:
        metadata["categories"] = categories
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
    roles: dict[str, Any] = {}
    names: dict[str, str | None] = {}
    for index, participant in enumerate(_list(record.get("Participants"), "Participants", where)):
        if isinstance(participant, dict) and isinstance(participant.get("ParticipantId"), str):
            roles[participant["ParticipantId"]] = participant.get("ParticipantRole")
            names[participant["ParticipantId"]] = _name(
                participant.get("DisplayName"), f"Participants[{index}].DisplayName", where
            )
    turns: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    spans: dict[str, list[dict[str, Any]]] = {key: [] for key in _SUMMARY_KEYS.values()}
    for index, item in enumerate(items):
        field = f"Transcript[{index}]"
        if not isinstance(item, dict):
            raise _fail("must be an object", field, where)
        turn = _aws_turn(item, field, channel, roles, names, where)
        if isinstance(item.get("Id"), str):
            ids.setdefault(item["Id"], index)
        for vendor_key, meta_key in _SUMMARY_KEYS.items():
            for number, entry in enumerate(_list(item.get(vendor_key), f"{field}.{vendor_key}", where)):
                begin, end = _offsets(entry, f"{field}.{vendor_key}[{number}]", where)
                span = _span(index, turn["text"], begin, end)
                if span is not None:
                    spans[meta_key].append(span)
        turns.append(turn)
    characteristics = _object(record.get("ConversationCharacteristics"), "ConversationCharacteristics", where)
    _chat_summary(characteristics, ids, turns, spans, where)
    metadata: dict[str, Any] = {}
    agent = next((t["speaker"] for t in turns if t["role"] == "agent" and "speaker" in t), None)
    if agent is not None:
        metadata["agent"] = agent
    categories = _object(record.get("Categories"), "Categories", where)
    matched = _list(categories.get("MatchedCategories"), "Categories.MatchedCategories", where)
    found = [(name, f"Categories.MatchedCategories[{n}]") for n, name in enumerate(matched)]
    if names_found := _category_names(found, where):
        metadata["categories"] = names_found
    for key, found_spans in spans.items():
        if found_spans:
            metadata[key] = sorted(found_spans, key=lambda s: (s["turn"], s["start"], s["end"]))
    customer = record.get("CustomerMetadata")
    contact = customer.get("ContactId") if isinstance(customer, dict) else None
    identifier = record.get("ContactId") or contact or record.get("JobName") or default_id
    return {"id": str(identifier), "channel": channel, "turns": turns, "metadata": metadata}


def _aws_turn(
    item: dict[str, Any],
    field: str,
    channel: str,
    roles: dict[str, Any],
    names: dict[str, str | None],
    where: dict[str, Any],
) -> dict[str, Any]:
    """One canonical turn from a Contact Lens / Transcribe transcript item."""
    participant = item.get("ParticipantId")
    participant = participant if isinstance(participant, str) else None
    is_event = item.get("Type") == "EVENT" or str(item.get("ContentType", "")).startswith(
        "application/vnd.amazonaws.connect.event"
    )
    role = item.get("ParticipantRole") or (roles.get(participant) if participant else None)
    if role is None and participant in _AWS_ROLES:
        role = participant
    if is_event and role is None:
        role = "SYSTEM"  # a chat event such as chat.ended names no participant
    if not isinstance(role, str) or role not in _AWS_ROLES:
        raise _fail(
            f"unknown participant role {short_repr(role)} (expected one of {', '.join(_AWS_ROLES)})",
            f"{field}.ParticipantRole",
            where,
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
    speaker = _name(item.get("DisplayName"), f"{field}.DisplayName", where)
    if speaker is None and participant is not None:
        speaker = names.get(participant)
    if speaker is not None:
        turn["speaker"] = speaker
    if item.get("Sentiment"):
        turn["meta"] = {"vendor_sentiment": item["Sentiment"]}
    return turn


def _chat_summary(
    characteristics: dict[str, Any],
    ids: dict[str, int],
    turns: list[dict[str, Any]],
    spans: dict[str, list[dict[str, Any]]],
    where: dict[str, Any],
) -> None:
    """Add the Contact Lens chat summary (spans by transcript item ``Id``) to *spans*."""
    field = "ConversationCharacteristics.ContactSummary"
    summary = _object(characteristics.get("ContactSummary"), field, where)
    field += ".SummaryItemsDetected"
    for number, found in enumerate(_list(summary.get("SummaryItemsDetected"), field, where)):
        item_field = f"{field}[{number}]"
        found = _object(found, item_field, where)
        for vendor_key, meta_key in _SUMMARY_KEYS.items():
            part_field = f"{item_field}.{vendor_key}"
            for part_number, part in enumerate(_list(found.get(vendor_key), part_field, where)):
                part_field_n = f"{part_field}[{part_number}]"
                refs_field = f"{part_field_n}.TranscriptItems"
                refs = _object(part, part_field_n, where).get("TranscriptItems")
                for ref_number, ref in enumerate(_list(refs, refs_field, where)):
                    begin, end = _offsets(ref, f"{refs_field}[{ref_number}]", where)
                    turn = ids.get(ref["Id"]) if isinstance(ref.get("Id"), str) else None
                    span = None if turn is None else _span(turn, turns[turn]["text"], begin, end)
                    if span is not None:
                        spans[meta_key].append(span)
