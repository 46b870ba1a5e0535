"""Replay: re-run stored claims under the current code and a (new) rule file.

`replay(store, client, ...)` rebuilds each stored claim from the values it
was received with, validates and decides it again, computes its award (never
posting), and compares with what was recorded: the outcome and its reasons,
the points and the award lines behind them, and, when the new configuration
changes the calendar or SLA terms, the claims whose SLA status flips. A
renamed rule or a reordered file changes no outcome and no points, so it
replays to zero differences.

A replay does only what changed: the claims are validated once even when a
baseline replay needs their decisions under both files (when the files
differ only where validation does not read, `_NOT_INTAKE`); the awards are
computed once when the award settings are the same too; SLA figures are
derived only when the parts they read (`_SLA_PARTS`) differ. The claims are
always validated again (never taken as stored): the store does not record
which release or which rules typed them, and a same-rules replay is the
deployment gate that must show what a new release's validation changes.

`golden(folder)` does the same for recorded inputs and expected outputs kept
in a folder (``samples/golden/``), so a behaviour change shows up as a diff
(`claimflow.replay_golden`).
"""

from __future__ import annotations

import gc
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from claimflow.codes import SUPERSEDED, VOID, Outcome, ReasonCode
from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.memory import gc_paused
from claimflow.models import Award, Claim, Decision, Problem, RawRecord
from claimflow.replay_awards import awards_as_posted
from claimflow.replay_golden import golden
from claimflow.store import Store, raw_from_json
from claimflow.store.batch_reading import batch_clocks, batch_number_locales
from claimflow.store.replay import (
    ReplayRow,
    batch_ids,
    claim_match_rows,
    received_since,
    replay_rows,
    stored_claims,
    was_verified,
)
from claimflow.validate import SeenKeys, context_for, validate_chunk
from claimflow.validate.batch import batch_problems
from claimflow.validate.record import Sourcing
from claimflow.values import ValueContext
from claimflow.verify.knew import Knew

CHUNK = 20_000


@dataclass
class Change:
    """How one claim's result differs between the record and the replay.

    Attributes:
        claim_id: the claim.
        outcome_from, outcome_to: recorded and replayed outcome.
        reasons_from, reasons_to: their reason codes.
        points_from, points_to: recorded and replayed points (None: no award).
        lines: award lines whose points changed (``rule: from -> to``).
        sla_from, sla_to: SLA status (``on time``, ``late``...) when it flips.
    """

    claim_id: str
    outcome_from: str
    outcome_to: str
    reasons_from: list[str] = field(default_factory=list)
    reasons_to: list[str] = field(default_factory=list)
    points_from: int | None = None
    points_to: int | None = None
    lines: list[str] = field(default_factory=list)
    sla_from: str | None = None
    sla_to: str | None = None

    @property
    def delta(self) -> int:
        """Points gained (negative: lost)."""
        return (self.points_to or 0) - (self.points_from or 0)

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return {**asdict(self), "delta": self.delta}


