"""Reason codes: stable, machine-readable, documented.

A code's value never changes once released (add new codes instead). Each code
belongs to a category, and the category decides the claim's outcome:

- ``data``: the participant can fix it by sending something: the claim is *pended*;
- ``eligibility``: nothing the participant sends can fix it: *rejected*;
- ``duplicate``: the claim repeats one already seen: *duplicate*;
- ``award``: explains an award line (a cap, a minimum); no outcome change;
- ``review``: a person must look (a discrepancy with the source): *review*.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What kind of problem a reason code names; decides the outcome."""

    DATA = "data"
    ELIGIBILITY = "eligibility"
    DUPLICATE = "duplicate"
    AWARD = "award"
    REVIEW = "review"


class Outcome(StrEnum):
    """Where a claim ends after a stage; every input record ends in exactly one."""

    ACCEPTED = "accepted"
    PENDED = "pended"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    REVIEW = "review"


#: A claim's state once its award was reversed as a refund or cancellation
#: (``ledger reverse`` without ``--correction``): a person's decision after
#: the claim's outcome, which no award run pays again and replay keeps.
VOID = "void"
#: A pended claim's state once the participant's corrected resubmission
#: replaced it (`claimflow.dedupe.claims`): closed, linked to its successor.
SUPERSEDED = "superseded"


class ReasonCode(StrEnum):
    """Why a claim is not accepted. Values are stable: never rename one."""

    MISSING_FIELD = "missing_field"
    INVALID_FORMAT = "invalid_format"
    INVALID_DATE = "invalid_date"
    INVALID_NUMBER = "invalid_number"
    NONPOSITIVE_QUANTITY = "nonpositive_quantity"
    NEGATIVE_AMOUNT = "negative_amount"
    LINE_TOTAL_MISMATCH = "line_total_mismatch"
    CLAIM_TOTAL_MISMATCH = "claim_total_mismatch"
    SERIAL_COUNT_MISMATCH = "serial_count_mismatch"
    CHECKOUT_NOT_AFTER_CHECKIN = "checkout_not_after_checkin"
    DATE_AFTER_RECEIPT = "date_after_receipt"
    RECEIVED_IN_FUTURE = "received_in_future"
    NO_PROOF = "no_proof"
    OUTSIDE_CLAIM_WINDOW = "outside_claim_window"
    TOO_EARLY = "too_early"
    INELIGIBLE_SKU = "ineligible_sku"
    INELIGIBLE_HOTEL = "ineligible_hotel"
    INELIGIBLE_CHANNEL = "ineligible_channel"
    DUPLICATE_SERIAL_IN_BATCH = "duplicate_serial_in_batch"
    DUPLICATE_INVOICE_LINE_IN_BATCH = "duplicate_invoice_line_in_batch"
    DUPLICATE_STAY_IN_BATCH = "duplicate_stay_in_batch"
    NO_RULE_SET = "no_rule_set"
    NO_CONVERSION_RATE = "no_conversion_rate"
    BELOW_MINIMUM = "below_minimum"
    NOT_ENROLLED = "not_enrolled"
    EXCLUDED_RATE = "excluded_rate"
    CAP_PER_CLAIM = "cap_per_claim"
    CAP_PARTICIPANT_PERIOD = "cap_participant_period"
    CAP_BUDGET = "cap_budget"
    CAP_PROMOTION = "cap_promotion"
    TAX_FORM_REQUIRED = "tax_form_required"
    SOURCE_NOT_FOUND = "source_not_found"
    SOURCE_AMBIGUOUS = "source_ambiguous"
    SOURCE_MISMATCH = "source_mismatch"
    SERIAL_NOT_IN_SOURCE = "serial_not_in_source"
    SERIAL_CLAIMED_BEFORE = "serial_claimed_before"
    QUANTITY_ABOVE_INVOICED = "quantity_above_invoiced"
    NAME_MISMATCH = "name_mismatch"
    OVERLAPPING_STAY = "overlapping_stay"
    CLAIMED_BY_OTHER_ACCOUNT = "claimed_by_other_account"
    ALREADY_CREDITED = "already_credited"
    OTA_BOOKING = "ota_booking"
    DOCUMENT_FAULT = "document_fault"
    DUPLICATE_CLAIM = "duplicate_claim"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    MERGED_PARTICIPANT = "merged_participant"
    UNKNOWN_PARTICIPANT = "unknown_participant"

    @property
    def category(self) -> Category:
        """The category that decides the outcome of a claim with this code."""
        return _CATEGORY.get(self, Category.DATA)

    @property
    def description(self) -> str:
        """One line a person reads: what the code means."""
        return _DESCRIPTION[self]


