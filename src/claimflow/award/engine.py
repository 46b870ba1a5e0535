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

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from claimflow.award.caps import (
    CapState,
    cap_lines,
    charge,
    own_funded,
    paid_key,
    promotion_cuts,
)
from claimflow.award.evaluators import (
    EVALUATORS,
    Context,
    Refused,
    Unit,
    promotions,
)
from claimflow.award.rules import (
    AwardSettings,
    Rate,
    Scope,
)
from claimflow.award.text import below_minimum_note, rounding_note, units_label
from claimflow.codes import ReasonCode
from claimflow.models import (
    Award,
    AwardLine,
    Claim,
    Participant,
    ParticipantFacts,
    Problem,
    StayClaim,
)
from claimflow.money import ZERO
from claimflow.shown import money, number, plural

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


def _units(
    claim: Claim, settings: AwardSettings, held: ParticipantFacts | None
) -> list[Unit]:
    segment = held.tier if held else None  # the tier held on the activity date
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
                nights=(claim.check_out - claim.check_in).days
                if claim.check_in and claim.check_out
                else None,
                unstated=None if claim.qualifying_revenue is not None else "qualifying_revenue",
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
            Unit(
                n, amount or ZERO, quantity, facts,
                units_label(quantity, line.sku, settings.locale),
                unstated=None if amount is not None else "line_total",
            )  # fmt: skip
        )
    return units


def activity_date(claim: Claim, settings: AwardSettings) -> date | None:
    """The date that picks a claim's rule set (configured per client).

    A received time counts on its day at the desk (``settings.zone``), not
    on its day in the offset it was keyed in.
    """
    if settings.activity_date == "received_at":
        return settings.day_of(claim.received_at)
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


def _context(
    claim: Claim, settings: AwardSettings, participant: Participant | None
) -> Context:
    day = activity_date(claim, settings)
    if day is None:
        raise Refused(ReasonCode.NO_RULE_SET, "expected an activity date, found none")
    rules = settings.rule_set_for(day)
    if rules is None:
        raise Refused(
            ReasonCode.NO_RULE_SET, f"expected a rule set covering {day}, found none"
        )
    held = participant.on(day) if participant else None
    units = _units(claim, settings, held)
    _refuse_negatives(claim, units)
    ctx = Context(
        claim,
        rules,
        day,
        units,
        participant,
        held=held,
        locale=settings.locale,
        currency=settings.currency,
    )
    currency = (
        claim.currency if isinstance(claim, StayClaim) else None
    ) or settings.currency
    if currency.upper() != settings.currency:
        by_receipt = settings.rate_date == "received"
        rate_day = settings.day_of(claim.received_at) if by_receipt else day
        rate = _rate(settings, currency.upper(), rate_day)
        if rate is None:
            of = " (the day of receipt at the desk)" if by_receipt else ""
            raise Refused(
                ReasonCode.NO_CONVERSION_RATE,
                f"expected a {currency}->{settings.currency} rate on or "
                f"before {rate_day}{of}, found none",
            )
        ctx.factor = rate.rate
        ctx.conversion = (
            f"1 {currency} = {number(rate.rate, settings.locale)} {settings.currency} "
            f"({rate.source}, {rate.day})"
        )
    return ctx


def _refuse_negatives(claim: Claim, units: list[Unit]) -> None:
    """A negative amount, quantity or stay length pays nothing and is no
    award of 0 either: validation pends such a claim (``negative_amount``,
    ``nonpositive_quantity``), so one here was accepted by another road
    (stored by an earlier release, adjudicated), and is refused again."""
    stay = claim if isinstance(claim, StayClaim) else None
    amounts = [(f"{u.label}: amount", u.amount) for u in units]
    amounts += [(f"{u.label}: quantity", Decimal(u.quantity)) for u in units]
    amounts += [(f"{u.label}: nights", Decimal(u.nights or 0)) for u in units]
    if stay is not None:
        amounts += [
            (name, getattr(stay, name) or ZERO)
            for name in ("qualifying_revenue", "taxes", "fees", "incidentals")
        ]
    for what, value in amounts:
        if value < 0:
            raise Refused(
                ReasonCode.NEGATIVE_AMOUNT,
                f"{what}: expected 0 or more, found {value}",
            )