@dataclass
class ReplayResult:
    """Everything a replay found.

    Attributes:
        client: the client key.
        claims: claims replayed.
        changes: one per claim whose outcome, reasons, points or SLA status changed.
        by_transition: claims per ``from -> to`` outcome change.
        points_by_rule: points gained or lost per rule id.
        by_reason: reason codes gained (+) or lost (-).
        names: the changed claims as people know them (reference and
            where each came from), by claim id, for the text people read
            and the change file's ``claim`` column; ``--json`` keeps the ids.
    """

    client: str
    claims: int = 0
    changes: list[Change] = field(default_factory=list)
    by_transition: Counter[str] = field(default_factory=Counter)
    points_by_rule: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when nothing changed, 1 when something did."""
        return 1 if self.changes else 0

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "client": self.client,
            "claims": self.claims,
            "changed": len(self.changes),
            "points_delta": sum(c.delta for c in self.changes),
            "by_transition": dict(self.by_transition),
            "points_by_rule": dict(self.points_by_rule),
            "by_reason": dict(self.by_reason),
            "changes": [c.to_dict() for c in self.changes],
        }


#: Configuration sections validation, verification and the recorded
#: decisions never read: only the award engine (``award``), SLA figures
#: (``sla``, ``calendar``) and notices (``notices``) do. Two files equal
#: in everything else decide every claim alike.
_NOT_INTAKE = frozenset({"award", "sla", "calendar", "notices"})
#: What SLA figures read (`claimflow.sla.facts.claim_facts`): the client's
#: events, its zone, business calendar and terms.
_SLA_PARTS = frozenset({"client", "timezone", "calendar", "sla"})

#: A match `dedupe claims` recorded: (original, reason code, decision).
_Match = tuple[str, str, str]


@dataclass(frozen=True)
class _Recorded:
    """What was recorded for a claim (or what a baseline replay gives it).

    Attributes:
        outcome: the outcome.
        reasons: its reason codes, sorted.
        points: the live award's points (None: no award).
        award: that award, or its stored JSON (read only when a change must
            list its lines).
        last_batch: the store's last batch when the claim was last verified
            (None: never verified): replay verifies it against the claims
            of that batch and those before it, as the live run did.
        last_source: the store's last source record then (None: not
            recorded): replay matches the claim against those records only.
        knew: what that verification was told of other claims (the
            member's stays it left out, the claims matched to its source
            records, the earlier claims of its serials; None: not recorded,
            the store is asked as it stands).
    """

    outcome: str
    reasons: list[str]
    points: int | None = None
    award: Award | str | None = None
    last_batch: int | None = None
    last_source: int | None = None
    knew: Knew | None = None


#: A replayed claim: what was recorded, the replay's decision, the claim.
_Decided = dict[str, tuple[_Recorded, Decision, Claim]]


def _recorded_codes(
    codes: str | None,
    verification: str | None,
    matched: list[_Match] | None,
    verify_codes: frozenset[str] | set[str],
) -> list[str]:
    """The reasons standing now: validation's, the latest verification's, and
    those of the matches `dedupe claims` recorded.

    A claim verified twice (not found, then found) keeps only the second result.
    """
    found = set((codes or "").split(",")) - {""} - verify_codes
    if verification:
        found |= {p["code"] for p in json.loads(verification)["problems"]}
    if matched:
        found |= {code for _, code, _ in matched}
    return sorted(found)


def _with_received(raw: RawRecord, received: str) -> RawRecord:
    """The raw record, with the received time the claim was stored with.

    A record read without one got the batch's time at ingest; replaying it
    must not get the time of the replay instead.
    """
    if str(raw.values.get("received_at") or "").strip():
        return raw
    return replace(raw, values={**raw.values, "received_at": received})


def _line_points(award: Award | str | None) -> Counter[str]:
    points: Counter[str] = Counter()
    if isinstance(award, str):
        for line in json.loads(award)["lines"]:
            points[line["rule_id"]] += line["points"]
        return points
    for line in award.lines if award else ():
        points[line.rule_id] += line.points
    return points


def _compare(
    claim_id: str,
    recorded: _Recorded,
    decision: Decision,
    award: Award | None,
    result: ReplayResult,
) -> None:
    reasons_to = sorted({c.value for c in decision.codes})
    points_from = recorded.points
    points_to = award.points if award else None
    if points_from is None and recorded.outcome == Outcome.ACCEPTED:
        points_to = None  # never awarded: nothing to compare points with
    changed = (
        recorded.outcome != decision.outcome.value
        or recorded.reasons != reasons_to
        or (points_from is not None and points_from != points_to)
    )
    if not changed:
        return
    before, after = _line_points(recorded.award), _line_points(award)
    lines = [
        f"{rule}: {before[rule]} -> {after[rule]}"
        for rule in sorted(set(before) | set(after))
        if before[rule] != after[rule]
    ]
    if points_from is not None and points_from != points_to:
        for rule in set(before) | set(after):
            if after[rule] != before[rule]:
                result.points_by_rule[rule] += after[rule] - before[rule]
    result.changes.append(
        Change(
            claim_id,
            recorded.outcome,
            decision.outcome.value,
            recorded.reasons,
            reasons_to,
            points_from,
            points_to,
            lines,
        )
    )
    if recorded.outcome != decision.outcome.value:
        result.by_transition[f"{recorded.outcome} -> {decision.outcome.value}"] += 1
    for code in set(reasons_to) - set(recorded.reasons):
        result.by_reason[code] += 1
    for code in set(recorded.reasons) - set(reasons_to):
        result.by_reason[code] -= 1


def same_intake(a: ResolvedClient, b: ResolvedClient) -> bool:
    """Whether two client files decide every stored claim alike: equal in
    everything validation, verification and the recorded decisions read
    (all but `_NOT_INTAKE`).

    Example: ``same_intake(client, load_client("acme-drill-35.yaml"))``
    """
    return a.config.model_dump(exclude=set(_NOT_INTAKE)) == b.config.model_dump(
        exclude=set(_NOT_INTAKE)
    )


def same_sla(a: ResolvedClient, b: ResolvedClient) -> bool:
    """Whether two client files give every claim the same SLA figures: equal
    in the parts SLA figures read (`_SLA_PARTS`).

    Example: ``same_sla(client, load_client("acme-drill-35.yaml"))``
    """
    return a.config.model_dump(include=set(_SLA_PARTS)) == b.config.model_dump(
        include=set(_SLA_PARTS)
    )


def replay(
    store: Store,
    client: ResolvedClient,
    *,
    rules: ResolvedClient | None = None,
    batch_id: int | None = None,
    since: date | None = None,
    now: datetime | None = None,
    baseline: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Replay stored claims under `rules` (default: the client's own file).

    Nothing is written: no outcome, award or posting changes.

    Args:
        store: the store.
        client: the client as recorded.
        rules: the configuration to replay under (a new rule file).
        batch_id: only this batch; since: only claims received on or after.
        now: the instant SLA status is judged at.
        baseline: compare with a same-rules replay instead of the record,
            so the result is the rule change alone, net of anything the
            current release would change anyway.
        progress: called with the number of claims decided, chunk by chunk
            (the last call: `ReplayResult.claims`).

    Returns:
        The differences.

    Example: ``replay(store, client, rules=load_client("acme-2027.yaml")).changes``
    """
    from claimflow.award.run import load_participants

    target = rules or client
    result = ReplayResult(client.key)
    participants = load_participants(store, client.key)
    with gc_paused():
        replayed = _decided(store, client, target, batch_id, since, result, progress)
        awards = _awards(store, client, target, participants, replayed)
        reference: dict[str, _Recorded] = {}
        if baseline and rules is not None:
            reference = _baseline(
                store, client, rules, participants, (replayed, awards), batch_id, since
            )
        for cid, (recorded, decision, _) in replayed.items():
            if recorded.outcome != VOID:  # a refunded or cancelled claim stands
                _compare(
                    cid, reference.get(cid, recorded), decision, awards.get(cid), result
                )
    if rules is not None and not same_sla(client, rules):
        _sla_flips(store, client, rules, now or datetime.now(UTC), result)
    result.names = store.claim_names([c.claim_id for c in result.changes])
    return result


