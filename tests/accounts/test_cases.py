"""Cases: events, and SLA, escalation and cost figures against hand-worked cases.

The desk is Acme's (America/Chicago; Mon-Thu 08:00-17:00, Fri 08:00-16:00).
Terms (samples/clients/acme-tools.yaml): complaint 4 business hours to the
first response, at most 8 between contacts (and to closing), 2 follow-ups,
5 business days; inquiry 8 hours, 3 days. A point costs USD 0.0125.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from claimflow import ResolvedClient, Store
from claimflow.accounts.adjust import AdjustmentReason, request_adjustment
from claimflow.accounts.cases import case_event, cases, open_case
from claimflow.accounts.figures import case_figures
from claimflow.accounts.merge import AccountError
from claimflow.parse.participants import read_participants
from tests.conftest import SAMPLES

CHI = ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant at the desk, December 2026 (Dec 1 is a Tuesday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=CHI)


@pytest.fixture
def desk(store: Store, acme: ResolvedClient) -> Store:
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )
    return store


def worked_cases(store: Store, acme: ResolvedClient) -> dict[str, int]:
    key = acme.key

    def event(case: int, what: str, when: datetime, value: str | None = None) -> None:
        case_event(store, key, case, what, "ann", when, value=value)

    # A: within every term. Contacts 3 h, then 4 h, then 3 h (16:00 -> 17:00
    # Tue, 08:00 -> 10:00 Wed) apart; closed 5 h after the last; 2 follow-ups.
    a = open_case(
        store, key, "complaint", "104233", "ann", "ann", at(1, 9), category="points"
    )
    for when in (at(1, 12), at(1, 16), at(2, 10)):
        event(a, "contact", when)
    event(a, "closed", at(2, 15), "credited")
    # B: first response 3 h (Fri 15-16, Mon 08-10), follow-up 8 h later (Mon
    # 10-17, Tue 08-09: at most 8 is met), closed 8.5 h after it (Tue 09-17,
    # Wed 08:00-08:30): the cadence is broken, and 1 follow-up is not 2.
    # Escalated to L2; a supervisor's goodwill of 800 points (USD 10.00).
    b = open_case(
        store, key, "complaint", "104876", "bob", "ann", at(4, 15), category="points"
    )
    event(b, "contact", at(7, 10))
    event(b, "escalated", at(7, 11), "L2")
    request_adjustment(
        store,
        acme,
        "104876",
        800,
        AdjustmentReason.GOODWILL,
        "apology",
        "sam",
        at(7, 12),
        case_id=b,
    )
    event(b, "contact", at(8, 9))
    event(b, "closed", at(9, 8, 30), "goodwill")
    # C: the same member escalates again (a repeat): L2, then senior. An
    # inquiry: first response 2 h (Mon 16:30-17:00, Tue 08:00-09:30), but
    # closed Fri Dec 11, after its 3-business-day due date (Thu Dec 10).
    # Postings: a correction of -200 (USD -2.50) and goodwill of 333 (USD
    # 4.1625 -> 4.16): USD 1.66.
    c = open_case(
        store, key, "inquiry", "104876", "ann", "ann", at(7, 16, 30), category="tier"
    )
    event(c, "contact", at(8, 9, 30))
    event(c, "escalated", at(8, 10), "L2")
    event(c, "escalated", at(9, 10), "senior")
    for points, reason in (
        (-200, AdjustmentReason.CORRECTION),
        (333, AdjustmentReason.GOODWILL),
    ):
        request_adjustment(
            store,
            acme,
            "104876",
            points,
            reason,
            "tier fix",
            "ann",
            at(9, 11),
            case_id=c,
        )
    event(c, "closed", at(11, 10), "tier restored")
    # D: still open.
    d = open_case(
        store, key, "complaint", "105112", "bob", "bob", at(8, 9), category="redemption"
    )
    event(d, "contact", at(8, 10))
    # E: closed an hour after opening with no contact: the closing is the
    # first response (1 h) and the cadence holds, but 0 follow-ups are not 2.
    e = open_case(
        store, key, "complaint", "104233", "ann", "ann", at(2, 9), category="points"
    )
    event(e, "closed", at(2, 10), "answered")
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_case_figures_match_the_handworked_cases(
    desk: Store, acme: ResolvedClient
) -> None:
    ids = worked_cases(desk, acme)
    figures = case_figures(desk, acme, start=date(2026, 12, 1), end=date(2027, 1, 1))

    by_case = {c.case_id: c for c in figures.checks}
    terms = {
        name: (
            by_case[i].first_response,
            by_case[i].cadence,
            by_case[i].follow_ups,
            by_case[i].resolution,
            by_case[i].within_sla,
        )
        for name, i in ids.items()
    }
    assert terms == {
        "A": (True, True, True, True, True),
        "B": (True, False, False, True, False),
        "C": (True, True, True, False, False),
        "D": (None, None, None, None, None),
        "E": (True, True, False, True, False),
    }
    assert by_case[ids["B"]].cost == Decimal("10.00")
    assert by_case[ids["C"]].cost == Decimal("1.66")
    assert [by_case[ids[n]].repeat for n in "BC"] == [False, True]

    total = figures.total
    # 5 opened, 4 closed, 1 within SLA; 2 escalated of 5 (limit 20%).
    assert (total.cases, total.closed, total.within_sla) == (5, 4, 1)
    assert total.within_sla_share == 0.25
    assert (total.escalated, total.escalation_share, total.over_limit) == (2, 0.4, True)
    # (10.00 + 1.66) / 2 = 5.83
    assert total.escalation_cost == Decimal("11.66")
    assert total.cost_per_escalation == Decimal("5.83")
    assert total.repeat_escalations == 1

    owners = {g.key: g for g in figures.by_owner}
    ann, bob = owners["ann"], owners["bob"]
    assert (ann.cases, ann.closed, ann.within_sla, ann.escalated) == (3, 3, 1, 1)
    assert ann.escalation_share == pytest.approx(1 / 3)
    assert (ann.cost_per_escalation, ann.repeat_escalations) == (Decimal("1.66"), 1)
    assert (bob.cases, bob.closed, bob.within_sla, bob.within_sla_share) == (
        2,
        1,
        0,
        0.0,
    )
    assert (bob.escalation_share, bob.cost_per_escalation) == (0.5, Decimal("10.00"))
    categories = {
        g.key: (g.cases, g.closed, g.within_sla, g.escalated)
        for g in figures.by_category
    }
    assert categories == {
        "points": (3, 3, 1, 1),
        "redemption": (1, 0, 0, 0),
        "tier": (1, 1, 0, 1),
    }
    assert figures.by_category[1].within_sla_share is None  # none closed
    data = figures.to_dict()
    assert data["total"]["cost_per_escalation"] == "5.83"  # type: ignore[index]


def test_the_period_takes_the_cases_opened_in_it(
    desk: Store, acme: ResolvedClient
) -> None:
    worked_cases(desk, acme)
    # Dec 1-4 (desk days): A, E and B (opened Friday Dec 4).
    early = case_figures(desk, acme, start=date(2026, 12, 1), end=date(2026, 12, 5))
    assert (early.total.cases, early.total.within_sla, early.total.escalated) == (
        3,
        1,
        1,
    )


def test_the_cost_per_escalation_is_the_sum_of_linked_postings_at_the_point_value(
    desk: Store, acme: ResolvedClient
) -> None:
    ids = worked_cases(desk, acme)
    linked = {
        case.id: sum(
            points
            for (points,) in desk.db.execute(
                f"SELECT points FROM ledger WHERE id IN ({','.join('?' * len(case.postings()))})",
                case.postings(),
            )
        )
        for case in cases(desk, acme.key)
        if case.escalations
    }
    assert linked == {ids["B"]: 800, ids["C"]: 133}
    # 800 x 0.0125 = 10.00; -200 x 0.0125 + 333 x 0.0125 = -2.50 + 4.16.
    assert case_figures(desk, acme).total.escalation_cost == Decimal("11.66")


@pytest.mark.parametrize(
    ("event", "value", "message"),
    [
        (
            "escalated",
            "L1",
            "case 1: at L1; expected a higher level (L2, senior), found L1",
        ),
        ("link", "posting:99", "posting 99: no such ledger posting for acme-tools"),
        (
            "link",
            "order:7",
            "link 'order:7': expected claim:ID, participant:ID or posting:ID",
        ),
        ("closed", None, "case 1: expected a resolution, found nothing"),
        # trial 36: "not a case event", without the names it takes
        (
            "responded",
            None,
            "case event 'responded': expected one of contact, escalated, owner, "
            "link, closed",
        ),
    ],
)
def test_bad_case_events_are_refused(
    desk: Store, event: str, value: str | None, message: str
) -> None:
    case = open_case(desk, "acme-tools", "complaint", "104233", "ann", "ann", at(1, 9))
    before = desk.count("case_events")
    with pytest.raises(AccountError) as caught:
        case_event(desk, "acme-tools", case, event, "ann", at(1, 10), value=value)
    assert str(caught.value) == message
    assert desk.count("case_events") == before


def test_a_closed_case_takes_no_more_events(desk: Store) -> None:
    case = open_case(desk, "acme-tools", "inquiry", "104233", "ann", "ann", at(1, 9))
    case_event(desk, "acme-tools", case, "closed", "ann", at(1, 10), value="done")
    with pytest.raises(
        AccountError,
        match=r"^case 1: closed at 2026-12-01 16:00 UTC; open a new case$",
    ):
        case_event(desk, "acme-tools", case, "contact", "ann", at(1, 11))


def test_an_event_before_the_case_was_opened_is_refused(desk: Store) -> None:
    """A case was answered and closed the day before it was opened, and
    counted closed (trial 33): its SLA clock ran backwards."""

    case = open_case(desk, "acme-tools", "complaint", "104233", "ann", "ann", at(2, 15))
    for event, value in (("contact", None), ("closed", "done")):
        with pytest.raises(
            AccountError,
            match=r"^case 1: opened at 2026-12-02 15:00 CST; an event at "
            r"2026-12-01 15:00 CST would come before it$",
        ):
            case_event(desk, "acme-tools", case, event, "ann", at(1, 15), value=value,
                       zone=CHI)  # fmt: skip
    assert cases(desk, "acme-tools", case)[0].closed_at is None
