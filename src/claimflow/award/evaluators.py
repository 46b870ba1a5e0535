"""Evaluators of the earning rules, one per rule kind, and what they see.

Each evaluator turns one rule into `Earned` award lines for the claim in its
`Context`; `EVALUATORS` is the registry (``@evaluator("per_unit")``), so a new
rule kind is a model in `claimflow.award.rules` plus one function here.
Promotions are applied after the base by `promotions`, under their stacking
policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from claimflow.award.rules import (
    PerClaim,
    PerCurrency,
    PerUnit,
    Promotion,
    QuantityTiers,
    RuleSet,
    TierBonus,
)
from claimflow.award.text import (
    per_claim_note,
    per_currency_points,
    per_unit_note,
    promotion_note,
)
from claimflow.codes import ReasonCode
from claimflow.models import AwardLine, Claim, Participant, ParticipantFacts, StayClaim
from claimflow.money import ZERO
from claimflow.shown import number, plural, points_word
from claimflow.words import match_word

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


class Refused(Exception):
    """A claim the rules cannot award: its code and an expected/found message."""

    def __init__(self, code: ReasonCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Unit:
    """What one earning rule looks at: a claim line, or a whole stay."""

    number: int
    amount: Decimal
    quantity: int
    facts: dict[str, str | None]
    label: str
    nights: int | None = None
    #: the claim's field the amount comes from, when the claim gives none
    #: (a stay without its qualifying revenue, a line without its total or
    #: price): `amount` is then 0, which a rule per amount may not pay on
    unstated: str | None = None

    def counted(self, unit: str) -> int:
        """Its units sold (or 1 stay), or with ``nights`` its nights."""
        return (self.nights or 0) if unit == "nights" else self.quantity


@dataclass(frozen=True)
class Earned:
    """An award line and the unit it was earned on (None: the whole claim)."""

    unit: int | None
    line: AwardLine


@dataclass
class Context:
    """What the evaluators of one claim see.

    ``held`` is the participant's facts on the activity date (the tier a
    bonus pays by); ``notes`` are explanation lines of no points that
    eligibility adds (an enrolment grace used); ``locale`` writes the
    lines' figures (`claimflow.award.text`).
    """

    claim: Claim
    rules: RuleSet
    activity: date
    units: list[Unit]
    participant: Participant | None
    factor: Decimal = _ONE
    conversion: str | None = None
    base: Decimal = ZERO
    held: ParticipantFacts | None = None
    notes: list[AwardLine] = field(default_factory=list)
    counts: Mapping[str, int] = field(default_factory=dict)
    #: the client's locale, which the lines' figures are written in
    locale: str = "en_US"
    #: the currency points are earned in: the lines' amounts are money in it
    currency: str = "USD"

    def line(
        self, rule_id: str, kind: str, desired: Decimal, note: str, **extra: object
    ) -> AwardLine:
        """An unrounded award line of this claim's rule set."""
        return AwardLine(
            rule_id=rule_id,
            kind=kind,
            version=self.rules.version,
            desired=desired,
            points=0,
            note=note,
            **extra,
        )


Evaluator = Callable[[Context, object], list[Earned]]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(kind: str) -> Callable[[Evaluator], Evaluator]:
    """Register the function that evaluates one earning rule kind."""

    def register(func: Evaluator) -> Evaluator:
        EVALUATORS[kind] = func
        return func

    return register


