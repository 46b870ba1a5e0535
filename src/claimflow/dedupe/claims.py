"""Claim duplicates against all history: the same sale or stay claimed again.

Every stored claim leaves blocking keys (``claim_keys``): dealer + SKU and
participant + SKU for sales lines, hotel and member + hotel for stays, each
with its date. A new claim meets only the earlier claims (earlier received;
ties by ingestion order) that share a key within a few days, so history is
never loaded whole. Rules, each explained with the earlier claim it matched:

- the same serial number claimed again (ever): duplicate;
- the same invoice (normalised; one keying slip, O/0 or I/1, swapped
  digits) with the same SKU for the same dealer: duplicate (two slips: review);
- the same participant, SKU, date (within 3 days) and quantity: review;
- the same hotel and confirmation (fuzzy as above): duplicate, and when
  another account claims it, a stay claimed by two accounts;
- the same member, hotel and overlapping dates: duplicate if the same dates,
  else review.

A pair a reviewer marked different is never flagged again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from claimflow.codes import ReasonCode
from claimflow.models import Claim, SalesClaim, StayClaim
from claimflow.validate.batch import fold_key, normalize_key

if TYPE_CHECKING:  # the store imports this module to write claim keys
    from claimflow.config import ResolvedClient
    from claimflow.store import Store

INVOICE_DAYS = 45
NEAR_DAYS = 3


def claim_keys(claim: Claim) -> list[tuple[str, str, str, str | None, str | None]]:
    """The ``claim_keys`` rows of one claim: (client, claim, block, day, value)."""
    rows: list[tuple[str, str, str, str | None, str | None]] = []
    who = claim.participant_id or ""
    if isinstance(claim, SalesClaim):
        day = claim.invoice_date.isoformat() if claim.invoice_date else None
        invoice = normalize_key(claim.invoice_number or "")
        for line in claim.lines:
            sku = (line.sku or "").upper()
            if claim.dealer_id and sku and invoice:
                # A re-keyed invoice line keeps its quantity: it joins the block key,
                # so sequential invoice numbers of other sales stay apart.
                block = f"ds|{claim.dealer_id.upper()}|{sku}|{line.quantity or ''}"
                rows.append((claim.client, claim.id, block, day, invoice))
                rows.append(
                    (claim.client, claim.id, f"{block}|={invoice}", day, invoice)
                )
            if who and sku:
                rows.append(
                    (
                        claim.client,
                        claim.id,
                        f"ps|{who}|{sku}",
                        day,
                        str(line.quantity or ""),
                    )
                )
    elif claim.hotel_code:
        hotel = claim.hotel_code.upper()
        start = claim.check_in.isoformat() if claim.check_in else None
        end = claim.check_out.isoformat() if claim.check_out else None
        if claim.confirmation_number:
            confirmation = normalize_key(claim.confirmation_number)
            rows.append((claim.client, claim.id, f"h|{hotel}", start, confirmation))
            rows.append(
                (
                    claim.client,
                    claim.id,
                    f"h|{hotel}|={confirmation}",
                    start,
                    confirmation,
                )
            )
        if who:
            rows.append((claim.client, claim.id, f"mh|{who}|{hotel}", start, end))
    return rows


@dataclass(frozen=True)
class ClaimMatch:
    """A claim that repeats an earlier one, and why.

    Attributes:
        claim_id: the later claim.
        original: the earlier claim it repeats.
        rule: the rule that fired, in words.
        code: the reason code (duplicate or review category).
        score: 1.0 for certain, lower for a look-alike.
        decision: ``duplicate`` or ``review``.
        compared: what was compared (this claim's value vs the original's).
    """

    claim_id: str
    original: str
    rule: str
    code: ReasonCode
    score: float
    decision: str
    compared: str

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return {**self.__dict__, "code": self.code.value}


def allowed_slips(key: str) -> int:
    """Keying slips tolerated: one on short keys (8 characters or fewer), else two.

    Two slips on a short number match too many honest neighbours
    (INV-77150 against INV-77133).
    """
    return 1 if len(key) <= 8 else 2


class History:
    """Earlier claims sharing a key with a claim, read from the store's indexes."""

    def __init__(self, store: Store, client: str) -> None:
        self.db = store.db
        self.client = client
        self._last: tuple[str, str, int] | None = None
        self.different = {
            tuple(sorted(p))
            for p in self.db.execute(
                "SELECT a, b FROM dedupe_decisions WHERE kind = 'claim' AND decision = 'different'"
            )
        }

    def _earlier(self, claim_id: str) -> tuple[str, int]:
        # Asked once per key of the same claim: remember the last answer.
        if self._last is None or self._last[0] != claim_id:
            row = self.db.execute(
                "SELECT received_at, rowid FROM claims WHERE id = ?", [claim_id]
            ).fetchone()
            self._last = (claim_id, str(row[0]), int(row[1]))
        return self._last[1], self._last[2]

    def serial(self, claim_id: str, serial: str) -> str | None:
        """An earlier claim with this serial."""
        received, rowid = self._earlier(claim_id)
        row = self.db.execute(
            "SELECT s.claim_id FROM claim_serials s JOIN claims c ON c.id = s.claim_id "
            "WHERE s.client = ? AND s.serial = ? AND s.claim_id != ? AND "
            "(c.received_at < ? OR (c.received_at = ? AND c.rowid < ?)) "
            "ORDER BY c.received_at, c.rowid LIMIT 1",
            [self.client, serial, claim_id, received, received, rowid],
        ).fetchone()
        return None if row is None else str(row[0])

    def block(
        self, claim_id: str, block: str, day: date | None, days: int
    ) -> list[tuple[str, str | None, str | None, str | None]]:
        """Earlier claims in a block dated within `days`: (claim, day, value, participant)."""
        if day is None:
            return []
        received, rowid = self._earlier(claim_id)
        return [
            (str(c), d, v, p)
            for c, d, v, p in self.db.execute(
                "SELECT k.claim_id, k.day, k.value, c.participant_id FROM claim_keys k "
                "JOIN claims c ON c.id = k.claim_id WHERE k.client = ? AND k.block = ? AND "
                "k.day BETWEEN ? AND ? AND k.claim_id != ? AND c.outcome != 'duplicate' AND "
                "(c.received_at < ? OR (c.received_at = ? AND c.rowid < ?)) "
                "ORDER BY c.received_at, c.rowid",
                [
                    self.client,
                    block,
                    (day - timedelta(days=days)).isoformat(),
                    (day + timedelta(days=days)).isoformat(),
                    claim_id,
                    received,
                    received,
                    rowid,
                ],
            )
            if tuple(sorted((claim_id, str(c)))) not in self.different
        ]

    def look_alikes(
        self, claim_id: str, prefix: str, key: str, day: date | None, days: int
    ) -> list[tuple[str, str | None, str | None, str | None, int]]:
        """Earlier claims whose key is `key` or within the allowed keying slips of it.

        Exact keys are found through their own index at any nearby date; keys
        with slips among the block's claims dated within `NEAR_DAYS` (a re-keyed
        invoice or stay keeps its date), compared in one vectorised call.
        Returns rows (claim, day, key, participant, slips).
        """
        found: dict[str, tuple[str, str | None, str | None, str | None, int]] = {}
        for row in self.block(claim_id, f"{prefix}|={key}", day, days):
            found[row[0]] = (*row, 0)
        window = self.block(claim_id, prefix, day, NEAR_DAYS)
        if window:
            choices = [fold_key(row[2] or "") for row in window]
            hits = process.extract(
                fold_key(key),
                choices,
                scorer=OSA.distance,
                score_cutoff=allowed_slips(key),
                limit=None,
            )
            for _, slips, index in hits:
                row = window[index]
                found.setdefault(row[0], (*row, int(slips)))
        return list(found.values())


