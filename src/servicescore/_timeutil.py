"""Conversions between timestamps and float seconds (private)."""

from __future__ import annotations

import datetime as _dt
import math

__all__ = ["MAX_SECONDS", "format_iso", "parse_time", "short_repr"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICRO = _dt.timedelta(microseconds=1)
#: The largest magnitude accepted for a time in seconds: epoch seconds of
#: 9999-12-31T23:59:59Z, so every accepted time (epoch or offset) is a
#: :class:`datetime.datetime` and sums of a few never overflow a float.
MAX_SECONDS = float((_dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=_dt.UTC) - _EPOCH).total_seconds())


def parse_time(value: object) -> float | None:
    """Return *value* as float seconds, or ``None`` for ``None``.

    Numbers are taken as seconds (epoch or offset from the start of a call);
    strings must be ISO 8601 *with* a zone (``Z`` or ``+hh:mm``); aware
    :class:`datetime.datetime` objects are converted to epoch seconds.

    Raises:
        TypeError: For other types (``bool`` included).
        ValueError: For unparseable strings, naive timestamps, NaN, infinity
            or a number of seconds beyond :data:`MAX_SECONDS` either way
            (after year 9999 as epoch seconds).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"expected seconds or an ISO 8601 string, got bool {value!r}")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
        if not math.isfinite(seconds):
            raise ValueError(f"time must be finite, got {short_repr(value)}")
        if abs(seconds) > MAX_SECONDS:
            raise ValueError(
                f"time must be within {MAX_SECONDS:.0f} seconds of 0 (year 9999), got {short_repr(value)}"
            )
        return seconds
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {short_repr(value)}") from None
        value = moment
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"timestamp {value.isoformat()!r} has no time zone (add 'Z' or an offset such as '+01:00')"
            )
        try:
            return (value - _EPOCH) / _MICRO / 1e6
        except OverflowError:
            raise ValueError(f"timestamp {short_repr(value)} is out of range") from None
    raise TypeError(f"expected seconds or an ISO 8601 string, got {type(value).__name__} {short_repr(value)}")


def short_repr(value: object) -> str:
    """``repr(value)`` cut to 80 characters; never raises (huge ints, deep nesting)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


def format_iso(seconds: float) -> str:
    """Render epoch *seconds* as ISO 8601 UTC with microseconds (``...Z``)."""
    moment = _EPOCH + _dt.timedelta(microseconds=round(seconds * 1e6))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
