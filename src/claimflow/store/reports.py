"""Rows the exports and reports read: claims with outcomes, ledger postings,
reasons of pended and rejected claims, entry checks and keying errors.

`claimflow.report` writes what these queries return (CSV or Excel, every
cell made safe); it computes nothing new, and neither do they. Each returns
the rows as a stream in the order written, one tuple per row with the
columns of its header (`claimflow.report.CLAIM_EXPORT_HEADER`,
`AWARD_EXPORT_HEADER`).

SQLite's own: `claim_export_rows` reads the participant's name with
``json_extract`` and lists a claim's reason codes with ``group_concat``
(the dialect layer writes ``string_agg``), each once, in the order they
were found: not ``group_concat(DISTINCT ...)``, whose order is SQLite's
scan order there and sorted on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from claimflow.store.dedupe_decisions import PROBLEM_STANDS

if TYPE_CHECKING:
    from claimflow.store import Store


def _only(
    column_of: dict[str, str], client: str | None, batch_id: int | None
) -> tuple[str, list[Any]]:
    """``WHERE`` clause and parameters for a client and a batch, each optional."""
    found = {"client": client, "batch": batch_id}
    terms = [(column_of[k], v) for k, v in found.items() if v is not None]
    if not terms:
        return "", []
    return "WHERE " + " AND ".join(c for c, _ in terms), [v for _, v in terms]


def claim_export_rows(
    store: Store, batch_id: int | None = None, client: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """Claims with outcome and reason codes, by batch then store order
    (one client's, when `client` is given).

    Returns:
        Rows (claim, the reference the participant quotes, batch, client,
        participant, participant or member name,
        received at, activity date, outcome, reason codes comma-separated
        in the order found, source).

    Example: ``next(claim_export_rows(store, batch_id=1))[0]``
    """
    where, params = _only(
        {"client": "c.client = ?", "batch": "c.batch_id = ?"}, client, batch_id
    )
    query = f"""
        SELECT c.id, json_extract(c.data, '$.claim_ref'), c.batch_id, c.client,
               c.participant_id,
               coalesce(json_extract(c.data, '$.participant_name'),
                        json_extract(c.data, '$.member_name')), c.received_at,
               c.activity_date, c.outcome,
               (SELECT group_concat(code) FROM (
                  SELECT p.code, min(p.id) AS first FROM problems p
                  WHERE p.claim_id = c.id AND {PROBLEM_STANDS}
                  GROUP BY p.code ORDER BY first) AS found),
               c.source
        FROM claims c {where} ORDER BY c.batch_id, c.rowid"""
    rows: Iterator[tuple[Any, ...]] = store.db.execute(query, params)
    return rows


def award_export_rows(
    store: Store, batch_id: int | None = None, client: str | None = None
) -> Iterator[tuple[Any, ...]]:
    """Ledger postings in the order posted (of one client and of the claims
    of one batch, if given).

    Returns:
        Rows (posting id, client, participant, claim, entry type, points,
        rule set version, posted at, available at, expires at, idempotency
        key).

    Example: ``next(award_export_rows(store))[0] == 1``
    """
    where, params = _only(
        {
            "client": "l.client = ?",
            "batch": "l.claim_id IN (SELECT id FROM claims WHERE batch_id = ?)",
        },
        client,
        batch_id,
    )
    query = f"""
        SELECT l.id, l.client, l.participant_id, l.claim_id, l.entry_type, l.points,
               l.version, l.posted_at, l.available_at, l.expires_at, l.idempotency_key
        FROM ledger l {where} ORDER BY l.id"""
    rows: Iterator[tuple[Any, ...]] = store.db.execute(query, params)
    return rows


def _window(column: str, start: str | None, end: str | None) -> tuple[str, list[str]]:
    """``AND`` clause keeping `column` (an ISO date, or text starting with
    one) from `start` up to, not including, `end`; empty without both."""
    if start is None or end is None:
        return "", []
    return f" AND substr({column}, 1, 10) >= ? AND substr({column}, 1, 10) < ?", [
        start,
        end,
    ]


def reason_rows(
    store: Store, client: str, start: str | None = None, end: str | None = None
) -> list[tuple[str, str, str]]:
    """Problems of the client's pended and rejected claims received in a window.

    Args:
        store: the store.
        client: the client key.
        start, end: ISO dates, received on or after `start` and before `end`
            (the received instant's date as stored); both or neither.

    Returns:
        Rows (claim id, reason code, outcome), one per problem.

    Example: ``reason_rows(store, "acme-tools", "2026-10-01", "2026-11-01")``
    """
    where, params = _window("c.received_at", start, end)
    rows = store.db.execute(
        "SELECT p.claim_id, p.code, c.outcome FROM problems p "
        "JOIN claims c ON c.id = p.claim_id "
        f"WHERE c.client = ? AND c.outcome IN ('pended', 'rejected') AND {PROBLEM_STANDS}"
        + where,
        [client, *params],
    ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def entry_error_rows(
    store: Store, client: str, start: str | None = None, end: str | None = None
) -> list[tuple[str, str, int | None]]:
    """Adjudicated keying errors of a client, by the day they were recorded.

    Returns:
        Rows (operator, day, points at stake or None).

    Example: ``entry_error_rows(store, "acme-tools")[0][0] == "ana"``
    """
    where, params = _window("day", start, end)
    rows = store.db.execute(
        "SELECT operator, day, points_at_stake FROM entry_errors WHERE client = ?"
        + where,
        [client, *params],
    ).fetchall()
    return [(str(o), str(d), None if p is None else int(p)) for o, d, p in rows]


def entry_check_rows(
    store: Store,
    client: str,
    start: str | None = None,
    end: str | None = None,
    by: str = "adjudicated",
) -> list[tuple[int | None, str, str, str, int, int, str | None]]:
    """QA's entry checks of a client, with the instant their batch was stored.

    Args:
        store: the store.
        client: the client key.
        start, end: ISO dates (both or neither): with ``by="adjudicated"``,
            checks whose ``day`` is on or after `start` and before `end`;
            with ``by="keyed"``, checks whose batch instant's date as
            written (else ``day``) is in that range: the caller widens it
            by a day each side and keeps the local dates it wants, as the
            instant is in UTC (see `claimflow.sla.quality.entry_checks`).
        by: ``adjudicated`` or ``keyed``.

    Returns:
        Rows (batch id or None, operator, field, day, checked, errors, the
        batch's processed or started instant or None: no such batch).

    Example: ``entry_check_rows(store, "acme-tools", "2026-11-01", "2026-12-01")``
    """
    column = (
        "coalesce(b.processed_at, b.started_at, e.day)" if by == "keyed" else "e.day"
    )
    where, params = _window(column, start, end)
    rows = store.db.execute(
        "SELECT e.batch_id, e.operator, e.field, e.day, e.checked, e.errors, "
        "coalesce(b.processed_at, b.started_at) FROM entry_checks e "
        "LEFT JOIN batches b ON b.id = e.batch_id AND b.client = e.client "
        "WHERE e.client = ?" + where,
        [client, *params],
    ).fetchall()
    return [
        (None if b is None else int(b), str(o), str(f), str(d), int(c), int(e), k)
        for b, o, f, d, c, e, k in rows
    ]


def reason_month_rows(
    store: Store, client: str, start: str, end: str
) -> list[tuple[str, str, str]]:
    """Reason codes of the client's pended and rejected claims, with the month
    each claim was received (as stored), received from `start` to before `end`.

    Returns:
        Rows (claim id, reason code, ``YYYY-MM``), one per problem.

    Example: ``reason_month_rows(store, "acme-tools", "2026-05-01", "2026-11-01")``
    """
    where, params = _window("c.received_at", start, end)
    rows = store.db.execute(
        "SELECT p.claim_id, p.code, substr(c.received_at, 1, 7) FROM problems p "
        "JOIN claims c ON c.id = p.claim_id "
        f"WHERE c.client = ? AND c.outcome IN ('pended', 'rejected') AND {PROBLEM_STANDS}"
        + where,
        [client, *params],
    ).fetchall()
    return [(str(a), str(b), str(m)) for a, b, m in rows]
