"""Figures as people read them: points, amounts, money, percentages and
fixed-decimal figures in a client's locale.

Every message, notice, explanation and CLI summary a clerk or participant
reads writes its figures through these functions, so a de_DE desk reads
``1.234,50 €`` and ``1.000`` points where an en_US one reads
``€1,234.50`` and ``1,000``. Machine outputs (``--json``, CSV exports, the
ledger and the store) never pass through here: they keep plain figures
(``1234.50``, ``1000``) whatever the locale.

Babel looks its locale data up on every call; these are cached per
(value, locale), since a batch repeats a few hundred prices.

Times people read are wall times in the client's desk zone, with the zone
named (`desk_time`: ``2026-10-20 09:14 CDT``); the store keeps UTC, and
machine outputs keep ISO-8601 with its offset. `Desk` carries a client's
locale and zone to the code that writes messages.

Example: ``format_points(1234, "de_DE") == "1.234"``
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from pathlib import PurePath

from babel import Locale
from babel.numbers import format_currency, format_decimal


@lru_cache(maxsize=8192)
def number(value: int | Decimal, locale: str) -> str:
    """A number with the locale's separators and its significant decimals.

    Example: ``number(Decimal("1234.5"), "de_DE") == "1.234,5"``
    """
    try:
        return str(format_decimal(value, locale=locale, decimal_quantization=False))
    except InvalidOperation:
        # Babel works in the current decimal context (28 digits): a huge
        # figure (a caller's 10**30 points, refused) is written all the same
        with localcontext() as wide:
            wide.prec = len(str(abs(int(value)))) + 30
            return str(format_decimal(value, locale=locale, decimal_quantization=False))


@lru_cache(maxsize=8192)
def fixed(value: float, locale: str, decimals: int = 1) -> str:
    """A figure with `decimals` places, grouped, as the locale writes it
    (business hours left, rates per 10,000: ``1.234,5``).

    Example: ``fixed(36.0, "de_DE") == "36,0"``
    """
    places = "." + "0" * decimals if decimals else ""
    return str(format_decimal(value, format=f"#,##0{places}", locale=locale))


@lru_cache(maxsize=8192)
def percent(value: float, locale: str, decimals: int = 1) -> str:
    """A share (0.9) as the locale writes a percentage, with `decimals`
    places: the locale's own pattern (``90,0\xa0%`` in de_DE, ``90.0%`` in
    en_US, ``%90,0`` in tr_TR), its sign and spacing kept.

    Example: ``percent(0.013479, "de_DE", 4) == "1,3479\xa0%"``
    """
    pattern = copy(Locale.parse(locale).percent_formats[None])
    pattern.frac_prec = (decimals, decimals)
    return str(pattern.apply(value, Locale.parse(locale)))


def format_points(value: int | Decimal, locale: str) -> str:
    """Points (or a count) with the locale's separators (``1.234``; exact
    points keep their decimals: ``17,5``).

    Example: ``format_points(-1234, "fr_FR") == "-1\u202f234"``
    """
    return number(value, locale)


def points_word(value: int | Decimal) -> str:
    """``point`` for one (or minus one), ``points`` otherwise: ``+1 point``.

    Example: ``points_word(1) == "point"``
    """
    return "point" if abs(value) == 1 else "points"


def signed_points(value: int | Decimal, locale: str) -> str:
    """Points with their sign always written (``+1.234``, ``-234``).

    Example: ``signed_points(1000, "de_DE") == "+1.000"``
    """
    return ("+" if value >= 0 else "") + number(value, locale)


@lru_cache(maxsize=8192)
def money(value: Decimal, currency: str, locale: str) -> str:
    """An amount in a currency, as the locale writes it (``1.234,50 €``).

    Every decimal written is shown: Babel rounds to the decimals CLDR
    writes the currency with (none for HUF), which showed ``189 990,50 Ft``
    as ``189 990 Ft``; such an amount keeps its own.

    Example: ``money(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"``
    """
    from claimflow.numbers import written_digits

    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > written_digits(currency):
        return str(
            format_currency(
                value, currency, locale=locale, currency_digits=False,
                decimal_quantization=False,
            )  # fmt: skip
        )
    return str(format_currency(value, currency, locale=locale))


def claim_name(reference: str | None, source: str | None, claim_id: str) -> str:
    """A claim as people know it: the reference on its form and where it came
    from (``KW-1002 (antraege_oktober.csv:row 4)``); a claim without one is
    named by its place, and by its id only when nothing else names it.

    Example: ``claim_name("KW-1002", "/in/okt.csv:row 4", "775b-r4") ==
    "KW-1002 (okt.csv:row 4)"``
    """
    place = PurePath(source).name if source else None
    if reference:
        return f"{reference} ({place})" if place else reference
    return f"{place} (id {claim_id})" if place else claim_id


def desk_time(value: datetime | str | None, zone: tzinfo) -> str:
    """An instant as the desk reads it: its wall time in `zone`, to the
    minute, with the zone's name (a stored naive time is UTC); ``-`` for none.

    Example: ``desk_time("2026-12-04T03:55:02+00:00", ZoneInfo("America/Chicago"))
    == "2026-12-03 21:55 CST"``
    """
    if value is None or value == "":
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # the wall clock as refusals write it (`claimflow.window.desk_time`), named;
    # imported here: the CLI imports this module at start, not pydantic
    from claimflow.window import desk_time as wall_time

    return f"{wall_time(moment, zone)} {moment.astimezone(zone):%Z}"


@dataclass(frozen=True)
class Desk:
    """How one client's desk reads figures and times.

    Attributes:
        locale: the client's ``locale`` (figures: ``1.234``).
        zone: the client's ``timezone`` (times: ``2026-10-20 09:14 CDT``).

    Example: ``Desk("de_DE", ZoneInfo("Europe/Berlin")).points(1234) == "1.234"``
    """

    locale: str = "en_US"
    zone: tzinfo = UTC

    def points(self, value: int | Decimal) -> str:
        """Points (or a count) in the desk's locale (`format_points`)."""
        return number(value, self.locale)

    def signed(self, value: int | Decimal) -> str:
        """Points with their sign (`signed_points`)."""
        return signed_points(value, self.locale)

    def money(self, value: Decimal, currency: str) -> str:
        """An amount in a currency, in the desk's locale (`money`)."""
        return money(value, currency, self.locale)

    def percent(self, value: float, decimals: int = 1) -> str:
        """A share as a percentage in the desk's locale (`percent`)."""
        return percent(value, self.locale, decimals)

    def fixed(self, value: float, decimals: int = 1) -> str:
        """A figure with `decimals` places in the desk's locale (`fixed`)."""
        return fixed(value, self.locale, decimals)

    def time(self, value: datetime | str | None) -> str:
        """An instant in the desk's zone (`desk_time`)."""
        return desk_time(value, self.zone)


#: A desk nobody configured: en_US figures, UTC times (library callers that
#: pass a client key alone, not the client).
PLAIN_DESK = Desk()


def plural(count: int | Decimal | None, noun: str) -> str:
    """A regular English noun as a count takes it (``day``, ``days``): the
    desk's messages are English; notices count through their catalogues.

    Example: ``f"{n} {plural(n, 'day')} before enrolment"`` says ``1 day``
    """
    return noun if count == 1 else f"{noun}s"
