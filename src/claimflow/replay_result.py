"""What a replay found: `ReplayResult` and its `Change`s, and how they are counted.

`compare` sets a claim's recorded result beside its replayed decision and
award and adds the difference, if any, to the result (the outcome and its
reasons, the points and the award lines behind them); `sla_flips` adds the
claims whose SLA status flips under a new file. Re-exported by
`claimflow.replay`, where the public API finds them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from claimflow.codes import Outcome
from claimflow.config import ResolvedClient
from claimflow.models import Award, Decision
from claimflow.replay_recorded import Recorded
from claimflow.store import Store


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


def _line_points(award: Award | str | None) -> Counter[str]:
    points: Counter[str] = Counter()
    if isinstance(award, str):
        for line in json.loads(award)["lines"]:
            points[line["rule_id"]] += line["points"]
        return points
    for line in award.lines if award else ():
        points[line.rule_id] += line.points
    return points


def compare(
    claim_id: str,
    recorded: Recorded,
    decision: Decision,
    award: Award | None,
    result: ReplayResult,
    baseline: bool = False,
) -> None:
    """Add `claim_id`'s change to `result`, if it has one.

    A claim accepted and never awarded live has no points to compare with;
    against a `baseline` (the recorded rules replayed), one the recorded
    rules award nothing (no conversion rate for its currency) and the new
    rules pay is a change: adding a USD->EGP rate shows what it pays.
    """
    reasons_to = sorted({c.value for c in decision.codes})
    points_from = recorded.points
    points_to = award.points if award else None
    comparable = points_from is not None or baseline
    if not comparable and recorded.outcome == Outcome.ACCEPTED:
        points_to = None  # never awarded: nothing to compare points with
    changed = (
        recorded.outcome != decision.outcome.value
        or recorded.reasons != reasons_to
        or (comparable and points_from != points_to)
    )
    if not changed:
        return
    before, after = _line_points(recorded.award), _line_points(award)
    lines = [
        f"{rule}: {before[rule]} -> {after[rule]}"
        for rule in sorted(set(before) | set(after))
        if before[rule] != after[rule]
    ]
    if comparable and points_from != points_to:
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


def sla_flips(
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