def _sale_matches(claim: SalesClaim, history: History) -> list[ClaimMatch]:
    found: list[ClaimMatch] = []
    invoice = normalize_key(claim.invoice_number or "")
    for line in claim.lines:
        for serial in line.serial_numbers:
            earlier = history.serial(claim.id, normalize_key(serial))
            if earlier is not None:
                found.append(
                    ClaimMatch(
                        claim.id,
                        earlier,
                        "same serial number claimed again",
                        ReasonCode.SERIAL_CLAIMED_BEFORE,
                        1.0,
                        "duplicate",
                        f"serial {serial}",
                    )
                )
        sku = (line.sku or "").upper()
        if claim.dealer_id and sku and invoice:
            prefix = f"ds|{claim.dealer_id.upper()}|{sku}|{line.quantity or ''}"
            for other, _, value, _, slips in history.look_alikes(
                claim.id, prefix, invoice, claim.invoice_date, INVOICE_DAYS
            ):
                if slips <= allowed_slips(invoice):
                    certain = slips == 0 or (slips == 1 and len(invoice) > 8)
                    found.append(
                        ClaimMatch(
                            claim.id,
                            other,
                            f"same invoice and SKU for the same dealer "
                            f"({slips} keying slip{'s' if slips != 1 else ''})",
                            ReasonCode.DUPLICATE_CLAIM
                            if certain
                            else ReasonCode.POSSIBLE_DUPLICATE,
                            1.0 - 0.1 * slips,
                            "duplicate" if certain else "review",
                            f"invoice {claim.invoice_number} vs {value}, SKU {sku}",
                        )
                    )
        if claim.participant_id and sku:
            block = f"ps|{claim.participant_id}|{sku}"
            for other, _, value, _ in history.block(
                claim.id, block, claim.invoice_date, NEAR_DAYS
            ):
                if value == str(line.quantity or ""):
                    found.append(
                        ClaimMatch(
                            claim.id,
                            other,
                            "same participant, SKU and quantity within "
                            f"{NEAR_DAYS} days",
                            ReasonCode.POSSIBLE_DUPLICATE,
                            0.8,
                            "review",
                            f"{line.quantity} x {sku} on {claim.invoice_date}",
                        )
                    )
    return found


