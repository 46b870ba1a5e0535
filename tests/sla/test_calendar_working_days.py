"""Working days and holiday categories: make-up Saturdays, Chol HaMoed.

The ``holidays`` package is the oracle for the dates (a make-up day is in its
``weekend_workdays``, a holiday in the category asked for); the due dates and
business hours around them are worked by hand in each test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow import ConfigError, load_client
from claimflow.sla import BusinessCalendar, CalendarSettings
from claimflow.sla.calendar import DAYS
from claimflow.sla.daytable import DayTable
from claimflow.sla.facts import business_hours_many
from claimflow.sla.settings import calendar_line

TAIPEI = ZoneInfo("Asia/Taipei")
WEEKDAYS_9_18 = dict.fromkeys(DAYS[:5], "09:00-18:00")


def _taipei(**extra: object) -> BusinessCalendar:
    return BusinessCalendar(
        CalendarSettings.model_validate({"country": "TW", "hours": WEEKDAYS_9_18, **extra}),
        "Asia/Taipei",
    )


def test_the_package_lists_taiwans_make_up_saturday() -> None:
    """The oracle: Saturday 2025-02-08 is worked for Monday 2025-01-27 off."""
    tw = holidays.country_holidays("TW", years=2025)
    assert date(2025, 2, 8) in tw.weekend_workdays
    assert date(2025, 2, 8).weekday() == 5  # a Saturday
    assert date(2025, 1, 27) in tw  # the bridge Monday it pays for


def test_a_taiwanese_desk_works_the_make_up_saturday() -> None:
    """Taipei, Mon-Fri 09:00-18:00, around Saturday 2025-02-08.

    Received Friday 2025-02-07 with 1 business day: due Saturday 02-08 (was
    Monday 02-10). With 2: Friday -> Saturday -> Monday 02-10 (was Tuesday
    02-11). Received Thursday 02-06 with 2: Friday, Saturday: due Saturday.
    Friday 17:00 to Monday 10:00 is 1 + 9 (Saturday) + 1 = 11 business hours
    (was 2); 5 business hours after Friday 17:00 is Saturday 13:00.
    """
    cal = _taipei()
    assert cal.is_business_day(date(2025, 2, 8))
    assert not cal.is_business_day(date(2025, 2, 9))  # Sunday stays closed
    assert cal.due_date(date(2025, 2, 7), 1) == date(2025, 2, 8)
    assert cal.due_date(date(2025, 2, 7), 2) == date(2025, 2, 10)
    assert cal.due_date(date(2025, 2, 6), 2) == date(2025, 2, 8)
    assert cal.business_days(date(2025, 2, 7), date(2025, 2, 10)) == 2
    friday_17 = datetime(2025, 2, 7, 17, tzinfo=TAIPEI)
    monday_10 = datetime(2025, 2, 10, 10, tzinfo=TAIPEI)
    assert cal.business_seconds(friday_17, monday_10) / 3600 == 11
    assert cal.add_business_hours(friday_17, 5) == datetime(
        2025, 2, 8, 13, tzinfo=TAIPEI
    )
    # the vectorised hours of the SLA facts count the Saturday too
    # (over UTC instants, as the facts hold them)
    utc = [pd.Series([pd.Timestamp(t).tz_convert("UTC")]) for t in (friday_17, monday_10)]
    hours = business_hours_many(cal, *utc)
    assert hours.tolist() == [11.0]
    # a claim received on the Saturday starts its clock that day
    saturday = np.array(["2025-02-08"], dtype="datetime64[D]")
    assert str(cal.start_days_many(saturday)[0]) == "2025-02-08"


def test_make_up_days_can_be_switched_off_and_listed_by_hand() -> None:
    """`makeup_working_days: false` closes the Saturday again (due Tuesday
    02-11, 2 business hours); listing it under `working_days` opens it."""
    off = _taipei(makeup_working_days=False)
    assert not off.is_business_day(date(2025, 2, 8))
    assert off.due_date(date(2025, 2, 7), 2) == date(2025, 2, 11)
    friday_17 = datetime(2025, 2, 7, 17, tzinfo=TAIPEI)
    monday_10 = datetime(2025, 2, 10, 10, tzinfo=TAIPEI)
    assert off.business_seconds(friday_17, monday_10) / 3600 == 2
    listed = _taipei(makeup_working_days=False, working_days=["2025-02-08"])
    assert listed.due_date(date(2025, 2, 7), 2) == date(2025, 2, 10)
    assert listed.business_seconds(friday_17, monday_10) / 3600 == 11


def test_a_closure_overrides_the_packages_make_up_day() -> None:
    cal = _taipei(closures=["2025-02-08"])
    assert not cal.is_business_day(date(2025, 2, 8))
    assert cal.due_date(date(2025, 2, 7), 2) == date(2025, 2, 11)


def test_a_working_day_keeps_the_hours_of_the_weekday_it_names() -> None:
    """Mon-Thu 09:00-18:00, Fri 09:00-14:00, no country: Saturday 2026-02-21
    worked as a Friday is open 09:00-14:00, so Friday 2026-02-20 13:00 to
    Monday 02-23 10:00 is 1 + 5 + 1 = 7 business hours."""
    hours = {**WEEKDAYS_9_18, "fri": "09:00-14:00"}
    cal = BusinessCalendar(
        CalendarSettings.model_validate(
            {"hours": hours, "working_days": [{"date": "2026-02-21", "as": "fri"}]}
        ),
        "Asia/Taipei",
    )
    start = datetime(2026, 2, 20, 13, tzinfo=TAIPEI)
    end = datetime(2026, 2, 23, 10, tzinfo=TAIPEI)
    assert cal.business_seconds(start, end) / 3600 == 7
    assert cal.add_business_hours(start, 6) == datetime(2026, 2, 21, 14, tzinfo=TAIPEI)


def test_a_listed_holiday_is_worked_with_its_weekdays_hours() -> None:
    """Madrid's 2026-01-06 (Epiphany, a Tuesday) listed as a working day is
    open 09:00-18:00 like any Tuesday: Monday 01-05 received, 1 day -> 01-06."""
    cal = BusinessCalendar(
        CalendarSettings(
            country="ES", subdivision="MD", hours=WEEKDAYS_9_18,
            working_days=["2026-01-06"],
        ),
        "Europe/Madrid",
    )  # fmt: skip
    assert date(2026, 1, 6) in holidays.country_holidays("ES", subdiv="MD", years=2026)
    assert cal.due_date(date(2026, 1, 5), 1) == date(2026, 1, 6)
    madrid = ZoneInfo("Europe/Madrid")
    day = cal.business_seconds(
        datetime(2026, 1, 6, tzinfo=madrid), datetime(2026, 1, 7, tzinfo=madrid)
    )
    assert day / 3600 == 9


ISRAEL_HOURS = dict.fromkeys(["sun", "mon", "tue", "wed", "thu"], "08:00-17:00")
JERUSALEM = ZoneInfo("Asia/Jerusalem")


def _jerusalem(categories: list[str] | None) -> BusinessCalendar:
    return BusinessCalendar(
        CalendarSettings(country="IL", hours=ISRAEL_HOURS, holiday_categories=categories),
        "Asia/Jerusalem",
    )


def test_israels_optional_category_holds_chol_hamoed_pesach() -> None:
    """The oracle: Pesach 2026-04-02 and its seventh day 04-08 are public;
    Chol HaMoed 04-03..04-07 is in the package's optional category."""
    public = holidays.country_holidays("IL", years=2026)
    optional = holidays.country_holidays("IL", years=2026, categories=("optional",))
    assert {date(2026, 4, 2), date(2026, 4, 8)} <= set(public)
    assert {date(2026, 4, 5) + timedelta(days=i) for i in range(3)} <= set(optional)
    assert date(2026, 4, 5) not in public


