"""Open cases by the business time left before their next service level.

An open case owes its member, in the client's business calendar (the terms
of its type, ``accounts.cases``; see `claimflow.accounts.figures`):

- **first response**: the first contact within ``first_response_hours``
  business hours of opening (while no contact is recorded);
- **follow-up**: the next contact within ``follow_up_every_hours`` business
  hours of the last one (once contacted, for a type with a cadence);
- **resolution**: closed on or before the ``resolution_days``-th business
  day after opening (due at that day's end, as a claim's due date is).

`case_deadlines` gives each open case its most urgent term: the one due
first, with the business hours left to it (negative once past: the hours
overdue). A case whose type has no terms owes nothing by a clock: it comes
last, with no term.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from claimflow.accounts.adjust import account_settings
from claimflow.accounts.cases import Case, cases
from claimflow.accounts.settings import CaseTerms
from claimflow.config import ResolvedClient
from claimflow.sla.calendar import BusinessCalendar
from claimflow.store import Store


@dataclass(frozen=True)
class CaseDue:
    """One open case and its most urgent term.

    Attributes:
        client, case_id, case_type, category, participant, owner, level:
            the case as it stands.
        opened_at: when it was opened (in the desk's zone).
        term: ``first response``, ``follow-up`` or ``resolution`` (None:
            its type has no terms).
        due: when that term falls due (in the desk's zone; None: no term).
        hours_left: business hours from now to `due`; negative once past
            (the business hours overdue); None without a term.
        breached: the term is past due.
    """

    client: str
    case_id: int
    case_type: str
    category: str
    participant: str
    owner: str
    level: str
    opened_at: datetime
    term: str | None
    due: datetime | None
    hours_left: float | None
    breached: bool

    def to_dict(self) -> dict[str, object]:
        """As plain data: instants as ISO text with the desk's offset."""
        data: dict[str, object] = dict(self.__dict__)
        data["opened_at"] = self.opened_at.isoformat()
        data["due"] = None if self.due is None else self.due.isoformat()
        if self.hours_left is not None:
            data["hours_left"] = round(self.hours_left, 2)
        return data


def _terms_due(
    case: Case, terms: CaseTerms, calendar: BusinessCalendar
) -> list[tuple[datetime, str]]:
    """Every term the open `case` still owes, with when it falls due."""
    owed: list[tuple[datetime, str]] = []
    if not case.contacts:
        owed.append(
            (
                calendar.add_business_hours(case.opened_at, terms.first_response_hours),
                "first response",
            )
        )
    elif terms.follow_up_every_hours is not None:
        last = max(case.contacts)
        owed.append(
            (calendar.add_business_hours(last, terms.follow_up_every_hours), "follow-up")
        )
    day = calendar.due_date(calendar.local(case.opened_at).date(), terms.resolution_days)
    # the due date's end, as a claim's turnaround counts its due date
    owed.append((datetime.combine(day, time(23, 59, 59), tzinfo=calendar.zone), "resolution"))
    return owed


def case_deadlines(
    store: Store, client: ResolvedClient, now: datetime
) -> list[CaseDue]:
    """The client's open cases as they stood at `now`, most urgent first.

    Cases opened, and events recorded, after `now` are not yet made (as in
    `claimflow.sla.queue.work_queue`). Sorted by business hours left (the
    most overdue first), then by opening; cases without terms last.

    Raises:
        AccountError: the client has no ``accounts`` section.

    Example: ``case_deadlines(store, client, datetime.now(UTC))[0].hours_left``
    """
    settings = account_settings(client)
    calendar = BusinessCalendar(client.config.calendar, client.config.timezone)
    zone = calendar.zone
    out: list[CaseDue] = []
    for case in cases(store, client.key, until=now):
        if case.closed_at is not None:
            continue
        terms = settings.terms_for(case.case_type)
        term = due = hours = None
        if terms is not None:
            due, term = min(_terms_due(case, terms, calendar))
            # past due: the business hours overdue, 0.0 (never -0.0) outside them
            past = calendar.business_seconds(due, now)
            hours = (
                calendar.business_seconds(now, due) if now <= due else -past if past else 0.0
            ) / 3600
        out.append(
            CaseDue(
                client=client.key,
                case_id=case.id,
                case_type=case.case_type,
                category=case.category,
                participant=case.participant,
                owner=case.owner,
                level=case.level,
                opened_at=case.opened_at.astimezone(zone),
                term=term,
                due=None if due is None else due.astimezone(zone),
                hours_left=hours,
                breached=due is not None and now > due,
            )
        )
    out.sort(key=most_urgent)
    return out


_FAR = datetime.max.replace(tzinfo=UTC)


def most_urgent(due: CaseDue) -> tuple[bool, float, datetime, datetime, int]:
    """How open cases sort, the most urgent first: by business hours left
    (the most overdue first), then when due and when opened; cases without
    terms last.

    Example: ``sorted(rows, key=most_urgent)``
    """
    hours = due.hours_left
    return (hours is None, hours or 0.0, due.due or _FAR, due.opened_at, due.case_id)
