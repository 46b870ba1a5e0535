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
  else review; unless both carry confirmations that differ by more than
  keying slips (two reservations, such as two rooms).

A pair a reviewer marked different is never flagged again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from claimflow.codes import Outcome
from claimflow.dedupe.matching import ClaimMatch, find_claim_matches
from claimflow.models import Claim, Decision, Problem, SalesClaim
from claimflow.validate.batch import normalize_key

if TYPE_CHECKING:  # the store imports this module to write claim keys
    from claimflow.config import ResolvedClient
    from claimflow.store import Store
    from claimflow.validate.notices import NoticeItem


def claim_keys(claim: Claim) -> list[tuple[str, str, str, str, str]]:
    """The ``claim_keys`` rows of one claim: (client, claim, block, day, value).

    A claim line repeating another's SKU and quantity gives the same row twice;
    the store keeps one (``INSERT OR IGNORE``).
    """
    return [(claim.client, claim.id, *key) for key in key_values(claim)]


def key_values(claim: Claim) -> list[tuple[str, str, str]]:
    """A claim's blocking keys as (block, day, value): ``claims.keys``.

    Example: ``key_values(claim)[0] == ("ds|D-CHI-01|DRL-200|2", "2026-10-02", "INV417")``
    """
    rows: list[tuple[str, str | None, str | None]] = []
    who = claim.participant_id or ""
    if isinstance(claim, SalesClaim):
        day = claim.invoice_date.isoformat() if claim.invoice_date else None
        invoice = normalize_key(claim.invoice_number or "")
        for line in claim.lines:
            sku = (line.sku or "").upper()
            if claim.dealer_id and sku and invoice:
                # A re-keyed invoice line keeps its quantity: it joins the block key,
                # so sequential invoice numbers of other sales stay apart.
                # The same key serves the exact rule (the same invoice) and
                # the look-alike one (a keying slip away).
                block = f"ds|{claim.dealer_id.upper()}|{sku}|{line.quantity or ''}"
                rows.append((block, day, invoice))
            if who and sku:
                rows.append((f"ps|{who}|{sku}", day, str(line.quantity or "")))
    elif claim.hotel_code:
        hotel = claim.hotel_code.upper()
        start = claim.check_in.isoformat() if claim.check_in else None
        end = claim.check_out.isoformat() if claim.check_out else None
        if claim.confirmation_number:
            confirmation = normalize_key(claim.confirmation_number)
            rows.append((f"h|{hotel}", start, confirmation))
        if who:
            rows.append((f"mh|{who}|{hotel}", start, end))
    # every rule needs a date and a value: a key without them is never read
    return [
        (block, day, value)
        for block, day, value in rows
        if day is not None and value is not None
    ]


