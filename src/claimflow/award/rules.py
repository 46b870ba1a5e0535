"""Award rules as written in a client's file: named, parameterised, versioned.

Each rule kind is a pydantic model told apart by its ``kind`` (a
discriminated union: no ``eval``, no code in configuration); the engine
registers one evaluator per kind. A client's ``award``
section holds one or more `RuleSet`s, each with a ``version`` and an
``effective_from`` (and optional ``effective_to``); the set that applies to a
claim is chosen by the claim's *activity* date, never by the processing date.

Evaluation order is fixed: earning rules (per currency, per unit, per claim,
quantity tiers) make the *base*; tier bonuses are a percentage of the base;
promotions run in their declared ``order`` on the base; then minimums, caps
and rounding.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from claimflow.schema_docs import describe_fields
from claimflow.window import desk_day

RoundingMode = Literal["floor", "half_up", "half_even"]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )


_FACTS = ("skus", "groups", "brands", "hotels", "regions", "segments")


class Scope(_Model):
    """What a rule applies to; an empty list means "any".

    Attributes:
        skus, groups, brands, hotels, regions, segments: include lists.
        exclude: a scope whose matches are left out.
    """

    skus: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    hotels: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    exclude: Scope | None = None
    _sets: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        """Fold the include lists once: `matches` runs per claim line."""
        for name in _FACTS:
            values: list[str] = getattr(self, name)
            if values:
                self._sets[name] = frozenset(v.upper() for v in values)

    def matches(self, facts: dict[str, str | None]) -> bool:
        """True when every non-empty list holds the fact of that name."""
        # The private dict directly: `self._sets` goes through pydantic's
        # __getattr__, which cost 15% of an award run.
        private = self.__pydantic_private__
        for name, allowed in (private["_sets"] if private else {}).items():
            if (facts.get(name) or "").upper() not in allowed:
                return False
        return not (self.exclude is not None and self.exclude.matches(facts))

    def overlaps(self, other: Scope) -> bool:
        """Whether some claim could match both scopes (conservative)."""
        for name in ("skus", "groups", "brands", "hotels", "regions", "segments"):
            mine: list[str] = getattr(self, name)
            theirs: list[str] = getattr(other, name)
            if (
                mine
                and theirs
                and not {m.upper() for m in mine} & {t.upper() for t in theirs}
            ):
                return False
        return True


class _Rule(_Model):
    """What every rule has.

    Attributes:
        id: the rule's name, shown on every award line it makes.
        scope: the SKUs, groups, brands, hotels... it applies to (any, empty).
        description: a note for people reading the file.
        kind: which rule this is (``per_currency``, ``per_unit``, ...).
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    scope: Scope = Field(default_factory=Scope)
    description: str | None = None


class PerCurrency(_Rule):
    """``points`` per ``per`` units of qualifying amount.

    Attributes:
        points: points earned per ``per`` units (``12.5`` per ``10``).
        per: the amount unit (``1``: per dollar; ``10``: per 10 euros).
        basis: ``pro_rata`` (199.99 x 1.25) or ``bracket`` (whole units of
            ``per`` only: 19 x 12.5), counted per line, each line's amount
            on its own (``rounding_scope`` rounds pro rata fractions, not
            brackets).
        exclude: amount components left out of the base (``taxes``,
            ``fees``, ``incidentals``).
    """

    kind: Literal["per_currency"] = "per_currency"
    points: Decimal = Field(gt=0)
    per: Decimal = Field(default=Decimal(1), gt=0)
    basis: Literal["pro_rata", "bracket"]
    exclude: list[Literal["taxes", "fees", "incidentals"]] = Field(default_factory=list)


Counted = Literal["units", "nights"]


class PerUnit(_Rule):
    """Fixed points per unit sold of the SKUs or product groups in scope, or
    per stay; with ``unit: nights``, per night of a stay (stay programs).

    Attributes:
        points: points per unit (or stay, or night).
        unit: ``units`` (units sold, or stays) or ``nights``.
    """

    kind: Literal["per_unit"] = "per_unit"
    points: Decimal = Field(gt=0)
    unit: Counted = "units"


class PerClaim(_Rule):
    """Fixed points per claim in scope.

    Attributes:
        points: points per claim.
    """

    kind: Literal["per_claim"] = "per_claim"
    points: Decimal = Field(gt=0)


class Tier(_Model):
    """From this unit on (1-based), each unit earns ``points``.

    Attributes:
        start: the first unit of the tier (written ``from``).
        points: points per unit from there on.
    """

    start: int = Field(alias="from", ge=1)
    points: Decimal = Field(ge=0)


Period = Literal["month", "quarter", "year"]


