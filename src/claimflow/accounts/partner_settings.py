"""A client's ``partners`` section: what a points-to-miles transfer earns.

Each partner (an airline's frequent-flyer programme, say) is keyed by a
short name and says how many of the client's points buy one mile (an exact
fraction: ``"5/2"`` or ``2.5``), the bonus per complete block of points
(5,000 miles per 60,000 points), the least transfer, how the partner's
member numbers look (a regex), the rounding of the miles, and how many days
the partner takes to credit them. `PartnerSettings.miles` is the one place
a transfer's miles are computed, so the transfer and the reconciliation
always agree on the figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from claimflow.patterns import BoundedPattern
from claimflow.schema_docs import describe_fields

#: How fractional miles become whole ones (the award engine's names).
MilesRounding = Literal["floor", "half_up", "half_even"]
#: A partner key: short, lower case (``vuelaclub``).
PartnerKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
#: The largest numerator or denominator of a ratio (``"5/2"``, ``2.5``).
_RATIO_DIGITS = 10**9


def _exact(value: Any) -> Fraction:
    """A ratio as written: ``"5/2"``, ``"2.5"``, ``3``; YAML reads ``2.5`` as
    a float, whose digits are taken, never its binary expansion."""
    expected = f"expected points per mile such as 5/2 or 2.5, found {value!r}"
    if isinstance(value, bool) or not isinstance(value, str | int | float | Fraction):
        raise ValueError(expected)
    try:
        return Fraction(repr(value) if isinstance(value, float) else value)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(expected) from None


Ratio = Annotated[Fraction, BeforeValidator(_exact)]


class PartnerBonus(BaseModel):
    """Bonus miles per complete block of points transferred at once.

    Attributes:
        miles: the bonus miles per block.
        per_points: the block, in points (only complete blocks count).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    miles: int = Field(gt=0)
    per_points: int = Field(gt=0)


@dataclass(frozen=True)
class Miles:
    """The miles a transfer earns, and how.

    Attributes:
        base: points / points_per_mile, rounded by the partner's rule.
        bonus: bonus miles (complete blocks x bonus miles).
        total: base + bonus: what the partner must credit.
    """

    base: int
    bonus: int

    @property
    def total(self) -> int:
        """What the partner must credit."""
        return self.base + self.bonus


class PartnerSettings(BaseModel):
    """One partner a client's participants can transfer points to.

    Attributes:
        name: the partner's name for people.
        points_per_mile: how many points buy one mile, exactly (``"5/2"``,
            ``2.5``, ``3``).
        bonus: bonus miles per complete block of points, or none.
        minimum_points: the least points one transfer may move.
        member_number: regex the partner's whole member number must match.
        rounding: how fractional miles become whole: ``floor`` (default: a
            partner never credits part of a mile), ``half_up`` or
            ``half_even``.
        credit_days: days the partner takes to credit a transfer: a transfer
            younger than this at the statement's last day is not yet missing.
        statement_columns: statement field -> extra header aliases
            (fields: reference, member_number, points, miles, credited_on).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    name: str = Field(min_length=1)
    points_per_mile: Ratio
    bonus: PartnerBonus | None = None
    minimum_points: int = Field(default=1, ge=1)
    member_number: str
    rounding: MilesRounding = "floor"
    credit_days: int = Field(default=7, ge=0, le=366)
    statement_columns: dict[
        Literal["reference", "member_number", "points", "miles", "credited_on"],
        list[str],
    ] = Field(default_factory=dict)

    @field_validator("points_per_mile")
    @classmethod
    def _positive(cls, value: Fraction) -> Fraction:
        if value <= 0:
            raise ValueError(f"expected more than 0 points per mile, found {value}")
        if max(value.numerator, value.denominator) > _RATIO_DIGITS:
            raise ValueError(
                f"expected a plain ratio such as 5/2, found {value} (too many digits)"
            )
        return value

    @field_validator("member_number")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            BoundedPattern(value, "member_number")
        except Exception as exc:  # re.error, or the pattern parser's own
            raise ValueError(f"not a valid regex: {exc}") from None
        return value

    def member_pattern(self, key: str) -> BoundedPattern:
        """The member-number regex, run with a time bound (`BoundedPattern`)."""
        return BoundedPattern(self.member_number, f"partners.{key}.member_number")

    def miles(self, points: int) -> Miles:
        """The miles `points` earn: base miles rounded by `rounding`, plus the
        bonus for each complete block.

        Example: with ``points_per_mile: 5/2`` and 5,000 bonus miles per
        60,000 points, ``miles(60_000).total == 24_000 + 5_000``.
        """
        exact = Fraction(points) / self.points_per_mile
        if self.rounding == "floor":
            base = math.floor(exact)
        elif self.rounding == "half_up":
            base = math.floor(exact + Fraction(1, 2))
        else:
            base = round(exact)  # Fraction rounds half to even, exactly
        bonus = 0
        if self.bonus is not None:
            bonus = points // self.bonus.per_points * self.bonus.miles
        return Miles(base, bonus)


def check_member_number(partner: PartnerSettings, key: str, member: str) -> str | None:
    """Why a member number is not in the partner's format, or None when it is.

    Example: ``check_member_number(partner, "vuelaclub", "VC12345678") is None``
    """
    if partner.member_pattern(key).fullmatch(member):
        return None
    return (
        f"member number {member!r}: expected the {key} format "
        f"{partner.member_number}, found something else"
    )


#: A client's partners by key (the ``partners:`` section).
Partners = dict[PartnerKey, PartnerSettings]
