"""SLA and QA: business calendars, turnaround, error rates, statistics.

Contract: every figure is derived from the store's event history
(``claim_events``: received, first_response, pended, resubmitted, decided)
and entry checks (``entry_checks``), with the client's `SlaTerms` and
`BusinessCalendar`; nothing is stored that a change of calendar or terms
would have to correct. `claimflow.sla.metrics` computes per-claim facts and
grouped figures, `claimflow.sla.quality` the error-rate statistics,
`claimflow.sla.queue` the work queue.

This ``__init__`` imports only what client configuration needs.
"""

from claimflow.sla.calendar import BusinessCalendar, CalendarSettings
from claimflow.sla.terms import SlaTerms

__all__ = ["BusinessCalendar", "CalendarSettings", "SlaTerms"]
