"""Verification runs over the store: match, compare, record, and move outcomes.

`verify_claims` runs in sets (`claimflow.verify.sets`);
`verify_claims_per_claim` is the same run claim by claim, kept as the
reference a property test holds the sets equal to.

Claims to verify are the accepted ones not verified yet, those still waiting
for source data (``not_found``), which is how a later source import
re-checks them, and those in review on a record a keying slip away whose own
record has arrived since (`claimflow.verify.again`). Each result is appended
to ``verifications``; the claim's outcome follows it (verified: stays
accepted; not found: pended awaiting source data; ambiguous: review;
discrepancy: review or pended by client policy, rejected for an
online-travel-agency booking, duplicate for a serial or stay claimed
before), with the change appended to ``outcomes``.

A claim that did not verify is owed a notice, unless its result and
problems (codes and messages) are those of its previous verification: a
claim still waiting for source data, re-checked by every daily ``verify``,
told its participant the same thing every day. Such a claim is counted in
``unchanged`` instead (`repeats`).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from claimflow.codes import Category, Outcome, ReasonCode, decide
from claimflow.config import ResolvedClient
from claimflow.models import Claim, Decision, Problem
from claimflow.store import Store
from claimflow.store.accounts import merged_accounts
from claimflow.store.recheck import drop_matches
from claimflow.store.source import source_ids_between, source_ids_by_key
from claimflow.store.verify_claim import (
    add_problems,
    add_verification,
    add_verification_matches,
    claim_outcome_and_batch,
    claims_awaiting_verification,
    last_verifications,
    line_units,
    member_stay_rows,
    move_outcome,
    other_matches,
    serial_claimed_before,
)
from claimflow.validate.notices import Notice, NoticeItem
from claimflow.validate.stage_notices import store_stage_notices
from claimflow.verify.again import to_check_again
from claimflow.verify.knew import Knew, OtherMatch, OtherUnits
from claimflow.verify.match import Verification, verify_claim
from claimflow.verify.source import SourceRecord, load_records

CHUNK = 5_000
#: The reason codes only verification produces.
VERIFY_CODES = {
    c.value
    for c in ReasonCode
    if c.value.startswith(
        (
            "source_",
            "serial_not",
            "serial_claimed",
            "quantity_above",
            "name_",
            "overlapping",
            "claimed_by",
            "already_credited",
            "ota_",
        )
    )
}


K = TypeVar("K")
V = TypeVar("V")


def _told(
    recorded: Mapping[K, V] | None, noted: dict[K, V], key: K, ask: Callable[[], V]
) -> V:
    """The answer a replayed check recorded for `key`, else the store's
    (`ask`); noted for the check being made (`StoreLookup.noting`)."""
    found = recorded[key] if recorded is not None and key in recorded else ask()
    noted[key] = found
    return found


#: A member's other claims with these outcomes are not among their stays: a
#: superseded claim's stay is its resubmission's (never an original,
#: `claimflow.codes.may_be_original`), not another stay on the same dates.
LEFT_OUT = ("duplicate", "rejected", "superseded")


class StoreLookup:
    """The `Lookup` verification uses, answered by indexed store queries."""

    def __init__(
        self, store: Store, client: str, last_batch: int | None = None
    ) -> None:
        self.store = store
        self.client = client
        self._cache: dict[int, SourceRecord] = {}
        #: Only the claims of this batch and those before it are the
        #: member's stays and the source records' matches (None: all), as
        #: a replay asks for a claim verified when that batch was the last.
        self.last_batch = last_batch
        #: Only the source records up to this id (None: all), as a replay
        #: asks for a claim verified when it was the last.
        self.last_source: int | None = None
        #: What the check being replayed recorded (None: ask the store).
        self.knew: Knew | None = None
        #: What the current check is told (`begin` starts it afresh).
        self.noting = Knew()
        #: Each merged account's member accounts (`accounts`; None: not read).
        self._merged: dict[str, tuple[str, ...]] | None = None

    def as_of(
        self,
        last_batch: int | None,
        last_source: int | None = None,
        knew: Knew | None = None,
    ) -> StoreLookup:
        """This lookup (its cache shared), answering as the store stood
        when `last_batch` was its last batch and `last_source` its last
        source record, and with the answers `knew` recorded (None: as the
        store stands).

        Example: ``StoreLookup(store, "costa-azul").as_of(1).member_stays(p, c)``
        """
        view = copy.copy(self)
        view.last_batch, view.last_source, view.knew = last_batch, last_source, knew
        view.noting = Knew()
        return view

    def begin(self) -> None:
        """A new check starts: note its answers afresh (`noting`)."""
        self.noting = Knew()

    def known(self, ids: list[int]) -> list[int]:
        """The source record ids this lookup sees (`last_source`)."""
        last = self.last_source
        return ids if last is None else [i for i in ids if i <= last]

    def leaves_out(self, other: str, outcome: str) -> bool:
        """Whether the member's stays leave out the claim `other` (its
        outcome `outcome` as the check sees it): a duplicate, a rejection or
        a superseded claim (`LEFT_OUT`), or as the replayed check recorded;
        noted."""
        if self.knew is not None:
            out = other in self.knew.left_out
        else:
            out = outcome in LEFT_OUT
        if out:
            self.noting.left_out.add(other)
        return out

    def accounts(self, participant: str) -> tuple[str, ...]:
        """The accounts of `participant`'s member: itself, and those live
        merges made one member with it (`merged_accounts`, read once per
        lookup): a stay keyed under a merged number meets the survivor's
        stays, and the survivor's meet it."""
        if self._merged is None:
            self._merged = merged_accounts(self.store, self.client)
        return self._merged.get(participant, (participant,))

    def _records(self, ids: list[int]) -> list[tuple[int, SourceRecord]]:
        missing = [i for i in ids if i not in self._cache]
        if missing:
            self._cache.update(load_records(self.store, missing))
            if len(self._cache) > 200_000:  # stay flat on long runs
                self._cache = {i: self._cache[i] for i in ids}
        return [(i, self._cache[i]) for i in ids]

    def by_key(self, key: str) -> list[tuple[int, SourceRecord]]:
        """Source records with this exact key."""
        return self._records(self.known(source_ids_by_key(self.store, self.client, key)))

    def near(self, start: date, end: date) -> list[tuple[int, SourceRecord]]:
        """Source records dated in ``[start, end]``."""
        ids = source_ids_between(self.store, self.client, start, end)
        return self._records(self.known(ids))

    def serial_claimed_before(self, serial: str, claim_id: str) -> str | None:
        """A claim of an earlier batch with this serial (as the replayed
        check was told, if it recorded it); noted."""
        knew = None if self.knew is None else self.knew.serials
        return _told(knew, self.noting.serials, serial,
                     lambda: self._serial_before(serial, claim_id))  # fmt: skip

    def _serial_before(self, serial: str, claim_id: str) -> str | None:
        return serial_claimed_before(self.store, self.client, serial, claim_id)

    def claim_name(self, claim_id: str) -> str:
        """A claim as people know it (`Store.claim_names`)."""
        return self.store.claim_names([claim_id]).get(claim_id, claim_id)

    def member_stays(
        self, participant: str, claim_id: str
    ) -> list[tuple[str, date, date]]:
        """The member's other stay claims with dates, under any of its
        accounts (`accounts`)."""
        stays = []
        for other, outcome, start, end in member_stay_rows(
            self.store, self.client, self.accounts(participant), claim_id, self.last_batch
        ):
            if self.leaves_out(str(other), outcome):
                continue
            if start and end:
                stays.append(
                    (str(other), date.fromisoformat(start), date.fromisoformat(end))
                )
        return stays

    def matched(self, source_id: int, claim_id: str) -> list[OtherMatch]:
        """Other claims matched to this source record (as the replayed check
        was told, if it recorded it); noted."""
        knew = None if self.knew is None else self.knew.matched
        return _told(knew, self.noting.matched, source_id,
                     lambda: self._matched(source_id, claim_id))  # fmt: skip

    def _matched(self, source_id: int, claim_id: str) -> list[OtherMatch]:
        return other_matches(self.store, source_id, claim_id, self.last_batch)

    def claimed_units(self, source_id: int, claim_id: str) -> list[OtherUnits]:
        """The other claims accepted or in review matched to this invoice line before
        this claim, with their units of its SKU (as the replayed check was
        told, if it recorded it); noted."""
        knew = None if self.knew is None else self.knew.units
        return _told(knew, self.noting.units, source_id,
                     lambda: self._claimed_units(source_id, claim_id))  # fmt: skip

    def _claimed_units(self, source_id: int, claim_id: str) -> list[OtherUnits]:
        return line_units(self.store, source_id, claim_id, self.last_batch)


