"""Amounts as trial 34's Hungarian and Turkish desks write them.

The oracle is Babel writing the whole amount in the locale (its digit
groups and currency symbol), with the no-cents dash and the currency mark
put where people put them; the reading must be the amount itself, and a
minus sign written must stay a minus.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal, get_currency_symbol
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow.money import minor_unit
from claimflow.numbers import NumberError, minor_digits, number_format
from claimflow.shown import money

#: Locales whose people write a dash for "no cents", with their currency.
DASH_LOCALES = {
    "hu_HU": "HUF", "de_DE": "EUR", "id_ID": "IDR", "de_CH": "CHF", "nl_NL": "EUR",
    "cs_CZ": "CZK", "pl_PL": "PLN", "fr_FR": "EUR", "tr_TR": "TRY", "es_ES": "EUR",
    "en_US": "USD",
}  # fmt: skip


def test_the_hungarian_no_filler_dash_before_the_forint_sign_is_no_minus() -> None:
    """Trial 34: ``411 522,- Ft`` was read as -411522 (the dash taken for
    SAP's trailing minus once ``Ft`` was off), while ``411 522,-`` was 411522."""
    forint = number_format("hu_HU")
    assert forint.read("1 234,- Ft", currency="HUF") == Decimal("1234")
    assert forint.read("411 522,- Ft", currency="HUF") == Decimal("411522")
    assert forint.read("1234,-") == Decimal("1234")
    assert forint.read("-1 234,- Ft", currency="HUF") == Decimal("-1234")
    assert forint.read("1 234,00- Ft", currency="HUF") == Decimal("-1234.00")


@given(
    locale=st.sampled_from(sorted(DASH_LOCALES)),
    amount=st.integers(min_value=0, max_value=10**9),
    place=st.sampled_from(["before", "before ", "after", " after", "none"]),
    code=st.booleans(),
    dash=st.sampled_from(["-", "--", "\u2013"]),
    sign=st.sampled_from(["", "-", "()"]),
)
@hsettings(max_examples=300, deadline=None)
def test_a_no_cents_dash_reads_the_whole_amount_wherever_the_currency_is(
    locale: str, amount: int, place: str, code: bool, dash: str, sign: str
) -> None:
    numbers = number_format(locale)
    currency = DASH_LOCALES[locale]
    mark = currency if code else get_currency_symbol(currency, locale)
    written = f"{format_decimal(amount, locale=locale)}{numbers.decimal}{dash}"
    if place.strip() == "before":
        written = f"{mark}{place[6:]}{written}"
    elif place.strip() == "after":
        written = f"{written}{place[:-5]}{mark}"
    if sign == "-":
        written = f"-{written}"
    elif sign == "()":
        written = f"({written})"
    expected = Decimal(-amount if sign else amount)
    assert numbers.read(written, currency=currency) == expected, written


@pytest.mark.parametrize(
    ("text", "locale", "currency", "expected"),
    [("189 990,50", "hu_HU", "HUF", Decimal("189990.50")),  # trial 34's invoice
     ("189 990,50 Ft", "hu_HU", "HUF", Decimal("189990.50")),
     ("1 234,5 Ft", "hu_HU", "HUF", Decimal("1234.5")),
     ("189 990 Ft", "hu_HU", "HUF", Decimal("189990")),
     ("Rp 1.234,56", "id_ID", "IDR", Decimal("1234.56")),  # ISO 4217: 2
     ("Rp 15.000", "id_ID", "IDR", Decimal("15000")),  # written whole: groups
     ("KWD 1.234,500", "de_DE", "KWD", Decimal("1234.500")),  # ISO 4217: 3
     ("1 234,56 Kč", "cs_CZ", "CZK", Decimal("1234.56"))],
)  # fmt: skip
def test_decimals_follow_iso_4217(
    text: str, locale: str, currency: str, expected: Decimal
) -> None:
    """Trial 34: ``189 990,50`` was refused "HUF has no decimals", citing
    ISO 4217, which gives the forint 2 minor units (CLDR's 0 is practice)."""
    assert number_format(locale).read(text, currency=currency) == expected


@pytest.mark.parametrize(("text", "currency"), [("¥1,234.5", "JPY"), ("₩1,234.5", "KRW")])
def test_a_currency_without_minor_units_in_iso_4217_has_no_decimals(
    text: str, currency: str
) -> None:
    locale = "ja_JP" if currency == "JPY" else "ko_KR"
    with pytest.raises(NumberError, match=f"{currency} has no decimals"):
        number_format(locale).read(text, currency=currency)


def test_minor_digits_are_iso_4217s() -> None:
    assert [minor_digits(c) for c in ("HUF", "IDR", "COP", "TWD", "CZK", "EUR")] == [2] * 6
    assert [minor_digits(c) for c in ("JPY", "KRW", "ISK", "CLP")] == [0] * 4
    assert [minor_digits(c) for c in ("KWD", "BHD", "IQD")] == [3] * 3
    assert minor_unit("HUF") == Decimal("0.01")


def test_an_amount_is_shown_with_every_decimal_written() -> None:
    """Babel rounds to CLDR's digits: 189 990,50 Ft was shown as 189 990 Ft."""
    assert money(Decimal("189990.50"), "HUF", "hu_HU") == "189\xa0990,50\xa0Ft"
    assert money(Decimal("189990"), "HUF", "hu_HU") == "189\xa0990\xa0Ft"
    assert money(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"


def test_the_turkish_lira_written_tl_is_read_and_an_unknown_suffix_is_named() -> None:
    """Trial 34: ``4.500,00 TL`` (Türk lirası, as folios write it) was
    refused "not a number in this format" while ``₺`` and ``TRY`` were read;
    the message never said the suffix was what could not be read."""
    lira = number_format("tr_TR")
    for text in ("4.500,00 TL", "TL 4.500,00", "4.500,00 ₺", "TRY 4.500,00"):
        assert lira.read(text, currency="TRY") == Decimal("4500.00")
    with pytest.raises(NumberError) as caught:
        lira.read("4.500,00 XL", currency="TRY")
    assert str(caught.value) == (
        "expected an amount like 1.234,56, found '4.500,00 XL' ('XL' is not a "
        "currency sign or code read in tr_TR: write ₺ or TRY for TRY, or nothing)"
    )
    with pytest.raises(NumberError, match="'TL' is TRY in de_DE, the claim's currency is EUR"):
        number_format("de_DE").read("4.500,00 TL", currency="EUR")
