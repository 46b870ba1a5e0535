"""Currency signs and codes around a keyed amount, and a currency's decimals.

What `claimflow.numbers` asks of a currency: which signs and codes write
it in a locale (`currency_marks`: its ISO code, its CLDR symbols from
Babel, and the ways people write it that CLDR leaves out), the pattern
that finds a sign or code at either end of an amount, why a sign written
is not the claim's currency, and how many decimals an amount in it may
have (`minor_digits`, ISO 4217) or is written with (`written_digits`,
CLDR). ``MACHINE`` (the machine locale) is defined here, as these lookups
need it and `claimflow.numbers` re-exports it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_currency_symbol, list_currencies

from claimflow.bidi import unmarked

#: The machine locale: ``1234.56``, no grouping, no ambiguity rule.
MACHINE = "C"
#: A currency sign or code, as people write one before or after an amount
#: (``R$ 1.234,56`` as Babel's pt_BR pattern puts it, ``1.234,56 R$`` as
#: people also write it); which currency it is, is `currency_marks`' to say.
_SIGNS_SC = "".join(
    re.escape(c) for c in map(chr, range(0x10000)) if unicodedata.category(c) == "Sc"
)
_MARK = (
    rf"(?:U\$[SD]|[A-Z]{{1,3}}[{_SIGNS_SC}]|[{_SIGNS_SC}][A-Z]{{1,3}}|[A-Z]{{3}}"
    rf"|Rp\.?|Rs\.?|S?Fr\.|kr\.?|zł|Kč|Ft|TL|VNĐ|đ|円|원|บาท|元|新[台臺]幣|ש[\"״]ח"
    rf"|M\.N\.|MN|pesos|ج\.م\.?|جنيه|L\.E\.|LE|руб\.?|р\.|تومان|[Tt]oman|TOMAN|[{_SIGNS_SC}])"
)
_WHOLE_MARK = re.compile(_MARK)
#: How people write some currencies that CLDR's symbols leave out.
_WRITTEN = {
    "INR": ("Rs", "Rs."), "IDR": ("Rp.",), "CHF": ("Fr.", "SFr."), "JPY": ("円",),
    "KRW": ("원",),  # won, as Korean forms write it after the amount (trial 35)
    "THB": ("บาท",),  # baht, as Thai forms write it after the amount
    # the local signs, whatever locale the client's numbers are read in
    "PLN": ("zł",), "CZK": ("Kč",), "HUF": ("Ft",),
    "USD": ("US$", "U$S", "U$D"),  # U$S: dollars, as Argentine invoices write them
    # Egyptian pounds: CLDR's ج.م. without its last dot, the word, and LE
    "EGP": ("ج.م", "جنيه", "LE", "L.E.", "E£"),
    "TRY": ("TL",),  # Türk lirası, as folios and forms write it (trial 34)
    "VND": ("đ", "VNĐ"),  # đồng, as Vietnamese invoices write it beside ₫
    # Mexican invoices: moneda nacional; and the word, for every peso
    "MXN": ("MN", "M.N.", "pesos"), "COP": ("pesos",), "CLP": ("pesos",),
    "ARS": ("pesos",), "UYU": ("pesos",), "DOP": ("pesos",), "CUP": ("pesos",),
    # Taiwanese invoices: 1,234元, 新台幣 1,234 元, NTD; 元 is the yuan too
    "TWD": ("元", "新台幣", "新臺幣", "NTD"), "CNY": ("元",),
    # Israeli invoices: 1,234.50 ש"ח (shekel hadash, with a quote or a
    # gershayim), and NIS, as English-language folios write it
    "ILS": ('ש"ח', "ש״ח", "NIS"),
    # Russian invoices: 1 234,56 руб. and 1234,56 р., the ruble's own
    # abbreviations; CLDR gives р. to RUR, the ruble before 1998, which no
    # invoice of a program running now is in
    "RUB": ("руб.", "руб", "р."),
}  # fmt: skip
_ISO_CODES = frozenset(list_currencies())
#: Units people write amounts in that are no currency of ISO 4217: the
#: toman, as Iranian prices are said and often written (``۱۲۳٬۰۰۰ تومان``).
#: It is 10 rials as commonly said, but 10,000 under the 2020 redenomination
#: law, so the desk never converts it: an amount in it is refused, naming it,
#: and the participant is asked for the amount in rials as the folio shows it.
_UNITS = {"تومان": "toman", "toman": "toman"}


def _foreign_marks(
    marks: tuple[str, ...], currency: str | None, locale: str
) -> _Foreign | None:
    """Why the first currency sign written that is not `currency`'s is not."""
    if currency is None:
        return None
    for mark in marks:
        foreign = _foreign(mark, currency, locale)
        if foreign is not None:
            return foreign
    return None