def _stay_matches(claim: StayClaim, history: History) -> list[ClaimMatch]:
    found: list[ClaimMatch] = []
    if not claim.hotel_code:
        return found
    hotel = claim.hotel_code.upper()
    confirmation = normalize_key(claim.confirmation_number or "")
    if confirmation:
        for other, _, value, who, slips in history.look_alikes(
            claim.id, f"h|{hotel}", confirmation, claim.check_in, NEAR_DAYS
        ):
            if slips > allowed_slips(confirmation):
                continue
            two_accounts = who != claim.participant_id
            code = (
                ReasonCode.CLAIMED_BY_OTHER_ACCOUNT
                if two_accounts
                else ReasonCode.DUPLICATE_CLAIM
                if slips <= 1
                else ReasonCode.POSSIBLE_DUPLICATE
            )
            decision = (
                "review" if code is ReasonCode.POSSIBLE_DUPLICATE else "duplicate"
            )
            rule = (
                "the same stay claimed by another account"
                if two_accounts
                else "same hotel and confirmation"
            )
            found.append(
                ClaimMatch(
                    claim.id,
                    other,
                    f"{rule} ({slips} keying slips)",
                    code,
                    1.0 - 0.1 * slips,
                    decision,
                    f"{hotel} {claim.confirmation_number} vs {value}",
                )
            )
    if claim.participant_id and claim.check_in and claim.check_out:
        block = f"mh|{claim.participant_id}|{hotel}"
        for other, start, end, _ in history.block(claim.id, block, claim.check_in, 30):
            if not (start and end):
                continue
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            if first < claim.check_out and claim.check_in < last:
                same = (first, last) == (claim.check_in, claim.check_out)
                found.append(
                    ClaimMatch(
                        claim.id,
                        other,
                        "same member and hotel, "
                        + ("same dates" if same else "overlapping dates"),
                        ReasonCode.DUPLICATE_CLAIM
                        if same
                        else ReasonCode.OVERLAPPING_STAY,
                        1.0 if same else 0.8,
                        "duplicate" if same else "review",
                        f"{claim.check_in}..{claim.check_out} vs {start}..{end}",
                    )
                )
    return found


