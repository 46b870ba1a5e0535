"""The award engine: accepted claims in, explained integer awards out.

`compute_awards(claims, settings, participants, state)` is pure: it reads
the period and budget totals already used from `CapState` and returns the
awards, the problems (claims that cannot be awarded) and the new state.
Claims are processed in (activity date, received time, id) order, so the
result never depends on the order they arrive in, except where a cap says
so, and then deterministically.

Order inside one claim: earning rules (file order) make the base; tier
bonuses take a percentage of it; promotions (by ``order``, under their
stacking policy) multiply the base of the units in their scope or add a
bonus; minimum and eligibility can zero it; rounding makes integers; caps
cut last. Every step is an `AwardLine`, and the lines' points sum to the award.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from claimflow.award.evaluators import EVALUATORS, Context, Unit, promotions
from claimflow.award.rules import (
    AwardSettings,
    Rate,
)
from claimflow.codes import ReasonCode
from claimflow.models import Award, AwardLine, Claim, Participant, Problem, StayClaim
from claimflow.money import ZERO

_ROUNDING = {
    "floor": ROUND_FLOOR,
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
}
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def round_points(value: Decimal, mode: str) -> int:
    """Round exact points to an integer; negative values round symmetrically.

    Symmetric rounding makes a reversal the exact negative of its award.

    Example: ``round_points(Decimal("237.5"), "half_up") == 238``
    """
    magnitude = abs(value).quantize(_ONE, rounding=_ROUNDING[mode])
    return int(magnitude) if value >= 0 else -int(magnitude)


def period_key(day: date, period: str) -> str:
    """``2026-M10``, ``2026-Q4`` or ``2026``: the calendar period of `day`.

    Example: ``period_key(date(2026, 11, 2), "quarter") == "2026-Q4"``
    """
    if period == "month":
        return f"{day.year}-M{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


@dataclass(frozen=True)
class CapState:
    """Points already awarded that caps count against.

    Attributes:
        period_used: (participant id, period key) -> points awarded.
        budget_used: points awarded from the program budget.
    """

    period_used: Mapping[tuple[str, str], int] = field(default_factory=dict)
    budget_used: int = 0


def _units(
    claim: Claim, settings: AwardSettings, participant: Participant | None
) -> list[Unit]:
    segment = participant.tier if participant else None
    if isinstance(claim, StayClaim):
        hotel = settings.hotels.get((claim.hotel_code or "").upper(), {})
        facts = {
            "hotels": claim.hotel_code,
            "brands": hotel.get("brand"),
            "regions": hotel.get("region"),
            "segments": segment,
        }
        return [
            Unit(
                1,
                claim.qualifying_revenue or ZERO,
                1,
                facts,
                f"stay at {claim.hotel_code}",
            )
        ]
    units = []
    for n, line in enumerate(claim.lines, start=1):
        product = settings.products.get((line.sku or "").upper(), {})
        quantity = line.quantity or 0
        amount = line.line_total
        if amount is None and line.unit_price is not None:
            amount = line.unit_price * quantity
        facts = {
            "skus": line.sku,
            "groups": product.get("group"),
            "brands": product.get("brand"),
            "regions": None,
            "segments": segment,
        }
        units.append(
            Unit(n, amount or ZERO, quantity, facts, f"{quantity} x {line.sku}")
        )
    return units


def activity_date(claim: Claim, settings: AwardSettings) -> date | None:
    """The date that picks a claim's rule set (configured per client)."""
    if settings.activity_date == "received_at":
        return claim.received_at.date()
    value = getattr(claim, settings.activity_date, None)
    return value if isinstance(value, date) else None


def _rate(settings: AwardSettings, currency: str, day: date) -> Rate | None:
    candidates = [
        r
        for r in settings.rates
        if r.source_currency == currency
        and r.target_currency == settings.currency
        and r.day <= day
    ]
    return max(candidates, key=lambda r: r.day, default=None)


class _Refused(Exception):
    def __init__(self, code: ReasonCode, message: str) -> None:
        self.code, self.message = code, message


