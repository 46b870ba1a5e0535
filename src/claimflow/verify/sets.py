"""Verification in sets: all the claims to verify matched and compared at once.

Contract: `verify_in_sets(store, client, batch_id=..., now=..., actor=...)`
records the results, problems, outcomes and events, and returns the
`VerifyResult` (notices included), that
`claimflow.verify.run.verify_claims_per_claim` does one claim at a time:
that path stays as the reference, and a property test holds the two equal
claim for claim. Per chunk of claims, in store order, each claim takes the
first of three ways that can verify it:

1. **In SQL** (`Store.plain_sales`): a one-line sales claim whose key
   names one source line, where every check passes as written (the same
   date, dealer and SKU, no more units, the same amount, every serial on
   the invoice), is matched and compared for the whole chunk in one
   statement, which also writes its checks as `compare_sale` records them
   and stages its result, match included, for the chunk's writes (a serial
   an earlier batch claimed, a date or amount within tolerance but not
   equal, a value that would need escaping: the next way).
2. **In Python, on joined rows**: any other claim whose key names one
   invoice (or one stay) is read from its row, its source lines from one
   join, its serials, the member's other stays and the claims already
   matched to the stay from one statement each, and compared by
   `compare_sale` / `compare_stay`, the comparisons the reference makes:
   amounts and dates within the client's tolerances (Decimal, not SQL's
   binary REAL), names (rapidfuzz), Unicode case.
3. **One at a time** (`verify_claim`, the fuzzy path): what is left: no
   exact match (a keying slip, or no source record yet), several invoices
   or stays (ambiguous), or a value not stored the way this release
   stores it.

The chunk's rows are then written in bulk, in claim order (`INSERT ...
SELECT` from the staged results, so the ids are those one claim at a time
gives).

Claim by claim, each claim sees what the claims before it in the run
wrote: their outcomes (a member's overlapping stays leave out those
rejected or duplicate) and their matches (a stay already credited, or
claimed by another account). `_RunLookup` lays the chunk's results, not yet
written, over the store's answers, so each claim sees the same here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from claimflow.codes import Category, Outcome
from claimflow.config import ResolvedClient
from claimflow.keys import normalize_key
from claimflow.models import Claim, Decision, StayClaim
from claimflow.store import Store, VerificationRows
from claimflow.store.verification import ToVerify
from claimflow.store.verify_claim import HOLDS_UNITS, last_verifications
from claimflow.validate.notices import NoticeItem
from claimflow.validate.stage_notices import store_stage_notices
from claimflow.verify.knew import OtherMatch, OtherUnits
from claimflow.verify.match import (
    Verification,
    compare_sale,
    compare_stay,
    verify_claim,
)
from claimflow.verify.rows import (
    ClaimRead,
    Odd,
    SaleLine,
    StayRead,
    claim_key,
    details_json,
    one_invoice,
    one_stay,
    read_claim,
    stored_text,
)
from claimflow.verify.run import (
    StoreLookup,
    VerifyResult,
    _detail,
    check_again,
    named_details,
    outcome_of,
    repeats,
    waits_on_participant,
)

#: Claims read, matched and written together.
CHUNK = 20_000


def _key(row: ToVerify) -> str | None:
    """A claim's exact key; None when it is read as a model (way 3)."""
    try:
        stored_text(row[5])  # its participant, as the model reads it
        return claim_key(row) if row[2] in ("sales", "stay") else None
    except Odd:
        return None


