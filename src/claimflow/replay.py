"""Replay: re-run stored claims under the current code and a (new) rule file.

`replay(store, client, ...)` rebuilds each stored claim from the values it
was received with, validates and decides it again, computes its award (never
posting), and compares with what was recorded: the outcome and its reasons,
the points and the award lines behind them, and, when the new configuration
changes the calendar or SLA terms, the claims whose SLA status flips. A
renamed rule or a reordered file changes no outcome and no points, so it
replays to zero differences.

`golden(folder)` does the same for recorded inputs and expected outputs kept
in a folder (``samples/golden/``), so a behaviour change shows up as a diff.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from claimflow.award.caps import CapState
from claimflow.award.engine import award_order, compute_awards, compute_awards_and_holds
from claimflow.award.rules import AwardSettings
from claimflow.codes import SUPERSEDED, VOID, Outcome, ReasonCode
from claimflow.config import ResolvedClient, load_client
from claimflow.errors import ClaimflowError
from claimflow.models import Award, Claim, Decision, Participant, Problem, RawRecord
from claimflow.parse import read_file
from claimflow.parse.participants import read_participants
from claimflow.store import Store, raw_from_json
from claimflow.validate import SeenKeys, context_for, validate_chunk

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
    """

    client: str
    claims: int = 0
    changes: list[Change] = field(default_factory=list)
    by_transition: Counter[str] = field(default_factory=Counter)
    points_by_rule: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)

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


@dataclass(frozen=True)
class _Recorded:
    outcome: str
    reasons: list[str]
    award: Award | None


def _stored(
    store: Store, client: ResolvedClient, batch_id: int | None, since: date | None
) -> Iterator[list[tuple[str, RawRecord, _Recorded]]]:
    """Stored claims (id, record as read, what was recorded), in ingestion order, chunked."""
    where: list[str] = ["c.client = ?"]
    params: list[object] = [client.key]
    if batch_id is not None:
        where.append("c.batch_id = ?")
        params.append(batch_id)
    if since is not None:
        where.append("substr(c.received_at, 1, 10) >= ?")
        params.append(since.isoformat())
    cursor = store.db.execute(
        f"""SELECT c.id, c.raw, c.document_hash, c.received_at, c.outcome,
                   (SELECT group_concat(DISTINCT code) FROM problems p WHERE p.claim_id = c.id),
                   (SELECT a.data FROM awards a JOIN ledger l
                      ON l.idempotency_key = a.idempotency_key
                    WHERE a.claim_id = c.id AND NOT EXISTS
                      (SELECT 1 FROM ledger r WHERE r.reverses = l.id)
                    ORDER BY l.id DESC LIMIT 1),
                   (SELECT v.details FROM verifications v WHERE v.claim_id = c.id
                    ORDER BY v.id DESC LIMIT 1),
                   (SELECT group_concat(DISTINCT m.code) FROM claim_matches m
                    WHERE m.claim_id = c.id)
            FROM claims c WHERE {" AND ".join(where)} ORDER BY c.rowid""",
        params,
    )
    headers = store.raw_headers()
    while rows := cursor.fetchmany(CHUNK):
        missing = [cid for cid, raw, *_ in rows if raw is None]
        if missing:
            raise ClaimflowError(
                f"claim {missing[0]}: stored before raw values were kept (schema 5); "
                "it cannot be replayed faithfully"
            )
        yield [
            (
                cid,
                _with_received(raw_from_json(raw, headers, digest), received),
                _Recorded(
                    outcome,
                    _recorded_codes(codes, verified, matched),
                    Award.model_validate_json(award) if award else None,
                ),
            )
            for cid, raw, digest, received, outcome, codes, award, verified, matched in rows
        ]


def _recorded_codes(
    codes: str | None, verification: str | None, matched: str | None = None
) -> list[str]:
    """The reasons standing now: validation's, the latest verification's, and
    those of the matches `dedupe claims` recorded.

    A claim verified twice (not found, then found) keeps only the second result.
    """
    from claimflow.verify.run import VERIFY_CODES

    found = set((codes or "").split(",")) - {""} - VERIFY_CODES
    if verification:
        found |= {p["code"] for p in json.loads(verification)["problems"]}
    found |= set((matched or "").split(",")) - {""}
    return sorted(found)


def _with_received(raw: RawRecord, received: str) -> RawRecord:
    """The raw record, with the received time the claim was stored with.

    A record read without one got the batch's time at ingest; replaying it
    must not get the time of the replay instead.
    """
    if str(raw.values.get("received_at") or "").strip():
        return raw
    return replace(raw, values={**raw.values, "received_at": received})