class QuantityTiers(_Rule):
    """Points by the number of units counted.

    Attributes:
        mode: ``marginal`` (units 1-9 at 100, units 10+ at 150) or ``whole``
            (every unit at the tier the count reaches).
        tiers: ascending by ``from``; the first starts at 1.
        count: what the units are counted over: ``line`` (each claim line
            alone), ``claim`` (the claim's units in scope, all lines), or
            ``participant`` (the participant's units in scope in the
            calendar ``period``, this claim's included; units of earlier
            claims are counted first and are not re-priced).
        period: with ``count: participant``, the calendar period.
        unit: ``units`` (units sold, or stays) or ``nights`` (nights of
            stays: status-qualifying nights in a period with
            ``count: participant``).
    """

    kind: Literal["quantity_tiers"] = "quantity_tiers"
    mode: Literal["marginal", "whole"]
    tiers: list[Tier] = Field(min_length=1)
    count: Literal["line", "claim", "participant"] = "line"
    period: Period | None = None
    unit: Counted = "units"

    @model_validator(mode="after")
    def _ascending(self) -> QuantityTiers:
        starts = [t.start for t in self.tiers]
        if starts[0] != 1 or starts != sorted(set(starts)):
            raise ValueError("tiers must start at from: 1 and ascend without repeats")
        if (self.count == "participant") != (self.period is not None):
            raise ValueError("period is required by count: participant, and only by it")
        return self


class TierBonus(_Rule):
    """A percentage of the base points by the participant's status tier.

    Attributes:
        percent: tier name -> percent of the base points (``gold: 25``), by
            the tier held on the activity date.
    """

    kind: Literal["tier_bonus"] = "tier_bonus"
    percent: dict[str, Decimal]

    @model_validator(mode="after")
    def _non_negative(self) -> TierBonus:
        for tier, value in self.percent.items():
            if value < 0:
                raise ValueError(f"percent.{tier}: must be >= 0")
        return self


class Window(_Model):
    """An inclusive date window.

    Attributes:
        start: the first day (written ``from``).
        end: the last day (written ``to``).
    """

    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("to must not be before from")
        return self

    def overlaps(self, other: Window) -> bool:
        """True when the two windows share a day."""
        return self.start <= other.end and other.start <= self.end


class PromotionFund(_Model):
    """A promotion's own fund: at most ``points`` of it paid (per ``period``).

    Attributes:
        points: the fund.
        period: ``month``, ``quarter`` or ``year`` it renews each; none: ever.
    """

    points: int = Field(gt=0)
    period: Period | None = None


class Promotion(_Rule):
    """A multiplier or fixed bonus inside a date window and a scope.

    Attributes:
        window: activity dates the promotion covers.
        multiplier: base points x this (2 = double points), or
        bonus: fixed extra points per claim.
        stacking: ``stack`` (adds to others), ``best_of`` (only the
            largest of the best-of promotions applies) or ``exclusive``
            (applies alone); default: the rule set's ``stacking``.
        order: evaluation position among promotions (lower first).
        fund: the promotion's own fund; only its own points count against it.
    """

    kind: Literal["promotion"] = "promotion"
    window: Window
    multiplier: Decimal | None = Field(default=None, gt=1)
    bonus: Decimal | None = Field(default=None, gt=0)
    stacking: Literal["stack", "best_of", "exclusive"] | None = None
    order: int = 0
    fund: PromotionFund | None = None

    @model_validator(mode="after")
    def _one_effect(self) -> Promotion:
        if (self.multiplier is None) == (self.bonus is None):
            raise ValueError("give exactly one of multiplier or bonus")
        return self


Rule = Annotated[
    PerCurrency | PerUnit | PerClaim | QuantityTiers | TierBonus | Promotion,
    Field(discriminator="kind"),
]


class ParticipantCap(_Model):
    """At most ``points`` per participant per calendar ``period``.

    Attributes:
        period: ``month``, ``quarter`` or ``year``.
        points: the most a participant earns in one period.
    """

    period: Period
    points: int = Field(gt=0)


class Budget(_Model):
    """A fund: at most ``points`` paid from it.

    Attributes:
        points: the fund.
        scope: ``program`` (every award of the client counts) or
            ``rule_set`` (only awards under this rule-set version count).
        period: a calendar period the fund renews each (by activity date);
            none: once, ever.
    """

    points: int = Field(gt=0)
    scope: Literal["program", "rule_set"] = "program"
    period: Period | None = None


class PromotionCap(_Model):
    """Limits on promotion points alone (base points are not cut by it).

    Attributes:
        per_claim: the most promotion points one claim earns.
        per_participant: the most promotion points per participant per period.
    """

    per_claim: int | None = Field(default=None, gt=0)
    per_participant: ParticipantCap | None = None