def _context(
    claim: Claim, settings: AwardSettings, participant: Participant | None
) -> Context:
    day = activity_date(claim, settings)
    if day is None:
        raise _Refused(ReasonCode.NO_RULE_SET, "expected an activity date, found none")
    rules = settings.rule_set_for(day)
    if rules is None:
        raise _Refused(
            ReasonCode.NO_RULE_SET, f"expected a rule set covering {day}, found none"
        )
    ctx = Context(claim, rules, day, _units(claim, settings, participant), participant)
    currency = (
        claim.currency if isinstance(claim, StayClaim) else None
    ) or settings.currency
    if currency.upper() != settings.currency:
        rate_day = day if settings.rate_date == "activity" else claim.received_at.date()
        rate = _rate(settings, currency.upper(), rate_day)
        if rate is None:
            raise _Refused(
                ReasonCode.NO_CONVERSION_RATE,
                f"expected a {currency}->{settings.currency} rate on or "
                f"before {rate_day}, found none",
            )
        ctx.factor = rate.rate
        ctx.conversion = (
            f"1 {currency} = {rate.rate} {settings.currency} "
            f"({rate.source}, {rate.day})"
        )
    return ctx


def _eligibility(ctx: Context) -> AwardLine | None:
    rules, claim, who = ctx.rules.eligibility, ctx.claim, ctx.participant
    stay = claim if isinstance(claim, StayClaim) else None
    channel = ((stay.booking_channel if stay else None) or "").casefold()
    rate_code = ((stay.rate_code if stay else None) or "").casefold()
    if channel and channel in {c.casefold() for c in rules.excluded_channels}:
        return _zero_line(
            ctx, ReasonCode.EXCLUDED_RATE, f"booked via {channel}: no points"
        )
    if rate_code and rate_code in {c.casefold() for c in rules.excluded_rate_codes}:
        return _zero_line(ctx, ReasonCode.EXCLUDED_RATE, f"rate {rate_code}: no points")
    if rules.enrolled_before_activity and (
        who is None or who.enrolled_on is None or who.enrolled_on > ctx.activity
    ):
        return _zero_line(
            ctx, ReasonCode.NOT_ENROLLED, f"not enrolled on {ctx.activity}: no points"
        )
    minimum = ctx.rules.minimum
    spend = sum((u.amount for u in ctx.units), ZERO) * ctx.factor
    quantity = sum(u.quantity for u in ctx.units)
    if (minimum.spend is not None and spend < minimum.spend) or (
        minimum.quantity is not None and quantity < minimum.quantity
    ):
        return _zero_line(
            ctx,
            ReasonCode.BELOW_MINIMUM,
            f"below the minimum (spend {spend}, quantity {quantity})",
        )
    return None


def _zero_line(ctx: Context, code: ReasonCode, note: str) -> AwardLine:
    return ctx.line("eligibility", "eligibility", ZERO, note, code=code)


def _rounded(
    lines: list[AwardLine], settings: AwardSettings, ctx: Context
) -> list[AwardLine]:
    mode = settings.rounding_mode
    if settings.rounding_scope == "line":
        return [
            ln.model_copy(update={"points": round_points(ln.desired, mode)})
            for ln in lines
        ]
    truncated = [ln.model_copy(update={"points": int(ln.desired)}) for ln in lines]
    total = sum((ln.desired for ln in lines), ZERO)
    delta = round_points(total, mode) - sum(ln.points for ln in truncated)
    if delta:
        truncated.append(
            ctx.line(
                "rounding",
                "rounding",
                ZERO,
                f"rounding {total} to {round_points(total, mode)} ({mode}, per claim)",
            ).model_copy(update={"points": delta})
        )
    return truncated


def _cap_lines(
    ctx: Context, points: int, used: Mapping[tuple[str, str], int], budget_used: int
) -> list[AwardLine]:
    caps, lines = ctx.rules.caps, []
    participant = ctx.claim.participant_id or ""
    room = points

    def cut(limit: int, code: ReasonCode, what: str) -> None:
        nonlocal room
        if room > limit:
            lines.append(
                ctx.line(
                    "cap",
                    "cap",
                    ZERO,
                    f"{what}: {room} desired, {max(limit, 0)} awarded",
                    code=code,
                ).model_copy(update={"points": max(limit, 0) - room})
            )
            room = max(limit, 0)

    if caps.per_claim is not None:
        cut(
            caps.per_claim,
            ReasonCode.CAP_PER_CLAIM,
            f"cap of {caps.per_claim} per claim",
        )
    if caps.per_participant is not None:
        key = (participant, period_key(ctx.activity, caps.per_participant.period))
        limit = caps.per_participant.points - used.get(key, 0)
        cut(
            limit,
            ReasonCode.CAP_PARTICIPANT_PERIOD,
            f"cap of {caps.per_participant.points} per {caps.per_participant.period} "
            f"({key[1]}, {used.get(key, 0)} already awarded)",
        )
    if caps.budget is not None:
        cut(
            caps.budget - budget_used,
            ReasonCode.CAP_BUDGET,
            f"program budget of {caps.budget} ({budget_used} already awarded)",
        )
    return lines