@dataclass
class VerifyResult:
    """What a verification run found.

    Attributes:
        client: the client key.
        verified: claims checked.
        results: claims per result (verified, discrepancy, not_found, ambiguous).
        outcomes: claims per resulting outcome.
        reasons: problems per reason code.
        details: the first results, for display.
        notice_items: what each participant must hear about a claim that
            did not verify (rendered by `claimflow.validate.render_notices`).
        unchanged: claims that did not verify with the result and problems
            of their previous verification: not noticed again.
    """

    client: str
    verified: int = 0
    results: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    details: list[dict[str, Any]] = field(default_factory=list)
    notice_items: list[NoticeItem] = field(default_factory=list)
    unchanged: int = 0
    #: The notices rendered and stored with their claims' batches: (file
    #: stem, notices) per batch (`claimflow.validate.stage_notices`).
    notices: list[tuple[str, list[Notice]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return {
            "client": self.client,
            "verified": self.verified,
            "results": dict(self.results),
            "outcomes": dict(self.outcomes),
            "reasons": dict(self.reasons),
            "details": self.details,
            "unchanged": self.unchanged,
        }


#: A claim's previous verification: its result and its problems as
#: (reason code, message) (`claimflow.store.verify_claim.last_verifications`).
Previous = tuple[str, list[tuple[str, str]]]


def repeats(previous: Previous | None, verification: Verification) -> bool:
    """Whether a verification says what the claim's previous one said: the
    same result and the same problems (codes and messages, in any order).
    The participant was told that already; a change is told again.

    Example: ``repeats(("not_found", [("source_not_found", "...")]), again)``
    """
    if previous is None or previous[0] != verification.result:
        return False
    said = sorted((p.code.value, p.message) for p in verification.problems)
    return sorted(previous[1]) == said


def outcome_of(verification: Verification, policy: str) -> Outcome:
    """The claim outcome a verification result leads to."""
    if verification.result == "verified":
        return Outcome.ACCEPTED
    if verification.result == "ambiguous":
        return Outcome.REVIEW
    codes = [p.code for p in verification.problems]
    outcome = decide(codes)
    if outcome is Outcome.REVIEW and policy == "pend":
        return Outcome.PENDED
    return outcome


def waits_on_participant(verification: Verification, outcome: Outcome) -> bool:
    """Whether a verification pends its claim on the participant: a
    discrepancy the client's policy pends (``discrepancy_policy: pend``),
    which the participant is asked to correct. The claim's SLA clock stops
    there (a ``pended`` event) until they resubmit, as for a claim pended at
    ingest; before, none was recorded and the clock ran on while the desk
    waited on them. A claim awaiting source data (``not_found``) waits on
    the dealer's or hotel's export, not on its participant: its clock runs.

    Example: ``waits_on_participant(discrepancy, Outcome.PENDED) is True``
    """
    return verification.result == "discrepancy" and outcome is Outcome.PENDED


def _to_verify(
    store: Store, client: ResolvedClient, batch_id: int | None
) -> Iterator[list[Claim]]:
    again = check_again(store, client.key, batch_id)
    return claims_awaiting_verification(store, client.key, batch_id, CHUNK, again)


def check_again(store: Store, client: str, batch_id: int | None) -> list[str]:
    """The claims in review on a record a keying slip away whose own record
    has arrived since (`claimflow.verify.again`), their matches to the
    record they no longer name let go (`drop_matches`); call inside the
    run's transaction, before its claims are read.

    Example: ``check_again(store, "pampa-dealers", None) == ["c1"]``
    """
    again = to_check_again(store, client, batch_id)
    drop_matches(store, again)
    return again


def verify_claims(
    store: Store,
    client: ResolvedClient,
    *,
    batch_id: int | None = None,
    now: datetime,
    actor: str = "verify",
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Verify the claims that need it and move their outcomes; one transaction.

    Matched and compared in sets (`claimflow.verify.sets`), with the results
    `verify_claims_per_claim` gives.

    Example: ``verify_claims(store, client, now=datetime.now(UTC)).results``
    """
    from claimflow.verify.sets import verify_in_sets

    return verify_in_sets(
        store, client, batch_id=batch_id, now=now, actor=actor, progress=progress
    )


def verify_claims_per_claim(
    store: Store,
    client: ResolvedClient,
    *,
    batch_id: int | None = None,
    now: datetime,
    actor: str = "verify",
) -> VerifyResult:
    """Verify claim by claim: the reference `verify_claims` is held equal to.

    Each claim's source records, serials and stays are asked of the store,
    and its results written, before the next claim is checked.

    Example: ``verify_claims_per_claim(store, client, now=datetime.now(UTC)).results``
    """
    settings = client.config.verification
    lookup = StoreLookup(store, client.key)
    result = VerifyResult(client.key)
    at = now.isoformat()
    with store.transaction():
        for claims in _to_verify(store, client, batch_id):
            for claim in claims:
                lookup.begin()
                verification = verify_claim(claim, lookup, settings)
                outcome = outcome_of(verification, settings.discrepancy_policy)
                verified = verification.result == "verified"
                # what it said before this run's result is written (`repeats`)
                previous = (
                    None
                    if verified
                    else last_verifications(store, [claim.id]).get(claim.id)
                )
                _record(store, claim, verification, outcome, at, actor, lookup)
                result.verified += 1
                result.results[verification.result] += 1
                result.outcomes[outcome.value] += 1
                result.reasons.update(p.code.value for p in verification.problems)
                if not verified:
                    decision = Decision(
                        claim_id=claim.id,
                        outcome=outcome,
                        problems=verification.problems,
                    )
                    if repeats(previous, verification):
                        result.unchanged += 1
                    else:
                        result.notice_items.append(
                            NoticeItem.of(claim, decision, slip=verification.slip)
                        )
                    if len(result.details) < 200:
                        result.details.append(_detail(verification, outcome))
        result.notices = store_stage_notices(
            result.notice_items, client, store, "verify", now
        )
        store.audit(
            actor,
            "verify",
            {
                "client": client.key,
                "batch": batch_id,
                **result.to_dict() | {"details": []},
            },
        )
    return named_details(store, result)


def named_details(store: Store, result: VerifyResult) -> VerifyResult:
    """Each detail with its claim as people know it (``claim``: the reference
    and where it came from), beside the claim id machines use."""
    names = store.claim_names([d["claim_id"] for d in result.details])
    for detail in result.details:
        detail["claim"] = names.get(detail["claim_id"], detail["claim_id"])
    return result


def _detail(verification: Verification, outcome: Outcome) -> dict[str, Any]:
    return {
        "claim_id": verification.claim_id,
        "result": verification.result,
        "outcome": outcome.value,
        "source_ids": list(verification.source_ids),
        "problems": [f"{p.code.value}: {p.message}" for p in verification.problems],
        "checks": [c.__dict__ for c in verification.checks if not c.ok or c.note],
    }


def _record(
    store: Store,
    claim: Claim,
    verification: Verification,
    outcome: Outcome,
    at: str,
    actor: str,
    lookup: StoreLookup,
) -> None:
    details = json.dumps(
        {
            "checks": [c.__dict__ for c in verification.checks],
            "problems": [p.model_dump(mode="json") for p in verification.problems],
        }
    )
    add_verification(
        store,
        claim.client,
        claim.id,
        verification.result,
        json.dumps(verification.source_ids),
        details,
        at,
        lookup.noting.to_json(),
    )
    add_verification_matches(
        store,
        [
            (claim.client, sid, claim.id, claim.participant_id, verification.result)
            for sid in verification.source_ids
            if verification.result != "ambiguous"
        ],
    )
    current, batch_id = claim_outcome_and_batch(store, claim.id)
    _problems(store, claim, batch_id, verification.problems)
    if current != outcome.value:
        move_outcome(store, claim.id, batch_id, "verify", outcome.value, at)
        if outcome in (Outcome.REJECTED, Outcome.DUPLICATE):
            store.add_events([(claim.client, claim.id, batch_id, "decided", at, actor)])
    if waits_on_participant(verification, outcome):
        store.add_events([(claim.client, claim.id, batch_id, "pended", at, actor)])


def _problems(
    store: Store, claim: Claim, batch_id: int, problems: tuple[Problem, ...]
) -> None:
    add_problems(
        store,
        [
            (claim.id, batch_id, p.code.value, p.field, p.source.where(), p.message)
            for p in problems
            if p.code.category is not Category.AWARD
        ],
    )
