"""The SLA selections: rows in chunks, events of many claims, the event flags."""

from __future__ import annotations

from claimflow import Store
from claimflow.store.sla import (
    sla_claim_events,
    sla_event_flags,
    sla_firsts,
)


def _store(events: list[tuple[object, ...]]) -> Store:
    store = Store.open(":memory:")
    with store.transaction():
        store.add_events([("acme-tools", *event) for event in events])
    return store


def test_firsts_come_in_chunks_in_claim_order_with_their_counts() -> None:
    store = _store(
        [
            ("C2", 1, "received", "2026-03-06T12:00:00-06:00", "ana"),
            ("C1", None, "first_response", "2026-03-06T13:00:00Z", "ben"),
            ("C1", 2, "received", "2026-03-06T11:00:00Z", "ana"),
            ("C1", 1, "received", "2026-03-06T10:00:00-06:00", "ana"),
            ("C3", 1, "pended", "2026-03-06T10:00:00Z", "ana"),
        ]
    )
    chunks = list(sla_firsts(store, "acme-tools", chunk=1))
    assert chunks == [
        [
            (
                "C1",
                "2026-03-06T10:00:00-06:00",  # least text, not the earliest
                "2026-03-06T13:00:00Z",
                None,
                None,
                None,
                "ben",
                3,  # two received: the count says the text will not do
            )
        ],
        [("C2", "2026-03-06T12:00:00-06:00", None, None, None, None, None, 1)],
    ]
    assert sla_event_flags(store, "acme-tools") == (True, True)
    assert sla_event_flags(store, "other") == (False, False)


def test_events_of_more_claims_than_one_statement_takes() -> None:
    ids = [f"C{i:04d}" for i in range(1_203)]
    store = _store([(cid, 1, "received", "2026-03-06T12:00:00Z", "ana") for cid in ids])
    rows = sla_claim_events(store, "acme-tools", ids[::-1])
    assert sorted(row[0] for row in rows) == ids
