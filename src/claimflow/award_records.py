"""Points records: an `Award` explained by its `AwardLine`s, and a `LedgerEntry`.

What the award engine (`claimflow.award`) computes and posts; the ledger is
append-only. Re-exported by `claimflow.models`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from claimflow.codes import ReasonCode
from claimflow.records import Record


class AwardLine(Record):
    """One line of an award's explanation; the lines sum to the award.

    Attributes:
        rule_id: the rule (or ``rounding``, ``cap``, ``eligibility``).
        kind: the rule kind (``per_currency``...), or what the line is.
        version: the rule-set version used.
        basis: what the rule counted: an amount (in the award currency) or
            a number of units; None for fixed points.
        rate: points per unit of the basis, if any.
        multiplier: a promotion's multiplier or a bonus percentage / 100.
        desired: exact points before rounding and caps (Decimal).
        points: integer points this line contributes.
        code: the reason code of a cap, minimum or exclusion line.
        conversion: the currency conversion used, with its source and date.
        note: the line read aloud (``2 x DRL-200 at 25 points each``).
    """

    rule_id: str
    kind: str
    version: str
    basis: Decimal | None = None
    rate: Decimal | None = None
    multiplier: Decimal | None = None
    desired: Decimal
    points: int
    code: ReasonCode | None = None
    conversion: str | None = None
    note: str


class Award(Record):
    """The points a claim earns under one rule-set version, explained.

    Attributes:
        claim_id: the claim.
        client: the client program.
        participant_id: who earns.
        version: the rule-set version that applied.
        activity_date: the date that chose the version.
        currency: the currency amounts were earned in.
        desired_points: points before caps (after rounding).
        points: points awarded; always the sum of the lines' points.
        lines: the explanation.
        day_note: which days were taken from the received time, read aloud
            (``activity 2026-03-02: the desk's day (Europe/Paris) ...``);
            None when none was (the activity is a keyed date, no rate by
            the received day).
    """

    claim_id: str
    client: str
    participant_id: str
    version: str
    activity_date: date
    currency: str
    desired_points: int
    points: int
    lines: tuple[AwardLine, ...]
    day_note: str | None = None


class LedgerEntry(Record):
    """One append-only ledger posting.

    Attributes:
        id: the row id (0 before it is stored).
        client, participant_id: whose points.
        claim_id: the claim it comes from, if any.
        entry_type: ``award``, ``reversal``, ``redemption``, ``expiry``,
            ``adjustment``, or ``transfer_out``/``transfer_in`` (a merge).
        points: signed integer points.
        version: the rule-set version (awards and their reversals).
        idempotency_key: posting it twice is a no-op.
        posted_at: when it was posted (timezone-aware).
        available_at: when award points become available.
        expires_at: when a lot's remaining points expire (fixed policy).
        reverses: the entry a reversal undoes.
        reason: why (reversals, redemptions).
        actor: who posted it.
    """

    id: int = 0
    client: str
    participant_id: str
    claim_id: str | None = None
    entry_type: Literal[
        "award",
        "reversal",
        "redemption",
        "expiry",
        "adjustment",
        "transfer_in",
        "transfer_out",
    ]
    points: int
    version: str | None = None
    idempotency_key: str
    posted_at: datetime
    available_at: datetime
    expires_at: datetime | None = None
    reverses: int | None = None
    reason: str | None = None
    actor: str