@dataclass
class ClaimDedupeResult:
    """What a history dedupe run found: claims checked and their matches.

    `notice_items` tell each participant which claims repeat an earlier one
    (rendered by `claimflow.validate.render_notices`); claims left to review
    are not announced until a person decides.
    """

    client: str
    checked: int = 0
    matches: list[ClaimMatch] = field(default_factory=list)
    notice_items: list[NoticeItem] = field(default_factory=list)
    superseded: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """As plain data (what ``--json`` prints)."""
        matches = self.matches
        duplicates = {m.claim_id for m in matches if m.decision == "duplicate"}
        return {
            "client": self.client,
            "checked": self.checked,
            "duplicates": len(duplicates),
            "to_review": len({m.claim_id for m in matches} - duplicates),
            "superseded": [
                {"claim_id": new, "supersedes": old} for new, old in self.superseded
            ],
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
    and running it again changes nothing. A claim that repeats a pended
    claim of the same participant is its resubmission: the earlier claim is
    closed as ``superseded`` and linked to it, and neither is a duplicate.
    One transaction.

    Example: ``dedupe_claims(store, client, now=datetime.now(UTC)).to_dict()``
    """
    key = client.key
    where = "AND batch_id = ?" if batch_id is not None else ""
    params: list[object] = [key] + ([batch_id] if batch_id is not None else [])
    result = ClaimDedupeResult(key)
    with store.transaction():
        matches = find_claim_matches(
            store,
            f"SELECT id FROM claims WHERE client = ? {where} "
            "AND outcome IN ('accepted', 'pended')",
            params,
            client.config.dedupe.claims,
        )
        # A participant's corrected resubmission of a pended claim replaces
        # it; it does not repeat it. A repeat of an accepted claim still does.
        again = store.resubmissions({(m.claim_id, m.original) for m in matches})
        result.matches = [m for m in matches if (m.claim_id, m.original) not in again]
        result.superseded = store.supersede(key, again, actor)
        (result.checked,) = store.db.execute(
            f"SELECT count(*) FROM claims WHERE client = ? {where} "
            "AND outcome IN ('accepted', 'pended')",
            params,
        ).fetchone()
        _record(store, key, result.matches, now.isoformat())
        result.notice_items = _notice_items(store, result.matches)
        store.audit(
            actor,
            "dedupe claims",
            {"client": key, "batch": batch_id, **result.to_dict() | {"matches": []}},
        )
    return result


def _record(store: Store, client: str, matches: list[ClaimMatch], at: str) -> None:
    """Each match (and its problem row), the new outcome and its history row per claim."""
    conn = store.db.conn
    conn.executemany(
        "INSERT INTO claim_matches (client, claim_id, original, duplicate_of, rule, code, "
        "score, decision, compared, source, found_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                client,
                m.claim_id,
                m.original,
                m.duplicate_of or None,
                m.rule,
                m.code.value,
                m.score,
                m.decision,
                m.compared,
                m.source,
                at,
            )
            for m in matches
        ],
    )
    conn.executemany(
        "INSERT INTO problems (claim_id, batch_id, code, field, source, message) "
        "SELECT ?, batch_id, ?, NULL, ?, ? FROM claims WHERE id = ?",
        [
            (
                m.claim_id,
                m.code.value,
                m.source,
                f"{m.rule}: {m.compared}, as claim {m.original}"
                + (
                    f" (duplicate of claim {m.duplicate_of})"
                    if m.duplicate_of not in ("", m.original)
                    else ""
                ),
                m.claim_id,
            )
            for m in matches
        ],
    )
    outcome: dict[str, str] = {}
    for m in matches:
        if m.decision == "duplicate" or m.claim_id not in outcome:
            outcome[m.claim_id] = m.decision
    conn.executemany(
        "UPDATE claims SET outcome = ? WHERE id = ?",
        [(o, cid) for cid, o in outcome.items()],
    )
    conn.executemany(
        "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
        "SELECT id, batch_id, 'dedupe', ?, ? FROM claims WHERE id = ?",
        [(o, at, cid) for cid, o in outcome.items()],
    )


def _notice_items(store: Store, matches: list[ClaimMatch]) -> list[NoticeItem]:
    """A notice line per duplicate claim, naming the earlier claim by its reference."""
    from claimflow.validate.notices import NoticeItem

    duplicates = [m for m in matches if m.decision == "duplicate"]
    if not duplicates:
        return []
    ids = {m.claim_id for m in duplicates} | {m.original for m in duplicates}
    claims: dict[str, Claim] = {
        claim.id: claim
        for chunk in store.claims(
            f"WHERE c.id IN ({','.join('?' * len(ids))})", sorted(ids)
        )
        for claim in chunk
    }
    problems: dict[str, list[Problem]] = {}
    for m in duplicates:
        claim, original = claims[m.claim_id], claims[m.original]
        problems.setdefault(m.claim_id, []).append(
            Problem(
                source=claim.provenance,
                code=m.code,
                message=f"expected a sale or stay not claimed before, found "
                f"'{m.value}', claimed before on claim "
                f"{original.claim_ref or original.provenance.where()}",
                record_id=claim.id,
                field=m.field,
            )
        )
    return [
        NoticeItem.of(
            claims[cid],
            Decision(claim_id=cid, outcome=Outcome.DUPLICATE, problems=tuple(found)),
        )
        for cid, found in problems.items()
    ]