@pytest.mark.parametrize(
    ("categories", "due", "hours"),
    [
        # Thu 04-02 Pesach; Fri, Sat closed; Sun 04-05 open: due Sunday.
        # Wed 16:00 -> Thu 04-09 09:00: 1 + Sun, Mon, Tue 9 each + 1 = 29
        (None, date(2026, 4, 5), 29),
        (["public"], date(2026, 4, 5), 29),
        # Sun-Tue Chol HaMoed and Wed 04-08 closed too: due Thursday 04-09,
        # and the same span is 1 (Wed 04-01) + 1 (Thu 04-09) = 2
        (["public", "optional"], date(2026, 4, 9), 2),
    ],
)
def test_an_israeli_desk_closes_on_the_categories_it_names(
    categories: list[str] | None, due: date, hours: float
) -> None:
    cal = _jerusalem(categories)
    assert cal.due_date(date(2026, 4, 1), 1) == due
    start = datetime(2026, 4, 1, 16, tzinfo=JERUSALEM)
    end = datetime(2026, 4, 9, 9, tzinfo=JERUSALEM)
    assert cal.business_seconds(start, end) / 3600 == hours


BASE = """\
client: demo-1
name: Demo
kind: sales
date_order: MDY
"""


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        (
            "  country: IL\n  holiday_categories: [public, eve]\n",
            "calendar: holiday_categories: expected categories of IL's holidays "
            "(optional, public, school), found 'eve'",
        ),
        (
            "  holiday_categories: [optional]\n",
            "calendar: holiday_categories: expected a country whose holiday "
            "categories to take, found no country",
        ),
        (
            "  closures: [2026-02-21]\n  working_days: [2026-02-21]\n",
            "calendar.working_days: 2026-02-21 (Saturday) is also in closures: "
            "a day is open or closed, not both",
        ),
        (
            "  hours: {mon: '09:00-18:00', fri: '09:00-14:00'}\n"
            "  working_days: [2026-02-21]\n",
            "calendar.working_days: 2026-02-21 (Saturday, no hours): expected one "
            "span of hours on the open weekdays to work it with, found mon "
            "09:00-18:00, fri 09:00-14:00: write {date: 2026-02-21, as: <weekday>} "
            "naming the weekday whose hours it keeps",
        ),
        (
            "  working_days: [{date: 2026-02-21, as: sat}]\n",
            "calendar.working_days: 2026-02-21: as sat: expected a weekday with "
            "opening hours, found sat closed",
        ),
        (
            "  working_days: [2026-02-30]\n",
            "calendar.working_days[0].date: Input should be a valid date",
        ),
        (
            "  makeup_working_days: sat\n",
            "calendar: makeup_working_days: sat: expected a weekday with opening "
            "hours, found sat closed",
        ),
    ],
)
def test_bad_calendar_sections_name_the_key_and_the_value(
    write: Callable[..., Path], calendar: str, message: str
) -> None:
    path = write("demo.yaml", BASE + "calendar:\n" + calendar)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert f"{path}: {message}" in str(caught.value)


