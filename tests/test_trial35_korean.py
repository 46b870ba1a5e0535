"""Trial 35 (a Korean hotel desk, hanbit): Korean forms as Babel writes them.

``1,234,000원`` was refused ("'원' is not a digit") while ``159,800円`` was
read for JPY. The oracle: Babel writing each amount in ko_KR, read back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from claimflow.numbers import NumberError, number_format

won_amounts = st.integers(min_value=0, max_value=10**12).map(Decimal)


@given(amount=won_amounts)
def test_won_written_after_the_amount_is_krw(amount: Decimal) -> None:
    """Babel's ko_KR amount, with 원 after it (``1,234,000원``) as Korean
    forms write it, and with Babel's own sign (``₩1,234,000``)."""
    won = number_format("ko_KR")
    plain = format_decimal(amount, locale="ko_KR")
    for written in (f"{plain}원", f"{plain} 원", format_currency(amount, "KRW", locale="ko_KR")):
        assert won.read(written, currency="KRW") == amount, written


def test_won_is_refused_for_another_currency_and_with_decimals() -> None:
    assert number_format("ko_KR").read("1,234,000원", currency="KRW") == Decimal(1234000)
    with pytest.raises(NumberError, match="'원' is KRW in en_US, the claim's currency is USD"):
        number_format("en_US").read("100원", currency="USD")
    with pytest.raises(NumberError, match="KRW has no decimals"):
        number_format("ko_KR").read("1,000,000.50원", currency="KRW")
