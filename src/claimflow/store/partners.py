"""The SQL of partner transfers and their reconciliation (migrations 27 and 28).

Three tables:

- ``partner_transfers`` (append-only): each points-to-miles transfer, with
  the miles it earns as computed when it was made (base and bonus), the
  ratio and rounding used, and the ledger debit that paid for it. A
  reference is unique per client and partner (its normalised form).
- ``partner_credits`` (append-only): every line of every reconciled
  partner statement, with the transfer it matched (or none) and the result.
- ``partner_discrepancies``: what reconciliation found wrong, one row per
  fault (unique by client, partner, reason code and subject), with a status
  (``open``, then ``resolved`` with who, when and how). Until the cases
  module takes them over, these rows are the partner-discrepancy cases.
  Migration 28 adds ``settled_by`` (``adjustment:ID`` or ``transfer:ID``:
  what settled it; NULL for no action, or a credit a later statement
  brought) and ``resolution_note`` (the closer's words).

Portable SQL (the PostgreSQL backend runs it through its dialect layer):
explicit column lists, ``RETURNING id``, ``ON CONFLICT DO NOTHING``, ``?``
placeholders. Call the writers inside `Store.transaction()`.

Registered after `claimflow.store.holds` (migration 25); migration 26 is
the account-services one on another branch, so this one is named 27.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from sqlite_utils import Database

from claimflow.store import holds as _earlier  # noqa: F401 (registers 2-25)
from claimflow.store.claims_schema import refuse_replace
from claimflow.store.schema import APPEND_ONLY, migrations, run_script

if TYPE_CHECKING:
    from claimflow.store import Store


@migrations()
def m027_partners(db: Database) -> None:
    """Partner transfers, reconciled statement lines and partner discrepancies."""
    run_script(
        db,
        """
        CREATE TABLE partner_transfers (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            partner TEXT NOT NULL,
            reference TEXT NOT NULL,
            reference_key TEXT NOT NULL,
            participant_id TEXT NOT NULL,
            member_number TEXT NOT NULL,
            points INTEGER NOT NULL,
            base_miles INTEGER NOT NULL,
            bonus_miles INTEGER NOT NULL,
            miles INTEGER NOT NULL,
            ratio TEXT NOT NULL,
            rounding TEXT NOT NULL,
            ledger_id INTEGER NOT NULL REFERENCES ledger(id),
            transferred_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            UNIQUE (client, partner, reference_key)
        );
        CREATE INDEX partner_transfers_when
            ON partner_transfers(client, partner, transferred_at);
        CREATE TABLE partner_credits (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            partner TEXT NOT NULL,
            statement_hash TEXT NOT NULL,
            statement_file TEXT NOT NULL,
            row_no INTEGER NOT NULL,
            transfer_id INTEGER REFERENCES partner_transfers(id),
            reference TEXT,
            member_number TEXT NOT NULL,
            points INTEGER,
            miles INTEGER NOT NULL,
            credited_on TEXT NOT NULL,
            result TEXT NOT NULL,
            reconciled_at TEXT NOT NULL,
            UNIQUE (client, partner, statement_hash, row_no)
        );
        CREATE INDEX partner_credits_transfer ON partner_credits(transfer_id);
        CREATE TABLE partner_discrepancies (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            partner TEXT NOT NULL,
            code TEXT NOT NULL,
            subject TEXT NOT NULL,
            transfer_id INTEGER REFERENCES partner_transfers(id),
            statement_file TEXT,
            row_no INTEGER,
            message TEXT NOT NULL,
            status TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT,
            resolution TEXT,
            UNIQUE (client, partner, code, subject)
        );
        """,
    )
    for table in ("partner_transfers", "partner_credits"):
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))
        refuse_replace(db, table)


@migrations()
def m028_discrepancy_settlement(db: Database) -> None:
    """What settled a partner discrepancy, and the closer's note."""
    run_script(
        db,
        """
        ALTER TABLE partner_discrepancies ADD COLUMN settled_by TEXT;
        ALTER TABLE partner_discrepancies ADD COLUMN resolution_note TEXT;
        """,
    )


class TransferRow(NamedTuple):
    """A stored transfer, as reconciliation and the idempotency check read it."""

    id: int
    reference: str
    participant_id: str
    member_number: str
    points: int
    base_miles: int
    bonus_miles: int
    miles: int
    transferred_at: str


class NewTransfer(NamedTuple):
    """A transfer to store (`add_transfer`)."""

    client: str
    partner: str
    reference: str
    reference_key: str
    participant_id: str
    member_number: str
    points: int
    base_miles: int
    bonus_miles: int
    ratio: str
    rounding: str
    ledger_id: int
    transferred_at: str
    actor: str


class CreditRow(NamedTuple):
    """A reconciled statement line to store (`add_credits`)."""

    client: str
    partner: str
    statement_hash: str
    statement_file: str
    row_no: int
    transfer_id: int | None
    reference: str | None
    member_number: str
    points: int | None
    miles: int
    credited_on: str
    result: str
    reconciled_at: str


