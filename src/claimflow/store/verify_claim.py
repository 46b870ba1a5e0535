"""Verification claim by claim: what `claimflow.verify.run` reads and writes.

`verify_claims_per_claim` is the reference the set-based run
(`claimflow.store.verification`) is held equal to, and replay verifies one
claim at a time: both ask the store one question per claim, here.

- `claims_awaiting_verification`: the claims to verify, whole, in chunks;
- `serial_claimed_before`, `member_stay_rows`, `other_matches`,
  `line_units` (the units other claims accepted or in review took of an
  invoice line): what
  `claimflow.verify.run.StoreLookup` asks of one claim (its source records
  are read through `claimflow.store.source`);
- `add_verification`, `add_verification_matches`, `claim_outcome_and_batch`,
  `add_problems`, `move_outcome`: one claim's result, in the order the
  stage writes them;
- `last_verifications`: each claim's latest result and what it said
  (read before a run writes its own, so a re-verify that finds the same
  result and problems tells the participant nothing new).
- `accepted_on_lines`, `accepted_stays_beside`: what a person's
  acceptance of a claim adds to (the other accepted claims of its invoice
  lines; the member's other accepted or paid stays on any of its nights).

Migration 32 adds ``verifications.last_batch``: the store's last batch
when the claim was verified, so a replay checks a claim against the claims
its verification met (`member_stay_rows`, `other_matches`), never those
ingested after it. Migration 33 adds what else the verification knew:
``last_source``, the store's last source record then (a replay matches the
claim against those records only, never an export imported after it), and
``knew``, what it was told of other claims (`claimflow.verify.knew`: the
member's stays it left out as duplicate or rejected, the claims matched to
its source records, the earlier claims of its serials), which a replay is
told again instead of what later runs made of them. SQLite's own:
`member_stay_rows` reads the stay dates with ``json_extract`` (a server
backend writes its JSON operators).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import dedupe_decisions as _earlier  # noqa: F401 (registers 2-31)
from claimflow.store.schema import migrations

if TYPE_CHECKING:
    from claimflow.models import Claim
    from claimflow.store import Store

#: The store's last batch as a verification is written (every batch ids up
#: to it were stored: ids only grow, and a verify run holds the write lock).
LAST_BATCH = "(SELECT max(id) FROM batches)"
#: The store's last source record as a verification is written (0: none).
LAST_SOURCE = "(SELECT coalesce(max(id), 0) FROM source_records)"


#: The reason codes verification gives, but ``source_not_found`` (below).
#: ``dedupe claims`` gives three of them too (``serial_claimed_before``,
#: ``overlapping_stay``, ``claimed_by_other_account``), with a match of the
#: code stored (``claim_matches``), which tells its problems apart.
CHECKED_CODES = (
    "source_ambiguous",
    "source_mismatch",
    "serial_not_in_source",
    "serial_claimed_before",
    "quantity_above_invoiced",
    "name_mismatch",
    "overlapping_stay",
    "claimed_by_other_account",
    "already_credited",
    "ota_booking",
)
#: A problem (table alias ``p``) that no later verification overtook: a
#: ``source_not_found`` stands only while the claim's latest verification
#: found no source record, and only as that run said it (each run awaiting
#: source data says it again). Once a later run finds the record (verified,
#: a discrepancy, ambiguous), the claim's export, story, reason counts and
#: replay no longer give it that reason; every run's result stays on record
#: in ``verifications`` and the story (trial 30: a paid claim exported with
#: ``source_not_found ... found none yet``). Part of `PROBLEM_STANDS`.
#:
#: Likewise a problem verification gave (`CHECKED_CODES`, of no dedupe
#: match) stands only while the claim's latest verification gives it (its
#: code and message), once: a claim in review on a record a keying slip away, checked again
#: once its own record arrived (`claimflow.verify.again`), is judged by that
#: record alone (an accepted claim exported with ``quantity_above_invoiced``
#: of the neighbouring invoice).
FINDING_STANDS = """NOT (p.code = 'source_not_found'
  AND (coalesce((SELECT v.result FROM verifications v WHERE v.claim_id = p.claim_id
                 ORDER BY v.id DESC LIMIT 1), 'not_found') <> 'not_found'
       OR EXISTS (SELECT 1 FROM problems q
                  WHERE q.claim_id = p.claim_id AND q.code = p.code AND q.id > p.id)))
  AND NOT (p.code IN ({checked})
  AND NOT EXISTS (SELECT 1 FROM claim_matches m
                  WHERE m.claim_id = p.claim_id AND m.code = p.code)
  AND (NOT EXISTS (SELECT 1 FROM json_each((SELECT v.details FROM verifications v
                                            WHERE v.claim_id = p.claim_id
                                            ORDER BY v.id DESC LIMIT 1), '$.problems') g
                   WHERE g.value ->> '$.code' = p.code
                     AND g.value ->> '$.message' = p.message)
       OR EXISTS (SELECT 1 FROM problems q WHERE q.claim_id = p.claim_id
                  AND q.code = p.code AND q.message = p.message AND q.id > p.id)))""".format(
    checked=", ".join(f"'{c}'" for c in CHECKED_CODES)
)
#: A problem row: claim, batch, reason code, field, where, message.
ProblemRow = tuple[str, int, str, str | None, str, str]
#: A verification match: client, source id, claim, participant, result.
MatchRow = tuple[str, int, str, str | None, str]

# The claims `verify` checks: accepted and not verified yet, still waiting
# for source data (their last result not_found), or named to be checked
# again (a JSON list of ids: `claimflow.verify.again`).
_AWAITING = """
        WHERE c.client = ? {where} AND (
            (c.outcome = 'accepted' AND NOT EXISTS
                (SELECT 1 FROM verifications v WHERE v.claim_id = c.id))
            OR (SELECT v.result FROM verifications v WHERE v.claim_id = c.id
                ORDER BY v.id DESC LIMIT 1) = 'not_found'
            OR c.id IN (SELECT value FROM json_each(CAST(? AS TEXT))))
        ORDER BY c.rowid"""


@migrations()
def m032_verification_last_batch(db: Database) -> None:
    """The store's last batch when a claim was verified (`LAST_BATCH`).

    Replay checks the claim against the stays and matches of those batches
    only, as its verification did (trial 30: a stay ingested after the
    claim was verified made it overlap on replay). Results stored before
    keep it empty: replay then takes the claim's own batch.
    """
    db.execute("ALTER TABLE verifications ADD COLUMN last_batch INTEGER")


@migrations()
def m033_verification_as_of(db: Database) -> None:
    """What else a verification knew: the last source record (`LAST_SOURCE`)
    and what it was told of other claims (`claimflow.verify.knew.Knew`, JSON).

    A replay under the same rules then judges the claim as its live run did:
    a hotel export imported after the claim was verified made it verified
    on replay (pended -> accepted, +480 points), and an overlapping stay
    rejected by a later run made its overlap vanish (review -> accepted).
    Results stored before keep both empty: replay then reads the store as
    it stands, as before.
    """
    db.execute("ALTER TABLE verifications ADD COLUMN last_source INTEGER")
    db.execute("ALTER TABLE verifications ADD COLUMN knew TEXT")


def claims_awaiting_verification(
    store: Store,
    client: str,
    batch_id: int | None,
    chunk: int,
    again: Sequence[str] = (),
) -> Iterator[list[Claim]]:
    """The claims verification checks, whole and typed, in store order, in chunks.

    Args:
        store: the store.
        client: the client key.
        batch_id: only this batch's claims, if given.
        chunk: claims per list.
        again: claims to check again whatever their last result
            (`claimflow.verify.again`).

    Example: ``next(claims_awaiting_verification(store, "acme-tools", None, 5_000))``
    """
    where = "AND c.batch_id = ?" if batch_id is not None else ""
    params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
    params.append(json.dumps(list(again)))
    return store.claims(_AWAITING.format(where=where), params, chunk)


def serial_claimed_before(
    store: Store, client: str, serial: str, claim_id: str
) -> str | None:
    """The first claim (in store order) of an earlier batch with this serial.

    Claims superseded by a resubmission do not count, nor duplicates:
    neither is an original (`claimflow.codes.may_be_original`); the claim a
    duplicate repeats, and a superseded claim's resubmission, when of an
    earlier batch, are found in their own right. (Trial 34: a claim keyed
    first but received after its repeat was made that repeat's duplicate by
    dedupe, and verification then made the repeat a duplicate of it:
    neither was paid.)

    Example: ``serial_claimed_before(store, "acme-tools", "DR10000017", "c9")``
    """
    row = store.db.execute(
        "SELECT s.claim_id FROM claim_serials s JOIN claims c ON c.id = s.claim_id "
        "WHERE s.client = ? AND s.serial = ? AND s.claim_id != ? AND c.batch_id < "
        "(SELECT batch_id FROM claims WHERE id = ?) "
        "AND c.outcome NOT IN ('superseded', 'duplicate') "
        "ORDER BY c.rowid LIMIT 1",
        [client, serial, claim_id, claim_id],
    ).fetchone()
    return None if row is None else str(row[0])


def member_stay_rows(
    store: Store,
    client: str,
    accounts: Sequence[str],
    claim_id: str,
    last_batch: int | None = None,
) -> list[tuple[str, str, str | None, str | None]]:
    """A member's other claims, under any of its `accounts` (one, or those
    live merges made one member: `claimflow.store.accounts.merged_accounts`),
    by account then in store order: (id, outcome, check-in, check-out).

    The dates are ISO text as stored (None when the claim has none); the
    caller leaves out the duplicates, rejections and superseded claims
    (`StoreLookup`). With `last_batch`, only the claims of that batch and
    those before it.

    Example: ``member_stay_rows(store, "costa-azul", ["300162210"], "c1")``
    """
    known = "" if last_batch is None else " AND batch_id <= ?"
    marks = ",".join("?" * len(accounts))
    rows: list[tuple[str, str, str | None, str | None]] = store.db.execute(
        "SELECT id, outcome, json_extract(data, '$.check_in'), "
        "json_extract(data, '$.check_out') "
        f"FROM claims WHERE client = ? AND participant_id IN ({marks}) "
        f"AND id != ?{known} ORDER BY participant_id, rowid",
        [client, *accounts, claim_id]
        + ([] if last_batch is None else [last_batch]),
    ).fetchall()
    return rows


def other_matches(
    store: Store, source_id: int, claim_id: str, last_batch: int | None = None
) -> list[tuple[str, str | None, str]]:
    """The other claims matched to a source record: (claim, participant, result).

    With `last_batch`, only the claims of that batch and those before it.

    Example: ``other_matches(store, 17, "c1")``
    """
    known = (
        ""
        if last_batch is None
        else " AND EXISTS (SELECT 1 FROM claims c WHERE c.id = m.claim_id "
        "AND c.batch_id <= ?)"
    )
    return [
        (str(c), p, str(r))
        for c, p, r in store.db.execute(
            "SELECT m.claim_id, m.participant_id, m.result FROM verification_matches m "
            f"WHERE m.source_id = ? AND m.claim_id != ?{known}",
            [source_id, claim_id] + ([] if last_batch is None else [last_batch]),
        )
    ]


#: The outcomes of the claims whose units of an invoice line count against
#: it: accepted (paid, or to be paid by the next award) and in review (a
#: person may accept it: ``claimflow decide``). A claim in review for a
#: wrong price took units of the line as much as an accepted one; left
#: uncounted, a later claim of those units verified and was paid, and the
#: first was paid too once a person accepted it (4 units paid against 2
#: invoiced). Pended, rejected, duplicate, superseded and void claims are
#: never paid as they stand (a pended claim's resubmission is checked in
#: its own right).
HOLDS_UNITS = ("accepted", "review")
_HOLDS = "('accepted', 'review')"

# The other claims holding units of an invoice line (a sales source record,
# `HOLDS_UNITS`) matched to it before the claim was, with the units each
# claims of the line's SKU (`line_units`). Matched before: every match, as a
# claim is verified; on replay, those written before the claim's own.
_LINE_UNITS = f"""
SELECT m.claim_id, (SELECT coalesce(sum(CAST(l.value ->> '$.quantity' AS INTEGER)), 0)
                    FROM json_each(c.data, '$.lines') l
                    WHERE upper(l.value ->> '$.sku') = upper(s.data ->> '$.sku'))
