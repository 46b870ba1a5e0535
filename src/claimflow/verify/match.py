"""Matching one claim to its source records, and comparing them field by field.

Pure logic over a `Lookup` (what the store knows: source records by key or
by date, serials claimed before, other claims of the account, other claims
matched to the same source record and the units they took of it). Keys
match exactly after normalising (case, spaces, dashes, leading zeros), then
fuzzily: OCR confusions folded
(O/0, I/1, S/5, B/8, Z/2) and an optimal-string-alignment distance, so one
or two keying slips, a dropped digit or two swapped digits still match.

A key found only a keying slip away names the claim's record only when the
other identifying fields bear it out: for a sale, the dealer (where the
claim names one) and the SKU or the date; for a stay, the hotel and the
guest's name or the dates. A neighbouring invoice of another dealer, or
another guest's folio on other dates, is not the claim's record: the claim
has none yet (``source_not_found``), as when nothing is near.

The candidates are found in `claimflow.verify.candidates` and compared in
`claimflow.verify.checks`; their public names are importable from here too.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from claimflow.codes import ReasonCode
from claimflow.keys import normalize_key
from claimflow.models import (
    Claim,
    SaleRecord,
    SalesClaim,
    StayClaim,
    StayRecord,
)
from claimflow.verify.candidates import (
    candidates,
    distinct,
    key_distance,
    name_similarity,
    sale_fits,
    stay_fits,
)
from claimflow.verify.checks import (
    Checker,
    FieldCheck,
    Result,
    Verification,
    compare_sale,
    compare_stay,
)
from claimflow.verify.settings import VerificationSettings
from claimflow.verify.source import SourceRecord, source_key


class Lookup(Protocol):
    """What verification asks the store."""

    def by_key(self, key: str) -> list[tuple[int, SourceRecord]]:
        """Source records with this exact key."""

    def near(self, start: date, end: date) -> list[tuple[int, SourceRecord]]:
        """Source records dated in ``[start, end]`` (for fuzzy matching)."""

    def serial_claimed_before(self, serial: str, claim_id: str) -> str | None:
        """An earlier-batch claim that claimed this serial, if any."""

    def claim_name(self, claim_id: str) -> str:
        """A claim as people know it: its reference and where it came from."""

    def member_stays(
        self, participant: str, claim_id: str
    ) -> list[tuple[str, date, date]]:
        """The account's other stay claims: (claim id, check-in, check-out)."""

    def matched(
        self, source_id: int, claim_id: str
    ) -> list[tuple[str, str | None, str]]:
        """Other claims matched to this source record: (claim, participant, result)."""

    def claimed_units(self, source_id: int, claim_id: str) -> list[tuple[str, int]]:
        """The other claims holding units of this invoice line (accepted or
        in review) matched to it before this claim, with the units each
        claims of its SKU: (claim, units)."""


def verify_sale(
    claim: SalesClaim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify a sales claim against distributor sales records."""
    checker = Checker(claim, settings)
    key = normalize_key(claim.invoice_number or "")
    found, fuzzy = candidates(
        key, claim.invoice_date, lookup, settings, None, sale_fits(claim, settings)
    )
    if claim.dealer_id and len({source_key(r) for _, r in found}) > 1:
        found = [
            (i, r)
            for i, r in found
            if isinstance(r, SaleRecord)
            and r.dealer_id.upper() == claim.dealer_id.upper()
        ] or found
    if not found:
        checker.problem(
            ReasonCode.SOURCE_NOT_FOUND,
            "invoice_number",
            f"expected a source record for invoice {claim.invoice_number!r}, "
            "found none yet",
        )
        return Verification(claim.id, "not_found", (), (), tuple(checker.problems))
    invoices = {
        (source_key(r), r.dealer_id.upper())
        for _, r in found
        if isinstance(r, SaleRecord)
    }
    if len(invoices) > 1:
        checker.problem(
            ReasonCode.SOURCE_AMBIGUOUS,
            "invoice_number",
            f"expected one invoice, found {len(invoices)} candidates: "
            + ", ".join(sorted(f"{k} ({d})" for k, d in invoices)),
        )
        return Verification(
            claim.id,
            "ambiguous",
            tuple(i for i, _ in found),
            (),
            tuple(checker.problems),
        )
    sales = [(i, r) for i, r in found if isinstance(r, SaleRecord)]
    return compare_sale(claim, sales, lookup, settings, fuzzy)


def verify_stay(
    claim: StayClaim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify a retro-stay claim against the hotel's stay or folio export."""
    checker = Checker(claim, settings)
    hotel = (claim.hotel_code or "").upper()
    key = f"{hotel}|{normalize_key(claim.confirmation_number or '')}"
    found, fuzzy = candidates(
        key, claim.check_in, lookup, settings, hotel, stay_fits(claim, settings)
    )
    found = distinct(found)
    if not found:
        checker.problem(
            ReasonCode.SOURCE_NOT_FOUND,
            "confirmation_number",
            f"expected a stay at {hotel} with confirmation "
            f"{claim.confirmation_number!r}, found none yet",
        )
        return Verification(claim.id, "not_found", (), (), tuple(checker.problems))
    if len(found) > 1:
        checker.problem(
            ReasonCode.SOURCE_AMBIGUOUS,
            "confirmation_number",
            f"expected one stay, found {len(found)} candidates: "
            # each with where it came from: two of one confirmation look alike
            + ", ".join(
                f"{getattr(r, 'confirmation_number', '')} ({r.provenance.where()})"
                for _, r in found
            ),
        )
        return Verification(
            claim.id,
            "ambiguous",
            tuple(i for i, _ in found),
            (),
            tuple(checker.problems),
        )
    rid, record = found[0]
    assert isinstance(record, StayRecord)
    return compare_stay(claim, rid, record, lookup, settings, fuzzy)


def verify_claim(
    claim: Claim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify one claim of either kind.

    Example: ``verify_claim(claim, StoreLookup(store, "acme-tools"), settings).result``
    """
    if isinstance(claim, SalesClaim):
        return verify_sale(claim, lookup, settings)
    return verify_stay(claim, lookup, settings)


__all__ = [
    "FieldCheck",
    "Lookup",
    "Result",
    "Verification",
    "compare_sale",
    "compare_stay",
    "key_distance",
    "name_similarity",
    "verify_claim",
    "verify_sale",
    "verify_stay",
]
