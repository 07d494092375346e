"""Conversions between timestamps and float seconds (private)."""

from __future__ import annotations

import datetime as _dt
import math

__all__ = ["format_iso", "parse_time"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICRO = _dt.timedelta(microseconds=1)


def parse_time(value: object) -> float | None:
    """Return *value* as float seconds, or ``None`` for ``None``.

    Numbers are taken as seconds (epoch or offset from the start of a call);
    strings must be ISO 8601 *with* a zone (``Z`` or ``+hh:mm``); aware
    :class:`datetime.datetime` objects are converted to epoch seconds.

    Raises:
        TypeError: For other types (``bool`` included).
        ValueError: For unparseable strings, naive timestamps, NaN or infinity.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"expected seconds or an ISO 8601 string, got bool {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
        if not math.isfinite(seconds):
            raise ValueError(f"time must be finite, got {value!r}")
        return seconds
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
        value = moment
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"timestamp {value.isoformat()!r} has no time zone (add 'Z' or an offset such as '+01:00')"
            )
        return (value - _EPOCH) / _MICRO / 1e6
    raise TypeError(f"expected seconds or an ISO 8601 string, got {type(value).__name__} {value!r}")


def format_iso(seconds: float) -> str:
    """Render epoch *seconds* as ISO 8601 UTC with microseconds (``...Z``)."""
    moment = _EPOCH + _dt.timedelta(microseconds=round(seconds * 1e6))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
