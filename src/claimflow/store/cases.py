"""The SQL of member service cases (`claimflow.accounts.cases`).

A case row holds what never changes (client, type, category, subject,
opened at and by); everything else is an event in ``case_events``, in the
order recorded: ``participant``, ``owner`` and ``level`` (the latest one
counts), ``contact`` (the first is the first response, later ones
follow-ups), ``escalated`` (to a level), ``link`` (``claim:ID``,
``participant:ID``, ``posting:ID``) and ``closed``. Both tables are
append-only (migration 26).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store

#: A case: (id, client, type, category, subject, opened at, opened by).
CaseRow = tuple[int, str, str, str, str, str, str]
#: A case event: (case id, event, value, at, actor, note).
EventRow = tuple[int, str, str | None, str, str, str | None]


def add_case(store: Store, row: Sequence[object]) -> int:
    """Append a case: (client, type, category, subject, opened at, opened by).

    Example: ``add_case(store, ("x", "complaint", "points", "late", at, "ann"))``
    """
    return int(
        store.db.execute(
            "INSERT INTO cases (client, case_type, category, subject, opened_at, "
            "opened_by) VALUES (?,?,?,?,?,?) RETURNING id",
            list(row),
        ).fetchone()[0]
    )


def add_case_events(store: Store, rows: Sequence[EventRow]) -> None:
    """Append case events (`EventRow`).

    Example: ``add_case_events(store, [(1, "contact", None, at, "ann", "called")])``
    """
    store.db.conn.executemany(
        "INSERT INTO case_events (case_id, event, value, at, actor, note) "
        "VALUES (?,?,?,?,?,?)",
        rows,
    )


def same_cases(store: Store, row: Sequence[object]) -> list[int]:
    """The cases opened with these facts: (client, type, category, subject,
    opened at), by id.

    Example: ``same_cases(store, ("x", "complaint", "points", "late", at))``
    """
    return [
        int(i)
        for (i,) in store.db.execute(
            "SELECT id FROM cases WHERE client = ? AND case_type = ? AND category = ? "
            "AND subject = ? AND opened_at = ? ORDER BY id",
            list(row),
        )
    ]


def case_rows(store: Store, client: str, case_id: int | None = None) -> list[CaseRow]:
    """A client's cases (or one) by id.

    Example: ``case_rows(store, "acme-tools", 1)``
    """
    sql = (
        "SELECT id, client, case_type, category, subject, opened_at, opened_by "
        "FROM cases WHERE client = ?"
    )
    params: list[object] = [client]
    if case_id is not None:
        sql, params = sql + " AND id = ?", [client, case_id]
    return [tuple(r) for r in store.db.execute(sql + " ORDER BY id", params)]


def case_event_rows(
    store: Store, client: str, case_id: int | None = None
) -> list[EventRow]:
    """A client's case events (or one case's), in the order recorded.

    Example: ``case_event_rows(store, "acme-tools", 1)[0][1] == "participant"``
    """
    sql = (
        "SELECT e.case_id, e.event, e.value, e.at, e.actor, e.note FROM case_events e "
        "JOIN cases c ON c.id = e.case_id WHERE c.client = ?"
    )
    params: list[object] = [client]
    if case_id is not None:
        sql, params = sql + " AND e.case_id = ?", [client, case_id]
    return [tuple(r) for r in store.db.execute(sql + " ORDER BY e.id", params)]


def open_cases_of(store: Store, client: str, participant_id: str) -> list[int]:
    """The open cases whose participant is now `participant_id`.

    Example: ``open_cases_of(store, "acme-tools", "104876")``
    """
    return [
        int(i)
        for (i,) in store.db.execute(
            "SELECT c.id FROM cases c WHERE c.client = ? AND NOT EXISTS "
            "(SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.event = 'closed') "
            "AND (SELECT e.value FROM case_events e WHERE e.case_id = c.id "
            "AND e.event = 'participant' ORDER BY e.id DESC LIMIT 1) = ? ORDER BY c.id",
            [client, participant_id],
        )
    ]


def posting_exists(store: Store, client: str, posting_id: int) -> bool:
    """Whether the client's ledger has this posting.

    Example: ``posting_exists(store, "acme-tools", 41)``
    """
    return (
        store.db.execute(
            "SELECT 1 FROM ledger WHERE client = ? AND id = ?", [client, posting_id]
        ).fetchone()
        is not None
    )