class _Foreign(str):
    """Why a currency sign or code is not the amount's currency."""


def _canonical_mark(mark: str) -> str:
    """``￥`` (full width) is ``¥``; Babel and people write either. Babel's
    ``د.إ.\\u200f`` (AED in ar_AE) ends with a right-to-left mark, which is no
    part of the sign (`claimflow.bidi`)."""
    return unmarked(unicodedata.normalize("NFKC", mark))[0]


@lru_cache(maxsize=256)
def _currency_pattern(locale: str) -> re.Pattern[str]:
    """A currency sign or code at either end of an amount: the signs every
    locale shares (`_MARK`), and the locale's own symbols from Babel that
    they do not take (``د.إ.`` in ar_AE: its dots are no decimal points).
    A symbol with a digit, a sign or a parenthesis is left out, so that no
    sign can swallow part of the number."""
    own = sorted(
        (
            mark
            for mark in _symbols(locale)
            if mark
            and not _WHOLE_MARK.fullmatch(mark)
            and not any(c.isdigit() or c in "+-()\u2212" for c in mark)
        ),
        key=len,
        reverse=True,
    )
    marks = "|".join([*map(re.escape, own), _MARK])
    return re.compile(rf"^(?P<head>{marks})\s*|\s*(?P<tail>{marks})$")


@lru_cache(maxsize=256)
def _symbols(locale: str) -> dict[str, frozenset[str]]:
    """Currency sign -> the currencies whose symbol it is in `locale` (CLDR)."""
    found: dict[str, set[str]] = {}
    symbols = Locale.parse("en" if locale == MACHINE else locale).currency_symbols
    for code, symbol in symbols.items():
        found.setdefault(_canonical_mark(symbol), set()).add(code)
    return {mark: frozenset(codes) for mark, codes in found.items()}


@lru_cache(maxsize=1024)
def currency_marks(currency: str, locale: str) -> frozenset[str]:
    """The signs and codes that write `currency` in `locale`.

    Its ISO code; its symbol in the locale (Babel: ``R$`` for BRL in
    pt_BR, ``$`` for USD in en_US but ``US$`` in pt_BR); its English symbol
    where that is no other currency's symbol in the locale (``€``, but not
    ``$`` for USD in es_MX, where it is the peso); and the few ways people
    write one that CLDR leaves out (``Rs.``, ``Rp.``, ``Fr.``).

    Example: ``"R$" in currency_marks("BRL", "pt_BR")``
    """
    code = currency.upper()
    theirs = _symbols(locale)
    marks = {code, _canonical_mark(get_currency_symbol(code, _babel(locale)))}
    english = _canonical_mark(get_currency_symbol(code, "en"))
    if theirs.get(english, frozenset({code})) <= {code}:
        marks.add(english)
    marks.update(_WRITTEN.get(code, ()))
    return frozenset(marks)


def is_currency_mark(text: str, locale: str) -> bool:
    """True when `text` is a currency sign or code: an ISO 4217 code, a
    text with a currency sign (``US$``), a CLDR symbol in `locale`, or a
    way people write one (``Fr.``, ``zł``); a unit (``Stk``) is none.

    Example: ``is_currency_mark("USD", "de_DE")``, ``is_currency_mark("€", "de_DE")``
    """
    mark = _canonical_mark(text.strip())
    return bool(mark) and (
        mark in _ISO_CODES
        or any(unicodedata.category(c) == "Sc" for c in mark)
        or mark in _symbols(locale)
        or any(mark in written for written in _WRITTEN.values())
    )


def _babel(locale: str) -> str:
    return "en" if locale == MACHINE else locale


def _foreign(mark: str, currency: str, locale: str) -> _Foreign | None:
    """None when `mark` writes `currency` in `locale`, else why not."""
    marks = currency_marks(currency, locale)
    if _canonical_mark(mark) in marks:
        return None
    unit = _UNITS.get(mark.lower())
    if unit is not None:
        return _Foreign(
            f"currency mismatch: {mark!r} is the {unit}, not {currency} (10 rials as "
            f"commonly said, 10,000 under the redenomination law: never converted): "
            f"write the amount in {currency}, as the invoice shows it"
        )
    meant = set(_symbols(locale).get(_canonical_mark(mark), ()))
    if re.fullmatch("[A-Z]{3}", mark) and mark in _ISO_CODES:
        meant.add(mark)
    meant.update(code for code, written in _WRITTEN.items() if mark in written)
    own = get_currency_symbol(currency.upper(), _babel(locale))
    if meant == {mark}:
        return _Foreign(f"currency mismatch: the claim's currency is {currency}")
    if meant:
        return _Foreign(
            f"currency mismatch: {mark!r} is {' or '.join(sorted(meant))} in "
            f"{locale}, the claim's currency is {currency}"
        )
    code = currency.upper()
    write = code if own == code else f"{own} or {code}"
    return _Foreign(
        f"{mark!r} does not say which currency in {locale}: write {write} for "
        f"{currency}, or nothing"
    )


