"""Reading keyed numbers exactly as a locale writes them, or refusing them.

One reader for every amount, price, revenue, quantity and percentage that
arrives as text, whatever the file: a CSV cell, an Excel text cell, a JSON
string, a PDF form field or printed page, a source export, a keying file.
The locale's symbols and grouping come from Babel's CLDR data
(``babel.numbers``), the same data Babel formats numbers with, so a number
Babel writes for a locale reads back equal here. ``C`` is the machine
locale: a point for decimals and no grouping (what a portal's JSON or a
system export writes).

Reading is strict, because a misread amount pays the wrong points:

- every character is a digit (``0-9``, full width ``０-９``, or one
  script's digits, ``١٢٣`` or ``๑๒๓``, each its one value; full-width
  marks are their ASCII selves, `claimflow.cjk`, and the Arabic ``٫`` and
  ``٬`` the locale's decimal and group symbols; any other character is
  refused by name), the locale's decimal symbol or group symbol
  (spaces standing for a space-like group symbol, ``'`` for ``’``), a sign,
  parentheses for a negative, or a currency sign or code at either end;
- group symbols sit only in the integer part, at the locale's places
  (thousands, or lakh and crore for ``hi_IN``), or nowhere;
- at most one decimal symbol;
- ``1.000`` or ``1,000`` (one to three digits, one mark, three digits) is
  refused in every human locale, whichever the mark is there: it is one
  thousand where the mark groups digits and one where it is the decimal
  point, and a participant may have copied it from either;
- a whole number (a quantity) has no fraction but zeros;
- digits before East Asian number units (``123만원``, ``1億2000万円``) are
  read by the units' definition, or refused where people say them one way
  and the units read another (`claimflow.myriads`).

Babel's own ``parse_decimal(strict=True)`` was tried first: it checks the
grouping only when a group symbol is present, reads ``1.000`` under en_US
as one, accepts ``1_000``, ``1e5`` and ``NaN`` (Python's ``Decimal``
syntax), and rejects ``1234,56`` under es_ES where CLDR sets no grouping
below five digits. So the symbols and grouping sizes are Babel's, and the
rules above are written here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from claimflow.bidi import unmarked
from claimflow.cjk import narrow, stray
from claimflow.currencies import (
    MACHINE,
    _currency_pattern,
    _Foreign,
    _foreign_marks,
    _unread_word,
    beyond_minor_unit,
    cash_digits,
    currency_marks,
    minor_digits,
    written_digits,
)
from claimflow.keys import ascii_digits
from claimflow.myriads import has_units, read_units

_SPACES = frozenset(" \u00a0\u202f\u2009")
_APOSTROPHES = frozenset("'\u2019")
_MINUS = "-\u2212"
_SIGNS = _MINUS + "+"
#: Dashes written after the decimal symbol for "no cents" (``5.-``, ``5.–``).
_CENTS_DASHES = ("--", "-", "\u2013", "\u2014", "\u2212")
#: Written after a whole amount for "and no cents": ``Rs. 1,234/-`` on
#: Indian, Pakistani and Sri Lankan invoices, ``KSh 1,000/=`` in East Africa.
_NO_CENTS_SUFFIXES = ("/-", "/=", "/\u2013", "/\u2014")
#: Marks that are a decimal point in some locales and a digit group in others.
_POINTS = frozenset(".,")
_MAX_DIGITS = 40
#: The decimal and group marks of the Arabic-script numberings (CLDR's
#: ``arab`` and ``arabext``, the same in every locale): ``١٬٢٣٤٫٥٠``.
_ARABIC_DECIMAL, _ARABIC_GROUP = "\u066b", "\u066c"
#: The languages whose desks write digits before 만/万 (`claimflow.myriads`).
_UNIT_LANGUAGES = frozenset({"ko", "ja", "zh"})


class NumberError(ValueError):
    """A keyed number that cannot be read exactly (the message says why)."""


@dataclass(frozen=True, eq=False)  # one instance per locale (`number_format`)
class NumberFormat:
    """How one locale writes numbers, and a strict reader for them.

    Attributes:
        locale: the Babel locale id (``de_DE``) or ``C``.
        decimal: the decimal symbol.
        group: the group symbol ('' for ``C``).
        primary: digits in the last group (3).
        secondary: digits in the other groups (3, or 2 for lakh grouping).
        amount_example: how the locale writes 1234.56, or 1234567.50 where
            its digit groups differ in size (``12,34,567.50``), for messages.
        whole_example: how the locale writes 1234567.
        written: the locale as the client's file names it (``zh_TW``, where
            Babel's id is ``zh_Hant_TW``), for messages.
    """

    locale: str
    decimal: str
    group: str
    primary: int
    secondary: int
    amount_example: str
    whole_example: str
    written: str = ""

    def read(
        self,
        text: str,
        whole: bool = False,
        currency: str | None = None,
        unit_price: bool = False,
    ) -> Decimal:
        """Read `text` as a number written in this locale.

        Args:
            text: the number as keyed (``1.234,56 €``, ``(12.50)``).
            whole: a whole number is expected (a quantity).
            currency: the ISO code of the amount's currency, if known: a
                currency sign or code written with the number must be one
                that means it in this locale (`currency_marks`), so that
                ``US$ 100,00`` is never read as 100 reais; and an amount
                has no more decimals than its minor unit (`minor_digits`:
                ``1.234,565`` is refused in EUR, ``12,5`` in JPY; trailing
                zeros are no decimals). None: any sign, any decimals.
            unit_price: the number is a price per unit, which may go below
                the currency's minor unit (0.125 EUR a unit): its decimals
                are not limited (the line total it makes is).

        Returns:
            The exact Decimal.

        Raises:
            NumberError: the text is not a number as this locale writes it,
                or could be read two ways; the message says what was
                expected, what was found and why.

        Example: ``number_format("de_DE").read("1.234,56") == Decimal("1234.56")``
        """
        why = _reading(self, text, whole, currency, unit_price)
        if isinstance(why, Decimal):
            return why
        if isinstance(why, _Foreign):
            raise NumberError(
                f"expected an amount in {currency}, found {_quoted(text)} ({why})"
            )
        example = self.whole_example if whole else self.money_example(currency)
        kind = "a whole number" if whole else "an amount"
        raise NumberError(f"expected {kind} like {example}, found {_quoted(text)} ({why})")

    def money_example(self, currency: str | None) -> str:
        """How this locale writes an amount in `currency`, for a message:
        `whole_example` for a currency without minor units (KRW, JPY: a
        member writing ``1,234.56`` would be refused), else `amount_example`.

        An amount in a currency of three minor digits (KWD, BHD, OMR) has
        them: ``1,234.567``.

        Example: ``number_format("ko_KR").money_example("KRW") == "1,234,567"``
        """
        digits = 2 if currency is None else minor_digits(currency)
        if digits == 0:
            return self.whole_example
        return self.amount_example + "789"[: max(0, digits - 2)]

    def two_readings(self, text: str, currency: str | None) -> tuple[str, str] | None:
        """The two readings of an amount refused as ambiguous, as the
        message names them (``4,500`` in en_IN: ``4500`` and ``4.500``,
        the second in this locale's decimal mark), or None.

        Example: ``number_format("en_IN").two_readings("4,500", "INR") == ("4500", "4.500")``
        """
        why = _reading(self, text, False, currency, False)
        return why.readings if isinstance(why, _Ambiguous) else None

    def beyond_minor_unit(self, text: str, currency: str | None) -> bool:
        """Whether `text` is refused as an amount in `currency` for having
        more decimals than the currency's minor unit (``1.234,565`` in EUR
        at de_DE): a notice asks for the amount as the invoice shows it.

        Example: ``number_format("de_DE").beyond_minor_unit("1.234,565", "EUR")``
        """
        return currency is not None and isinstance(
            _reading(self, text, False, currency, False), _TooPrecise
        )

    def foreign_currency(self, text: str, currency: str | None) -> bool:
        """Whether `text` is written with a currency sign or code that is not
        `currency`'s (``US$ 100,00`` on a claim in BRL): a notice asks for the
        amount in the claim's currency, not merely written again.

        Example: ``number_format("es_MX").foreign_currency("US$ 100.00", "MXN")``
        """
        return currency is not None and isinstance(
            _reading(self, text, False, currency, False), _Foreign
        )

    def _why(
        self, text: str, whole: bool, currency: str | None, unit_price: bool = False
    ) -> Decimal | str:
        text, refused = _plain(text)
        if refused is not None:
            return refused
        text, arabic_marks, refused = self._native(text)
        if refused is not None:
            return refused
        body, negative, marks, no_cents = _unsigned(
            text, _currency_pattern(self.locale), self.decimal
        )
        foreign = _foreign_marks(marks, currency, self.locale)
        if foreign is not None or (body is not None and has_units(body)):
            # ``US$ 100,00`` for BRL; or ``123만``, ``1億2000万``
            return foreign or self._with_units(
                body or "", negative, whole, None if unit_price else currency
            )
        parts = self._parts(body, no_cents, currency)
        if isinstance(parts, str):
            return parts
        integer, digits, fraction = parts
        if self.group and self.group in integer and not self._grouped(integer):
            if not fraction and len(integer.rsplit(self.group, 1)[1]) < self.primary:
                return (
                    f"{self.group!r} groups digits in {self.written or self.locale}; "
                    f"decimals follow {self.decimal!r}"
                )
            return "digit grouping in the wrong places"
        ambiguity = self._doubt(
            integer, fraction, bool(no_cents) or arabic_marks, currency, unit_price
        )
        if ambiguity is not None:
            return ambiguity
        if whole and fraction.strip("0"):
            return "a fraction"
        sign = "-" if negative else ""
        if whole:
            return Decimal(f"{sign}{digits or '0'}")
        return Decimal(f"{sign}{digits or '0'}{'.' if fraction else ''}{fraction}")

    def _with_units(
        self, body: str, negative: bool, whole: bool, currency: str | None
    ) -> Decimal | str:
        """An amount written with number units (`claimflow.myriads`):
        ``123만`` is 1,230,000, its digits read by this locale's rules."""
        value = read_units(body, self._coefficient)
        if value is None or isinstance(value, str):
            return value or _NOT_A_NUMBER
        fractional = value != value.to_integral_value()
        # 1.5 x 10^4 is Decimal('15000.0'): the value as written in digits
        value = value.normalize() if fractional else value.quantize(Decimal(1))
        excess = None if currency is None else beyond_minor_unit(value, currency)
        if excess is not None:
            return _TooPrecise(f"{excess} ({body} is {value})")
        if whole and fractional:
            return f"a fraction ({body} is {value})"
        return -value if negative else value

    def _coefficient(self, text: str) -> Decimal | str:
        """The digits before a number unit (``1,280`` in ``1,280만``),
        read by this locale's rules, or why not.

        ``1,280`` is ambiguous anywhere (`_ambiguity`), but before 만 or 万
        at a Korean, Japanese or Chinese desk it was written the way those
        units are written, where the comma only groups digits: 1,280만 is
        12,800,000. ``1.280만`` stays refused there (12,800, or 1,280만 from
        a decimal-comma habit?), and so does ``1,280万`` at any other desk.
        """
        parts = self._parts(text, "", None)
        if isinstance(parts, str):
            return parts
        integer, digits, fraction = parts
        if self.group and self.group in integer and not self._grouped(integer):
            return "digit grouping in the wrong places"
        grouped_here = not fraction and self.locale.split("_")[0] in _UNIT_LANGUAGES
        ambiguity = None if grouped_here else self._ambiguity(integer, fraction)
        if ambiguity is not None:
            return ambiguity
        return Decimal(f"{digits or '0'}{'.' if fraction else ''}{fraction}")

    def _native(self, text: str) -> tuple[str, bool, str | None]:
        """`text` with the digits of another script as 0-9 and the Arabic
        decimal and group marks as this locale's, whether such a mark was
        written, and why the digits cannot be read (None: they can).

        Each digit of any script is one digit (``unicodedata.decimal``), so
        ``١٬٢٣٤٫٥٠`` (CLDR's ``arab`` numbering, as ar_EG writes it) reads
        exactly as 1234.50; the Arabic marks ``٫`` and ``٬`` mean only a
        decimal point and a digit group, so ``١٬٠٠٠`` is one thousand with no
        ambiguity. Digits of two scripts in one number (``1٢3``) are refused:
        a keyboard switched mid-number may have dropped or doubled one.
        """
        if text.isascii():
            return text, False, None
        # the first digit of each script (keyed by its zero's code point)
        zeros: dict[int, str] = {}
        for char in text:
            if char.isdecimal():
                zeros.setdefault(ord(char) - unicodedata.decimal(char), char)
        if len(zeros) > 1:
            first, second = list(zeros.values())[:2]
            return text, False, f"digits of two scripts ({first!r} and {second!r})"
        marks = {_ARABIC_DECIMAL: self.decimal}
        if self.group:
            marks[_ARABIC_GROUP] = self.group
        arabic = any(mark in text for mark in marks)
        digits = ascii_digits(text)  # each digit its value (`claimflow.keys`)
        return "".join(marks.get(c, c) for c in digits), arabic, None

    def _parts(
        self, body: str | None, no_cents: str, currency: str | None
    ) -> tuple[str, str, str] | str:
        """(integer part as written, its digits, fraction), or what is wrong.

        `no_cents` is the mark written for "no cents" after the amount
        (``.-``, ``/-``), or ''."""
        if body is None:
            return "not a number"
        clash = self._cents_and_no_cents(body, no_cents)
        if clash is not None:
            return clash
        canonical = self._canonical_groups(body)
        if not canonical.isascii():
            # a letter is named before the dots around it are counted: in
            # ``1,234.56 د.إ`` the dot is part of a sign, not a second decimal
            odd = stray(canonical.replace(self.group, "").replace(self.decimal, ""))
            if odd is not None:
                return odd
        integer, sep, fraction = canonical.partition(self.decimal)
        if self.decimal in fraction:
            return "two decimal symbols"
        digits = integer.replace(self.group, "") if self.group else integer
        if not _digits(digits) or (sep and not _digits(fraction)):
            return (
                stray(digits + fraction)
                or _unread_word(body, currency, self.locale)
                or _NOT_A_NUMBER
            )
        if not digits and not fraction:
            return "not a number"
        if len(digits) + len(fraction) > _MAX_DIGITS:
            return f"more than {_MAX_DIGITS} digits"
        return integer, digits, fraction

    def _cents_and_no_cents(self, body: str, no_cents: str) -> str | None:
        """Why cents written beside a mark for none (`no_cents`) are refused,
        or None: ``1234.50.-`` and ``Rs. 1,234.50/-`` say two things;
        ``Rs. 500.00/-`` (no paise, said twice) says one."""
        if not no_cents or self.decimal not in body:
            return None
        cents = body.rpartition(self.decimal)[2]
        if not no_cents.startswith("/"):
            return f"cents and a dash for no cents ({self.decimal}-) both written"
        if cents and not cents.strip("0"):
            return None
        return f"decimals ({cents}) and {no_cents!r} for no cents both written"

    def _doubt(
        self,
        integer: str,
        fraction: str,
        no_cents: bool,
        currency: str | None,
        unit_price: bool = False,
    ) -> str | None:
        """Why the amount cannot be read as written, or two ways (None: one way).

        A currency without minor units in ISO 4217 (JPY, KRW...) has no
        decimals: ``¥1,234.5`` has no reading (but a unit price may have
        them). A currency written without decimals in practice
        (`written_digits`: JPY, HUF, IDR; or in cash, `cash_digits`: TWD)
        makes ``¥159,800``, ``Rp 15.000`` and ``NT$1,234`` one reading only.
        An amount has no more decimals than its minor unit (`_too_precise`).
        """
        if currency is not None:
            if not unit_price and minor_digits(currency) == 0 and fraction.strip("0"):
                return _TooPrecise(f"{currency.upper()} has no decimals")
            if not fraction and 0 in (written_digits(currency), cash_digits(currency)):
                return None
        ambiguity = None if no_cents else self._ambiguity(integer, fraction)
        if ambiguity is None and currency is not None and not unit_price:
            # ``1.565`` in EUR at en_US is refused as ambiguous, first
            return self._too_precise(integer, fraction, currency)
        return ambiguity

    def _too_precise(self, integer: str, fraction: str, currency: str) -> str | None:
        """Why an amount has more decimals than `currency`'s minor unit
        (`beyond_minor_unit`), with the reading a slip of the decimal
        symbol for a group symbol would give: at de_DE ``1.234,565`` EUR
        may be 1.234.565, and a figure that wrong pays the wrong points."""
        excess = beyond_minor_unit(fraction, currency)
        if excess is None:
            return None
        grouped = f"{integer}{self.group}{fraction}"
        if self.group and len(fraction) == self.primary and self._grouped(grouped):
            excess = f"{excess}: is it {grouped}?"
        return _TooPrecise(excess)

    def _ambiguity(self, integer: str, fraction: str) -> str | None:
        """Why ``1.000`` or ``1,000`` cannot be read: one thousand where the
        mark groups digits, one where it is the decimal point, whichever it
        is in this locale."""
        if self.locale == MACHINE:
            return None
        if fraction:
            head, mark, tail = integer, self.decimal, fraction
        else:
            head, mark, tail = integer.partition(self.group)
        if not (
            mark in _POINTS
            and len(tail) == 3
            and 0 < len(head) <= 3
            and head.isdigit()
            and tail.isdigit()
            and head[0] != "0"
        ):
            return None
        why = _Ambiguous(
            f"ambiguous: {head}{tail} where {mark!r} groups digits, {head}.{tail} "
            f"where it is a decimal point; write {head}{tail}, or the decimals "
            "to the cent"
        )
        why.readings = (f"{head}{tail}", f"{head}{self.decimal}{tail}")
        return why

    def _canonical_groups(self, body: str) -> str:
        group = self.group
        if group in _SPACES:
            return "".join(group if c in _SPACES else c for c in body)
        if group in _APOSTROPHES:
            return "".join(group if c in _APOSTROPHES else c for c in body)
        return body

    def _grouped(self, integer: str) -> bool:
        groups = integer.split(self.group)
        first, *middle, last = groups
        return (
            0 < len(first) <= self.secondary
            and first[0] != "0"
            and all(len(g) == self.secondary for g in middle)
            and len(last) == self.primary
        )