FROM verification_matches m
JOIN claims c ON c.id = m.claim_id
JOIN source_records s ON s.id = m.source_id
WHERE m.source_id = ? AND m.claim_id != ? AND c.outcome IN {_HOLDS}
  AND NOT EXISTS (SELECT 1 FROM verification_matches o
                  WHERE o.source_id = m.source_id AND o.claim_id = ?
                    AND o.rowid < m.rowid){{known}}
ORDER BY m.rowid
"""


def line_units(
    store: Store, source_id: int, claim_id: str, last_batch: int | None = None
) -> list[tuple[str, int]]:
    """The other claims holding units of an invoice line (accepted or in
    review: `HOLDS_UNITS`) matched to it before this claim, with the units
    each claims of its SKU: (claim, units), in the order matched. With
    `last_batch`, only the claims of that batch and those before it.

    Example: ``line_units(store, 17, "c2") == [("c1", 2)]``
    """
    known = "" if last_batch is None else " AND c.batch_id <= ?"
    seen: dict[str, int] = {}
    for other, units in store.db.execute(
        _LINE_UNITS.format(known=known),
        [source_id, claim_id, claim_id] + ([] if last_batch is None else [last_batch]),
    ):
        # A claim of none of the line's SKU (matched to the invoice by
        # another line, in review for it) or of an unread quantity holds none.
        if int(units) > 0:
            seen.setdefault(str(other), int(units))  # a claim matched twice: once
    return list(seen.items())


def add_verification(
    store: Store,
    client: str,
    claim_id: str,
    result: str,
    source_ids: str,
    details: str,
    at: str,
    knew: str | None = None,
) -> None:
    """Append one claim's verification result (source ids, details and the
    what it was told of other claims as JSON), with what it knew
    (`LAST_BATCH`, `LAST_SOURCE`).

    Example: ``add_verification(store, "acme-tools", "c1", "verified", "[17]", "{}", at)``
    """
    store.db.execute(
        "INSERT INTO verifications (client, claim_id, result, source_ids, details, "
        "verified_at, knew, last_batch, last_source) "
        f"VALUES (?,?,?,?,?,?,?,{LAST_BATCH},{LAST_SOURCE})",
        [client, claim_id, result, source_ids, details, at, knew],
    )


def last_verifications(
    store: Store, claim_ids: Sequence[str]
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each claim's latest verification: its result and its problems as
    (reason code, message), in the order it gave them. Claims never verified
    are left out.

    Example: ``last_verifications(store, ["c1"]) == {"c1": ("not_found", [...])}``
    """
    found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    ids = list(dict.fromkeys(claim_ids))
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" * len(part))
        for claim_id, result, details in store.db.execute(
            "SELECT v.claim_id, v.result, v.details FROM verifications v "
            "WHERE v.id IN (SELECT max(w.id) FROM verifications w "
            f"WHERE w.claim_id IN ({marks}) GROUP BY w.claim_id)",
            part,
        ):
            said = json.loads(details or "{}").get("problems", [])
            found[str(claim_id)] = (
                str(result),
                [(str(p.get("code")), str(p.get("message"))) for p in said],
            )
    return found


