"""What an award counts against, and the cuts caps and funds make.

Every limit is a counter: points per participant and period, the program's
fund, a rule set's or a promotion's fund (each per period or ever), promotion
points per participant and period, units a quantity tier counts per
participant and period, and the value paid per participant and year that a
reporting threshold watches. `counted(award, settings)` derives an award's
contribution to each counter from the award itself (its participant,
activity date, version, points and lines), so live runs, replays and stored
awards of earlier releases all count the same way, and a reversal gives
back exactly what its award took.

Cuts are award lines (never silent): a promotion's fund and the cap on
promotion points cut promotion points only; then the per-claim cap, the
participant's period cap and the program or rule-set fund cut the total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from claimflow.award.evaluators import Context
from claimflow.award.rules import (
    AwardSettings,
    Budget,
    Promotion,
    QuantityTiers,
    RuleSet,
)
from claimflow.award.text import cap_note
from claimflow.codes import ReasonCode
from claimflow.models import Award, AwardLine
from claimflow.money import ZERO
from claimflow.shown import number

#: The kind of the lines that cut promotion points (a promotion's own fund,
#: the cap on promotion points): counted as promotion points.
PROMOTION_CUT = "promotion_cap"


def period_key(day: date, period: str | None) -> str:
    """``2026-M10``, ``2026-Q4``, ``2026``, or ``ever`` without a period.

    Example: ``period_key(date(2026, 11, 2), "quarter") == "2026-Q4"``
    """
    if period is None:
        return "ever"
    if period == "month":
        return f"{day.year}-M{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


@dataclass(frozen=True)
class CapState:
    """Points (and units) already awarded that caps count against.

    Attributes:
        period_used: (participant id, period key) -> points awarded.
        budget_used: points awarded from the program's fund (ever).
        counts: every other counter, by key (see `counted`).
    """

    period_used: Mapping[tuple[str, str], int] = field(default_factory=dict)
    budget_used: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    def charged(self, award: Award, settings: AwardSettings, sign: int = 1) -> CapState:
        """This state with `award` counted (``sign=-1``: given back, as a
        reversal does)."""
        used = dict(self.period_used)
        counts = Counter(self.counts)
        budget = self.budget_used + charge(used, counts, award, settings, sign)
        return CapState(used, budget, counts)


def fund_key(fund: Budget, rules: RuleSet, day: date) -> str | None:
    """The counter of a program or rule-set fund (None: the program's, ever,
    which is `CapState.budget_used`)."""
    if fund.scope == "program" and fund.period is None:
        return None
    owner = "program" if fund.scope == "program" else f"set:{rules.version}"
    return f"fund:{owner}:{period_key(day, fund.period)}"


def promotion_fund_key(promo: Promotion, day: date) -> str:
    """The counter of a promotion's own fund."""
    assert promo.fund is not None
    return f"fund:promotion:{promo.id}:{period_key(day, promo.fund.period)}"


def units_key(rule: QuantityTiers, participant: str, day: date) -> str:
    """The counter of units a participant-period quantity tier has counted."""
    return f"units:{rule.id}:{participant}:{period_key(day, rule.period)}"


def promotion_points_key(period: str, participant: str, day: date) -> str:
    """The counter of a participant's promotion points in a period."""
    return f"promotion:{participant}:{period_key(day, period)}"


def paid_key(participant: str, day: date) -> str:
    """The counter of points paid to a participant in a calendar year."""
    return f"paid:{participant}:{day.year}"


