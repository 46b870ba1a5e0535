"""The SLA verdict sentences of the reports: each target judged, in one place.

Inputs: a `claimflow.sla.metrics.summarize` total row and the client's
`SlaTerms`; output: the sentence the reader meets
first. Two targets are judged alike, the turnaround (on-time share of the
decided claims) and the first response (share of the answered claims
answered within the terms' business hours), both against the terms'
``on_time_target``.
"""

from __future__ import annotations

import pandas as pd

from claimflow.sla.terms import SlaTerms


def _claims(n: int, what: str) -> str:
    return f"{n:,} {what} claim" + ("" if n == 1 else "s")


def turnaround_verdict(total: pd.Series, terms: SlaTerms) -> str:
    """``On time: 90.0% of 10 decided claims (target 90%): met.``

    Example: ``turnaround_verdict(summarize(facts).iloc[-1], terms)``
    """
    target = terms.on_time_target
    decided, on_time = int(total["decided"]), int(total["on_time"])
    if not decided:
        return "On time: no claim received in the period is decided yet."
    share = on_time / decided
    return (
        f"On time: {share:.1%} of {_claims(decided, 'decided')} "
        f"(target {target:.0%}): {'met' if share >= target else 'missed'}."
    )


def first_response_verdict(total: pd.Series, terms: SlaTerms) -> str:
    """``First response within 8 business hours: 80.0% of 5 answered claims
    (target 90%): missed.``

    Example: ``first_response_verdict(summarize(facts).iloc[-1], terms)``
    """
    hours, target = terms.first_response_hours, terms.on_time_target
    answered = int(total["answered"])
    head = f"First response within {hours:g} business hours"
    if not answered:
        return f"{head}: no claim received in the period is answered yet."
    share = int(total["first_response_in_target"]) / answered
    return (
        f"{head}: {share:.1%} of {_claims(answered, 'answered')} "
        f"(target {target:.0%}): {'met' if share >= target else 'missed'}."
    )


def sla_verdict(total: pd.Series, terms: SlaTerms) -> str:
    """The turnaround and first-response verdicts, in one line.

    Example: ``sla_verdict(summarize(facts).iloc[-1], client.config.sla)``
    """
    return turnaround_verdict(total, terms) + " " + first_response_verdict(total, terms)
