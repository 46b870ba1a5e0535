"""Domain records: frozen pydantic v2 models, plus the raw record parsers emit.

Every record carries a `Provenance`, so a problem, a duplicate or a
discrepancy can name the document, page or row, and field it came from.
Change a record with ``model_copy(update=...)``; never mutate one.

This module holds the claims, the source records they are verified
against, decisions and raw records; the records' base, provenance and
problems live in `claimflow.records`, participants in
`claimflow.participant`, awards and ledger entries in
`claimflow.award_records`. All are importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from claimflow.award_records import Award, AwardLine, LedgerEntry
from claimflow.codes import Outcome, ReasonCode
from claimflow.participant import Participant, ParticipantFacts, ParticipantStatus
from claimflow.records import (
    Deficiency,
    Problem,
    Provenance,
    Record,
    Scalar,
    line_source,
    source_name,
)
from claimflow.values import (
    KeyedBool,
    KeyedDate,
    KeyedDatetime,
    KeyedDecimal,
    KeyedId,
    KeyedInt,
    KeyedPrice,
    KeyedSerials,
    KeyedText,
)


class ClaimLine(Record):
    """One product line of a sales claim.

    Attributes:
        sku: product code as claimed.
        quantity: units sold; None when unreadable.
        unit_price: price per unit; None when not keyed. Its decimals may
            go below the currency's minor unit (0.125 EUR), as invoices
            price units; a line with such a price needs its line total.
        line_total: amount of the line; None when not keyed.
        serial_numbers: serial numbers claimed on this line, in order.
        provenance: where the line came from (row, or page and table row).
    """

    sku: KeyedText = None
    quantity: KeyedInt = None
    unit_price: KeyedPrice = None
    line_total: KeyedDecimal = None
    serial_numbers: KeyedSerials = ()
    provenance: Provenance


class ClaimBase(Record):
    """What every kind of claim shares: the protocol later stages rely on.

    Attributes:
        id: claimflow's stable claim id (document hash + locator, or claim ref).
        client: client program key.
        participant_id: the claimant's member or participant number.
        received_at: when the form arrived (timezone-aware).
        channel: how it arrived (``email``, ``portal``, ``mail``...).
        keyed_by: operator who keyed the form, if keyed.
        claim_ref: the form's own reference number, if printed on it.
        provenance: where the record came from (file, page or row).
    """

    id: str
    client: str
    participant_id: KeyedId = None
    received_at: KeyedDatetime
    channel: KeyedText = None
    keyed_by: KeyedText = None
    claim_ref: KeyedText = None
    provenance: Provenance


class SalesClaim(ClaimBase):
    """A dealer rep's incentive claim for products sold.

    Attributes:
        kind: always ``sales``.
        participant_name: the rep's name as written.
        dealer_id, dealer_name: the selling dealer or distributor.
        invoice_number: invoice as keyed (normalised later for matching).
        invoice_date: date of sale.
        claim_total: total amount the form states, if any.
        proof_attached: whether an invoice copy came with the form.
        lines: the product lines.
    """

    kind: Literal["sales"] = "sales"
    participant_name: KeyedText = None
    dealer_id: KeyedText = None
    dealer_name: KeyedText = None
    invoice_number: KeyedText = None
    invoice_date: KeyedDate = None
    claim_total: KeyedDecimal = None
    proof_attached: KeyedBool = None
    lines: tuple[ClaimLine, ...] = ()

    @property
    def activity_date(self) -> date | None:
        """The date that decides the claim window (and later, the rule set)."""
        return self.invoice_date


class StayClaim(ClaimBase):
    """A hotel member's retro-stay claim for points that never posted.

    Attributes:
        kind: always ``stay``.
        member_name: guest name as written on the claim.
        hotel_code: the property code.
        confirmation_number: the reservation's confirmation number.
        check_in, check_out: stay dates.
        qualifying_revenue: room revenue that earns points.
        taxes, fees, incidentals: amounts included in the revenue that a
            rule may exclude from its base.
        currency: ISO 4217 code of the revenue.
        rate_code: the rate plan booked.
        booking_channel: where it was booked (``direct``, ``ota``...).
        folio_number: the hotel bill's number.
        proof_attached: whether a folio copy came with the claim.
    """

    kind: Literal["stay"] = "stay"
    member_name: KeyedText = None
    hotel_code: KeyedText = None
    confirmation_number: KeyedText = None
    check_in: KeyedDate = None
    check_out: KeyedDate = None
    qualifying_revenue: KeyedDecimal = None
    taxes: KeyedDecimal = None
    fees: KeyedDecimal = None
    incidentals: KeyedDecimal = None
    currency: KeyedText = None
    rate_code: KeyedText = None
    booking_channel: KeyedText = None
    folio_number: KeyedText = None
    proof_attached: KeyedBool = None

    @property
    def activity_date(self) -> date | None:
        """The date that decides the claim window: the check-out."""
        return self.check_out


Claim = SalesClaim | StayClaim


class SaleRecord(Record):
    """A distributor's or dealer's record of a sale, to verify claims against.

    Attributes:
        invoice_number, invoice_date, dealer_id, sku, quantity, amount:
            as the source system holds them.
        serial_numbers: serials shipped on the invoice line.
        provenance: the source file and row.
    """

    invoice_number: str
    invoice_date: date
    dealer_id: str
    sku: str
    quantity: int
    amount: Decimal
    serial_numbers: tuple[str, ...] = ()
    provenance: Provenance


class StayRecord(Record):
    """A hotel's folio or stay export row, to verify stay claims against.

    Attributes:
        hotel_code, confirmation_number, guest_name, arrival, departure,
        room_revenue, currency, rate_code, booking_channel, folio_number:
            as the property system exports them.
        provenance: the source file and row.
    """

    hotel_code: str
    confirmation_number: str
    guest_name: str
    arrival: date
    departure: date
    room_revenue: Decimal
    currency: str
    rate_code: str | None = None
    booking_channel: str | None = None
    folio_number: str | None = None
    provenance: Provenance


class Decision(Record):
    """The outcome of one claim, with every reason that led to it.

    Attributes:
        claim_id: the claim decided.
        outcome: accepted, pended, rejected or duplicate.
        problems: every problem found, in the order found.
    """

    claim_id: str
    outcome: Outcome
    problems: tuple[Problem, ...] = ()

    @property
    def codes(self) -> list[ReasonCode]:
        """The reason codes of the problems, in order, without repeats."""
        return list(dict.fromkeys(p.code for p in self.problems))

    @classmethod
    def of(
        cls, claim_id: str, outcome: Outcome, problems: tuple[Problem, ...]
    ) -> Decision:
        """A decision from values already typed, without validating them again.

        Validation runs once per claim of every chunk and its arguments are
        typed by construction (an id, an `Outcome`, `Problem`s); this is a
        fifth of the cost of ``Decision(...)``.

        Example: ``Decision.of("c-1", Outcome.ACCEPTED, ()).outcome``
        """
        decision = cls.__new__(cls)
        _set = object.__setattr__
        _set(
            decision,
            "__dict__",
            {"claim_id": claim_id, "outcome": outcome, "problems": problems},
        )
        _set(decision, "__pydantic_fields_set__", {"claim_id", "outcome", "problems"})
        _set(decision, "__pydantic_extra__", None)
        _set(decision, "__pydantic_private__", None)
        return decision


class Unsaved(str):
    """A spreadsheet formula cell with no saved value (``=G2*H2``): a
    workbook written by a program that does not calculate (openpyxl) and
    never opened in Excel since. The text is the formula, so a claim's field
    holding one is refused as the value it is not, never read as empty, and
    the refusal says why (`claimflow.validate.record`)."""

    __slots__ = ()


class ShownNumber(Decimal):
    """A spreadsheet number cell whose format shows fewer decimals than it
    holds: 1234.565 under ``#,##0.00`` shows ``1.234,57`` at a de_DE desk.
    The value is the cell's, exactly; `shown` is what the clerk saw, so
    that an amount refused for its decimals (`claimflow.values`) says both.
    Stored as the plain number it is (`claimflow.store.rows`).

    Attributes:
        shown: the cell as its number format shows it.
    """

    shown: str

    def __new__(cls, value: str | Decimal, shown: str = "") -> ShownNumber:
        number = super().__new__(cls, value)
        number.shown = shown
        return number

    def __reduce__(self) -> tuple[type[ShownNumber], tuple[str, str]]:  # type: ignore[override]
        # pickled to a worker process (`claimflow.parallel`) with what it shows
        return (self.__class__, (str(self), self.shown))


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One form or table row as read, before any typing: what parsers emit.

    A plain frozen dataclass rather than a pydantic model: parsers make one
    per input row, a million per large batch, and nothing here is validated
    yet. Values are strings as keyed, except where the format itself is
    typed (Excel dates and numbers, JSON numbers and booleans).

    Attributes:
        source: file, page and row of the record.
        values: canonical field name -> value, for the claim header.
        lines: one (provenance, canonical name -> value) pair per claim line.
        field_sources: canonical field name -> the name in the source
            (column header or form field), shared by all rows of a file.
        content_hash: sha256 of the whole input file.
    """

    source: Provenance
    values: dict[str, Any]
    lines: tuple[tuple[Provenance, dict[str, Any]], ...] = ()
    field_sources: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""


__all__ = [
    "Award",
    "AwardLine",
    "Claim",
    "ClaimBase",
    "ClaimLine",
    "Decision",
    "Deficiency",
    "LedgerEntry",
    "Participant",
    "ParticipantFacts",
    "ParticipantStatus",
    "Problem",
    "Provenance",
    "RawRecord",
    "Record",
    "SaleRecord",
    "SalesClaim",
    "Scalar",
    "ShownNumber",
    "StayClaim",
    "StayRecord",
    "Unsaved",
    "line_source",
    "source_name",
]
