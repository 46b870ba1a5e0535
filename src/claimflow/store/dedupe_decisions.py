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

import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import stage_notices as _earlier  # noqa: F401 (registers 2-30)
from claimflow.store.schema import migrations
from claimflow.store.verify_claim import FINDING_STANDS

if TYPE_CHECKING:
    from claimflow.store import Store

#: A match found: claim, original, duplicate of (None: itself the first),
#: rule, code, score, decision, what was compared, the claim's source.
MatchRow = tuple[str, str, str | None, str, str, float, str, str, str]
#: A reviewer's mark: kind (claim or participant), the pair's ids (sorted),
#: same or different.
Mark = tuple[str, str, str, str]


#: A problem (table alias ``p``) that still stands against its claim: not
#: the problem of a history match (no field) whose every match of that code
#: a reviewer marked *different* at their latest mark, nor a verification's
#: ``source_not_found`` that a later verification overtook
#: (`claimflow.store.verify_claim.FINDING_STANDS`). A claim reopened or
#: restored by ``dedupe apply`` keeps its matches and their problems on
#: record, but its export, story, reason counts and replay no longer give it
#: a duplicate's reason (trial 27: an accepted, paid claim exported with
#: ``serial_claimed_before``).
PROBLEM_STANDS = f"""({FINDING_STANDS} AND NOT (p.field IS NULL
  AND EXISTS (SELECT 1 FROM claim_matches m
              WHERE m.claim_id = p.claim_id AND m.code = p.code)
  AND NOT EXISTS (
      SELECT 1 FROM claim_matches m
      WHERE m.claim_id = p.claim_id AND m.code = p.code
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