def test_a_chinese_desk_with_short_fridays_names_the_make_up_days_hours() -> None:
    """China's 2026-10-10 (a Saturday, oracle: the package) worked as a Monday."""
    assert date(2026, 10, 10) in holidays.country_holidays("CN", years=2026).weekend_workdays
    cal = BusinessCalendar(
        CalendarSettings.model_validate(
            {
                "country": "CN",
                "hours": {**WEEKDAYS_9_18, "fri": "09:00-14:00"},
                "makeup_working_days": "mon",
            }
        ),
        "Asia/Shanghai",
    )
    assert cal.extra_hours[date(2026, 10, 10)] == (
        datetime(1, 1, 1, 9).time(),
        datetime(1, 1, 1, 18).time(),
    )


def test_make_up_days_on_a_desk_whose_weekdays_differ_name_their_hours() -> None:
    """Which weekday's hours China's make-up Saturday keeps would be a guess
    on a desk with short Fridays: the calendar refuses in one line, naming
    the key, the weekdays' hours and the fix (asked when the calendar is
    first used: the file loads without reading 71 years of holidays)."""
    settings = CalendarSettings(
        country="CN", hours={"mon": "09:00-18:00", "fri": "09:00-14:00"}
    )
    with pytest.raises(ConfigError) as caught:
        BusinessCalendar(settings, "Asia/Shanghai").is_business_day(date(2026, 10, 10))
    assert str(caught.value) == (
        "calendar.makeup_working_days: the holidays package lists make-up working "
        "days for CN (2026-10-10 the last): expected one span of hours on the open "
        "weekdays to work it with, found mon 09:00-18:00, fri 09:00-14:00: set "
        "makeup_working_days to the weekday whose hours they keep (mon), or to false"
    )
    # a desk of one span, or one that names the weekday, is fine
    same = CalendarSettings(country="CN", hours={"mon": "09:00-18:00"})
    assert BusinessCalendar(same).is_business_day(date(2026, 10, 10))


# -- the vectorised path against a day-by-day walk -----------------------------

_DAY0 = date(2025, 1, 1)


