"""Dedupe's decisions, a run's and a reviewer's: what `claimflow.dedupe` records.

A history dedupe run (`claimflow.dedupe.claims`) appends each match it
found to ``claim_matches`` with a problem row, and moves the claims'
outcomes; a person's review (`claimflow.dedupe.review`) appends same /
different marks to ``dedupe_decisions`` (with who and when; the latest
mark of a pair counts) and settles the claims it held. Inputs and outputs
are plain rows; which outcome a claim moves to is decided in the stage.

- `add_claim_matches`, `add_match_problems`, `set_outcomes`: a run's
  findings, and any outcome change (with its ``outcomes`` history row);
- `decision_rows`, `add_dedupe_decisions`: reviewers' marks;
- `review_pairs`: the claim pairs waiting for a person;
- `claim_ids`, `claim_outcome`, `review_originals`, `outcome_stages`: what
  settling a reviewed claim reads.

SQLite's own: `review_pairs` reads claim references with ``json_extract``
and orders a pair with the two-argument scalar ``min``/``max`` (a server
backend writes its JSON operators and ``least``/``greatest``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import stage_notices as _earlier  # noqa: F401 (registers 2-30)
from claimflow.store.schema import migrations
from claimflow.store.verify_claim import FINDING_STANDS

if TYPE_CHECKING:
    from claimflow.codes import ReasonCode
    from claimflow.store import Store

#: A match found: claim, original, duplicate of (None: itself the first),
#: rule, code, score, decision, what was compared, the claim's source.
MatchRow = tuple[str, str, str | None, str, str, float, str, str, str]
#: A reviewer's mark: kind (claim or participant), the pair's ids (sorted),
#: same or different.
Mark = tuple[str, str, str, str]


#: The codes the batch rules give a repeat within its own batch, at ingest
#: (`claimflow.validate.batch`: on a field; a history match names none).
BATCH_REPEAT_CODES = (
    "duplicate_serial_in_batch",
    "duplicate_invoice_line_in_batch",
    "duplicate_stay_in_batch",
    "possible_duplicate",
)
_BATCH_CODES_SQL = ", ".join(f"'{code}'" for code in BATCH_REPEAT_CODES)

#: A problem (table alias ``p``) that still stands against its claim: not
#: the problem of a match (a history match's, no field; a repeat within
#: its batch's, recorded when it was put to a person) whose every match of
#: that code a reviewer marked *different* at their latest mark, nor a
#: verification's ``source_not_found`` that a later verification overtook
#: (`claimflow.store.verify_claim.FINDING_STANDS`). A claim reopened or
#: restored by ``dedupe apply`` keeps its matches and their problems on
#: record, but its export, story, reason counts and replay no longer give it
#: a duplicate's reason (trial 27: an accepted, paid claim exported with
#: ``serial_claimed_before``).
PROBLEM_STANDS = f"""({FINDING_STANDS} AND NOT ((p.field IS NULL OR p.code IN ({_BATCH_CODES_SQL}))
  AND EXISTS (SELECT 1 FROM claim_matches m
              WHERE m.claim_id = p.claim_id AND m.code = p.code)
  AND NOT EXISTS (
      SELECT 1 FROM claim_matches m
      WHERE m.claim_id = p.claim_id AND m.code = p.code AND m.decision <> 'released'
        AND coalesce((SELECT d.decision FROM dedupe_decisions d
                      WHERE d.kind = 'claim' AND d.a = min(m.claim_id, m.original)
                        AND d.b = max(m.claim_id, m.original)
                      ORDER BY d.id DESC LIMIT 1), '') <> 'different')))"""


@migrations()
def m031_claim_matches_by_claim(db: Database) -> None:
    """An index for a claim's own matches (`PROBLEM_STANDS` asks per problem)."""
    db.execute("CREATE INDEX claim_matches_by_claim ON claim_matches(claim_id, code)")


def add_claim_matches(
    store: Store, client: str, at: str, rows: Sequence[MatchRow]
) -> None:
    """Append the matches a dedupe run found (`MatchRow`), found at `at`.

    Example: ``add_claim_matches(store, "acme-tools", at, [("c2", "c1", "c1", ...)])``
    """
    store.db.conn.executemany(
        "INSERT INTO claim_matches (client, claim_id, original, duplicate_of, rule, code, "
        "score, decision, compared, source, found_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(client, *row, at) for row in rows],
    )


