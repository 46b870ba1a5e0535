"""Figures and claims as people read them (`claimflow.shown`), against Babel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal

from claimflow.shown import claim_name, format_points, money, signed_points


@pytest.mark.parametrize("locale", ["de_DE", "fr_FR", "en_US"])
def test_points_and_money_are_written_as_the_locale_writes_them(locale: str) -> None:
    assert format_points(1234, locale) == format_decimal(1234, locale=locale)
    assert signed_points(1234, locale) == "+" + format_decimal(1234, locale=locale)
    assert signed_points(-234, locale) == format_decimal(-234, locale=locale)
    amount = Decimal("1234.50")
    assert money(amount, "EUR", locale) == format_currency(amount, "EUR", locale=locale)


def test_exact_points_keep_their_decimals() -> None:
    assert format_points(Decimal("17.5"), "de_DE") == "17,5"


@pytest.mark.parametrize(
    ("reference", "source", "expected"),
    [
        ("KW-1002", "/in/antraege_oktober.csv:row 4", "KW-1002 (antraege_oktober.csv:row 4)"),
        ("AC-2001", "claims_printed.pdf:page 1", "AC-2001 (claims_printed.pdf:page 1)"),
        ("KW-1002", None, "KW-1002"),
        # without a reference, its place, and the id a command needs to act on it
        (None, "/in/a.csv:row 7", "a.csv:row 7 (id 775b1c905eee-r7)"),
        (None, None, "775b1c905eee-r7"),
    ],
)
def test_a_claim_is_named_by_its_reference_and_place(
    reference: str | None, source: str | None, expected: str
) -> None:
    assert claim_name(reference, source, "775b1c905eee-r7") == expected