def add_verification_matches(store: Store, rows: Sequence[MatchRow]) -> None:
    """Append the source records a claim was matched to (`MatchRow`).

    Example: ``add_verification_matches(store, [("acme-tools", 17, "c1", "p1", "verified")])``
    """
    store.db.conn.executemany(
        "INSERT INTO verification_matches VALUES (?,?,?,?,?)", rows
    )


def claim_outcome_and_batch(store: Store, claim_id: str) -> tuple[str, int]:
    """A stored claim's current outcome and its batch.

    Example: ``claim_outcome_and_batch(store, "c1") == ("accepted", 1)``
    """
    outcome, batch_id = store.db.execute(
        "SELECT outcome, batch_id FROM claims WHERE id = ?", [claim_id]
    ).fetchone()
    return outcome, batch_id


def add_problems(store: Store, rows: Sequence[ProblemRow]) -> None:
    """Append problems (`ProblemRow`) to their claims.

    Example: ``add_problems(store, [("c1", 1, "source_not_found", None, "r2", "...")])``
    """
    store.db.conn.executemany(
        "INSERT INTO problems (claim_id, batch_id, code, field, source, message) "
        "VALUES (?,?,?,?,?,?)",
        rows,
    )


def move_outcome(
    store: Store, claim_id: str, batch_id: int, stage: str, outcome: str, at: str
) -> None:
    """Set a claim's outcome and append the change to ``outcomes``.

    Example: ``move_outcome(store, "c1", 1, "verify", "pended", at)``
    """
    store.db.execute("UPDATE claims SET outcome = ? WHERE id = ?", [outcome, claim_id])
    store.db.execute(
        "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
        "VALUES (?,?,?,?,?)",
        [claim_id, batch_id, stage, outcome, at],
    )


