"""Claim duplicates against all history: the same sale or stay claimed again.

Every stored claim leaves blocking keys (``claim_keys``): dealer + SKU and
participant + SKU for sales lines, hotel and member + hotel for stays, each
with its date. A new claim meets only the earlier claims (earlier received;
ties by ingestion order) that share a key within a few days, so history is
never loaded whole. Rules, each explained with the earlier claim it matched:

- the same serial number claimed again (ever): duplicate;
- the same invoice (normalised) with the same SKU for the same dealer:
  duplicate; one a keying slip away (O/0 or I/1, swapped digits): duplicate
  only with the same participant and invoice date (else review; another
  participant on another day: a neighbouring invoice, no match); the same
  invoice, SKU and dealer with another quantity: review (the line's units
  split between claims, or claimed again: a person decides);
- the same participant, SKU, date (within 3 days) and quantity: review;
- the same hotel and confirmation (fuzzy as above): duplicate, and when
  another account claims it, a stay claimed by two accounts;
- the same member, hotel and overlapping dates: duplicate if the same dates,
  else review; unless both carry confirmations that differ by more than
  keying slips (two reservations, such as two rooms).

A pair a reviewer marked different is never flagged again. A claim that
repeats a pended claim of the same participant, with a field it was pended
for now right, is its resubmission: the pended claim is superseded, and
neither is a duplicate. A value pended as unreadable (a quantity ``1.000``,
a date ``31/09/2026``) leaves no key to meet on, so those claims are met
field by field (`pended_repeats`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claimflow.codes import Outcome
from claimflow.dedupe.match_types import ClaimMatch
from claimflow.dedupe.matching import claim_candidates
from claimflow.keys import normalize_key
from claimflow.models import Claim, Decision, Problem, SalesClaim

if TYPE_CHECKING:  # the store imports this module to write claim keys
    from claimflow.config import ResolvedClient
    from claimflow.store import Store
    from claimflow.validate.notices import Notice, NoticeItem


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
    are not announced until a person decides. `names` are the claims of
    the matches and resubmissions as people know them (their reference and
    where each came from), by claim id: for what people read; ``--json``
    keeps the ids.
    """

    client: str
    checked: int = 0
    matches: list[ClaimMatch] = field(default_factory=list)
    notice_items: list[NoticeItem] = field(default_factory=list)
    #: The notices rendered and stored with their claims' batches: (file
    #: stem, notices) per batch (`claimflow.validate.stage_notices`).
    notices: list[tuple[str, list[Notice]]] = field(default_factory=list)
    superseded: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def name(self, claim_id: str) -> str:
        """A claim of this run as people know it (its id if not named)."""
        return self.names.get(claim_id, claim_id)

    @property
    def duplicate_claims(self) -> set[str]:
        """The claims this run closed as duplicates."""
        return {m.claim_id for m in self.matches if m.decision == "duplicate"}

    def to_dict(self) -> dict[str, object]:
        """As plain data (what ``--json`` prints)."""
        matches = self.matches
        duplicates = self.duplicate_claims
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
    progress: Callable[[int], None] | None = None,
) -> ClaimDedupeResult:
    """Check open claims against every earlier claim; mark duplicates and reviews.

    Open claims are those accepted or pended; an original is never flagged,
    and running it again changes nothing. A claim that repeats a pended
    claim of the same participant is its resubmission: the earlier claim is
    closed as ``superseded`` and linked to it, and neither is a duplicate.
    A duplicate is decided at `now` by `actor` (a ``decided`` event: its SLA
    clock stops). One transaction. The claims are met in sets (SQL joins),
    not one by one: `progress` is called with 0 before the matching and with
    the number of open claims checked once they all are.

    Example: ``dedupe_claims(store, client, now=datetime.now(UTC)).to_dict()``
    """
    from claimflow.store.dedupe import count_open_claims
    from claimflow.store.dedupe_decisions import release_batch_holds
    from claimflow.validate.stage_notices import store_stage_notices

    key = client.key
    result = ClaimDedupeResult(key)
    with store.transaction():
        if progress is not None:
            progress(0)
        found = claim_candidates(store, key, batch_id, client.config.dedupe.claims)
        matches = found.matches
        # A participant's corrected resubmission of a pended claim replaces
        # it; it does not repeat it. A repeat of an accepted claim still does.
        # A value pended as unreadable is no key to match on: such claims
        # are met field by field (`pended_repeats`).
        # A paid resubmission received after the pended claim it fixes is
        # that claim's original (settled claims rank first): it still
        # supersedes it, as it would have had dedupe run before the award.
        pairs = {(m.claim_id, m.original) for m in matches}
        later = {(m.original, m.claim_id) for m in matches if m.received_after}
        again = store.resubmissions(pairs | later | pended_repeats(store, key, batch_id))
        # A superseded claim is never the original of a claim that repeats
        # it: its resubmission is (trial 35: a claim repeating a pended claim
        # its correction had superseded was taken for another resubmission,
        # and both it and the correction were paid).
        result.matches = found.clustered(again)
        result.superseded = store.supersede(key, again, actor)
        result.checked = count_open_claims(store, key, batch_id)
        result.names = store.claim_names(
            [i for m in result.matches for i in (m.claim_id, m.original, m.duplicate_of)]
            + [i for pair in result.superseded for i in pair]
        )
        _record(store, key, result.matches, now.isoformat(), actor, result.names)
        # A claim ingest held in review for repeating, within its batch, a
        # claim received after it is that claim's original once this run
        # closes the later one (the earliest received is the original).
        release_batch_holds(
            store,
            key,
            [(m.claim_id, m.duplicate_of) for m in result.matches if m.duplicate_of],
            now.isoformat(),
        )
        result.notice_items = _notice_items(store, result.matches)
        result.notices = store_stage_notices(
            result.notice_items, client, store, "dedupe", now
        )
        if progress is not None:
            progress(result.checked)
        store.audit(
            actor,
            "dedupe claims",
            {"client": key, "batch": batch_id, **result.to_dict() | {"matches": []}},
        )
    return result


