"""Matching one claim to its source records, and comparing them field by field.

Pure logic over a `Lookup` (what the store knows: source records by key or
by date, serials claimed before, other claims of the account, other claims
matched to the same source record). Keys match exactly after normalising
(case, spaces, dashes, leading zeros), then fuzzily: OCR confusions folded
(O/0, I/1, S/5, B/8, Z/2) and an optimal-string-alignment distance, so one
or two keying slips, a dropped digit or two swapped digits still match.

A key found only a keying slip away names the claim's record only when the
other identifying fields bear it out: for a sale, the dealer (where the
claim names one) and the SKU or the date; for a stay, the hotel and the
guest's name or the dates. A neighbouring invoice of another dealer, or
another guest's folio on other dates, is not the claim's record: the claim
has none yet (``source_not_found``), as when nothing is near.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, Protocol

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from claimflow.codes import ReasonCode
from claimflow.fields import ascii_fold
from claimflow.keys import normalize_key
from claimflow.models import (
    Claim,
    Problem,
    SaleRecord,
    SalesClaim,
    StayClaim,
    StayRecord,
)
from claimflow.validate.batch import fold_key
from claimflow.verify.compared import (
    Claimant,
    SaleFields,
    SaleSource,
    StayFields,
    StaySource,
)
from claimflow.verify.settings import VerificationSettings
from claimflow.verify.source import SourceRecord, source_key

Result = Literal["verified", "discrepancy", "not_found", "ambiguous"]
_TITLES = {
    "MR",
    "MRS",
    "MS",
    "MISS",
    "DR",
    "SR",
    "SRA",
    "SRTA",
    "DON",
    "DONA",
    "MME",
    "M",
}


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
    """

    claim_id: str
    result: Result
    source_ids: tuple[int, ...] = ()
    checks: tuple[FieldCheck, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def key_distance(a: str, b: str) -> int:
    """Keying slips between two keys (transposition counts once)."""
    return int(OSA.distance(fold_key(a), fold_key(b)))


def _name_tokens(name: str) -> list[str]:
    folded = ascii_fold(name).upper()
    if "/" in folded:  # folio style: LAST/FIRST TITLE
        last, first = folded.split("/", 1)
        folded = f"{first} {last}"
    tokens = [
        t
        for t in folded.replace(",", " ").replace(".", " ").split()
        if t not in _TITLES
    ]
    return tokens


def name_similarity(claimed: str, source: str) -> float:
    """0-1: names alike despite order, accents, titles and initials.

    Example: ``name_similarity("José Núñez Peña", "NUNEZ PENA/JOSE MR") == 1.0``
    """
    a, b = _name_tokens(claimed), _name_tokens(source)
    if not a or not b:
        return 0.0
    score = (
        max(
            fuzz.token_sort_ratio(" ".join(a), " ".join(b)),
            fuzz.token_set_ratio(" ".join(a), " ".join(b)),
        )
        / 100
    )
    initials = {t[0] for t in a if len(t) == 1} | {t[0] for t in b if len(t) == 1}
    if (
        initials
        and set(a[-1:]) & set(b)
        and any(t[0] in initials for t in a + b if len(t) > 1)
    ):
        score = max(score, 0.9)
    return score


def _within(a: Decimal, b: Decimal, settings: VerificationSettings) -> bool:
    allowed = max(settings.amount_tolerance, abs(b) * settings.amount_tolerance_pct)
    return abs(a - b) <= allowed


class _Checker:
    def __init__(self, claim: Claimant, settings: VerificationSettings) -> None:
        self.claim = claim
        self.settings = settings
        self.checks: list[FieldCheck] = []
        self.problems: list[Problem] = []

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
                f"expected {source} as in the source record, found {claimed}",
            )

    def dates(self, field_name: str, claimed: date | None, source: date) -> None:
        if claimed is None:
            return
        ok = _on_date(claimed, source, self.settings)
        self.compare(field_name, claimed, source, ok, False)


