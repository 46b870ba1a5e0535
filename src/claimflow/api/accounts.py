"""Public member account stages: merges, adjustments, cases, partner transfers.

Each follows the calling convention of `claimflow.api` (subject, client,
store, keyword-only options) and calls `claimflow.accounts`, where each
write is one audited transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from claimflow.api.common import (
    ClientLike,
    default_operator,
    resolve_client,
    written_at,
)
from claimflow.keys import ascii_digits

if TYPE_CHECKING:
    from claimflow.accounts.adjust import Adjustment
    from claimflow.accounts.cases import Case
    from claimflow.accounts.discrepancies import PartnerDiscrepancy, State
    from claimflow.accounts.figures import CaseFigures
    from claimflow.accounts.merge import MergeResult
    from claimflow.accounts.partners import Transfer
    from claimflow.accounts.reconcile import Reconciliation
    from claimflow.store import Store


def merge_accounts(
    survivor: str,
    merged: str,
    client: ClientLike,
    store: Store,
    *,
    note: str = "",
    at: datetime | date | None = None,
    operator: str | None = None,
) -> MergeResult:
    """Merge account `merged` into `survivor` (after a reviewer marked them same).

    Points move lot by lot with their dates, claims and open cases follow,
    the survivor's tier history combines both (``accounts.tier_on_merge``),
    `merged` is closed. Refused (`AccountError`, nothing written) without a
    ``same`` mark, on two different tax ids, when both redeemed one
    reference, or on tiers ``accounts.tiers`` does not rank.

    Example: ``merge_accounts("104233", "104876", "acme-tools", store).points``
    """
    from claimflow.accounts.merge import merge_accounts as merge

    resolved = resolve_client(client)
    accounts = resolved.config.accounts
    tiers = (
        ("higher", ()) if accounts is None
        else (accounts.tier_on_merge, tuple(accounts.tiers))
    )  # fmt: skip
    return merge(
        store, resolved.key, ascii_digits(survivor), ascii_digits(merged),
        operator or default_operator(), written_at(at, resolved), note, tiers,
        resolved.config.locale, resolved.desk,
    )  # fmt: skip


def unmerge_accounts(
    merged: str,
    client: ClientLike,
    store: Store,
    *,
    note: str = "",
    at: datetime | date | None = None,
    operator: str | None = None,
) -> MergeResult:
    """Undo the merge of `merged` exactly (refused once moved points were used).

    Example: ``unmerge_accounts("104876", "acme-tools", store).action == "unmerge"``
    """
    from claimflow.accounts.merge import unmerge_accounts as unmerge

    resolved = resolve_client(client)
    return unmerge(
        store, resolved.key, ascii_digits(merged), operator or default_operator(),
        written_at(at, resolved), note, resolved.desk,
    )  # fmt: skip


def request_adjustment(
    participant: str,
    points: int,
    client: ClientLike,
    store: Store,
    *,
    reason: str,
    note: str,
    case: int | None = None,
    claim: str | None = None,
    reference: str | None = None,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Adjustment:
    """Adjust a participant's points, with its cost at the client's point value.

    Within the operator's approval limit it posts at once; above it, it is
    pending until `approve_adjustment` by someone else. `points` may be
    negative; `reason` is an `AdjustmentReason` value (``goodwill``,
    ``service_recovery``, ``missing_credit``, ``correction``,
    ``partner_discrepancy``); a `reference` is used once per client.

    Example: ``request_adjustment("104233", 500, "acme-tools", store,
    reason="goodwill", note="late parcel").status``
    """
    from claimflow.accounts.adjust import AdjustmentReason
    from claimflow.accounts.adjust import request_adjustment as request

    resolved = resolve_client(client)
    return request(
        store, resolved, ascii_digits(participant), points, AdjustmentReason(reason), note,
        operator or default_operator(), written_at(at, resolved), case_id=case,
        claim_id=claim, reference=reference,
    )  # fmt: skip


def approve_adjustment(
    adjustment: int,
    client: ClientLike,
    store: Store,
    *,
    reject: bool = False,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Adjustment:
    """Post (or, with `reject`, reject) a pending adjustment, as someone other
    than its maker whose limit covers it.

    Example: ``approve_adjustment(7, "acme-tools", store, operator="sam").status``
    """
    from claimflow.accounts.adjust import approve_adjustment as approve

    resolved = resolve_client(client)
    return approve(
        store, resolved, adjustment, operator or default_operator(),
        written_at(at, resolved), reject=reject,
    )  # fmt: skip


def list_adjustments(
    client: ClientLike, store: Store, *, pending: bool = False
) -> list[Adjustment]:
    """A client's adjustments with status, who decided and cost (`pending`: those
    waiting for approval only).

    Example: ``[a.status for a in list_adjustments("acme-tools", store)]``
    """
    from claimflow.accounts.adjust import adjustments

    return adjustments(store, resolve_client(client), pending=pending)


def open_case(
    participant: str,
    client: ClientLike,
    store: Store,
    *,
    case_type: str,
    owner: str,
    category: str = "general",
    subject: str = "",
    level: str = "L1",
    links: tuple[str, ...] = (),
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Case:
    """Open a member service case; its SLA clock starts at `at`. The same
    case opened again is a no-op that returns the first (``repeated``).

    Example: ``open_case("104233", "acme-tools", store, case_type="complaint",
    owner="ann").id``
    """
    from claimflow.accounts.cases import cases, open_case_once

    resolved = resolve_client(client)
    case_id, repeated = open_case_once(
        store, resolved.key, case_type, ascii_digits(participant), owner,
        operator or default_operator(), written_at(at, resolved), category=category,
        subject=subject, level=level, links=links,
    )  # fmt: skip
    (case,) = cases(store, resolved.key, case_id)
    case.repeated = repeated
    return case


def record_case_event(
    case: int,
    event: str,
    client: ClientLike,
    store: Store,
    *,
    value: str | None = None,
    note: str | None = None,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Case:
    """Record what happened to an open case (``contact``, ``escalated`` LEVEL,
    ``owner`` NAME, ``link`` KIND:ID, ``closed`` RESOLUTION); the case after it.
    The same event at the same time again is a no-op (``repeated``).

    Example: ``record_case_event(3, "escalated", "acme-tools", store, value="L2").level``
    """
    from claimflow.accounts.cases import case_event

    resolved = resolve_client(client)
    return case_event(
        store, resolved.key, case, event, operator or default_operator(),
        written_at(at, resolved), value=value, note=note, zone=resolved.zone,
    )  # fmt: skip


def list_cases(
    client: ClientLike, store: Store, *, open_only: bool = False
) -> list[Case]:
    """A client's cases with owner, level and state (`open_only`: not closed).

    Example: ``[c.id for c in list_cases("acme-tools", store, open_only=True)]``
    """
    from claimflow.accounts.cases import cases

    found = cases(store, resolve_client(client).key)
    return [c for c in found if not (open_only and c.closed_at)]


def case_report(
    client: ClientLike,
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
) -> CaseFigures:
    """Case SLA figures of the cases opened from `start` through `end` (desk
    days, both included): within SLA, escalations, cost, by owner and category.

    Example: ``case_report("acme-tools", store, start=date(2026, 12, 1)).total``
    """
    from datetime import timedelta

    from claimflow.accounts.figures import case_figures

    after = end + timedelta(days=1) if end is not None else None
    return case_figures(store, resolve_client(client), start=start, end=after)


def transfer_points(
    participant: str,
    points: int,
    client: ClientLike,
    store: Store,
    *,
    partner: str,
    member_number: str,
    reference: str,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Transfer:
    """Transfer a participant's points to a partner as miles (a ledger debit,
    oldest-expiring lots first). The same `reference` again posts nothing.

    Example: ``transfer_points("300112457", 60000, "costa-azul", store,
    partner="vuelaclub", member_number="VC10000001", reference="CAZ-1").miles``
    """
    from claimflow.accounts.partners import transfer_points as transfer

    resolved = resolve_client(client)
    return transfer(
        store, resolved, partner, ascii_digits(participant), points, member_number, reference,
        operator or default_operator(), written_at(at, resolved),
    )  # fmt: skip


def reconcile_statement(
    statement: Path,
    client: ClientLike,
    store: Store,
    *,
    partner: str,
    through: date | None = None,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> Reconciliation:
    """Match a partner's credit statement (CSV or xlsx) to the transfers; each
    fault opens a discrepancy (once: the same statement again opens nothing).

    Example: ``reconcile_statement(Path("vuelaclub.csv"), "costa-azul", store,
    partner="vuelaclub").findings``
    """
    from claimflow.accounts.reconcile import reconcile_statement as reconcile

    resolved = resolve_client(client)
    return reconcile(
        store, resolved, partner, statement, operator or default_operator(),
        written_at(at, resolved), through,
    )  # fmt: skip


def list_discrepancies(
    client: ClientLike,
    store: Store,
    *,
    partner: str | None = None,
    statement: str | Path | None = None,
    state: State = "all",
) -> list[PartnerDiscrepancy]:
    """The client's partner discrepancies (of a partner, raised by a
    statement's lines, open or closed), oldest first.

    Raises:
        PartnerError: `partner` is not one of the client's partners.

    Example: ``list_discrepancies("costa-azul", store, state="open")``
    """
    from claimflow.accounts.discrepancies import list_discrepancies as listed
    from claimflow.accounts.partners import partner_of

    resolved = resolve_client(client)
    if partner is not None:
        partner_of(resolved, partner)  # refuses a partner the client has not
    return listed(
        store, resolved.key, partner=partner, statement=statement, state=state
    )


def close_discrepancy(
    discrepancy_id: int,
    client: ClientLike,
    store: Store,
    *,
    adjustment: int | None = None,
    transfer: int | None = None,
    no_action: bool = False,
    note: str | None = None,
    at: datetime | date | None = None,
    operator: str | None = None,
) -> PartnerDiscrepancy:
    """Close an open partner discrepancy with the posted adjustment or the
    transfer that settled it, or no action with a note; audited, and never
    twice.

    Example: ``close_discrepancy(3, "costa-azul", store, no_action=True,
    note="partner re-credited").status``
    """
    from claimflow.accounts.discrepancies import close_discrepancy as close

    resolved = resolve_client(client)
    return close(
        store, resolved.key, discrepancy_id, operator or default_operator(),
        written_at(at, resolved), adjustment=adjustment, transfer=transfer,
        no_action=no_action, note=note, desk=resolved.desk,
    )  # fmt: skip
