"""Workbook number formats as a person sees them (`claimflow.parse.cells`)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimflow.parse.cells import format_marks, is_percent, shown_percent


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [("0%", True), ("0.00%", True), ('0.00"%"', False), ("0.00\\%", False), ("General", False)],
)
def test_a_percent_format_is_a_bare_percent_sign(number_format: str, percent: bool) -> None:
    assert is_percent(number_format) is percent


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("0.5"), "50%"), (Decimal("0.07"), "7%"), (1, "100%"), (Decimal("0.125"), "12.5%")],
)
def test_a_percentage_is_shown_a_hundred_times_larger(value: Decimal | int, shown: str) -> None:
    assert shown_percent(value) == shown


@pytest.mark.parametrize(
    ("number_format", "marks"),
    [
        ("[$$-409]#,##0.00", ("$",)),
        ('"$"#,##0.00', ("$",)),
        ("$#,##0.00", ("$",)),
        ("[$USD] #,##0.00", ("USD",)),
        ("#,##0.00 [$€-407]", ("€",)),
        ('#,##0.00\\ "€"', ("€",)),
        ("#,##0.00 €", ("€",)),
        ('#,##0.00 "Stk"', ()),
        ("[$-407]#,##0.00", ()),
        ("[Red]#,##0.00", ()),
        ("0%", ()),
    ],
)
def test_the_currency_a_format_prints(number_format: str, marks: tuple[str, ...]) -> None:
    assert format_marks(number_format, "de_DE") == marks