class _RunLookup(StoreLookup):
    """The store as the claims verified so far in this run have left it.

    The serials, stays and matches of a chunk are read for the whole chunk
    at once; the outcomes and matches of the chunk's claims verified so far
    (written when the chunk ends) are laid over them. What was not read
    ahead is asked of the store as `StoreLookup` asks it.
    """

    def __init__(self, store: Store, client: str) -> None:
        super().__init__(store, client)
        self.serials: dict[tuple[str, str], str] = {}
        self.serials_read: set[str] = set()
        self.stays: dict[str, list[tuple[str, str, object, object]]] = {}
        self.matches: dict[int, list[tuple[str, str | None, str]]] = {}
        self.outcomes: dict[str, str] = {}
        self.pending: dict[int, list[tuple[str, str | None, str]]] = {}
        #: invoice line -> (claim, units, outcome) of the chunk's sales so far
        self.pending_units: dict[int, list[tuple[str, int, str]]] = {}

    def _serial_before(self, serial: str, claim_id: str) -> str | None:
        if claim_id in self.serials_read:
            return self.serials.get((claim_id, serial))
        return super()._serial_before(serial, claim_id)

    def member_stays(
        self, participant: str, claim_id: str
    ) -> list[tuple[str, date, date]]:
        """The member's other stay claims with dates, under any of its
        accounts (`StoreLookup.accounts`), by account then in store order."""
        accounts = self.accounts(participant)
        missing = [a for a in accounts if a not in self.stays]
        if missing:
            found = self.store.stays_of(self.client, missing)
            self.stays.update({a: found.get(a, []) for a in missing})
        rows = [row for a in accounts for row in self.stays[a]]
        stays = []
        for other, stored, start, end in rows:
            if other == claim_id or self.leaves_out(other, self.outcomes.get(other, stored)):
                continue
            if start and end:
                stays.append(
                    (
                        other,
                        date.fromisoformat(str(start)),
                        date.fromisoformat(str(end)),
                    )
                )
        return stays

    def _matched(self, source_id: int, claim_id: str) -> list[OtherMatch]:
        rows = self.matches.get(source_id)
        if rows is None:
            found = self.store.matches_of([source_id])
            rows = self.matches[source_id] = found.get(source_id, [])
        return [m for m in rows + self.pending.get(source_id, []) if m[0] != claim_id]

    def _claimed_units(self, source_id: int, claim_id: str) -> list[OtherUnits]:
        found = super()._claimed_units(source_id, claim_id)
        return found + self.units_taken(source_id, claim_id)

    def units_taken(self, source_id: int, claim_id: str = "") -> list[OtherUnits]:
        """The units the chunk's claims so far took of an invoice line: those
        accepted or in review (`HOLDS_UNITS`)."""
        return [
            (other, units)
            for other, units, outcome in self.pending_units.get(source_id, [])
            if other != claim_id and outcome in HOLDS_UNITS and units > 0
        ]

    def settle(
        self,
        claim_id: str,
        participant: str | None,
        result: str,
        source_ids: tuple[int, ...],
        outcome: str,
        units: tuple[tuple[int, int], ...] = (),
    ) -> None:
        """Lay a claim's outcome, matches and units of invoice lines over the
        store's answers."""
        self.outcomes[claim_id] = outcome
        if result != "ambiguous":
            for sid in source_ids:
                self.pending.setdefault(sid, []).append((claim_id, participant, result))
            for sid, n in units:
                self.pending_units.setdefault(sid, []).append((claim_id, n, outcome))

    def written(self) -> None:
        """The chunk's rows are in the store: forget what was read ahead."""
        for held in (self.serials, self.stays, self.matches, self.outcomes):
            held.clear()
        self.serials_read.clear()
        self.pending.clear()
        self.pending_units.clear()


#: A claim matched in Python: its invoice's lines, or its one stay.
_Found = list[tuple[int, SaleLine]] | tuple[int, StayRead]