class LineLike(Protocol):
    """What counting reads of an award line (an `AwardLine`, or a sum of them)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def basis(self) -> Decimal | None: ...


class Spending(Protocol):
    """What counting reads of an award (an `Award`, or a sum of awards)."""

    @property
    def participant_id(self) -> str: ...
    @property
    def activity_date(self) -> date: ...
    @property
    def points(self) -> int: ...
    @property
    def lines(self) -> Sequence[LineLike]: ...


@dataclass(frozen=True)
class LineSum:
    """Award lines of one rule summed (what the store hands back)."""

    rule_id: str
    kind: str
    points: int
    basis: Decimal | None


@dataclass(frozen=True)
class Spent:
    """Awards of one participant, activity date and version, summed."""

    participant_id: str
    activity_date: date
    points: int
    lines: tuple[LineSum, ...] = ()


def promotion_points(lines: Sequence[LineLike]) -> int:
    """Points of promotion lines, net of the cuts made to them."""
    return sum(ln.points for ln in lines if ln.kind in ("promotion", PROMOTION_CUT))


@dataclass(frozen=True)
class _Plan:
    """What counting needs to know of a rule set, worked out once."""

    funded: frozenset[str]  # promotions with their own fund
    counters: bool  # whether `counted` has anything to count


_PLANS: dict[int, tuple[RuleSet, AwardSettings, _Plan]] = {}


def _plan(rules: RuleSet, settings: AwardSettings) -> _Plan:
    found = _PLANS.get(id(rules))
    if found is not None and found[0] is rules and found[1] is settings:
        return found[2]
    fund = rules.caps.fund
    funded = frozenset(
        r.id for r in rules.rules if isinstance(r, Promotion) and r.fund is not None
    )
    plan = _Plan(
        funded,
        settings.reporting_threshold is not None
        or rules.caps.promotions is not None
        or (fund is not None and fund_key(fund, rules, date.min) is not None)
        or bool(funded)
        or any(
            isinstance(r, QuantityTiers) and r.count == "participant"
            for r in rules.rules
        ),
    )
    _PLANS[id(rules)] = (rules, settings, plan)
    return plan


def own_funded(lines: Sequence[LineLike], rules: RuleSet) -> int:
    """Points of promotions paid from their own fund (net of its cut): they
    do not come out of the program's or the rule set's fund."""
    funded = {r.id for r in rules.rules if isinstance(r, Promotion) and r.fund}
    return sum(ln.points for ln in lines if funded and ln.rule_id in funded)


def counted(
    award: Spending, settings: AwardSettings, rules: RuleSet | None = None
) -> Counter[str]:
    """What `award` counts against, besides the participant's period cap and
    the program's fund (ever), which `charge` keeps apart."""
    out: Counter[str] = Counter()
    rules = rules or settings.rule_set_for(award.activity_date)
    if rules is None:
        return out
    who, day = award.participant_id, award.activity_date
    fund = rules.caps.fund
    key = fund_key(fund, rules, day) if fund is not None else None
    if key is not None:
        out[key] += award.points - own_funded(award.lines, rules)
    for rule in rules.rules:
        if isinstance(rule, Promotion) and rule.fund is not None:
            out[promotion_fund_key(rule, day)] += sum(
                ln.points for ln in award.lines if ln.rule_id == rule.id
            )
        elif isinstance(rule, QuantityTiers) and rule.count == "participant":
            out[units_key(rule, who, day)] += int(
                sum(
                    (
                        ln.basis or ZERO
                        for ln in award.lines
                        if ln.rule_id == rule.id and ln.kind == rule.kind
                    ),
                    ZERO,
                )
            )
    cap = rules.caps.promotions
    if cap is not None and cap.per_participant is not None:
        out[promotion_points_key(cap.per_participant.period, who, day)] += (
            promotion_points(award.lines)
        )
    if settings.reporting_threshold is not None:
        out[paid_key(who, day)] += award.points
    return out


def charge(
    used: dict[tuple[str, str], int],
    counts: Counter[str],
    award: Spending,
    settings: AwardSettings,
    sign: int = 1,
) -> int:
    """Count `award` into `used` and `counts` (``sign=-1``: give it back);
    return its points for the program's fund."""
    rules = settings.rule_set_for(award.activity_date)
    if rules is None:
        return sign * award.points
    cap = rules.caps.per_participant
    if cap is not None:
        key = (award.participant_id, period_key(award.activity_date, cap.period))
        used[key] = used.get(key, 0) + sign * award.points
    plan = _plan(rules, settings)
    if not plan.counters:
        return sign * award.points
    for name, value in counted(award, settings, rules).items():
        counts[name] += sign * value
    funded = sum(ln.points for ln in award.lines if ln.rule_id in plan.funded)
    return sign * (award.points - funded)


