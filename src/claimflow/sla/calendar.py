"""Business calendars: a client's week, holidays and working days, in its zone.

Day arithmetic is numpy's business-day functions (``busday_count`` counts
business days in ``[start, end)``, ``busday_offset`` moves by them) with the
client's weekmask and holidays; holidays come from the ``holidays`` package by
country, subdivision and the client's categories, plus its own closure days.
A calendar with working days the weekmask or holidays would close (make-up
Saturdays, listed or from the package) computes the same functions over an
explicit table of its business days instead (`claimflow.sla.daytable`):
numpy's ``busdaycalendar`` cannot open one Saturday.
Hour arithmetic walks local days and intersects each day's opening hours,
built as timezone-aware instants, with the interval: that is what makes it
right across daylight-saving changes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from claimflow.errors import ConfigError
from claimflow.sla.daytable import DayTable
from claimflow.sla.settings import (
    DAYS,
    YEARS,
    CalendarSettings,
    WorkingDay,
    country_days,
    makeup_days,
    makeup_hours_problem,
    parse_span,
    shared_hours,
)

__all__ = ["DAYS", "BusinessCalendar", "CalendarSettings", "WorkingDay"]


class BusinessCalendar:
    """Business days and hours of one client.

    Example: ``BusinessCalendar(CalendarSettings(country="US"), "America/Chicago")``
    """

    def __init__(self, settings: CalendarSettings, default_zone: str = "UTC") -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone or default_zone)
        self.hours: dict[int, tuple[time, time] | None] = {}
        for i, day in enumerate(DAYS):
            span = settings.hours.get(day)
            self.hours[i] = parse_span(span) if span else None
        self.weekmask = [self.hours[i] is not None for i in range(7)]
        self._years: set[int] = set()
        self._holidays: set[date] = set(settings.closures)
        self._windows: dict[date, tuple[datetime, datetime] | None] = {}

    def holidays(self, years: Iterable[int]) -> set[date]:
        """Holidays (of the chosen categories) and closures in the given years."""
        wanted = set(years) - self._years
        country, categories = self.settings.country, self.settings.holiday_categories
        if wanted and country:
            import holidays as holiday_data

            chosen = tuple(categories) if categories else None
            known = country_days(country, self.settings.subdivision, chosen)[0]
            self._holidays.update(d for d in known if d.year in wanted)
            others = sorted(wanted - set(YEARS))
            with warnings.catch_warnings():
                # "only available from 2001 to 2035": years outside it have
                # none listed, which the figures already show as working days
                warnings.simplefilter("ignore")
                if others:
                    found = holiday_data.country_holidays(
                        country,
                        subdiv=self.settings.subdivision,
                        years=others,
                        categories=chosen,
                    )
                    self._holidays.update(found.keys())
        self._years |= wanted
        return self._holidays

    @cached_property
    def extra_hours(self) -> dict[date, tuple[time, time]]:
        """Working days the weekmask and holidays would close, with the hours
        each keeps: the listed `working_days`, and the package's make-up
        working days (unless `makeup_working_days` is false) that are no
        holiday of the chosen categories nor a closure.

        Example: ``TAIPEI.extra_hours[date(2025, 2, 8)]``  # Saturday 09:00-18:00
        """
        settings, extra = self.settings, {}
        if (problem := makeup_hours_problem(settings)) is not None:
            raise ConfigError(problem)
        closed = self.holidays(YEARS)
        take = settings.makeup_working_days
        if take is not False and settings.country:
            for day in makeup_days(settings.country, settings.subdivision):
                if day in closed or self.weekmask[day.weekday()]:
                    continue
                own = None if take is True else take
                extra[day] = self._hours_of(day, own)
        for item in settings.working_days:
            open_ = self.weekmask[item.date.weekday()] and item.date not in closed
            if not open_ or item.weekday is not None:
                extra[item.date] = self._hours_of(item.date, item.weekday)
        return extra

    def _hours_of(self, day: date, weekday: str | None) -> tuple[time, time]:
        """The hours a working day keeps: `weekday`'s, its own weekday's, or
        the span every open weekday shares (validated when the file loads)."""
        if weekday is not None:
            span = self.hours[DAYS.index(weekday)]
        else:
            span = self.hours[day.weekday()]
        if span is None:
            span = parse_span(shared_hours(self.settings.hours, f"{day}", ""))
        return span

    @cached_property
    def _busdays(self) -> np.busdaycalendar:
        return np.busdaycalendar(
            weekmask=self.weekmask,
            holidays=sorted(self.holidays(YEARS)),
        )

    @cached_property
    def _table(self) -> DayTable | None:
        """The explicit day table when some day works against the weekmask
        (numpy's busdaycalendar cannot say so); None otherwise."""
        if not self.extra_hours:
            return None
        return DayTable(
            self.weekmask,
            sorted(self.holidays(YEARS)),
            sorted(self.extra_hours),
        )

    def is_business_day(self, day: date) -> bool:
        """Open on `day`: a weekday with hours that is no holiday or closure,
        or a working day (`extra_hours`)."""
        if day in self.extra_hours:
            return True
        return bool(np.is_busday(day, busdaycal=self._busdays))

    def business_days(self, start: date, end: date) -> int:
        """Business days in ``[start, end)`` (negative if end is before start).

        Example: ``cal.business_days(date(2026, 12, 24), date(2026, 12, 28))``
        """
        return int(
            self.business_days_many(
                np.array([start], dtype="datetime64[D]"),
                np.array([end], dtype="datetime64[D]"),
            )[0]
        )

    def business_days_many(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """`business_days` over arrays of ``datetime64[D]`` (vectorised)."""
        if self._table is not None:
            return self._table.count(starts, ends)
        return np.busday_count(starts, ends, busdaycal=self._busdays)

    def start_days_many(self, received: np.ndarray) -> np.ndarray:
        """The business day each claim's clock starts on (``datetime64[D]``):
        its received day, or the next business day when that day is closed.

        The one definition the turnaround (`due_date`) and the per-day
        volumes (a claim counts as received on the day its clock starts)
        share.

        Example: ``cal.start_days_many(np.array(["2025-10-26"], "M8[D]"))``
        """
        days = np.asarray(received).astype("datetime64[D]")
        return self.offset_many(days, 0)

    def due_date(self, received: date, days: int) -> date:
        """The last date a claim received on `received` is on time with `days`.

        A claim received on a closed day starts on the next business day
        (`start_days_many`).

        Example: ``cal.due_date(date(2026, 10, 2), 7)``
        """
        due = self.due_dates_many(np.array([received], dtype="datetime64[D]"), days)
        return date.fromisoformat(str(due[0]))

    def due_dates_many(
        self, received: np.ndarray, days: np.ndarray | int
    ) -> np.ndarray:
        """`due_date` over arrays (vectorised): `days` business days after
        each claim's start day (`start_days_many`)."""
        return self.offset_many(self.start_days_many(received), days)

    def offset_many(
        self,
        days: np.ndarray,
        offsets: np.ndarray | int,
        roll: Literal["forward", "backward"] = "forward",
    ) -> np.ndarray:
        """Working days `offsets` away from `days` (``datetime64[D]``), after
        rolling a closed day `roll` (``forward`` or ``backward``).

        Example: ``cal.offset_many(np.array(["2026-11-13"], "M8[D]"), 1)``
        """
        if self._table is not None:
            return self._table.offset(days, offsets, roll)
        return np.busday_offset(days, offsets, roll=roll, busdaycal=self._busdays)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the client's zone."""
        return moment.astimezone(self.zone)

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening hours as UTC instants (cached: days repeat)."""
        if day in self._windows:
            return self._windows[day]
        span = self.extra_hours.get(day, self.hours[day.weekday()])
        window = None
        if span is not None and self.is_business_day(day):
            start = datetime.combine(day, span[0], tzinfo=self.zone).astimezone(UTC)
            end = datetime.combine(day, span[1], tzinfo=self.zone).astimezone(UTC)
            window = start, end
        self._windows[day] = window
        return window

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds between two aware instants (0 if end <= start).

        Example: ``cal.business_seconds(friday_16h, monday_10h) / 3600``
        """
        if end <= start:
            return 0.0
        total = 0.0
        day = self.local(start).date()
        last = self.local(end).date()
        while day <= last:
            window = self._window(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The instant `hours` business hours after `start`.

        Example: ``cal.add_business_hours(friday_16h, 8)``  # Monday 15:00
        """
        left = hours * 3600.0
        day = self.local(start).date()
        for _ in range(3660):  # ten years of days: a calendar with no hours never ends
            window = self._window(day)
            if window is not None:
                lo = max(window[0], start)
                available = (window[1] - lo).total_seconds()
                if available >= left and lo < window[1]:
                    return lo + timedelta(seconds=left)
                left -= max(available, 0.0)
            day += timedelta(days=1)
        raise ValueError("the calendar has no business hours in the next ten years")