#: What names a sale or a stay, by kind: the claim's fields and its lines'
#: fields compared between a pended claim and a later one, and the fields of
#: which one must be keyed the same on both (the document or its date).
_IDENTITY: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "sales": (
        ("dealer_id", "invoice_number", "invoice_date"),
        ("sku", "quantity", "serial_numbers"),
        ("invoice_number", "invoice_date"),
    ),
    "stay": (
        ("hotel_code", "confirmation_number", "check_in", "check_out"),
        (),
        ("confirmation_number", "check_in"),
    ),
}


def pended_repeats(
    store: Store, client: str, batch_id: int | None = None
) -> set[tuple[str, str]]:
    """(later, earlier) pairs: an open claim repeating an earlier pended claim.

    The keys `claim_candidates` meets claims on hold no value that could
    not be read (a quantity ``1.000``, a date ``31/09/2026``): a claim
    pended for one has another key, or none, than its corrected
    resubmission. Here an open claim (of `batch_id`, or all) meets the
    earlier claims of the same participant pended for a field naming the
    sale or stay and lacking a value naming it (a claim that has them all
    is met on its keys), keyed with the same document number or date, and
    repeats one as `repeats_pended` says. `Store.resubmissions` then keeps the pairs
    whose later claim has a field the earlier was pended for right.

    Example: ``pended_repeats(store, "vendas-br") == {("82ff...-r4", "b7a1...-r10")}``
    """
    from claimflow.store.dedupe import pended_repeat_rows

    identity = {kind: (header, lines) for kind, (header, lines, _) in _IDENTITY.items()}
    rows = pended_repeat_rows(store, client, batch_id, identity)
    pairs: set[tuple[str, str]] = set()
    for row in rows:
        new, new_at, new_n, new_data, new_stand_in = row[:5]
        old, old_at, old_n, old_data, kind, old_stand_in = row[5:]
        if new_stand_in or old_stand_in:
            # a received time pended for is no evidence of order (trial 34):
            # the claim stored first came first
            later = new_n > old_n
        else:
            later = (datetime.fromisoformat(new_at), new_n) > (
                datetime.fromisoformat(old_at),
                old_n,
            )
        if not later:
            continue  # the pended claim came after: it cannot be corrected by it
        if repeats_pended(json.loads(new_data), json.loads(old_data), kind):
            pairs.add((new, old))
    return pairs


def identity_of(data: dict[str, Any]) -> dict[str, Any]:
    """A claim's data (as stored) cut to what `repeats_pended` compares: its
    kind, the `_IDENTITY` fields and its lines' (the batch rules keep it for
    an unread pended claim, `claimflow.validate.pended_rows`).

    Example: ``identity_of(data)["kind"] == "sales"``
    """
    kind = data["kind"]
    header, lines, _ = _IDENTITY[kind]
    kept: dict[str, Any] = {"kind": kind, **{f: data.get(f) for f in header}}
    if lines:
        kept["lines"] = [{f: ln.get(f) for f in lines} for ln in data.get("lines", [])]
    return kept


