"""A client's SLA terms (the ``sla`` section of its configuration)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimflow.schema_docs import describe_fields


class SlaTerms(BaseModel):
    """Service levels agreed with a client.

    Attributes:
        turnaround_days: business days from received to decided.
        first_response_hours: business hours from received to first response.
        on_time_target: share of claims decided on time (0-1).
        max_error_rate: data-entry errors allowed, as a share of the unit.
        error_unit: ``field`` (errors per applicable field) or ``record``.
        max_escalation_share: share of claims that may be escalated (0-1).
        pause_when_pended: the clock stops while the participant owes us
            something and restarts when they resubmit.
        at_risk_hours: an open claim due within this many business hours is
            at risk.
        handling_hours: business hours one claim takes to work; an open
            claim with less time left than this breaches even if worked now.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    turnaround_days: int = Field(default=7, ge=1)
    first_response_hours: float = Field(default=8, gt=0)
    on_time_target: float = Field(default=0.85, gt=0, le=1)
    max_error_rate: float = Field(default=0.005, gt=0, lt=1)
    error_unit: Literal["field", "record"] = "field"
    max_escalation_share: float = Field(default=0.2, ge=0, le=1)
    pause_when_pended: bool = True
    at_risk_hours: float = Field(default=8, gt=0)
    handling_hours: float = Field(default=0.5, ge=0)
