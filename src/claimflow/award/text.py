"""The words of award lines, in one place: the engine and the set-based
path (`claimflow.award.sets`) write the same explanation for the same step.

Figures are written in the client's locale (`claimflow.shown.number`:
``1.025`` in es_ES, ``1,025`` in en_US), as the rest of ``award explain``
is: a line is read aloud to a participant. Amounts of money are written as
money (`claimflow.shown.money`): with their currency and its decimals,
``$ 4.938,00`` in es_AR, never ``4.938`` (a number's significant digits
only, which read as four thousand and dropped the cents of ``1,234.50``).

Example: ``per_unit_note("3 x DRL-200", Decimal(25)) == "3 x DRL-200 at 25 points each"``
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from claimflow.shown import money, number, points_word

if TYPE_CHECKING:
    from claimflow.award.rules import PerCurrency, Promotion

#: The locale of a note written for no client in particular.
PLAIN = "en_US"


def units_label(quantity: int, sku: str | None, locale: str = PLAIN) -> str:
    """A claim line as its award lines name it: ``1.000 x DRL-200``."""
    return f"{number(quantity, locale)} x {sku}"


def per_unit_note(label: str, points: Decimal, locale: str = PLAIN) -> str:
    """A per-unit line: ``3 x DRL-200 at 25 points each``."""
    return f"{label} at {number(points, locale)} {points_word(points)} each"


def per_claim_note(points: Decimal, locale: str = PLAIN) -> str:
    """A per-claim line: ``50 points per claim``."""
    return f"{number(points, locale)} {points_word(points)} per claim"


def per_currency_points(
    rule: PerCurrency, base: Decimal, locale: str = PLAIN, currency: str = "USD"
) -> tuple[Decimal, str]:
    """Exact points of an amount under a per-currency rule, and how, in words;
    the amounts are money in `currency` (the award's).

    Example: ``per_currency_points(rule, Decimal("199.99"))[1] ==
    "$199.99 x 1.25 per $1.00"``
    """
    points, per = number(rule.points, locale), money(rule.per, currency, locale)
    if rule.basis == "bracket":
        counted = (base / rule.per).to_integral_value(rounding=ROUND_DOWN)
        return (
            counted * rule.points,
            f"{number(counted, locale)} whole brackets of {per} at {points}",
        )
    amount = money(base, currency, locale)
    return base * rule.points / rule.per, f"{amount} x {points} per {per}"


def promotion_note(
    promo: Promotion, scoped: Decimal, desired: Decimal, locale: str = PLAIN
) -> str:
    """A promotion line: a multiplier on the points in scope, or a bonus."""
    if promo.multiplier is not None:
        return (
            f"promotion {promo.id}: x{number(promo.multiplier, locale)} on "
            f"{number(scoped, locale)} points"
        )
    return f"promotion {promo.id}: {number(desired, locale)} bonus points"


def rounding_note(total: Decimal, rounded: int, mode: str, locale: str = PLAIN) -> str:
    """The line that rounds a claim's exact points once."""
    return (
        f"rounding {number(total, locale)} to {number(rounded, locale)} "
        f"({mode}, per claim)"
    )


def below_minimum_note(
    spend: Decimal, quantity: int, locale: str = PLAIN, currency: str = "USD"
) -> str:
    """The zero line of a claim below its rule set's minimum (the spend is
    money in `currency`, the award's)."""
    return (
        f"below the minimum (spend {money(spend, currency, locale)}, "
        f"quantity {number(quantity, locale)})"
    )


def cap_note(what: str, desired: int, awarded: int, locale: str = PLAIN) -> str:
    """A cap's cut: ``cap of 5,000 per quarter (2026-Q4, 4,900 already
    awarded): 300 desired, 100 awarded``."""
    return f"{what}: {number(desired, locale)} desired, {number(awarded, locale)} awarded"
