"""The words of award lines, in one place: the engine and the set-based
path (`claimflow.award.sets`) write the same explanation for the same step.

Example: ``per_unit_note("3 x DRL-200", Decimal(25)) == "3 x DRL-200 at 25 points each"``
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.award.rules import PerCurrency, Promotion


def per_unit_note(label: str, points: Decimal) -> str:
    """A per-unit line: ``3 x DRL-200 at 25 points each``."""
    return f"{label} at {points} points each"


def per_claim_note(points: Decimal) -> str:
    """A per-claim line: ``50 points per claim``."""
    return f"{points} points per claim"


def per_currency_points(rule: PerCurrency, base: Decimal) -> tuple[Decimal, str]:
    """Exact points of an amount under a per-currency rule, and how, in words.

    Example: ``per_currency_points(rule, Decimal("199.99"))[1] ==
    "199.99 x 1.25 per 1"``
    """
    if rule.basis == "bracket":
        counted = (base / rule.per).to_integral_value(rounding=ROUND_DOWN)
        return (
            counted * rule.points,
            f"{counted} whole brackets of {rule.per} at {rule.points}",
        )
    return base * rule.points / rule.per, f"{base} x {rule.points} per {rule.per}"


def promotion_note(promo: Promotion, scoped: Decimal, desired: Decimal) -> str:
    """A promotion line: a multiplier on the points in scope, or a bonus."""
    if promo.multiplier is not None:
        return f"promotion {promo.id}: x{promo.multiplier} on {scoped} points"
    return f"promotion {promo.id}: {desired} bonus points"


def rounding_note(total: Decimal, rounded: int, mode: str) -> str:
    """The line that rounds a claim's exact points once."""
    return f"rounding {total} to {rounded} ({mode}, per claim)"


def below_minimum_note(spend: Decimal, quantity: int) -> str:
    """The zero line of a claim below its rule set's minimum."""
    return f"below the minimum (spend {spend}, quantity {quantity})"


def cap_note(what: str, desired: int, awarded: int) -> str:
    """A cap's cut: ``cap of 5000 per quarter (2026-Q4, 4900 already
    awarded): 300 desired, 100 awarded``."""
    return f"{what}: {desired} desired, {awarded} awarded"
