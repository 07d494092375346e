from __future__ import annotations

import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import BusinessHours, MissingResourceError, ServiceScoreError

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0


def at(*args: int, tz: dt.tzinfo = dt.UTC) -> float:
    return dt.datetime(*args, tzinfo=tz).timestamp()


class TestSchedule:
    """Weekly hours, holidays and time zones as help desks count them."""

    def test_default_is_weekdays_nine_to_five(self) -> None:
        hours = BusinessHours()
        assert hours.tz == "UTC"
        assert hours.weekly == (((32_400, 61_200),),) * 5 + ((), ())
        assert hours.holidays == ()

    def test_weekend_is_skipped(self) -> None:
        # Friday 2026-03-06 16:30 to Monday 2026-03-09 09:30.
        assert BusinessHours().elapsed(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 9, 30)) == HOUR

    def test_outside_hours_is_zero(self) -> None:
        hours = BusinessHours()
        assert hours.elapsed(at(2026, 3, 6, 18), at(2026, 3, 9, 8)) == 0.0
        assert hours.elapsed(at(2026, 3, 4, 10), at(2026, 3, 4, 10)) == 0.0

    def test_full_week(self) -> None:
        assert BusinessHours().elapsed(at(2026, 3, 2), at(2026, 3, 9)) == 40 * HOUR

    def test_holidays(self) -> None:
        hours = BusinessHours(holidays=["2026-12-25", dt.date(2026, 12, 24), "2026-12-25"])
        assert hours.holidays == (dt.date(2026, 12, 24), dt.date(2026, 12, 25))
        # Wednesday 23rd 16:00 to Monday 28th 10:00: 1 h + 1 h.
        assert hours.elapsed(at(2026, 12, 23, 16), at(2026, 12, 28, 10)) == 2 * HOUR

    def test_lunch_break_and_names(self) -> None:
        hours = BusinessHours(weekly={"monday": "09:00-12:00, 13:00-17:30", "Tue": [("09:00", dt.time(12))]})
        assert hours.weekly[0] == ((32_400, 43_200), (46_800, 63_000))
        monday = dt.date(2026, 3, 2)
        assert hours.elapsed(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 2 * HOUR
        assert hours.elapsed(at(2026, 3, 2), at(2026, 3, 4)) == (7.5 + 3) * HOUR
        assert monday.weekday() == 0

    def test_time_zone(self) -> None:
        hours = BusinessHours(tz="America/New_York")
        # 13:00-22:00 UTC on a March weekday before US DST is 08:00-17:00 in New York.
        assert hours.elapsed(at(2026, 3, 3, 13), at(2026, 3, 3, 22)) == 8 * HOUR

    def test_dst_days_last_23_and_25_hours(self) -> None:
        always = BusinessHours(tz="Europe/Berlin", weekly=dict.fromkeys(range(7), "00:00-24:00"))
        spring = at(2026, 3, 29, tz=BERLIN), at(2026, 3, 30, tz=BERLIN)
        autumn = at(2026, 10, 25, tz=BERLIN), at(2026, 10, 26, tz=BERLIN)
        assert always.elapsed(*spring) == 23 * HOUR
        assert always.elapsed(*autumn) == 25 * HOUR

    def test_wall_clock_hours_across_dst(self) -> None:
        hours = BusinessHours(tz="Europe/Berlin", weekly={"fri": "09:00-17:00", "mon": "09:00-17:00"})
        # 09:00 Berlin is 08:00 UTC before the change and 07:00 UTC after it.
        assert hours.elapsed(at(2026, 3, 27, 8), at(2026, 3, 30, 8)) == 9 * HOUR

    def test_reversed_interval_is_negative(self) -> None:
        hours = BusinessHours()
        a, b = at(2026, 3, 2, 10), at(2026, 3, 3, 10)
        assert hours.elapsed(b, a) == -hours.elapsed(a, b) == -8 * HOUR

    def test_frozen_and_picklable(self) -> None:
        hours = BusinessHours(tz="Europe/Berlin", holidays=["2026-05-01"])
        assert pickle.loads(pickle.dumps(hours)) == hours
        assert hash(hours) == hash(attrs.evolve(hours))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            hours.tz = "UTC"  # type: ignore[misc]


class TestValidation:
    """Bad schedules fail at construction with a clear message."""

    def test_unknown_zone(self) -> None:
        with pytest.raises(MissingResourceError, match="unknown time zone 'Mars/Olympus'") as info:
            BusinessHours(tz="Mars/Olympus")
        assert isinstance(info.value, ServiceScoreError)
        assert isinstance(info.value, LookupError)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"weekly": {"mon": "17:00-09:00"}}, ValueError, "must end after it starts"),
            ({"weekly": {"mon": "09:00-13:00,12:00-17:00"}}, ValueError, "overlap"),
            ({"weekly": {"mon": "9-17"}}, ValueError, "clock time"),
            ({"weekly": {"mon": "09:00-24:01"}}, ValueError, "clock time"),
            ({"weekly": {"funday": "09:00-17:00"}}, ValueError, "unknown weekday"),
            ({"weekly": {0: "09:00-17:00", "mon": "10:00-11:00"}}, ValueError, "twice"),
            ({"weekly": {7: "09:00-17:00"}}, ValueError, "unknown weekday"),
            ({"weekly": {"mon": [("09:00",)]}}, TypeError, "pairs"),
            ({"weekly": "09:00-17:00"}, TypeError, "weekly must map"),
            ({"holidays": "2026-12-25"}, TypeError, "collection"),
            ({"holidays": ["25/12/2026"]}, ValueError, "ISO date"),
            ({"holidays": [dt.datetime(2026, 12, 25)]}, TypeError, "not datetimes"),
            ({"tz": 0}, TypeError, "IANA"),
        ],
    )
    def test_invalid(self, kwargs: dict[str, object], error: type[Exception], match: str) -> None:
        with pytest.raises(error, match=match):
            BusinessHours(**kwargs)  # type: ignore[arg-type]

    def test_non_finite_times(self) -> None:
        with pytest.raises(ValueError, match="finite"):
            BusinessHours().elapsed(0.0, float("nan"))