class _SetRun:
    """One verification run: its chunks, lookup, rows and result."""

    def __init__(
        self, store: Store, client: ResolvedClient, at: str, actor: str
    ) -> None:
        self.store = store
        self.client = client
        self.settings = client.config.verification
        self.lookup = _RunLookup(store, client.key)
        self.result = VerifyResult(client.key)
        self.at = at
        self.actor = actor

    def _plain(
        self, rows: Sequence[ToVerify], keys: Sequence[str | None]
    ) -> dict[int, tuple[int, int]]:
        """The positions of the claims verified in SQL (way 1): their invoice
        line and the units they claim of it."""
        sales = [
            (pos, int(row[0]), key)  # type: ignore[call-overload]
            for pos, (row, key) in enumerate(zip(rows, keys, strict=True))
            # (its participant is written as stored: as the model reads it)
            if row[2] == "sales" and key is not None and stored_text(row[5]) == row[5]
        ]
        return self.store.plain_sales(sales) if sales else {}

    def _found(self, claims: dict[int, ClaimRead]) -> dict[int, _Found]:
        """The claims with one invoice or one stay under their exact key (way 2)."""
        found: dict[int, _Found] = {}
        for kind in ("sales", "stay"):
            keys = [(p, c.key) for p, c in claims.items() if c.kind == kind]
            if not keys:
                continue
            for pos, rows in self.store.sources_by_key(
                self.client.key, kind, keys
            ).items():
                try:
                    one = one_invoice(rows) if kind == "sales" else one_stay(rows)
                except (Odd, ValueError, TypeError, ArithmeticError):
                    one = None
                if one is not None:
                    found[pos] = one
        return found

    def _read_ahead(
        self,
        claims: dict[int, ClaimRead],
        found: dict[int, _Found],
        models: dict[int, Claim],
    ) -> None:
        """What the chunk's claims will ask: serials, stays, matches."""
        lookup, client = self.lookup, self.client.key
        serials: set[tuple[str, int, str]] = set()
        for pos, one in found.items():
            claim = claims[pos]
            if isinstance(one, list):
                lookup.serials_read.add(claim.id)
                serials.update(
                    (claim.id, claim.batch_id, normalize_key(serial))
                    for line in claim.lines
                    for serial in line.serial_numbers
                )
        if serials:
            lookup.serials.update(self.store.serials_claimed_before(client, serials))
        people = {c.participant_id for c in claims.values() if c.kind == "stay"} | {
            m.participant_id for m in models.values() if isinstance(m, StayClaim)
        }
        # each member's every account (a merged one's stays count as theirs)
        accounts = {a for p in people if p for a in lookup.accounts(p)}
        if accounts:
            stays = self.store.stays_of(client, accounts)
            lookup.stays.update({a: stays.get(a, []) for a in accounts})
        sources = {one[0] for one in found.values() if isinstance(one, tuple)}
        if sources:
            matches = self.store.matches_of(sources)
            lookup.matches.update({s: matches.get(s, []) for s in sources})

    def _ways(
        self, rows: list[ToVerify], rowids: list[int]
    ) -> tuple[
        dict[int, tuple[int, int]],
        dict[int, ClaimRead],
        dict[int, _Found],
        dict[int, Claim],
    ]:
        """Which way each claim of a chunk takes, with what it is compared on."""
        keys = [_key(row) for row in rows]
        plain = self._plain(rows, keys)
        rest = [p for p in range(len(rows)) if p not in plain]
        fields = self.store.claim_fields(rowids[p] for p in rest if keys[p] is not None)
        claims: dict[int, ClaimRead] = {}
        for pos in rest:
            if keys[pos] is not None:
                claim = read_claim(rows[pos], fields[rowids[pos]])
                if claim is not None:
                    claims[pos] = claim
        found = self._found(claims)
        models = self.store.claims_at(rowids[p] for p in rest if p not in found)
        self._read_ahead(claims, found, models)
        return plain, claims, found, models

    def chunk(self, rows: list[ToVerify]) -> None:
        """Verify, record and count one chunk of claims, in their order."""
        rowids = [int(row[0]) for row in rows]  # type: ignore[call-overload]
        plain, claims, found, models = self._ways(rows, rowids)
        out = VerificationRows()
        unverified: list[tuple[int, Decision, Verification]] = []
        counts = self.result
        for pos, row in enumerate(rows):
            claim_id, stored = str(row[1]), str(row[4])
            if pos in plain and self._in_sql(pos, claim_id, plain, models, rowids[pos]):
                continue
            batch = int(row[3])  # type: ignore[call-overload]
            self.lookup.begin()
            if pos in found:
                claim = claims[pos]
                verification = self._compare(claim, found[pos])
                participant = claim.participant_id
            else:
                model = models[rowids[pos]]
                verification = verify_claim(model, self.lookup, self.settings)
                participant = model.participant_id
            outcome = outcome_of(verification, self.settings.discrepancy_policy)
            self._record(out, pos, batch, stored, participant, verification, outcome)
            if verification.result != "verified":
                decision = Decision(
                    claim_id=claim_id, outcome=outcome, problems=verification.problems
                )
                unverified.append((rowids[pos], decision, verification))
                if len(self.result.details) < 200:
                    self.result.details.append(_detail(verification, outcome))
        counts.verified += len(plain)
        if plain:
            counts.results["verified"] += len(plain)
            counts.outcomes["accepted"] += len(plain)
        # what each claim's previous verification said, before this run's
        # results are written (the same again: no new notice; `repeats`)
        ids = [decision.claim_id for _, decision, _ in unverified]
        previous = last_verifications(self.store, ids) if ids else {}
        self.store.record_verifications(self.client.key, self.at, out)
        self.lookup.written()
        owed = []
        for rowid, decision, verification in unverified:
            if repeats(previous.get(decision.claim_id), verification):
                counts.unchanged += 1
            else:
                owed.append((rowid, decision, verification.slip))
        missing = [r for r, _, _ in owed if r not in models]
        models.update(self.store.claims_at(missing) if missing else {})
        self.result.notice_items.extend(
            NoticeItem.of(models[r], decision, slip=slip) for r, decision, slip in owed
        )

    def _in_sql(
        self,
        pos: int,
        claim_id: str,
        plain: dict[int, tuple[int, int]],
        models: dict[int, Claim],
        rowid: int,
    ) -> bool:
        """Whether a claim verified in SQL stands so; if an earlier claim of
        the chunk took units of its invoice line, its result is taken back
        (and its model read) to be checked with them, as claim by claim."""
        source_id, units = plain[pos]
        if self.lookup.units_taken(source_id):
            del plain[pos]
            self.store.unplain(pos)
            models.update(self.store.claims_at([rowid]))
            return False
        # Verified, accepted as stored, one match: written in SQL. A later
        # sale of its invoice line counts its units.
        self.lookup.settle(
            claim_id, None, "verified", (), "accepted", ((source_id, units),)
        )
        counts = self.result
        if "verified" not in counts.results:  # counted in claim order
            counts.results["verified"] += 0
            counts.outcomes["accepted"] += 0
        return True

    def _compare(self, claim: ClaimRead, one: _Found) -> Verification:
        if isinstance(one, list):
            return compare_sale(claim, one, self.lookup, self.settings)
        return compare_stay(claim, one[0], one[1], self.lookup, self.settings)

    def _record(
        self,
        out: VerificationRows,
        pos: int,
        batch: int,
        stored: str,
        participant: str | None,
        verification: Verification,
        outcome: Outcome,
    ) -> None:
        """The rows `claimflow.verify.run` records for one claim, and its counts."""
        claim_id, result = verification.claim_id, verification.result
        source_ids = verification.source_ids
        out.verifications.append(
            (pos, claim_id, result, json_ids(source_ids), details_json(verification),
             self.lookup.noting.to_json())
        )
        if result != "ambiguous":
            out.matches.extend(
                (pos, seq, sid, claim_id, participant, result)
                for seq, sid in enumerate(source_ids)
            )
        self.lookup.settle(
            claim_id, participant, result, source_ids, outcome.value, verification.units
        )
        counts = self.result
        counts.verified += 1
        counts.results[result] += 1
        counts.outcomes[outcome.value] += 1
        problems = verification.problems
        if problems:
            counts.reasons.update(p.code.value for p in problems)
            out.problems.extend(
                (claim_id, batch, p.code.value, p.field, p.source.where(), p.message)
                for p in problems
                if p.code.category is not Category.AWARD
            )
        if stored != outcome.value:
            out.outcomes.append((claim_id, batch, outcome.value, self.at))
            if outcome in (Outcome.REJECTED, Outcome.DUPLICATE):
                out.events.append(
                    (self.client.key, claim_id, batch, "decided", self.at, self.actor)
                )
        if waits_on_participant(verification, outcome):
            out.events.append(
                (self.client.key, claim_id, batch, "pended", self.at, self.actor)
            )