def repeats_pended(new: dict[str, Any], old: dict[str, Any], kind: str) -> bool:
    """Whether claim data `new` names the sale or stay of claim data `old`.

    Every field of `_IDENTITY` agrees (folded as `normalize_key` folds)
    where both claims have a value: a value `old` lacks (it could not be
    read, or was left blank) is what its resubmission supplies. At least one
    of the document number and its date agrees, and the lines pair up one
    to one (SKU, quantity, and serial numbers: two lists of serials with
    none in common are other units).

    Example: ``repeats_pended({"invoice_number": "NF-1", "lines": [{"quantity": 1}]},
    {"invoice_number": "NF-1", "lines": [{}]}, "sales")``
    """
    header, line_fields, anchors = _IDENTITY[kind]
    agreed = set()
    for name in header:
        if new.get(name) is None or old.get(name) is None:
            continue
        if not _same(new[name], old[name]):
            return False
        agreed.add(name)
    if agreed.isdisjoint(anchors):
        return False
    lines = new.get("lines", []), old.get("lines", [])
    return not line_fields or _lines_pair(*lines, line_fields)


def _same(a: object, b: object) -> bool:
    """Two values alike: text folded as keys are, lists sharing an item."""
    if isinstance(a, str) and isinstance(b, str):
        return normalize_key(a) == normalize_key(b)
    if isinstance(a, list) and isinstance(b, list):
        mine = {normalize_key(x) for x in a}
        return not a or not b or not mine.isdisjoint(normalize_key(x) for x in b)
    return a == b


def _lines_pair(
    new: Sequence[dict[str, Any]],
    old: Sequence[dict[str, Any]],
    fields: tuple[str, ...],
) -> bool:
    """Each line of `old` agrees with its own line of `new` (a value either
    side lacks agrees with anything): the same lines, in any order."""
    if len(new) != len(old):
        return False
    left = list(new)
    for line in old:
        for i, other in enumerate(left):
            if all(
                line.get(f) is None or other.get(f) is None or _same(line[f], other[f])
                for f in fields
            ):
                del left[i]
                break
        else:
            return False
    return True


def _record(
    store: Store,
    client: str,
    matches: list[ClaimMatch],
    at: str,
    actor: str,
    names: dict[str, str],
) -> None:
    """Each match (and its problem row, naming the earlier claim as people
    know it), the new outcome and its history row per claim, and a
    ``decided`` event for each duplicate (a claim to review is decided when
    a person marks it)."""
    from claimflow.store.dedupe_decisions import (
        add_claim_matches,
        add_match_problems,
        set_outcomes,
    )

    add_claim_matches(
        store,
        client,
        at,
        [
            (
                m.claim_id,
                m.original,
                m.duplicate_of or None,
                m.rule,
                m.code.value,
                m.score,
                m.decision,
                m.compared,
                m.source,
            )
            for m in matches
        ],
    )
    add_match_problems(
        store,
        [
            (
                m.claim_id,
                m.code.value,
                m.source,
                f"{m.rule}: {m.compared}, as claim {names.get(m.original, m.original)}"
                + (
                    " (duplicate of claim "
                    f"{names.get(m.duplicate_of, m.duplicate_of)})"
                    if m.duplicate_of not in ("", m.original)
                    else ""
                ),
            )
            for m in matches
        ],
    )
    outcome: dict[str, str] = {}
    for m in matches:
        if m.decision == "duplicate" or m.claim_id not in outcome:
            outcome[m.claim_id] = m.decision
    set_outcomes(store, "dedupe", at, list(outcome.items()))
    # A duplicate is closed now: the SLA clock stops at this run, as it
    # does for a duplicate found at ingest.
    store.add_events(
        [
            (client, cid, None, "decided", at, actor)
            for cid, o in outcome.items()
            if o == "duplicate"
        ]
    )


def _notice_items(store: Store, matches: list[ClaimMatch]) -> list[NoticeItem]:
    """A notice line per duplicate claim, naming the earlier claim by its reference."""
    from claimflow.store.dedupe import claims_with_ids
    from claimflow.validate.notices import NoticeItem

    duplicates = [m for m in matches if m.decision == "duplicate"]
    if not duplicates:
        return []
    ids = {m.claim_id for m in duplicates} | {m.original for m in duplicates}
    claims: dict[str, Claim] = {
        claim.id: claim for chunk in claims_with_ids(store, ids) for claim in chunk
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
    # The earlier claim is named to the participant only when it was theirs
    # (`NoticeItem.of`): another participant's reference never reaches a notice.
    first = {m.claim_id: claims[m.original] for m in reversed(duplicates)}
    return [
        NoticeItem.of(
            claims[cid],
            Decision(claim_id=cid, outcome=Outcome.DUPLICATE, problems=tuple(found)),
            earlier=first[cid],
        )
        for cid, found in problems.items()
    ]
