"""`claimflow queue --cases`: open cases by the business hours left to the
term each owes next, worked by hand.

The desk is Acme's (America/Chicago; Mon-Thu 08:00-17:00, Fri 08:00-16:00;
October 2026, Oct 20 a Tuesday, no holiday that week). Terms (samples/clients/acme-tools.yaml):
complaint 4 business hours to the first response, at most 8 between
contacts, 5 business days; inquiry 8 hours, 3 days; status_question none.
The queue is read at Monday Oct 26 09:00 (CDT, -05:00).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from claimflow import (
    ResolvedClient,
    Store,
    case_queue,
    case_report,
    open_case,
    record_case_event,
)
from claimflow.parse.participants import read_participants
from tests.conftest import SAMPLES
from tests.test_cli import run

CHI = ZoneInfo("America/Chicago")
ACME = str(SAMPLES / "clients/acme-tools.yaml")
COSTA = str(SAMPLES / "clients/costa-azul.yaml")
NOW = datetime(2026, 10, 26, 9, 0, tzinfo=CHI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=CHI)


def worked(store: Store, acme: ResolvedClient) -> dict[str, int]:
    """The cases of the module docstring's desk, by letter."""
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )

    def case(kind: str, when: datetime, category: str = "points") -> int:
        return open_case(
            "104233", acme, store, case_type=kind, owner="ann", category=category,
            at=when, operator="ann",
        ).id  # fmt: skip

    def event(number: int, what: str, when: datetime, value: str | None = None) -> None:
        record_case_event(number, what, acme, store, value=value, at=when, operator="ann")

    # A: a complaint opened Fri 15:00, no contact yet: 4 business hours to
    # the first response are Fri 15-16 and Mon 08-11, due Mon 11:00; at
    # Mon 09:00, 2 business hours left (its resolution, Fri Oct 30, is later).
    a = case("complaint", at(23, 15))
    # B: an inquiry opened Tue Oct 20 09:00 and answered at 10:00; no cadence:
    # it owes its resolution by the 3rd business day, Fri Oct 23 (its end).
    # At Mon 09:00 that is 1 business hour past (Mon 08-09): -1.0, overdue.
    b = case("inquiry", at(20, 9))
    event(b, "contact", at(20, 10))
    # C: a complaint opened Mon 08:00, contacted 08:30: the next contact is
    # due 8 business hours later, Mon 16:30; at 09:00, 7.5 hours left.
    c = case("complaint", at(26, 8))
    event(c, "contact", at(26, 8, 30))
    # D: closed: no work left. E: opened after the queue's instant: not yet.
    d = case("inquiry", at(21, 9))
    event(d, "closed", at(21, 10), "answered")
    e = case("complaint", at(26, 10))
    # F: a status question: its type has no terms, so it comes last, owing
    # nothing by a clock.
    f = case("status_question", at(22, 9), category="status")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_open_cases_come_by_the_business_hours_left_to_their_next_term(
    store: Store, acme: ResolvedClient
) -> None:
    ids = worked(store, acme)
    queue = case_queue([acme], store, as_of=NOW)
    got = [(r.case_id, r.term, r.hours_left, r.breached) for r in queue.rows]
    assert got == [
        (ids["b"], "resolution", -1.0, True),
        (ids["a"], "first response", 2.0, False),
        (ids["c"], "follow-up", 7.5, False),
        (ids["f"], None, None, False),
    ]
    due = {r.case_id: r.due for r in queue.rows}
    assert due[ids["a"]] == at(26, 11)
    assert due[ids["c"]] == at(26, 16, 30)
    assert due[ids["b"]] == datetime(2026, 10, 23, 23, 59, 59, tzinfo=CHI)
    assert queue.without_accounts == []
    data = queue.to_dict()
    assert data[0]["due"] == "2026-10-23T23:59:59-05:00"  # the desk's offset
    assert data[0]["opened_at"] == "2026-10-20T09:00:00-05:00"
    json.dumps(data)  # plain JSON


def test_a_naive_as_of_is_the_desks_wall_time(store: Store, acme: ResolvedClient) -> None:
    worked(store, acme)
    naive = case_queue([acme], store, as_of=datetime(2026, 10, 26, 9, 0))
    aware = case_queue([acme], store, as_of=NOW)
    assert [r.hours_left for r in naive.rows] == [r.hours_left for r in aware.rows]


@pytest.mark.parametrize(("closed", "met"), [(at(26, 11), True), (at(26, 11, 1), False)])
def test_the_due_instant_is_the_one_the_case_report_judges_by(
    store: Store, acme: ResolvedClient, closed: datetime, met: bool
) -> None:
    """Closing A (no contact: its closing is the first response) at the due
    instant the queue showed meets the report's first-response term; a
    minute later does not."""
    ids = worked(store, acme)
    (row,) = [r for r in case_queue([acme], store, as_of=NOW).rows if r.case_id == ids["a"]]
    assert row.due == at(26, 11)
    record_case_event(ids["a"], "closed", acme, store, value="done", at=closed, operator="ann")
    (check,) = [c for c in case_report(acme, store).checks if c.case_id == ids["a"]]
    assert check.first_response is met


def test_cli_lists_open_cases_and_the_claims_queue_points_to_them(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    db = str(tmp_path / "c.db")
    with Store.open(db) as store:
        worked(store, acme)
    code, out, err = run(
        "queue", "--cases", "--client", ACME, "--client", COSTA, "--db", db,
        "--as-of", "2026-10-26T09:00", "--json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["term"], r["hours_left"], r["breached"]) for r in rows] == [
        ("resolution", -1.0, True),
        ("first response", 2.0, False),
        ("follow-up", 7.5, False),
        (None, None, False),
    ]
    assert "costa-azul: no accounts section: it keeps no cases" in err
    code, out, _ = run(
        "queue", "--cases", "--client", ACME, "--db", db, "--as-of", "2026-10-26T09:00"
    )
    assert code == 0
    assert "4 open cases" in out and "overdue" in out and "first response" in out
    assert "-1.0" in out and "2.0" in out
    code, out, _ = run("queue", "--client", ACME, "--db", db, "--as-of", "2026-10-26T09:00")
    assert code == 0
    assert "and 4 open cases (1 overdue): claimflow queue --cases" in out
