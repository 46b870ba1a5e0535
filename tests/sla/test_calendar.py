"""Business time: day counts against numpy, hours against a brute-force minute counter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.sla import BusinessCalendar, CalendarSettings

CHICAGO = BusinessCalendar(
    CalendarSettings(
        country="US",
        subdivision="IL",
        closures=[date(2026, 12, 24)],
        hours={
            "mon": "08:00-17:00",
            "tue": "08:00-17:00",
            "wed": "08:00-17:00",
            "thu": "08:00-17:00",
            "fri": "08:00-16:00",
        },
    ),
    "America/Chicago",
)
MADRID = BusinessCalendar(
    CalendarSettings(
        country="ES",
        subdivision="MD",
        hours={
            "mon": "09:00-18:00",
            "tue": "09:00-18:00",
            "wed": "09:00-18:00",
            "thu": "09:00-18:00",
            "fri": "09:00-14:00",
            "sat": "10:00-13:00",
        },
    ),
    "Europe/Madrid",
)


def _brute_days(cal: BusinessCalendar, start: date, end: date) -> int:
    days, day = 0, start
    while day < end:
        days += cal.hours[day.weekday()] is not None and day not in cal.holidays(
            [day.year]
        )
        day += timedelta(days=1)
    return days


_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=_dates, span=st.integers(0, 400), cal=st.sampled_from([CHICAGO, MADRID]))
def test_business_days_match_numpy_and_a_day_by_day_count(
    start: date, span: int, cal: BusinessCalendar
) -> None:
    end = start + timedelta(days=span)
    holidays = sorted(d for d in cal.holidays(range(start.year, end.year + 1)))
    expected = int(
        np.busday_count(start, end, weekmask=cal.weekmask, holidays=holidays)
    )
    assert cal.business_days(start, end) == expected == _brute_days(cal, start, end)


def _brute_minutes(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Count each whole minute whose start lies inside opening hours, locally."""
    minutes = 0
    moment = start
    while moment < end:
        local = moment.astimezone(cal.zone)
        span = cal.hours[local.weekday()]
        if (
            span is not None
            and cal.is_business_day(local.date())
            and span[0] <= local.time() < span[1]
        ):
            minutes += 1
        moment += timedelta(minutes=1)
    return minutes


# Ranges around both daylight-saving changes of 2026 in both zones.
_starts = st.sampled_from(
    [
        datetime(2026, 3, 6, 14, tzinfo=UTC),
        datetime(2026, 3, 27, 7, tzinfo=UTC),
        datetime(2026, 10, 23, 12, tzinfo=UTC),
        datetime(2026, 10, 30, 15, tzinfo=UTC),
        datetime(2026, 12, 23, 13, tzinfo=UTC),
    ]
)


@settings(max_examples=40, deadline=None)
@given(
    start=_starts,
    offset=st.integers(0, 3 * 24 * 60),
    length=st.integers(0, 6 * 24 * 60),
    cal=st.sampled_from([CHICAGO, MADRID]),
)
def test_business_hours_match_a_minute_counter_across_dst(
    start: datetime, offset: int, length: int, cal: BusinessCalendar
) -> None:
    begin = start + timedelta(minutes=offset)
    end = begin + timedelta(minutes=length)
    assert cal.business_seconds(begin, end) == _brute_minutes(cal, begin, end) * 60


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday 15:00 CDT, 8 business hours: 1 h Friday (closes 16:00), 7 h Monday,
        # after the US DST change (Nov 1): Monday 15:00 CST is 21:00 UTC, not 20:00.
        (
            datetime(2026, 10, 30, 20, tzinfo=UTC),
            8,
            datetime(2026, 11, 2, 21, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 30, 20, tzinfo=UTC),
            9,
            datetime(2026, 11, 2, 22, tzinfo=UTC),
        ),
        # Wednesday Dec 23 16:00 CST + 2 h skips the Dec 24 closure and Christmas.
        (
            datetime(2026, 12, 23, 22, tzinfo=UTC),
            2,
            datetime(2026, 12, 28, 15, tzinfo=UTC),
        ),
    ],
)
def test_add_business_hours(start: datetime, hours: float, expected: datetime) -> None:
    assert CHICAGO.add_business_hours(start, hours) == expected
    assert CHICAGO.business_seconds(start, expected) == hours * 3600


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (
            date(2026, 10, 2),
            date(2026, 10, 14),
        ),  # Friday + 7; Columbus Day is an IL holiday
        (date(2026, 10, 3), date(2026, 10, 15)),  # Saturday starts Monday
        (
            date(2026, 12, 22),
            date(2027, 1, 5),
        ),  # Dec 24 closed, Dec 25 and Jan 1 holidays
    ],
)
def test_due_dates(received: date, due: date) -> None:
    assert CHICAGO.due_date(received, 7) == due


@pytest.mark.parametrize(
    ("received", "start"),
    [
        (date(2026, 10, 2), date(2026, 10, 2)),  # an open Friday: itself
        (date(2026, 10, 3), date(2026, 10, 5)),  # Saturday: Monday
        (date(2026, 10, 11), date(2026, 10, 13)),  # Sunday, then Columbus Day
        (date(2026, 12, 24), date(2026, 12, 28)),  # closure, Christmas, weekend
    ],
)
def test_start_day_is_the_due_dates_start(received: date, start: date) -> None:
    """The turnaround's start day, the one definition the per-day volumes
    use: seven business days from it is the due date."""
    days = np.array([received], dtype="datetime64[D]")
    assert CHICAGO.start_days_many(days)[0] == np.datetime64(start)
    assert CHICAGO.due_date(received, 7) == CHICAGO.due_date(start, 7)
    assert CHICAGO.business_days(start, CHICAGO.due_date(received, 7)) == 7