class Caps(_Model):
    """Limits on what is awarded; a cut is a partial award, never silent.

    Attributes:
        per_claim: the most points one claim earns.
        per_participant: the most points per participant per calendar period.
        budget: a number (the program's fund, ever) or a fund with scope
            and period.
        promotions: limits on promotion points alone.
    """

    per_claim: int | None = Field(default=None, gt=0)
    per_participant: ParticipantCap | None = None
    budget: Annotated[int, Field(gt=0)] | Budget | None = None
    promotions: PromotionCap | None = None

    @property
    def fund(self) -> Budget | None:
        """The budget as a `Budget` (a bare number is the program's, ever)."""
        if isinstance(self.budget, int):
            return Budget(points=self.budget)
        return self.budget


class ReportingThreshold(_Model):
    """Payments a participant may receive in a calendar year (by activity
    date) before a tax form must be on file (the US information-return gate).

    Attributes:
        amount: the value that needs a form when reached (``600``).
        point_value: what one point is worth in the award currency (``0.01``).
    """

    amount: Decimal = Field(gt=0)
    point_value: Decimal = Field(gt=0)


class Minimum(_Model):
    """A claim earns nothing below these.

    Attributes:
        spend: the least qualifying amount.
        quantity: the least number of units.
    """

    spend: Decimal | None = Field(default=None, ge=0)
    quantity: int | None = Field(default=None, ge=1)


class EnrolmentGrace(_Model):
    """Days around the enrolment date in which activity earns anyway.

    Attributes:
        before: an activity up to this many days before the participant's
            enrolment date earns as if enrolled (Marriott Bonvoy credits
            stays up to 30 days before enrolment); 0: from the enrolment
            day on.
    """

    before: int = Field(default=0, ge=0, strict=True)


class Eligibility(_Model):
    """Conditions a claim must meet to earn at all.

    Attributes:
        excluded_channels, excluded_rate_codes: bookings that earn nothing.
        enrolled_before_activity: the participant must be enrolled on the
            activity date (by the enrolment date held on that day).
        enrolment_grace_days: how far before the enrolment date an activity
            still counts as enrolled (``{before: 30}``); needs
            ``enrolled_before_activity``.
    """

    excluded_channels: list[str] = Field(default_factory=list)
    excluded_rate_codes: list[str] = Field(default_factory=list)
    enrolled_before_activity: bool = False
    enrolment_grace_days: EnrolmentGrace = Field(default_factory=EnrolmentGrace)

    @model_validator(mode="after")
    def _grace_needs_enrolment(self) -> Eligibility:
        if self.enrolment_grace_days.before and not self.enrolled_before_activity:
            raise ValueError(
                "enrolment_grace_days applies to enrolled_before_activity, "
                "which is false: set it to true or remove the grace"
            )
        return self