def _baseline(
    store: Store,
    client: ResolvedClient,
    rules: ResolvedClient,
    participants: Mapping[str, Any],
    replayed: tuple[_Decided, dict[str, Award]],
    batch_id: int | None,
    since: date | None,
) -> dict[str, _Recorded]:
    """What a same-rules replay gives each claim, to compare `rules` with.

    The claims are decided again under the recorded file only when it
    decides differently from `rules` (`same_intake`), and awarded again
    only then or when the award settings differ.
    """
    same, same_awards = replayed
    if not same_intake(client, rules):
        same = _decided(store, client, client, batch_id, since, None)
    if same is not replayed[0] or client.config.award != rules.config.award:
        same_awards = _awards(store, client, client, participants, same)
    reference = {}
    for cid, (_, decision, _) in same.items():
        award = same_awards.get(cid)
        reference[cid] = _Recorded(
            decision.outcome.value,
            sorted({c.value for c in decision.codes}),
            award.points if award else None,
            award,
        )
    return reference


def _awards(
    store: Store,
    client: ResolvedClient,
    target: ResolvedClient,
    participants: Mapping[str, Any],
    decided: _Decided,
) -> dict[str, Award]:
    """The replayed awards of the claims `decided` accepts, under `target`'s
    award settings, as the live runs posted them (`awards_as_posted`)."""
    settings = target.config.award
    if settings is None:
        return {}
    accepted = Outcome.ACCEPTED
    return awards_as_posted(
        store,
        client.key,
        settings,
        dict(participants),
        {
            cid: (recorded.outcome, claim if decision.outcome is accepted else None)
            for cid, (recorded, decision, claim) in decided.items()
        },
    )


