"""The SLA verdict sentences of the reports: each target judged, in one place.

Inputs: a `claimflow.sla.metrics.summarize` total row, the period's claim
facts and the client's `SlaTerms`; output: the sentence the reader meets
first. Two targets are judged alike, the turnaround (on-time share of the
decided claims) and the first response (share of the answered claims
answered within the terms' business hours), both against the terms'
``on_time_target``. An open claim already past its due date will be decided
late whatever happens: the verdict names it and judges the best share the
period can still reach (trial 21: "100.0% of 3 decided claims: met" beside
a breach still open).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from claimflow.shown import number, percent
from claimflow.sla.terms import SlaTerms


def _claims(n: int, what: str, locale: str) -> str:
    return f"{number(n, locale)} {what} claim" + ("" if n == 1 else "s")


def plain(value: float, locale: str) -> str:
    """A term's figure as written (``8``, ``8,5`` in de_DE: no padded zeros).

    Example: ``plain(8.5, "de_DE") == "8,5"``
    """
    return number(Decimal(f"{value:g}"), locale)


def open_breaches(facts: pd.DataFrame) -> int:
    """Claims still open past their due date (waiting ones aside: paused).

    Example: ``open_breaches(claim_facts(store, client, window, now))``
    """
    if facts.empty:
        return 0
    return int(((facts["status"] == "open") & facts["breached"]).sum())


def turnaround_verdict(
    total: pd.Series, terms: SlaTerms, breached_open: int, locale: str = "en_US"
) -> str:
    """``On time: 90.0% of 10 decided claims (target 90%): met.``, naming
    the open claims already past their due date and the best share the
    period can still reach with them (each will be decided late).

    Example: ``turnaround_verdict(summarize(facts).iloc[-1], terms, 1)``
    """
    target = percent(terms.on_time_target, locale, 0)
    decided, on_time = int(total["decided"]), int(total["on_time"])
    head = (
        f"On time: {percent(on_time / decided, locale)} of "
        f"{_claims(decided, 'decided', locale)}"
        if decided
        else "On time: no claim received in the period is decided yet"
    )
    if breached_open:
        # decided late whatever happens: the share can only fall to `best`
        best = on_time / (decided + breached_open)
        late = _claims(breached_open, "open", locale)
        late += " is" if breached_open == 1 else " are"
        judged = "met so far" if best >= terms.on_time_target else "missed"
        return (
            f"{head} (target {target}), but {late} already past the due date: "
            f"at most {percent(best, locale)} once decided: {judged}."
        )
    if not decided:
        return head + "."
    met = on_time / decided >= terms.on_time_target
    return f"{head} (target {target}): {'met' if met else 'missed'}."


def first_response_verdict(
    total: pd.Series, terms: SlaTerms, locale: str = "en_US"
) -> str:
    """``First response within 8 business hours: 80.0% of 5 answered claims
    (target 90%): missed.``

    Example: ``first_response_verdict(summarize(facts).iloc[-1], terms)``
    """
    hours, target = plain(terms.first_response_hours, locale), terms.on_time_target
    answered = int(total["answered"])
    overdue = int(total.get("unanswered_past_target", 0))
    head = f"First response within {hours} business hours"
    if not answered and not overdue:
        return f"{head}: no claim received in the period is answered yet."
    # a claim not answered yet but already past the target has missed it:
    # it counts, as an open breach counts against the turnaround
    share = int(total["first_response_in_target"]) / (answered + overdue)
    counted = (
        f"{_claims(answered + overdue, 'due', locale)} ({number(answered, locale)} "
        f"answered, {number(overdue, locale)} not answered and already past it)"
        if overdue
        else _claims(answered, "answered", locale)
    )
    return (
        f"{head}: {percent(share, locale)} of {counted} "
        f"(target {percent(target, locale, 0)}): "
        f"{'met' if share >= target else 'missed'}."
    )


def sla_verdict(
    total: pd.Series, facts: pd.DataFrame, terms: SlaTerms, locale: str = "en_US"
) -> str:
    """The turnaround and first-response verdicts, in one line, their
    figures in the client's `locale`.

    Example: ``sla_verdict(summarize(facts).iloc[-1], facts, terms, "de_DE")``
    """
    turnaround = turnaround_verdict(total, terms, open_breaches(facts), locale)
    return turnaround + " " + first_response_verdict(total, terms, locale)