#: One invoice line a claim was last matched to, as a person's acceptance
#: weighs it (`accepted_on_lines`): source id, invoice number, SKU, units
#: invoiced, the claim's units of the SKU, and the other accepted claims
#: matched to the line with their units.
LineHolders = tuple[int, str, str, int, int, list[tuple[str, int]]]

_UNITS_OF = """(SELECT coalesce(sum(CAST(l.value ->> '$.quantity' AS INTEGER)), 0)
  FROM json_each({claim}.data, '$.lines') l
  WHERE upper(l.value ->> '$.sku') = upper(s.data ->> '$.sku'))"""
# An invoice line with the claim's units of its SKU, and each other claim
# now accepted that was matched to it, whenever, with its units.
_ON_LINE = f"""
SELECT s.data ->> '$.invoice_number', s.data ->> '$.sku',
       CAST(s.data ->> '$.quantity' AS INTEGER), {_UNITS_OF.format(claim="c")},
       o.id, {_UNITS_OF.format(claim="o")}
FROM source_records s
JOIN claims c ON c.id = ?
LEFT JOIN claims o ON o.outcome = 'accepted' AND o.id != c.id AND o.id IN
     (SELECT m.claim_id FROM verification_matches m WHERE m.source_id = s.id)
WHERE s.id = ? AND s.kind = 'sales'
ORDER BY o.rowid
"""


