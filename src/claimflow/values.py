"""Typing keyed values: dates in the client's order, amounts, counts, flags.

These are pydantic ``BeforeValidator``s used by the claim models. They read
the client's settings from the validation context (``ValueContext``), so the
same model reads ``03/04/2026`` as 3 April for a day-first client and as
4 March for a month-first one, and never guesses. Numbers written as text
are read in the number locale of the file they came from
(`claimflow.numbers`); typed numbers (JSON, Excel cells) are taken as they
are. Yes and no are read in English and the client's language. Dates written
as text are read by `claimflow.dates` (its readers are re-exported here). A
failure raises ``PydanticCustomError`` whose type is a `ReasonCode` value, so
every error pydantic collects arrives with its reason code and an
expected/found message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from claimflow.bidi import trimmed, unmarked
from claimflow.cjk import narrow
from claimflow.codes import ReasonCode
from claimflow.currencies import beyond_minor_unit, minor_digits
from claimflow.dates import (
    _DATE_TIME,
    _PATTERN,
    GREGORIAN_YEAR,
    HIJRI_YEAR,
    NO_SUCH_DAY,
    SWAPPED,
    TWO_DIGIT_YEAR,
    YEAR_FIRST,
    DateOrder,
    date_text,
    era_year,
    in_gregorian,
    no_such_day,
    other_calendar,
    parse_date,
    parse_datetime,
    without_final_dot,
)
from claimflow.errors import AmbiguousTime
from claimflow.keys import ascii_digits
from claimflow.numbers import MACHINE, NumberError, NumberFormat, number_format
from claimflow.window import at_desk
from claimflow.words import match_word, word_fold

#: Yes and no in every form, whatever the language: marks and machine words.
_COMMON_YES = ("1", "x", "on", "true", "checked", "✓", "✔", "☑", "✅")
_COMMON_NO = ("0", "off", "false", "unchecked", "☐", "")
#: Yes and no per language (Babel's language code). English is always read.
YES_NO: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("yes", "y"), ("no", "n")),
    "es": (("sí", "si"), ("no",)),
    "de": (("ja", "j"), ("nein",)),
    "fr": (("oui",), ("non",)),
    "id": (("ya",), ("tidak", "tdk")),
    "pt": (("sim",), ("não", "nao")),
    "it": (("sì", "si"), ("no",)),
    "nl": (("ja", "j"), ("nee",)),
    "pl": (("tak",), ("nie",)),
    "cs": (("ano",), ("ne",)),
    "sv": (("ja",), ("nej",)),
    "da": (("ja",), ("nej",)),
    "no": (("ja",), ("nei",)),
    "nb": (("ja",), ("nei",)),
    "fi": (("kyllä", "kylla"), ("ei",)),
    "tr": (("evet",), ("hayır", "hayir")),
    # trial 19: a Japanese form's 伝票添付 (invoice attached) box, はい or 有
    "ja": (("はい", "有", "有り", "あり"), ("いいえ", "無", "無し", "なし")),
    "zh": (("是", "有"), ("否", "无", "無")),
    "ko": (("예", "네", "유"), ("아니요", "아니오", "무")),
    # trial 25: a UAE form's الفاتورة مرفقة (invoice attached) column
    "ar": (("نعم",), ("لا",)),
    "fa": (("بله", "آری"), ("خیر", "نه")),
    "he": (("כן",), ("לא",)),
    "ru": (("да",), ("нет",)),
    "uk": (("так",), ("ні",)),
    # trial 32: a Greek desk's ναι; Thai, Hungarian, Romanian, Vietnamese too
    "el": (("ναι", "ναί"), ("όχι", "οχι")),
    "th": (("ใช่", "มี"), ("ไม่", "ไม่ใช่", "ไม่มี")),
    "hu": (("igen",), ("nem",)),
    "ro": (("da",), ("nu",)),
    "vi": (("có", "co"), ("không", "khong")),
}
#: A typed amount beyond 10**±this is no amount (``1e9999999`` from JSON).
_SCALE = 24
_LIMIT = 10**_SCALE
#: Serial numbers are separated by a semicolon, comma, bar or space, also
#: as Chinese and Japanese forms key them (、，；: trial 37).
_SERIAL_SPLIT = re.compile(r"[;,|\s、，；]+")


@dataclass(frozen=True)
class ValueContext:
    """The client settings values are read with (the validation context).

    Attributes:
        date_order: DMY, MDY or YMD.
        numbers: how numbers written as text are read (`claimflow.numbers`).
        zone: time zone for naive times.
        received_at: used when a record has no received time of its own.
        clock: the desk's clock when the batch is read (the wall clock at
            ingest, kept with the batch for replay): a record's received
            time later than it (`claimflow.window.after_now`) is pended as
            ``received_in_future``. None: not judged.
        yes: the words read as yes (folded: `claimflow.words.word_fold`).
        no: the words read as no (folded so).
        language: the client's language (Babel's code): yes and no are
            read in any case as it writes capitals (``HAYIR`` in ``tr``).
        file_numbers: file suffix (``json``) -> the number locale its text
            values are written in, where it differs from `numbers`.
        months: the Babel locale whose month names a date may be written
            with (``4 grudnia 2026`` in pl_PL), besides English's.
        currency: the ISO code amounts are in (the client's, or the one a
            record names): a currency sign written with an amount must be
            one of its signs (`claimflow.numbers.currency_marks`). None:
            any sign is taken off.
        solar_hijri: whether the desk writes the Solar Hijri calendar
            (`claimflow.dates.writes_solar_hijri`): a Hijri year is then
            named with its Solar Hijri conversion, else with none.
    """

    date_order: DateOrder = "YMD"
    numbers: NumberFormat = number_format(MACHINE)
    zone: tzinfo = UTC
    received_at: datetime | None = None
    clock: datetime | None = None
    yes: frozenset[str] = frozenset(_COMMON_YES + YES_NO["en"][0])
    no: frozenset[str] = frozenset(_COMMON_NO + YES_NO["en"][1])
    file_numbers: tuple[tuple[str, str], ...] = ()
    currency: str | None = None
    months: str = "en"
    language: str = "en"
    solar_hijri: bool = False

    def for_file(self, name: str) -> ValueContext:
        """The context for values read from file `name` (its number locale).

        Example: ``ctx.for_file("portal.jsonl").numbers.locale == "C"``
        """
        if not self.file_numbers:
            return self
        suffix = name.rsplit(".", 1)[-1].casefold()
        suffix = {"jsonl": "json", "ndjson": "json", "tsv": "csv"}.get(suffix, suffix)
        for kind, locale in self.file_numbers:
            if kind == suffix and locale != self.numbers.locale:
                return replace(self, numbers=number_format(locale), file_numbers=())
        return self


def yes_no_words(
    language: str, yes: tuple[str, ...] = (), no: tuple[str, ...] = ()
) -> tuple[frozenset[str], frozenset[str]]:
    """The words read as yes and as no for a language, plus a client's own,
    folded as the language writes capitals (`claimflow.words.word_fold`).

    Example: ``"nein" in yes_no_words("de")[1]``
    """
    lang_yes, lang_no = YES_NO.get(language, ((), ()))
    en_yes, en_no = YES_NO["en"]
    return (
        frozenset(
            word_fold(w, language) for w in (*_COMMON_YES, *en_yes, *lang_yes, *yes)
        ),
        frozenset(word_fold(w, language) for w in (*_COMMON_NO, *en_no, *lang_no, *no)),
    )


DEFAULT_CONTEXT = ValueContext()


def _ctx(info: ValidationInfo) -> ValueContext:
    context = info.context
    if isinstance(context, ValueContext):
        return context
    return DEFAULT_CONTEXT


def _fail(code: ReasonCode, message: str) -> PydanticCustomError:
    return PydanticCustomError(code.value, message)


def _to_date(value: Any, info: ValidationInfo) -> date | None:
    if isinstance(value, date):  # a typed cell: an Excel date, a datetime
        day = value.date() if isinstance(value, datetime) else value
        return _typed_day(day, _ctx(info).solar_hijri)
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    ctx = _ctx(info)
    result = parse_date(text, ctx.date_order, ctx.solar_hijri)
    if isinstance(result, str) and any(c.isalpha() for c in text):
        from claimflow.written_dates import named_month_date

        named = named_month_date(text, ctx.months, ctx.date_order)
        if named is not None:
            result = named
    if isinstance(result, str):
        raise _fail(ReasonCode.INVALID_DATE, result)
    return result


def _typed_day(day: date, solar_hijri: bool = False) -> date:
    """A typed date (an Excel date cell), refused in a Buddhist Era year
    (`era_year`) as a keyed one is."""
    why = other_calendar(day, solar_hijri)
    if why is not None:
        raise _fail(
            ReasonCode.INVALID_DATE, f"expected a Gregorian date, found {day} ({why})"
        )
    return day


def _to_datetime(value: Any, info: ValidationInfo) -> datetime | None:
    ctx = _ctx(info)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ctx.received_at
    if isinstance(value, str):
        text = value.strip()
        try:  # a date alone (10 characters at most) is a date, not its 00:00
            value = date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
        except ValueError:
            value = _keyed_datetime(text, ctx)
    if isinstance(value, date) and (
        why := other_calendar(value, ctx.solar_hijri)
    ) is not None:
        found = value.isoformat(sep=" ") if isinstance(value, datetime) else value
        message = f"expected a date and time in a Gregorian year, found {found} ({why})"
        raise _fail(ReasonCode.INVALID_DATE, _stands_in(message, ctx))
    if isinstance(value, date) and not isinstance(value, datetime):
        # the day's first instant: 00:00, or 01:00 where the clock skips
        # midnight (Santiago), as `claimflow.api.instant` takes a date
        start = datetime(value.year, value.month, value.day, tzinfo=ctx.zone)
        return start.astimezone(UTC).astimezone(ctx.zone)
    if isinstance(value, datetime):
        try:
            return at_desk(value, ctx.zone)
        except AmbiguousTime as why:
            # a wall time the desk's clock shows twice or never: either
            # reading would be a guess an hour off
            raise _fail(ReasonCode.INVALID_DATE, _stands_in(str(why), ctx)) from None
    raise _fail(ReasonCode.INVALID_DATE, f"expected a date and time, found {value!r}")


def _stands_in(message: str, ctx: ValueContext) -> str:
    """`message`, saying that the batch's time stands in for a received
    time that cannot be read (`_keyed_datetime`)."""
    if ctx.received_at is None:
        return message
    # as the desk's clock shows it, named (trial 34: shown in UTC, 12:17+00:00
    # for 13:17 in Budapest)
    from claimflow.shown import desk_time

    return (
        f"{message}; the batch's time {desk_time(ctx.received_at, ctx.zone)} "
        "stands in until the desk corrects it"
    )


def _keyed_datetime(text: str, ctx: ValueContext) -> date | datetime:
    """A received time keyed in the client's date order: a date and time
    (`parse_datetime`), or a date alone (midnight).

    An unreadable one fails with a message that says what stands in for it
    (the batch's time, `ValueContext.received_at`): the claim is pended
    with it, and the checks that read the received day skip it
    (`claimflow.validate.record.build_claim`), so it is never judged late
    on a time that is not its own.
    """
    if _DATE_TIME.match(date_text(text)[0]):
        found = parse_datetime(text, ctx.date_order, ctx.solar_hijri)
        if isinstance(found, tuple):
            return datetime.combine(*found)
        message = found
    else:
        day = parse_date(text, ctx.date_order, ctx.solar_hijri)
        if isinstance(day, str) and any(c.isalpha() for c in text):
            from claimflow.written_dates import named_month_date

            # a date alone with its month named, as a claim's dates are read
            # (trial 38: a portal's '4. desember 2026')
            day = named_month_date(text, ctx.months, ctx.date_order) or day
        if isinstance(day, date):
            return day
        pattern = _PATTERN[ctx.date_order]
        message = day.replace(
            f"a date as {pattern}", f"a date as {pattern} or {pattern} HH:MM", 1
        )
    raise _fail(ReasonCode.INVALID_DATE, _stands_in(message, ctx))


def _to_decimal(value: Any, info: ValidationInfo) -> Decimal | None:
    """An amount (a total, a revenue): no more decimals than its currency's
    minor unit, keyed or typed (`_to_money`)."""
    return _to_money(value, info, False)


def _to_price(value: Any, info: ValidationInfo) -> Decimal | None:
    """A price per unit: its decimals may go below the currency's minor
    unit (0.125 EUR a unit, 31.26 yen a unit), as invoices price them; the
    line total it makes is an amount, and a claim line whose price has such
    decimals is read only beside its line total
    (`claimflow.validate.record.rule_amounts`)."""
    return _to_money(value, info, True)


def _to_money(value: Any, info: ValidationInfo, unit_price: bool) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):  # a JSON number, an Excel cell (`ShownNumber`)
        if not value.is_finite() or not -_SCALE < value.adjusted() < _SCALE:
            raise _fail(ReasonCode.INVALID_NUMBER, f"expected an amount, found {value}")
        number = value if unit_price else _whole_units(value, _ctx(info).currency)
        return _plain(number)
    if (
        isinstance(value, bool)
        or isinstance(value, int)
        and not -_LIMIT < value < _LIMIT
    ):
        raise _fail(ReasonCode.INVALID_NUMBER, f"expected an amount, found {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = _from_float(value)
        number = number if unit_price else _whole_units(number, _ctx(info).currency)
        return _plain(number)
    text = str(value).strip()
    if not text:
        return None
    ctx = _ctx(info)
    try:
        return ctx.numbers.read(text, currency=ctx.currency, unit_price=unit_price)
    except NumberError as exc:
        raise _fail(ReasonCode.INVALID_NUMBER, str(exc)) from None


def _plain(value: Decimal) -> Decimal:
    """A typed amount as positional digits: a JSON number written with an
    exponent (``1e3``, ``1.5E2``) or a float Python writes so (``1e+16``)
    is the same exact number, but kept as ``Decimal('1E+3')`` it was stored
    as the text ``1E+3``, which the store's own reader refuses, so that
    verify, award and replay of the batch stopped with a traceback (trial
    45). Bounded by `_SCALE`, so the digits written stay few. What an Excel
    cell showed (`claimflow.models.ShownNumber`) only words a refusal, made
    before this."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent <= 0 and value.adjusted() >= -6:
        return value  # the usual case: str() writes it positionally
    return Decimal(f"{value:f}")


def _whole_units(value: Decimal, currency: str | None) -> Decimal:
    """A typed amount (a JSON number, an Excel cell) with no more decimals
    than `currency`'s minor unit, or refused as keyed text is
    (`claimflow.currencies.beyond_minor_unit`): an Excel cell holding
    1234.565 and showing 1.234,57 is neither figure for certain. A cell's
    shown text is named (`claimflow.models.ShownNumber`)."""
    why = None if currency is None else beyond_minor_unit(value, currency)
    if why is None:
        return value
    shown = getattr(value, "shown", None)
    cell = f"; the cell holds {value:f} and shows {shown}" if shown else ""
    minor = minor_digits(str(currency))
    kind = f"an amount with {minor} decimals at most" if minor else "a whole amount"
    raise _fail(ReasonCode.INVALID_NUMBER, f"expected {kind}, found {value:f} ({why}{cell})")


def _from_float(value: float) -> Decimal:
    """A binary float's shortest round-trip text, never its binary expansion."""
    if not math.isfinite(value):
        raise _fail(ReasonCode.INVALID_NUMBER, f"expected a number, found {value!r}")
    return Decimal(repr(value))


def _to_int(value: Any, info: ValidationInfo) -> int | None:
    if value is None or (value.__class__ is int and -_LIMIT < value < _LIMIT):
        return value
    if isinstance(value, bool | int):  # a bool, or an int beyond any count
        raise _fail(
            ReasonCode.INVALID_NUMBER, f"expected a whole number, found {value!r}"
        )
    if isinstance(value, Decimal | float):
        number = value if isinstance(value, Decimal) else _from_float(value)
        if (
            not number.is_finite()
            or number.adjusted() >= _SCALE
            or number != number.to_integral_value()
        ):
            raise _fail(
                ReasonCode.INVALID_NUMBER, f"expected a whole number, found {value}"
            )
        return int(number)
    text = str(value).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        return int(_ctx(info).numbers.read(text, whole=True))
    except NumberError as exc:
        raise _fail(ReasonCode.INVALID_NUMBER, str(exc)) from None


def _to_bool(value: Any, info: ValidationInfo) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    # a right-to-left mark around نعم changes nothing (`claimflow.bidi`)
    text = unmarked(str(value))[0].strip()
    ctx = _ctx(info)
    # in any case as the client's language writes capitals (HAYIR is hayır)
    word = word_fold(text, ctx.language)
    if word not in ctx.yes and word not in ctx.no:
        word = match_word(text, ctx.yes | ctx.no, ctx.language) or word
    if word in ctx.yes:
        return True
    if word in ctx.no:
        return False
    words = ", ".join(sorted(w for w in ctx.yes | ctx.no if w))
    raise _fail(
        ReasonCode.INVALID_FORMAT,
        f"expected yes or no ({words}), found {value!r} (the client's yes_words "
        "and no_words add others)",
    )


def _to_text(value: Any, info: ValidationInfo) -> str | None:
    """Keyed text without spaces and direction marks at either end
    (`claimflow.bidi.trimmed`: ``\u200fGLL-TLV\u200f`` is GLL-TLV), its
    full-width ASCII forms as ASCII (`claimflow.cjk.narrow`: a SKU keyed
    ``ＲＦ－５００`` by a Chinese or Japanese input method is RF-500, not an
    ineligible product)."""
    if value is None:
        return None
    text = trimmed(narrow(str(value)))
    return text or None


def _to_id(value: Any, info: ValidationInfo) -> str | None:
    """An id that names an account (a member number): its digits of any
    script written 0-9 (trial 25: ``١٠٤٢٣٣`` opened an account of its own
    beside 104233, and the member list's ``١٠٤٢٩٩`` matched no claim)."""
    text = _to_text(value, info)
    return None if text is None else ascii_digits(text)


def _to_serials(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if value is None:
        return ()
    if value.__class__ is str and value.isascii():  # the usual cell: no marks, no wide forms
        return tuple(s for s in _SERIAL_SPLIT.split(value.strip()) if s)
    items = (
        value
        if isinstance(value, list | tuple)
        else _SERIAL_SPLIT.split(narrow(str(value)))
    )
    return tuple(s for s in (trimmed(narrow(str(i))) for i in items) if s)


KeyedDate = Annotated[date | None, BeforeValidator(_to_date)]
KeyedDatetime = Annotated[datetime, BeforeValidator(_to_datetime)]
KeyedDecimal = Annotated[Decimal | None, BeforeValidator(_to_decimal)]
KeyedPrice = Annotated[Decimal | None, BeforeValidator(_to_price)]
KeyedInt = Annotated[int | None, BeforeValidator(_to_int)]
KeyedBool = Annotated[bool | None, BeforeValidator(_to_bool)]
KeyedText = Annotated[str | None, BeforeValidator(_to_text)]
KeyedId = Annotated[str | None, BeforeValidator(_to_id)]
KeyedSerials = Annotated[tuple[str, ...], BeforeValidator(_to_serials)]


__all__ = [  # the date readers and notes are `claimflow.dates`'
    "DEFAULT_CONTEXT",
    "GREGORIAN_YEAR",
    "HIJRI_YEAR",
    "NO_SUCH_DAY",
    "SWAPPED",
    "TWO_DIGIT_YEAR",
    "YEAR_FIRST",
    "YES_NO",
    "DateOrder",
    "KeyedBool",
    "KeyedDate",
    "KeyedDatetime",
    "KeyedDecimal",
    "KeyedId",
    "KeyedInt",
    "KeyedPrice",
    "KeyedSerials",
    "KeyedText",
    "ValueContext",
    "date_text",
    "era_year",
    "in_gregorian",
    "other_calendar",
    "no_such_day",
    "parse_date",
    "parse_datetime",
    "without_final_dot",
    "yes_no_words",
]
