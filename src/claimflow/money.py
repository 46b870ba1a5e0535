"""Money and number helpers: every amount is a `Decimal`, never a float.

The named constants live here so that a rounding rule or a tolerance is
written once (beancount's ``number.py``). Keyed amounts are read by
`claimflow.numbers`, in the locale they were written in.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

ZERO = Decimal("0")
CENT = Decimal("0.01")
#: A line total may differ from quantity x unit price by at most this much.
LINE_TOLERANCE = CENT


def D(value: str | int | Decimal) -> Decimal:
    """Return `value` as a Decimal.

    Args:
        value: a string, an int or a Decimal (never a float).

    Returns:
        The Decimal.

    Example: ``D("19.99") == Decimal("19.99")``
    """
    return value if isinstance(value, Decimal) else Decimal(value)


@lru_cache(maxsize=256)
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency` (its ISO 4217 minor unit,
    `claimflow.numbers.minor_digits`): what a cost in it is rounded to.

    Example: ``minor_unit("EUR") == Decimal("0.01")``, ``minor_unit("JPY") == 1``
    """
    from claimflow.numbers import minor_digits

    return Decimal(1).scaleb(-minor_digits(currency))