#: Locales whose people write numbers two ways: CLDR's, and another whose
#: (decimal, group) marks are given here. South Africa's CLDR (``en_ZA``)
#: writes ``R 1 234,56``, the SI way its standards (SANS 1, SABS) and banks
#: use, while many invoices, statements and spreadsheets there write
#: ``R1,234.56``. A text with the other decimal mark (``.``), which CLDR's
#: way never writes, is read the other way when that reads it exactly and
#: once: ``R12,500.00`` is 12500.00, ``1.5`` is 1.5; ``R1,234`` and
#: ``1.234`` stay refused as ambiguous in either way.
_ALSO_WRITTEN = {"en_ZA": (".", ",")}


@lru_cache(maxsize=65536)
def _reading(
    numbers: NumberFormat, text: str, whole: bool, currency: str | None, unit_price: bool
) -> Decimal | str:
    """`NumberFormat._why`, once per distinct text: a batch repeats its prices;
    then, where it is refused and the locale also writes numbers another way
    (`_ALSO_WRITTEN`) whose decimal mark the text holds, that way's reading
    (or why that way reads it twice)."""
    found = numbers._why(text, whole, currency, unit_price)
    other = _also_written(numbers.locale)
    if (
        isinstance(found, Decimal)
        or isinstance(found, _Foreign | _Ambiguous)
        or other is None
        or other.decimal not in text
    ):
        return found
    also = other._why(text, whole, currency, unit_price)
    return also if isinstance(also, Decimal | _Ambiguous) else found