class DiscrepancyRow(NamedTuple):
    """A partner discrepancy as stored (`open_discrepancies`, `discrepancies`)."""

    client: str
    partner: str
    code: str
    subject: str
    transfer_id: int | None
    statement_file: str | None
    row_no: int | None
    message: str
    status: str
    opened_at: str
    opened_by: str


_TRANSFER_COLUMNS = (
    "id, reference, participant_id, member_number, points, base_miles, "
    "bonus_miles, miles, transferred_at"
)


def _transfer(row: Sequence[object]) -> TransferRow:
    i, ref, who, member, points, base, bonus, miles, at = row
    return TransferRow(
        int(str(i)),
        str(ref),
        str(who),
        str(member),
        int(str(points)),
        int(str(base)),
        int(str(bonus)),
        int(str(miles)),
        str(at),
    )


def transfer_by_reference(
    store: Store, client: str, partner: str, reference_key: str
) -> TransferRow | None:
    """The transfer with a (normalised) reference, if any.

    Example: ``transfer_by_reference(store, "costa-azul", "vuelaclub", "CAZVC26110001")``
    """
    row = store.db.execute(
        f"SELECT {_TRANSFER_COLUMNS} FROM partner_transfers "
        "WHERE client = ? AND partner = ? AND reference_key = ?",
        [client, partner, reference_key],
    ).fetchone()
    return None if row is None else _transfer(row)


def transfers_through(
    store: Store, client: str, partner: str, through: str | None = None
) -> list[TransferRow]:
    """A partner's transfers made up to an instant (ISO text; None: all), in order.

    Example: ``transfers_through(store, "costa-azul", "vuelaclub", "2026-12-01T00:00:00+00:00")``
    """
    sql = f"SELECT {_TRANSFER_COLUMNS} FROM partner_transfers WHERE client = ? AND partner = ?"
    params = [client, partner]
    if through is not None:
        sql += " AND transferred_at <= ?"
        params.append(through)
    return [_transfer(row) for row in store.db.execute(sql + " ORDER BY id", params)]


def add_transfer(store: Store, transfer: NewTransfer) -> int:
    """Store a transfer; return its id.

    Example: ``add_transfer(store, NewTransfer("costa-azul", "vuelaclub", ...))``
    """
    row = store.db.execute(
        "INSERT INTO partner_transfers (client, partner, reference, reference_key, "
        "participant_id, member_number, points, base_miles, bonus_miles, miles, "
        "ratio, rounding, ledger_id, transferred_at, actor) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        [
            *transfer[:9],
            transfer.base_miles + transfer.bonus_miles,
            *transfer[9:],
        ],
    ).fetchone()
    return int(row[0])


def posting_id(store: Store, key: str) -> int:
    """The id of the ledger posting with an idempotency key (it must exist).

    Example: ``posting_id(store, "redemption:costa-azul:vuelaclub CAZVC1")``
    """
    return int(
        store.db.execute(
            "SELECT id FROM ledger WHERE idempotency_key = ?", [key]
        ).fetchone()[0]
    )


def statement_seen(store: Store, client: str, partner: str, digest: str) -> bool:
    """Whether a statement (by content hash) was reconciled before.

    Example: ``statement_seen(store, "costa-azul", "vuelaclub", digest)``
    """
    return (
        store.db.execute(
            "SELECT 1 FROM partner_credits WHERE client = ? AND partner = ? "
            "AND statement_hash = ? LIMIT 1",
            [client, partner, digest],
        ).fetchone()
        is not None
    )


def credited_before(
    store: Store, client: str, partner: str, digest: str
) -> dict[int, tuple[str, int]]:
    """Transfers credited by the statements reconciled before this one (by
    content hash): transfer id -> (file, row) of the first such credit.

    A statement not reconciled yet comes after every stored one; one
    reconciled already sees only the statements reconciled before its first
    reconciliation (`partner_credits` is append-only, so its ids are the
    order of reconciliation), so a re-run sees what its first run saw.

    Example: ``credited_before(store, "costa-azul", "vuelaclub", digest)``
    """
    found: dict[int, tuple[str, int]] = {}
    for transfer_id, file, row_no in store.db.execute(
        "SELECT transfer_id, statement_file, row_no FROM partner_credits "
        "WHERE client = ? AND partner = ? AND statement_hash <> ? "
        "AND transfer_id IS NOT NULL AND id < COALESCE((SELECT MIN(id) FROM "
        "partner_credits WHERE client = ? AND partner = ? AND statement_hash = ?), "
        "id + 1) ORDER BY id",
        [client, partner, digest, client, partner, digest],
    ):
        found.setdefault(int(transfer_id), (str(file), int(row_no)))
    return found


