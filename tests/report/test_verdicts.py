"""The SLA verdict sentences, from summarize totals worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from claimflow.report.verdicts import first_response_verdict, turnaround_verdict
from claimflow.sla.terms import SlaTerms

TERMS = SlaTerms(on_time_target=0.7, first_response_hours=8)


@pytest.mark.parametrize(
    ("decided", "on_time", "breached_open", "verdict"),
    [
        (3, 3, 0, "On time: 100.0% of 3 decided claims (target 70%): met."),
        (10, 6, 0, "On time: 60.0% of 10 decided claims (target 70%): missed."),
        # 3 / (3 + 1) = 75%: still above 70%
        (
            3, 3, 1,
            "On time: 100.0% of 3 decided claims (target 70%), but 1 open claim "
            "is already past the due date: at most 75.0% once decided: met so far.",
        ),
        # 3 / (3 + 2) = 60%: below 70% whatever is decided next
        (
            3, 3, 2,
            "On time: 100.0% of 3 decided claims (target 70%), but 2 open claims "
            "are already past the due date: at most 60.0% once decided: missed.",
        ),
        (0, 0, 0, "On time: no claim received in the period is decided yet."),
        (
            0, 0, 1,
            "On time: no claim received in the period is decided yet (target 70%), "
            "but 1 open claim is already past the due date: at most 0.0% once "
            "decided: missed.",
        ),
    ],
)  # fmt: skip
def test_turnaround_verdict(
    decided: int, on_time: int, breached_open: int, verdict: str
) -> None:
    total = pd.Series({"decided": decided, "on_time": on_time})
    assert turnaround_verdict(total, TERMS, breached_open) == verdict


@pytest.mark.parametrize(
    ("answered", "within", "verdict"),
    [
        (5, 4, "80.0% of 5 answered claims (target 70%): met."),
        (3, 2, "66.7% of 3 answered claims (target 70%): missed."),
        (1, 1, "100.0% of 1 answered claim (target 70%): met."),
        (0, 0, "no claim received in the period is answered yet."),
    ],
)
def test_first_response_verdict(answered: int, within: int, verdict: str) -> None:
    total = pd.Series({"answered": answered, "first_response_in_target": within})
    assert first_response_verdict(total, TERMS) == (
        "First response within 8 business hours: " + verdict
    )