def _decided(
    store: Store,
    client: ResolvedClient,
    target: ResolvedClient,
    batch_id: int | None,
    since: date | None,
    result: ReplayResult | None,
    progress: Callable[[int], None] | None = None,
) -> _Decided:
    """Each stored claim's record, and its decision under `target`.

    Outcomes are decided batch by batch in ingestion order, as ingest did.
    With `since`, only the claims received on or after it are decided; the
    others of their batches are taken as recorded (typed as stored), so an
    in-batch duplicate whose original was received before the window is
    still its duplicate (`_window_chunk`).
    """
    from claimflow.accounts.merged_claims import keep_merge_pends
    from claimflow.verify.run import VERIFY_CODES

    now = datetime.now(UTC)
    # a batch read in a number locale of its own is read in it again, and
    # its received times judged against the clock it was ingested at
    own_locales = batch_number_locales(store, client.key)
    clocks = batch_clocks(store, client.key)
    batches = (
        [batch_id] if batch_id is not None else batch_ids(store, client.key, since)
    )
    headers = store.raw_headers()
    matches, reopened = _recorded_matches(store, client.key)
    marks: dict[tuple[str, str], str] | None = None
    verified = was_verified(store, target.key)
    decided: _Decided = {}
    for batch in batches:
        # Batch rules see one recorded batch at a time, as they did when it was ingested.
        seen = SeenKeys()
        batch_context = context_for(
            target, now, own_locales.get(batch), clocks.get(batch)
        )
        try:
            # The whole batch is read: its claims outside the window hold keys.
            for all_rows in replay_rows(store, client.key, batch, None, CHUNK):
                whole = _chunk(all_rows, headers, matches, VERIFY_CODES)
                inside = [received_since(row[3], since) for row in all_rows]
                chunk = [c for c, keep in zip(whole, inside, strict=True) if keep]
                checked = _window_chunk(store, whole, inside, target, batch_context, seen)
                if not chunk:
                    continue
                if matches and marks is None:
                    from claimflow.dedupe.decisions import latest_decisions

                    marks = latest_decisions(store.db.conn, "claim")
                matched = _with_recorded_matches(
                    _without_repeats(checked, reopened), matches, marks or {}
                )
                if verified:
                    known = [recorded for _, _, recorded in chunk]
                    matched = _verified(store, target, matched, known)
                matched = keep_merge_pends(store, client.key, matched)
                for (cid, _, recorded), (claim, decision) in zip(
                    chunk, matched, strict=True
                ):
                    if (
                        recorded.outcome != SUPERSEDED
                    ):  # replaced by its resubmission: stands
                        decided[cid] = (recorded, decision, claim)
                if result is not None:
                    result.claims += len(chunk)
                    if progress is not None:
                        progress(result.claims)
                # The chunk's young objects, once, instead of per burst.
                gc.collect(1)
        finally:
            seen.close()
    return decided


def _window_chunk(
    store: Store,
    whole: list[tuple[str, RawRecord, _Recorded]],
    inside: list[bool],
    target: ResolvedClient,
    context: ValueContext,
    seen: SeenKeys,
) -> list[tuple[Claim, Decision]]:
    """Validate the claims of a chunk of a batch that are `inside` the window.

    The others are taken as recorded: typed as stored, only their batch keys
    are added to `seen` at their place in the batch, so a claim of the
    window is the in-batch duplicate of an earlier one outside it (and the
    original of a later one), as it was at ingest. A run of claims at a time,
    in order: the batch rules give one chunk's result whatever the chunks.
    """
    if all(inside):
        return validate_chunk([raw for _, raw, _ in whole], target, context, seen)
    outside = [cid for (cid, _, _), keep in zip(whole, inside, strict=True) if not keep]
    stored = stored_claims(store, outside)
    checked: list[tuple[Claim, Decision]] = []
    start = 0
    while start < len(whole):
        end = start
        while end < len(whole) and inside[end] == inside[start]:
            end += 1
        run = whole[start:end]
        if inside[start]:
            checked += validate_chunk([raw for _, raw, _ in run], target, context, seen)
        else:
            known = [(stored[cid], raw) for cid, raw, _ in run if cid in stored]
            batch_problems(
                [claim for claim, _ in known],
                [Sourcing(raw, claim.id) for claim, raw in known],
                seen,
            )
        start = end
    return checked


