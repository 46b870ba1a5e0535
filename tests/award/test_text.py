"""Award lines write money as money (`claimflow.award.text`).

``award explain`` wrote a line's amount with `claimflow.shown.number`, its
significant digits only: ``1,234.5`` for $1,234.50 in en_US, and, for the
Argentine dealer program (es_AR, ARS), ``2 x FIL-01: 4.938 x 1 per 1.000``
for $ 4.938,00, which reads as four thousand nine hundred and thirty-eight
with no cents. An amount keeps its currency's decimals, in the client's
locale; Babel's `format_currency` is the oracle.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency, format_decimal

from claimflow.award.rules import PerCurrency
from claimflow.award.text import (
    below_minimum_note,
    per_claim_note,
    per_currency_points,
    per_unit_note,
)
from tests.test_cli import run

CASES = [
    # amount, currency, locale
    ("1234.5", "USD", "en_US"),
    ("1234.50", "USD", "en_US"),
    ("4938.00", "ARS", "es_AR"),
    ("4938", "ARS", "es_AR"),
    ("1234.5", "EUR", "de_DE"),
    ("159800", "JPY", "ja_JP"),
    ("12.5", "KWD", "ar_KW"),
]


def babel(value: str | int, currency: str, locale: str) -> str:
    return str(format_currency(Decimal(value), currency, locale=locale))


@pytest.mark.parametrize(("amount", "currency", "locale"), CASES)
def test_a_pro_rata_line_writes_its_amount_as_money(
    amount: str, currency: str, locale: str
) -> None:
    rule = PerCurrency(id="r", points=Decimal(1), per=Decimal(1000), basis="pro_rata")
    points, how = per_currency_points(rule, Decimal(amount), locale, currency)
    assert points == Decimal(amount) / 1000
    per = babel(1000, currency, locale)
    assert how == f"{babel(amount, currency, locale)} x 1 per {per}"


def test_the_trial_figures() -> None:
    """Spelled out: the cents are written, in the locale's marks."""
    rule = PerCurrency(id="r", points=Decimal(1), per=Decimal(1000), basis="pro_rata")
    assert per_currency_points(rule, Decimal("1234.5"), "en_US", "USD")[1] == (
        "$1,234.50 x 1 per $1,000.00"
    )
    assert "4.938,00" in per_currency_points(rule, Decimal("4938.00"), "es_AR", "ARS")[1]


@pytest.mark.parametrize(("amount", "currency", "locale"), CASES)
def test_a_bracket_and_a_minimum_write_money(amount: str, currency: str, locale: str) -> None:
    rule = PerCurrency(id="r", points=Decimal(25), per=Decimal(10), basis="bracket")
    counted = int(Decimal(amount) // 10)
    points, how = per_currency_points(rule, Decimal(amount), locale, currency)
    assert points == counted * 25
    assert how == (
        f"{format_decimal(counted, locale=locale)} whole brackets of "
        f"{babel(10, currency, locale)} at 25"
    )
    note = below_minimum_note(Decimal(amount), 2, locale, currency)
    assert note == f"below the minimum (spend {babel(amount, currency, locale)}, quantity 2)"


def test_award_explain_in_es_ar(write: Callable[..., Path], tmp_path: Path) -> None:
    """The trial's claim PA-601, paid on its invoice of $ 4.938,00."""
    from tests.verify.test_again import OWN, PA601, Desk

    desk = Desk(write, tmp_path)
    desk.ingest("uno.csv", PA601, "2026-11-24T12:00")
    desk.source("ventas.csv", OWN, "2026-11-25T12:00")
    desk("award", "--at", "2026-11-25T13:00", ok=(0,))
    code, out, _ = run("award", "explain", "PA-601", "--db", desk.db,
                       "--client", desk.client)  # fmt: skip
    assert code == 0, out
    # before: "2 x FIL-01: 4.938 x 1 per 1.000"
    amount, per = babel("4938.00", "ARS", "es_AR"), babel(1000, "ARS", "es_AR")
    assert f"  1. ventas: 2 x FIL-01: {amount} x 1 per {per} -> +4 points" in out


def test_explain_counts_one_point() -> None:
    """An award of 1 point read "Claim X: 1 points ... Total: 1 points."."""
    from datetime import date

    from claimflow.award.run import explain
    from claimflow.models import Award, AwardLine

    line = AwardLine(rule_id="r", kind="per_claim", version="1", desired=Decimal(1),
                     points=1, note=per_claim_note(Decimal(1)))  # fmt: skip
    award = Award(claim_id="c1", participant_id="p1", client="x", version="1",
                  activity_date=date(2026, 11, 23), currency="ARS", lines=[line],
                  points=1, desired_points=1)  # fmt: skip
    text = explain(award, "es_AR", "PA-1 (a.csv:row 2)")
    assert text.splitlines()[0].startswith("Claim PA-1 (a.csv:row 2): 1 point under")
    assert text.splitlines()[-1] == "  Total: 1 point."
    assert "  1. r: 1 point per claim -> +1 point" in text
    assert per_unit_note("1 x FIL-01", Decimal(1)) == "1 x FIL-01 at 1 point each"
