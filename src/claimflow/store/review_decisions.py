"""A person's decision on a claim that verification sent to review.

Verification sends a claim to ``review`` when a person must look (a name
unlike the folio's, an overlapping stay, a quantity above the invoice, a
source record matched by another claim...). The person accepts or rejects
it with a reason (`claimflow.api.review.decide_claim`); the decision is
kept here, append-only, with the reason codes it settled, and moves the
claim's outcome (``outcomes`` stage ``review``); a rejection with a
``decided`` event.

An accepted claim is paid by ``award`` even where the client's awards wait
for a verified result (`settled_review` in the award query), and a replay
under the same rules applies a claim's decisions again, in the order
taken (`review_decisions`), each to a claim that is in review for the
reasons it settled, as it applies the marks of ``dedupe apply``: a
decision settled those reasons, not others.

Migration 34 makes the table.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import verify_claim as _earlier  # noqa: F401 (registers 2-33)
from claimflow.store.claims_schema import refuse_replace
from claimflow.store.dedupe_decisions import PROBLEM_STANDS
from claimflow.store.schema import APPEND_ONLY, migrations, run_script

if TYPE_CHECKING:
    from claimflow.store import Store

#: A claim whose latest review decision (table alias ``c``) accepted it.
ACCEPTED_IN_REVIEW = """(SELECT d.decision FROM review_decisions d
   WHERE d.claim_id = c.id ORDER BY d.id DESC LIMIT 1) = 'accept'"""


@migrations()
def m034_review_decisions(db: Database) -> None:
    """People's accept/reject decisions on claims verification sent to review."""
    run_script(
        db,
        """
        CREATE TABLE review_decisions (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            decision TEXT NOT NULL,
            codes TEXT NOT NULL,
            reason TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX review_decisions_claim ON review_decisions(claim_id)
        """,
    )
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="review_decisions", verb=verb))
    refuse_replace(db, "review_decisions")


def standing_codes(store: Store, claim_id: str) -> list[str]:
    """The reason codes that stand for a claim (`PROBLEM_STANDS`), sorted, once each.

    Example: ``standing_codes(store, "c1") == ["name_mismatch"]``
    """
    rows = store.db.execute(
        f"SELECT DISTINCT p.code FROM problems p WHERE p.claim_id = ? AND {PROBLEM_STANDS}",
        [claim_id],
    ).fetchall()
    return sorted(str(code) for (code,) in rows)


def add_review_decision(
    store: Store,
    client: str,
    claim_id: str,
    decision: str,
    codes: list[str],
    reason: str,
    operator: str,
    at: str,
) -> None:
    """Append a person's decision (`accept` or `reject`) on a claim in review.

    Example: ``add_review_decision(store, "costa-azul", "c1", "accept",
    ["name_mismatch"], "folio checked", "ann", at)``
    """
    store.db.execute(
        "INSERT INTO review_decisions (client, claim_id, decision, codes, reason, "
        "decided_by, decided_at) VALUES (?,?,?,?,?,?,?)",
        [client, claim_id, decision, json.dumps(codes), reason, operator, at],
    )


def review_decisions(
    store: Store, client: str
) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Each claim's review decisions in the order taken: claim id ->
    [(decision, codes it settled), ...] (a claim accepted in review, sent
    back by verification and rejected has two).

    Example: ``review_decisions(store, "costa-azul")["c1"][-1][0] == "accept"``
    """
    found: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for claim_id, decision, codes in store.db.execute(
        "SELECT claim_id, decision, codes FROM review_decisions WHERE client = ? "
        "ORDER BY id",
        [client],
    ):
        found.setdefault(str(claim_id), []).append(
            (str(decision), frozenset(json.loads(codes)))
        )
    return found
