"""Cross-references inside a client file, checked when it is loaded.

A key can be valid on its own and still point at nothing: a SKU in
``award.products`` or in a rule's scope that ``eligible_skus`` does not list
is a typo that would earn 0 points with no word. These checks refuse the
file instead, naming the key path and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.award.rules import AwardSettings, Scope


def _scope_skus(scope: Scope | None, path: str) -> Iterator[tuple[str, str]]:
    while scope is not None:
        for n, sku in enumerate(scope.skus):
            yield f"{path}.skus[{n}]", sku
        scope, path = scope.exclude, f"{path}.exclude"


def ineligible_skus(award: AwardSettings, eligible: list[str]) -> list[str]:
    """Each SKU the award section names that `eligible` does not list.

    Returns:
        One line per SKU: ``award.products: 'DRL-20O' is not in
        eligible_skus (...)``, with its key path.

    Example: ``ineligible_skus(settings, ["DRL-200"])`` is ``[]`` when all match
    """
    known = {sku.upper() for sku in eligible}
    listed = ", ".join(sorted(eligible))
    named = [(f"award.products.{sku}", sku) for sku in award.products]
    for n, rule_set in enumerate(award.rule_sets):
        for m, rule in enumerate(rule_set.rules):
            path = f"award.rule_sets[{n}].rules[{m}].scope"
            named += _scope_skus(getattr(rule, "scope", None), path)
    return [
        f"{path}: {sku!r} is not in eligible_skus ({listed}); a misspelt SKU "
        "would earn nothing"
        for path, sku in named
        if sku.upper() not in known
    ]
