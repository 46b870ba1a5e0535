"""Money and number helpers: every amount is a `Decimal`, never a float.

The named constants live here so that a rounding rule or a tolerance is
written once (beancount's ``number.py``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

ZERO = Decimal("0")
CENT = Decimal("0.01")
#: A line total may differ from quantity x unit price by at most this much.
LINE_TOLERANCE = CENT

_STRIP = re.compile(r"[\s$€£¥]|USD|EUR|IDR|GBP|Rp", re.IGNORECASE)


def D(value: str | int | Decimal) -> Decimal:
    """Return `value` as a Decimal.

    Args:
        value: a string, an int or a Decimal (never a float).

    Returns:
        The Decimal.

    Example: ``D("19.99") == Decimal("19.99")``
    """
    return value if isinstance(value, Decimal) else Decimal(value)


@lru_cache(maxsize=65536)
def parse_amount(text: str, decimal_comma: bool = False) -> Decimal | None:
    """Parse a keyed amount such as ``$1,299.00`` or ``1.299,00 €``.

    Args:
        text: the amount as keyed.
        decimal_comma: True where the client's locale writes ``1.299,50``.

    Returns:
        The Decimal, or None when the text is not an amount.

    Example: ``parse_amount("1.299,50", decimal_comma=True) == D("1299.50")``
    """
    cleaned = _STRIP.sub("", text)
    if not cleaned:
        return None
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = "-" + cleaned[1:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