_instants = st.integers(at(2026, 3, 20), at(2026, 4, 10)).map(float)  # spans a DST change
_schedules = st.sampled_from(
    [
        BusinessHours(),
        BusinessHours(tz="Europe/Berlin", holidays=["2026-04-03", "2026-04-06"]),
        BusinessHours(tz="America/New_York", weekly={"sat": "10:00-14:00", "sun": "00:00-24:00"}),
    ]
)


class TestProperties:
    """elapsed is bounded by wall time and additive."""

    @given(_schedules, _instants, _instants)
    def test_bounded_by_wall_time(self, hours: BusinessHours, a: float, b: float) -> None:
        lo, hi = min(a, b), max(a, b)
        assert 0.0 <= hours.elapsed(lo, hi) <= hi - lo

    @given(_schedules, _instants, _instants, _instants)
    def test_additive(self, hours: BusinessHours, a: float, b: float, c: float) -> None:
        assert hours.elapsed(a, c) == pytest.approx(hours.elapsed(a, b) + hours.elapsed(b, c), abs=1e-6)

    @given(_instants, st.integers(0, 40 * 24 * 3600).map(float))
    def test_always_open_is_wall_time(self, a: float, span: float) -> None:
        always = BusinessHours(tz="Europe/Berlin", weekly=dict.fromkeys(range(7), "00:00-24:00"))
        assert always.elapsed(a, a + span) == span

    @given(_instants, st.integers(1, 4))
    def test_whole_weeks_shift_in_utc(self, a: float, weeks: int) -> None:
        hours, week = BusinessHours(), 7 * 24 * 3600
        assert hours.elapsed(a, a + 3 * HOUR) == hours.elapsed(a + weeks * week, a + weeks * week + 3 * HOUR)
