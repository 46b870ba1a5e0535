"""Migration 26: member account services (merges, adjustments, cases).

- ``ledger.transfer_of``: a ``transfer_in`` posting continues the lot it
  names (the points, available and expiry instants of a lot moved by an
  account merge), so a later reversal of the lot's claim finds who holds
  its points now.
- ``participants.tax_id``: the tax id on the member list, which a merge
  compares (two different tax ids are two people).
- ``account_merges`` and ``account_merge_items``: each merge and unmerge,
  with what it moved (claims, cases, lots, a remaining balance).
- ``adjustments`` and ``adjustment_decisions``: point adjustments asked
  for, and the checker's approval (maker-checker), with their cost.
- ``cases`` and ``case_events``: member service cases and everything that
  happened to them (responses, follow-ups, escalations, links, closing).

Every new table is append-only (triggers refuse updates and deletes): a
case's owner, level and participant are its latest events; an unmerge is a
new row naming the merge it undoes.

Registered after `claimflow.store.holds` (migration 25).
"""

from __future__ import annotations

from sqlite_utils import Database

from claimflow.store import holds as _earlier  # noqa: F401 (registers 2-25)
from claimflow.store.claims_schema import refuse_replace
from claimflow.store.schema import APPEND_ONLY, migrations, run_script

#: The tables migration 26 makes append-only.
ACCOUNT_TABLES = (
    "account_merges",
    "account_merge_items",
    "adjustments",
    "adjustment_decisions",
    "cases",
    "case_events",
)


@migrations()
def m026_member_accounts(db: Database) -> None:
    """Account merges, adjustments under approval, and service cases."""
    run_script(
        db,
        """
        ALTER TABLE ledger ADD COLUMN transfer_of INTEGER REFERENCES ledger(id);
        CREATE INDEX ledger_transfer_of ON ledger(transfer_of);
        ALTER TABLE participants ADD COLUMN tax_id TEXT;
        CREATE TABLE account_merges (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            action TEXT NOT NULL,
            survivor TEXT NOT NULL,
            merged TEXT NOT NULL,
            undoes INTEGER REFERENCES account_merges(id),
            status_before TEXT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX account_merges_pair ON account_merges(client, merged, survivor);
        CREATE TABLE account_merge_items (
            id INTEGER PRIMARY KEY,
            merge_id INTEGER NOT NULL REFERENCES account_merges(id),
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            points INTEGER NOT NULL
        );
        CREATE INDEX account_merge_items_merge ON account_merge_items(merge_id);
        CREATE TABLE adjustments (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            participant_id TEXT NOT NULL,
            points INTEGER NOT NULL,
            reason_code TEXT NOT NULL,
            note TEXT NOT NULL,
            case_id INTEGER,
            claim_id TEXT,
            requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            point_value TEXT NOT NULL,
            cost TEXT NOT NULL,
            reference TEXT
        );
        CREATE INDEX adjustments_client ON adjustments(client, participant_id);
        CREATE UNIQUE INDEX adjustments_reference ON adjustments(client, reference);
        CREATE TABLE adjustment_decisions (
            id INTEGER PRIMARY KEY,
            adjustment_id INTEGER NOT NULL UNIQUE REFERENCES adjustments(id),
            decision TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            posting_id INTEGER REFERENCES ledger(id)
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            case_type TEXT NOT NULL,
            category TEXT NOT NULL,
            subject TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL
        );
        CREATE INDEX cases_client ON cases(client, opened_at);
        CREATE TABLE case_events (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            event TEXT NOT NULL,
            value TEXT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX case_events_case ON case_events(case_id, id);
        CREATE INDEX case_events_link ON case_events(event, value);
        """,
    )
    for table in ACCOUNT_TABLES:
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))
        refuse_replace(db, table)