def _line_points(award: Award | None) -> Counter[str]:
    points: Counter[str] = Counter()
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
    before, after = _line_points(recorded.award), _line_points(award)
    points_from = recorded.award.points if recorded.award else None
    points_to = award.points if award else None
    if recorded.award is None and recorded.outcome == Outcome.ACCEPTED:
        points_to = None  # never awarded: nothing to compare points with
    changed = (
        recorded.outcome != decision.outcome.value
        or recorded.reasons != reasons_to
        or (points_from is not None and points_from != points_to)
    )
    if not changed:
        return
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


def replay(
    store: Store,
    client: ResolvedClient,
    *,
    rules: ResolvedClient | None = None,
    batch_id: int | None = None,
    since: date | None = None,
    now: datetime | None = None,
    baseline: bool = False,
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

    Returns:
        The differences.

    Example: ``replay(store, client, rules=load_client("acme-2027.yaml")).changes``
    """
    result = ReplayResult(client.key)
    replayed = _replayed(store, client, rules or client, batch_id, since, result)
    reference: dict[str, _Recorded] = {}
    if baseline and rules is not None:
        same = _replayed(store, client, client, batch_id, since, ReplayResult(""))
        reference = {
            cid: _Recorded(
                decision.outcome.value, sorted({c.value for c in decision.codes}), award
            )
            for cid, (_, decision, award) in same.items()
        }
    for cid, (recorded, decision, award) in replayed.items():
        if recorded.outcome != VOID:  # a refunded or cancelled claim stands
            _compare(cid, reference.get(cid, recorded), decision, award, result)
    if rules is not None:
        _sla_flips(store, client, rules, now or datetime.now(UTC), result)
    return result


def _replayed(
    store: Store,
    client: ResolvedClient,
    target: ResolvedClient,
    batch_id: int | None,
    since: date | None,
    result: ReplayResult,
) -> dict[str, tuple[_Recorded, Decision, Award | None]]:
    """Each stored claim's record, and its decision and award under `target`.

    Outcomes are decided batch by batch in ingestion order, as ingest did;
    awards follow, in the order the live award runs posted them.
    """
    settings = target.config.award
    from claimflow.award.run import load_participants

    participants = load_participants(store, client.key)
    context = context_for(target, datetime.now(UTC))
    batches = (
        [batch_id]
        if batch_id is not None
        else [
            b
            for (b,) in store.db.execute(
                "SELECT DISTINCT batch_id FROM claims WHERE client = ? ORDER BY batch_id",
                [client.key],
            )
        ]
    )
    decided: dict[str, tuple[_Recorded, Decision, Claim | None]] = {}
    for batch in batches:
        # Batch rules see one recorded batch at a time, as they did when it was ingested.
        seen = SeenKeys()
        try:
            for chunk in _stored(store, client, batch, since):
                raws = [raw for _, raw, _ in chunk]
                checked = validate_chunk(raws, target, context, seen)
                matched = _with_recorded_matches(store, checked)
                for (cid, _, recorded), (claim, decision) in zip(
                    chunk, _verified(store, target, matched), strict=True
                ):
                    if recorded.outcome == SUPERSEDED:
                        continue  # replaced by its resubmission: stands
                    paid = settings is not None and decision.outcome is Outcome.ACCEPTED
                    decided[cid] = (recorded, decision, claim if paid else None)
                result.claims += len(chunk)
        finally:
            seen.close()
    awards = (
        _awards_as_posted(store, client.key, settings, participants, decided)
        if settings is not None
        else {}
    )
    return {
        cid: (recorded, decision, awards.get(cid))
        for cid, (recorded, decision, _) in decided.items()
    }


def _with_recorded_matches(
    store: Store, decided: list[tuple[Claim, Decision]]
) -> list[tuple[Claim, Decision]]:
    """Each claim as `dedupe claims` and `dedupe apply` left it, as recorded.

    Those decisions were taken against the history the claim met then;
    replay applies them as they stand, as it applies a void: the match's
    reason codes join the claim's, a duplicate match (or a reviewer's
    *same*) makes it a duplicate, a review match not yet marked
    *different* puts it in review. Only an accepted or pended claim is
    affected, as only those were checked.
    """
    from claimflow.dedupe.decisions import latest_decisions

    ids = [claim.id for claim, _ in decided]
    matches: dict[str, list[tuple[str, str, str]]] = {}
    for chunk in (ids[i : i + 900] for i in range(0, len(ids), 900)):
        for claim_id, original, code, verdict in store.db.execute(
            "SELECT claim_id, original, code, decision FROM claim_matches "
            f"WHERE claim_id IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            matches.setdefault(claim_id, []).append((original, code, verdict))
    if not matches:
        return decided
    marks = latest_decisions(store.db.conn, "claim")
    out = []
    for claim, decision in decided:
        found = matches.get(claim.id)
        if not found or decision.outcome not in (Outcome.ACCEPTED, Outcome.PENDED):
            out.append((claim, decision))
            continue
        outcome: Outcome = decision.outcome
        for original, _, verdict in found:
            mark = marks.get(tuple(sorted((claim.id, original))))  # type: ignore[arg-type]
            if verdict == "duplicate" or mark == "same":
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
    store: Store, client: ResolvedClient, decided: list[tuple[Claim, Decision]]
) -> list[tuple[Claim, Decision]]:
    """Accepted claims checked against the stored source records, as recorded runs do.

    Only for a client whose claims were verified; the lookups only read.
    """
    from claimflow.verify.match import verify_claim
    from claimflow.verify.run import StoreLookup, outcome_of

    found = store.db.execute(
        "SELECT 1 FROM verifications WHERE client = ? LIMIT 1", [client.key]
    ).fetchone()
    if found is None:
        return decided
    lookup = StoreLookup(store, client.key)
    settings = client.config.verification
    out = []
    for claim, decision in decided:
        if decision.outcome is not Outcome.ACCEPTED:
            out.append((claim, decision))
            continue
        verification = verify_claim(claim, lookup, settings)
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


class _AsPosted:
    """Replayed awards with caps met in the order the live award runs met them.

    The ledger's award postings and reversals, and the awards runs held, are
    followed in the order they were made: each posting of a replayed claim
    computes its award against the caps used so far; a reversal gives its
    points back to the caps (a voided award counted until then, as it did
    live); a posting of a claim outside this replay (another batch, an
    earlier day) counts as recorded, in its place in its run. A held claim
    reserves its points for the run that held it, as it did live, and gives
    them back after. Postings and holds of one time are one run, computed
    in award order. A run records its holds before its postings, each in
    award order, so a new run starts where the time changes, a hold follows
    a posting, the award order of the postings (or of the holds) goes back,
    or a claim comes again.
    """

    def __init__(self, settings: AwardSettings, people: dict[str, Participant]) -> None:
        self.settings, self.people = settings, people
        self.caps = CapState()
        self.awards: dict[str, Award] = {}
        self.run: list[tuple[Claim, Award | None]] = []  # (claim, recorded award)
        self.ids: set[str] = set()  # the run's claims
        self.held: set[str] = set()
        self.last: dict[bool, tuple[date, str, str]] = {}  # held? -> award order
        self.at: str | None = None

    def people_then(self) -> dict[str, Participant]:
        """The member list as the run being computed knew it."""
        if self.at is None:
            return self.people
        moment = datetime.fromisoformat(self.at)
        known = ((pid, p.known_at(moment)) for pid, p in self.people.items())
        return {pid: p for pid, p in known if p is not None}

    def flush(self) -> None:
        """Compute the run gathered so far, in award order."""
        people = self.people_then()
        items = sorted(self.run, key=lambda item: award_order(item[0], self.settings))
        computed: list[Award] = []
        start = 0
        while start < len(items):
            recorded = items[start][1]
            if recorded is not None:  # outside this replay: as recorded
                self.caps = self.caps.charged(recorded, self.settings)
                start += 1
                continue
            end = start
            while end < len(items) and items[end][1] is None:
                end += 1
            awards, _, self.caps, held = compute_awards_and_holds(
                [claim for claim, _ in items[start:end]],
                self.settings,
                people,
                self.caps,
            )
            computed += [*awards, *(a for a, _ in held)]
            self.awards.update(
                (a.claim_id, a) for a in awards if a.claim_id not in self.held
            )
            start = end
        for award in computed:
            if award.claim_id in self.held:  # not paid in that run: give back
                self.caps = self.caps.charged(award, self.settings, -1)
        self.run.clear()
        self.ids.clear()
        self.held.clear()
        self.last, self.at = {}, None

    def pay(
        self, claim: Claim, at: str, held: bool = False, recorded: Award | None = None
    ) -> None:
        """A posting (or a hold) of a claim: it joins its run."""
        key = award_order(claim, self.settings)
        if (
            (self.at is not None and at != self.at)
            or (held and False in self.last)
            or (held in self.last and key < self.last[held])
            or claim.id in self.ids
        ):
            self.flush()
        self.run.append((claim, recorded))
        self.ids.add(claim.id)
        if held:
            self.held.add(claim.id)
        self.last[held], self.at = key, at

    def count(self, award: Award, sign: int) -> None:
        """Count an award against the caps (``sign=-1``: give it back)."""
        self.flush()
        self.caps = self.caps.charged(award, self.settings, sign)


def _awards_as_posted(
    store: Store,
    client: str,
    settings: AwardSettings,
    participants: dict[str, Participant],
    decided: dict[str, tuple[_Recorded, Decision, Claim | None]],
) -> dict[str, Award]:
    """The replayed award of each claim accepted in `decided` (see `_AsPosted`).

    Claims no run has paid yet come last, as the next award run would take them.
    """
    state = _AsPosted(settings, participants)
    paid: set[str] = set()
    outside: dict[str, Award] = {}  # recorded awards of claims not replayed here
    history = list(store.award_history(client))
    # Claims outside this replay take their places in the runs as stored.
    others = _stored_claims(store, {cid for _, cid, _, _ in history} - set(decided))
    for kind, cid, data, at in history:
        entry = decided.get(cid)
        if kind == "reversal":
            paid.discard(cid)
            state.flush()
            award = (state.awards if entry else outside).pop(cid, None)
            if award is not None:
                state.count(award, -1)
        elif entry is None:
            if cid not in others:
                continue
            if kind == "hold":  # it reserved its points in that run
                state.pay(others[cid], at, held=True)
            elif data is not None:
                outside[cid] = Award.model_validate_json(data)
                state.pay(others[cid], at, recorded=outside[cid])
        elif entry[2] is not None:  # accepted in the replay: paid (or held) again
            state.pay(entry[2], at, held=kind == "hold")
            if kind == "award":
                paid.add(cid)
    state.flush()
    state.run = [
        (claim, None)
        for cid, (recorded, _, claim) in decided.items()
        if claim is not None and cid not in paid and recorded.outcome != VOID
    ]
    state.flush()
    return state.awards


def _stored_claims(store: Store, ids: set[str]) -> dict[str, Claim]:
    """Stored claims by id, typed as stored."""
    found: dict[str, Claim] = {}
    listed = sorted(ids)
    for part in (listed[i : i + 900] for i in range(0, len(listed), 900)):
        for claims in store.claims(
            f"WHERE c.id IN ({','.join('?' * len(part))})", part
        ):
            found.update((c.id, c) for c in claims)
    return found


def _awards(
    decided: list[tuple[Claim, Decision]],
    settings: Any,
    participants: dict[str, Any],
    caps: CapState,
) -> tuple[dict[str, Award], CapState]:
    """The chunk's awards against the caps the replay has used so far."""
    if settings is None:
        return {}, caps
    accepted = [c for c, d in decided if d.outcome is Outcome.ACCEPTED]
    awards, _, caps = compute_awards(accepted, settings, participants, caps)
    return {a.claim_id: a for a in awards}, caps


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

    old, new = status(before), status(after)
    known = {c.claim_id: c for c in result.changes}
    for claim_id in sorted(old):
        if old[claim_id] != new.get(claim_id):
            change = known.get(claim_id)
            if change is None:
                change = Change(claim_id, "", "")
                result.changes.append(change)
            change.sla_from, change.sla_to = old[claim_id], new.get(claim_id)
            result.by_transition[f"SLA {old[claim_id]} -> {new.get(claim_id)}"] += 1


