"""Domain records: frozen pydantic v2 models, plus the raw record parsers emit.

Every record carries a `Provenance`, so a problem, a duplicate or a
discrepancy can name the document, page or row, and field it came from.
Change a record with ``model_copy(update=...)``; never mutate one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from claimflow.codes import Outcome, ReasonCode
from claimflow.keys import ascii_digits
from claimflow.values import (
    KeyedBool,
    KeyedDate,
    KeyedDatetime,
    KeyedDecimal,
    KeyedId,
    KeyedInt,
    KeyedSerials,
    KeyedText,
)

Scalar = str | int | Decimal | date | datetime | bool | None


class Record(BaseModel):
    """Base for every domain record: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def line_source(field: str, line: int) -> str:
    """The key of a line's own source name in a record's ``field_sources``
    (``sku@2``), where a form names each line's field apart (``sku_2``);
    ``field_sources[field]`` is the first line's (and a table's column's).

    Example: ``line_source("sku", 2) == "sku@2"``
    """
    return f"{field}@{line}"


def source_name(sources: Mapping[str, str], field: str, line: int | None) -> str:
    """How the source names `field` (of claim line `line`): the line's own
    name when it has one (`line_source`), else the field's, else the field.

    Example: ``source_name({"sku": "sku_1", "sku@2": "sku_2"}, "sku", 2) == "sku_2"``
    """
    if line is not None:
        own = sources.get(line_source(field, line))
        if own is not None:
            return own
    return sources.get(field, field)