def _chunk(
    rows: list[ReplayRow],
    headers: Mapping[str, str],
    matches: Mapping[str, list[_Match]],
    verify_codes: frozenset[str] | set[str],
) -> list[tuple[str, RawRecord, _Recorded]]:
    """Stored rows as (id, record as read, what was recorded)."""
    missing = [cid for cid, raw, *_ in rows if raw is None]
    if missing:
        raise ClaimflowError(
            f"claim {missing[0]}: stored before raw values were kept (schema 5); "
            "it cannot be replayed faithfully"
        )
    return [
        (
            cid,
            _with_received(raw_from_json(raw or "", headers, digest), received),
            _Recorded(
                outcome,
                _recorded_codes(codes, verification, matches.get(cid), verify_codes),
                points,
                award,
                last_batch,
                last_source,
                None if knew is None else Knew.from_json(knew),
            ),
        )
        for (
            cid,
            raw,
            digest,
            received,
            outcome,
            codes,
            points,
            award,
            verification,
            last_batch,
            last_source,
            knew,
        ) in rows
    ]


def _recorded_matches(
    store: Store, client: str
) -> tuple[dict[str, list[_Match]], set[str]]:
    """Claim id -> the matches `dedupe claims` recorded for it, in order;
    those a reviewer marked *different* at their latest mark left out: they
    neither close the claim nor give it their reason, as its stored reasons
    do not (`claimflow.store.dedupe_decisions.PROBLEM_STANDS`). Also the
    claims with a repeat within their batch so marked (`_without_repeats`)."""
    from claimflow.dedupe.decisions import latest_decisions
    from claimflow.store.dedupe_decisions import BATCH_REPEAT_CODES

    marks: Mapping[tuple[str, str], str] | None = None
    matches: dict[str, list[_Match]] = {}
    reopened: set[str] = set()
    for claim_id, original, code, verdict in claim_match_rows(store, client):
        if marks is None:
            marks = latest_decisions(store.db.conn, "claim")
        if verdict == "released" or marks.get(_pair(claim_id, original)) == "different":
            if code in BATCH_REPEAT_CODES:
                reopened.add(claim_id)
            continue
        matches.setdefault(claim_id, []).append((original, code, verdict))
    return matches, reopened


def _without_repeats(
    decided: list[tuple[Claim, Decision]], reopened: set[str]
) -> list[tuple[Claim, Decision]]:
    """The claims `reopened` (a person marked their repeat within the batch
    *different*; an original a dedupe run released, see
    `claimflow.store.dedupe_decisions.release_batch_holds`) decided without
    the batch rules' repeat problems, as the review or the run left them;
    the batch rules find the repeat again otherwise."""
    from claimflow.codes import decide
    from claimflow.store.dedupe_decisions import BATCH_REPEAT_CODES

    if not reopened:
        return decided
    out = []
    for claim, decision in decided:
        if claim.id not in reopened:
            out.append((claim, decision))
            continue
        kept = tuple(
            p for p in decision.problems
            if p.field is None or p.code.value not in BATCH_REPEAT_CODES
        )  # fmt: skip
        update = {"problems": kept, "outcome": decide([p.code for p in kept])}
        out.append((claim, decision.model_copy(update=update)))
    return out


