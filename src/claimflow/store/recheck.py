"""The claims verification sent to review on a record a keying slip away.

A claim whose invoice (or stay) was not in the source data yet may be
matched to a neighbouring one, a keying slip away, whose other identifying
fields agree (the same dealer, part and date), and sent to review when its
values differ. In a trial (an Argentine dealer program), claim PA-601 for
invoice ``0004-00000300`` was matched to ``0004-00000200`` of the same
dealer, part and date, which invoiced 1 unit, not 2
(``quantity_above_invoiced``, review). The dealer's next export held
``0004-00000300`` itself, but only claims awaiting source data were checked
again: PA-601 stayed in review, on the wrong invoice.

`matched_nearby` gives the claims such a record may free: in review (or
pended, where the client pends discrepancies) by their latest verification,
which found no record of their own key, with no stage having moved them
since and no person's decision on them (`claimflow decide`: a decided
claim stays decided). `claimflow.verify.again` keeps those whose own key
is now on record and `claimflow.verify` checks them again. `source_keys`
and `keys_on_record` are what it asks; `drop_matches` lets go of a checked
again claim's matches to the record it no longer names, so that its units
stop counting against that invoice line (`line_units`): its earlier
verifications stay on record, with the source ids they matched.

No migration: the indexes on ``verifications(claim_id)``,
``outcomes(claim_id)``, ``review_decisions(claim_id)`` and
``source_records(client, key)`` serve every query. Portable SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.store import Store

#: A claim matched nearby: id, kind, invoice (sales), hotel and
#: confirmation (stays), the source ids its latest verification named.
Nearby = tuple[str, str, str | None, str | None, str | None, list[int]]
#: Values per ``IN (...)`` list (below SQLite's bound limit).
_PER_QUERY = 500

_NEARBY = """
SELECT c.id, c.kind,
       CASE c.kind WHEN 'sales' THEN c.data ->> 'invoice_number' END,
       CASE c.kind WHEN 'stay' THEN c.data ->> 'hotel_code' END,
       CASE c.kind WHEN 'stay' THEN c.data ->> 'confirmation_number' END,
       v.source_ids
FROM claims c
JOIN verifications v
  ON v.id = (SELECT max(w.id) FROM verifications w WHERE w.claim_id = c.id)
WHERE c.client = ? {batch} AND c.outcome IN ('review', 'pended')
  AND v.result IN ('discrepancy', 'ambiguous')
  AND (SELECT o.stage FROM outcomes o WHERE o.claim_id = c.id
       ORDER BY o.id DESC LIMIT 1) = 'verify'
  AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.claim_id = c.id)
ORDER BY c.rowid
"""


def _parts(values: Iterable[object]) -> Iterable[list[object]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _PER_QUERY):
        yield items[start : start + _PER_QUERY]


def matched_nearby(store: Store, client: str, batch_id: int | None) -> list[Nearby]:
    """The claims in review (or pended) by a verification that named source
    records, with no stage or person having moved them since (`Nearby`).

    Args:
        store: the store.
        client: the client key.
        batch_id: only this batch's claims, if given.

    Example: ``matched_nearby(store, "pampa-dealers", None)[0][0] == "c1"``
    """
    sql = _NEARBY.format(batch="AND c.batch_id = ?" if batch_id is not None else "")
    params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
    return [
        (str(i), str(kind), invoice, hotel, confirmation,
         [int(s) for s in json.loads(ids or "[]")])
        for i, kind, invoice, hotel, confirmation, ids in store.db.execute(sql, params)
    ]  # fmt: skip


def source_keys(store: Store, ids: Iterable[int]) -> dict[int, str]:
    """The exact-match key of each of these source records, by id.

    Example: ``source_keys(store, [17]) == {17: "400000200"}``
    """
    found: dict[int, str] = {}
    for part in _parts(ids):
        marks = ", ".join("?" * len(part))
        for i, key in store.db.execute(
            f"SELECT id, key FROM source_records WHERE id IN ({marks})", part
        ):
            found[int(i)] = str(key)
    return found


def keys_on_record(store: Store, client: str, keys: Iterable[str]) -> set[str]:
    """Which of these exact-match keys a client's source records hold.

    Example: ``keys_on_record(store, "pampa-dealers", ["400000300"]) == {"400000300"}``
    """
    found: set[str] = set()
    for part in _parts(keys):
        marks = ", ".join("?" * len(part))
        found.update(
            str(k)
            for (k,) in store.db.execute(
                "SELECT DISTINCT key FROM source_records "
                f"WHERE client = ? AND key IN ({marks})",
                [client, *part],
            )
        )
    return found


def drop_matches(store: Store, claim_ids: Sequence[str]) -> None:
    """Let go of these claims' matches to source records, before they are
    checked again (each check writes the matches it finds).

    Example: ``drop_matches(store, ["c1"])``
    """
    for part in _parts(claim_ids):
        marks = ", ".join("?" * len(part))
        store.db.execute(
            f"DELETE FROM verification_matches WHERE claim_id IN ({marks})", part
        )
