"""Partner discrepancies: listed, and closed with what settled them.

Reconciliation (`claimflow.accounts.reconcile`) opens one discrepancy per
fault. `list_discrepancies` reads them back (by partner, by the statement
whose line raised them, open or closed); `close_discrepancy` closes an open
one, in one audited transaction, with exactly one settlement:

- an **adjustment** (``ledger adjust``) that put the points right: it must
  be posted (one waiting for approval or rejected settles nothing);
- a **transfer** (``partners transfer``) of the same partner: the transfer
  that was re-sent, or the one the credit belonged to;
- **no action**, with a note saying why (the partner corrected it, the
  member was told...).

A closed discrepancy is never closed again: the second attempt is refused
with who closed it and how. Missing credits that a later statement credits
are closed by the reconciliation itself (``credited by FILE``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from claimflow.accounts.adjust import Adjustment
from claimflow.accounts.merge import AccountError
from claimflow.shown import PLAIN_DESK, Desk
from claimflow.store import Store
from claimflow.store.accounts import adjustment_rows
from claimflow.store.partners import (
    DiscrepancyRecord,
    close_discrepancy_row,
    discrepancy_records,
    transfer_of_id,
)

#: Which discrepancies to list.
State = Literal["open", "closed", "all"]


@dataclass(frozen=True)
class PartnerDiscrepancy:
    """A partner discrepancy and where it stands.

    Attributes:
        id: its number (what ``partners close`` takes).
        partner: the partner key.
        code: the reason code (``missing_credit``, ``wrong_ratio``...).
        transfer_id: the transfer it concerns, if any.
        statement_file, row: the statement line that raised it (None for a
            missing credit: no line).
        message: what was found.
        status: ``open`` or ``closed``.
        opened_at, opened_by: when reconciliation found it, and who ran it.
        closed_at, closed_by: who closed it, when (None while open).
        resolution: how, in words (``adjustment #4 (posting #41)``,
            ``transfer #7 (CAZ-VC-0007)``, ``no action``, ``credited by
            FILE``).
        settled_by: ``adjustment:ID`` or ``transfer:ID`` (None: no action,
            or credited by a later statement).
        note: the closer's note.
    """

    id: int
    partner: str
    code: str
    transfer_id: int | None
    statement_file: str | None
    row: int | None
    message: str
    status: str
    opened_at: str
    opened_by: str
    closed_at: str | None
    closed_by: str | None
    resolution: str | None
    settled_by: str | None
    note: str | None

    @classmethod
    def of(cls, row: DiscrepancyRecord) -> PartnerDiscrepancy:
        """From a stored row."""
        return cls(
            row.id,
            row.partner,
            row.code,
            row.transfer_id,
            row.statement_file,
            row.row_no,
            row.message,
            "open" if row.status == "open" else "closed",
            row.opened_at,
            row.opened_by,
            row.resolved_at,
            row.resolved_by,
            row.resolution,
            row.settled_by,
            row.resolution_note,
        )

    def to_dict(self) -> dict[str, object]:
        """As plain data (what ``partners discrepancies --json`` prints)."""
        return asdict(self)


def list_discrepancies(
    store: Store,
    client: str,
    *,
    partner: str | None = None,
    statement: str | Path | None = None,
    state: State = "all",
) -> list[PartnerDiscrepancy]:
    """A client's partner discrepancies, oldest first.

    Args:
        store: the store.
        client: the client key.
        partner: only this partner's.
        statement: only those raised by lines of this statement (matched by
            file name; missing credits belong to no line).
        state: ``open``, ``closed`` or ``all``.

    Example: ``list_discrepancies(store, "costa-azul", state="open")``
    """
    status = {"open": "open", "closed": "resolved", "all": None}[state]
    found = [
        PartnerDiscrepancy.of(r)
        for r in discrepancy_records(store, client, partner=partner, status=status)
    ]
    if statement is not None:
        name = Path(statement).name
        found = [
            d for d in found if d.statement_file and Path(d.statement_file).name == name
        ]
    return found


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _settlement(
    store: Store,
    client: str,
    found: PartnerDiscrepancy,
    adjustment: int | None,
    transfer: int | None,
) -> tuple[str | None, str]:
    """(settled_by, resolution) of the one settlement asked for."""
    if adjustment is not None:
        rows = adjustment_rows(store, client, adjustment)
        if not rows:
            raise AccountError(
                f"adjustment {adjustment}: no such adjustment for {client}"
            )
        made = Adjustment.of(rows[0])
        if made.status != "posted":
            raise AccountError(
                f"adjustment {adjustment}: {made.status}, not posted; only a posted "
                "adjustment settles a discrepancy"
            )
        return (
            f"adjustment:{adjustment}",
            f"adjustment #{adjustment} (posting #{made.posting_id})",
        )
    if transfer is not None:
        held = transfer_of_id(store, client, transfer)
        if held is None:
            raise AccountError(f"transfer {transfer}: no such transfer for {client}")
        if held[0] != found.partner:
            raise AccountError(
                f"transfer {transfer}: a transfer to {held[0]}; discrepancy "
                f"#{found.id} is {found.partner}'s"
            )
        return f"transfer:{transfer}", f"transfer #{transfer} ({held[1].reference})"
    return None, "no action"


def close_discrepancy(
    store: Store,
    client: str,
    discrepancy_id: int,
    actor: str,
    at: datetime,
    *,
    adjustment: int | None = None,
    transfer: int | None = None,
    no_action: bool = False,
    note: str | None = None,
    desk: Desk = PLAIN_DESK,
) -> PartnerDiscrepancy:
    """Close an open partner discrepancy with what settled it.

    Args:
        store: the store.
        client: the client key.
        discrepancy_id: the discrepancy.
        actor: who closes it (audited).
        at: when (timezone-aware).
        adjustment: the posted adjustment that settled it, or
        transfer: the transfer (same partner) that settled it, or
        no_action: nothing was done (then `note` says why).
        note: the closer's words.
        desk: how a refusal writes times (the client's zone).

    Returns:
        The discrepancy, closed.

    Raises:
        AccountError: no such discrepancy, closed already, not exactly one
            settlement, no note for no action, an adjustment not posted, a
            transfer unknown or of another partner; nothing is written.

    Example: ``close_discrepancy(store, "costa-azul", 3, "ann", now,
    no_action=True, note="partner re-credited")``
    """
    chosen = (adjustment is not None) + (transfer is not None) + no_action
    if chosen != 1:
        raise AccountError(
            f"discrepancy {discrepancy_id}: expected one settlement (an adjustment, "
            f"a transfer, or no action), found {chosen}"
        )
    note = (note or "").strip() or None
    if no_action and note is None:
        raise AccountError(
            f"discrepancy {discrepancy_id}: no action needs a note saying why"
        )
    with store.transaction():
        rows = discrepancy_records(store, client, discrepancy_id=discrepancy_id)
        if not rows:
            raise AccountError(
                f"discrepancy {discrepancy_id}: no such discrepancy for {client}"
            )
        found = PartnerDiscrepancy.of(rows[0])
        if found.status == "closed":
            raise AccountError(
                f"discrepancy {discrepancy_id}: closed already by {found.closed_by} "
                f"at {desk.time(found.closed_at)} ({found.resolution})"
            )
        settled_by, resolution = _settlement(store, client, found, adjustment, transfer)
        if not close_discrepancy_row(
            store, discrepancy_id, (settled_by, resolution, note), _utc(at), actor
        ):  # pragma: no cover - the transaction holds the row
            raise AccountError(f"discrepancy {discrepancy_id}: closed meanwhile")
        closed = PartnerDiscrepancy.of(
            discrepancy_records(store, client, discrepancy_id=discrepancy_id)[0]
        )
        store.audit(actor, "partners close", closed.to_dict())
    return closed
