"""Member service cases: open, contact, escalate, assign, link, close.

A case has a type (`CaseType`), a category (free text the desk groups by:
``points``, ``tier``, ``redemption``...), a subject, a participant, an
owner and a level (``L1``, ``L2``, ``senior``). Everything after opening
is an appended event (`claimflow.store.cases`), so a case's history is
never rewritten: the first ``contact`` is the first response, later ones
are follow-ups; ``escalated`` raises the level; ``link`` ties claims,
other participants and ledger postings (the refunds and goodwill its cost
is summed from) to it. `cases` reads them back as `Case` records, which
`claimflow.accounts.figures` measures against the client's SLA terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from claimflow.accounts.merge import AccountError
from claimflow.accounts.settings import CASE_TYPES
from claimflow.store import Store
from claimflow.store.cases import (
    EventRow,
    add_case,
    add_case_events,
    case_event_rows,
    case_rows,
    posting_exists,
)
from claimflow.window import desk_time

#: Case levels, lowest first.
LEVELS = ("L1", "L2", "senior")
#: What a case may be linked to.
LINK_KINDS = ("claim", "participant", "posting")


@dataclass
class Case:
    """A case as its events leave it.

    Attributes:
        id, client, case_type, category, subject: as opened.
        opened_at, opened_by: when and by whom.
        participant, owner, level: the latest of each.
        contacts: instants of contacts with the member (the first is the
            first response).
        escalations: (instant, level) of each escalation.
        links: ``kind:id`` of linked claims, participants and postings.
        closed_at, resolution: when and how it was closed (None: open).
    """

    id: int
    client: str
    case_type: str
    category: str
    subject: str
    opened_at: datetime
    opened_by: str
    participant: str = ""
    owner: str = ""
    level: str = "L1"
    contacts: list[datetime] = field(default_factory=list)
    escalations: list[tuple[datetime, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    resolution: str | None = None

    def postings(self) -> list[int]:
        """The ids of the ledger postings linked to the case."""
        return [int(x.split(":", 1)[1]) for x in self.links if x.startswith("posting:")]

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        data = dict(self.__dict__)
        data["escalations"] = [[at, level] for at, level in self.escalations]
        return data

    def apply(self, event: str, value: str | None, at: datetime) -> None:
        """Take one stored event in."""
        if event in ("participant", "owner", "level"):
            setattr(self, event, value or "")
        elif event == "contact":
            self.contacts.append(at)
        elif event == "escalated":
            self.level = value or self.level
            self.escalations.append((at, self.level))
        elif event == "link" and value:
            self.links.append(value)
        elif event == "closed":
            self.closed_at, self.resolution = at, value


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def cases(
    store: Store,
    client: str,
    case_id: int | None = None,
    *,
    until: datetime | None = None,
) -> list[Case]:
    """A client's cases (or one), by id, as their events leave them.

    With `until`, the cases as they stood then: cases opened later are left
    out, and events recorded after it (a contact, an escalation, a link, the
    closing) are not yet made, as `claimflow.sla.metrics.claim_facts` does
    with the claims' events.

    Example: ``[c.level for c in cases(store, "acme-tools")]``
    """
    found = {
        row[0]: Case(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            datetime.fromisoformat(row[5]),
            row[6],
        )
        for row in case_rows(store, client, case_id)
    }
    if until is not None:
        found = {k: c for k, c in found.items() if c.opened_at <= until}
    for cid, event, value, at, _, _ in case_event_rows(store, client, case_id):
        when = datetime.fromisoformat(at)
        if cid in found and (until is None or when <= until):
            found[cid].apply(event, value, when)
    return list(found.values())


def _open(store: Store, client: str, case_id: int, zone: tzinfo = UTC) -> Case:
    found = cases(store, client, case_id)
    if not found:
        raise AccountError(f"case {case_id}: no such case for {client}")
    if found[0].closed_at is not None:
        closed = desk_time(found[0].closed_at, zone)
        raise AccountError(f"case {case_id}: closed at {closed} ({zone}); open a new case")
    return found[0]


def _check_link(store: Store, client: str, link: str) -> str:
    kind, _, item = link.partition(":")
    if kind not in LINK_KINDS or not item:
        raise AccountError(
            f"link {link!r}: expected claim:ID, participant:ID or posting:ID"
        )
    if kind == "claim":
        return f"claim:{store.resolve_claim(item, client)}"
    if kind == "participant" and not store.known_participant(client, item):
        raise AccountError(
            f"participant {item}: not on {client}'s member list or ledger"
        )
    if kind == "posting" and not (
        item.isdigit() and posting_exists(store, client, int(item))
    ):
        raise AccountError(f"posting {item}: no such ledger posting for {client}")
    return link


def open_case(
    store: Store,
    client: str,
    case_type: str,
    participant: str,
    owner: str,
    actor: str,
    at: datetime,
    *,
    category: str = "general",
    subject: str = "",
    level: str = "L1",
    links: tuple[str, ...] = (),
) -> int:
    """Open a case and return its number.

    Args:
        store: the store.
        client: the client key.
        case_type: one of `CASE_TYPES`.
        participant: the member it is about.
        owner: who works it.
        actor: who opens it.
        at: when the member asked (the SLA clock starts here).
        category: the desk's grouping.
        subject: one line.
        level: ``L1`` unless opened higher (opening above L1 counts as an
            escalation).
        links: ``claim:ID``, ``participant:ID``, ``posting:ID``.

    Raises:
        AccountError: an unknown type, level, participant or link.

    Example: ``open_case(store, "acme-tools", "complaint", "104233", "ann", "ann", now)``
    """
    if case_type not in CASE_TYPES:
        raise AccountError(
            f"case type {case_type!r}: expected one of {', '.join(CASE_TYPES)}"
        )
    if level not in LEVELS:
        raise AccountError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    if not store.known_participant(client, participant):
        raise AccountError(
            f"participant {participant}: not on {client}'s member list or ledger"
        )
    checked = [_check_link(store, client, link) for link in links]
    when = _utc(at)
    with store.transaction():
        case_id = add_case(store, (client, case_type, category, subject, when, actor))
        events: list[EventRow] = [
            (case_id, "participant", participant, when, actor, None),
            (case_id, "owner", owner, when, actor, None),
        ]
        if level != "L1":
            events.append(
                (case_id, "escalated", level, when, actor, "opened at " + level)
            )
        events += [(case_id, "link", link, when, actor, None) for link in checked]
        add_case_events(store, events)
        store.audit(
            actor,
            "cases open",
            {"case": case_id, "type": case_type, "participant": participant},
        )
    return case_id


def case_event(
    store: Store,
    client: str,
    case_id: int,
    event: str,
    actor: str,
    at: datetime,
    *,
    value: str | None = None,
    note: str | None = None,
    zone: tzinfo = UTC,
) -> Case:
    """Record what happened to an open case; return the case after it.

    Args:
        store: the store.
        client: the client key.
        case_id: the case.
        event: ``contact`` (a response or follow-up), ``escalated``
            (`value`: the new level, above the current one), ``owner``
            (`value`: the new owner), ``link`` (`value`: ``kind:id``) or
            ``closed`` (`value`: the resolution).
        actor: who.
        at: when.
        value: see `event`.
        note: free text kept with the event.
        zone: the desk's, for the times a refusal names.

    Raises:
        AccountError: no such case, closed already, an event dated before
            the case was opened, a level not above the current one, a bad
            link, an event not listed.

    Example: ``case_event(store, "acme-tools", 1, "contact", "ann", now, note="called")``
    """
    case = _open(store, client, case_id, zone)
    if at < case.opened_at:
        # answered or closed before it was opened: its SLA clock would run
        # backwards (trial 33: a case closed the day before it was opened)
        raise AccountError(
            f"case {case_id}: opened at {desk_time(case.opened_at, zone)} ({zone}); "
            f"an event at {desk_time(at, zone)} would come before it"
        )
    if event == "escalated":
        if value not in LEVELS or LEVELS.index(value) <= LEVELS.index(case.level):
            higher = ", ".join(LEVELS[LEVELS.index(case.level) + 1 :]) or "none"
            raise AccountError(
                f"case {case_id}: at {case.level}; expected a higher level "
                f"({higher}), found {value}"
            )
    elif event == "link":
        value = _check_link(store, client, value or "")
    elif event in ("owner", "closed"):
        if not value:
            what = "owner" if event == "owner" else "resolution"
            raise AccountError(f"case {case_id}: expected a {what}, found nothing")
    elif event != "contact":
        raise AccountError(f"case event {event!r}: not a case event")
    with store.transaction():
        add_case_events(store, [(case_id, event, value, _utc(at), actor, note)])
        store.audit(actor, f"cases {event}", {"case": case_id, "value": value})
    return cases(store, client, case_id)[0]
