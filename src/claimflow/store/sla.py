"""The events SLA figures are derived from, in SQL (one row per claim).

Inputs: a store and a client key. Outputs: plain rows, no pandas; the
parsing and business-time arithmetic happen in `claimflow.sla.facts`.

The pivot (`sla_firsts`) returns instants as written and a count that says
when their text order can be trusted (one event of a kind); converting
every event's instant in SQL cost more than everything else together. The
pauses are ordered in SQL, so there instants are compared as integer
microseconds since 1970 (UTC): stored instants carry different offsets
(the client's local time, across daylight-saving changes), and their text
does not sort in time order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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
SELECT claim_id, batch_id, 'decided', decided_at, stage, 3, 0 FROM (
  SELECT o.claim_id, c.batch_id, o.decided_at, o.stage,
         row_number() OVER (PARTITION BY o.claim_id ORDER BY o.decided_at, o.id) AS first
  FROM outcomes o CROSS JOIN claims c
  WHERE o.stage IN ('dedupe', 'dedupe review') AND o.outcome = 'duplicate'
    AND c.id = o.claim_id AND c.client = :client AND c.outcome = 'duplicate'
) AS duplicates WHERE first = 1
"""

# The earliest of each kind of stored event per claim, as written: portable
# SQL, no conversion per event (that cost more than the rest of the figures
# together). Text order is time order only among one event, so the count
# tells `claimflow.sla.facts` which claims hold repeats and need a closer look.
_FIRSTS_SQL = """
SELECT claim_id,
  min(at) FILTER (WHERE event = 'received'),
  min(at) FILTER (WHERE event = 'first_response'),
  min(at) FILTER (WHERE event = 'decided'),
  min(at) FILTER (WHERE event = 'escalated'),
  min(batch_id) FILTER (WHERE event = 'first_response'),
  min(operator) FILTER (WHERE event = 'first_response'),
  count(*)
FROM claim_events
WHERE client = :client
  AND event IN ('received', 'first_response', 'decided', 'escalated')
GROUP BY claim_id
ORDER BY claim_id
"""

_INGESTED_SQL = """
SELECT c.id, c.received_at, b.processed_at, c.batch_id, b.operator
FROM claims c CROSS JOIN batches b
WHERE b.id = c.batch_id AND c.client = :client AND b.processed_at IS NOT NULL
ORDER BY c.id
"""

# A duplicate found after ingest is decided when its outcome was recorded.
# ``dedupe claims`` records a decided event now; stores it ran on before, and
# ``dedupe apply``, hold only the outcome row: the decision is derived from it
# (a recorded event at the same time or earlier wins: the first one counts).
_DUPLICATES_DECIDED_SQL = """
SELECT claim_id, batch_id, 'decided', decided_at, stage FROM (
  SELECT o.claim_id, c.batch_id, o.decided_at, o.stage,
         row_number() OVER (PARTITION BY o.claim_id ORDER BY o.decided_at, o.id) AS n
  FROM outcomes o CROSS JOIN claims c
  WHERE o.stage IN ('dedupe', 'dedupe review') AND o.outcome = 'duplicate'
    AND c.id = o.claim_id AND c.client = :client AND c.outcome = 'duplicate'
) AS firsts WHERE n = 1
ORDER BY claim_id
"""

_CLAIM_EVENTS_SQL = """
SELECT claim_id, batch_id, event, at, operator, id
FROM claim_events
WHERE client = ? AND claim_id IN ({marks})
  AND event IN ('received', 'first_response', 'decided', 'escalated')
ORDER BY id
"""
_CHUNK = 500  # ids per statement: under every engine's parameter limit

# A claim pended on its participant that a later stage moves to an outcome
# the desk owes (``review``: a person must decide; ``accepted``: it is the
# desk's to award) no longer waits on the participant: the move resumes the
# clock, at its time (trial 35: ``dedupe claims`` sent a pended claim to
# review, and it stayed "waiting on participant", its clock paused). A move
# back to ``pended`` (a review that found it not a duplicate) pauses it again.
# Only claims with a stored ``pended`` event (their pauses are the ones
# paired), and not ingest's own outcome (``validate``: its ``pended`` event
# stands for it, and it is stamped when the batch was written, not --at),
# nor a move of verification's to ``pended``: it stores a ``pended`` event
# when the claim waits on its participant (a discrepancy its client pends,
# `claimflow.verify.run.waits_on_participant`), and none while the claim
# awaits source data, which is no wait on the participant.
_PAUSE_MOVES = """
SELECT o.claim_id, c.batch_id,
       CASE o.outcome WHEN 'pended' THEN 'pended' ELSE 'resumed' END AS event,
       o.decided_at AS at, o.stage AS operator, 4 AS part, o.id AS n
FROM outcomes o CROSS JOIN claims c
WHERE o.outcome IN ('pended', 'review', 'accepted') AND o.stage <> 'validate'
  AND NOT (o.stage = 'verify' AND o.outcome = 'pended')
  AND c.id = o.claim_id AND c.client = :client
  AND o.claim_id IN (SELECT claim_id FROM claim_events
                     WHERE client = :client AND event = 'pended')
"""

