"""How a notice asks a participant for a date again.

Contract: `date_reading` reads a keyed date as the claim's date field did
(the date, or the desk's message refusing it); `date_reason` says why it
was refused in the notice's language (the ``date_reasons`` of
``phrases.<lang>.yaml``: a day past its month's end, the year not first, day
and month swapped, a year of another calendar with its Gregorian year, a
Hijri year with none: Lunar or Solar, a conversion would be a guess), so
the participant learns what the desk's ``--verbose`` says (trial 34:
``30.02.2026`` was answered "we could not read this date" alone);
`date_form` writes the form asked for with the separator the client's
locale writes dates with (``DD.MM.YYYY`` at a tr_TR
desk, whose members write ``30.02.2026``, not ``DD/MM/YYYY``);
`notice_locale` is the locale a notice writes its dates in: the notice's
language decides the month names, the desk's territory the rest where the
language has a form for it (an English notice at an ar_EG desk dated
``20 October 2026``, not ``20 أكتوبر 2026``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from babel import Locale, localedata
from babel.dates import get_month_names

from claimflow.values import (
    GREGORIAN_YEAR,
    HIJRI_YEAR,
    NO_SUCH_DAY,
    SWAPPED,
    TWO_DIGIT_YEAR,
    YEAR_FIRST,
    DateOrder,
    parse_date,
)

if TYPE_CHECKING:
    from claimflow.config import ResolvedClient


def date_reading(value: Any, client: ResolvedClient) -> date | str | None:
    """A keyed date as the claim's date field read it (`claimflow.values`):
    the date, why it was refused, or None when it was not text.

    Example: ``date_reading("30.02.2026", client)`` ends ``(no such day:
    February has 28)`` at a DMY desk
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    reading = parse_date(text, client.config.date_order, client.solar_hijri)
    if isinstance(reading, str) and any(c.isalpha() for c in text):
        from claimflow.written_dates import named_month_date

        named = named_month_date(text, client.config.locale, client.config.date_order)
        reading = reading if named is None else named
    return reading


def date_reason(
    reading: date | str | None,
    words: dict[str, Any],
    language: str,
    written: Callable[[date], str] = date.isoformat,
) -> str:
    """Why a keyed date was refused, in the notice's language, to follow
    "we could not read this date" (`` (no such day: February has 28
    days)``); empty when the phrases have no words for the reason.

    Example: ``date_reason(date_reading("30.02.2026", client), phrases(None,
    "de"), "de") == " (diesen Tag gibt es nicht: der Februar hat 28 Tage)"``
    """
    if not isinstance(reading, str):
        return ""
    reasons: dict[str, str] = words.get("date_reasons", {})
    said = None
    past_end = NO_SUCH_DAY.search(reading)
    if past_end is not None and "no_such_day" in reasons:
        number = list(calendar.month_name).index(past_end["month"])
        month = get_month_names("wide", "stand-alone", locale=language)[number]
        said = reasons["no_such_day"].format(month=month, last=past_end["last"])
    elif reading.endswith(YEAR_FIRST):
        said = reasons.get("year_first")
    elif reading.endswith(SWAPPED):
        said = reasons.get("swapped")
    elif (other := GREGORIAN_YEAR.search(reading)) and other["date"]:
        # a Solar Hijri date (1405/09/13): its year and its month and day
        # are another calendar's, so the Gregorian date is named whole
        if "gregorian_date" in reasons:
            gregorian = date.fromisoformat(other["year"] + other["date"])
            said = reasons["gregorian_date"].format(date=written(gregorian))
    elif other and "gregorian_year" in reasons:
        # a Minguo (115) or Buddhist Era (2569) year: the Gregorian one named
        said = reasons["gregorian_year"].format(year=other["year"])
    elif HIJRI_YEAR in reading:
        # a Hijri year (1447) at a desk that does not write the Solar Hijri
        # calendar: Lunar or Solar, its Gregorian date is not named
        said = reasons.get("hijri_year")
    return f" ({said})" if said else ""


def date_written(order: DateOrder, locale: str) -> Callable[[date], str]:
    """How a notice writes a date it asks for: in the desk's order, with the
    separator its locale writes dates with (`date_form`'s):
    ``2026/12/04`` at a YMD fa_IR desk, ``04.12.2026`` at a DMY tr_TR one.

    Example: ``date_written("DMY", "tr_TR")(date(2026, 12, 4)) == "04.12.2026"``
    """
    mark = _separator(locale)
    parts = {"DMY": "%d{0}%m{0}%Y", "MDY": "%m{0}%d{0}%Y", "YMD": "%Y{0}%m{0}%d"}
    return lambda day: day.strftime(parts[order].format(mark))


def date_form(pattern: str, locale: str) -> str:
    """The form a date is asked for (``DD/MM/YYYY``, in the notice's
    letters) with the separator the client's locale writes dates with
    (tr_TR ``d.MM.y``: ``DD.MM.YYYY``); a pattern without one as it is.

    Example: ``date_form("DD/MM/YYYY", "tr_TR") == "DD.MM.YYYY"``
    """
    return re.sub(r"[./-]", _separator(locale), pattern)


@lru_cache(maxsize=64)
def _separator(locale: str) -> str:
    short = Locale.parse(locale).date_formats["short"].pattern
    marks = [c for c in short if c in "./-"]
    return marks[0] if marks else "/"


@lru_cache(maxsize=64)
def notice_locale(language: str, locale: str) -> str:
    """The locale a notice in `language` writes its dates in, at a desk of
    `locale`: the desk's own when it speaks the language; else the language
    as written in the desk's country (CLDR ``en_IL``: ``20 Oct 2026``);
    else its international form (``en_001``, day before month, for an
    ar_EG desk CLDR has no English of); else the language alone.

    Example: ``notice_locale("en", "ar_EG") == "en_001"``
    """
    desk = Locale.parse(locale)
    if desk.language == language:
        return locale
    here = [f"{language}_{desk.territory}"] if desk.territory else []
    for candidate in (*here, f"{language}_001"):
        if localedata.exists(candidate):
            return candidate
    return language


def two_digit_year(value: Any, order: DateOrder) -> bool:
    """Whether a date the participant keyed was refused for its two-digit year."""
    if not isinstance(value, str):
        return False
    reading = parse_date(value, order)
    return isinstance(reading, str) and reading.endswith(TWO_DIGIT_YEAR)
