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
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from claimflow.codes import SUPERSEDED, VOID, Category, Outcome
from claimflow.config import ResolvedClient
from claimflow.memory import gc_paused
from claimflow.models import Award, Claim, Decision, RawRecord
from claimflow.replay_awards import awards_as_posted
from claimflow.replay_golden import golden
from claimflow.replay_recorded import (
    Decided,
    Recorded,
    recorded_chunk,
    recorded_matches,
    with_recorded_matches,
    without_repeats,
)
from claimflow.replay_result import Change, ReplayResult, compare, sla_flips
from claimflow.store import Store
from claimflow.store.batch_reading import batch_clocks, batch_number_locales
from claimflow.store.replay import (
    batch_ids,
    received_since,
    replay_rows,
    stored_claims,
    was_verified,
)
from claimflow.store.review_decisions import review_decisions
from claimflow.validate import SeenKeys, context_for, record_problems, validate_chunk
from claimflow.validate.batch import batch_problems
from claimflow.validate.record import Sourcing
from claimflow.values import ValueContext

if TYPE_CHECKING:
    from claimflow.verify.run import StoreLookup

CHUNK = 20_000


#: Configuration sections validation, verification and the recorded
#: decisions never read: only the award engine (``award``), SLA figures
#: (``sla``, ``calendar``) and notices (``notices``) do. Two files equal
#: in everything else decide every claim alike.
_NOT_INTAKE = frozenset({"award", "sla", "calendar", "notices"})
#: What SLA figures read (`claimflow.sla.facts.claim_facts`): the client's
#: events, its zone, business calendar and terms.
_SLA_PARTS = frozenset({"client", "timezone", "calendar", "sla"})


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
        reference: dict[str, Recorded] = {}
        if baseline and rules is not None:
            reference = _baseline(
                store, client, rules, participants, (replayed, awards), batch_id, since
            )
        for cid, (recorded, decision, _) in replayed.items():
            if recorded.outcome != VOID:  # a refunded or cancelled claim stands
                compare(
                    cid, reference.get(cid, recorded), decision, awards.get(cid),
                    result, baseline=cid in reference,
                )  # fmt: skip
    if rules is not None and not same_sla(client, rules):
        sla_flips(store, client, rules, now or datetime.now(UTC), result)
    result.names = store.claim_names([c.claim_id for c in result.changes])
    return result


def _baseline(
    store: Store,
    client: ResolvedClient,
    rules: ResolvedClient,
    participants: Mapping[str, Any],
    replayed: tuple[Decided, dict[str, Award]],
    batch_id: int | None,
    since: date | None,
) -> dict[str, Recorded]:
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
        reference[cid] = Recorded(
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
    decided: Decided,
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
) -> Decided:
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
    matches, reopened = recorded_matches(store, client.key)
    marks: dict[tuple[str, str], str] | None = None
    verified = was_verified(store, target.key)
    reviewed = review_decisions(store, client.key)
    decided: Decided = {}
    for batch in batches:
        # Batch rules see one recorded batch at a time, as they did when it was ingested.
        seen = SeenKeys()
        batch_context = context_for(
            target, now, own_locales.get(batch), clocks.get(batch)
        )
        try:
            # The whole batch is read: its claims outside the window hold keys.
            for all_rows in replay_rows(store, client.key, batch, None, CHUNK):
                whole = recorded_chunk(all_rows, headers, matches, VERIFY_CODES)
                inside = [received_since(row[3], since) for row in all_rows]
                chunk = [c for c, keep in zip(whole, inside, strict=True) if keep]
                checked = _window_chunk(store, whole, inside, target, batch_context, seen)
                if not chunk:
                    continue
                if matches and marks is None:
                    from claimflow.dedupe.decisions import latest_decisions

                    marks = latest_decisions(store.db.conn, "claim")
                matched = with_recorded_matches(
                    without_repeats(checked, reopened), matches, marks or {}
                )
                if verified or reviewed:
                    known = [recorded for _, _, recorded in chunk]
                    matched = _reenacted(
                        store, target, matched, known, reviewed, verified
                    )
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
    whole: list[tuple[str, RawRecord, Recorded]],
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
            raws = [raw for _, raw in known]
            batch_problems(
                [claim for claim, _ in known],
                [Sourcing(raw, claim.id) for claim, raw in known],
                seen,
                # a pended claim's correction inside the window resubmits it
                found=record_problems(raws, target, context),
            )
        start = end
    return checked


