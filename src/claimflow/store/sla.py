"""The event pivot SLA figures are derived from, in SQL (one row per claim).

Inputs: a store and a client key. Outputs: plain rows, no pandas; the
business-time arithmetic happens in `claimflow.sla.facts`.

Instants are compared as integer microseconds since 1970 (UTC) because
stored instants carry different offsets (the client's local time, across
daylight-saving changes): their text does not sort in time order.
"""

from __future__ import annotations

from typing import Any

# The instant as integer microseconds since 1970 (UTC). ``unixepoch`` applies
# the offset but rounds the fraction to milliseconds (``59.9997`` becomes the
# next second): that is undone by the seconds as written, and the fraction
# is added as written. Python's six-digit fractions take the short path.
_OFFSET = (
    "CASE WHEN substr({at}, -1) = 'Z' THEN 'Z' "
    "WHEN length({at}) > 19 AND substr({at}, -6, 1) IN ('+', '-') "
    "THEN substr({at}, -6) ELSE '' END"
)
_SECONDS = (
    "(unixepoch({at}) - (unixepoch({at}) % 60 + 60 "
    "- CAST(substr({at}, 18, 2) AS INTEGER)) % 60)"
)
_FRACTION = (
    "CASE WHEN substr({at}, 20, 1) <> '.' THEN 0 "
    "WHEN substr({at}, 21, 7) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]' "
    "OR substr({at}, 21, 7) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][^0-9]*' "
    "THEN CAST(substr({at}, 21, 6) AS INTEGER) "
    "ELSE CAST(substr(substr({at}, 21, length({at}) - 20 - length("
    + _OFFSET
    + ")) || '000000', 1, 6) AS INTEGER) END"
)
_KEY = _SECONDS + " * 1000000 + " + _FRACTION

# Every event of the client's claims with its place in recorded order
# (part, n): as `Store.claim_events` lists them, then decided duplicates.
_EVENTS = """
SELECT c.id AS claim_id, c.batch_id, 'received' AS event, c.received_at AS at,
       b.operator, 0 AS part, c.rowid AS n
FROM claims c CROSS JOIN batches b
WHERE b.id = c.batch_id AND c.client = :client AND b.processed_at IS NOT NULL
UNION ALL
SELECT c.id, c.batch_id, 'first_response', b.processed_at, b.operator, 1, c.rowid
FROM claims c CROSS JOIN batches b
WHERE b.id = c.batch_id AND c.client = :client AND b.processed_at IS NOT NULL
UNION ALL
SELECT claim_id, batch_id, event, at, operator, 2, id
FROM claim_events WHERE client = :client
UNION ALL
SELECT o.claim_id, c.batch_id, 'decided', min(o.decided_at), o.stage, 3, 0
FROM outcomes o CROSS JOIN claims c
WHERE o.stage IN ('dedupe', 'dedupe review') AND o.outcome = 'duplicate'
  AND c.id = o.claim_id AND c.client = :client AND c.outcome = 'duplicate'
GROUP BY o.claim_id
"""

_ORDER = "printf('%d%019d', part, n)"

PIVOT_SQL = f"""
SELECT claim_id,
  min(CASE WHEN event = 'received' THEN k END),
  min(CASE WHEN event = 'first_response' THEN k END),
  min(CASE WHEN event = 'decided' THEN k END),
  min(CASE WHEN event = 'escalated' THEN k END),
  substr(min(CASE WHEN event = 'first_response' AND batch_id IS NOT NULL
             THEN {_ORDER} || batch_id END), 21),
  substr(min(CASE WHEN event = 'first_response' AND operator IS NOT NULL
             THEN {_ORDER} || operator END), 21)
FROM (SELECT claim_id, batch_id, event, {_KEY.format(at="at")} AS k, operator,
             part, n FROM ({_EVENTS}))
GROUP BY claim_id
ORDER BY claim_id
"""

PAUSES_SQL = f"""
SELECT claim_id, event, {_KEY.format(at="at")} AS k
FROM ({_EVENTS})
WHERE event IN ('pended', 'resubmitted', 'decided')
  AND claim_id IN (SELECT claim_id FROM claim_events
                   WHERE client = :client AND event = 'pended')
ORDER BY claim_id, k, part, n
"""

_ANY_PENDED_SQL = """
SELECT EXISTS (SELECT 1 FROM claim_events WHERE client = :client AND event = 'pended')
"""

_NULL_BATCH_SQL = """
SELECT EXISTS (SELECT 1 FROM claim_events
               WHERE client = :client AND batch_id IS NULL)
"""


def sla_pivot(store: Any, client: str) -> list[tuple[Any, ...]]:
    """One row per claim of `client` with any event, in claim id order.

    Returns:
        Rows (claim id, received, first response, decided, escalated: the
        earliest of each in microseconds since 1970, UTC, or None; then
        the batch id and operator of the first first-response event that
        has one, as text).

    Example: ``sla_pivot(store, "acme-tools")[0][0]``
    """
    rows: list[tuple[Any, ...]] = store.db.execute(
        PIVOT_SQL, {"client": client}
    ).fetchall()
    return rows


def sla_pauses(store: Any, client: str) -> list[tuple[str, str, int]]:
    """The pended, resubmitted and decided events of the claims ever pended.

    Returns:
        Rows (claim id, event, microseconds since 1970), in time order per claim (ties in
        the order recorded).

    Example: ``sla_pauses(store, "acme-tools")[:1]``
    """
    params = {"client": client}
    if not store.db.execute(_ANY_PENDED_SQL, params).fetchone()[0]:
        return []  # nothing to pair: not worth reading every event again
    rows: list[tuple[str, str, int]] = store.db.execute(PAUSES_SQL, params).fetchall()
    return rows


def events_lack_batch(store: Any, client: str) -> bool:
    """Whether any stored event of `client` has no batch id."""
    return bool(store.db.execute(_NULL_BATCH_SQL, {"client": client}).fetchone()[0])