@lru_cache(maxsize=64)
def _also_written(locale: str) -> NumberFormat | None:
    """The other way `locale` writes numbers (`_ALSO_WRITTEN`), or None."""
    marks = _ALSO_WRITTEN.get(locale)
    if marks is None:
        return None
    own = number_format(locale)
    decimal, group = marks
    amount = own.amount_example.translate(
        {ord(own.decimal): decimal, ord(own.group): group}
    )
    whole = own.whole_example.translate({ord(own.group): group})
    return NumberFormat(locale, decimal, group, 3, 3, amount, whole, own.written)


def _plain(text: str) -> tuple[str, str | None]:
    """`text` as the readers see it, and why a mark in it is refused (None).

    Full-width digits and marks are the ASCII ones (``１，２３４`` is 1,234,
    then read by this locale's rules): `claimflow.cjk`; the invisible
    direction marks of right-to-left text go (`claimflow.bidi`).
    """
    plain, refused = unmarked(narrow(text.strip()))
    return plain.strip(), refused


class _TooPrecise(str):
    """Why an amount has more decimals than its currency's minor unit."""


class _Ambiguous(str):
    """Why a number reads two ways, and those readings (``4500``, ``4.500``)."""

    readings: tuple[str, str]


_NOT_A_NUMBER = "not a number in this format"