class RuleSet(_Model):
    """One version of a client's earning rules.

    Attributes:
        version: a label recorded on every award and ledger posting.
        effective_from, effective_to: activity dates it governs (inclusive).
        stacking: default stacking policy of its promotions.
        rules: the rules, evaluated in the fixed order above.
        caps, minimum, eligibility: see their models.
    """

    version: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    stacking: Literal["stack", "best_of", "exclusive"] | None = None
    rules: list[Rule] = Field(min_length=1)
    caps: Caps = Field(default_factory=Caps)
    minimum: Minimum = Field(default_factory=Minimum)
    eligibility: Eligibility = Field(default_factory=Eligibility)

    @model_validator(mode="after")
    def _unambiguous(self) -> RuleSet:
        ids = [r.id for r in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(
                f"rule ids must be unique; repeated: {', '.join(repeated)}"
            )
        promos = [(i, r) for i, r in enumerate(self.rules) if isinstance(r, Promotion)]
        for n, (i, a) in enumerate(promos):
            for j, b in promos[n + 1 :]:
                if not (a.window.overlaps(b.window) and a.scope.overlaps(b.scope)):
                    continue
                if (a.stacking or self.stacking) is None or (
                    b.stacking or self.stacking
                ) is None:
                    raise ValueError(
                        f"rules[{i}] and rules[{j}]: promotions {a.id!r} and {b.id!r} "
                        "overlap but no stacking policy is declared"
                    )
                if a.order == b.order:
                    raise ValueError(
                        f"rules[{i}] and rules[{j}]: promotions {a.id!r} and {b.id!r} "
                        "overlap with the same order; give each its own order"
                    )
        return self

    def covers(self, day: date) -> bool:
        """Whether this version governs activity on `day`."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class Rate(_Model):
    """One currency conversion rate, with where it came from.

    Attributes:
        source_currency: the currency converted from (written ``from``).
        target_currency: the currency converted to (written ``to``).
        rate: units of ``to`` per unit of ``from``.
        source: where the rate was published (kept on each award line).
        day: the day the rate holds from (written ``date``).
    """

    source_currency: str = Field(alias="from", pattern=r"^[A-Z]{3}$")
    target_currency: str = Field(alias="to", pattern=r"^[A-Z]{3}$")
    rate: Decimal = Field(gt=0)
    source: str
    day: date = Field(alias="date")


class Expiry(_Model):
    """When points expire: after months without activity, or months after earning.

    Attributes:
        policy: ``none``, ``inactivity`` (all points after ``months`` without
            an award or redemption) or ``fixed`` (each lot ``months`` after
            it was earned).
        months: the months; required by ``inactivity`` and ``fixed``.
    """

    policy: Literal["none", "inactivity", "fixed"] = "none"
    months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _months(self) -> Expiry:
        if (self.policy == "none") != (self.months is None):
            raise ValueError(
                "months is required by inactivity and fixed, and only by them"
            )
        return self


class AwardSettings(_Model):
    """A client's ``award`` section.

    Attributes:
        activity_date: the claim date that picks the rule set and promotions.
        currency: the currency points are earned in.
        rounding_mode: ``floor``, ``half_up`` or ``half_even``.
        rounding_scope: round each ``line`` or the whole ``claim``.
        rates: the currency conversion table.
        rate_date: which day's rate applies (the activity or received day).
        pending_days: days before earned points become available.
        expiry: the expiry policy.
        hotels, products: facts rules scope on (brand, region, group).
        rule_sets: the versions, by effective date.
        reporting_threshold: awards held until a tax form is on file.
        zone: the desk's time zone, which the day of a received time is
            taken in (``activity_date: received_at``, ``rate_date:
            received``); not written in the section: `claimflow.config.resolve`
            sets the client's ``timezone`` (`at_desk`); UTC until then.
        locale: the client's ``locale``, which award lines write their
            figures in (set with the zone by `at_desk`); en_US until then.
    """

    activity_date: Literal["invoice_date", "check_in", "check_out", "received_at"]
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    rounding_mode: RoundingMode = "floor"
    rounding_scope: Literal["line", "claim"] = "claim"
    rates: list[Rate] = Field(default_factory=list)
    rate_date: Literal["activity", "received"] = "activity"
    pending_days: int = Field(default=0, ge=0)
    expiry: Expiry = Field(default_factory=Expiry)
    hotels: dict[str, dict[str, str]] = Field(default_factory=dict)
    products: dict[str, dict[str, str]] = Field(default_factory=dict)
    rule_sets: list[RuleSet] = Field(min_length=1)
    reporting_threshold: ReportingThreshold | None = None
    _zone: tzinfo = PrivateAttr(default=UTC)
    _locale: str = PrivateAttr(default="en_US")

    @model_validator(mode="after")
    def _versions(self) -> AwardSettings:
        versions = [r.version for r in self.rule_sets]
        if len(set(versions)) != len(versions):
            raise ValueError("rule_sets: versions must be unique")
        ordered = sorted(self.rule_sets, key=lambda r: r.effective_from)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.effective_to is None or a.effective_to >= b.effective_from:
                raise ValueError(
                    f"rule_sets: {a.version!r} must end before {b.version!r} starts "
                    f"({b.effective_from}); set its effective_to"
                )
        return self

    def rule_set_for(self, day: date) -> RuleSet | None:
        """The rule set governing activity on `day`, if any."""
        return next((r for r in self.rule_sets if r.covers(day)), None)

    @property
    def zone(self) -> tzinfo:
        """The desk's time zone (see `at_desk`)."""
        return self._zone

    @property
    def locale(self) -> str:
        """The locale award lines write figures in (see `at_desk`)."""
        return self._locale

    def at_desk(self, zone: tzinfo, locale: str | None = None) -> AwardSettings:
        """These settings with the desk's time zone, which received days are
        in, and its locale, which award lines write figures in.

        Example: ``settings.at_desk(ZoneInfo("Europe/Paris"), "fr_FR").zone``
        """
        copy = self.model_copy()
        copy._zone = zone
        copy._locale = locale or self._locale
        return copy

    def day_of(self, moment: datetime) -> date:
        """The desk's calendar day of an instant (`claimflow.window.desk_day`).

        Example: ``settings.day_of(claim.received_at)``
        """
        return desk_day(moment, self._zone)
