"""A client's ``calendar`` section as written: weekly hours, holidays by
country and category, closures and working days.

`CalendarSettings` validates the section (errors name the key and the value);
`makeup_days` reads the make-up working days the ``holidays`` package lists
for a country. `claimflow.sla.calendar.BusinessCalendar` computes with them.
"""

from __future__ import annotations

import functools
import warnings
from datetime import date, time
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimflow.schema_docs import describe_fields

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAYS: dict[str, str | None] = dict.fromkeys(DAYS[:5], "09:00-17:00")
_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class WorkingDay(BaseModel):
    """One day the desk works although its weekday has no hours or it is a
    holiday: ``2026-02-21``, or ``{date: 2026-02-21, as: mon}``.

    Attributes:
        date: the day.
        weekday: (written ``as``) the weekday whose opening hours the day
            keeps; without it, the day's own weekday's hours when it has
            any, else the hours every open weekday shares.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        json_schema_extra=describe_fields,
    )

    date: date
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = (
        Field(default=None, alias="as")
    )

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: object) -> object:
        if isinstance(value, dict | WorkingDay):
            return value
        return {"date": value}


class CalendarSettings(BaseModel):
    """A client's ``calendar`` section.

    Attributes:
        timezone: IANA zone (default: the client's ``timezone``).
        country: ISO country code for public holidays (``US``, ``ES``).
        subdivision: state or region code (``IL``, ``MD`` for Madrid).
        hours: opening hours per weekday as ``"09:00-17:00"``; a day left out
            (or ``null``) is closed.
        closures: the client's own closure days.
        working_days: days the desk works although the weekday has no hours
            or the day is a holiday (a make-up Saturday), each a date or
            ``{date, as: <weekday>}`` naming the weekday whose hours it keeps.
        holiday_categories: the ``holidays`` package's categories that close
            the desk (``public``, ``optional``...); default: the package's
            default for the country.
        makeup_working_days: take the make-up working days the ``holidays``
            package lists for the country (China's and Taiwan's adjusted
            weekends): ``true`` (default), ``false``, or the weekday whose
            hours they keep when the desk's weekdays differ in hours.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    timezone: str | None = None
    country: str | None = None
    subdivision: str | None = None
    hours: dict[str, str | None] = Field(default_factory=_WEEKDAYS.copy)
    closures: list[date] = Field(default_factory=list)
    working_days: list[WorkingDay] = Field(default_factory=list)
    holiday_categories: list[str] | None = None
    makeup_working_days: (
        bool | Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    ) = True

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for day, span in value.items():
            if day not in DAYS:
                raise ValueError(f"{day}: expected one of {', '.join(DAYS)}")
            if span is not None:
                parse_span(span)
        return value

    @field_validator("working_days")
    @classmethod
    def _working_days(
        cls, value: list[WorkingDay], info: ValidationInfo
    ) -> list[WorkingDay]:
        hours: dict[str, str | None] = info.data.get("hours", {})
        closed = set(info.data.get("closures", []))
        seen: set[date] = set()
        for item in value:
            day, name = item.date, _NAMES[item.date.weekday()]
            if day in closed:
                raise ValueError(
                    f"{day} ({name}) is also in closures: a day is open or "
                    "closed, not both"
                )
            if day in seen:
                raise ValueError(f"{day} is listed twice")
            seen.add(day)
            if item.weekday is not None and not hours.get(item.weekday):
                raise ValueError(
                    f"{day}: as {item.weekday}: expected a weekday with opening "
                    f"hours, found {item.weekday} closed"
                )
            if item.weekday is None and not hours.get(DAYS[day.weekday()]):
                shared_hours(
                    hours,
                    f"{day} ({name}, no hours)",
                    f"write {{date: {day}, as: <weekday>}} naming the weekday "
                    "whose hours it keeps",
                )
        return value

    @field_validator("holiday_categories")
    @classmethod
    def _categories(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("expected at least one category (or leave it out)")
        return value

    @model_validator(mode="after")
    def _makeup_hours(self) -> CalendarSettings:
        take = self.makeup_working_days
        if isinstance(take, str) and not self.hours.get(take):
            raise ValueError(
                f"makeup_working_days: {take}: expected a weekday with opening "
                f"hours, found {take} closed"
            )
        return self

    @model_validator(mode="after")
    def _categories_of_country(self) -> CalendarSettings:
        if self.holiday_categories is None:
            return self
        if not self.country:
            raise ValueError(
                "holiday_categories: expected a country whose holiday "
                "categories to take, found no country"
            )
        known = _holiday_class(self.country).supported_categories
        for category in self.holiday_categories:
            if category not in known:
                raise ValueError(
                    f"holiday_categories: expected categories of "
                    f"{self.country}'s holidays ({', '.join(sorted(known))}), "
                    f"found {category!r}"
                )
        return self


#: The years the ``holidays`` package is read for once per country.
YEARS = range(1990, 2061)


@functools.lru_cache(maxsize=64)
def country_days(
    country: str, subdivision: str | None, categories: tuple[str, ...] | None
) -> tuple[frozenset[date], frozenset[date]]:
    """The holidays of `categories` (None: the package's default) and the
    make-up working days the package lists for `country` in `YEARS`, read
    once per process (71 years of a country take up to 0.15 s).

    Example: ``date(2025, 1, 27) in country_days("TW", None, None)[0]``
    """
    import holidays as holiday_data

    with warnings.catch_warnings():
        # "only available from 2001 to 2035": years outside it have none
        # listed, which the figures already show as working days
        warnings.simplefilter("ignore")
        found = holiday_data.country_holidays(
            country, subdiv=subdivision, years=YEARS, categories=categories
        )
    return frozenset(found), frozenset(getattr(found, "weekend_workdays", ()))


def makeup_days(country: str, subdivision: str | None) -> frozenset[date]:
    """The make-up working days the ``holidays`` package lists for `country`
    in `YEARS`: weekend days worked in exchange for a bridge holiday, as the
    government announced them (``weekend_workdays``). They come with the
    country's default (public) holidays whatever categories close the desk.

    Example: ``date(2025, 2, 8) in makeup_days("TW", None)``  # True
    """
    return country_days(country, subdivision, None)[1]


def _holiday_class(country: str) -> Any:
    """The ``holidays`` package's class for `country` (ValueError if none)."""
    import holidays as holiday_data

    found = holiday_data.utils.list_supported_countries()
    if country not in found:
        raise ValueError(
            f"country: expected a country the holidays package knows, "
            f"found {country!r}"
        )
    return type(holiday_data.country_holidays(country, years=()))


def makeup_hours_problem(settings: CalendarSettings) -> str | None:
    """Why the package's make-up days would have no hours to keep, if so:
    `makeup_working_days` is true, the desk's open weekdays differ in hours
    and the package lists make-up days for the country on closed weekdays.

    Asked when a calendar is first used rather than when the file loads:
    reading 71 years of a country's holidays costs a third of a second.

    Example: ``makeup_hours_problem(CalendarSettings(country="US"))`` is None
    """
    if settings.makeup_working_days is not True or not settings.country:
        return None
    hours = settings.hours
    if len({span for span in hours.values() if span}) == 1:
        return None
    listed = makeup_days(settings.country, settings.subdivision)
    closed = [d for d in sorted(listed) if not hours.get(DAYS[d.weekday()])]
    if not closed:
        return None
    try:
        shared_hours(
            hours,
            f"calendar.makeup_working_days: the holidays package lists make-up "
            f"working days for {settings.country} ({closed[-1]} the last)",
            "set makeup_working_days to the weekday whose hours they keep "
            "(mon), or to false",
        )
    except ValueError as exc:
        return str(exc)
    return None


def shared_hours(hours: dict[str, str | None], what: str, fix: str) -> str:
    """The one span every open weekday has (ValueError naming `what` and how
    to `fix` it if they differ: which day's hours a working day on a closed
    weekday keeps would be a guess)."""
    spans = {span for span in hours.values() if span}
    if len(spans) == 1:
        return spans.pop()
    if not spans:
        raise ValueError(f"{what}: expected a weekday with opening hours, found none")
    written = ", ".join(f"{d} {h}" for d, h in hours.items() if h)
    raise ValueError(
        f"{what}: expected one span of hours on the open weekdays to work it "
        f"with, found {written}: {fix}"
    )


def parse_span(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValueError(
            f"expected opening hours like '09:00-17:00', found {text!r}"
        ) from None
    if end <= start:
        raise ValueError(f"expected closing after opening, found {text!r}")
    return start, end


def _holidays_named(cal: CalendarSettings) -> str:
    """``public holidays of US IL``, or the categories the client chose."""
    where = " ".join(filter(None, [cal.country, cal.subdivision])) or "none"
    if cal.holiday_categories is None:
        return f"public holidays of {where}"
    return f"holidays of {where} ({', '.join(cal.holiday_categories)})"


def _working_named(cal: CalendarSettings) -> str:
    """The working days a closed weekday or holiday gives way to, if any:
    the listed ones, and the package's make-up days when it has some."""
    listed = [
        f"{d.date}" + (f" (as {d.weekday})" if d.weekday else "")
        for d in cal.working_days
    ]
    text = f"; working days: {', '.join(listed)}" if listed else ""
    if cal.makeup_working_days is not False and cal.country:
        if makeup_days(cal.country, cal.subdivision):
            hours = (
                f" (as {cal.makeup_working_days})"
                if isinstance(cal.makeup_working_days, str)
                else ""
            )
            text += f"; make-up working days of {cal.country}{hours}"
    return text


def calendar_line(cal: CalendarSettings) -> str:
    """The calendar as the SLA reports define it, in one sentence.

    Example: ``calendar_line(CalendarSettings(country="US"))``
    """
    hours = ", ".join(f"{d} {h}" for d, h in cal.hours.items() if h)
    return (
        f"Calendar: {hours}; {_holidays_named(cal)}; closures: "
        f"{', '.join(map(str, cal.closures)) or 'none'}{_working_named(cal)}."
    )