def _digits(text: str) -> bool:
    """Only ASCII digits (``str.isdigit`` also takes ``²`` and other scripts)."""
    return text.isascii() and (not text or text.isdigit())


def _quoted(text: str) -> str:
    """`text` quoted as Python writes it, but the no-break spaces that
    group digits in French and Swiss amounts shown as the spaces they look
    like, not as escape codes a clerk cannot read (``\\u202f``)."""
    return repr(text).replace("\\u202f", "\u202f").replace("\\xa0", "\xa0")


def _without_cents_dash(text: str, decimal: str) -> tuple[str, str]:
    """``3.450.000,-`` (Indonesian, German, Dutch, Hungarian) or ``5.–``
    (Swiss): a dash after the decimal symbol says "no cents", not
    "negative". The amount is whole, and the symbol written settles which
    mark groups digits (``15.000,-`` is fifteen thousand in id_ID). So does
    ``/-`` after the amount (``Rs. 1,234/-``: "and no paise", as Indian
    invoices write it; ``/=`` in East Africa): ``1,234/-`` is 1234 however
    the desk writes decimals. Returns the text without it, and the mark
    written ('' when none)."""
    for suffix in _NO_CENTS_SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)].rstrip()[-1:].isdigit():
            return text[: -len(suffix)].rstrip(), suffix
    for dash in _CENTS_DASHES:
        tail = decimal + dash
        if text.endswith(tail) and text[: -len(tail)][-1:].isdigit():
            return text[: -len(tail)], tail
    return text, ""