def json_ids(ids: tuple[int, ...]) -> str:
    """Source ids as ``json.dumps`` writes them (``[17, 18]``)."""
    return f"[{', '.join(str(i) for i in ids)}]"


def verify_in_sets(
    store: Store,
    client: ResolvedClient,
    *,
    batch_id: int | None = None,
    now: datetime,
    actor: str = "verify",
    chunk: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Verify the claims that need it, in sets; move their outcomes; one transaction.

    Args:
        store: the store.
        client: the client whose claims to verify.
        batch_id: only this batch's claims, if given.
        now: when (each result's ``verified_at``).
        actor: who, for the outcomes' events and the audit log.
        chunk: claims matched and written together (default: `CHUNK`).
        progress: called with the number of claims verified, chunk by chunk.

    Returns:
        What the run found, as `verify_claims_per_claim` returns it.

    Example: ``verify_in_sets(store, client, now=datetime.now(UTC)).results``
    """
    run = _SetRun(store, client, now.isoformat(), actor)
    with store.transaction():
        done = 0
        again = check_again(store, client.key, batch_id)
        for rows in store.claims_to_verify(client.key, batch_id, chunk or CHUNK, again):
            run.chunk(rows)
            done += len(rows)
            if progress is not None:
                progress(done)
        run.result.notices = store_stage_notices(
            run.result.notice_items, client, store, "verify", now
        )
        store.audit(
            actor,
            "verify",
            {
                "client": client.key,
                "batch": batch_id,
                **run.result.to_dict() | {"details": []},
            },
        )
    return named_details(store, run.result)