# --- golden batches -------------------------------------------------------------


def _golden_output(case: Path) -> dict[str, Any]:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    client = load_client(case / spec["client"])
    received = datetime.fromisoformat(spec["received_at"])
    raws = [r for name in spec["inputs"] for r in read_file(case / name, client)]
    decided = validate_chunk(raws, client, context_for(client, received))
    people = (
        {
            p.id: p
            for p in read_participants(
                case / spec["participants"], client.key, client.config.date_order
            )
        }
        if spec.get("participants")
        else {}
    )
    awards, _ = _awards(decided, client.config.award, people, CapState())
    out = {}
    for claim, decision in decided:
        award = awards.get(claim.id)
        out[f"{Path(claim.provenance.file).name}:{claim.id.split('-', 1)[1]}"] = {
            "outcome": decision.outcome.value,
            "reasons": [c.value for c in decision.codes],
            "points": award.points if award else None,
            "version": award.version if award else None,
            "lines": {ln.rule_id: ln.points for ln in award.lines} if award else {},
        }
    return out


def golden(folder: Path, update: bool = False) -> dict[str, list[str]]:
    """Run every golden case under `folder`; return the differences per case.

    Each case is a sub-folder with ``case.yaml`` (client, inputs, participants,
    received_at) and ``expected.json``; `update` rewrites the expected output.

    Example: ``golden(Path("samples/golden"))`` is ``{}`` when nothing changed.
    """
    differences: dict[str, list[str]] = {}
    cases = sorted(p for p in folder.iterdir() if (p / "case.yaml").is_file())
    if not cases:
        raise ClaimflowError(
            f"{folder}: no golden case (a folder with case.yaml) found"
        )
    for case in cases:
        actual = _golden_output(case)
        expected_path = case / "expected.json"
        if update or not expected_path.exists():
            expected_path.write_text(
                json.dumps(actual, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        diffs = [
            f"{key}: expected {expected.get(key)}, found {actual.get(key)}"
            for key in sorted(set(expected) | set(actual))
            if expected.get(key) != actual.get(key)
        ]
        if diffs:
            differences[case.name] = diffs
    return differences
