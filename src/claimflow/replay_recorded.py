"""What was recorded for each stored claim, and the decisions a replay applies as recorded.

`recorded_chunk` reads stored replay rows (`claimflow.store.replay`) as
(claim id, the record as read, `Recorded`: the outcome, reasons, points and
award, and what its verification knew). `recorded_matches`,
`without_repeats` and `with_recorded_matches` apply what `dedupe claims`,
`dedupe apply` and reviewers' marks decided, as they stand, to a replayed
decision. `claimflow.replay` runs these; nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from claimflow.codes import Outcome, ReasonCode
from claimflow.errors import ClaimflowError
from claimflow.models import Award, Claim, Decision, Problem, RawRecord
from claimflow.store import Store, raw_from_json
from claimflow.store.replay import ReplayRow, claim_match_rows
from claimflow.verify.knew import Knew

#: A match `dedupe claims` recorded: (original, reason code, decision).
_Match = tuple[str, str, str]


@dataclass(frozen=True)
class Recorded:
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
Decided = dict[str, tuple[Recorded, Decision, Claim]]


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


def recorded_chunk(
    rows: list[ReplayRow],
    headers: Mapping[str, str],
    matches: Mapping[str, list[_Match]],
    verify_codes: frozenset[str] | set[str],
) -> list[tuple[str, RawRecord, Recorded]]:
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
            Recorded(
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


def recorded_matches(
    store: Store, client: str
) -> tuple[dict[str, list[_Match]], set[str]]:
    """Claim id -> the matches `dedupe claims` recorded for it, in order;
    those a reviewer marked *different* at their latest mark left out: they
    neither close the claim nor give it their reason, as its stored reasons
    do not (`claimflow.store.dedupe_decisions.PROBLEM_STANDS`). Also the
    claims with a repeat within their batch so marked (`without_repeats`)."""
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


def without_repeats(
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


def with_recorded_matches(
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


def _pair(a: str, b: str) -> tuple[str, str]:
    """Two claim ids as a reviewer's mark names them (sorted)."""
    return (a, b) if a <= b else (b, a)