def last_verification(store: Store, claim_id: str) -> tuple[str, list[int], str | None]:
    """A claim's latest verification: its result, the source records it
    matched (or found as candidates) and what it was told of other claims
    (``verifications.knew``, `claimflow.verify.knew.Knew` as JSON; None:
    nothing recorded). A claim never verified: ``("", [], None)``.

    Example: ``last_verification(store, "c1") == ("discrepancy", [17], "{}")``
    """
    row = store.db.execute(
        "SELECT result, source_ids, knew FROM verifications WHERE claim_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [claim_id],
    ).fetchone()
    if row is None:
        return "", [], None
    ids = [int(i) for i in json.loads(row[1] or "[]")]
    return str(row[0]), ids, None if row[2] is None else str(row[2])


def accepted_on_lines(
    store: Store, claim_id: str, source_ids: Sequence[int]
) -> list[LineHolders]:
    """The invoice lines among `source_ids` (the sales records a claim was
    matched to), each with the claim's units of its SKU and the other
    claims accepted now that were matched to it (paid, or paid by the next
    award), whenever they were (`LineHolders`): what a person's acceptance
    of the claim adds to (`claimflow.decide_claim`).

    Example: ``accepted_on_lines(store, "c1", [17]) == [(17, "INV-1", "X", 2, 2, [("c2", 2)])]``
    """
    lines: list[LineHolders] = []
    for sid in dict.fromkeys(source_ids):
        rows = store.db.execute(_ON_LINE, [claim_id, sid]).fetchall()
        if not rows:
            continue
        invoice, sku, invoiced, mine = rows[0][:4]
        others = {str(o): int(n) for *_, o, n in rows if o is not None}
        lines.append(
            (sid, str(invoice), str(sku), int(invoiced or 0), int(mine), list(others.items()))
        )
    return lines


