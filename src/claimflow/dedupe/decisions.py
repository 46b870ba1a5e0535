"""Reviewers' same/different decisions on candidate pairs: the latest one counts."""

from __future__ import annotations

from typing import Any


def latest_decisions(
    conn: Any, kind: str, about: str | None = None
) -> dict[tuple[str, str], str]:
    """The latest decision per pair (ids sorted) of `kind`, optionally about one id.

    Example: ``latest_decisions(store.db.conn, "claim")[("c1", "c2")] == "different"``
    """
    sql = "SELECT a, b, decision FROM dedupe_decisions WHERE kind = ?"
    params: list[object] = [kind]
    if about is not None:
        sql += " AND (a = ? OR b = ?)"
        params += [about, about]
    latest: dict[tuple[str, str], str] = {}
    for a, b, decision in conn.execute(sql + " ORDER BY id", params):
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
