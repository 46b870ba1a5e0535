"""What a redemption is checked against before it spends: whole points a
ledger can hold, and an order reference used once per client.

`not_whole_points` says why a value is no number of points to post (redeem,
adjust and transfer refuse with it); `reference_key` is how references
compare (case and punctuation ignored); `earlier_redemption` finds the
client's redemption under a reference, and `differences` says how a request
under a used reference differs from the one that used it: none, and it is a
retry of what was done (a no-op that says so, as a partner transfer's is);
some, and it is refused naming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from claimflow.store.ledger import redemptions_like

if TYPE_CHECKING:
    from claimflow.store import Store


def not_whole_points(value: object) -> str | None:
    """Why `value` is no number of points to post, or None: points are
    whole numbers (a library caller's 10.5, True or "10" is refused; the
    CLI reads whole numbers only), and no more than a ledger holds.

    Example: ``not_whole_points(10.5) == "expected a whole number of points, found 10.5"``
    """
    if value.__class__ is not int:
        return f"expected a whole number of points, found {value!r}"
    if abs(value) > MAX_POINTS:
        return f"expected at most {MAX_POINTS:,} points, found {value:,}"
    return None


#: More points than any posting holds (PostgreSQL's bigint holds 9.2e18).
MAX_POINTS = 10**15


def reference_key(text: str) -> str:
    """An order reference as compared everywhere: case and punctuation ignored
    (``ORDER-77``, ``order 77`` and ``order77`` are one order).

    Example: ``reference_key("RES-777") == reference_key("res777") == "res777"``
    """
    return re.sub(r"[\W_]+", "", text.casefold())


def earlier_redemption(
    store: Store, client: str, reference: str
) -> tuple[str, int, str, str] | None:
    """The client's redemption with the same reference (`reference_key`), if any:
    (participant, points, posted at, reference as written).

    Example: ``earlier_redemption(store, "acme-tools", "order 77")``
    """
    key = reference_key(reference)
    for row in redemptions_like(store, client, reference_pattern(key)):
        if reference_key(row[3]) == key:
            return row
    return None


def reference_pattern(key: str) -> str:
    """The SQL ``LIKE`` pattern that narrows stored references to those that
    may have `key` (`reference_key`): its letters in order, any marks
    between; a non-ASCII letter may fold differently in the database, so
    then every reference is a candidate.

    Example: ``reference_pattern("tck0101") == "%t%c%k%0%1%0%1%"``
    """
    pattern = "%" + "%".join(key) + "%" if key.isascii() else "%"
    return pattern.replace("%%", "%")


def differences(fields: Iterable[tuple[str, str, str]]) -> str:
    """How a request differs from the earlier one under its reference, from
    (field, asked, earlier) as shown: empty when it is the same request.

    Example: ``differences([("points", "10", "100"), ("participant", "R1", "R1")])
    == "points 10, not 100"``
    """
    return "; ".join(
        f"{name} {asked}, not {earlier}"
        for name, asked, earlier in fields
        if asked != earlier
    )