def _unsigned(
    text: str, currency: re.Pattern[str], decimal: str
) -> tuple[str | None, bool, tuple[str, ...], str]:
    """(the digits and separators, negative, the currency signs written,
    whether a dash says "no cents") once signs and currency
    (`_currency_pattern`) are off.

    One sign at most, before or after a currency at the start (``-€5``,
    ``€ -5``, ``EUR-5``), or parentheses, or SAP's trailing minus. The
    no-cents dash (`_without_cents_dash`) is looked for once the currency
    signs are off, so that ``1 234,- Ft`` is 1234 as ``Ft 1 234,-`` is: a
    dash taken for SAP's trailing minus there made it -1234 (trial 34).
    """
    sign = ""
    marks: list[str] = []
    if text.startswith("(") and text.endswith(")"):
        sign, text = "(", text[1:-1].strip()
    for _ in range(3):
        head = text[:1]
        if head and head in _SIGNS:
            if sign:
                return None, False, (), ""
            sign, text = head, text[1:].lstrip()
            continue
        match = currency.search(text)
        if match is None or match.end() == match.start():
            break
        marks.append(match["head"] or match["tail"])
        text = (text[: match.start()] + text[match.end() :]).strip()
    text, no_cents = _without_cents_dash(text, decimal)
    if not no_cents and text[-1:] and text[-1] in _MINUS and not sign:
        sign, text = "-", text[:-1].rstrip()
    return (text or None), sign not in {"", "+"}, tuple(marks), no_cents


