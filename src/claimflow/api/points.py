"""Public stages over points: award runs, explanations and the ledger.

Each follows the calling convention of `claimflow.api` and returns a typed
result with ``to_dict()``. A ``preview`` runs the whole operation in its
transaction, checks included, then rolls it back: nothing is posted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    client_desk,
    client_then_store,
    default_operator,
    instant,
    require_batch,
    resolve_client,
    written_at,
)
from claimflow.errors import ClaimflowError
from claimflow.keys import ascii_digits
from claimflow.output import json_ready
from claimflow.window import desk_day

if TYPE_CHECKING:
    from claimflow.award.ledger import Balance
    from claimflow.award.run import AwardRunResult
    from claimflow.config import ResolvedClient
    from claimflow.store import Store


def award_claims(
    client: ClientLike,
    store: Store,
    *,
    batch: int | None = None,
    preview: bool = False,
    at: datetime | None = None,
    operator: str | None = None,
    notices: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> AwardRunResult:
    """Compute and (unless `preview`) post awards for accepted claims, once each.

    Args:
        client: the client (its ``award`` section applies).
        store: the store.
        batch: only claims of this batch.
        preview: compute and show; post nothing.
        at: when the awards are posted (default: now).
        operator: who posts (default: `default_operator`).
        notices: a folder for the notices explaining awards a cap cut.
        progress: called with the number of claims done, chunk by chunk.

    Example: ``award_claims("acme-tools", store, preview=True).points``
    """
    from claimflow.api.notices import write_notice_emails
    from claimflow.award.run import award_claims as run
    from claimflow.award.run import partial_award_notices
    from claimflow.report import write_notice_files

    resolved = resolve_client(client)
    require_batch(store, batch, resolved)
    now = written_at(at, resolved)
    result = run(
        store,
        resolved,
        batch_id=batch,
        preview=preview,
        actor=operator or default_operator(),
        now=now,
        progress=progress,
    )
    if notices is not None and result.partial:
        letters = partial_award_notices(result, resolved, desk_day(now, resolved.zone))
        stem = f"{resolved.key}-award-{now.strftime('%Y%m%dT%H%M%S')}"
        write_notice_emails(letters, write_notice_files(letters, notices, stem))
    return result


@dataclass(frozen=True)
class Explanation:
    """A claim's award, line by line, or why it has none yet.

    Attributes:
        claim_id: the claim.
        text: the explanation as a person reads it aloud.
        award: the award (or the held one) as plain data.
        held: the hold's code, message and time, when the award run held it.
        reversed: the reversal note, when the award was taken back.
        merged: the merge that filed the claim under its participant, when
            it was keyed (or first filed) under a number merged since.
    """

    claim_id: str
    text: str
    award: dict[str, Any]
    held: dict[str, str] | None = None
    reversed: str | None = None
    merged: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        extra: dict[str, Any] = {"held": self.held} if self.held else {}
        if self.reversed:
            extra["reversed"] = self.reversed
        if self.merged:
            extra["merged"] = self.merged
        return extra | self.award


def explain_award(
    claim: str, client: ClientLike | None = None, store: Store | None = None
) -> Explanation:
    """Explain a claim's award (its id or the reference the participant quotes).

    The claim is named by its reference and where it came from; points are
    written in the client's locale and times in its desk zone (`client`,
    else the award's client key looked up in ``CLAIMFLOW_CLIENTS``; en_US
    and UTC when neither is at hand: `client_desk`). The old order
    ``(claim, store, client)`` still works, with a DeprecationWarning.

    Raises:
        ClaimflowError: the claim is not accepted, or has no award yet.
        TypeError: the arguments are not (claim, client, store).

    Example: ``print(explain_award("AC-1001", "acme-tools", store).text)``
    """
    from claimflow.award.run import explain, stored_award
    from claimflow.store.accounts import claim_merge
    from claimflow.store.ledger import last_reversal, live_award_postings
    from claimflow.store.verify_claim import claim_outcome_and_batch

    client, store = client_then_store("explain_award", "claim", client, store)
    found = store.resolve_claim(claim)
    award = stored_award(store, found)
    hold = store.latest_hold(found) if award is None else None
    outcome, _ = claim_outcome_and_batch(store, found)
    name = store.claim_names([found]).get(found)
    if hold is not None:
        held, code, message, at = hold
        desk = client_desk(client, held.client)
        text = (
            f"Held by the award run of {desk.time(at)} ({code}): {message}.\n"
            + explain(held, desk.locale, name)
        )
        return Explanation(
            found,
            text,
            held.model_dump(mode="json"),
            {"code": code, "message": message, "at": at},
        )
    if award is None:
        # the reference and the file it came in, never the store's id
        named = name or (claim if found == claim else f"{claim} ({found})")
        if outcome != "accepted":  # a duplicate, pended or void claim is not paid
            raise ClaimflowError(
                f"claim {named} is {outcome}: only accepted claims are awarded"
            )
        raise ClaimflowError(f"claim {named}: no award computed yet")
    note = None
    desk = client_desk(client, award.client)
    if not live_award_postings(store, award.client, found):
        reversal = last_reversal(store, award.client, found)
        if reversal is not None:  # the award was taken back
            _, at, reason = reversal
            still = "the claim is void" if outcome == "void" else "awaiting a new award"
            note = (
                f"Reversed at {desk.time(at)} ({reason or 'no reason given'}): "
                f"{still}."
            )
    moved = claim_merge(store, award.client, found)
    merged = None
    if moved is not None:
        merge_id, keyed, survivor, at = moved
        merged = (
            f"Credited to {survivor}: filed under participant {keyed}, merged into "
            f"{survivor} by merge #{merge_id} at {desk.time(at)}."
        )
    text = explain(award, desk.locale, name)
    text += "".join(f"\n  {n}" for n in (merged, note) if n)
    return Explanation(
        found, text, award.model_dump(mode="json"), reversed=note, merged=merged
    )


def balance(
    participant: str,
    client: ClientLike,
    store: Store,
    *,
    as_of: datetime | date | None = None,
) -> Balance:
    """A participant's total, available and pending points at `as_of` (default: now).

    An account a merge closed holds no points of its own (they moved): its
    balance names the merge and carries the survivor's balance
    (`Balance.merged_into`, `Balance.survivor`).

    Raises:
        ClaimflowError: the participant is on neither the member list nor
            the ledger (a mistyped number is not a zero balance).

    Example: ``balance("104233", "acme-tools", store).available``
    """
    from claimflow.award.ledger import balance as read
    from claimflow.award.run import expiry_of

    resolved = resolve_client(client)
    participant = ascii_digits(participant)  # ١٠٠٠٠٠٠١ as the member list reads it
    if not store.known_participant(resolved.key, participant):
        raise ClaimflowError(
            f"participant {participant}: not on {resolved.key}'s member list or "
            "ledger (check the number, or import the member list)"
        )
    at = instant(as_of, resolved)
    found = read(store, resolved.key, participant, at, expiry_of(resolved))
    return _with_survivor(found, resolved, store, at)


#: How far `balance` follows a merged account's survivors (M into S, S into
#: T): a merge refuses a closed account, so chains are short and never loop.
MERGE_CHAIN = 20


def _with_survivor(
    found: Balance, client: ResolvedClient, store: Store, at: datetime, depth: int = 0
) -> Balance:
    """A merged account's balance with the merge and the survivor's balance:
    its own 0 alone read as a member with no points (trial: ``104876: 0
    points``, while redeem named merge #1 and 104233)."""
    from claimflow.award.ledger import balance as read
    from claimflow.award.run import expiry_of
    from claimflow.store.accounts import live_merge

    row = live_merge(store, client.key, found.participant_id)
    if row is None or depth > MERGE_CHAIN:
        return found
    survivor = read(store, client.key, str(row[3]), at, expiry_of(client))
    return replace(
        found,
        merged_into=str(row[3]),
        merge=f"merge #{row[0]} at {client.desk.time(row[7])}",
        survivor=_with_survivor(survivor, client, store, at, depth + 1),
    )


class _Preview(Exception):
    """Rolls a preview's transaction back once everything in it was checked."""


@contextmanager
def _previewing(store: Store, preview: bool) -> Iterator[None]:
    """One write transaction; with `preview`, run in full, then rolled back."""
    try:
        with store.transaction():
            yield
            if preview:
                raise _Preview
    except _Preview:
        pass


@dataclass(frozen=True)
class Reversal:
    """A claim's award reversed (or, in preview, what would be).

    Attributes:
        claim_id: the claim.
        points: the points reversed.
        void: the claim is void (else it is awarded afresh: a correction).
        preview: nothing was posted.
        participant: whose balance went below zero, if it did.
        balance: that participant's balance after the reversal.
        name: the claim as people know it (its reference and where it came
            from, `Store.claim_names`).
    """

    claim_id: str
    points: int
    void: bool
    preview: bool
    participant: str | None = None
    balance: int | None = None
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return asdict(self)


def reverse_claim(
    claim: str,
    client: ClientLike,
    store: Store,
    *,
    reason: str,
    correction: bool = False,
    preview: bool = False,
    at: datetime | None = None,
    operator: str | None = None,
) -> Reversal:
    """Reverse a claim's award: a new negative posting, nothing deleted.

    The claim is void unless `correction` (the award was wrong, not the
    claim: the next award run pays it afresh).

    Example: ``reverse_claim("AC-1001", "acme-tools", store, reason="voided").points``
    """
    from claimflow.award.ledger import balance as read
    from claimflow.award.ledger import reverse_claim as reverse
    from claimflow.store.accounts import lot_holder
    from claimflow.store.ledger import live_award_postings

    resolved = resolve_client(client)
    now, actor = written_at(at, resolved), operator or default_operator()
    owing: tuple[str | None, int | None] = (None, None)
    with _previewing(store, preview):
        claim_id = store.resolve_claim(claim, resolved.key)
        live = live_award_postings(store, resolved.key, claim_id)
        points = reverse(
            store, resolved.key, claim_id, reason, actor, now,
            void=not correction, desk=resolved.desk,
        )  # fmt: skip
        store.audit(
            actor,
            "ledger reverse",
            {"claim": claim_id, "points": points, "reason": reason,
             "void": not correction},
        )  # fmt: skip
        if live:  # points already spent: the participant owes them now
            who = lot_holder(store, live[0][0])[1]  # after a merge, the survivor
            total = read(store, resolved.key, who, now).total
            if total < 0:
                owing = (who, total)
    name = store.claim_names([claim_id]).get(claim_id, claim_id)
    return Reversal(claim_id, points, not correction, preview, *owing, name=name)


@dataclass(frozen=True)
class Redemption:
    """Points redeemed (or, in preview, checked and not posted).

    Attributes:
        participant, points, reference: the redemption asked for.
        preview: True when nothing was posted because it was a preview.
        repeated: True when this redemption was posted before under its
            reference (a retry): nothing posted this time.
    """

    participant: str
    points: int
    reference: str
    preview: bool
    repeated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return asdict(self)


def redeem(
    participant: str,
    points: int,
    client: ClientLike,
    store: Store,
    *,
    reference: str,
    preview: bool = False,
    at: datetime | None = None,
    operator: str | None = None,
) -> Redemption:
    """Redeem available points, oldest-expiring first.

    The same redemption again under its reference (a retry) posts nothing
    and comes back ``repeated``.

    Raises:
        LedgerError: not enough available points, the reference was used
            by another redemption (the line says what differs), or it has
            no letter or digit.
        ClaimflowError: the participant is on neither the member list nor
            the ledger.

    Example: ``redeem("104233", 500, "acme-tools", store, reference="ORDER-77")``
    """
    from claimflow.award.ledger import redeem as spend
    from claimflow.award.run import expiry_of

    resolved = resolve_client(client)
    now, actor = written_at(at, resolved), operator or default_operator()
    participant = ascii_digits(participant)  # ١٠٠٠٠٠٠١ as the member list reads it
    if not store.known_participant(resolved.key, participant):
        # a mistyped number is no member with 0 points (trial 22)
        raise ClaimflowError(
            f"participant {participant}: not on {resolved.key}'s member list or "
            "ledger (check the number, or import the member list)"
        )
    with _previewing(store, preview):
        repeated = spend(
            store, resolved.key, participant, points, reference, actor, now,
            desk=resolved.desk, expiry=expiry_of(resolved),
        )  # fmt: skip
        if not repeated:
            store.audit(
                actor,
                "ledger redeem",
                {"participant": participant, "points": points, "reference": reference},
            )
    return Redemption(participant, points, reference, preview, repeated)


@dataclass(frozen=True)
class Expiry:
    """Points expired under the client's policy (or, in preview, that would)."""

    client: str
    points: int
    as_of: datetime
    preview: bool

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        # as_of as ISO text (trial 36: a datetime, which json.dumps refuses)
        plain: dict[str, Any] = json_ready(asdict(self))
        return plain


def expire_points(
    client: ClientLike,
    store: Store,
    *,
    as_of: datetime | date | None = None,
    preview: bool = False,
    operator: str | None = None,
) -> Expiry:
    """Post expiry as of `as_of` (default: now); running it twice changes nothing.

    An `as_of` in the future would expire points before their date: it is
    refused unless `preview`.

    Example: ``expire_points("acme-tools", store, preview=True).points``
    """
    from claimflow.award.ledger import expire
    from claimflow.award.run import settings_of

    resolved = resolve_client(client)
    at, actor = instant(as_of, resolved), operator or default_operator()
    if at > datetime.now(UTC) and not preview:
        raise ClaimflowError(
            f"as of {resolved.desk.time(at)} (as_of / --as-of) is in the future: "
            "points would expire before their date; add preview=True / --preview "
            "to see what would"
        )
    with _previewing(store, preview):
        points = expire(store, resolved.key, settings_of(resolved), at, actor)
        store.audit(actor, "ledger expire", {"points": points})
    return Expiry(resolved.key, points, at, preview)
