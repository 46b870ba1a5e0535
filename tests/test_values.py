"""Keyed values: dates in the client's order (never guessed), amounts, counts, flags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow.numbers import NumberError, read_number
from claimflow.values import parse_date


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("04/03/2026", "DMY", date(2026, 3, 4)),
        ("04/03/2026", "MDY", date(2026, 4, 3)),
        ("2026-03-04", "DMY", date(2026, 3, 4)),
        ("2026-03-04", "MDY", date(2026, 3, 4)),
        # a two-digit year is refused: its century would be a guess (trial 14)
        (
            "4.3.26",
            "DMY",
            "expected a date as DD.MM.YYYY, found '4.3.26' "
            "(a two-digit year: its century would be a guess)",
        ),
        (
            "26-03-04",
            "YMD",
            "expected a date as YYYY-MM-DD, found '26-03-04' "
            "(a two-digit year: its century would be a guess)",
        ),
        (
            "13/10/2026",
            "MDY",
            "expected a date as MM/DD/YYYY, found '13/10/2026' (day and month swapped?)",
        ),
        ("31/02/2026", "DMY", "expected a date as DD/MM/YYYY, found '31/02/2026' (no such day: February has 28)"),
        ("next tuesday", "DMY", "expected a date as DD/MM/YYYY, found 'next tuesday'"),
        # trial 19: a day-first date at a year-first desk is no two-digit year
        (
            "11/03/2026",
            "YMD",
            "expected a date as YYYY-MM-DD, found '11/03/2026' (the year comes first)",
        ),
        # trial 17: answered in the form's own separator, an impossible day said so
        (
            "31.11.2026",
            "DMY",
            "expected a date as DD.MM.YYYY, found '31.11.2026' (no such day: November has 30)",
        ),
        (
            "2026-02-29",
            "MDY",
            "expected a date as YYYY-MM-DD, found '2026-02-29' (no such day: February has 28)",
        ),
    ],
)
def test_parse_date(text: str, order: str, expected: object) -> None:
    assert parse_date(text, order) == expected  # type: ignore[arg-type]


_FORMATS = {"DMY": "%d/%m/%Y", "MDY": "%m/%d/%Y", "YMD": "%Y-%m-%d"}


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["DMY", "MDY", "YMD"]),
)
def test_any_date_written_in_the_client_order_reads_back(day: date, order: str) -> None:
    assert parse_date(day.strftime(_FORMATS[order]), order) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("$1,299.00", "en_US", Decimal("1299.00")),
        ("1.299,50 €", "es_ES", Decimal("1299.50")),
        ("412,50", "es_ES", Decimal("412.50")),
        ("(12.00)", "en_US", Decimal("-12.00")),
        ("412.50", "C", Decimal("412.50")),
    ],
)
def test_read_number(text: str, locale: str, expected: Decimal) -> None:
    assert read_number(text, locale) == expected


@pytest.mark.parametrize("text", ["twelve", "", "Infinity", "NaN", "1e5", "1_000"])
def test_not_numbers_are_refused(text: str) -> None:
    with pytest.raises(NumberError, match="expected an amount like 1,234.56"):
        read_number(text, "en_US")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_amounts_round_trip_in_both_notations(amount: Decimal) -> None:
    us = f"{amount:,.2f}"
    eu = us.replace(",", "_").replace(".", ",").replace("_", ".")
    assert read_number(us, "en_US") == amount
    assert read_number(eu, "de_DE") == amount


@pytest.mark.parametrize(
    ("language", "yes", "no"),
    [("ja", "はい", "いいえ"), ("ja", "有", "無"), ("pl", "Tak", "NIE"), ("ko", "예", "아니요"),
     ("ar", "نعم", "لا"), ("fa", "بله", "خیر"), ("ru", "Да", "НЕТ")],
)
def test_yes_and_no_in_the_clients_language(language: str, yes: str, no: str) -> None:
    """Trial 19: はい on a Japanese client's form pended the claim (invalid_format)."""
    from claimflow.values import yes_no_words

    words_yes, words_no = yes_no_words(language)
    assert yes.casefold() in words_yes and no.casefold() in words_no
    assert not words_yes & words_no


def test_every_languages_yes_and_no_words_are_apart_from_english() -> None:
    """A word yes in one language read and no in English (or the reverse)
    would flip a flag: each language's words stay on their own side."""
    from claimflow.values import YES_NO, yes_no_words

    for language in YES_NO:
        yes, no = yes_no_words(language)
        assert not yes & no, language