@lru_cache(maxsize=256)
def number_format(locale: str) -> NumberFormat:
    """The number format of a Babel locale id, or of ``C``.

    Args:
        locale: ``de_DE``, ``hi_IN``, ``C``...

    Returns:
        Its symbols, grouping and examples.

    Raises:
        NumberError: the locale is unknown to Babel.

    Example: ``number_format("hi_IN").secondary == 2``
    """
    if locale == MACHINE:
        return NumberFormat(MACHINE, ".", "", 3, 3, "1234.56", "1234567")
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        raise NumberError(f"unknown locale {locale!r}") from None
    primary, secondary = parsed.decimal_formats[None].grouping
    # Where groups differ in size (lakh: 12,34,567), the example shows both.
    example = Decimal("1234.56") if primary == secondary else Decimal("1234567.50")
    return NumberFormat(
        locale=str(parsed),
        decimal=get_decimal_symbol(parsed),
        group=get_group_symbol(parsed),
        primary=primary,
        secondary=secondary,
        amount_example=format_decimal(
            example,
            format=re.sub(r"\.#+", ".00", parsed.decimal_formats[None].pattern),
            locale=parsed,
        ),
        whole_example=format_decimal(1234567, locale=parsed),
        written=locale,
    )


def read_number(text: str, locale: str, whole: bool = False) -> Decimal:
    """Read a keyed number in a locale (`NumberFormat.read`).

    Example: ``read_number("12,34,567.50", "hi_IN") == Decimal("1234567.50")``
    """
    return number_format(locale).read(text, whole)


def read_percent(text: str, locale: str = MACHINE) -> Decimal:
    """Read ``0.5%`` (or ``0,5 %``) as the fraction 0.005, or a bare fraction.

    Example: ``read_percent("0,5 %", "de_DE") == Decimal("0.005")``
    """
    stripped = narrow(text.strip())  # ``０．５％`` is 0.5%
    if stripped.endswith("%"):
        return read_number(stripped[:-1], locale) / 100
    return read_number(stripped, locale)


__all__ = [  # `MACHINE` and the currency lookups are `claimflow.currencies`'
    "MACHINE",
    "NumberError",
    "NumberFormat",
    "currency_marks",
    "minor_digits",
    "number_format",
    "read_number",
    "read_percent",
    "written_digits",
]