def member_accounts(store: Store, claim_id: str) -> tuple[str, ...]:
    """The accounts of a claim's member: its participant and every account
    a live merge made one member with it (`merged_accounts`: a stay keyed
    under a merged number after the merge, or the survivor's, meets the
    other's stays), sorted; ``()`` for a claim with no participant (or
    none stored).

    Example: ``member_accounts(store, "c1") == ("300120031", "300199990")``
    """
    from claimflow.store.accounts import merged_accounts

    row = store.db.execute(
        "SELECT client, participant_id FROM claims WHERE id = ?", [claim_id]
    ).fetchone()
    if row is None or not row[1]:
        return ()
    client, participant = str(row[0]), str(row[1])
    return merged_accounts(store, client).get(participant, (participant,))


#: Another claim of the member holding some of a stay's nights, as a
#: person's acceptance weighs it (`accepted_stays_beside`): claim id, hotel,
#: check-in and check-out (ISO dates as stored), and whether an award of it
#: stands in the ledger (paid, not reversed).
StayHolder = tuple[str, str | None, str, str, bool]

_PAID = (
    "EXISTS (SELECT 1 FROM ledger l WHERE l.client = o.client AND l.claim_id = o.id "
    "AND l.entry_type = 'award' AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id))"
)
# A stay claim with each other claim of its member (any of the accounts
# live merges made one member: `member_accounts`), accepted now (paid, or
# to be paid by the next award) or with an award standing whatever its
# outcome, whose dates overlap its own: one starts before the other ends
# (ISO dates compare as text).
_NIGHTS_HELD = f"""
SELECT c.participant_id, c.data ->> '$.check_in', c.data ->> '$.check_out',
       o.id, o.data ->> '$.hotel_code', o.data ->> '$.check_in', o.data ->> '$.check_out',
       CASE WHEN o.id IS NULL THEN 0 WHEN {_PAID} THEN 1 ELSE 0 END
FROM claims c
LEFT JOIN claims o ON o.client = c.client AND o.participant_id IN ({{accounts}})
     AND o.id != c.id AND (o.outcome = 'accepted' OR {_PAID})
     AND (o.data ->> '$.check_in') < (c.data ->> '$.check_out')
     AND (c.data ->> '$.check_in') < (o.data ->> '$.check_out')
WHERE c.id = ?
ORDER BY o.rowid
"""


def accepted_stays_beside(
    store: Store, claim_id: str
) -> tuple[tuple[str, str, str] | None, list[StayHolder]]:
    """A stay claim's member and dates, and the member's other claims that
    are accepted now (paid, or paid by the next award) or paid, at any
    hotel, under any of its accounts (`member_accounts`), whose nights
    overlap it (`StayHolder`, in store order): what a
    person's acceptance of the claim would pay twice
    (`claimflow.verify.nights.nights_refusal`). A claim with no member or
    no dates: ``(None, [])``.

    Example: ``accepted_stays_beside(store, "c1") == (("300120031",
    "2026-11-12", "2026-11-15"), [("c2", "CAZ-MAD", "2026-11-10", "2026-11-14", True)])``
    """
    accounts = member_accounts(store, claim_id)
    if not accounts:
        return None, []
    sql = _NIGHTS_HELD.replace("{accounts}", ",".join("?" * len(accounts)))
    rows = store.db.execute(sql, [*accounts, claim_id]).fetchall()
    if not rows or any(v is None for v in rows[0][:3]):
        return None, []
    participant, start, end = (str(v) for v in rows[0][:3])
    others = [
        (str(o), None if h is None else str(h), str(a), str(b), bool(paid))
        for *_, o, h, a, b, paid in rows
        if o is not None
    ]
    return (participant, start, end), others