def _eligibility(ctx: Context) -> AwardLine | None:
    rules, claim = ctx.rules.eligibility, ctx.claim
    stay = claim if isinstance(claim, StayClaim) else None
    channel = ((stay.booking_channel if stay else None) or "").casefold()
    rate_code = ((stay.rate_code if stay else None) or "").casefold()
    if channel and channel in {c.casefold() for c in rules.excluded_channels}:
        return _zero_line(
            ctx, ReasonCode.EXCLUDED_RATE, f"booked via {channel}: no points"
        )
    if rate_code and rate_code in {c.casefold() for c in rules.excluded_rate_codes}:
        return _zero_line(ctx, ReasonCode.EXCLUDED_RATE, f"rate {rate_code}: no points")
    if rules.enrolled_before_activity and (refused := _enrolment(ctx)) is not None:
        return refused
    minimum = ctx.rules.minimum
    spend = sum((u.amount for u in ctx.units), ZERO) * ctx.factor
    quantity = sum(u.quantity for u in ctx.units)
    if (minimum.spend is not None and spend < minimum.spend) or (
        minimum.quantity is not None and quantity < minimum.quantity
    ):
        return _zero_line(
            ctx,
            ReasonCode.BELOW_MINIMUM,
            below_minimum_note(spend, quantity, ctx.locale, ctx.currency),
        )
    return None


def _enrolment(ctx: Context) -> AwardLine | None:
    """The zero line of an activity before enrolment (less the grace), or None.

    The enrolment date is the one held on the activity date; an activity in
    the grace before it earns, and a note line of no points says so. A
    participant not on the member list has no enrolment date to check: that
    is no "not enrolled" (a member enrolled after the stay, settled at 0),
    and the award is held (`_unknown`) until the list names the participant
    (trial 36: SX9999999 was paid 0, settled, and the member list imported
    later changed nothing).
    """
    if ctx.participant is None:
        return _zero_line(
            ctx,
            ReasonCode.UNKNOWN_PARTICIPANT,
            f"participant {ctx.claim.participant_id or '(none)'} is not on the "
            "member list: no enrolment date to check",
        )
    enrolled = ctx.held.enrolled_on if ctx.held else None
    grace = ctx.rules.eligibility.enrolment_grace_days.before
    early = (enrolled - ctx.activity).days if enrolled is not None else 0
    if enrolled is None or early > grace:
        why = ""
        if early > 0:
            limit = f", more than the {grace}-day grace" if grace else ""
            why = f" ({early} {plural(early, 'day')} before enrolment on {enrolled}{limit})"
        return _zero_line(
            ctx,
            ReasonCode.NOT_ENROLLED,
            f"not enrolled on {ctx.activity}{why}: no points",
        )
    if early > 0:
        ctx.notes.append(
            ctx.line(
                "eligibility",
                "eligibility",
                ZERO,
                f"{early} {plural(early, 'day')} before enrolment on {enrolled}: within the "
                f"{grace}-day enrolment grace, earns",
            )
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
                rounding_note(total, round_points(total, mode), mode, ctx.locale),
            ).model_copy(update={"points": delta})
        )
    return truncated


