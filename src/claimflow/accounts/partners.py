"""Points-to-miles transfers: a ledger debit plus a transfer record, audited.

`transfer_points` checks the partner, the member number's format, the
partner's minimum and the participant's available points, then spends the
points as a redemption (`claimflow.award.ledger.redeem`: oldest-expiring
lots first, never more than available) and records the transfer with the
miles `PartnerSettings.miles` computes. The transfer's reference is its
idempotency key (per client and partner, compared normalised as invoice
numbers are): the same transfer again is a no-op that returns the first,
and a different transfer under a used reference is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from claimflow.accounts.partner_settings import PartnerSettings, check_member_number
from claimflow.award.ledger import (
    LedgerError,
    balance,
    redeem,
    refuse_merged,
)
from claimflow.award.references import differences, not_whole_points
from claimflow.award.run import expiry_of
from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.keys import normalize_key
from claimflow.shown import Desk, points_word
from claimflow.store import Store
from claimflow.store.partners import (
    NewTransfer,
    TransferRow,
    add_transfer,
    posting_id,
    transfer_by_reference,
)


class PartnerError(ClaimflowError):
    """A partner transfer cannot be made (unknown partner, a member number in the
    wrong format, below the minimum, too few points, a reference used before)."""


@dataclass(frozen=True)
class Transfer:
    """A points-to-miles transfer as recorded.

    Attributes:
        id: the transfer's id in the store.
        partner: the partner key.
        reference: the transfer reference (its idempotency key).
        participant_id: whose points.
        member_number: the partner account to credit.
        points: points debited from the ledger.
        base_miles: points / points_per_mile, rounded by the partner's rule.
        bonus_miles: the bonus for complete blocks.
        miles: what the partner must credit (base + bonus).
        transferred_at: when (UTC ISO text).
        repeated: True when this reference was transferred before (nothing
            posted this time).
    """

    id: int
    partner: str
    reference: str
    participant_id: str
    member_number: str
    points: int
    base_miles: int
    bonus_miles: int
    miles: int
    transferred_at: str
    repeated: bool = False

    @classmethod
    def of(cls, partner: str, row: TransferRow, repeated: bool) -> Transfer:
        """A stored transfer row as a `Transfer`."""
        return cls(partner=partner, **row._asdict(), repeated=repeated)

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return asdict(self)


def partner_of(client: ResolvedClient, key: str) -> PartnerSettings:
    """A client's partner by key.

    Raises:
        PartnerError: the client has no such partner (the message lists its own).

    Example: ``partner_of(client, "vuelaclub").points_per_mile``
    """
    found = client.config.partners.get(key)
    if found is None:
        known = ", ".join(sorted(client.config.partners)) or "none configured"
        raise PartnerError(
            f"{client.source_path}: partners: expected one of {known}, found {key!r}"
        )
    return found


def transfer_points(
    store: Store,
    client: ResolvedClient,
    partner_key: str,
    participant_id: str,
    points: int,
    member_number: str,
    reference: str,
    actor: str,
    at: datetime,
) -> Transfer:
    """Transfer points to a partner as miles: one ledger debit and one record.

    Args:
        store: the store.
        client: the resolved client (its ``partners`` section).
        partner_key: the partner (``vuelaclub``).
        participant_id: whose points.
        points: how many points to transfer.
        member_number: the participant's account with the partner.
        reference: the transfer's reference, unique per partner: the
            idempotency key.
        actor: who.
        at: when (timezone-aware).

    Returns:
        The transfer (``repeated`` when the reference was transferred before
        with the same participant, points and member number).

    Raises:
        PartnerError: unknown partner, member number in the wrong format,
            below the minimum, more than available, reference used before
            for another transfer, or unknown participant.

    Example: ``transfer_points(store, client, "vuelaclub", "300112457", 60_000,
    "VC10000001", "CAZ-VC-0001", "ann", now).miles == 29_000``
    """
    wrong = not_whole_points(points)
    if wrong is not None:
        raise PartnerError(wrong)
    partner = partner_of(client, partner_key)
    member = member_number.strip()
    wrong = check_member_number(partner, partner_key, member)
    if wrong:
        raise PartnerError(wrong)
    ref_key = normalize_key(reference)
    if not ref_key:
        raise PartnerError(f"reference {reference!r}: expected letters or digits")
    with store.transaction():
        earlier = transfer_by_reference(store, client.key, partner_key, ref_key)
        if earlier is not None:
            return _again(
                earlier, partner_key, participant_id, points, member, client.desk
            )
        _check_points(store, client, partner, partner_key, participant_id, points, at)
        miles = partner.miles(points)
        ledger_reference = f"{partner_key} {ref_key}"
        if redeem(
            store, client.key, participant_id, points, ledger_reference, actor, at,
            expiry=expiry_of(client),
        ):  # fmt: skip
            # a redemption, not a transfer, holds this reference: its points
            # paid for that, and must not be credited as miles too
            raise PartnerError(
                f"reference {reference!r}: redeemed as {ledger_reference!r}, not "
                f"transferred; give the transfer its own"
            )
        when = at.astimezone(UTC).isoformat()
        row = NewTransfer(
            client.key,
            partner_key,
            reference.strip(),
            ref_key,
            participant_id,
            member,
            points,
            miles.base,
            miles.bonus,
            str(partner.points_per_mile),
            partner.rounding,
            posting_id(store, f"redemption:{client.key}:{ledger_reference}"),
            when,
            actor,
        )
        transfer_id = add_transfer(store, row)
        transfer = Transfer(
            transfer_id,
            partner_key,
            row.reference,
            participant_id,
            member,
            points,
            miles.base,
            miles.bonus,
            miles.total,
            when,
        )
        store.audit(actor, "partners transfer", transfer.to_dict())
    return transfer


def _again(
    earlier: TransferRow,
    partner: str,
    participant: str,
    points: int,
    member: str,
    desk: Desk,
) -> Transfer:
    """The earlier transfer under this reference, if it is the same transfer;
    else refused, naming each field this one asks differently, old and new."""
    # a member number keyed with other spaces or dashes is the same account
    same_member = normalize_key(member) == normalize_key(earlier.member_number)
    differ = differences(
        [
            ("participant", participant, earlier.participant_id),
            ("points", desk.points(points), desk.points(earlier.points)),
            (
                "member number",
                earlier.member_number if same_member else member,
                earlier.member_number,
            ),
        ]
    )
    if not differ:
        return Transfer.of(partner, earlier, repeated=True)
    raise PartnerError(
        f"reference {earlier.reference!r} was used before: transfer #{earlier.id} of "
        f"{desk.points(earlier.points)} {points_word(earlier.points)} by participant "
        f"{earlier.participant_id} "
        f"to {partner} member {earlier.member_number} at "
        f"{desk.time(earlier.transferred_at)}; this one asks {differ}; give each "
        "transfer its own"
    )


def _check_points(
    store: Store,
    client: ResolvedClient,
    partner: PartnerSettings,
    partner_key: str,
    participant_id: str,
    points: int,
    at: datetime,
) -> None:
    shown = client.desk.points  # 10.000 at an es_ES desk: 10,000 there is ten
    if points < partner.minimum_points:
        raise PartnerError(
            f"expected at least {shown(partner.minimum_points)} "
            f"{points_word(partner.minimum_points)} for a "
            f"{partner_key} transfer, found {shown(points)}"
        )
    if not store.known_participant(client.key, participant_id):
        raise PartnerError(
            f"participant {participant_id}: not on {client.key}'s member list or ledger"
        )
    try:
        refuse_merged(
            store, client.key, participant_id, "transfer from {survivor} instead",
            client.desk,
        )  # fmt: skip
    except LedgerError as refused:
        raise PartnerError(str(refused)) from None
    available = balance(
        store, client.key, participant_id, at, expiry_of(client)
    ).available
    if points > available:
        raise PartnerError(
            f"participant {participant_id}: expected at most {shown(available)} "
            f"points (available), found {shown(points)} to transfer to {partner_key}"
        )
    if partner.miles(points).total == 0:
        raise PartnerError(
            f"{shown(points)} {points_word(points)} earn"
            f"{'s' if points == 1 else ''} 0 {partner_key} miles at "
            f"{partner.points_per_mile} "
            f"{'point' if partner.points_per_mile == 1 else 'points'} per mile"
        )
