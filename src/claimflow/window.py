"""The desk's calendar day, and claim windows counted in it.

A received time is an instant, keyed in whatever offset the portal or the
clerk used (``2026-03-01T23:30-05:00``); the day it counts as is the day at
the program desk (the client's ``timezone``): 2026-03-02 at a Paris desk.
`desk_day` is that rule, and every stage that needs the day of an instant
(the claim window, the award engine's rule-set versions, promotions, rates
and caps, the award run's order) takes it from here.

`at_desk` reads a wall time without an offset in the desk's zone, and
refuses one the zone's clock shows twice or never (daylight saving).

`CLOCK_SKEW` and `refuse_future` say when a received time is later than
now: a keying error (``2027`` for ``2026``, a day and month swapped), refused
as a command's option and pended as a claim's own (``received_in_future``).

`ClaimWindow` is a client's ``claim_window`` section: when a claim may be
received, counted from its activity date (invoice date or check-out). It is
data with no I/O; `claimflow.validate.record` enforces it.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimflow.errors import AmbiguousTime, FutureTime
from claimflow.schema_docs import describe_fields

#: How far a received time may run ahead of the desk's clock before it is
#: taken as keyed in the future: a scanner's or a portal's clock a little fast.
CLOCK_SKEW = timedelta(minutes=5)


def desk_day(moment: datetime, zone: tzinfo) -> date:
    """The calendar day `moment` falls on at the desk.

    A time without an offset is taken as the desk's own local time.

    Args:
        moment: an instant (timezone-aware, in any offset).
        zone: the desk's time zone.

    Returns:
        The date at the desk.

    Example: ``desk_day(datetime.fromisoformat("2026-03-01T23:30-05:00"),
    ZoneInfo("Europe/Paris")) == date(2026, 3, 2)``
    """
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def after_now(moment: datetime, now: datetime) -> bool:
    """Whether `moment` is later than `now` by more than `CLOCK_SKEW`.

    Example: ``not after_now(now + timedelta(minutes=1), now)``
    """
    return moment > now + CLOCK_SKEW


def desk_time(moment: datetime, zone: tzinfo) -> str:
    """`moment` as the desk's wall clock shows it (``2026-12-04 09:30``).

    Example: ``desk_time(datetime(2026, 12, 4, 8, 30, tzinfo=UTC), paris)``
    is ``"2026-12-04 09:30"``
    """
    local = moment.astimezone(zone) if moment.tzinfo else moment
    return local.strftime("%Y-%m-%d %H:%M")


def at_desk(value: datetime, zone: tzinfo) -> datetime:
    """A time at the desk: `value` itself when it has an offset, else its
    wall time in `zone`, refused when the zone's clock shows it twice (the
    hour the clocks go back) or never (the hour they go forward).

    Python would take the first of two silently (``fold=0``): as-of figures
    an hour off, with nothing said (trial 21: ``--as-of 2025-10-26T02:30``
    at a Berlin desk).

    Raises:
        AmbiguousTime: one line naming the offsets, asking for one.

    Example: ``at_desk(datetime(2026, 10, 1, 9, 30), ZoneInfo("Europe/Paris"))``
    """
    if value.tzinfo is not None:
        return value
    first = value.replace(tzinfo=zone, fold=0)
    second = value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    offsets = [_offset(first), _offset(second)]
    text = value.isoformat(timespec="minutes")
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != value:
        raise AmbiguousTime(
            f"{text} does not exist in {zone} (the clocks go forward from "
            f"{offsets[0]} to {offsets[1]}): give the time with its offset"
        )
    raise AmbiguousTime(
        f"{text} happens twice in {zone} (at {offsets[0]}, then at {offsets[1]} "
        f"after the clocks go back): give one, {text}{offsets[0]} or "
        f"{text}{offsets[1]}"
    )


def _offset(moment: datetime) -> str:
    """``+02:00``: the moment's UTC offset as ISO writes it."""
    return moment.isoformat()[-6:]


def refuse_future(
    moment: datetime,
    what: str,
    zone: tzinfo,
    now: datetime,
    why: str = "a claim cannot be received in the future",
) -> datetime:
    """`moment`, or `FutureTime` when it is later than `now` (`after_now`).

    Both times are written as the desk reads them, its wall time and zone
    (``2026-12-04 08:52 CST``: `claimflow.shown.desk_time`), never in UTC.

    Args:
        moment: the time given (aware).
        what: how the caller names it (``--at``, ``received_at``).
        zone: the desk's time zone, for the message.
        now: the desk's clock.
        why: what a time in the future would be, for the message.

    Example: ``refuse_future(at, "--at", client.zone, datetime.now(UTC))``
    """
    from claimflow.shown import desk_time as named_time  # with its zone

    moment = at_desk(moment, zone)  # a naive time is the desk's
    if after_now(moment, now):
        raise FutureTime(
            f"{what}: expected a time no later than now "
            f"({named_time(now, zone)} at the desk, {zone}), found "
            f"{named_time(moment, zone)}: {why}"
        )
    return moment