class Provenance(Record):
    """Where a value or record came from.

    Attributes:
        file: the input file's name as given to claimflow.
        sheet: the Excel sheet, if any.
        page: 1-based PDF page, if any.
        row: the row as a spreadsheet shows it (the header is row 1), or
            the 1-based index of an object in a JSON file.
        field: the field name *as written in the source* (column header or
            form field name), if the provenance is of one value.
        line: 1-based claim line within the record, if of a line's value.
    """

    file: str
    sheet: str | None = None
    page: int | None = None
    row: int | None = None
    field: str | None = None
    line: int | None = None

    def where(self) -> str:
        """Render as ``file:row 14:line 2:invoice_date`` (STYLE rule 8)."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(self.field)
        return ":".join(parts)

    @classmethod
    def of_row(cls, file: str, row: int) -> Provenance:
        """A file's row, built without validation (readers make one per row).

        Example: ``Provenance.of_row("claims.csv", 14).where() == "claims.csv:row 14"``
        """
        source = cls.__new__(cls)
        _set = object.__setattr__
        _set(
            source,
            "__dict__",
            {
                "file": file,
                "sheet": None,
                "page": None,
                "row": row,
                "field": None,
                "line": None,
            },
        )
        _set(source, "__pydantic_fields_set__", {"file", "row"})
        _set(source, "__pydantic_extra__", None)
        _set(source, "__pydantic_private__", None)
        return source

    def at(self, field: str | None, line: int | None = None) -> Provenance:
        """Return this provenance narrowed to one field (and claim line)."""
        return self.model_copy(update={"field": field, "line": line})


class Problem(Record):
    """One thing wrong with a record, as a value (never an exception).

    Attributes:
        source: where the offending value is.
        code: the stable reason code.
        message: ``expected ..., found ...`` for a person.
        record_id: the claim (or other record) the problem belongs to.
        field: the canonical field name (``invoice_date``), for notices.
    """

    source: Provenance
    code: ReasonCode
    message: str
    record_id: str
    field: str | None = None

    def render(self) -> str:
        """``claims.csv:row 14:Invoice Date: expected ..., found ...``."""
        return f"{self.source.where()}: {self.message}"


#: A problem the participant can cure by sending something back.
Deficiency = Problem


ParticipantStatus = Literal["active", "suspended", "closed"]


class ParticipantFacts(Record):
    """What a participant's record said from one day on: one dated fact.

    Attributes:
        effective_from: the first day these facts hold; ``date.min`` for
            facts known since the start (a participant's first import, or
            a store's member list from before schema 24).
        tier: status tier (``gold``), if any.
        status: ``active``, ``suspended`` or ``closed``.
        enrolled_on: enrolment date.
        tax_form_on: the day a tax form (a W-9) was received, if one was.
        source: where the fact came from (``members.csv:row 4``), if known.
        recorded_at: when the store learnt it (None: known all along).
    """

    effective_from: date = date.min
    tier: str | None = None
    status: ParticipantStatus = "active"
    enrolled_on: date | None = None
    tax_form_on: date | None = None
    source: str | None = None
    recorded_at: datetime | None = None

    def same_facts(self, other: ParticipantFacts) -> bool:
        """Whether `other` says the same (tier, status and dates), wherever from."""
        return (self.tier, self.status, self.enrolled_on, self.tax_form_on) == (
            other.tier,
            other.status,
            other.enrolled_on,
            other.tax_form_on,
        )


class Participant(Record):
    """A program member.

    Attributes:
        id: member or participant number, as the program issues it (text).
        client: client program key.
        first_name, last_name: names as enrolled.
        email: contact address.
        company: dealer or employer, if any.
        tier: status tier (``gold``) on the latest member list, if any.
        enrolled_on: enrolment date.
        status: ``active``, ``suspended`` or ``closed``.
        tax_form_on: the day a tax form (a W-9) was received, if one was.
        tax_id: the member's tax id as the member list gives it, if any (an
            account merge refuses two different ones).
        effective_from: the day this record's tier, status and dates took
            effect, when the member list says (its ``effective_from``
            column); None: from the day it is imported.
        history: the dated facts the store holds, by ``effective_from``
            (ties in the order recorded); empty: the fields above hold on
            every day (see `on`).
        provenance: where the participant record came from.
    """

    id: str
    client: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company: str | None = None
    tier: str | None = None
    enrolled_on: date | None = None
    status: ParticipantStatus = "active"
    tax_form_on: date | None = None
    tax_id: str | None = None
    effective_from: date | None = None
    history: tuple[ParticipantFacts, ...] = ()
    provenance: Provenance

    @field_validator("id")
    @classmethod
    def _id_digits(cls, value: str) -> str:
        # a member number's digits of any script, written 0-9 (as a
        # claim's participant_id is read: `claimflow.values.KeyedId`)
        return ascii_digits(value)

    @field_validator("history")
    @classmethod
    def _by_day(
        cls, value: tuple[ParticipantFacts, ...]
    ) -> tuple[ParticipantFacts, ...]:
        # A stable sort: facts of one day stay in the order recorded, so
        # the later of two corrections is the one in force.
        return tuple(sorted(value, key=lambda f: f.effective_from))

    def facts(self, effective_from: date = date.min) -> ParticipantFacts:
        """This record's own tier, status and dates, as a fact from `effective_from`.

        Example: ``Participant(id="M1", client="x", tier="gold",
        provenance=src).facts().tier == "gold"``
        """
        return ParticipantFacts(
            effective_from=effective_from,
            tier=self.tier,
            status=self.status,
            enrolled_on=self.enrolled_on,
            tax_form_on=self.tax_form_on,
            source=self.provenance.where(),
        )

    def on(self, day: date) -> ParticipantFacts:
        """The facts held on `day`: the latest fact in effect by then.

        Without a history, the record's own fields hold on every day. Before
        the first dated fact the participant held no tier; its status and
        dates are the first fact's (a stay before enrolment is judged
        against the enrolment that followed it).

        Example: ``member.on(date(2026, 3, 4)).tier == "gold"``
        """
        if not self.history:
            return self.facts()
        held = None
        for fact in self.history:
            if fact.effective_from > day:
                break
            held = fact
        if held is not None:
            return held
        first = self.history[0]
        return first.model_copy(
            update={"effective_from": date.min, "tier": None, "source": None}
        )

    def known_at(self, moment: datetime) -> Participant | None:
        """The participant as the store knew them at `moment`: only facts
        recorded by then (None: not known yet). A back-dated change learnt
        later does not rewrite what an award run read then.
        """
        if not self.history:
            return self
        known = tuple(
            f for f in self.history if f.recorded_at is None or f.recorded_at <= moment
        )
        if not known:
            return None
        if len(known) == len(self.history):
            return self
        last = known[-1]
        return self.model_copy(
            update={
                "history": known,
                "tier": last.tier,
                "status": last.status,
                "enrolled_on": last.enrolled_on,
                "tax_form_on": last.tax_form_on,
            }
        )


class ClaimLine(Record):
    """One product line of a sales claim.

    Attributes:
        sku: product code as claimed.
        quantity: units sold; None when unreadable.
        unit_price: price per unit; None when not keyed.
        line_total: amount of the line; None when not keyed.
        serial_numbers: serial numbers claimed on this line, in order.
        provenance: where the line came from (row, or page and table row).
    """

    sku: KeyedText = None
    quantity: KeyedInt = None
    unit_price: KeyedDecimal = None
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