def add_match_problems(store: Store, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """Append a problem per match: (claim, code, source, message), in the
    claim's batch, naming no field.

    Example: ``add_match_problems(store, [("c2", "duplicate_claim", "a.csv:row 3", "...")])``
    """
    store.db.conn.executemany(
        "INSERT INTO problems (claim_id, batch_id, code, field, source, message) "
        "SELECT ?, batch_id, ?, NULL, ?, ? FROM claims WHERE id = ?",
        [
            (claim, code, source, message, claim)
            for claim, code, source, message in rows
        ],
    )


def set_outcomes(
    store: Store, stage: str, at: str, outcomes: Sequence[tuple[str, str]]
) -> None:
    """Set claims' outcomes, (claim, outcome) pairs, and append each change
    to ``outcomes`` (with the claim's batch), decided by `stage` at `at`.

    Example: ``set_outcomes(store, "dedupe", at, [("c2", "duplicate")])``
    """
    conn = store.db.conn
    conn.executemany(
        "UPDATE claims SET outcome = ? WHERE id = ?",
        [(outcome, claim) for claim, outcome in outcomes],
    )
    conn.executemany(
        "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
        "SELECT id, batch_id, ?, ?, ? FROM claims WHERE id = ?",
        [(stage, outcome, at, claim) for claim, outcome in outcomes],
    )


def decision_rows(
    conn: sqlite3.Connection, kind: str, about: str | None = None
) -> Iterator[tuple[str, str, str]]:
    """Reviewers' marks on pairs of `kind` (about one id, if given), in the
    order made: (a, b, decision).

    Takes the store's connection (``store.db.conn``).

    Example: ``list(decision_rows(store.db.conn, "claim", about="c2"))``
    """
    sql = "SELECT a, b, decision FROM dedupe_decisions WHERE kind = ?"
    params: list[object] = [kind]
    if about is not None:
        sql += " AND (a = ? OR b = ?)"
        params += [about, about]
    rows: Iterator[tuple[str, str, str]] = conn.execute(sql + " ORDER BY id", params)
    return rows


def add_dedupe_decisions(
    store: Store, marks: Sequence[Mark], decided_by: str, decided_at: str
) -> None:
    """Append reviewers' marks (`Mark`), made by `decided_by` at `decided_at`.

    Example: ``add_dedupe_decisions(store, [("claim", "c1", "c2", "same")], "ann", at)``
    """
    store.db.conn.executemany(
        "INSERT INTO dedupe_decisions (kind, a, b, decision, decided_by, decided_at) "
        "VALUES (?,?,?,?,?,?)",
        [(*mark, decided_by, decided_at) for mark in marks],
    )


def review_pairs(
    store: Store, client: str, closed: Sequence[str] = ()
) -> list[tuple[object, ...]]:
    """Claim pairs waiting for a person, in the order the later claims came.

    The later claim is still in review, and no mark was made on the pair.
    With `closed` (claim ids), also the pairs of those claims while they
    stay duplicates (closed by ``dedupe claims`` or by a reviewer's *same*):
    a person may find one was wrongly closed.

    Returns:
        Rows ('claim', later claim, earlier claim, their references, rule,
        what was compared, score (2 decimals), their sources, what the
        match found (review or duplicate), '').

    Example: ``review_pairs(store, "acme-tools")[0][1]``
    """
    doubtful = """m.decision = 'review' AND c.outcome = 'review'
          AND NOT EXISTS (
              SELECT 1 FROM dedupe_decisions d WHERE d.kind = 'claim'
              AND d.a = min(m.claim_id, m.original) AND d.b = max(m.claim_id, m.original))"""
    params: list[object] = [client]
    if closed:
        marks = ", ".join("?" * len(closed))
        doubtful = f"""(({doubtful})
          OR (m.decision IN ('review', 'duplicate') AND c.outcome = 'duplicate'
              AND m.claim_id IN ({marks})))"""
        params += list(closed)
    rows = store.db.execute(
        f"""
        SELECT 'claim', m.claim_id, m.original, json_extract(c.data, '$.claim_ref'),
               json_extract(o.data, '$.claim_ref'), m.rule, m.compared,
               round(m.score, 2), m.source, o.source, m.decision, ''
        FROM claim_matches m
        JOIN claims c ON c.id = m.claim_id
        JOIN claims o ON o.id = m.original
        WHERE m.client = ? AND {doubtful}
        ORDER BY c.received_at, c.rowid, m.id
        """,
        params,
    ).fetchall()
    return [tuple(r) for r in rows]


def claim_ids(store: Store) -> set[str]:
    """Every stored claim's id.

    Example: ``"c1" in claim_ids(store)``
    """
    return {i for (i,) in store.db.execute("SELECT id FROM claims")}


def claim_outcome(store: Store, claim: str) -> str:
    """A stored claim's current outcome.

    Example: ``claim_outcome(store, "c2") == "review"``
    """
    (current,) = store.db.execute(
        "SELECT outcome FROM claims WHERE id = ?", [claim]
    ).fetchone()
    return str(current)


def review_originals(store: Store, claim: str) -> Iterator[tuple[str, str]]:
    """The earlier claims a claim's matches left to review or closed it as a
    duplicate of, in the order found: (original, review or duplicate).

    Example: ``list(review_originals(store, "c2")) == [("c1", "review")]``
    """
    for original, decision in store.db.execute(
        "SELECT original, decision FROM claim_matches WHERE claim_id = ? "
        "AND decision IN ('review', 'duplicate') ORDER BY id",
        [claim],
    ):
        yield str(original), str(decision)


def outcome_stages(store: Store, claim: str) -> list[tuple[str, str]]:
    """A claim's outcome history, latest first: (stage, outcome).

    Example: ``outcome_stages(store, "c2")[0] == ("dedupe", "review")``
    """
    rows: list[tuple[str, str]] = store.db.execute(
        "SELECT stage, outcome FROM outcomes WHERE claim_id = ? ORDER BY id DESC",
        [claim],
    ).fetchall()
    return rows


def batch_repeats(
    store: Store, client: str, claims: Sequence[str] = ()
) -> list[tuple[str, str, str, str, str]]:
    """Repeats within their own batch that ingest closed or left to review,
    whose pair no match records yet: what a person is to see of them.

    Without `claims`, those still in review (a repeat received before the
    claim taken as its original); with `claims` (ids), those of them that
    are duplicates or in review as ingest left them.

    Returns:
        Rows (claim, code, problem message, outcome, the claim's source).

    Example: ``batch_repeats(store, "pl-narzedzia")[0][1] == "possible_duplicate"``
    """
    which = "c.outcome = 'review'"
    params: list[object] = [client]
    if claims:
        which = f"c.outcome IN ('duplicate', 'review') AND c.id IN ({', '.join('?' * len(claims))})"
        params += list(claims)
    rows = store.db.execute(
        f"""
        SELECT c.id, p.code, p.message, c.outcome, c.source
        FROM claims c JOIN problems p ON p.claim_id = c.id
        WHERE c.client = ? AND {which}
          AND p.field IS NOT NULL AND p.code IN ({_BATCH_CODES_SQL})
          AND (SELECT o.stage FROM outcomes o WHERE o.claim_id = c.id
               ORDER BY o.id DESC LIMIT 1) = 'validate'
          AND NOT EXISTS (SELECT 1 FROM claim_matches m
                          WHERE m.claim_id = c.id AND m.code = p.code)
        ORDER BY c.rowid, p.id
        """,
        params,
    ).fetchall()
    return [tuple(r) for r in rows]


def batch_original(store: Store, claim: str) -> str | None:
    """The claim of the same batch, stored before `claim`, that holds a key
    the batch rules found `claim` repeating: the same serial, the same
    dealer, invoice and SKU (any quantity or date), or the same hotel and
    confirmation. Met through the dedupe indexes (``claim_serials``,
    ``claim_keys``); None if no such claim is stored.

    Example: ``batch_original(store, "aa2e...-r2") == "3ab5...-r2"``
    """
    conn = store.db.conn
    client, batch, rowid, keys, serials = conn.execute(
        "SELECT client, batch_id, rowid, keys, serials FROM claims WHERE id = ?", [claim]
    ).fetchone()
    found: set[str] = set()
    for serial in json.loads(serials or "[]"):
        found.update(i for (i,) in conn.execute(
            "SELECT claim_id FROM claim_serials WHERE client = ? AND serial = ?",
            [client, serial],
        ))  # fmt: skip
    for block, _, value in json.loads(keys or "[]"):
        if block.startswith("ds|"):  # the batch rule's key leaves the quantity out
            low = block.rsplit("|", 1)[0] + "|"
            high = low[:-1] + chr(ord("|") + 1)
        elif block.startswith("h|"):
            low = high = block
        else:
            continue
        found.update(i for (i,) in conn.execute(
            "SELECT claim_id FROM claim_keys WHERE client = ? AND block >= ? "
            "AND (block < ? OR block = ?) AND value = ?",
            [client, low, high, low, value],
        ))  # fmt: skip
    found.discard(claim)
    if not found:
        return None
    row = conn.execute(
        f"SELECT id FROM claims WHERE id IN ({', '.join('?' * len(found))}) "
        "AND batch_id = ? AND rowid < ? ORDER BY rowid LIMIT 1",
        [*sorted(found), batch, rowid],
    ).fetchone()
    return None if row is None else str(row[0])


def record_batch_repeats(
    store: Store, client: str, at: str, claims: Sequence[str] = ()
) -> set[str]:
    """Record the pairs of `batch_repeats` as matches, each with its
    `batch_original`, so that a person reviews them as history's
    (``dedupe review``, ``--reopen``) and their marks settle the claim.

    Returns:
        The claims whose pair was recorded.

    Example: ``record_batch_repeats(store, "pl-narzedzia", at, ["aa2e...-r2"])``
    """
    rows: list[MatchRow] = []
    for cid, code, message, outcome, source in batch_repeats(store, client, claims):
        original = batch_original(store, cid)
        if original is None:
            continue
        closed = outcome == "duplicate"
        rows.append((
            cid, original, original if closed else None,
            "the same sale or stay twice in one batch (found at ingest)",
            code, 1.0 if closed else 0.9, outcome, message, source,
        ))  # fmt: skip
    add_claim_matches(store, client, at, rows)
    return {row[0] for row in rows}


def other_codes(store: Store, claim: str) -> list[ReasonCode]:
    """The reason codes of a claim's problems other than a repeat within its
    batch (`BATCH_REPEAT_CODES` on a field): what decides it once a person
    marks that repeat *different*.

    Example: ``other_codes(store, "aa2e...-r2") == []``
    """
    from claimflow.codes import ReasonCode

    return [
        ReasonCode(code)
        for (code,) in store.db.execute(
            "SELECT code FROM problems WHERE claim_id = ? AND NOT "
            f"(field IS NOT NULL AND code IN ({_BATCH_CODES_SQL}))",
            [claim],
        )
    ]


def release_batch_holds(
    store: Store, client: str, closed: Sequence[tuple[str, str]], at: str
) -> list[str]:
    """Originals a dedupe run found that ingest held in review as a repeat,
    within their batch, of the very claim now closed as their duplicate
    (received before it, filed after it): the claim received first is the
    original, so each gets the outcome its other problems give.

    Args:
        client: the client.
        closed: (duplicate, original) pairs the run closed.
        at: when.

    Returns:
        The claims released.

    Example: ``release_batch_holds(store, "pl-narzedzia", [("dec", "nov")], at)``
    """
    from claimflow.codes import decide

    released = []
    for duplicate, original in dict.fromkeys(closed):
        stages = outcome_stages(store, original)
        if stages[:1] != [("validate", "review")] or claim_outcome(store, original) != "review":
            continue
        if batch_original(store, original) != duplicate:
            continue
        set_outcomes(store, "dedupe", at, [(original, str(decide(other_codes(store, original))))])
        released.append(original)
    # On record as a match of its own (decision ``released``): its hold no
    # longer stands (`PROBLEM_STANDS`), and replay leaves it out as well.
    add_claim_matches(store, client, at, [
        (cid, duplicate, None,
         "received before the claim its batch took as its original, which "
         "this run closed as its duplicate", "possible_duplicate", 1.0,
         "released", "", source)
        for cid, duplicate, source in _sources(store, released, closed)
    ])  # fmt: skip
    return released


def _sources(
    store: Store, released: Sequence[str], closed: Sequence[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """(released claim, the duplicate that released it, its source)."""
    by = {original: duplicate for duplicate, original in closed}
    return [
        (cid, by[cid], str(store.db.execute(
            "SELECT source FROM claims WHERE id = ?", [cid]).fetchone()[0]))
        for cid in released
    ]  # fmt: skip