def promotion_cuts(
    ctx: Context, lines: list[AwardLine], counts: Mapping[str, int]
) -> list[AwardLine]:
    """Cuts of promotion points: each promotion's own fund, then the cap on
    promotion points per claim and per participant and period."""
    cuts: list[AwardLine] = []
    who = ctx.claim.participant_id or ""

    def n(value: int) -> str:
        return number(value, ctx.locale)

    for promo in ctx.rules.rules:
        if not isinstance(promo, Promotion) or promo.fund is None:
            continue
        points = sum(ln.points for ln in lines if ln.rule_id == promo.id)
        key = promotion_fund_key(promo, ctx.activity)
        spent = counts.get(key, 0)
        room = max(promo.fund.points - spent, 0)
        if points > room:
            cuts.append(
                _cut(
                    ctx,
                    promo.id,
                    room - points,
                    f"promotion {promo.id}'s fund of {n(promo.fund.points)} "
                    f"({key.rsplit(':', 1)[1]}, {n(spent)} already paid): "
                    f"{n(points)} desired, {n(room)} awarded",
                )
            )
    cap = ctx.rules.caps.promotions
    if cap is None:
        return cuts
    points = promotion_points([*lines, *cuts])
    if cap.per_claim is not None and points > cap.per_claim:
        cuts += _spread(
            ctx,
            [*lines, *cuts],
            points - cap.per_claim,
            f"promotion points capped at {n(cap.per_claim)} per claim: "
            f"{n(points)} desired, {n(cap.per_claim)} awarded",
        )
        points = cap.per_claim
    period = cap.per_participant
    if period is not None:
        spent = counts.get(promotion_points_key(period.period, who, ctx.activity), 0)
        room = max(period.points - spent, 0)
        if points > room:
            cuts += _spread(
                ctx,
                [*lines, *cuts],
                points - room,
                f"promotion points capped at {n(period.points)} per "
                f"{period.period} ({period_key(ctx.activity, period.period)}, "
                f"{n(spent)} already awarded): {n(points)} desired, "
                f"{n(room)} awarded",
            )
    return cuts


def _spread(
    ctx: Context, lines: list[AwardLine], excess: int, note: str
) -> list[AwardLine]:
    """Cut `excess` promotion points, from the promotion evaluated last
    backwards, one cut line per promotion: each cut is its promotion's, so
    its fund and the main fund count exactly what it paid."""
    net: dict[str, int] = {}
    for line in lines:
        if line.kind in ("promotion", PROMOTION_CUT):
            net[line.rule_id] = net.get(line.rule_id, 0) + line.points
    cuts = []
    for promo_id in reversed(list(net)):
        take = min(excess, max(net[promo_id], 0))
        if take:
            cuts.append(_cut(ctx, promo_id, -take, note))
            excess -= take
    return cuts


def _cut(ctx: Context, rule_id: str, points: int, note: str) -> AwardLine:
    return ctx.line(
        rule_id, PROMOTION_CUT, Decimal(0), note, code=ReasonCode.CAP_PROMOTION
    ).model_copy(update={"points": points})


def cap_lines(
    ctx: Context, points: int, state: CapState, funded: int = 0
) -> list[AwardLine]:
    """Cuts of the total as award lines (see `cap_cuts`)."""
    return [
        ctx.line("cap", "cap", ZERO, note, code=code).model_copy(update={"points": cut})
        for code, note, cut in cap_cuts(
            ctx.rules,
            ctx.activity,
            ctx.claim.participant_id or "",
            points,
            state,
            funded,
            ctx.locale,
        )
    ]


def cap_cuts(
    rules: RuleSet,
    day: date,
    participant: str,
    points: int,
    state: CapState,
    funded: int = 0,
    locale: str = "en_US",
) -> list[tuple[ReasonCode, str, int]]:
    """Cuts of the total, as (code, note, points): per claim, the
    participant's period cap, the fund (which `funded` points, paid from
    promotions' own funds, do not touch). The engine and the set-based
    path (`claimflow.award.sets`) both cut through this; notes write their
    figures in `locale`.

    Example: ``cap_cuts(rules, day, "104233", 300, CapState())``
    """
    caps, cuts = rules.caps, []
    room = points

    def n(value: int) -> str:
        return number(value, locale)

    def cut(limit: int, code: ReasonCode, what: str) -> None:
        nonlocal room
        if room > limit:
            awarded = max(limit, 0)
            cuts.append((code, cap_note(what, room, awarded, locale), awarded - room))
            room = awarded

    if caps.per_claim is not None:
        cut(
            caps.per_claim,
            ReasonCode.CAP_PER_CLAIM,
            f"cap of {n(caps.per_claim)} per claim",
        )
    if caps.per_participant is not None:
        key = (participant, period_key(day, caps.per_participant.period))
        used = state.period_used.get(key, 0)
        cut(
            caps.per_participant.points - used,
            ReasonCode.CAP_PARTICIPANT_PERIOD,
            f"cap of {n(caps.per_participant.points)} per "
            f"{caps.per_participant.period} ({key[1]}, {n(used)} already awarded)",
        )
    fund = caps.fund
    if fund is not None:
        name = fund_key(fund, rules, day)
        spent = state.budget_used if name is None else state.counts.get(name, 0)
        what = (
            "program budget"
            if fund.scope == "program"
            else f"rule set {rules.version}'s fund"
        )
        when = "" if fund.period is None else f", {period_key(day, fund.period)}"
        cut(
            fund.points - spent + min(funded, room),
            ReasonCode.CAP_BUDGET,
            f"{what} of {n(fund.points)}{when} ({n(spent)} already awarded)",
        )
    return cuts