@evaluator("per_currency")
def _per_currency(ctx: Context, rule: object) -> list[Earned]:
    assert isinstance(rule, PerCurrency)
    earned = []
    for unit in ctx.units:
        if not rule.scope.matches(unit.facts):
            continue
        if unit.unstated is not None:
            # 0 points settled for an amount nobody gave would be a payment
            # decided by a blank (trial 45: a stay verified against its folio
            # of 789.99 zł was paid 0 for want of its room revenue)
            raise Refused(
                ReasonCode.MISSING_FIELD,
                f"{unit.label}: expected {unit.unstated} to earn {rule.points} "
                f"points per {rule.per} {ctx.currency} on, found none: the award is "
                "held until the claim gives it",
            )
        excluded = ZERO
        if isinstance(ctx.claim, StayClaim):
            excluded = sum((getattr(ctx.claim, p) or ZERO for p in rule.exclude), ZERO)
        if unit.amount - excluded < 0:
            # Never a base of 0 in its place: that pays the other rules
            # (nights, per claim) on a stay that earned nothing.
            raise Refused(
                ReasonCode.NEGATIVE_AMOUNT,
                f"{unit.label}: expected an amount of 0 or more after excluding "
                f"{', '.join(rule.exclude)}, found {unit.amount} - {excluded} "
                f"= {unit.amount - excluded}",
            )
        base = (unit.amount - excluded) * ctx.factor
        desired, how = per_currency_points(rule, base, ctx.locale, ctx.currency)
        line = ctx.line(
            rule.id,
            rule.kind,
            desired,
            f"{unit.label}: {how}",
            basis=base,
            rate=rule.points / rule.per,
            conversion=ctx.conversion,
        )
        earned.append(Earned(unit.number, line))
    return earned


@evaluator("per_unit")
def _per_unit(ctx: Context, rule: object) -> list[Earned]:
    assert isinstance(rule, PerUnit)
    earned = []
    for unit in ctx.units:
        if not rule.scope.matches(unit.facts):
            continue
        count = unit.counted(rule.unit)
        note = (
            per_unit_note(unit.label, rule.points, ctx.locale)
            if rule.unit == "units"
            else f"{unit.label}: {number(count, ctx.locale)} {plural(count, 'night')} at "
            f"{number(rule.points, ctx.locale)} {points_word(rule.points)} each"
        )
        earned.append(
            Earned(
                unit.number,
                ctx.line(
                    rule.id,
                    rule.kind,
                    rule.points * count,
                    note,
                    basis=Decimal(count),
                    rate=rule.points,
                ),
            )
        )
    return earned


@evaluator("per_claim")
def _per_claim(ctx: Context, rule: object) -> list[Earned]:
    assert isinstance(rule, PerClaim)
    if not any(rule.scope.matches(u.facts) for u in ctx.units):
        return []
    return [
        Earned(
            None,
            ctx.line(
                rule.id, rule.kind, rule.points, per_claim_note(rule.points, ctx.locale)
            ),
        )
    ]


def _priced(
    rule: QuantityTiers, start: int, units: int, reached: int, locale: str
) -> tuple[Decimal, str]:
    """Points of `units` units counted after `start` others: in ``whole`` mode
    all at the tier `reached` units reach, in ``marginal`` mode each unit at
    the tier of its position (start + 1 ... start + units)."""
    tiers = rule.tiers
    if rule.mode == "whole":
        tier = [t for t in tiers if t.start <= reached][-1]
        return (
            tier.points * units,
            f"{number(units, locale)} at {number(tier.points, locale)}",
        )
    desired, parts = ZERO, []
    for i, tier in enumerate(tiers):
        end = tiers[i + 1].start - 1 if i + 1 < len(tiers) else start + units
        count = max(0, min(end, start + units) - max(tier.start, start + 1) + 1)
        if count:
            desired += count * tier.points
            parts.append(f"{number(count, locale)} at {number(tier.points, locale)}")
    return desired, " + ".join(parts)


@evaluator("quantity_tiers")
def _quantity_tiers(ctx: Context, rule: object) -> list[Earned]:
    """Tiers by the units of a line, of the claim, or of the participant's
    period (see `QuantityTiers.count`)."""
    assert isinstance(rule, QuantityTiers)
    units = [
        u for u in ctx.units if rule.scope.matches(u.facts) and u.counted(rule.unit) > 0
    ]
    total = sum(u.counted(rule.unit) for u in units)
    before = 0
    if rule.count == "participant":
        from claimflow.award.caps import units_key

        who = ctx.claim.participant_id or ""
        before = ctx.counts.get(units_key(rule, who, ctx.activity), 0)
    earned, position = [], before
    for unit in units:
        quantity = unit.counted(rule.unit)
        if rule.count == "line":
            desired, how = _priced(rule, 0, quantity, quantity, ctx.locale)
            note = f"{unit.label}: {how}"
        else:
            desired, how = _priced(
                rule, position, quantity, before + total, ctx.locale
            )
            counted = (
                f"the claim's {number(total, ctx.locale)} units"
                if rule.count == "claim"
                else f"{number(before, ctx.locale)} earlier + "
                f"{number(total, ctx.locale)} on this claim in "
                f"{period_label(ctx.activity, rule.period)}"
            )
            note = f"{unit.label}: {how} ({counted})"
        position += quantity
        earned.append(
            Earned(
                unit.number,
                ctx.line(rule.id, rule.kind, desired, note, basis=Decimal(quantity)),
            )
        )
    return earned