def compute_award(
    claim: Claim,
    settings: AwardSettings,
    participant: Participant | None,
    state: CapState,
) -> tuple[Award | None, Problem | None]:
    """Compute one claim's award against the caps already used.

    Returns:
        The award, or None with the problem that stops it.

    Example: ``award, problem = compute_award(claim, settings, None, CapState())``
    """
    try:
        ctx = _context(claim, settings, participant)
    except _Refused as refused:
        return None, Problem(
            source=claim.provenance,
            code=refused.code,
            message=refused.message,
            record_id=claim.id,
        )
    zero = _eligibility(ctx)
    if zero is not None:
        lines = [zero]
    else:
        earning = [
            r for r in ctx.rules.rules if r.kind not in ("tier_bonus", "promotion")
        ]
        base = [e for rule in earning for e in EVALUATORS[rule.kind](ctx, rule)]
        ctx.base = sum((e.line.desired for e in base), ZERO)
        bonuses = [
            e
            for rule in ctx.rules.rules
            if rule.kind == "tier_bonus"
            for e in EVALUATORS[rule.kind](ctx, rule)
        ]
        lines = [e.line for e in (*base, *bonuses, *promotions(ctx, base))]
    lines = _rounded(lines, settings, ctx)
    desired = sum(ln.points for ln in lines)
    lines += _cap_lines(ctx, desired, state.period_used, state.budget_used)
    award = Award(
        claim_id=claim.id,
        client=claim.client,
        participant_id=claim.participant_id or "",
        version=ctx.rules.version,
        activity_date=ctx.activity,
        currency=settings.currency,
        desired_points=desired,
        points=sum(ln.points for ln in lines),
        lines=tuple(lines),
    )
    return award, None


def award_order(claim: Claim, settings: AwardSettings) -> tuple[date, str, str]:
    """The order award runs take claims in: activity date, received time, id."""
    day = activity_date(claim, settings) or date.min
    return day, claim.received_at.isoformat(), claim.id


def compute_awards(
    claims: Iterable[Claim],
    settings: AwardSettings,
    participants: Mapping[str, Participant] | None = None,
    state: CapState | None = None,
) -> tuple[list[Award], list[Problem], CapState]:
    """Compute the awards of accepted claims, in a deterministic order.

    Args:
        claims: accepted claims of one client.
        settings: the client's award settings.
        participants: participant id -> participant (tier, enrolment).
        state: points already awarded that caps count against.

    Returns:
        (awards, problems, new cap state); every claim is in exactly one
        of the first two.

    Example: ``awards, problems, state = compute_awards(claims, settings)``
    """
    participants = participants or {}
    state = state or CapState()
    used = dict(state.period_used)
    budget_used = state.budget_used
    awards: list[Award] = []
    problems: list[Problem] = []
    for claim in sorted(claims, key=lambda c: award_order(c, settings)):
        award, problem = compute_award(
            claim,
            settings,
            participants.get(claim.participant_id or ""),
            CapState(used, budget_used),
        )
        if award is None:
            assert problem is not None
            problems.append(problem)
            continue
        awards.append(award)
        budget_used += charge(used, award, settings)
    return awards, problems, CapState(used, budget_used)


def charge(
    used: dict[tuple[str, str], int],
    award: Award,
    settings: AwardSettings,
    sign: int = 1,
) -> int:
    """Count `award` against the caps in `used`; return its budget points.

    With ``sign=-1`` it releases them again, as a reversal does: a voided
    award counts against the caps up to its reversal and no longer.
    """
    rules = settings.rule_set_for(award.activity_date)
    cap = rules.caps.per_participant if rules else None
    if cap is not None:
        key = (award.participant_id, period_key(award.activity_date, cap.period))
        used[key] = used.get(key, 0) + sign * award.points
    return sign * award.points
