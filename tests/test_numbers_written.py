"""Amounts as trial 34's Hungarian and Turkish desks write them.

The oracle is Babel writing the whole amount in the locale (its digit
groups and currency symbol), with the no-cents dash and the currency mark
put where people put them; the reading must be the amount itself, and a
minus sign written must stay a minus.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, get_currency_symbol
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow.numbers import number_format

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
