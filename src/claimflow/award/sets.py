"""Awards in sets: the rule sets that need no per-claim object, computed lean.

Most programs award sales claims with fixed points per unit, points per
amount, points per claim and promotions, capped per claim, per participant
and period, and by a program budget. For a rule set of only those
(`plan_for`), a claim is computed from the few values the rules read
(`LeanClaim`: its id, participant, activity date and lines), with the SKU's
rule matches worked out once per rule set, and its award is written
straight to the JSON the store keeps. Nothing else differs from
`claimflow.award.engine`: the same Decimal arithmetic in the same order,
the same line texts (shared with the engine), the same rounding, the same
cap counters in the same award order. A property test holds the two equal,
claim for claim and byte for byte (``tests/test_award_sets.py``).

Anything outside that subset (stays, tier bonuses, quantity tiers,
segments in a scope, enrolment rules, funds per period or rule set,
promotion funds and caps, a reporting threshold, a claim without an
activity date or rule set) returns None here and goes through the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from claimflow.award.caps import CapState, cap_cuts, period_key
from claimflow.award.engine import received_note, round_points
from claimflow.award.rules import (
    AwardSettings,
    PerClaim,
    PerCurrency,
    PerUnit,
    Promotion,
    RuleSet,
    Scope,
)
from claimflow.award.text import (
    below_minimum_note,
    per_claim_note,
    per_currency_points,
    per_unit_note,
    promotion_note,
    rounding_note,
    units_label,
)
from claimflow.codes import ReasonCode
from claimflow.models import Award
from claimflow.money import ZERO

_ONE = Decimal(1)
Earning = PerUnit | PerCurrency | PerClaim
#: A claim line as the rules read it: amount, quantity, label, SKU.
_Unit = tuple[Decimal, int, str, str | None]
_Promos = tuple[bool, ...]


@dataclass(frozen=True)
class LeanClaim:
    """What the rules read of a sales claim (see the module docstring).

    Attributes:
        lines: the claim's lines as compact JSON, ``[[sku, quantity,
            unit_price, line_total], ...]`` (amounts as the text stored).
    """

    id: str
    client: str
    participant_id: str | None
    received_at: str
    activity: date | None
    lines: str


@dataclass(frozen=True)
class LeanAward:
    """A computed award as the store keeps it, with what the run counts."""

    claim_id: str
    client: str
    participant_id: str
    version: str
    activity_date: date
    points: int
    desired_points: int
    data: str  # exactly `Award.model_dump_json()` of the same award

    @classmethod
    def of(cls, award: Award) -> LeanAward:
        """An award the engine computed, as the store keeps it."""
        return cls(
            award.claim_id,
            award.client,
            award.participant_id,
            award.version,
            award.activity_date,
            award.points,
            award.desired_points,
            award.model_dump_json(),
        )

    def award(self) -> Award:
        """The full award record (for display and notices)."""
        return Award.model_validate_json(self.data)


@dataclass(slots=True)
class _Line:
    """An award line being built (`claimflow.models.AwardLine`'s fields)."""

    rule_id: str
    kind: str
    desired: Decimal
    note: str
    basis: Decimal | None = None
    rate: Decimal | None = None
    multiplier: Decimal | None = None
    points: int = 0
    code: ReasonCode | None = None
    unit: int | None = None  # the claim line it was earned on (promotions)


@dataclass(frozen=True)
class SetPlan:
    """A rule set compiled for lean claims: its earning rules and
    promotions, which of them each SKU matches, which promotions run on
    each day, and each distinct claim's award before caps (its lines and
    promotions in force decide it: computed once, however many claims
    share them)."""

    rules: RuleSet
    settings: AwardSettings
    earning: tuple[Earning, ...]
    promotions: tuple[Promotion, ...]
    _matches: dict[str, tuple[_Promos, _Promos]] = field(default_factory=dict)
    _days: dict[date, _Promos] = field(default_factory=dict)
    _before: dict[tuple[_Promos, str], tuple[str, int]] = field(default_factory=dict)

    def matches(self, sku: str | None) -> tuple[_Promos, _Promos]:
        """(earning rules matched, promotions matched) by a line of `sku`."""
        key = sku or ""
        found = self._matches.get(key)
        if found is None:
            product = self.settings.products.get(key.upper(), {})
            facts = {
                "skus": sku,
                "groups": product.get("group"),
                "brands": product.get("brand"),
                "regions": None,
                "segments": None,
            }
            found = (
                tuple(r.scope.matches(facts) for r in self.earning),
                tuple(p.scope.matches(facts) for p in self.promotions),
            )
            self._matches[key] = found
        return found

    def running(self, day: date) -> _Promos:
        """Which promotions run on `day`."""
        found = self._days.get(day)
        if found is None:
            found = tuple(
                p.window.start <= day <= p.window.end for p in self.promotions
            )
            self._days[day] = found
        return found

    def before_caps(self, day: date, lines: str) -> tuple[str, int]:
        """A claim's award before caps: its lines as JSON and its points.

        Raises:
            ValueError, TypeError: `lines` is not in the compact form.
        """
        running = self.running(day)
        found = self._before.get((running, lines))
        if found is None:
            if len(self._before) > _KEEP:
                self._before.clear()
            found = _before_caps(self, running, _units(lines, self.settings.locale))
            self._before[(running, lines)] = found
        return found


_KEEP = 200_000  # distinct claims kept per plan before the cache starts again
_PLANS: dict[int, SetPlan | None] = {}
_UNPLANNED: dict[int, tuple[RuleSet, AwardSettings]] = {}


def _uses_segments(scope: Scope | None) -> bool:
    if scope is None:
        return False
    return bool(scope.segments) or _uses_segments(scope.exclude)


def plan_for(rules: RuleSet, settings: AwardSettings) -> SetPlan | None:
    """The lean plan of a rule set, or None when the engine must compute it."""
    found = _PLANS.get(id(rules))
    if found is not None and found.rules is rules and found.settings is settings:
        return found
    known = _UNPLANNED.get(id(rules))
    if found is None and known and known[0] is rules and known[1] is settings:
        return None
    caps, fund = rules.caps, rules.caps.fund
    supported = (
        settings.reporting_threshold is None
        and caps.promotions is None
        and (fund is None or (fund.scope == "program" and fund.period is None))
        and not rules.eligibility.enrolled_before_activity
        and all(
            (isinstance(r, PerUnit) and r.unit == "units")
            or isinstance(r, PerCurrency | PerClaim)
            or (isinstance(r, Promotion) and r.fund is None)
            for r in rules.rules
        )
        and not any(_uses_segments(r.scope) for r in rules.rules)
    )
    if not supported:
        _PLANS.pop(id(rules), None)
        _UNPLANNED[id(rules)] = (rules, settings)
        return None
    plan = SetPlan(
        rules,
        settings,
        tuple(r for r in rules.rules if isinstance(r, Earning)),
        tuple(
            sorted(
                (r for r in rules.rules if isinstance(r, Promotion)),
                key=lambda r: r.order,
            )
        ),
    )
    _PLANS[id(rules)] = plan
    return plan


def lean_claim(
    row: tuple[str, str, str | None, str, str | None, str | None],
    client: str,
    settings: AwardSettings,
) -> LeanClaim | None:
    """A stored claim row (`claimflow.store.awards.LeanRow`) as the rules
    read it, or None when it is not a sales claim or a value is not in the
    form this release stores (the engine then reads the whole claim).

    Example: ``lean_claim(("c1", "sales", "104", "2026-10-02T09:00:00+00:00",
    "2026-10-01", "[]"), "acme-tools", settings).activity == date(2026, 10, 1)``
    """
    claim_id, kind, who, received, day, lines = row
    if kind != "sales":
        return None
    try:
        if settings.activity_date == "received_at":
            activity: date | None = settings.day_of(datetime.fromisoformat(received))
        else:
            activity = _day(day)
    except ValueError:
        return None
    return LeanClaim(claim_id, client, who, received, activity, lines or "[]")


@lru_cache(maxsize=4096)
def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def compute_lean(
    claim: LeanClaim,
    plan: SetPlan,
    used: dict[tuple[str, str], int],
    budget_used: int,
) -> tuple[LeanAward, int]:
    """One claim's award under a lean plan, counted into `used`.

    Returns:
        The award and the budget used after it.

    Raises:
        ValueError, TypeError: the claim's lines are not in the compact form
            (the engine then computes it).
    """
    assert claim.activity is not None
    rules, day, settings = plan.rules, claim.activity, plan.settings
    body, desired = plan.before_caps(day, claim.lines)
    who = claim.participant_id or ""
    points = desired
    caps = rules.caps
    if caps.per_claim is not None or caps.per_participant is not None or caps.fund:
        cuts = [
            _Line("cap", "cap", ZERO, note, code=code, points=cut)
            for code, note, cut in cap_cuts(
                rules, day, who, desired, CapState(used, budget_used), 0,
                settings.locale,
            )  # fmt: skip
        ]
        if cuts:
            points += sum(ln.points for ln in cuts)
            cut = (_line_json(ln, rules.version) for ln in cuts)
            body = ",".join([body, *cut] if body else cut)
        cap = caps.per_participant
        if cap is not None:
            key = (who, period_key(day, cap.period))
            used[key] = used.get(key, 0) + points
    note = None
    if settings.activity_date == "received_at":
        keyed = datetime.fromisoformat(claim.received_at)
        note = received_note(keyed, settings, ["activity"])
    data = (
        f'{{"claim_id":{_text(claim.id)},"client":{_text(claim.client)},'
        f'"participant_id":{_text(who)},"version":{_text(rules.version)},'
        f'"activity_date":"{day.isoformat()}",'
        f'"currency":{_text(settings.currency)},"desired_points":{desired},'
        f'"points":{points},"lines":[{body}],"day_note":{_text(note)}}}'
    )
    award = LeanAward(
        claim.id, claim.client, who, rules.version, day, points, desired, data
    )
    return award, budget_used + points


def _units(lines: str, locale: str) -> list[_Unit]:
    units = []
    for sku, quantity, price, total in json.loads(lines):
        if sku is not None and not isinstance(sku, str):
            raise TypeError(sku)
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int)
        ):
            raise TypeError(quantity)
        count = quantity or 0
        amount = _amount(total)
        unit_price = _amount(price)
        if amount is None and unit_price is not None:
            amount = unit_price * count
        if count < 0 or amount is None or amount < 0:
            # The engine refuses it (``negative_amount``), naming the line, or
            # holds it where a rule per amount meets a line with none
            raise ValueError(amount)
        units.append((amount, count, units_label(count, sku, locale), sku))
    return units


