"""A client's ``accounts`` section: point value, approval limits, case SLA terms.

Example (YAML)::

    accounts:
      point_value: "0.01"          # what one point costs, in `currency`
      approval_limits: {clerk: 2500, supervisor: null}   # null: no limit
      operators: {ann: clerk, sam: supervisor}
      cases:
        complaint: {first_response_hours: 4, follow_up_every_hours: 8,
                    min_follow_ups: 2, resolution_days: 5}
      merged_claims: credit_survivor   # or pend
      tiers: [silver, gold, platinum]  # lowest first
      tier_on_merge: higher            # or survivor
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from claimflow.money import minor_unit
from claimflow.schema_docs import describe_fields

#: The case types a desk opens (`claimflow.accounts.cases`).
CaseType = Literal[
    "inquiry",
    "complaint",
    "retro_claim",
    "status_question",
    "rate_discrepancy",
    "partner_discrepancy",
]
CASE_TYPES: tuple[str, ...] = get_args(CaseType)
#: What the award run does with a claim keyed under a merged number.
MergedClaims = Literal["credit_survivor", "pend"]
#: Whose tier history the survivor of a merge holds.
TierOnMerge = Literal["higher", "survivor"]


class _Section(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )


class CaseTerms(_Section):
    """The service levels of one case type, counted in the client's calendar.

    Attributes:
        first_response_hours: business hours from opening to the first
            contact with the member.
        follow_up_every_hours: at most this many business hours between
            one contact and the next, and from the last one to closing
            (None: no cadence).
        min_follow_ups: contacts after the first one needed before closing.
        resolution_days: business days from opening to closing (the closing
            day on or before the due date, as claim turnaround counts).
    """

    first_response_hours: float = Field(gt=0)
    follow_up_every_hours: float | None = Field(default=None, gt=0)
    min_follow_ups: int = Field(default=0, ge=0)
    resolution_days: int = Field(gt=0)


class AccountSettings(_Section):
    """Member account services settings.

    Attributes:
        point_value: the money one point costs the program, in the client's
            currency; a posting's cost is points x value rounded half up
            to the cent.
        approval_limits: role -> the most points (either sign) that role
            may post on its own say (null: no limit).
        operators: operator name -> role; an operator not listed has a
            limit of 0 (every adjustment waits for approval) and cannot
            approve.
        cases: case type -> its SLA terms (a type not listed has none:
            its cases count as resolved within SLA once closed).
        merged_claims: what the award run does with a claim keyed under a
            participant number merged into another account:
            ``credit_survivor`` (the default: the reviewer found the two
            numbers one member, so the points are theirs; the claim is
            filed under the survivor and its award explanation names the
            merge) or ``pend`` (the claim is pended with reason
            ``merged_participant`` until the member sends it again under
            the surviving number).
        tiers: the program's status tiers, lowest first (``[plata, oro,
            platino]``), which ``tier_on_merge: higher`` ranks by.
        tier_on_merge: the survivor's tier history after a merge:
            ``higher`` (the default: on each day the survivor holds the
            higher of its own tier and the merged account's, so neither
            history is lost and a member is never demoted by a merge; a
            tier against none is the higher; two different tiers not both
            in `tiers` refuse the merge for a person to settle) or
            ``survivor`` (the survivor's own history stands).
    """

    point_value: Decimal = Field(gt=0)
    approval_limits: dict[str, int | None] = Field(default_factory=dict)
    operators: dict[str, str] = Field(default_factory=dict)
    cases: dict[CaseType, CaseTerms] = Field(default_factory=dict)
    merged_claims: MergedClaims = "credit_survivor"
    tiers: list[str] = Field(default_factory=list)
    tier_on_merge: TierOnMerge = "higher"

    def limit_of(self, operator: str) -> int | None:
        """An operator's approval limit in points: 0 when not listed, None
        for no limit.

        Example: ``settings.limit_of("ann") == 2500``
        """
        role = self.operators.get(operator)
        if role is None:
            return 0
        return self.approval_limits.get(role, 0)

    def terms_for(self, case_type: str) -> CaseTerms | None:
        """The SLA terms of a case type, if the client set any.

        Example: ``settings.terms_for("complaint").resolution_days``
        """
        return next((t for k, t in self.cases.items() if k == case_type), None)

    def cost(self, points: int, currency: str) -> Decimal:
        """What `points` cost at the point value, rounded half up to the
        currency's minor unit (the cent; the whole yen: trial 22 kept a
        ¥500.50 cost).

        Example: ``AccountSettings(point_value=Decimal("0.0125")).cost(333, "EUR")
        == Decimal("4.16")``
        """
        return (points * self.point_value).quantize(
            minor_unit(currency), rounding=ROUND_HALF_UP
        )
