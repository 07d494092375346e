"""Business hours: elapsed working time between two instants, as help desks count it."""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from .exceptions import MissingResourceError

__all__ = ["BusinessHours"]

#: Weekday names accepted as keys of ``weekly`` (Monday is 0, as in
#: :meth:`datetime.date.weekday`).
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SECONDS_PER_DAY = 86_400
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")

#: Opening hours of one day: sorted, non-overlapping ``(start, end)`` pairs in
#: seconds after local midnight; ``end`` may be 86400 (24:00).
DayHours = tuple[tuple[int, int], ...]
Clock = str | _dt.time | int
Interval = tuple[Clock, Clock]
DaySpec = str | Iterable[Interval] | None
WeeklySpec = Mapping[int | str, DaySpec]


def _default_weekly() -> WeeklySpec:
    # Monday to Friday, 09:00-17:00: the default schedule of Zendesk and
    # Freshdesk business-hours SLAs before an account sets its own.
    return dict.fromkeys(range(5), "09:00-17:00")


def _clock_seconds(value: Clock, *, day: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= _SECONDS_PER_DAY:
            return value
        raise ValueError(
            f"business hours of {day}: seconds after midnight must lie in [0, 86400], got {value}"
        )
    if isinstance(value, _dt.time):
        if value.tzinfo is not None:
            raise ValueError(f"business hours of {day}: times must be naive local times, got {value!r}")
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match:
            hours, minutes, seconds = (int(group or 0) for group in match.groups())
            total = hours * 3600 + minutes * 60 + seconds
            if minutes < 60 and seconds < 60 and total <= _SECONDS_PER_DAY:
                return total
        raise ValueError(
            f"business hours of {day}: expected a clock time 'HH:MM' up to '24:00', got {value!r}"
        )
    raise TypeError(
        f"business hours of {day}: expected 'HH:MM' or datetime.time, got {type(value).__name__} {value!r}"
    )


def _day_index(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    if isinstance(key, str):
        name = key.strip().lower()
        for index, (short, full) in enumerate(zip(_DAY_NAMES, _FULL_DAY_NAMES, strict=True)):
            if name in (short, full):
                return index
    raise ValueError(f"unknown weekday {key!r} (expected 0-6 with Monday 0, or a name such as 'mon')")


def _parse_day(spec: DaySpec, *, day: str) -> DayHours:
    if spec is None:
        return ()
    pairs: list[Interval] = []
    if isinstance(spec, str):
        for part in spec.split(","):
            if not part.strip():
                continue
            bounds = part.split("-")
            if len(bounds) != 2:
                raise ValueError(f"business hours of {day}: expected 'HH:MM-HH:MM', got {part.strip()!r}")
            pairs.append((bounds[0], bounds[1]))
    else:
        for pair in spec:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"business hours of {day}: expected (start, end) pairs, got {pair!r}")
            pairs.append((pair[0], pair[1]))
    intervals = sorted((_clock_seconds(a, day=day), _clock_seconds(b, day=day)) for a, b in pairs)
    for start, end in intervals:
        if start >= end:
            raise ValueError(
                f"business hours of {day}: an interval must end after it starts (got {start}s >= {end}s "
                "after midnight); split overnight shifts over two days"
            )
    for (_, previous_end), (start, _) in itertools.pairwise(intervals):
        if start < previous_end:
            raise ValueError(f"business hours of {day}: intervals overlap ({start}s < {previous_end}s)")
    return tuple(intervals)


def _convert_weekly(value: WeeklySpec | Sequence[DaySpec]) -> tuple[DayHours, ...]:
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 7:
        # Seven days, Monday first: the stored form, so ``attrs.evolve`` works.
        return tuple(_parse_day(spec, day=_DAY_NAMES[index]) for index, spec in enumerate(value))
    if not isinstance(value, Mapping):
        raise TypeError(
            "weekly must map weekdays to hours such as {'mon': '09:00-17:00'} "
            f"(or list seven days, Monday first), got {type(value).__name__}"
        )
    days: list[DayHours] = [()] * 7
    seen: set[int] = set()
    for key, spec in value.items():
        index = _day_index(key)
        if index in seen:
            raise ValueError(f"weekday {_DAY_NAMES[index]!r} is given twice in weekly hours")
        seen.add(index)
        days[index] = _parse_day(spec, day=_DAY_NAMES[index])
    return tuple(days)


def _convert_holidays(value: Iterable[_dt.date | str]) -> tuple[_dt.date, ...]:
    if isinstance(value, str | bytes):
        raise TypeError(f"holidays must be a collection of dates, got a string {value!r}")
    dates: set[_dt.date] = set()
    for item in value:
        if isinstance(item, _dt.datetime):
            raise TypeError(f"holidays must be dates, not datetimes (got {item!r})")
        if isinstance(item, _dt.date):
            dates.add(item)
        elif isinstance(item, str):
            try:
                dates.add(_dt.date.fromisoformat(item.strip()))
            except ValueError:
                raise ValueError(f"holiday {item!r} is not an ISO date such as '2026-12-25'") from None
        else:
            raise TypeError(f"holidays must be dates or ISO strings, got {type(item).__name__} {item!r}")
    return tuple(sorted(dates))


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise MissingResourceError(
            f"unknown time zone {key!r}: use an IANA name such as 'Europe/Berlin' "
            "(on systems without a zone database, install the 'tzdata' package)"
        ) from None


def _check_tz(instance: BusinessHours, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"tz must be an IANA zone name, got {type(value).__name__} {value!r}")
    _zone(value)


def _local_instant(day: _dt.date, seconds: int, zone: ZoneInfo) -> float:
    """Epoch seconds of the local wall-clock time *seconds* after midnight of *day*.

    Adding a timedelta to an aware datetime is wall-clock arithmetic, so
    ``24:00`` is the next local midnight and a day with a DST change lasts 23
    or 25 hours. A wall time skipped by a DST jump maps to the instant just
    after the jump (``fold=0``). Past the last representable day
    (9999-12-31 24:00) it is infinity: no time after it can be given.
    """
    midnight = _dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    try:
        return (midnight + _dt.timedelta(seconds=seconds)).timestamp()
    except OverflowError:
        return math.inf


def _local_date(instant: float, zone: ZoneInfo) -> _dt.date:
    """The local calendar date of epoch seconds *instant*, clamped to the years datetime represents."""
    try:
        return _dt.datetime.fromtimestamp(instant, zone).date()
    except (OverflowError, ValueError, OSError):
        return _dt.date.max if instant > 0 else _dt.date.min


@attrs.frozen(kw_only=True)
class BusinessHours:
    """A weekly schedule in a time zone, with holidays.

    :meth:`elapsed` counts only the seconds inside opening hours, as
    business-hours SLAs in help desks such as Zendesk and Freshdesk do: a
    ticket raised on Friday at 16:30 and answered on Monday at 09:30 has
    waited one business hour. The schedule is read in local wall-clock time,
    so it stays right across daylight-saving changes.

    Args:
        tz: IANA time zone of the schedule (``"Europe/Berlin"``).
        weekly: Opening hours per weekday. Keys are ``0``-``6`` (Monday is
            0) or names (``"mon"``, ``"Tuesday"``); values are
            ``"09:00-17:00"``, several ranges separated by commas
            (``"09:00-12:00,13:00-17:00"``), a list of ``(start, end)`` pairs
            of ``"HH:MM"`` strings, :class:`datetime.time` or seconds after
            midnight, or ``None``; or a sequence of seven such values,
            Monday first (the stored form).
            ``"24:00"`` ends a day; an overnight shift is two ranges on two
            days. Days not given are closed. Default: Monday to Friday,
            09:00-17:00. Stored as seven tuples of ``(start, end)`` seconds
            after local midnight.
        holidays: Closed dates (:class:`datetime.date` or ISO strings) in
            the local calendar; stored sorted.

    Raises:
        MissingResourceError: If *tz* names no known time zone.
        ValueError: For malformed or overlapping hours, unknown weekdays or
            bad holiday dates.
        TypeError: For values of the wrong type.

    Example:
        >>> import datetime as dt
        >>> hours = BusinessHours(tz="UTC", holidays=["2026-12-25"])
        >>> friday = dt.datetime(2026, 3, 6, 16, 30, tzinfo=dt.UTC).timestamp()
        >>> monday = dt.datetime(2026, 3, 9, 9, 30, tzinfo=dt.UTC).timestamp()
        >>> hours.elapsed(friday, monday) / 3600
        1.0
    """

    tz: str = attrs.field(default="UTC", validator=_check_tz)
    weekly: tuple[DayHours, ...] = attrs.field(factory=_default_weekly, converter=_convert_weekly)
    holidays: tuple[_dt.date, ...] = attrs.field(default=(), converter=_convert_holidays)

    def elapsed(self, start: float, end: float) -> float:
        """Return the business seconds between two instants.

        Work is linear in the number of local days spanned.

        Args:
            start: Epoch seconds.
            end: Epoch seconds. If earlier than *start* the result is
                negative (``elapsed(b, a) == -elapsed(a, b)``), so
                ``elapsed(a, c) == elapsed(a, b) + elapsed(b, c)`` always.

        Returns:
            Seconds of *[start, end]* that fall inside opening hours, at
            most ``end - start``.

        Raises:
            ValueError: If a time is not finite.
        """
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be finite epoch seconds, got {value!r}")
        if end < start:
            return -self.elapsed(end, start)
        zone = _zone(self.tz)
        day = _local_date(start, zone)
        last = _local_date(end, zone)
        holidays = frozenset(self.holidays)
        one_day = _dt.timedelta(days=1)
        total = 0.0
        while day <= last:
            if day not in holidays:
                for open_s, close_s in self.weekly[day.weekday()]:
                    low = max(start, _local_instant(day, open_s, zone))
                    high = min(end, _local_instant(day, close_s, zone))
                    if high > low:
                        total += high - low
            if day == last:
                break
            day += one_day
        return min(total, float(end - start))