def _with_recorded_matches(
    decided: list[tuple[Claim, Decision]],
    matches: Mapping[str, list[_Match]],
    marks: Mapping[tuple[str, str], str],
) -> list[tuple[Claim, Decision]]:
    """Each claim as `dedupe claims` and `dedupe apply` left it, as recorded.

    Those decisions were taken against the history the claim met then;
    replay applies them as they stand, as it applies a void: the match's
    reason codes join the claim's, a duplicate match (or a reviewer's
    *same*) makes it a duplicate unless a reviewer marked the pair
    *different* since, a review match not yet marked puts it in review.
    Only an accepted or pended claim is affected, as only those were checked.
    """
    if not matches:
        return decided
    out = []
    for claim, decision in decided:
        found = matches.get(claim.id)
        if not found or decision.outcome not in (Outcome.ACCEPTED, Outcome.PENDED):
            out.append((claim, decision))
            continue
        outcome: Outcome = decision.outcome
        for original, _, verdict in found:
            first, second = sorted((claim.id, original))
            mark = marks.get((first, second))
            if mark == "same" or (verdict == "duplicate" and mark != "different"):
                outcome = Outcome.DUPLICATE
            elif mark is None and outcome is not Outcome.DUPLICATE:
                outcome = Outcome.REVIEW
        codes = [ReasonCode(code) for _, code, _ in found]
        extra = tuple(
            Problem(source=claim.provenance, code=code, message="recorded match",
                    record_id=claim.id)
            for code in dict.fromkeys(codes)
        )  # fmt: skip
        out.append(
            (
                claim,
                Decision(
                    claim_id=claim.id,
                    outcome=outcome,
                    problems=decision.problems + extra,
                ),
            )
        )
    return out


def _verified(
    store: Store,
    client: ResolvedClient,
    decided: list[tuple[Claim, Decision]],
    known: list[_Recorded],
) -> list[tuple[Claim, Decision]]:
    """Accepted claims checked against the stored source records, as recorded runs do.

    Only for a client whose claims were verified; the lookups only read.
    Each claim meets what its live verification met (`known`, what was
    recorded for each claim): the claims of the batches stored then
    (`_Recorded.last_batch`), never a stay or match ingested after it (trial
    30); the source records imported by then (`_Recorded.last_source`),
    never an export imported after it; and what it was told of other
    claims then (`_Recorded.knew`): the member's stays it left out, the
    claims matched to a source record, the earlier claim of a serial, not
    what later runs made of them.
    """
    from claimflow.verify.match import verify_claim
    from claimflow.verify.run import StoreLookup, outcome_of

    lookup = StoreLookup(store, client.key)
    settings = client.config.verification
    out = []
    for (claim, decision), recorded in zip(decided, known, strict=True):
        if decision.outcome is not Outcome.ACCEPTED:
            out.append((claim, decision))
            continue
        view = lookup.as_of(recorded.last_batch, recorded.last_source, recorded.knew)
        verification = verify_claim(claim, view, settings)
        out.append(
            (
                claim,
                Decision(
                    claim_id=claim.id,
                    outcome=outcome_of(verification, settings.discrepancy_policy),
                    problems=decision.problems + verification.problems,
                ),
            )
        )
    return out


def _sla_flips(
    store: Store,
    client: ResolvedClient,
    rules: ResolvedClient,
    now: datetime,
    result: ReplayResult,
) -> None:
    from claimflow.sla.metrics import Window, claim_facts

    before = claim_facts(store, client, Window(), now)
    after = claim_facts(store, rules, Window(), now)
    if before.empty:
        return

    def status(frame: Any) -> dict[str, str]:
        labels = frame["breached"].map({True: "breached", False: "on time"})
        return dict(zip(frame["claim_id"], labels, strict=True))

    old, new = status(before), status(after) if not after.empty else {}
    known = {c.claim_id: c for c in result.changes}
    for claim_id in sorted(old):
        if old[claim_id] != new.get(claim_id):
            change = known.get(claim_id)
            if change is None:
                change = Change(claim_id, "", "")
                result.changes.append(change)
            change.sla_from, change.sla_to = old[claim_id], new.get(claim_id)
            result.by_transition[f"SLA {old[claim_id]} -> {new.get(claim_id)}"] += 1


def _pair(a: str, b: str) -> tuple[str, str]:
    """Two claim ids as a reviewer's mark names them (sorted)."""
    return (a, b) if a <= b else (b, a)


__all__ = ["Change", "ReplayResult", "golden", "replay", "same_intake", "same_sla"]

