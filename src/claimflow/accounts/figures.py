"""Case figures: resolved within SLA, escalation share and cost, repeats.

`case_figures(store, client, start=..., end=..., until=...)` measures the
cases opened in ``[start, end)`` (days in the desk's zone), as they stood
at the instant `until` (cases and events recorded later left out), against
the client's ``accounts.cases`` terms in its business calendar
(`claimflow.sla.calendar`):

- **within SLA** (closed cases only): the first contact within
  ``first_response_hours`` business hours of opening (a case closed with no
  contact: its closing is the first response); from the first contact on,
  at most ``follow_up_every_hours`` business hours between one contact and
  the next and from the last to closing; at least ``min_follow_ups``
  contacts after the first; closed on or before the ``resolution_days``-th
  business day after opening. A type with no terms is within SLA once closed.
- **escalation share**: cases escalated (raised above L1, or opened above
  it) / cases opened, against ``sla.max_escalation_share``.
- **cost**: each posting linked to a case costs points x the point value,
  rounded half up to the currency's minor unit (the cent; the whole yen)
  (a credit costs, a debit gives back); an escalation's cost is its
  case's; the average cost per escalation is their sum / escalated cases,
  rounded half up to the same unit.
- **repeat escalations**: escalated cases whose participant had an earlier
  escalated case (opened before it, in or before the period).

The same figures come by owner (the case's owner now) and by category.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from claimflow.accounts.adjust import account_settings
from claimflow.accounts.cases import Case, cases
from claimflow.accounts.settings import AccountSettings, CaseTerms
from claimflow.config import ResolvedClient
from claimflow.money import ZERO, minor_unit
from claimflow.sla.calendar import BusinessCalendar
from claimflow.store import Store
from claimflow.store.accounts import postings_cost_rows


@dataclass(frozen=True)
class CaseCheck:
    """One case measured against its terms.

    Attributes:
        case_id, owner, category, case_type: the case.
        closed: whether it is closed.
        first_response, cadence, follow_ups, resolution: each term met
            (None: the type has no terms, or the case is open).
        within_sla: every term met (None while open).
        escalated: raised above L1 at some point.
        repeat: escalated, and its participant had an earlier escalated case.
        cost: its linked postings at the point value.
    """

    case_id: int
    owner: str
    category: str
    case_type: str
    closed: bool
    first_response: bool | None
    cadence: bool | None
    follow_ups: bool | None
    resolution: bool | None
    within_sla: bool | None
    escalated: bool
    repeat: bool
    cost: Decimal


@dataclass(frozen=True)
class CaseGroup:
    """The figures of a set of cases (all, one owner, one category).

    Attributes:
        key: the owner or category (``all`` for the total).
        cases: cases opened; closed: of which closed.
        within_sla: closed cases within SLA; within_sla_share: of the
            closed (None when none closed).
        escalated: cases escalated; escalation_share: of the opened.
        over_limit: the escalation share above the client's limit.
        escalation_cost: the cost of the escalated cases.
        cost_per_escalation: escalation_cost / escalated (None: none).
        repeat_escalations: escalated cases that were a repeat.
    """

    key: str
    cases: int
    closed: int
    within_sla: int
    within_sla_share: float | None
    escalated: int
    escalation_share: float | None
    over_limit: bool
    escalation_cost: Decimal
    cost_per_escalation: Decimal | None
    repeat_escalations: int


@dataclass(frozen=True)
class CaseFigures:
    """Case figures of one client over a period.

    Attributes:
        client: the client key; currency: its currency.
        start, end: the period's days, ``[start, end)`` (None: all time).
        escalation_limit: ``sla.max_escalation_share``.
        total: every case; by_owner, by_category: the same figures per
            owner and per category, by key.
        checks: each case measured.
    """

    client: str
    currency: str
    start: date | None
    end: date | None
    escalation_limit: float
    total: CaseGroup
    by_owner: list[CaseGroup]
    by_category: list[CaseGroup]
    checks: list[CaseCheck]

    def to_dict(self) -> dict[str, object]:
        """As plain data (decimals as text, dates ISO)."""
        plain = _plain(asdict(self))
        assert isinstance(plain, dict)
        return plain


def _plain(data: object) -> object:
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, Decimal):
        return str(data)
    if isinstance(data, date):
        return data.isoformat()
    return data


def _hours(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    return calendar.business_seconds(start, end) / 3600


def check_case(
    case: Case,
    terms: CaseTerms | None,
    calendar: BusinessCalendar,
    cost: Decimal,
    repeat: bool,
) -> CaseCheck:
    """Measure one case against its type's terms (see the module docstring).

    Example: ``check_case(case, settings.cases.get(case.case_type), cal, ZERO, False)``
    """
    closed = case.closed_at is not None
    met: list[bool | None] = [None, None, None, None]
    if closed and terms is not None and case.closed_at is not None:
        touches = [*case.contacts, case.closed_at]
        met[0] = (
            _hours(calendar, case.opened_at, touches[0]) <= terms.first_response_hours
        )
        every = terms.follow_up_every_hours
        met[1] = every is None or all(
            _hours(calendar, a, b) <= every
            for a, b in zip(touches, touches[1:], strict=False)
        )
        met[2] = max(len(case.contacts) - 1, 0) >= terms.min_follow_ups
        opened_day = calendar.local(case.opened_at).date()
        due = calendar.due_date(opened_day, terms.resolution_days)
        met[3] = calendar.local(case.closed_at).date() <= due
    within = (
        (all(m is not False for m in met) if terms is not None else True)
        if closed
        else None
    )
    return CaseCheck(
        case_id=case.id,
        owner=case.owner,
        category=case.category,
        case_type=case.case_type,
        closed=closed,
        first_response=met[0],
        cadence=met[1],
        follow_ups=met[2],
        resolution=met[3],
        within_sla=within,
        escalated=bool(case.escalations),
        repeat=repeat,
        cost=cost,
    )


def _group(
    key: str, checks: list[CaseCheck], limit: float, unit: Decimal
) -> CaseGroup:
    closed = [c for c in checks if c.closed]
    within = sum(bool(c.within_sla) for c in closed)
    escalated = [c for c in checks if c.escalated]
    cost = sum((c.cost for c in escalated), ZERO)
    share = len(escalated) / len(checks) if checks else None
    return CaseGroup(
        key=key,
        cases=len(checks),
        closed=len(closed),
        within_sla=within,
        within_sla_share=within / len(closed) if closed else None,
        escalated=len(escalated),
        escalation_share=share,
        over_limit=share is not None and share > limit,
        escalation_cost=cost,
        cost_per_escalation=(cost / len(escalated)).quantize(unit, ROUND_HALF_UP)
        if escalated
        else None,
        repeat_escalations=sum(c.repeat for c in escalated),
    )


def _by(
    key: Callable[[CaseCheck], str], checks: list[CaseCheck], limit: float, unit: Decimal
) -> list[CaseGroup]:
    keys = sorted({key(c) for c in checks})
    return [_group(k, [c for c in checks if key(c) == k], limit, unit) for k in keys]


def _costs(
    store: Store, settings: AccountSettings, every: list[Case], currency: str
) -> dict[int, Decimal]:
    costs: dict[int, Decimal] = {}
    for case in every:
        rows = postings_cost_rows(store, case.postings())
        costs[case.id] = sum(
            (settings.cost(points, currency) for _, _, points in rows), ZERO
        )
    return costs


def case_figures(
    store: Store,
    client: ResolvedClient,
    *,
    start: date | None = None,
    end: date | None = None,
    until: datetime | None = None,
) -> CaseFigures:
    """The case figures of the cases opened in ``[start, end)`` (desk days).

    Args:
        store: the store.
        client: the resolved client (its ``accounts`` and ``calendar``).
        start, end: the period; both None: every case.
        until: the figures as they stood at this instant: cases opened and
            events (contacts, escalations, links, closings) recorded after
            it are not counted (None: everything stored).

    Returns:
        The figures, in total, by owner and by category.

    Raises:
        AccountError: the client has no ``accounts`` section.

    Example: ``case_figures(store, client, start=date(2026, 11, 1),
    end=date(2026, 12, 1)).total.within_sla_share``
    """
    settings = account_settings(client)
    calendar = BusinessCalendar(client.config.calendar, client.config.timezone)
    every = sorted(
        cases(store, client.key, until=until), key=lambda c: (c.opened_at, c.id)
    )
    seen: set[str] = set()
    repeats: dict[int, bool] = {}
    for case in every:  # in opening order: an earlier escalated case makes a repeat
        if case.escalations:
            repeats[case.id] = case.participant in seen
            seen.add(case.participant)

    def in_period(case: Case) -> bool:
        day = calendar.local(case.opened_at).date()
        return (start is None or day >= start) and (end is None or day < end)

    chosen = [c for c in every if in_period(c)]
    currency = client.config.currency
    costs = _costs(store, settings, chosen, currency)
    checks = [
        check_case(
            c,
            settings.terms_for(c.case_type),
            calendar,
            costs[c.id],
            repeats.get(c.id, False),
        )
        for c in chosen
    ]
    limit = client.config.sla.max_escalation_share
    return CaseFigures(
        client=client.key,
        currency=client.config.currency,
        start=start,
        end=end,
        escalation_limit=limit,
        total=_group("all", checks, limit, minor_unit(currency)),
        by_owner=_by(lambda c: c.owner, checks, limit, minor_unit(currency)),
        by_category=_by(lambda c: c.category, checks, limit, minor_unit(currency)),
        checks=checks,
    )
