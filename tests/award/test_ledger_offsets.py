"""Ledger instants written by desks in other zones compare as instants.

Awards used to be written with the desk's offset (``10:00:00+07:00``) and
redemptions in UTC, and both were compared as text: a +07:00 desk's points
looked not yet posted for seven hours, a -03:00 desk's were counted three
hours before they were posted. Every expectation is worked by hand; the
``legacy`` tests write rows the way earlier releases did (the ledger is
append-only: those rows stay).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimflow import Store
from claimflow.award.ledger import LedgerError, balance, expire, post_awards, redeem
from claimflow.store.awards import post_award_rows
from tests.award.test_ledger import _awards, _program

JAKARTA = timezone(timedelta(hours=7))
SAO_PAULO = timezone(timedelta(hours=-3))
SECOND = timedelta(seconds=1)


def _post_at(store: Store, at: datetime, pending: int = 0, months: int = 0) -> None:
    expiry = {"policy": "fixed", "months": months} if months else None
    program = _program(pending=pending, expiry=expiry)
    with store.transaction():
        post_awards(store, _awards(program, 4), program, at, "ann")  # 100 points


def _legacy(
    store: Store,
    posted: str,
    available: str,
    expires: str | None = None,
    claim: str = "c0",
) -> None:
    """A 100-point award as an earlier release wrote it (the desk's offset)."""
    with store.transaction():
        post_award_rows(
            store,
            [("x", claim, "R1", "1", 100, 100, "{}")],
            posted,
            available,
            expires,
            "ann",
        )


def _written(store: Store) -> list[tuple[str, str, str | None]]:
    return [
        (str(p), str(a), e)
        for p, a, e in store.db.execute(
            "SELECT posted_at, available_at, expires_at FROM ledger ORDER BY id"
        )
    ]


@pytest.mark.parametrize("zone", [JAKARTA, SAO_PAULO])
def test_an_award_counts_from_the_instant_it_was_posted(
    store: Store, zone: timezone
) -> None:
    posted = datetime(2026, 11, 20, 10, 0, tzinfo=zone)
    _post_at(store, posted)
    before = balance(store, "x", "R1", (posted - SECOND).astimezone(UTC))
    after = balance(store, "x", "R1", (posted + SECOND).astimezone(UTC))
    assert (before.total, before.available) == (0, 0)
    assert (after.total, after.available) == (100, 100)


def test_awards_are_written_in_utc(store: Store) -> None:
    _post_at(store, datetime(2026, 11, 20, 10, 0, tzinfo=JAKARTA), 2, 3)
    assert _written(store) == [
        (
            "2026-11-20T03:00:00+00:00",
            "2026-11-22T03:00:00+00:00",
            "2027-02-20T03:00:00+00:00",
        )
    ]


def test_expiry_months_count_on_the_desk_calendar(store: Store) -> None:
    # 30 Nov 22:00 at -03:00 is 1 Dec 01:00Z: three months on the desk's
    # calendar is 28 Feb 22:00 -03:00, not 1 Mar 01:00Z.
    _post_at(store, datetime(2026, 11, 30, 22, 0, tzinfo=SAO_PAULO), 0, 3)
    assert _written(store)[0][2] == "2027-03-01T01:00:00+00:00"


def test_a_redemption_right_after_a_jakarta_award(store: Store) -> None:
    _post_at(store, datetime(2026, 11, 20, 10, 0, tzinfo=JAKARTA))  # 03:00Z
    with store.transaction():
        redeem(
            store,
            "x",
            "R1",
            100,
            "order 1",
            "ann",
            datetime(2026, 11, 20, 5, tzinfo=UTC),
        )
    assert balance(store, "x", "R1", datetime(2026, 11, 20, 6, tzinfo=UTC)).total == 0


def test_a_sao_paulo_award_is_not_spendable_before_it_is_posted(store: Store) -> None:
    _post_at(store, datetime(2026, 11, 20, 10, 0, tzinfo=SAO_PAULO))  # 13:00Z
    with store.transaction(), pytest.raises(LedgerError, match="has 0 points"):
        redeem(
            store,
            "x",
            "R1",
            100,
            "order 1",
            "ann",
            datetime(2026, 11, 20, 11, tzinfo=UTC),
        )


@pytest.mark.parametrize("zone", [JAKARTA, SAO_PAULO])
def test_pending_points_become_available_at_the_instant(
    store: Store, zone: timezone
) -> None:
    posted = datetime(2026, 11, 20, 10, 0, tzinfo=zone)
    _post_at(store, posted, pending=2)
    ready = posted + timedelta(days=2)
    before = balance(store, "x", "R1", (ready - SECOND).astimezone(UTC))
    after = balance(store, "x", "R1", (ready + SECOND).astimezone(UTC))
    assert (before.total, before.available, before.pending) == (100, 0, 100)
    assert (after.total, after.available, after.pending) == (100, 100, 0)


@pytest.mark.parametrize("zone", [JAKARTA, SAO_PAULO])
def test_fixed_expiry_at_the_boundary(store: Store, zone: timezone) -> None:
    posted = datetime(2026, 11, 20, 10, 0, tzinfo=zone)
    _post_at(store, posted, months=12)
    due = datetime(2027, 11, 20, 10, 0, tzinfo=zone)
    before = balance(store, "x", "R1", (due - SECOND).astimezone(UTC))
    at = balance(store, "x", "R1", due.astimezone(UTC))
    assert (before.available, before.expired) == (100, 0)
    assert (at.available, at.expired) == (0, 100)
    program = _program(expiry={"policy": "fixed", "months": 12})
    with store.transaction():
        assert expire(store, "x", program, (due - SECOND).astimezone(UTC), "job") == 0
        assert expire(store, "x", program, due.astimezone(UTC), "job") == 100


@pytest.mark.parametrize(
    ("posted", "available", "expires", "posted_z"),
    [
        (
            "2026-11-20T10:00:00+07:00",
            "2026-11-22T10:00:00+07:00",
            "2027-11-20T10:00:00+07:00",
            datetime(2026, 11, 20, 3, tzinfo=UTC),
        ),
        (
            "2026-11-20T10:00:00-03:00",
            "2026-11-22T10:00:00-03:00",
            "2027-11-20T10:00:00-03:00",
            datetime(2026, 11, 20, 13, tzinfo=UTC),
        ),
    ],
)
def test_legacy_rows_with_an_offset_compare_as_instants(
    store: Store, posted: str, available: str, expires: str, posted_z: datetime
) -> None:
    _legacy(store, posted, available, expires)
    ready, due = posted_z + timedelta(days=2), posted_z.replace(year=2027)
    assert balance(store, "x", "R1", posted_z - SECOND).total == 0
    assert balance(store, "x", "R1", posted_z + SECOND).pending == 100
    assert balance(store, "x", "R1", ready - SECOND).available == 0
    assert balance(store, "x", "R1", ready + SECOND).available == 100
    assert balance(store, "x", "R1", due - SECOND).available == 100
    assert balance(store, "x", "R1", due).expired == 100
    with store.transaction():
        redeem(store, "x", "R1", 40, "order 1", "ann", ready + SECOND)
    # A redemption (UTC) a second after the legacy lot became available:
    # the balance just before it ignores it, just after counts it.
    assert balance(store, "x", "R1", ready).available == 100
    assert balance(store, "x", "R1", ready + 2 * SECOND).available == 60
    program = _program(expiry={"policy": "fixed", "months": 12})
    with store.transaction():
        assert expire(store, "x", program, due - SECOND, "job") == 0
        assert expire(store, "x", program, due, "job") == 60


def test_legacy_inactivity_takes_the_latest_instant_not_the_latest_text(
    store: Store,
) -> None:
    # The -03:00 award at 13:00Z is the latest activity, but its text sorts
    # before the redemption's (12:00Z), so as text the redemption looked last.
    _legacy(store, "2026-11-19T10:00:00+00:00", "2026-11-19T10:00:00+00:00")
    with store.transaction():
        redeem(
            store,
            "x",
            "R1",
            10,
            "order 1",
            "ann",
            datetime(2026, 11, 20, 12, tzinfo=UTC),
        )
    _legacy(store, "2026-11-20T10:00:00-03:00", "2026-11-20T10:00:00-03:00", claim="c1")
    program = _program(expiry={"policy": "inactivity", "months": 12})
    with store.transaction():
        early = datetime(2027, 11, 20, 12, 30, tzinfo=UTC)
        assert expire(store, "x", program, early, "job") == 0
        late = datetime(2027, 11, 20, 13, 30, tzinfo=UTC)
        assert expire(store, "x", program, late, "job") == 190


@pytest.mark.parametrize("zone", [JAKARTA, SAO_PAULO])
def test_a_hold_paid_by_a_later_posting_is_not_the_latest_hold(
    store: Store, zone: timezone
) -> None:
    from claimflow.codes import ReasonCode
    from claimflow.models import Problem

    program = _program()
    (award,) = _awards(program, 4)
    problem = Problem.model_construct(code=ReasonCode.TAX_FORM_REQUIRED, message="m")
    held = datetime(2026, 11, 20, 10, 0, tzinfo=zone)
    with store.transaction():
        store.add_holds([(award, problem)], held, "ann")
    assert store.latest_hold("c0") is not None
    with store.transaction():
        post_awards(store, [award], program, held + timedelta(hours=1), "ann")
    assert store.latest_hold("c0") is None


def test_a_redemption_dated_before_a_later_one_already_posted_takes_nothing_twice(
    store: Store,
) -> None:
    """Two clerks: B's redemption at 10:05 commits while A, whose instant was
    taken at 10:00, waits for the write lock. The lot holds 100 points; B took
    all of them, so A's 100 at 10:00 must be refused, not allocated again
    (the as-of rule alone, "debits posted after the instant don't count",
    let A take the same 100: the concurrency test caught it on PostgreSQL)."""
    posted = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    _post_at(store, posted)  # 100 points
    with store.transaction():
        redeem(store, "x", "R1", 100, "order B", "bea", posted + timedelta(minutes=65))
    with pytest.raises(LedgerError, match="has 0 points available; cannot redeem 100"):
        with store.transaction():
            redeem(store, "x", "R1", 100, "order A", "ann", posted + timedelta(hours=1))
    taken = store.db.execute("SELECT sum(points) FROM ledger_allocations").fetchone()[0]
    assert taken == 100  # the lot gave what it held, once
    # a read as of 10:00 still shows the points as they were then
    assert balance(store, "x", "R1", posted + timedelta(hours=1)).available == 100