def add_credits(store: Store, rows: Sequence[CreditRow]) -> None:
    """Store a statement's lines as reconciled.

    Example: ``add_credits(store, [CreditRow("costa-azul", "vuelaclub", ...)])``
    """
    store.db.conn.executemany(
        "INSERT INTO partner_credits (client, partner, statement_hash, "
        "statement_file, row_no, transfer_id, reference, member_number, points, "
        "miles, credited_on, result, reconciled_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def open_discrepancies(store: Store, rows: Sequence[DiscrepancyRow]) -> list[int]:
    """Store discrepancies not open yet (by client, partner, code and subject);
    return the ids of the new ones.

    Example: ``open_discrepancies(store, [DiscrepancyRow("costa-azul", ...)])``
    """
    opened = []
    for row in rows:
        found = store.db.execute(
            "INSERT INTO partner_discrepancies (client, partner, code, subject, "
            "transfer_id, statement_file, row_no, message, status, opened_at, "
            "opened_by) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING RETURNING id",
            row,
        ).fetchone()
        if found is not None:
            opened.append(int(found[0]))
    return opened


def resolve_missing(
    store: Store,
    client: str,
    partner: str,
    transfer_ids: Sequence[int],
    at: str,
    actor: str,
    resolution: str,
) -> int:
    """Mark the open missing-credit discrepancies of these transfers resolved;
    return how many.

    Example: ``resolve_missing(store, "costa-azul", "vuelaclub", [3], at, "ann", "...")``
    """
    resolved = 0
    for transfer_id in transfer_ids:
        cursor = store.db.execute(
            "UPDATE partner_discrepancies SET status = 'resolved', resolved_at = ?, "
            "resolved_by = ?, resolution = ? WHERE client = ? AND partner = ? "
            "AND code = 'missing_credit' AND transfer_id = ? AND status = 'open'",
            [at, actor, resolution, client, partner, transfer_id],
        )
        resolved += cursor.rowcount
    return resolved


def discrepancies(
    store: Store, client: str, partner: str, status: str | None = None
) -> list[DiscrepancyRow]:
    """A partner's discrepancies (all, or those with a status), oldest first.

    Example: ``discrepancies(store, "costa-azul", "vuelaclub", "open")``
    """
    sql = (
        "SELECT client, partner, code, subject, transfer_id, statement_file, "
        "row_no, message, status, opened_at, opened_by FROM partner_discrepancies "
        "WHERE client = ? AND partner = ?"
    )
    params = [client, partner]
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    return [
        DiscrepancyRow(*row) for row in store.db.execute(sql + " ORDER BY id", params)
    ]


class DiscrepancyRecord(NamedTuple):
    """A partner discrepancy with its id and settlement (`discrepancy_records`)."""

    id: int
    client: str
    partner: str
    code: str
    subject: str
    transfer_id: int | None
    statement_file: str | None
    row_no: int | None
    message: str
    status: str
    opened_at: str
    opened_by: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None
    settled_by: str | None
    resolution_note: str | None


def discrepancy_records(
    store: Store,
    client: str,
    *,
    partner: str | None = None,
    status: str | None = None,
    discrepancy_id: int | None = None,
) -> list[DiscrepancyRecord]:
    """A client's partner discrepancies (of a partner, with a status, or one),
    by id.

    Example: ``discrepancy_records(store, "costa-azul", status="open")``
    """
    sql = (
        "SELECT id, client, partner, code, subject, transfer_id, statement_file, "
        "row_no, message, status, opened_at, opened_by, resolved_at, resolved_by, "
        "resolution, settled_by, resolution_note FROM partner_discrepancies "
        "WHERE client = ?"
    )
    params: list[object] = [client]
    for column, value in (
        ("partner", partner),
        ("status", status),
        ("id", discrepancy_id),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return [
        DiscrepancyRecord(*row)
        for row in store.db.execute(sql + " ORDER BY id", params)
    ]


def close_discrepancy_row(
    store: Store,
    discrepancy_id: int,
    settlement: tuple[str | None, str, str | None],
    at: str,
    actor: str,
) -> bool:
    """Mark an open discrepancy resolved with its settlement (settled_by,
    resolution, note); False when it was not open (closed by someone else).

    Example: ``close_discrepancy_row(store, 3, ("transfer:7", "transfer #7", None),
    at, "ann")``
    """
    settled_by, resolution, note = settlement
    cursor = store.db.execute(
        "UPDATE partner_discrepancies SET status = 'resolved', resolved_at = ?, "
        "resolved_by = ?, resolution = ?, settled_by = ?, resolution_note = ? "
        "WHERE id = ? AND status = 'open'",
        [at, actor, resolution, settled_by, note, discrepancy_id],
    )
    return bool(cursor.rowcount == 1)


def transfer_of_id(
    store: Store, client: str, transfer_id: int
) -> tuple[str, TransferRow] | None:
    """A transfer by id: (partner, transfer), if the client has it.

    Example: ``transfer_of_id(store, "costa-azul", 7)``
    """
    row = store.db.execute(
        f"SELECT partner, {_TRANSFER_COLUMNS} FROM partner_transfers "
        "WHERE client = ? AND id = ?",
        [client, transfer_id],
    ).fetchone()
    return None if row is None else (str(row[0]), _transfer(row[1:]))
