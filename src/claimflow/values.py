"""Typing keyed values: dates in the client's order, amounts, counts, flags.

These are pydantic ``BeforeValidator``s used by the claim models. They read
the client's settings from the validation context (``ValueContext``), so the
same model reads ``03/04/2026`` as 3 April for a day-first client and as
4 March for a month-first one, and never guesses. A failure raises
``PydanticCustomError`` whose type is a `ReasonCode` value, so every error
pydantic collects arrives with its reason code and an expected/found message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from claimflow.codes import ReasonCode
from claimflow.money import parse_amount

DateOrder = Literal["DMY", "MDY", "YMD"]
_PATTERN = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY-MM-DD"}
_PARTS = re.compile(r"^\s*(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})\s*$")
_TRUE = {"y", "yes", "true", "1", "x", "on", "checked", "si", "sí", "ya", "ja"}
_FALSE = {"n", "no", "false", "0", "off", "", "tidak", "unchecked"}
_SERIAL_SPLIT = re.compile(r"[;,|\s]+")


@dataclass(frozen=True)
class ValueContext:
    """The client settings values are read with (the validation context).

    Attributes:
        date_order: DMY, MDY or YMD.
        decimal_comma: amounts keyed as ``1.299,50``.
        zone: time zone for naive times.
        received_at: used when a record has no received time of its own.
    """

    date_order: DateOrder = "YMD"
    decimal_comma: bool = False
    zone: tzinfo = UTC
    received_at: datetime | None = None


DEFAULT_CONTEXT = ValueContext()


def _ctx(info: ValidationInfo) -> ValueContext:
    context = info.context
    if isinstance(context, ValueContext):
        return context
    return DEFAULT_CONTEXT


def _fail(code: ReasonCode, message: str) -> PydanticCustomError:
    return PydanticCustomError(code.value, message)


def _ymd(a: int, b: int, c: int, order: DateOrder) -> tuple[int, int, int]:
    if order == "DMY":
        return c, b, a
    if order == "MDY":
        return c, a, b
    return a, b, c


@lru_cache(maxsize=65536)
def parse_date(text: str, order: DateOrder) -> date | str:
    """Read a keyed date in the given order; return the date or an error message.

    ISO dates (``2026-03-04``) are read in any order, since they cannot be
    ambiguous. Two-digit years are 20xx.

    Args:
        text: the date as keyed.
        order: the client's date order.

    Returns:
        The date, or a message ``expected ..., found ...``.

    Example: ``parse_date("04/03/2026", "DMY") == date(2026, 3, 4)``
    """
    match = _PARTS.match(text)
    expected = f"expected a date as {_PATTERN[order]}, found {text!r}"
    if not match:
        return expected
    a, b, c = (int(g) for g in match.groups())
    iso = len(match[1]) == 4
    year, month, day = (a, b, c) if iso else _ymd(a, b, c, order)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        pass
    if not iso and order != "YMD":
        try:
            date(year, day, month)
            return f"{expected} (day and month swapped?)"
        except ValueError:
            pass
    return expected


def _to_date(value: Any, info: ValidationInfo) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    if not text:
        return None
    result = parse_date(text, _ctx(info).date_order)
    if isinstance(result, str):
        raise _fail(ReasonCode.INVALID_DATE, result)
    return result


def _to_datetime(value: Any, info: ValidationInfo) -> datetime | None:
    ctx = _ctx(info)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ctx.received_at
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = _to_date(value, info)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ctx.zone)
    raise _fail(ReasonCode.INVALID_DATE, f"expected a date and time, found {value!r}")


def _to_decimal(value: Any, info: ValidationInfo) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    text = str(value).strip()
    if not text:
        return None
    amount = parse_amount(text, _ctx(info).decimal_comma)
    if amount is None:
        raise _fail(ReasonCode.INVALID_NUMBER, f"expected an amount, found {text!r}")
    return amount


def _to_int(value: Any, info: ValidationInfo) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    text = str(value).strip().replace(",", "")
    if text.isdigit():
        return int(text)
    if not text:
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise _fail(
            ReasonCode.INVALID_NUMBER, f"expected a whole number, found {text!r}"
        )
    return int(number)


def _to_bool(value: Any, info: ValidationInfo) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _fail(ReasonCode.INVALID_FORMAT, f"expected yes or no, found {value!r}")


def _to_text(value: Any, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _to_serials(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if value is None:
        return ()
    items = (
        value if isinstance(value, list | tuple) else _SERIAL_SPLIT.split(str(value))
    )
    return tuple(s for s in (str(i).strip() for i in items) if s)


KeyedDate = Annotated[date | None, BeforeValidator(_to_date)]
KeyedDatetime = Annotated[datetime, BeforeValidator(_to_datetime)]
KeyedDecimal = Annotated[Decimal | None, BeforeValidator(_to_decimal)]
KeyedInt = Annotated[int | None, BeforeValidator(_to_int)]
KeyedBool = Annotated[bool | None, BeforeValidator(_to_bool)]
KeyedText = Annotated[str | None, BeforeValidator(_to_text)]
KeyedSerials = Annotated[tuple[str, ...], BeforeValidator(_to_serials)]