def _amount(value: object) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(value)
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(value)
    return amount


def _before_caps(
    plan: SetPlan, running: _Promos, units: list[_Unit]
) -> tuple[str, int]:
    lines = _eligibility(units, plan.rules, plan.settings.locale, plan.settings.currency)
    if lines is None:
        base = _base(plan, units)
        lines = [*base, *_promotions(plan, running, units, base)]
    lines = _rounded(lines, plan.settings)
    body = ",".join(_line_json(ln, plan.rules.version) for ln in lines)
    return body, sum(ln.points for ln in lines)


def _eligibility(
    units: list[_Unit], rules: RuleSet, locale: str, currency: str
) -> list[_Line] | None:
    minimum = rules.minimum
    if minimum.spend is None and minimum.quantity is None:
        return None
    spend = sum((u[0] for u in units), ZERO) * _ONE
    quantity = sum(u[1] for u in units)
    if (minimum.spend is not None and spend < minimum.spend) or (
        minimum.quantity is not None and quantity < minimum.quantity
    ):
        return [
            _Line(
                "eligibility",
                "eligibility",
                ZERO,
                below_minimum_note(spend, quantity, locale, currency),
                code=ReasonCode.BELOW_MINIMUM,
            )
        ]
    return None


def _base(plan: SetPlan, units: list[_Unit]) -> list[_Line]:
    matched = [plan.matches(u[3])[0] for u in units]
    lines: list[_Line] = []
    for r, rule in enumerate(plan.earning):
        if isinstance(rule, PerClaim):
            if any(m[r] for m in matched):
                lines.append(
                    _Line(
                        rule.id, rule.kind, rule.points,
                        per_claim_note(rule.points, plan.settings.locale),
                    )  # fmt: skip
                )
            continue
        for n, (amount, quantity, label, _) in enumerate(units, start=1):
            if not matched[n - 1][r]:
                continue
            if isinstance(rule, PerUnit):
                lines.append(
                    _Line(
                        rule.id,
                        rule.kind,
                        rule.points * quantity,
                        per_unit_note(label, rule.points, plan.settings.locale),
                        basis=Decimal(quantity),
                        rate=rule.points,
                        unit=n,
                    )
                )
                continue
            base = (amount - ZERO) * _ONE  # `_units` sent negatives on
            desired, how = per_currency_points(
                rule, base, plan.settings.locale, plan.settings.currency
            )
            lines.append(
                _Line(
                    rule.id,
                    rule.kind,
                    desired,
                    f"{label}: {how}",
                    basis=base,
                    rate=rule.points / rule.per,
                    unit=n,
                )
            )
    return lines