#: A word written before or after the number: a currency sign or code
#: that is none this desk reads (``4.500,00 XL``).
_WORD = re.compile(r"^(?P<head>[^\W\d_][^\s\d]*)\s*[\d(]|[\d)]\s*(?P<tail>[^\W\d_][^\s\d]*)$")


def _unread_word(body: str, currency: str | None, locale: str) -> str | None:
    """Why a number with a word at either end is not read: the word is no
    currency sign or code read in `locale` (None: there is no such word)."""
    match = _WORD.search(body)
    if match is None:
        return None
    word = match["head"] or match["tail"]
    if currency is None:
        return f"{word!r} is not a currency sign or code read in {locale}"
    code = currency.upper()
    own = get_currency_symbol(code, _babel(locale))
    write = code if own == code else f"{own} or {code}"
    return (
        f"{word!r} is not a currency sign or code read in {locale}: write "
        f"{write} for {code}, or nothing"
    )


#: ISO 4217's minor units (list one) for the current codes that have not
#: 2; every other code has 2. Babel gives CLDR's ``digits`` instead, which
#: is practice, not the standard: 0 for HUF, IDR, COP, IQD, LBP, IRR and
#: others whose amounts ISO gives 2 (or 3) decimals, so ``189 990,50`` on a
#: Hungarian invoice was refused "HUF has no decimals" (trial 34).
_ISO_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
    "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip


def minor_digits(currency: str) -> int:
    """The decimals an amount in `currency` may have: its minor units in
    ISO 4217 (2 for EUR and HUF, 0 for JPY, 3 for KWD); 2 for any other code.

    Example: ``minor_digits("HUF") == 2``, ``minor_digits("JPY") == 0``
    """
    return _ISO_MINOR_UNITS.get(currency.upper(), 2)


def decimals_written(value: Decimal) -> int:
    """The decimals `value` has, its trailing zeros not counted: 1234.565
    has 3, 1234.500 has 1 (it is 1234.50 exactly), 12.00 has none.

    Example: ``decimals_written(Decimal("1234.500")) == 1``
    """
    if not value.is_finite():
        return 0
    return len(f"{value:f}".partition(".")[2].rstrip("0"))


def beyond_minor_unit(value: Decimal | str, currency: str) -> str | None:
    """Why an amount in `currency` cannot be as written: it has more
    decimals than the currency's minor unit (`minor_digits`), which no
    invoice total, folio or claim amount has (None: it has not). `value`
    is a number, or the decimals written after the decimal symbol.

    ``1234.565`` EUR is three decimals where EUR has two, and at a de_DE
    desk ``1.234,565`` is as likely a slip for ``1.234.565``: rounding it
    to 1234.57 would be a guess either way. Trailing zeros are no decimals:
    ``1234.500`` is 1234.50, ``12.00`` yen is 12.

    Example: ``beyond_minor_unit(Decimal("1234.565"), "EUR") == "3 decimals where EUR has 2"``
    """
    minor = minor_digits(currency)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -minor:
            return None  # the usual case, told without writing the number
        found = decimals_written(value)
    else:
        found = len(value.rstrip("0"))
    if found <= minor:
        return None
    code = currency.upper()
    if minor == 0:
        return f"{code} has no decimals"
    return f"{found} decimals where {code} has {minor}"


@lru_cache(maxsize=256)
def cash_digits(currency: str) -> int:
    """The decimals cash amounts in `currency` are written with (CLDR's
    ``cashDigits``, as Babel gives them): 0 for TWD, whose amounts are
    whole dollars in practice (``NT$1,234`` on every uniform invoice) though
    CLDR's ``digits`` and ISO 4217 give it 2; 2 for a code Babel does not know.

    Example: ``cash_digits("TWD") == 0``, ``cash_digits("EUR") == 2``
    """
    from babel.core import get_global

    fractions = get_global("currency_fractions")
    digits = fractions.get(currency.upper(), fractions.get("DEFAULT", (2, 0, 2, 0)))
    return int(digits[2])


@lru_cache(maxsize=256)
def written_digits(currency: str) -> int:
    """The decimals amounts in `currency` are written with in practice
    (CLDR's ``digits``, as Babel gives them: 0 for JPY, HUF and IDR, 2 for
    EUR); 2 for a code Babel does not know. Where it is 0, ``Rp 15.000`` and
    ``¥159,800`` are one reading only: their mark groups digits.

    Example: ``written_digits("IDR") == 0``
    """
    from babel.numbers import get_currency_precision

    try:
        return int(get_currency_precision(currency.upper()))
    except Exception:  # noqa: BLE001 (any lookup failure: the usual two)
        return 2
