"""SLA and QA: business calendars, turnaround, error rates, statistics.

Contract: every figure is derived from the store's event history
(``claim_events``: received, first_response, pended, resubmitted, decided)
and entry checks (``entry_checks``), with the client's `SlaTerms` and
`BusinessCalendar`; nothing is stored that a change of calendar or terms
would have to correct. `claimflow.sla.metrics` computes per-claim facts and
grouped figures, `claimflow.sla.quality` the error-rate statistics,
`claimflow.sla.queue` the work queue.

This ``__init__`` imports nothing until its names are used (PEP 562): the
CLI reads `claimflow.sla.events.EVENTS` at start-up, and the calendar needs
numpy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.sla.calendar import BusinessCalendar, CalendarSettings
    from claimflow.sla.terms import SlaTerms

__all__ = ["BusinessCalendar", "CalendarSettings", "SlaTerms"]


_HOMES = {
    "BusinessCalendar": "calendar",
    "CalendarSettings": "calendar",
    "SlaTerms": "terms",
}


def _public(name: str) -> object:
    """``BusinessCalendar``, ``CalendarSettings`` or ``SlaTerms``, on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'claimflow.sla' has no attribute {name!r}")
    value: object = getattr(import_module(f"claimflow.sla.{_HOMES[name]}"), name)
    return value


# Hidden from type checkers, which see the imports above (see claimflow/__init__).
if not TYPE_CHECKING:
    __getattr__ = _public
