"""Trial 35 (a Korean hotel desk, hanbit): Korean forms as Babel writes them.

Every claim was pended: ``2026년 11월 10일`` and ``2026-11-13 (금)`` were
"expected a date as YYYY-MM-DD", while the tool's own notices print Babel's
ko_KR dates. ``1,234,000원`` was refused ("'원' is not a digit") while
``159,800円`` was read for JPY. The oracle: Babel writing each date and
amount in ko_KR, read back. The same trial's Turkish desk: month names in
capitals (``12 KASIM 2026``) were not read.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from claimflow.numbers import NumberError, number_format
from claimflow.values import TWO_DIGIT_YEAR, DateOrder, parse_date, parse_datetime

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


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31))
orders: st.SearchStrategy[DateOrder] = st.sampled_from(["YMD", "DMY", "MDY"])
#: Babel's patterns for the weekday in parentheses after a date in digits.
WEEKDAY_AFTER = ("yyyy-MM-dd (E)", "y. M. d. (E)", "yyyy-MM-dd(E)")


@given(day=days, order=orders)
def test_babel_ko_dates_read_back(day: date, order: DateOrder) -> None:
    """Babel's ko_KR medium, long and full dates (``2026. 12. 4.``,
    ``2026년 12월 4일``, ``2026년 12월 4일 금요일``) and a weekday in
    parentheses (``2026-12-04 (금)``, ``2026. 12. 4. (금)``) are the date
    at any desk: the year comes first in four digits, or is labelled."""
    for form in ("medium", "long", "full", *WEEKDAY_AFTER):
        written = format_date(day, form, locale="ko_KR")
        assert parse_date(written, order) == day, written


@given(day=days)
def test_babel_ko_short_date_is_refused_for_its_two_digit_year(day: date) -> None:
    written = format_date(day, "short", locale="ko_KR")  # 26. 12. 4.
    result = parse_date(written, "YMD")
    assert isinstance(result, str) and result.endswith(TWO_DIGIT_YEAR), written


@given(day=days, shift=st.integers(min_value=1, max_value=6))
def test_a_korean_weekday_must_be_the_dates_own(day: date, shift: int) -> None:
    other = date.fromordinal(day.toordinal() + shift)  # another weekday
    wrong = format_date(other, "EEEE", locale="ko_KR")  # 토요일
    for written in (
        f"{format_date(day, 'long', locale='ko_KR')} {wrong}",
        f"{format_date(day, 'yyyy-MM-dd', locale='ko_KR')} ({wrong[0]})",
        f"{format_date(day, 'medium', locale='ko_KR')} ({wrong[0]})",
    ):
        result = parse_date(written, "YMD")
        assert isinstance(result, str) and f"not a {wrong}" in result, written


def test_the_trials_korean_dates() -> None:
    for written in ("2026. 11. 2.", "2026년 11월 10일", "2026-11-13 (금)", "2026년 12월 4일 금요일"):
        assert isinstance(parse_date(written, "YMD"), date), written
    assert parse_date("2026. 12. 4. (금)", "YMD") == date(2026, 12, 4)
    assert parse_date("2026-12-04 (목)", "YMD") == (
        "expected a date as YYYY-MM-DD, found '2026-12-04 (목)'"
        " (2026-12-04 is a 금요일 (Friday), not a 목요일)"
    )
    assert parse_date("2026년 2월 30일", "YMD") == (
        "expected a date as YYYY년 M월 D일, found '2026년 2월 30일'"
        " (no such day: February has 28)"
    )
    assert parse_datetime("2026년 12월 4일 09:00", "YMD") == (date(2026, 12, 4), time(9))
    # Japanese is read as before; 月 (Monday in Japanese) is not 월
    assert parse_date("2026年11月3日(火)", "DMY") == date(2026, 11, 3)
    assert parse_date("2026/11/03(火)", "YMD") == date(2026, 11, 3)


def _notice(locale: str, currency: str, written: str, language: str = "en") -> str:
    from claimflow.codes import ReasonCode
    from tests.validate.test_notices import _unnamed_stay, client, item, text_of

    # the amount was refused, so the claim holds none: the notice quotes it
    stay = _unnamed_stay("Kim Minjun").model_copy(
        update={"qualifying_revenue": None, "currency": currency, "claim_ref": "HB-2002"}
    )
    refused = item(
        stay,
        ReasonCode.INVALID_NUMBER,
        "qualifying_revenue",
        f"expected an amount like 1,234,567, found {written!r} (why)",
    )
    return text_of([refused], client(language, locale, "stay", currency))


@pytest.mark.parametrize(("locale", "currency"), [("ko_KR", "KRW"), ("ja_JP", "JPY")])
def test_a_notice_asks_for_an_amount_in_a_form_its_currency_reads(
    locale: str, currency: str
) -> None:
    """HB-2002 ``1,000,000.50`` in KRW: the notice said "written like
    1,234.56", a form KRW refuses. Now its example is Babel's whole amount
    (``1,234,567``), which the desk reads back."""
    written = format_decimal(Decimal("1000000.50"), locale=locale)  # 1,000,000.5
    text = _notice(locale, currency, written)
    example = format_decimal(1234567, locale=locale)
    assert f"written like {example} " in text, text
    assert "1,234.56" not in text
    assert number_format(locale).read(example, currency=currency) == 1234567


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "id", "pt"])
def test_an_ambiguous_amount_notice_passes_on_the_desks_hint(language: str) -> None:
    """en_IN ``4,500`` (Babel's own writing of 4500): the notice said
    "written like 12,34,567.50", the form the member had followed. Now it
    names both readings and asks for 4500 or the decimals to the cent, as
    the CLI does; 4500 as asked reads back."""
    written = format_decimal(4500, locale="en_IN")
    text = _notice("en_IN", "INR", written, language)
    assert "12,34,567.50" not in text
    assert "4500" in text and "4.500" in text, text
    assert number_format("en_IN").read("4500", currency="INR") == 4500
    if language == "en":
        assert "send it again written as 4500, or with the decimals to the cent" in text


def _turkish_upper(text: str) -> str:
    """Capitals as Turkish writes them: i is İ, ı is I."""
    return text.replace("i", "İ").upper()


@given(day=days)
def test_turkish_months_in_capitals_read_back(day: date) -> None:
    """``12 KASIM 2026`` and ``12 ARALIK 2026`` were not read while ``12
    EKİM 2026`` was: the names were case folded as English (KASIM is
    kasim, not kasım). The oracle: Babel's tr_TR long and full dates in
    Turkish capitals, and in ASCII capitals (``EKIM``) as a system that
    knew no Turkish writes them."""
    from claimflow.written_dates import named_month_date

    for form in ("long", "full", "medium"):
        written = format_date(day, form, locale="tr_TR")
        for capitals in (_turkish_upper(written), written.upper()):
            assert named_month_date(capitals, "tr_TR") == day, capitals


def test_the_trials_turkish_capitals() -> None:
    from claimflow.written_dates import named_month_date

    assert named_month_date("12 KASIM 2026", "tr_TR") == date(2026, 11, 12)
    assert named_month_date("12 ARALIK 2026", "tr_TR") == date(2026, 12, 12)
    assert named_month_date("12 EKİM 2026", "tr_TR") == date(2026, 10, 12)
    assert named_month_date("4 APRIL 2026", "tr_TR") == date(2026, 4, 4)  # English
    assert named_month_date("4 ARALIK 2026 PERŞEMBE", "tr_TR") == (
        "expected a date as D MMMM YYYY, found '4 ARALIK 2026 PERŞEMBE'"
        " (2026-12-04 is a Friday, not the PERŞEMBE written)"
    )