#: Whether the records of one key a keying slip away are the claim's.
_Fits = Callable[[Sequence[SourceRecord]], bool]


def _candidates(
    key: str,
    day: date | None,
    lookup: Lookup,
    settings: VerificationSettings,
    hotel: str | None,
    fits: _Fits,
) -> tuple[list[tuple[int, SourceRecord]], bool]:
    """The records of the claim's key; failing that, the nearest a slip away.

    Records a slip away are taken per key (an invoice's lines, a stay) and
    only when `fits` finds their other identifying fields agree.
    """
    exact = lookup.by_key(key)
    if exact or day is None or settings.max_key_edits == 0:
        return exact, False
    span = timedelta(days=settings.date_tolerance_days + 3)
    wanted = key.rsplit("|", maxsplit=1)[-1]
    scored = []
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    for rid, record in lookup.near(day - span, day + span):
        if hotel is not None and getattr(record, "hotel_code", "").upper() != hotel:
            continue
        have = source_key(record).split("|")[-1]
        distance = key_distance(wanted, have)
        if distance <= settings.max_key_edits:
            scored.append((distance, rid, record))
            groups.setdefault(_identity(record), []).append(record)
    scored = [s for s in scored if fits(groups[_identity(s[2])])]
    if not scored:
        return [], True
    best = min(d for d, _, _ in scored)
    return [(rid, rec) for d, rid, rec in scored if d == best], True


def _distinct(
    found: list[tuple[int, SourceRecord]],
) -> list[tuple[int, SourceRecord]]:
    """The records with other values than one stored before them: the same
    stay in two exports (the November file and a re-sent one) is one stay,
    the first stored, never two candidates. Only where they came from (the
    provenance) may differ, and an amount however its export wrote it
    (``4500`` and ``4500.00`` are one value); a stay whose values differ
    stays a candidate."""
    first: dict[str, tuple[int, SourceRecord]] = {}
    for rid, record in found:
        values = json.dumps(
            record.model_dump(exclude={"provenance"}), sort_keys=True, default=_same_value
        )
        if values not in first or rid < first[values][0]:
            first[values] = (rid, record)
    return list(first.values())


def _same_value(value: object) -> str:
    """A value as `_distinct` compares it: a Decimal by its value (``4500``
    and ``4500.00`` alike), anything else as text."""
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")
    return str(value)


def _identity(record: SourceRecord) -> tuple[str, str]:
    """One invoice of one dealer, or one stay: its key (and dealer)."""
    return source_key(record), getattr(record, "dealer_id", "").upper()


def _on_date(
    claimed: date | None, source: date, settings: VerificationSettings
) -> bool:
    """A claimed date within the client's tolerance of the source's."""
    return claimed is not None and abs(claimed - source) <= timedelta(
        days=settings.date_tolerance_days
    )


def _sale_fits(claim: SalesClaim, settings: VerificationSettings) -> _Fits:
    """Whether an invoice a slip away is the claim's.

    Its dealer agrees (or the claim names none), and the claimed SKUs are on
    it or its date agrees.
    """

    def fits(records: Sequence[SourceRecord]) -> bool:
        lines = [r for r in records if isinstance(r, SaleRecord)]
        if not lines:
            return False
        first = lines[0]
        if claim.dealer_id and claim.dealer_id.upper() != first.dealer_id.upper():
            return False
        claimed = {(line.sku or "").upper() for line in claim.lines} - {""}
        invoiced = {r.sku.upper() for r in lines}
        skus = bool(claimed) and claimed <= invoiced
        return skus or _on_date(claim.invoice_date, first.invoice_date, settings)

    return fits


def _stay_fits(claim: StayClaim, settings: VerificationSettings) -> _Fits:
    """Whether a stay a slip away (at the claimed hotel) is the claim's.

    The guest's name agrees, or the dates do (check-in, and check-out where
    claimed).
    """

    def fits(records: Sequence[SourceRecord]) -> bool:
        for record in records:
            if not isinstance(record, StayRecord):
                continue
            if claim.member_name and _guest_fits(
                claim.member_name, record.guest_name, settings
            ):
                return True
            if _on_date(claim.check_in, record.arrival, settings) and (
                claim.check_out is None
                or _on_date(claim.check_out, record.departure, settings)
            ):
                return True
        return False

    return fits