def _earned(ctx: Context) -> list[AwardLine]:
    """The unrounded lines: eligibility's zero line, or the earning rules,
    tier bonuses and promotions (`Refused` when a rule cannot be applied)."""
    zero = _eligibility(ctx)
    if zero is not None:
        return [zero]
    earning = [r for r in ctx.rules.rules if r.kind not in ("tier_bonus", "promotion")]
    base = [e for rule in earning for e in EVALUATORS[rule.kind](ctx, rule)]
    ctx.base = sum((e.line.desired for e in base), ZERO)
    bonuses = [
        e
        for rule in ctx.rules.rules
        if rule.kind == "tier_bonus"
        for e in EVALUATORS[rule.kind](ctx, rule)
    ]
    lines = [e.line for e in (*base, *bonuses, *promotions(ctx, base))]
    return [*ctx.notes, *lines, *_tiers_unknown(ctx)]


def _tiers_unknown(ctx: Context) -> list[AwardLine]:
    """The zero line holding the award of a participant not on the member
    list where a rule's scope names tiers (``segments: [gold]``): whether it
    applies cannot be known, so the award is held (`_unknown`) rather than
    paid without it. (A tier bonus says so on its own line.)"""
    if ctx.participant is not None:
        return []

    def names_tiers(scope: Scope | None) -> bool:
        return scope is not None and (bool(scope.segments) or names_tiers(scope.exclude))

    scoped = [r.id for r in ctx.rules.rules if names_tiers(r.scope)]
    if not scoped:
        return []
    return [
        _zero_line(
            ctx,
            ReasonCode.UNKNOWN_PARTICIPANT,
            f"participant {ctx.claim.participant_id or '(none)'} is not on the member "
            f"list: no tier to scope {', '.join(scoped)} by",
        )
    ]


def compute_award(
    claim: Claim,
    settings: AwardSettings,
    participant: Participant | None,
    state: CapState,
) -> tuple[Award | None, Problem | None]:
    """Compute one claim's award against the caps already used.

    Returns:
        The award, or None with the problem that stops it (an award held
        for a tax form included: `compute_awards_and_holds` keeps those).

    Example: ``award, problem = compute_award(claim, settings, None, CapState())``
    """
    award, problem = award_one(claim, settings, participant, state)
    return (None, problem) if problem is not None else (award, None)


def award_one(
    claim: Claim,
    settings: AwardSettings,
    participant: Participant | None,
    state: CapState,
) -> tuple[Award | None, Problem | None]:
    """`compute_award`, but a held award comes back with its problem.

    `state` is read, not changed: count the award with `caps.charge`.
    """
    try:
        ctx = _context(claim, settings, participant)
        ctx.counts = state.counts  # units earlier claims counted (participant tiers)
        lines = _earned(ctx)
    except Refused as refused:
        return None, Problem(
            source=claim.provenance,
            code=refused.code,
            message=refused.message,
            record_id=claim.id,
        )
    lines = _rounded(lines, settings, ctx)
    desired = sum(ln.points for ln in lines)
    lines += promotion_cuts(ctx, lines, state.counts)
    funded = own_funded(lines, ctx.rules)
    lines += cap_lines(ctx, sum(ln.points for ln in lines), state, funded)
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
        day_note=day_note(claim, settings, converted=ctx.conversion is not None),
    )
    return award, _unknown(award, claim) or _threshold(
        award, claim, settings, participant, state
    )


def _unknown(award: Award, claim: Claim) -> Problem | None:
    """The hold of an award whose participant is not on the member list
    (`_enrolment`): not posted, so the next award run pays the claim once
    the list is imported."""
    if not any(ln.code is ReasonCode.UNKNOWN_PARTICIPANT for ln in award.lines):
        return None
    return Problem(
        source=claim.provenance,
        code=ReasonCode.UNKNOWN_PARTICIPANT,
        message=(
            f"participant {award.participant_id or '(none)'} is not on the member "
            "list: held until a member list names them; the next award run then "
            "pays the claim"
        ),
        record_id=claim.id,
    )