def period_label(day: date, period: str | None) -> str:
    """The calendar period of `day` as a person says it (``2026-Q4``)."""
    from claimflow.award.caps import period_key

    return period_key(day, period)


@evaluator("tier_bonus")
def _tier_bonus(ctx: Context, rule: object) -> list[Earned]:
    assert isinstance(rule, TierBonus)
    if ctx.participant is None:
        # No member list entry, so no tier: paying the base alone would drop
        # a bonus the member may be owed, and settle the claim. Held
        # (`engine._unknown`) until the list names them, as for enrolment.
        return [
            Earned(
                None,
                ctx.line(
                    rule.id,
                    rule.kind,
                    ZERO,
                    f"participant {ctx.claim.participant_id or '(none)'} is not on "
                    "the member list: no tier to pay this tier bonus by",
                    code=ReasonCode.UNKNOWN_PARTICIPANT,
                ),
            )
        ]
    # The tier held on the activity date, not today's: a member who was Gold
    # at the stay and is Platinum now earns the Gold bonus for it.
    tier = (ctx.held.tier or "") if ctx.held else ""
    # in any case as the client's language writes capitals, as the member
    # list's import took it (`claimflow.parse.participants`): ALTIN is altın
    named = match_word(tier, rule.percent, ctx.locale) if tier else None
    percent = rule.percent[named] if named is not None else None
    if not percent:
        # a listed member without a tier that earns one: said, at 0 points
        why = (
            f"{tier} on {ctx.activity}: no tier bonus for {tier}"
            if tier
            else f"no tier on {ctx.activity} on the member list: no tier bonus"
        )
        return [Earned(None, ctx.line(rule.id, rule.kind, ZERO, why))]
    return [
        Earned(
            None,
            ctx.line(
                rule.id,
                rule.kind,
                ctx.base * percent / _HUNDRED,
                f"{tier} on {ctx.activity}: {number(percent, ctx.locale)}% of "
                f"{number(ctx.base, ctx.locale)} base points",
                basis=ctx.base,
                multiplier=percent / _HUNDRED,
            ),
        )
    ]


def promotions(ctx: Context, base: list[Earned]) -> list[Earned]:
    applicable: list[tuple[str, Earned]] = []
    promos = sorted(
        (r for r in ctx.rules.rules if isinstance(r, Promotion)), key=lambda r: r.order
    )
    for promo in promos:
        if not promo.window.start <= ctx.activity <= promo.window.end:
            continue
        in_scope = {u.number for u in ctx.units if promo.scope.matches(u.facts)}
        if not in_scope:
            continue
        if promo.multiplier is not None:
            scoped = sum((e.line.desired for e in base if e.unit in in_scope), ZERO)
            desired = scoped * (promo.multiplier - 1)
        else:
            scoped, desired = ZERO, promo.bonus or ZERO
        note = promotion_note(promo, scoped, desired, ctx.locale)
        policy = promo.stacking or ctx.rules.stacking or "stack"
        line = ctx.line(
            promo.id, promo.kind, desired, note, multiplier=promo.multiplier
        )
        applicable.append((policy, Earned(None, line)))
    exclusive = [e for policy, e in applicable if policy == "exclusive"]
    if exclusive:
        return exclusive[:1]
    chosen = [e for policy, e in applicable if policy == "stack"]
    best = [e for policy, e in applicable if policy == "best_of"]
    if best:
        chosen.append(max(best, key=lambda e: e.line.desired))
    return chosen