_CATEGORY: dict[ReasonCode, Category] = {
    ReasonCode.OUTSIDE_CLAIM_WINDOW: Category.ELIGIBILITY,
    ReasonCode.INELIGIBLE_SKU: Category.ELIGIBILITY,
    ReasonCode.INELIGIBLE_HOTEL: Category.ELIGIBILITY,
    ReasonCode.INELIGIBLE_CHANNEL: Category.ELIGIBILITY,
    ReasonCode.DUPLICATE_SERIAL_IN_BATCH: Category.DUPLICATE,
    ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH: Category.DUPLICATE,
    ReasonCode.DUPLICATE_STAY_IN_BATCH: Category.DUPLICATE,
    ReasonCode.NO_RULE_SET: Category.AWARD,
    ReasonCode.NO_CONVERSION_RATE: Category.AWARD,
    ReasonCode.BELOW_MINIMUM: Category.AWARD,
    ReasonCode.NOT_ENROLLED: Category.AWARD,
    ReasonCode.UNKNOWN_PARTICIPANT: Category.AWARD,
    ReasonCode.EXCLUDED_RATE: Category.AWARD,
    ReasonCode.CAP_PER_CLAIM: Category.AWARD,
    ReasonCode.CAP_PARTICIPANT_PERIOD: Category.AWARD,
    ReasonCode.CAP_BUDGET: Category.AWARD,
    ReasonCode.CAP_PROMOTION: Category.AWARD,
    ReasonCode.TAX_FORM_REQUIRED: Category.AWARD,
    ReasonCode.SOURCE_AMBIGUOUS: Category.REVIEW,
    ReasonCode.SOURCE_MISMATCH: Category.REVIEW,
    ReasonCode.SERIAL_NOT_IN_SOURCE: Category.REVIEW,
    ReasonCode.QUANTITY_ABOVE_INVOICED: Category.REVIEW,
    ReasonCode.NAME_MISMATCH: Category.REVIEW,
    ReasonCode.OVERLAPPING_STAY: Category.REVIEW,
    ReasonCode.SERIAL_CLAIMED_BEFORE: Category.DUPLICATE,
    ReasonCode.CLAIMED_BY_OTHER_ACCOUNT: Category.DUPLICATE,
    ReasonCode.ALREADY_CREDITED: Category.DUPLICATE,
    ReasonCode.OTA_BOOKING: Category.ELIGIBILITY,
    ReasonCode.DUPLICATE_CLAIM: Category.DUPLICATE,
    ReasonCode.POSSIBLE_DUPLICATE: Category.REVIEW,
}