def _walk_offset(cal: BusinessCalendar, day: date, n: int, roll: str) -> date:
    """numpy's busday_offset, one day at a time with `is_business_day`."""
    step = 1 if roll == "forward" else -1
    while not cal.is_business_day(day):
        day += timedelta(days=step)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not cal.is_business_day(day):
            day += timedelta(days=step)
    return day


def _walk_count(cal: BusinessCalendar, start: date, end: date) -> int:
    """numpy's busday_count: ``[start, end)``, or minus ``(end, start]``."""
    if start <= end:
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        return sum(map(cal.is_business_day, days))
    days = [end + timedelta(days=i) for i in range(1, (start - end).days + 1)]
    return -sum(map(cal.is_business_day, days))


@st.composite
def _calendars(draw: st.DrawFn) -> BusinessCalendar:
    mask = draw(st.lists(st.booleans(), min_size=7, max_size=7).filter(any))
    hours = {d: ("09:00-17:00" if open_ else None) for d, open_ in zip(DAYS, mask, strict=True)}
    offsets = st.integers(0, 120)
    closures = {_DAY0 + timedelta(days=i) for i in draw(st.sets(offsets, max_size=12))}
    working = {_DAY0 + timedelta(days=i) for i in draw(st.sets(offsets, max_size=12))}
    return BusinessCalendar(
        CalendarSettings(
            hours=hours,
            closures=sorted(closures),
            working_days=sorted(working - closures),  # type: ignore[arg-type]
        )
    )


@settings(max_examples=150, deadline=None)
@given(
    cal=_calendars(),
    starts=st.lists(st.integers(0, 120), min_size=1, max_size=6),
    n=st.integers(-15, 15),
    span=st.integers(-40, 40),
    roll=st.sampled_from(["forward", "backward"]),
)
def test_vectorised_days_equal_a_day_by_day_walk(
    cal: BusinessCalendar, starts: list[int], n: int, span: int, roll: str
) -> None:
    """Over generated weeks, closures and working days (on open or closed
    weekdays), due dates, offsets and counts equal the scalar definition."""
    days = [_DAY0 + timedelta(days=i) for i in starts]
    array = np.array(days, dtype="datetime64[D]")
    offsets = cal.offset_many(array, n, roll)  # type: ignore[arg-type]
    dues = cal.due_dates_many(array, abs(n))
    counts = cal.business_days_many(array, array + span)
    for i, day in enumerate(days):
        assert offsets[i] == np.datetime64(_walk_offset(cal, day, n, roll))
        assert dues[i] == np.datetime64(_walk_offset(cal, day, abs(n), "forward"))
        end = day + timedelta(days=span)
        assert counts[i] == _walk_count(cal, day, end) == cal.business_days(day, end)


@settings(max_examples=100, deadline=None)
@given(
    mask=st.lists(st.booleans(), min_size=7, max_size=7).filter(any),
    holidays_at=st.sets(st.integers(0, 400), max_size=30),
    starts=st.lists(st.integers(0, 400), min_size=1, max_size=8),
    n=st.integers(-30, 30),
    roll=st.sampled_from(["forward", "backward"]),
)
def test_the_day_table_without_extra_days_is_numpys_calendar(
    mask: list[bool], holidays_at: set[int], starts: list[int], n: int, roll: str
) -> None:
    listed = sorted(_DAY0 + timedelta(days=i) for i in holidays_at)
    table = DayTable(mask, listed, [])
    numpy_cal = np.busdaycalendar(weekmask=mask, holidays=listed)
    days = np.array([_DAY0 + timedelta(days=i) for i in starts], dtype="datetime64[D]")
    assert (
        table.offset(days, n, roll)  # type: ignore[arg-type]
        == np.busday_offset(days, n, roll=roll, busdaycal=numpy_cal)  # type: ignore[call-overload]
    ).all()
    assert (
        table.count(days, days + n) == np.busday_count(days, days + n, busdaycal=numpy_cal)
    ).all()


def test_the_day_table_carries_nat_through_offsets_as_numpy_does() -> None:
    """An undecided claim's decision day is NaT: the daily report rolls it
    forward with the rest (numpy gives NaT); a count with NaT is refused as
    numpy refuses it."""
    table = DayTable([True] * 5 + [False] * 2, [], [date(2025, 2, 8)])
    days = np.array(["NaT", "2025-02-07", "2025-02-09"], dtype="datetime64[D]")
    for roll in ("forward", "backward"):
        numpy_cal = np.busdaycalendar(weekmask=[True] * 5 + [False] * 2)
        got = table.offset(days, 0, roll)  # type: ignore[arg-type]
        plain = np.busday_offset(days, 0, roll=roll, busdaycal=numpy_cal)  # type: ignore[call-overload]
        assert np.isnat(got[0]) and np.isnat(plain[0])
    assert table.offset(days, 1).tolist() == [None, date(2025, 2, 8), date(2025, 2, 11)]
    with pytest.raises(ValueError, match="NaT input"):
        table.count(days, days)
    with pytest.raises(ValueError, match="outside 1900-2199"):
        table.offset(np.array(["2199-12-31"], dtype="datetime64[D]"), 5)