def _promotions(
    plan: SetPlan, running: _Promos, units: list[_Unit], base: list[_Line]
) -> list[_Line]:
    applicable: list[tuple[str, _Line]] = []
    matched = [plan.matches(u[3])[1] for u in units]
    for p, promo in enumerate(plan.promotions):
        if not running[p]:
            continue
        in_scope = {n for n, m in enumerate(matched, start=1) if m[p]}
        if not in_scope:
            continue
        if promo.multiplier is not None:
            scoped = sum((ln.desired for ln in base if ln.unit in in_scope), ZERO)
            desired = scoped * (promo.multiplier - 1)
        else:
            scoped, desired = ZERO, promo.bonus or ZERO
        policy = promo.stacking or plan.rules.stacking or "stack"
        line = _Line(
            promo.id,
            promo.kind,
            desired,
            promotion_note(promo, scoped, desired, plan.settings.locale),
            multiplier=promo.multiplier,
        )
        applicable.append((policy, line))
    exclusive = [ln for policy, ln in applicable if policy == "exclusive"]
    if exclusive:
        return exclusive[:1]
    chosen = [ln for policy, ln in applicable if policy == "stack"]
    best = [ln for policy, ln in applicable if policy == "best_of"]
    if best:
        chosen.append(max(best, key=lambda ln: ln.desired))
    return chosen


