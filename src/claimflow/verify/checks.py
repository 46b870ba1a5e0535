"""Comparing a claim with its matched source record, field by field.

`compare_sale` sets a sales claim beside the lines of its one invoice
(date, dealer, each line's SKU, quantity (with the units other claims,
accepted or in review, took of the line), amount and serials, and serials
claimed before);
`compare_stay` sets a stay claim beside its one stay record (dates,
currency and revenue, the guest, the booking channel, the member's
overlapping stays, other claims of the same stay). Each gives a
`Verification` with its `FieldCheck`s and problems. Pure over a
`claimflow.verify.match.Lookup`; `claimflow.verify.match` and the set-based
`claimflow.verify.sets` call these.

A discrepancy names the record it was compared with only when that
record's key is not the claim's (found a keying slip away, `slip_record`):
``expected 1 as in source record INV-20417 (dealer_sales.csv:row 3, a
keying slip from INV-20418), found 2``; on the claim's own record it reads
``expected 1 as in the source record, found 2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from claimflow.codes import ReasonCode
from claimflow.keys import normalize_key
from claimflow.models import Problem, Provenance, SaleRecord, StayRecord
from claimflow.verify.candidates import guest_fits, on_date
from claimflow.verify.compared import (
    Claimant,
    SaleFields,
    SaleSource,
    StayFields,
    StaySource,
)
from claimflow.verify.settings import VerificationSettings

if TYPE_CHECKING:
    from claimflow.verify.match import Lookup


Result = Literal["verified", "discrepancy", "not_found", "ambiguous"]


@dataclass(frozen=True)
class FieldCheck:
    """One compared field: claimed vs source value, and whether it matters."""

    field: str
    claimed: str
    source: str
    ok: bool
    affects_award: bool
    note: str = ""


@dataclass(frozen=True)
class Verification:
    """A claim's verification result.

    Attributes:
        claim_id: the claim.
        result: verified, discrepancy, not_found or ambiguous.
        source_ids: the matched (or candidate) source records.
        checks: the field comparisons.
        problems: what the participant or a reviewer must know, with codes.
        units: (source id, units) of each invoice line the claim was
            compared with: the units it claims of the line's SKU (what a
            later claim of the line counts while this one stands accepted).
    """

    claim_id: str
    result: Result
    source_ids: tuple[int, ...] = ()
    checks: tuple[FieldCheck, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    units: tuple[tuple[int, int], ...] = ()

    @property
    def slip(self) -> bool:
        """Whether the record compared was found a keying slip away."""
        return any(c.note == "keying slip" for c in self.checks)


def _within(a: Decimal, b: Decimal, settings: VerificationSettings) -> bool:
    allowed = max(settings.amount_tolerance, abs(b) * settings.amount_tolerance_pct)
    return abs(a - b) <= allowed


#: The claim's own source record (its key the claim's), as a message names it.
OWN_RECORD = "the source record"


def slip_record(key: str, where: Provenance | None, keyed: str) -> str:
    """A source record found a keying slip away, as a discrepancy names it:
    its key, where it came from (the file's name and row) and the key the
    claim has, so that a reviewer sees what the claim was compared with.

    Example: ``slip_record("INV-20417", where, "INV-20418") == "source record
    INV-20417 (dealer_sales.csv:row 3, a keying slip from INV-20418)"``
    """
    place = ""
    if where is not None:
        place = where.model_copy(update={"file": PurePath(where.file).name}).where()
        place += ", "
    return f"source record {key} ({place}a keying slip from {keyed})"


class Checker:
    """One claim's field checks and problems, gathered as its fields are compared.

    Attributes:
        record: the source record as a discrepancy names it: ``the source
            record`` when its key is the claim's, else `slip_record`.
    """

    def __init__(self, claim: Claimant, settings: VerificationSettings) -> None:
        self.claim = claim
        self.settings = settings
        self.checks: list[FieldCheck] = []
        self.problems: list[Problem] = []
        self.record = OWN_RECORD

    def problem(self, code: ReasonCode, field_name: str, message: str) -> None:
        self.problems.append(
            Problem(
                source=self.claim.provenance.at(field_name),
                code=code,
                message=message,
                record_id=self.claim.id,
                field=field_name,
            )
        )

    def compare(
        self,
        field_name: str,
        claimed: object,
        source: object,
        ok: bool,
        affects: bool,
        code: ReasonCode = ReasonCode.SOURCE_MISMATCH,
    ) -> None:
        self.checks.append(
            FieldCheck(field_name, str(claimed), str(source), ok, affects)
        )
        if not ok:
            self.problem(
                code,
                field_name,
                f"expected {source} as in {self.record}, found {claimed}",
            )

    def dates(self, field_name: str, claimed: date | None, source: date) -> None:
        if claimed is None:
            return
        ok = on_date(claimed, source, self.settings)
        self.compare(field_name, claimed, source, ok, False)


def _result(
    checker: Checker,
    ids: tuple[int, ...],
    claim: Claimant,
    units: tuple[tuple[int, int], ...] = (),
) -> Verification:
    result: Result = "discrepancy" if checker.problems else "verified"
    return Verification(
        claim.id, result, ids, tuple(checker.checks), tuple(checker.problems), units
    )


def compare_sale(
    claim: SaleFields,
    sales: Sequence[tuple[int, SaleSource]],
    lookup: Lookup,
    settings: VerificationSettings,
    fuzzy: bool = False,
) -> Verification:
    """Compare a sales claim with the lines of its one invoice, field by field.

    Args:
        claim: the claim (a `SalesClaim`, or its fields as read for a set).
        sales: the invoice's lines (id, record), the first one's date and
            dealer compared.
        lookup: asked which serials an earlier batch claimed, and which
            units of each invoice line other claims accepted or in review took.
        settings: the client's tolerances.
        fuzzy: the invoice was found a keying slip away.

    Example: ``compare_sale(claim, [(17, record)], lookup, settings).result``
    """
    checker = Checker(claim, settings)
    first = sales[0][1]
    if fuzzy:
        checker.record = _sale_slip(first, claim)
        checker.checks.append(
            FieldCheck(
                "invoice_number",
                claim.invoice_number or "",
                first.invoice_number,
                True,
                False,
                "keying slip",
            )
        )
    checker.dates("invoice_date", claim.invoice_date, first.invoice_date)
    if claim.dealer_id:
        checker.compare(
            "dealer_id",
            claim.dealer_id,
            first.dealer_id,
            claim.dealer_id.upper() == first.dealer_id.upper(),
            False,
        )
    units: dict[int, int] = {}
    used = _sale_lines(checker, claim, sales, lookup, settings, units, fuzzy)
    return _result(
        checker, tuple(used) or tuple(i for i, _ in sales), claim, tuple(units.items())
    )


def _sale_lines(
    checker: Checker,
    claim: SaleFields,
    sales: Sequence[tuple[int, SaleSource]],
    lookup: Lookup,
    settings: VerificationSettings,
    units: dict[int, int],
    fuzzy: bool = False,
) -> list[int]:
    """Compare each claim line with the invoice line of its SKU; the ids
    used. The units claimed of each invoice line are added up in `units`.
    An invoice a keying slip away is named by the row of the line compared."""
    used: list[int] = []
    for line in claim.lines:
        match = next(
            ((i, r) for i, r in sales if r.sku.upper() == (line.sku or "").upper()),
            None,
        )
        if match is None:
            checker.compare(
                "sku", line.sku, "/".join(r.sku for _, r in sales), False, True
            )
            continue
        rid, record = match
        used.append(rid)
        if fuzzy:
            checker.record = _sale_slip(record, claim)
        quantity = line.quantity or 0
        units[rid] = units.get(rid, 0) + quantity
        _units(checker, quantity, record, lookup.claimed_units(rid, claim.id), lookup)
        if line.line_total is not None and quantity == record.quantity:
            checker.compare(
                "line_total",
                line.line_total,
                record.amount,
                _within(line.line_total, record.amount, settings),
                True,
            )
        invoiced = {normalize_key(s) for s in record.serial_numbers}
        for serial in line.serial_numbers:
            if invoiced and normalize_key(serial) not in invoiced:
                checker.compare(
                    "serial_numbers",
                    serial,
                    " ".join(record.serial_numbers),
                    False,
                    True,
                    ReasonCode.SERIAL_NOT_IN_SOURCE,
                )
            earlier = lookup.serial_claimed_before(normalize_key(serial), claim.id)
            if earlier is not None:
                checker.problem(
                    ReasonCode.SERIAL_CLAIMED_BEFORE,
                    "serial_numbers",
                    f"{serial!r} already claimed in an earlier batch by "
                    f"claim {lookup.claim_name(earlier)}",
                )
    return used


def _units(
    checker: Checker,
    quantity: int,
    record: SaleSource,
    others: list[tuple[str, int]],
    lookup: Lookup,
) -> None:
    """No more units than invoiced, counting those other claims accepted or
    in review took of the line (trial 35: 1 unit of a line whose 2 units
    were paid was paid again; a claim in review a person accepted later
    was paid on top of a later claim of its units)."""
    if not others:
        checker.compare(
            "quantity",
            quantity,
            record.quantity,
            quantity <= record.quantity,
            True,
            ReasonCode.QUANTITY_ABOVE_INVOICED,
        )
        return
    taken = sum(n for _, n in others)
    ok = quantity + taken <= record.quantity
    named = ", ".join(f"{n} on claim {lookup.claim_name(other)}" for other, n in others)
    note = f"{taken} already claimed: {named}"
    checker.checks.append(
        FieldCheck("quantity", str(quantity), str(record.quantity), ok, True, note)
    )
    if not ok:
        left = max(record.quantity - taken, 0)
        checker.problem(
            ReasonCode.QUANTITY_ABOVE_INVOICED,
            "quantity",
            f"expected at most {left} more {record.sku} as in {checker.record} "
            f"({record.quantity} invoiced, {note}), found {quantity}",
        )


def _sale_slip(record: SaleSource, claim: SaleFields) -> str:
    """An invoice line a keying slip away, named (`slip_record`)."""
    where = record.provenance if isinstance(record, SaleRecord) else None
    return slip_record(record.invoice_number, where, claim.invoice_number or "")


def compare_stay(
    claim: StayFields,
    rid: int,
    record: StaySource,
    lookup: Lookup,
    settings: VerificationSettings,
    fuzzy: bool = False,
) -> Verification:
    """Compare a stay claim with its one stay record, field by field.

    Args:
        claim: the claim (a `StayClaim`, or its fields as read for a set).
        rid: the stay record's id.
        record: the stay record.
        lookup: asked for the member's other stays and the claims already
            matched to the record.
        settings: the client's tolerances.
        fuzzy: the stay was found a keying slip away.

    Example: ``compare_stay(claim, 4, record, lookup, settings).result``
    """
    checker = Checker(claim, settings)
    if fuzzy:
        checker.record = slip_record(
            record.confirmation_number,
            record.provenance if isinstance(record, StayRecord) else None,
            claim.confirmation_number or "",
        )
        checker.checks.append(
            FieldCheck(
                "confirmation_number",
                claim.confirmation_number or "",
                record.confirmation_number,
                True,
                False,
                "keying slip",
            )
        )
    checker.dates("check_in", claim.check_in, record.arrival)
    checker.dates("check_out", claim.check_out, record.departure)
    claimed_in = (claim.currency or "").strip().upper()
    if claimed_in and claimed_in != record.currency.upper():
        # Amounts in two currencies are not compared: 860 EUR claimed on a
        # folio of 860 PLN would verify, and earn four times its points.
        checker.compare("currency", claimed_in, record.currency.upper(), False, True)
    elif claim.qualifying_revenue is not None:
        checker.compare(
            "qualifying_revenue",
            claim.qualifying_revenue,
            record.room_revenue,
            _within(claim.qualifying_revenue, record.room_revenue, settings),
            True,
        )
    _stay_people(checker, claim, record, rid, lookup, settings)
    return _result(checker, (rid,), claim)


def _stay_people(
    checker: Checker,
    claim: StayFields,
    record: StaySource,
    rid: int,
    lookup: Lookup,
    settings: VerificationSettings,
) -> None:
    if claim.member_name:
        checker.compare(
            "member_name",
            claim.member_name,
            record.guest_name,
            guest_fits(claim.member_name, record.guest_name, settings),
            True,
            ReasonCode.NAME_MISMATCH,
        )
    channel = (record.booking_channel or "").casefold()
    if channel in {c.casefold() for c in settings.ota_channels}:
        checker.problem(
            ReasonCode.OTA_BOOKING,
            "booking_channel",
            f"expected a direct booking, found {record.booking_channel!r} "
            + (
                "in the hotel's record"
                if checker.record == OWN_RECORD
                else f"in the hotel's {checker.record}"
            ),
        )
    if claim.participant_id and claim.check_in and claim.check_out:
        for other, start, end in lookup.member_stays(claim.participant_id, claim.id):
            if start < claim.check_out and claim.check_in < end:
                checker.problem(
                    ReasonCode.OVERLAPPING_STAY,
                    "check_in",
                    f"expected no other stay on these dates, found claim "
                    f"{lookup.claim_name(other)} ({start} to {end})",
                )
    # the stay itself, named when a keying slip away (`slip_record`)
    stay = (
        "this stay"
        if checker.record == OWN_RECORD
        else f"the stay of {checker.record}"
    )
    for other, participant, result in lookup.matched(rid, claim.id):
        if participant != claim.participant_id:
            # the other claim as the desk knows it (its reference and file),
            # never its store id (trial 20)
            name = lookup.claim_name(other)
            by = (
                f"{participant} (claim {name})"
                if participant
                else f"claim {name}, which has no member number"
            )
            checker.problem(
                ReasonCode.CLAIMED_BY_OTHER_ACCOUNT,
                "participant_id",
                f"expected {stay} on one account, found it claimed by {by}",
            )
        elif result == "verified":
            checker.problem(
                ReasonCode.ALREADY_CREDITED,
                "confirmation_number",
                f"{stay} was already credited by claim {lookup.claim_name(other)}",
            )