def _reenacted(
    store: Store,
    client: ResolvedClient,
    decided: list[tuple[Claim, Decision]],
    known: list[Recorded],
    reviewed: Mapping[str, list[tuple[str, frozenset[str]]]],
    verify: bool,
) -> list[tuple[Claim, Decision]]:
    """Each claim taken through what followed its intake, in order: its
    verification against the stored source records, and the decisions
    people took on it in review (``claimflow decide``).

    A claim is verified once, when it is first accepted, as a live run
    verifies an accepted claim that has no verification yet: at intake, or
    after a person accepted it in review (trial 44: in review as a possible
    duplicate, accepted, then sent back by verification for units already
    paid). Only for a client whose claims were verified (`verify`), and a
    claim verified live (`Recorded.last_batch`): one never verified waits
    for it, as it does in the store. Each review decision, in the order
    taken, then settles the claim while the replay has it in review for
    the reasons the decision settled (`claimflow.store.review_decisions`);
    other reasons, or none, are the replay's own to show.
    """
    from claimflow.verify.run import StoreLookup

    lookup = StoreLookup(store, client.key) if verify else None
    out = []
    for (claim, intake), recorded in zip(decided, known, strict=True):
        decision = intake
        # verified live, not yet here
        pending = recorded.last_batch is not None
        if lookup is not None and pending and decision.outcome is Outcome.ACCEPTED:
            decision, pending = _verified(lookup, client, claim, decision, recorded), False
        for verdict, codes in reviewed.get(claim.id, ()):
            if decision.outcome is not Outcome.REVIEW or _review_codes(decision) != codes:
                continue
            outcome = Outcome.ACCEPTED if verdict == "accept" else Outcome.REJECTED
            decision = decision.model_copy(update={"outcome": outcome})
            if lookup is not None and pending and outcome is Outcome.ACCEPTED:
                decision, pending = _verified(lookup, client, claim, decision, recorded), False
        out.append((claim, decision))
    return out


def _review_codes(decision: Decision) -> frozenset[str]:
    """The reasons a claim is in review for, as a review decision records
    those it settled (`claimflow.store.review_decisions.standing_codes`)."""
    return frozenset(
        p.code.value for p in decision.problems if p.code.category is not Category.AWARD
    )


def _verified(
    lookup: StoreLookup,
    client: ResolvedClient,
    claim: Claim,
    decision: Decision,
    recorded: Recorded,
) -> Decision:
    """An accepted claim checked against the stored source records, as recorded runs do.

    The lookups only read. The claim meets what its live verification met
    (`recorded`): the claims of the batches stored then
    (`Recorded.last_batch`), never a stay or match ingested after it (trial
    30); the source records imported by then (`Recorded.last_source`),
    never an export imported after it; and what it was told of other
    claims then (`Recorded.knew`): the member's stays it left out, the
    claims matched to a source record, the earlier claim of a serial, not
    what later runs made of them.
    """
    from claimflow.verify.match import verify_claim
    from claimflow.verify.run import outcome_of

    settings = client.config.verification
    view = lookup.as_of(recorded.last_batch, recorded.last_source, recorded.knew)
    verification = verify_claim(claim, view, settings)
    return Decision(
        claim_id=claim.id,
        outcome=outcome_of(verification, settings.discrepancy_policy),
        problems=decision.problems + verification.problems,
    )


__all__ = ["Change", "ReplayResult", "golden", "replay", "same_intake", "same_sla"]