def _guest_fits(claimed: str, guest: str, settings: VerificationSettings) -> bool:
    """The claimed name is the folio's guest (or, if allowed, family)."""
    spouse = settings.allow_spouse and bool(
        set(_name_tokens(claimed)[-1:]) & set(_name_tokens(guest))
    )
    return name_similarity(claimed, guest) >= settings.name_threshold or spouse


def _result(checker: _Checker, ids: tuple[int, ...], claim: Claimant) -> Verification:
    result: Result = "discrepancy" if checker.problems else "verified"
    return Verification(
        claim.id, result, ids, tuple(checker.checks), tuple(checker.problems)
    )


def verify_sale(
    claim: SalesClaim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify a sales claim against distributor sales records."""
    checker = _Checker(claim, settings)
    key = normalize_key(claim.invoice_number or "")
    found, fuzzy = _candidates(
        key, claim.invoice_date, lookup, settings, None, _sale_fits(claim, settings)
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
        lookup: asked which serials an earlier batch claimed.
        settings: the client's tolerances.
        fuzzy: the invoice was found a keying slip away.

    Example: ``compare_sale(claim, [(17, record)], lookup, settings).result``
    """
    checker = _Checker(claim, settings)
    first = sales[0][1]
    if fuzzy:
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
    used = _sale_lines(checker, claim, sales, lookup, settings)
    return _result(checker, tuple(used) or tuple(i for i, _ in sales), claim)


def _sale_lines(
    checker: _Checker,
    claim: SaleFields,
    sales: Sequence[tuple[int, SaleSource]],
    lookup: Lookup,
    settings: VerificationSettings,
) -> list[int]:
    """Compare each claim line with the invoice line of its SKU; the ids used."""
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
        quantity = line.quantity or 0
        checker.compare(
            "quantity",
            quantity,
            record.quantity,
            quantity <= record.quantity,
            True,
            ReasonCode.QUANTITY_ABOVE_INVOICED,
        )
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


def verify_stay(
    claim: StayClaim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify a retro-stay claim against the hotel's stay or folio export."""
    checker = _Checker(claim, settings)
    hotel = (claim.hotel_code or "").upper()
    key = f"{hotel}|{normalize_key(claim.confirmation_number or '')}"
    found, fuzzy = _candidates(
        key, claim.check_in, lookup, settings, hotel, _stay_fits(claim, settings)
    )
    found = _distinct(found)
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
    checker = _Checker(claim, settings)
    if fuzzy:
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
    checker: _Checker,
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
            _guest_fits(claim.member_name, record.guest_name, settings),
            True,
            ReasonCode.NAME_MISMATCH,
        )
    channel = (record.booking_channel or "").casefold()
    if channel in {c.casefold() for c in settings.ota_channels}:
        checker.problem(
            ReasonCode.OTA_BOOKING,
            "booking_channel",
            f"expected a direct booking, found {record.booking_channel!r} "
            "in the hotel's record",
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
                f"expected this stay on one account, found it claimed by {by}",
            )
        elif result == "verified":
            checker.problem(
                ReasonCode.ALREADY_CREDITED,
                "confirmation_number",
                "this stay was already credited by claim "
                f"{lookup.claim_name(other)}",
            )


def verify_claim(
    claim: Claim, lookup: Lookup, settings: VerificationSettings
) -> Verification:
    """Verify one claim of either kind.

    Example: ``verify_claim(claim, StoreLookup(store, "acme-tools"), settings).result``
    """
    if isinstance(claim, SalesClaim):
        return verify_sale(claim, lookup, settings)
    return verify_stay(claim, lookup, settings)
