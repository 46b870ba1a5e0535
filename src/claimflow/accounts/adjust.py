"""Point adjustments and goodwill under approval limits (maker-checker).

`request_adjustment` records an adjustment with its reason code, note,
link (a case or a claim) and money cost (points x the client's point value,
rounded half up to the cent). Within the requester's limit (the role the
client's ``accounts.operators`` gives them, and that role's
``approval_limits``) it is posted at once; above it, it waits until
`approve_adjustment` by a different operator whose own limit covers it.
A credit is a lot (available at once, expiring under the client's fixed
expiry policy); a debit takes available points oldest-expiring first, as a
redemption does, and is refused beyond them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from claimflow.accounts.merge import AccountError, merged_into
from claimflow.accounts.settings import AccountSettings
from claimflow.award.ledger import (
    LedgerError,
    debit_available,
    refuse_merged,
)
from claimflow.award.references import (
    differences,
    not_whole_points,
    reference_key,
    reference_pattern,
)
from claimflow.config import ResolvedClient
from claimflow.store import Store
from claimflow.store.accounts import (
    AdjustmentRow,
    add_adjustment,
    add_adjustment_decision,
    add_posting,
    adjustment_rows,
    adjustments_like,
)
from claimflow.store.cases import add_case_events, case_rows
from claimflow.store.instants import utc_text


class AdjustmentReason(StrEnum):
    """Why points are adjusted (stable codes, kept on the posting)."""

    GOODWILL = "goodwill"
    SERVICE_RECOVERY = "service_recovery"
    MISSING_CREDIT = "missing_credit"
    CORRECTION = "correction"
    PARTNER_DISCREPANCY = "partner_discrepancy"


@dataclass(frozen=True)
class Adjustment:
    """An adjustment and where it stands.

    Attributes:
        id: its number (what ``ledger approve`` takes).
        participant_id: whose points.
        points: signed points.
        reason: the reason code; note: the requester's words.
        case_id, claim_id: what it resolves, if linked.
        requested_by, requested_at: the maker.
        cost: points x point value, rounded half up to the cent.
        status: ``posted``, ``pending`` or ``rejected``.
        decided_by: who posted (the maker within their limit, else the
            checker) or rejected it.
        posting_id: the ledger posting, once posted.
        repeated: True when this is an earlier adjustment asked for again
            under its reference (a retry): nothing recorded or posted now.
    """

    id: int
    participant_id: str
    points: int
    reason: str
    note: str
    case_id: int | None
    claim_id: str | None
    requested_by: str
    requested_at: str
    cost: Decimal
    status: str
    decided_by: str | None
    posting_id: int | None
    repeated: bool = False

    @classmethod
    def of(cls, row: AdjustmentRow) -> Adjustment:
        """From a stored row (`claimflow.store.accounts.adjustment_rows`)."""
        decision = row[12]
        status = "pending" if decision is None else str(decision)
        return cls(
            row[0],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            Decimal(row[11]),
            status,
            row[13],
            row[15],
        )

    def to_dict(self) -> dict[str, object]:
        """As plain data (the cost as text)."""
        data = dict(self.__dict__)
        data["cost"] = str(self.cost)
        return data


def account_settings(client: ResolvedClient) -> AccountSettings:
    """The client's ``accounts`` section, or a clear refusal without one.

    Example: ``account_settings(load_client("samples/clients/acme-tools.yaml"))``
    """
    if client.config.accounts is None:
        raise AccountError(
            f"{client.source_path}: accounts: not set (point_value, "
            "approval_limits, operators); add it to adjust points or report cases"
        )
    return client.config.accounts


_utc = utc_text  # the ledger's one writer of instants (UTC ISO text)


def _check_request(
    store: Store,
    client: ResolvedClient,
    participant_id: str,
    points: int,
    links: tuple[int | None, str | None],
) -> None:
    wrong = not_whole_points(points)
    if wrong is not None:
        raise AccountError(wrong)
    if points == 0:
        raise AccountError("expected a number of points other than 0, found 0")
    if not store.known_participant(client.key, participant_id):
        raise AccountError(
            f"participant {participant_id}: not on {client.key}'s member list or ledger"
        )
    try:
        refuse_merged(
            store, client.key, participant_id, "adjust {survivor} instead", client.desk
        )
    except LedgerError as refused:
        raise AccountError(str(refused)) from None
    case_id, claim_id = links
    if case_id is not None and not case_rows(store, client.key, case_id):
        raise AccountError(f"case {case_id}: no such case for {client.key}")
    if claim_id is not None:
        store.resolve_claim(claim_id, client.key)


def request_adjustment(
    store: Store,
    client: ResolvedClient,
    participant_id: str,
    points: int,
    reason: AdjustmentReason,
    note: str,
    actor: str,
    at: datetime,
    *,
    case_id: int | None = None,
    claim_id: str | None = None,
    reference: str | None = None,
) -> Adjustment:
    """Record an adjustment; post it when within `actor`'s limit.

    Args:
        store: the store.
        client: the resolved client (its ``accounts`` settings).
        participant_id: whose points.
        points: signed points (a debit takes available points).
        reason: the reason code.
        note: why, in words (required).
        actor: the requester.
        at: when.
        case_id: the case it resolves (the posting is linked to it).
        claim_id: the claim it concerns.
        reference: the desk's own reference (a ticket number), used once per
            client: the same request again (participant, points, reason,
            note, case and claim) is a retry and returns the first
            adjustment ``repeated``, adjusting nothing; another request
            under it is refused naming what differs.

    Returns:
        The adjustment, ``posted`` or ``pending`` (or ``repeated``).

    Raises:
        AccountError: no ``accounts`` settings, 0 points, an unknown or
            merged participant, an unknown case or claim, no note; or
            (`LedgerError`) a debit beyond the available points.

    Example: ``request_adjustment(store, client, "104233", 500,
    AdjustmentReason.GOODWILL, "late delivery", "ann", now)``
    """
    settings = account_settings(client)
    if not note.strip():
        raise AccountError(
            "--note: expected why the points are adjusted, found nothing"
        )
    if reference is not None and not reference_key(reference):
        # folded to nothing, it would be every such reference's "used before"
        raise AccountError(
            f"--reference {reference!r}: expected a ticket number "
            "(letters or digits)"
        )
    if claim_id is not None:
        claim_id = store.resolve_claim(claim_id, client.key)
    _check_request(store, client, participant_id, points, (case_id, claim_id))
    limit = settings.limit_of(actor)
    with store.transaction():
        used = (
            _earlier_adjustment(store, client.key, reference) if reference else None
        )
        if used is not None:
            earlier = Adjustment.of(adjustment_rows(store, client.key, used[0])[0])
            differ = _differences(earlier, participant_id, points, reason, note,
                                  (case_id, claim_id), client)  # fmt: skip
            if not differ:  # a retry of what was asked: nothing to do again
                return replace(earlier, repeated=True)
            written = "" if used[3] == reference else f" as {used[3]!r}"
            raise AccountError(
                f"reference {reference!r} was used before{written}: "
                f"adjustment #{used[0]} "
                f"requested by {used[1]} at {client.desk.time(used[2])}; this one asks "
                f"{differ}; "
                "give each adjustment its own"
            )
        adjustment_id = add_adjustment(
            store,
            (
                client.key,
                participant_id,
                points,
                reason.value,
                note,
                case_id,
                claim_id,
                actor,
                _utc(at),
                str(settings.point_value),
                str(settings.cost(points, client.config.currency)),
                reference,
            ),
        )
        row = adjustment_rows(store, client.key, adjustment_id)[0]
        if limit is None or abs(points) <= limit:
            _post(store, client, row, actor, at)
        done = Adjustment.of(adjustment_rows(store, client.key, adjustment_id)[0])
        store.audit(actor, "ledger adjust", done.to_dict())
    return done


def _earlier_adjustment(
    store: Store, client: str, reference: str
) -> tuple[int, str, str, str] | None:
    """The client's adjustment under the same reference, compared as
    redemption references are (`reference_key`: case and punctuation
    ignored, so a retry keyed ``tck-0101`` is ``TCK-0101``'s): (id,
    requested by, at, reference as written), if any.
    """
    key = reference_key(reference)
    for row in adjustments_like(store, client, reference_pattern(key)):
        if reference_key(row[3]) == key:
            return row
    return None


def _differences(
    earlier: Adjustment,
    participant_id: str,
    points: int,
    reason: AdjustmentReason,
    note: str,
    links: tuple[int | None, str | None],
    client: ResolvedClient,
) -> str:
    """What a request under a used reference asks differently (`differences`)."""
    return differences(
        [
            ("participant", participant_id, earlier.participant_id),
            ("points", client.desk.signed(points), client.desk.signed(earlier.points)),
            ("reason", reason.value, earlier.reason),
            ("note", repr(note), repr(earlier.note)),
            ("case", _named(links[0]), _named(earlier.case_id)),
            ("claim", _named(links[1]), _named(earlier.claim_id)),
        ]
    )


def _named(link: int | str | None) -> str:
    return "none" if link is None else str(link)


def _post(
    store: Store, client: ResolvedClient, row: AdjustmentRow, actor: str, at: datetime
) -> int:
    """Post an adjustment, record who decided, link it to its case."""
    adjustment_id, participant_id, points, reason = row[0], row[2], row[3], row[4]
    key = f"adjustment:{client.key}:{adjustment_id}"
    if points > 0:
        award = client.config.award
        expires = None
        if award is not None and award.expiry.policy == "fixed" and award.expiry.months:
            expires = _utc(at + relativedelta(months=award.expiry.months))
        posting_id = add_posting(
            store,
            client.key,
            participant_id,
            "adjustment",
            points,
            key,
            (_utc(at), _utc(at), expires),
            reason,
            actor,
            claim_id=row[7],
        )
    else:
        posting_id = debit_available(
            store,
            client.key,
            participant_id,
            -points,
            ("adjustment", key, reason),
            actor,
            at,
            client.config.award.expiry if client.config.award is not None else None,
        )
    add_adjustment_decision(store, adjustment_id, "posted", actor, _utc(at), posting_id)
    if row[6] is not None:
        add_case_events(
            store,
            [
                (
                    row[6],
                    "link",
                    f"posting:{posting_id}",
                    _utc(at),
                    actor,
                    f"adjustment #{adjustment_id}",
                )
            ],
        )
    return posting_id


def approve_adjustment(
    store: Store,
    client: ResolvedClient,
    adjustment_id: int,
    actor: str,
    at: datetime,
    *,
    reject: bool = False,
) -> Adjustment:
    """Approve (post) or reject a pending adjustment, as a different operator.

    The same person's retry of the same decision (a command run again after
    a lost connection) changes nothing and returns the adjustment as it is.

    Raises:
        AccountError: no such adjustment, not pending, the approver is the
            requester, or the approver's own limit is below its points.

    Example: ``approve_adjustment(store, client, 3, "sam", now)``
    """
    settings = account_settings(client)
    rows = adjustment_rows(store, client.key, adjustment_id)
    if not rows:
        raise AccountError(
            f"adjustment {adjustment_id}: no such adjustment for {client.key}"
        )
    found = Adjustment.of(rows[0])
    if found.status == ("rejected" if reject else "posted") and found.decided_by == actor:
        return found  # the same person's retry of the same decision: nothing to do
    if found.status != "pending":
        raise AccountError(
            f"adjustment {adjustment_id}: already {found.status} by {found.decided_by}"
        )
    if actor == found.requested_by:
        raise AccountError(
            f"adjustment {adjustment_id}: requested by {actor}; another person must "
            "approve it (maker-checker)"
        )
    survivor = merged_into(store, client.key, found.participant_id)
    if not reject and survivor is not None:
        raise AccountError(
            f"adjustment {adjustment_id}: participant {found.participant_id} was "
            f"merged into {survivor} since; reject it and adjust {survivor}"
        )
    limit = settings.limit_of(actor)
    if not reject and limit is not None and abs(found.points) > limit:
        raise AccountError(
            f"adjustment {adjustment_id}: {client.desk.points(abs(found.points))} "
            f"points is above {actor}'s approval limit ({client.desk.points(limit)}); "
            "a supervisor must approve it"
        )
    with store.transaction():
        if reject:
            add_adjustment_decision(
                store, adjustment_id, "rejected", actor, _utc(at), None
            )
        else:
            _post(store, client, rows[0], actor, at)
        done = Adjustment.of(adjustment_rows(store, client.key, adjustment_id)[0])
        store.audit(actor, "ledger approve", done.to_dict())
    return done


def adjustments(
    store: Store, client: ResolvedClient, *, pending: bool = False
) -> list[Adjustment]:
    """A client's adjustments by id (only those waiting for approval with `pending`).

    Example: ``[a.id for a in adjustments(store, client, pending=True)]``
    """
    found = [Adjustment.of(r) for r in adjustment_rows(store, client.key)]
    return [a for a in found if a.status == "pending"] if pending else found
