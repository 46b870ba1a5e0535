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
from claimflow.output import json_ready
from claimflow.shown import desk_time  # the desk's wall time and zone: 10:00 CST
from claimflow.store import Store
from claimflow.store.cases import (
    EventRow,
    add_case,
    add_case_events,
    case_event_rows,
    case_rows,
    posting_exists,
    same_cases,
)

#: Case levels, lowest first.
LEVELS = ("L1", "L2", "senior")
#: What a person records on an open case (`case_event`).
CASE_EVENTS = ("contact", "escalated", "owner", "link", "closed")
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
        repeated: True when the call that returned it repeated one made
            before (the same case opened, the same event at the same time):
            nothing was recorded.
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
    repeated: bool = False

    def postings(self) -> list[int]:
        """The ids of the ledger postings linked to the case."""
        return [int(x.split(":", 1)[1]) for x in self.links if x.startswith("posting:")]

    def to_dict(self) -> dict[str, object]:
        """As plain data, instants as ISO text: what ``--json`` prints
        (trial 36: the contacts were datetimes, which ``json.dumps`` refuses)."""
        data = dict(self.__dict__)
        data["escalations"] = [[at, level] for at, level in self.escalations]
        plain: dict[str, object] = json_ready(data)
        return plain

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
        raise AccountError(f"case {case_id}: closed at {closed}; open a new case")
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
    """Open a case and return its number (`open_case_once`'s, without whether
    it was opened before).

    Example: ``open_case(store, "acme-tools", "complaint", "104233", "ann", "ann", now)``
    """
    case_id, _ = open_case_once(
        store, client, case_type, participant, owner, actor, at,
        category=category, subject=subject, level=level, links=links,
    )  # fmt: skip
    return case_id


def open_case_once(
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
) -> tuple[int, bool]:
    """Open a case; return its number and whether it was opened before.

    The same case opened again (same type, category, subject, time,
    participant, owner, level and links) is a no-op that returns the first
    one's number (trial 36: run twice, it opened two cases).

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

    Returns:
        The case number, and True when it was opened before (nothing recorded).

    Raises:
        AccountError: an unknown type, level, participant or link.

    Example: ``open_case_once(store, "acme-tools", "complaint", "104233", "ann", "ann", now)``
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
        opening: list[tuple[str, str | None, str | None]] = [
            ("participant", participant, None),
            ("owner", owner, None),
        ]
        if level != "L1":
            opening.append(("escalated", level, "opened at " + level))
        opening += [("link", link, None) for link in checked]
        # trial 36: the same open run twice opened two cases, inflating the
        # cases opened and lowering the escalation share; read in the
        # transaction, so two runs at once open one case
        for earlier in same_cases(store, (client, case_type, category, subject, when)):
            recorded = case_event_rows(store, client, earlier)[: len(opening)]
            if [(e, v, a, n) for _, e, v, a, _, n in recorded] == [
                (e, v, when, n) for e, v, n in opening
            ]:
                return earlier, True
        case_id = add_case(store, (client, case_type, category, subject, when, actor))
        add_case_events(
            store, [(case_id, e, v, when, actor, n) for e, v, n in opening]
        )
        store.audit(
            actor,
            "cases open",
            {"case": case_id, "type": case_type, "participant": participant},
        )
    return case_id, False


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

    An identical event again (the same event, value, time and note) is a
    no-op: the case is returned as it was, `Case.repeated` set.

    Raises:
        AccountError: no such case, closed already, an event dated before
            the case was opened, a level not above the current one, a bad
            link, an event not listed.

    Example: ``case_event(store, "acme-tools", 1, "contact", "ann", now, note="called")``
    """
    if event == "link":
        value = _check_link(store, client, value or "")
    row = (case_id, event, value, _utc(at), actor, note)
    if _recorded(store, client, row):
        return _again(store, client, case_id)
    case = _open(store, client, case_id, zone)
    if at < case.opened_at:
        # answered or closed before it was opened: its SLA clock would run
        # backwards (trial 33: a case closed the day before it was opened)
        raise AccountError(
            f"case {case_id}: opened at {desk_time(case.opened_at, zone)}; "
            f"an event at {desk_time(at, zone)} would come before it"
        )
    _check_event(case, event, value)
    with store.transaction():
        if _recorded(store, client, row):
            return _again(store, client, case_id)  # by a run at the same time
        add_case_events(store, [row])
        store.audit(actor, f"cases {event}", {"case": case_id, "value": value})
    return cases(store, client, case_id)[0]


def _check_event(case: Case, event: str, value: str | None) -> None:
    """Refuse an event the open `case` cannot take (a link is checked before)."""
    if event == "escalated":
        if value not in LEVELS or LEVELS.index(value) <= LEVELS.index(case.level):
            higher = ", ".join(LEVELS[LEVELS.index(case.level) + 1 :]) or "none"
            raise AccountError(
                f"case {case.id}: at {case.level}; expected a higher level "
                f"({higher}), found {value}"
            )
    elif event in ("owner", "closed"):
        if not value:
            what = "owner" if event == "owner" else "resolution"
            raise AccountError(f"case {case.id}: expected a {what}, found nothing")
    elif event not in ("contact", "link"):
        raise AccountError(
            f"case event {event!r}: expected one of {', '.join(CASE_EVENTS)}"
        )


def _recorded(store: Store, client: str, row: EventRow) -> bool:
    """Whether the case has this event already (same event, value, time and
    note, whoever recorded it): trial 36's ``cases respond`` run twice counted
    two contacts, a follow-up that turned the case within its SLA."""
    same = (row[1], row[2], row[3], row[5])
    return any(
        (e, v, a, n) == same for _, e, v, a, _, n in case_event_rows(store, client, row[0])
    )


def _again(store: Store, client: str, case_id: int) -> Case:
    case = cases(store, client, case_id)[0]
    case.repeated = True
    return case