def claim_matches(claim: Claim, history: History) -> list[ClaimMatch]:
    """Every earlier claim this one repeats, each with its rule.

    Example: ``claim_matches(claim, History(store, "acme-tools"))``
    """
    if isinstance(claim, SalesClaim):
        return _sale_matches(claim, history)
    return _stay_matches(claim, history)


@dataclass
class ClaimDedupeResult:
    """What a history dedupe run found: claims checked and their matches."""

    client: str
    checked: int = 0
    matches: list[ClaimMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """As plain data (what ``--json`` prints)."""
        matches = self.matches
        return {
            "client": self.client,
            "checked": self.checked,
            "duplicates": len(
                {m.claim_id for m in matches if m.decision == "duplicate"}
            ),
            "to_review": len(
                {m.claim_id for m in matches}
                - {m.claim_id for m in matches if m.decision == "duplicate"}
            ),
            "matches": [m.to_dict() for m in matches],
        }


def dedupe_claims(
    store: Store,
    client: ResolvedClient,
    *,
    batch_id: int | None = None,
    now: datetime,
    actor: str = "dedupe",
) -> ClaimDedupeResult:
    """Check open claims against every earlier claim; mark duplicates and reviews.

    Open claims are those accepted or pended; an original is never flagged,
    and running it again changes nothing. One transaction.

    Example: ``dedupe_claims(store, client, now=datetime.now(UTC)).to_dict()``
    """
    db = store.db
    key = client.key
    history = History(store, key)
    result = ClaimDedupeResult(key)
    where = "AND batch_id = ?" if batch_id is not None else ""
    params: list[object] = [key] + ([batch_id] if batch_id is not None else [])
    with store.transaction():
        rows = db.execute(
            f"SELECT kind, data, batch_id FROM claims WHERE client = ? {where} "
            "AND outcome IN ('accepted', 'pended') ORDER BY received_at, rowid",
            params,
        )
        while chunk := rows.fetchmany(5_000):
            for kind, data, batch in chunk:
                model = SalesClaim if kind == "sales" else StayClaim
                claim = model.model_validate_json(data)
                matches = claim_matches(claim, history)
                result.checked += 1
                if matches:
                    result.matches.extend(matches)
                    _record(db, claim, batch, matches, now.isoformat())
        store.audit(
            actor,
            "dedupe claims",
            {
                "client": key,
                "batch": batch_id,
                **result.to_dict() | {"matches": []},
            },
        )
    return result


def _record(
    db: Any, claim: Claim, batch: int, matches: list[ClaimMatch], at: str
) -> None:
    outcome = (
        "duplicate" if any(m.decision == "duplicate" for m in matches) else "review"
    )
    conn = db.conn
    conn.executemany(
        "INSERT INTO problems (claim_id, batch_id, code, field, source, message) "
        "VALUES (?,?,?,?,?,?)",
        [
            (
                claim.id,
                batch,
                m.code.value,
                None,
                claim.provenance.where(),
                f"{m.rule}: {m.compared}, as claim {m.original}",
            )
            for m in matches
        ],
    )
    conn.execute("UPDATE claims SET outcome = ? WHERE id = ?", [outcome, claim.id])
    conn.execute(
        "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
        "VALUES (?,?,?,?,?)",
        [claim.id, batch, "dedupe", outcome, at],
    )