@pytest.mark.parametrize(
    ("written", "line"),
    [
        (
            {"country": "US", "subdivision": "IL"},
            "Calendar: mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, "
            "thu 09:00-17:00, fri 09:00-17:00; public holidays of US IL; "
            "closures: none.",
        ),
        (
            {
                "country": "TW",
                "hours": WEEKDAYS_9_18,
                "working_days": ["2026-02-21", {"date": "2026-02-28", "as": "mon"}],
            },
            "Calendar: mon 09:00-18:00, tue 09:00-18:00, wed 09:00-18:00, "
            "thu 09:00-18:00, fri 09:00-18:00; public holidays of TW; closures: "
            "none; working days: 2026-02-21, 2026-02-28 (as mon); make-up working "
            "days of TW.",
        ),
        (
            {"country": "IL", "hours": ISRAEL_HOURS,
             "holiday_categories": ["public", "optional"]},
            "Calendar: sun 08:00-17:00, mon 08:00-17:00, tue 08:00-17:00, "
            "wed 08:00-17:00, thu 08:00-17:00; holidays of IL (public, optional); "
            "closures: none.",
        ),
    ],
)  # fmt: skip
def test_the_reports_define_the_calendar_they_count_in(
    written: dict[str, object], line: str
) -> None:
    """The SLA reports' calendar definition names the categories and the
    working days (unchanged for a calendar without them)."""
    assert calendar_line(CalendarSettings.model_validate(written)) == line


def test_a_member_case_is_due_in_the_same_calendar() -> None:
    """Case terms count in the desk's calendar too: a complaint opened Friday
    2025-02-07 17:00 at the Taipei desk owes its first response 4 business
    hours later, Saturday 12:00 (1 on Friday, 3 on the make-up Saturday), and
    its resolution in 1 business day by the Saturday's end."""
    from claimflow.accounts.case_queue import _terms_due
    from claimflow.accounts.cases import Case
    from claimflow.accounts.settings import CaseTerms

    case = Case(
        id=1, client="tw", case_type="complaint", category="points",
        subject="missing points", opened_at=datetime(2025, 2, 7, 17, tzinfo=TAIPEI),
        opened_by="ann",
    )  # fmt: skip
    terms = CaseTerms(first_response_hours=4, resolution_days=1)
    owed = dict((what, when) for when, what in _terms_due(case, terms, _taipei()))
    assert owed["first response"] == datetime(2025, 2, 8, 12, tzinfo=TAIPEI)
    assert owed["resolution"] == datetime(2025, 2, 8, 23, 59, 59, tzinfo=TAIPEI)
    closed = dict(
        (what, when)
        for when, what in _terms_due(case, terms, _taipei(makeup_working_days=False))
    )
    assert closed["first response"] == datetime(2025, 2, 10, 12, tzinfo=TAIPEI)
    assert closed["resolution"] == datetime(2025, 2, 10, 23, 59, 59, tzinfo=TAIPEI)


def test_instants_in_a_desk_zone_count_as_the_same_instants_in_utc() -> None:
    """`facts._utc_us` read any aware series' wall times as UTC: 09:00 in
    Taipei (01:00 UTC) came out eight hours late (a helper's first test of
    the Taipei desk counted 18 business hours for 11)."""
    import pandas as pd

    from claimflow.sla.facts import _utc_us

    utc = pd.Series(pd.to_datetime(["2025-02-07T01:00:00+00:00", "2025-02-10T02:00:00+00:00"]))
    taipei = utc.dt.tz_convert("Asia/Taipei")
    assert list(_utc_us(taipei)) == list(_utc_us(utc)) == list(_utc_us(utc.dt.tz_localize(None)))
    assert _utc_us(utc)[0] == 1_738_890_000_000_000  # 2025-02-07 01:00 UTC, by hand