def refuse_future_day(
    day: date, what: str, zone: tzinfo, now: datetime, written: str | None = None
) -> date:
    """`day`, or `FutureTime` when it is after the desk's day at `now`.

    A report of a day that has not come (``report daily --period
    2026-12-14`` in October) would show today's figures under another
    name; the option is refused as a future ``--at`` is (`refuse_future`).

    Args:
        day: the day given.
        what: how the caller names it (``--period``).
        zone: the desk's time zone.
        now: the desk's clock (or the instant a report looks at).
        written: the value as given, when not the day (a month: ``2026-12``).

    Example: ``refuse_future_day(date(2026, 10, 20), "--period", zone, now)``
    """
    today = now.astimezone(zone).date()
    if day > today:
        raise FutureTime(
            f"{what}: expected a day no later than {today.isoformat()} (the day at "
            f"the desk as of the report, {zone}), found {written or day.isoformat()}: "
            "a report cannot cover a day that has not come"
        )
    return day


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months: the same day of the month, or the month's
    last day where it has no such day (2024-02-29 + 12 months: 2025-02-28).

    Example: ``add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)``
    """
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    if not date.min.year <= year <= date.max.year:
        return date.max if months > 0 else date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _plus_days(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


class ClaimWindow(BaseModel):
    """When a claim may be received, in days at the desk after its activity.

    At most one of `within_days`, `within_months` and `within` gives the last
    day; `not_before_days` gives the first. Published forms: Hilton "within
    180 days" (``within_days: 180``); Marriott "within 12 months of the stay"
    (``within_months: 12``); Hyatt "over 2 weeks since you checked out ...
    within the past 90 days" (``not_before_days: 14, within_days: 90``); a
    dealer program "claims for a year's sales by 31 January" (``within:
    calendar_year, grace_days: 31``).

    Attributes:
        not_before_days: the first day a claim may be received is the
            activity date plus this many days; earlier is ``too_early``.
        within_days: the last day is the activity date plus this many days
            (``claim_window_days`` is this form).
        within_months: the last day is the activity date plus this many
            calendar months, the same day of the month or the month's last
            day where it has none (a stay on 2024-02-29: 2025-02-28).
        within: ``calendar_year``: the last day is 31 December of the
            activity's year, plus `grace_days`.
        grace_days: days after 31 December (``within: calendar_year`` only).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    not_before_days: int | None = Field(default=None, gt=0, strict=True)
    within_days: int | None = Field(default=None, gt=0, strict=True)
    within_months: int | None = Field(default=None, gt=0, le=1200, strict=True)
    within: Literal["calendar_year"] | None = None
    grace_days: int = Field(default=0, ge=0, le=366, strict=True)

    @field_validator("within_months", "within")
    @classmethod
    def _one_last_day(cls, value: object, info: ValidationInfo) -> object:
        given = [
            name
            for name in ("within_days", "within_months")
            if name != info.field_name and info.data.get(name) is not None
        ]
        if value is not None and given:
            raise ValueError(
                f"give one of within_days, within_months and within; "
                f"{given[0]} is given too"
            )
        return value

    @field_validator("grace_days")
    @classmethod
    def _grace(cls, value: int, info: ValidationInfo) -> int:
        if value and info.data.get("within") != "calendar_year":
            raise ValueError("applies to within: calendar_year only")
        return value

    @model_validator(mode="after")
    def _bounded(self) -> ClaimWindow:
        last = (self.within_days, self.within_months, self.within)
        if self.not_before_days is None and all(v is None for v in last):
            raise ValueError(
                "expected within_days, within_months, within or not_before_days"
            )
        shortest = self._shortest()
        early = self.not_before_days or 0
        if shortest is not None and early > shortest:
            which = (
                "an activity on 31 December"
                if self.within is not None
                else "an activity"
            )
            raise ValueError(
                f"not_before_days: {early} days leaves {which} no day to claim "
                f"on: its last day can be {shortest} days after it; lower "
                "not_before_days or widen the window"
            )
        return self

    def _shortest(self) -> int | None:
        """The fewest days after an activity its last day can fall."""
        if self.within_days is not None:
            return self.within_days
        if self.within_months is not None:
            return 28 * self.within_months  # a month is at least 28 days
        if self.within is not None:
            return self.grace_days  # an activity on 31 December
        return None

    def first_day(self, activity: date) -> date | None:
        """The first day a claim for `activity` may be received, if bounded.

        Example: ``ClaimWindow(not_before_days=14).first_day(date(2026, 3, 1))
        == date(2026, 3, 15)``
        """
        if self.not_before_days is None:
            return None
        return _plus_days(activity, self.not_before_days)

    def last_day(self, activity: date) -> date | None:
        """The last day a claim for `activity` may be received, if bounded.

        Example: ``ClaimWindow(within_months=12).last_day(date(2024, 2, 29))
        == date(2025, 2, 28)``
        """
        if self.within_days is not None:
            return _plus_days(activity, self.within_days)
        if self.within_months is not None:
            return add_months(activity, self.within_months)
        if self.within == "calendar_year":
            return _plus_days(date(activity.year, 12, 31), self.grace_days)
        return None

    def earliest_activity(self, received: date) -> date | None:
        """The earliest activity date a claim received on `received` may have.

        Example: ``ClaimWindow(within_days=90).earliest_activity(date(2026,
        10, 21)) == date(2026, 7, 23)``
        """
        if self.within_days is not None:
            return _plus_days(received, -self.within_days)
        if self.within_months is not None:
            # last_day grows with the activity; clamping to a month's end can
            # leave the month-back candidate one day short of `received`.
            day = add_months(received, -self.within_months)
            while day < date.max and add_months(day, self.within_months) < received:
                day += timedelta(days=1)
            return day
        if self.within == "calendar_year":
            return date(_plus_days(received, -self.grace_days).year, 1, 1)
        return None

    def describe(self) -> str:
        """The last-day rule as the refusal message says it.

        Example: ``ClaimWindow(within_days=90).describe() == "90 days before
        receipt"``
        """
        if self.within_days is not None:
            return f"{_count(self.within_days, 'day')} before receipt"
        if self.within_months is not None:
            return f"{_count(self.within_months, 'month')} before receipt"
        if self.grace_days:
            return (
                f"claims close {_count(self.grace_days, 'day')} after the end of "
                "the activity's calendar year"
            )
        return "claims close at the end of the activity's calendar year"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