def _threshold(
    award: Award,
    claim: Claim,
    settings: AwardSettings,
    participant: Participant | None,
    state: CapState,
) -> Problem | None:
    """The reporting-threshold gate: an award that would bring the year's
    payments to the threshold is held until a tax form is on file."""
    gate = settings.reporting_threshold
    if gate is None or award.points <= 0:
        return None
    if participant is not None and participant.tax_form_on is not None:
        return None
    before = state.counts.get(paid_key(award.participant_id, award.activity_date), 0)
    value = (before + award.points) * gate.point_value
    if value < gate.amount:
        return None
    return Problem(
        source=claim.provenance,
        code=ReasonCode.TAX_FORM_REQUIRED,
        message=(
            f"{number(award.points, settings.locale)} points would bring "
            f"{award.activity_date.year}'s payments to "
            f"{money(value, settings.currency, settings.locale)} (threshold "
            f"{money(gate.amount, settings.currency, settings.locale)}); "
            "held until a tax form is on file"
        ),
        record_id=claim.id,
    )


def day_note(claim: Claim, settings: AwardSettings, *, converted: bool) -> str | None:
    """Which of the award's days came from the received time, and how: the
    desk's day, and the keyed time when it was keyed in another offset.

    Returns None when no day came from it (a keyed activity date, and no
    rate chosen by the day of receipt).

    Example: ``day_note(claim, settings, converted=True) == "rate 2026-03-02:
    the desk's day (Europe/Paris) of receipt at 2026-03-01 23:30-05:00
    (2026-03-02 05:30 at the desk)"``
    """
    uses = [
        name
        for name, used in (
            ("activity", settings.activity_date == "received_at"),
            ("rate", converted and settings.rate_date == "received"),
        )
        if used
    ]
    if not uses:
        return None
    return received_note(claim.received_at, settings, uses)


def received_note(keyed: datetime, settings: AwardSettings, uses: list[str]) -> str:
    """`day_note` of a received time, for the days in `uses` (``activity``,
    ``rate``)."""
    day = settings.day_of(keyed)
    what = f"{' and '.join(uses)} {day}"
    at_desk = keyed.astimezone(settings.zone) if keyed.tzinfo else keyed
    if keyed.tzinfo is None or keyed.utcoffset() == at_desk.utcoffset():
        return f"{what}: the day of receipt at the desk ({settings.zone})"
    return (
        f"{what}: the desk's day ({settings.zone}) of receipt at "
        f"{keyed.isoformat(' ', 'minutes')} ({at_desk:%Y-%m-%d %H:%M} at the desk)"
    )


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
        of the first two. A held award (a tax form needed) is a problem,
        and still counts against the caps in the new state: its points are
        owed, so later claims cannot take them.

    Example: ``awards, problems, state = compute_awards(claims, settings)``
    """
    awards, problems, state, _ = compute_awards_and_holds(
        claims, settings, participants, state
    )
    return awards, problems, state


def compute_awards_and_holds(
    claims: Iterable[Claim],
    settings: AwardSettings,
    participants: Mapping[str, Participant] | None = None,
    state: CapState | None = None,
) -> tuple[list[Award], list[Problem], CapState, list[tuple[Award, Problem]]]:
    """`compute_awards`, with the held awards and the problem holding each."""
    participants = participants or {}
    state = state or CapState()
    used = dict(state.period_used)
    counts = Counter(state.counts)
    budget_used = state.budget_used
    awards: list[Award] = []
    problems: list[Problem] = []
    held: list[tuple[Award, Problem]] = []
    for claim in sorted(claims, key=lambda c: award_order(c, settings)):
        award, problem = award_one(
            claim,
            settings,
            participants.get(claim.participant_id or ""),
            CapState(used, budget_used, counts),
        )
        if problem is not None:
            problems.append(problem)
            if award is None:
                continue
            held.append((award, problem))  # owed: its points stay reserved
        else:
            assert award is not None
            awards.append(award)
        budget_used += charge(used, counts, award, settings)
    return awards, problems, CapState(used, budget_used, counts), held