PAUSES_SQL = f"""
SELECT claim_id, event, {_KEY.format(at="at")} AS k
FROM ({_EVENTS} UNION ALL {_PAUSE_MOVES}) AS events
WHERE event IN ('pended', 'resubmitted', 'decided', 'resumed')
  AND claim_id IN (SELECT claim_id FROM claim_events
                   WHERE client = :client AND event = 'pended')
ORDER BY claim_id, k, part, n
"""

# Both in one pass: each alone reads every event of the client when none
# is found (the usual answer).
_FLAGS_SQL = """
SELECT count(*) FILTER (WHERE batch_id IS NULL),
       count(*) FILTER (WHERE event = 'pended')
FROM claim_events
WHERE client = :client AND (batch_id IS NULL OR event = 'pended')
"""


def sla_firsts(
    store: Any, client: str, chunk: int = 100_000
) -> Iterator[list[tuple[Any, ...]]]:
    """One row per claim with a stored received, first response, decision or
    escalation event, in claim id order, `chunk` rows at a time (a million
    rows of text at once would hold most of the memory the figures may use).

    Yields:
        Lists of rows (claim id; the least received, first response, decided
        and escalated instant as written, or None; the least batch id and
        operator of its first-response events; how many of the four kinds of
        event it has). The least text is the earliest instant only when the
        claim has one event of that kind: the count says whether it has.

    Example: ``next(sla_firsts(store, "acme-tools"))[0][0]``
    """
    cursor = store.db.execute(_FIRSTS_SQL, {"client": client})
    while rows := cursor.fetchmany(chunk):
        yield rows


def sla_ingested(store: Any, client: str) -> list[tuple[Any, ...]]:
    """The received and first-response events an ingest implies, one row per claim.

    Returns:
        Rows (claim id, received at, batch processed at, batch id, batch
        operator) of the claims of processed batches.

    Example: ``sla_ingested(store, "acme-tools")[:1]``
    """
    rows: list[tuple[Any, ...]] = store.db.execute(
        _INGESTED_SQL, {"client": client}
    ).fetchall()
    return rows


def duplicates_decided(store: Any, client: str) -> list[tuple[Any, ...]]:
    """Duplicates decided by their dedupe outcome, as ``decided`` events.

    Returns:
        Rows (claim id, batch id, ``decided``, the least decided-at text,
        the stage), one per duplicate claim with such an outcome.

    Example: ``duplicates_decided(store, "acme-tools")[:1]``
    """
    rows: list[tuple[Any, ...]] = store.db.execute(
        _DUPLICATES_DECIDED_SQL, {"client": client}
    ).fetchall()
    return rows


def sla_claim_events(
    store: Any, client: str, claim_ids: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The stored received, first response, decided and escalated events of
    some claims.

    Returns:
        Rows (claim id, batch id, event, at, operator, event id), in
        recorded order within each chunk of claims.

    Example: ``sla_claim_events(store, "acme-tools", ["H0000001"])``
    """
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(claim_ids), _CHUNK):
        chunk = list(claim_ids[start : start + _CHUNK])
        marks = ", ".join("?" * len(chunk))
        rows += store.db.execute(
            _CLAIM_EVENTS_SQL.format(marks=marks), [client, *chunk]
        ).fetchall()
    return rows


def claim_arrival(store: Any, claim_id: str) -> tuple[str, int, str]:
    """The client, batch id and received-at text of a stored claim.

    Example: ``claim_arrival(store, "c-1")[0]``
    """
    client, batch_id, received = store.db.execute(
        "SELECT client, batch_id, received_at FROM claims WHERE id = ?", [claim_id]
    ).fetchone()
    return str(client), int(batch_id), str(received)


def sla_pauses(store: Any, client: str) -> list[tuple[str, str, int]]:
    """The pended, resubmitted and decided events of the claims ever pended,
    with the outcome moves that pause or resume them (`pause_moves`).

    Returns:
        Rows (claim id, event, microseconds since 1970), in time order per
        claim (ties in the order recorded).

    Example: ``sla_pauses(store, "acme-tools")[:1]``
    """
    rows: list[tuple[str, str, int]] = store.db.execute(
        PAUSES_SQL, {"client": client}
    ).fetchall()
    return rows


def pause_moves(store: Any, client: str) -> list[tuple[Any, ...]]:
    """The outcome moves that pause or resume a pended claim's clock, as events.

    Returns:
        Rows (claim id, batch id, ``pended`` or ``resumed``, decided-at text,
        stage) of the claims with a stored ``pended`` event: each move to
        ``pended`` (pauses), or to ``review`` or ``accepted`` (resumes: the
        desk owes the next step), in the order recorded.

    Example: ``pause_moves(store, "nordkok")[:1]``
    """
    rows: list[tuple[Any, ...]] = store.db.execute(
        f"SELECT claim_id, batch_id, event, at, operator FROM ({_PAUSE_MOVES}) "
        "AS moves ORDER BY n",
        {"client": client},
    ).fetchall()
    return rows


def sla_event_flags(store: Any, client: str) -> tuple[bool, bool]:
    """Whether any stored event of `client` has no batch id, and whether any
    is a ``pended`` (with none, there is no pause to pair).

    Example: ``lacks_batch, any_pended = sla_event_flags(store, "acme-tools")``
    """
    lacking, pended = store.db.execute(_FLAGS_SQL, {"client": client}).fetchone()
    return bool(lacking), bool(pended)