_DESCRIPTION: dict[ReasonCode, str] = {
    ReasonCode.MISSING_FIELD: "a required field is empty or absent",
    ReasonCode.INVALID_FORMAT: "a value does not match the client's format",
    ReasonCode.INVALID_DATE: "a date cannot be read in the client's date order",
    ReasonCode.INVALID_NUMBER: (
        "a quantity or amount is not a number, or has more decimals than its currency"
    ),
    ReasonCode.NONPOSITIVE_QUANTITY: "a quantity is zero or negative",
    ReasonCode.NEGATIVE_AMOUNT: "a price or amount is negative",
    ReasonCode.LINE_TOTAL_MISMATCH: "line total is not quantity x unit price",
    ReasonCode.CLAIM_TOTAL_MISMATCH: "claim total is not the sum of its lines",
    ReasonCode.SERIAL_COUNT_MISMATCH: "number of serial numbers is not the quantity",
    ReasonCode.CHECKOUT_NOT_AFTER_CHECKIN: "check-out is not after check-in",
    ReasonCode.DATE_AFTER_RECEIPT: "purchase or stay is dated after the claim arrived",
    ReasonCode.RECEIVED_IN_FUTURE: (
        "the claim's received time is later than now: a keying error to correct"
    ),
    ReasonCode.NO_PROOF: "the client requires proof (invoice or folio) attached",
    ReasonCode.OUTSIDE_CLAIM_WINDOW: "purchase or stay is outside the claim window",
    ReasonCode.TOO_EARLY: (
        "claimed before the claim window opens: claim again from its first day"
    ),
    ReasonCode.INELIGIBLE_SKU: "the product is not in the program",
    ReasonCode.INELIGIBLE_HOTEL: "the hotel is not in the program",
    ReasonCode.INELIGIBLE_CHANNEL: "the booking channel or rate earns no points",
    ReasonCode.DUPLICATE_SERIAL_IN_BATCH: "a serial number claimed twice",
    ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH: (
        "invoice and SKU claimed twice, in the same quantity"
    ),
    ReasonCode.DUPLICATE_STAY_IN_BATCH: "hotel and confirmation claimed twice",
    ReasonCode.NO_RULE_SET: "no award rule set covers the activity date",
    ReasonCode.NO_CONVERSION_RATE: "no conversion rate for the claim's currency",
    ReasonCode.BELOW_MINIMUM: "spend or quantity below the program minimum",
    ReasonCode.NOT_ENROLLED: "the participant was not enrolled on the activity date",
    ReasonCode.EXCLUDED_RATE: "the booking channel or rate code earns no points",
    ReasonCode.CAP_PER_CLAIM: "award cut to the per-claim cap",
    ReasonCode.CAP_PARTICIPANT_PERIOD: "award cut to the participant's period cap",
    ReasonCode.CAP_BUDGET: "award cut to the remaining program or rule-set fund",
    ReasonCode.CAP_PROMOTION: "promotion points cut to the promotion's fund or cap",
    ReasonCode.TAX_FORM_REQUIRED: (
        "award held: the year's payments reach the reporting threshold and no "
        "tax form is on file"
    ),
    ReasonCode.SOURCE_NOT_FOUND: "no source record yet: awaiting source data",
    ReasonCode.SOURCE_AMBIGUOUS: "several source records could match: review",
    ReasonCode.SOURCE_MISMATCH: "a claimed value differs from the source record",
    ReasonCode.SERIAL_NOT_IN_SOURCE: "a serial number is not on the source invoice",
    ReasonCode.SERIAL_CLAIMED_BEFORE: "a serial number was claimed in an earlier batch",
    ReasonCode.QUANTITY_ABOVE_INVOICED: "more units claimed than invoiced",
    ReasonCode.NAME_MISMATCH: "the name on the claim does not match the folio",
    ReasonCode.OVERLAPPING_STAY: "another stay of the account overlaps these dates",
    ReasonCode.CLAIMED_BY_OTHER_ACCOUNT: "the same stay was claimed by another account",
    ReasonCode.ALREADY_CREDITED: "the stay was already credited",
    ReasonCode.OTA_BOOKING: "booked through an online travel agency: no points",
    ReasonCode.DOCUMENT_FAULT: "the document is illegible or contradicts itself",
    ReasonCode.DUPLICATE_CLAIM: "repeats a sale or stay claimed before (any batch)",
    ReasonCode.POSSIBLE_DUPLICATE: "looks like a claim made before: a person reviews it",
    ReasonCode.MERGED_PARTICIPANT: "keyed under a participant number merged into "
    "another account; the client pends such claims (accounts.merged_claims: pend) "
    "until resubmitted under the surviving number",
    ReasonCode.UNKNOWN_PARTICIPANT: (
        "award held: the participant is not on the member list, so enrolment "
        "(or the tier a tier bonus or a tier-scoped rule pays by) cannot be "
        "checked; the next award run after the list is imported pays it"
    ),
}


def may_be_original(outcome: str) -> bool:
    """Whether a claim with this outcome may be the original another repeats.

    A claim already a duplicate (of anything) is never an original: the claim
    it repeats is. Ingest holds to it in a batch (a key's first readable claim
    is its original; its repeats are never one, `claimflow.validate.batch`),
    and ``dedupe claims`` meets only such claims as originals
    (`claimflow.dedupe.matching`): two claims of one stay never end as each
    other's duplicate, so one of them stays payable. Nor is a superseded
    claim: its resubmission is (a later repeat of the sale is the
    resubmission's duplicate, and verification counts the resubmission's
    serials and stay, never the superseded claim's). Any other outcome
    (accepted, pended, review, rejected, void) still refuses a repeat of its
    sale or stay.

    Example: ``may_be_original("accepted") and not may_be_original("superseded")``
    """
    return outcome not in (Outcome.DUPLICATE, SUPERSEDED)


def decide(codes: list[ReasonCode]) -> Outcome:
    """Decide a claim's outcome from its reason codes.

    Eligibility beats duplicates beats data problems: a claim that can never
    earn is rejected even if it is also incomplete, so the participant is not
    asked to send documents for nothing.

    Args:
        codes: every reason code found for the claim (may be empty).

    Returns:
        The outcome.

    Example: ``decide([]) is Outcome.ACCEPTED``
    """
    categories = {code.category for code in codes} - {Category.AWARD}
    if Category.ELIGIBILITY in categories:
        return Outcome.REJECTED
    if Category.DUPLICATE in categories:
        return Outcome.DUPLICATE
    if Category.REVIEW in categories:
        return Outcome.REVIEW
    if categories:
        return Outcome.PENDED
    return Outcome.ACCEPTED