def _rounded(lines: list[_Line], settings: AwardSettings) -> list[_Line]:
    mode = settings.rounding_mode
    if settings.rounding_scope == "line":
        for ln in lines:
            ln.points = round_points(ln.desired, mode)
        return lines
    for ln in lines:
        ln.points = int(ln.desired)
    total = sum((ln.desired for ln in lines), ZERO)
    rounded = round_points(total, mode)
    delta = rounded - sum(ln.points for ln in lines)
    if delta:
        lines.append(
            _Line(
                "rounding",
                "rounding",
                ZERO,
                rounding_note(total, rounded, mode, settings.locale),
                points=delta,
            )
        )
    return lines


def _text(value: str | None) -> str:
    # what json.dumps(value, ensure_ascii=False) writes, without its set-up
    return "null" if value is None else _encode(value)


_encode: Callable[[str], str] = json.encoder.encode_basestring


def _number(value: Decimal | None) -> str:
    return "null" if value is None else f'"{value}"'


def _line_json(ln: _Line, version: str) -> str:
    return (
        f'{{"rule_id":{_text(ln.rule_id)},"kind":{_text(ln.kind)},'
        f'"version":{_text(version)},"basis":{_number(ln.basis)},'
        f'"rate":{_number(ln.rate)},"multiplier":{_number(ln.multiplier)},'
        f'"desired":"{ln.desired}","points":{ln.points},'
        f'"code":{_text(ln.code.value if ln.code else None)},"conversion":null,'
        f'"note":{_text(ln.note)}}}'
    )
