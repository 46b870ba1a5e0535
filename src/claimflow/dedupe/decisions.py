"""Reviewers' same/different decisions on candidate pairs: the latest one counts.

The marks are read through `claimflow.store.dedupe_decisions`.
"""

from __future__ import annotations

from typing import Any


def latest_decisions(
    conn: Any, kind: str, about: str | None = None
) -> dict[tuple[str, str], str]:
    """The latest decision per pair (ids sorted) of `kind`, optionally about one id.

    Example: ``latest_decisions(store.db.conn, "claim")[("c1", "c2")] == "different"``
    """
    # Imported here: the store imports this module (through
    # `claimflow.dedupe.claims`) as it loads.
    from claimflow.store.dedupe_decisions import decision_rows

    latest: dict[tuple[str, str], str] = {}
    for a, b, decision in decision_rows(conn, kind, about):
        first, second = sorted((a, b))
        latest[(first, second)] = decision
    return latest


def different_pairs(conn: Any, kind: str) -> set[tuple[str, str]]:
    """Pairs of `kind` whose latest decision is *different*: never flagged again."""
    return {
        pair
        for pair, decision in latest_decisions(conn, kind).items()
        if decision == "different"
    }
