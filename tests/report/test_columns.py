"""Report columns have human headers and a kind, and show in the client's locale.

Found by issue 26: counts printed as ``16.000`` and ``200,000.000``, shares
as ``0.143``, headers were snake_case (``first_response_median_h``), and CSV
wrote ``21.700000000000003``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from claimflow.report.columns import (
    COLUMNS,
    Column,
    column_of,
    for_csv,
    shown,
    typed,
    xlsx_format,
)
from claimflow.shown import money

COUNT, SHARE, DAYS, RATE = (
    COLUMNS["received"],
    COLUMNS["on_time_share"],
    COLUMNS["turnaround_mean_days"],
    COLUMNS["rate_per_10k"],
)


@pytest.mark.parametrize(
    ("value", "column", "locale", "expected"),
    [
        (16.0, COUNT, "en_US", "16"),
        (200000.0, COLUMNS["points_at_stake"], "en_US", "200,000"),
        (200000, COLUMNS["points_at_stake"], "de_DE", "200.000"),
        (0.142857, SHARE, "en_US", "14.3%"),
        (0.142857, SHARE, "pt_BR", "14,3%"),
        (0.0015, COLUMNS["p"], "en_US", "0.15%"),
        (1234.5, RATE, "de_DE", "1.234,5"),
        (1234.5, RATE, "pt_BR", "1.234,5"),
        (12345, COUNT, "es_ES", "12.345"),
        (21.700000000000003, DAYS, "en_US", "21.7"),
        (float("nan"), DAYS, "en_US", ""),
        (None, COUNT, "en_US", ""),
        ("2026-11-10", COLUMNS["sample"], "de_DE", "10.11.2026"),
        ("2026-11-10", COLUMNS["sample"], "en_US", "Nov 10, 2026"),
        ("total", COLUMNS["sample"], "en_US", "total"),
        (True, COLUMNS["out"], "en_US", "yes"),
        (1234.5, Column("Paid", "money"), "pt_BR", "R$\xa01.234,50"),
    ],
)
def test_values_are_shown_in_the_locale(
    value: object, column: Column, locale: str, expected: str
) -> None:
    currency = "BRL" if column.kind == "money" else "USD"
    assert shown(value, column, locale, currency) == expected


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (16.0, COUNT, 16),
        (21.700000000000003, DAYS, 21.7),
        (0.857142857, SHARE, 0.8571),
        (0.0015384615, COLUMNS["p"], 0.00154),
        (19.25816493431119, RATE, 19.26),
        ("2026-11-10", COLUMNS["sample"], "2026-11-10"),
        (float("nan"), COUNT, None),
        (False, COLUMNS["out"], "no"),
    ],
)
def test_csv_values(value: object, column: Column, expected: object) -> None:
    cell = for_csv(value, column)
    assert cell == expected and type(cell) is type(expected)


def test_spreadsheet_values_are_typed() -> None:
    assert typed(16.0, COUNT) == 16 and isinstance(typed(16.0, COUNT), int)
    assert typed("2026-11-10", COLUMNS["sample"]) == date(2026, 11, 10)
    assert (xlsx_format(COUNT), xlsx_format(SHARE), xlsx_format(COLUMNS["p"])) == (
        "#,##0",
        "0.0%",
        "0.00%",
    )
    assert xlsx_format(COLUMNS["sample"]) == "yyyy-mm-dd"
    assert xlsx_format(COLUMNS["operator"]) is None


def test_headers_are_words() -> None:
    for name, column in COLUMNS.items():
        assert "_" not in column.header, name
        assert column.header[0].isupper() or column.header[0].isdigit(), name


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1.0, 2.0], "count"),
        ([1.5, 2.0], "number"),
        ([True, False], "flag"),
        (["a", "b"], "text"),
    ],
)
def test_an_unlisted_column_gets_a_header_and_a_kind(
    values: list[object], kind: str
) -> None:
    column = column_of("new_figure", pd.Series(values))
    assert (column.header, column.kind) == ("New figure", kind)


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        # trial 34: a HUF amount with fillér lost them in a report
        (Decimal("189990.50"), "HUF", "hu_HU", "189\xa0990,50\xa0Ft"),
        (189990.5, "HUF", "hu_HU", "189\xa0990,50\xa0Ft"),
        (Decimal("189990"), "HUF", "hu_HU", "189\xa0990\xa0Ft"),
        (Decimal("5.83"), "USD", "en_US", "$5.83"),
        (0.1 + 0.2, "USD", "en_US", "$0.30"),  # no float noise
        (1234567.1 + 0.2, "EUR", "de_DE", "1.234.567,30\xa0€"),
        (Decimal("1200"), "JPY", "ja_JP", "￥1,200"),
        (Decimal("0.125"), "KWD", "en_US", "KWD0.125"),  # 3 minor digits
    ],
)
def test_a_money_cell_is_shown_as_an_amount_is_everywhere(
    value: object, currency: str, locale: str, expected: str
) -> None:
    """``escalation_cost`` of ``189 990,50 Ft`` showed ``189 990 Ft``: Babel's
    ``format_currency`` rounds to CLDR's digits (none for HUF), while
    `claimflow.shown.money` (the oracle) shows every decimal an amount has."""
    column = COLUMNS["escalation_cost"]
    assert shown(value, column, locale, currency) == expected
    if isinstance(value, Decimal):
        assert expected == money(value, currency, locale)
