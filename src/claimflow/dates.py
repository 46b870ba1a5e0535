"""Reading keyed dates and date-times written as text, in the client's order.

The text readers the claim models' date validators (`claimflow.values`)
and the other readers of keyed dates (sources, keyings, participant files,
dedupe) share: `parse_date` and `parse_datetime` return the date (and time)
or a message ``expected ..., found ...``, and never guess: a two-digit
year, a day and month that could be swapped, a day past its month's end or
a Buddhist Era year is refused, the message ending in a note a notice can
recognise (`TWO_DIGIT_YEAR`, `YEAR_FIRST`, `SWAPPED`, `NO_SUCH_DAY`).
Japanese and Korean dates (`claimflow.cjk`) are read in any order.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal

from claimflow.bidi import unmarked
from claimflow.cjk import (
    JA_PATTERN,
    KO_PATTERN,
    WrittenDate,
    japanese_date,
    narrow,
    weekday_after,
    weekday_doubt,
)
from claimflow.keys import ascii_digits

DateOrder = Literal["DMY", "MDY", "YMD"]
_PATTERN = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY-MM-DD"}
#: The note ending the message of a date whose year is not written in full.
TWO_DIGIT_YEAR = "(a two-digit year: its century would be a guess)"
#: The note ending the message of a date written day first at a YMD desk.
YEAR_FIRST = "(the year comes first)"
#: The note ending the message of a date that reads with day and month swapped.
SWAPPED = "(day and month swapped?)"
#: The note ending the message of a day past its month's end (`no_such_day`):
#: a notice says it again in its own language.
NO_SUCH_DAY = re.compile(r" \(no such day: (?P<month>[A-Z][a-z]+) has (?P<last>\d\d)\)$")
#: Years of the Buddhist Era (Thailand's forms: 2569 is 2026) for the
#: Gregorian years 1857..2256; no claim, birth or enrolment date is there.
_BUDDHIST_ERA = range(2400, 2800)
_BE_OFFSET = 543
#: Years of the Minguo (ROC) calendar, as Taiwanese forms and uniform
#: invoices write them (``115/12/04``, ``民國115年12月4日``: 2026): year 1 is
#: 1912. A year before 1000 (``0115/12/04`` too) is no Gregorian year here.
_MINGUO_OFFSET = 1911
_MINGUO_YEARS = 200
#: Years of the Hijri calendars: Solar Hijri (Jalali), as Iranian and Afghan
#: forms write them (``۱۴۰۵/۰۹/۱۳`` is 2026-12-04: 1300 began in 1921, 1499
#: in 2120), and Lunar Hijri, as a Saudi or Gulf desk may (1447 began in
#: 2025); no claim, birth or enrolment is dated in these Gregorian years.
_SOLAR_HIJRI = range(1300, 1500)
_SOLAR_HIJRI_OFFSET = 621
#: The languages and desk zones that write the Solar Hijri calendar
#: (`writes_solar_hijri`): only there is a Hijri year's date converted as
#: a Solar Hijri one; elsewhere 1447 may as well be a Lunar Hijri year,
#: whose conversion is another.
SOLAR_HIJRI_LANGUAGES = frozenset({"fa", "ps"})
SOLAR_HIJRI_ZONES = frozenset({"Asia/Tehran", "Asia/Kabul"})
#: The note of a Hijri year named without a conversion (`era_year`): a
#: notice asks for the date in the Gregorian calendar.
HIJRI_YEAR = "looks like a Hijri year, Lunar or Solar:"
#: The note of a year refused as another calendar's, naming its Gregorian
#: year (`era_year`): a notice asks for the date in that year; or, for a
#: Solar Hijri date (`jalali_date`), its Gregorian date.
GREGORIAN_YEAR = re.compile(
    r", (?P<year>\d{4})(?P<date>-\d\d-\d\d)? in the Gregorian calendar:"
)
#: The whole note naming a date's Gregorian year or date, at a message's end.
_CALENDAR_NOTE = re.compile(
    r" \((\d{3,4}\S* looks like .* in the Gregorian calendar: [^()]*)\)$"
)
#: Day, month and year (in the client's order) between one mark each; a
#: dot may be followed by a space, as Czech and Slovak write ``1. 1. 2000``.
_PARTS = re.compile(r"^\s*(\d{1,4})(?:\.\s?|[/\-\s])(\d{1,2})(?:\.\s?|[/\-\s])(\d{1,4})\s*$")
#: Parts that each end in a dot, the last one too: Hungarian ``2026. 11. 27.``
#: (Babel's hu_HU short date; Korean writes it so too), Croatian and Serbian
#: ``27. 11. 2026.``. The final dot closes the date; the order is as above.
_FINAL_DOT = re.compile(r"^\s*(\d{1,4}\.\s?\d{1,2}\.\s?\d{1,4})\.\s*$")
#: A date keyed in the client's order, then a time (``27/11/2026 09:00``,
#: ``27-11-2026 09.00:30``, ``2026年11月27日 9:00``, ``2026년 11월 27일 9:00``)
#: and maybe an offset (``Z``, ``+07:00``, ``+0700``).
_DATE_TIME = re.compile(
    r"^\s*(?P<date>\d{1,4}(?:\.\s?|[/\-])\d{1,2}(?:\.\s?|[/\-])\d{1,4}\.?"
    r"|\d{1,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|\d{1,4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일)(?:\s+|T|(?<=日))"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)


def _ymd(a: int, b: int, c: int, order: DateOrder) -> tuple[int, int, int]:
    if order == "DMY":
        return c, b, a
    if order == "MDY":
        return c, a, b
    return a, b, c


def date_text(text: str) -> tuple[str, str | None]:
    """A keyed date's text as the date readers match it, and why a mark in
    it is refused (None): full-width forms narrowed (`narrow`), direction
    marks dropped (`claimflow.bidi`), any script's digits as ASCII
    (`ascii_digits`).

    Example: ``date_text("١٣\u200f/١٠\u200f/٢٠٢٦") == ("13/10/2026", None)``
    """
    plain, refused = unmarked(narrow(text))
    return ascii_digits(plain), refused


def writes_solar_hijri(locale: str, zone: str | None = None) -> bool:
    """Whether a desk of `locale` in `zone` writes the Solar Hijri calendar
    (a Persian or Pashto locale, a Tehran or Kabul desk), so that a Hijri
    year it is sent is named with its Solar Hijri conversion.

    Example: ``writes_solar_hijri("fa_IR")`` and not ``writes_solar_hijri("ar_SA", "Asia/Riyadh")``
    """
    language = locale.replace("-", "_").split("_", 1)[0].casefold()
    return language in SOLAR_HIJRI_LANGUAGES or zone in SOLAR_HIJRI_ZONES


@lru_cache(maxsize=65536)
def parse_date(text: str, order: DateOrder, solar_hijri: bool = False) -> date | str:
    """Read a keyed date in the given order; return the date or an error message.

    ISO dates (``2026-03-04``) are read in any order, since they cannot be
    ambiguous. A year must be written in full: ``02.10.26`` is refused (its
    century would be a guess; `TWO_DIGIT_YEAR` marks the message), and the
    participant is asked for the date with its four-digit year.

    Args:
        text: the date as keyed.
        order: the client's date order.

    Returns:
        The date, or a message ``expected ..., found ...``.

    A date written the Japanese or Korean way (``2026年11月3日``, ``2026년
    12월 4일``, `claimflow.cjk`) is read in any order too: its parts are
    labelled. A weekday in parentheses may follow a date in digits
    (``2026-12-04 (금)``, ``2026/11/03(火)``); it must be the date's own. Full-width digits and
    marks (``２０２６／１１／０３``) are read as the ASCII they stand for.

    Invisible direction marks are dropped (Babel's ar_AE ``13\\u200f/10\\u200f/2026``)
    or refused by name where they split a number (`claimflow.bidi`).

    A year of another calendar is refused, naming it (`era_year`); a Hijri
    year (``1447/06/13``) is named with its Solar Hijri date only where
    `solar_hijri` (`writes_solar_hijri`: a fa_IR desk), else as a Hijri
    year, Lunar or Solar, with no conversion: the two differ by decades.

    Example: ``parse_date("04/03/2026", "DMY") == date(2026, 3, 4)``
    """
    narrowed, refused = date_text(text)
    if refused is not None:
        return f"expected a date as {_PATTERN[order]}, found {text!r} ({refused})"
    written = japanese_date(narrowed)
    if written is not None:
        return _written_date(text, written, solar_hijri)
    digits, weekday = weekday_after(narrowed)
    found = _digits_date(text, without_final_dot(digits), order, solar_hijri)
    doubt = None if isinstance(found, str) else weekday_doubt(found, weekday)
    if doubt is None:
        return found
    plain = without_final_dot(digits)
    expected = _date_pattern(plain, _PARTS.match(plain), order)
    return f"expected a date as {expected}, found {text!r} ({doubt})"


def _digits_date(
    text: str, narrowed: str, order: DateOrder, solar_hijri: bool = False
) -> date | str:
    """`parse_date` of a date written in digits, `narrowed` as matched."""
    match = _PARTS.match(narrowed)
    expected = (
        f"expected a date as {_date_pattern(narrowed, match, order)}, found {text!r}"
    )
    if not match:
        return expected
    a, b, c = (int(g) for g in match.groups())
    iso = len(match[1]) == 4
    year, month, day = (a, b, c) if iso else _ymd(a, b, c, order)
    if not iso and len(written := match[1 if order == "YMD" else 3]) != 4:
        if order == "YMD" and len(match[3]) == 4:  # 11/03/2026 at a YMD desk
            return f"{expected} {YEAR_FIRST}"
        if len(written) == 3:  # 115/12/04: a Minguo year, never year 115
            return f"{expected} ({era_year(int(written))})"
        return f"{expected} {TWO_DIGIT_YEAR}"
    if year in _SOLAR_HIJRI:  # 1405/09/13: a Jalali date, whose day may be 31
        why = (
            jalali_date(year, month, day) if solar_hijri else str(era_year(year))
        )
        return f"{expected} ({why})"
    try:
        return in_gregorian(date(year, month, day), expected, solar_hijri)
    except ValueError:
        pass
    if not iso and order != "YMD":
        try:
            date(year, day, month)
            return f"{expected} {SWAPPED}"
        except ValueError:
            pass
    return expected + no_such_day(year, month, day)


def without_final_dot(text: str) -> str:
    """`text` without the dot that closes a date whose parts each end in one
    (`_FINAL_DOT`: ``2026. 11. 27.`` is ``2026. 11. 27``); else as it is.

    Example: ``without_final_dot("27. 11. 2026.") == "27. 11. 2026"``
    """
    match = _FINAL_DOT.match(text)
    return text if match is None else match[1]


def era_year(year: int, solar_hijri: bool = False) -> str | None:
    """Why `year` is not read as a Gregorian year (None: it is).

    A Thai form writes the Buddhist Era year (``05/11/2569``), which is 543
    years ahead of the Gregorian one. Read as written it is a date five
    centuries on: a stay or sale judged after its receipt, an enrolment no
    claim ever reaches (0 points), with nothing said. Converting it would be
    a guess about the calendar, so it is refused, naming the year it may be.

    A Taiwanese form writes the Minguo (ROC) year (``115/12/04``, 2026):
    read as written it is a date in year 115 (stored as ``0115-12-04``),
    rejected as outside the claim window. It is refused the same way, and
    so is any year before 1000, which no claim, birth or enrolment has.

    A Hijri year (1300-1499) is a Solar Hijri (Jalali) year at a desk that
    writes that calendar (`solar_hijri`, `writes_solar_hijri`), named with
    its Gregorian years; elsewhere it may as well be a Lunar Hijri year
    (1447 is 2025-2026 in the one, 2068-2069 in the other), so no
    Gregorian year is named.

    Example: ``era_year(2569)`` names 2026; ``era_year(115)`` names 2026;
    ``era_year(2026) is None``
    """
    if year < 1000:
        # three digits: the Minguo years of today's invoices (100 is 2011);
        # 0026 is rather a Gregorian year mis-keyed than Minguo 26 (1937)
        if 100 <= year <= _MINGUO_YEARS:
            return (
                f"{year} looks like a Minguo (ROC) year, {year + _MINGUO_OFFSET} in the "
                "Gregorian calendar: the desk reads Gregorian years"
            )
        return f"year {year}: the desk reads Gregorian years from 1000 on"
    if year in _SOLAR_HIJRI and not solar_hijri:
        return f"{year} {HIJRI_YEAR} the desk reads Gregorian years"
    if year in _SOLAR_HIJRI:
        first = year + _SOLAR_HIJRI_OFFSET
        return (
            f"{year} looks like a Solar Hijri (Jalali) year, {first} or {first + 1} "
            "in the Gregorian calendar: the desk reads Gregorian years"
        )
    if year not in _BUDDHIST_ERA:
        return None
    return (
        f"{year} looks like a Buddhist Era year, {year - _BE_OFFSET} in the "
        "Gregorian calendar: the desk reads Gregorian years"
    )


def in_gregorian(day: date, expected: str, solar_hijri: bool = False) -> date | str:
    """`day`, or `expected` with why its year is not read (`other_calendar`)."""
    why = other_calendar(day, solar_hijri)
    return day if why is None else f"{expected} ({why})"


def other_calendar(day: date, solar_hijri: bool = False) -> str | None:
    """Why a date read in `day`'s year is not read as a Gregorian date
    (None: it is): `era_year`, and for a Hijri year at a desk that writes
    the Solar Hijri calendar (`solar_hijri`) the Gregorian date its month
    and day are then (`jalali_date`).

    Example: ``other_calendar(date(1405, 9, 13), solar_hijri=True)`` names 2026-12-04
    """
    if day.year in _SOLAR_HIJRI and solar_hijri:
        return jalali_date(day.year, day.month, day.day)
    return era_year(day.year, solar_hijri)


def jalali_date(year: int, month: int, day: int) -> str:
    """Why ``year/month/day`` (a year in `_SOLAR_HIJRI`) is refused: it looks
    like a Solar Hijri (Jalali) date, as Iranian forms write them, and is
    named with its Gregorian date, so the desk can ask for that date.

    Read as written, ``۱۴۰۵/۰۹/۱۰`` is 10 September 1405, a stay six centuries
    before its claim, rejected as outside the claim window with nothing
    said. Its Gregorian date is counted from the first day of its year,
    Nowruz (1 Farvardin) as the `holidays` package dates it for Iran, with
    the calendar's months: six of 31 days, five of 30, and Esfand of 29 or
    30 (the days to the next Nowruz say which). Outside the years the
    package dates, or for a day its month has not, the note names the year
    only (`era_year`). Only for a desk that writes the Solar Hijri calendar
    (`writes_solar_hijri`): a Lunar Hijri date would be named decades off.

    Example: ``jalali_date(1405, 9, 13)`` names 2026-12-04
    """
    first = _nowruz(year + _SOLAR_HIJRI_OFFSET)
    following = _nowruz(year + _SOLAR_HIJRI_OFFSET + 1)
    if first is None or following is None or not 1 <= month <= 12:
        return str(era_year(year, solar_hijri=True))
    length = (following - first).days - 336 if month == 12 else 31 if month <= 6 else 30
    if not 1 <= day <= length:
        return str(era_year(year, solar_hijri=True))
    gregorian = first + timedelta(
        days=31 * min(month - 1, 6) + 30 * max(month - 7, 0) + day - 1
    )
    return (
        f"{year}/{month:02d}/{day:02d} looks like a Solar Hijri (Jalali) date, "
        f"{gregorian.isoformat()} in the Gregorian calendar: the desk reads "
        "Gregorian years"
    )


@lru_cache(maxsize=256)
def _nowruz(gregorian_year: int) -> date | None:
    """1 Farvardin (Nowruz) in `gregorian_year`, as the `holidays` package
    dates it for Iran; None for a year it does not date."""
    import holidays  # only when a Solar Hijri year was keyed

    try:
        days = holidays.country_holidays("IR", years=gregorian_year, language="en_US")
        found = days.get_named("Nowruz", lookup="exact")
    except (NotImplementedError, KeyError, ValueError):
        return None
    return min(found) if found else None


def _written_date(
    text: str, written: WrittenDate | str, solar_hijri: bool = False
) -> date | str:
    """A date written the Japanese or Korean way, or the message refusing it."""
    if isinstance(written, str):
        return f"expected a date as {JA_PATTERN}, found {text!r} ({written})"
    expected = f"expected a date as {written.pattern}, found {text!r}"
    if len(written.year) < 3:
        return f"{expected} {TWO_DIGIT_YEAR}"
    year, month, day = int(written.year), written.month, written.day
    try:
        found = date(year, month, day)
    except ValueError:
        return expected + no_such_day(year, month, day)
    doubt = weekday_doubt(found, written.weekday)
    if doubt is not None:
        return f"{expected} ({doubt})"
    return in_gregorian(found, expected, solar_hijri)


def _date_pattern(text: str, match: re.Match[str] | None, order: DateOrder) -> str:
    """How a refused date should be written, in the form's own separator
    (31.11.2026 is answered DD.MM.YYYY), or ISO when it was written ISO."""
    if match and len(match[1]) == 4:
        return "YYYY-MM-DD"
    pattern = _PATTERN[order]
    if match and order != "YMD":
        written = text.strip()[len(match[1]) : len(match[1]) + 1]
        if written in (".", "-"):
            return pattern.replace("/", written)
    return pattern


def no_such_day(year: int, month: int, day: int) -> str:
    """`` (no such day: November has 30)`` for a day past its month's end."""
    if 1 <= month <= 12 and 1 <= year <= 9999:
        last = calendar.monthrange(year, month)[1]
        if day > last:
            return f" (no such day: {calendar.month_name[month]} has {last})"
    return ""


@lru_cache(maxsize=65536)
def parse_datetime(
    text: str, order: DateOrder, solar_hijri: bool = False
) -> tuple[date, time] | str:
    """Read a keyed date and time, the date in the given order; return the
    date and the time (with its offset, if one was keyed), or an error message.

    The time is ``HH:MM`` or ``HH:MM:SS`` (a dot may stand for the colon);
    an offset (``Z``, ``+07:00``) may follow. A time without one is the
    caller's to place in the client's zone. A Hijri year is named as
    `parse_date` names it (`solar_hijri`).

    Example: ``parse_datetime("27/11/2026 09:00", "DMY") == (date(2026, 11, 27), time(9))``
    """
    plain, refused = date_text(text)
    match = _DATE_TIME.match(plain)
    written = {"日": JA_PATTERN, "일": KO_PATTERN}
    pattern = written.get(match["date"][-1], _PATTERN[order]) if match else _PATTERN[order]
    expected = f"expected a date and time as {pattern} HH:MM, found {text!r}"
    if refused is not None:
        return f"{expected} ({refused})"
    if not match:
        return expected
    day = parse_date(match["date"], order, solar_hijri)
    if isinstance(day, str):
        return _refused_datetime(day, match["date"], expected, solar_hijri)
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    zone: tzinfo | None = None
    offset = match["offset"]
    if offset and offset.upper() != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= timedelta(hours=24):
            return expected
        zone = timezone(-delta if offset[0] == "-" else delta)
    elif offset:
        zone = UTC
    try:
        return day, time(hour, minute, second, tzinfo=zone)
    except ValueError:
        return expected


def _refused_datetime(
    refused: str, written: str, expected: str, solar_hijri: bool = False
) -> str:
    """`parse_datetime`'s message for a date and time whose date (`written`)
    `parse_date` refused (`refused`): why, as far as it says it of the time."""
    if refused.endswith(TWO_DIGIT_YEAR):
        return f"{expected} {TWO_DIGIT_YEAR}"
    note = _CALENDAR_NOTE.search(refused)
    if note is not None:  # the date of a Solar Hijri one named
        return f"{expected} ({note[1]})"
    why = era_year(int(year), solar_hijri) if (year := _year_of(written)) else None
    if why is not None:
        return f"{expected} ({why})"
    swapped = " (day and month swapped?)" if refused.endswith("swapped?)") else ""
    return expected + swapped


def _year_of(text: str) -> str | None:
    """The year of a keyed date's parts written with four digits, or three
    (a Minguo year, `era_year`), if it has one."""
    match = _PARTS.match(without_final_dot(text))
    if match is None:
        return None
    return next((g for g in (match[1], match[3]) if len(g) in (3, 4)), None)
