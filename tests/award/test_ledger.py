"""The ledger: post once, reverse exactly, pending and available, FIFO lots, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import Store
from claimflow.award import compute_awards
from claimflow.award.ledger import (
    LedgerError,
    balance,
    expire,
    post_awards,
    redeem,
    reverse_claim,
)
from claimflow.award.rules import AwardSettings
from claimflow.models import Award
from tests.award.programs import DEALER, settings
from tests.award.test_engine import sale

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _program(
    pending: int = 0, expiry: dict[str, object] | None = None
) -> AwardSettings:
    base = settings(DEALER)
    return base.model_copy(
        update={
            "pending_days": pending,
            "expiry": base.expiry.model_validate(expiry or {}),
        }
    )


def _awards(program: AwardSettings, *qty: int, who: str = "R1") -> list[Award]:
    claims = [
        sale(f"c{i}", date(2026, 10, 1 + i), ("DRL-200", q), who=who)
        for i, q in enumerate(qty)
    ]
    awards, _, _ = compute_awards(claims, program)
    return awards


def _post(
    store: Store, awards: list[Award], program: AwardSettings, at: datetime = T0
) -> tuple[int, int]:
    with store.transaction():
        result = post_awards(store, awards, program, at, "ann")
    return result.posted, result.skipped


def test_posting_twice_is_a_no_op(store: Store) -> None:
    program = _program()
    awards = _awards(program, 2, 3)
    assert _post(store, awards, program) == (2, 0)
    assert _post(store, awards, program) == (0, 2)
    assert balance(store, "x", "R1", T0).total == 125


def test_reversal_is_exact_and_a_repost_is_a_new_generation(store: Store) -> None:
    program = _program()
    awards = _awards(program, 2)
    _post(store, awards, program)
    with store.transaction():
        assert reverse_claim(store, "x", "c0", "invoice voided", "ann", T0) == 50
    assert balance(store, "x", "R1", T0).total == 0
    with pytest.raises(
        LedgerError,
        match=r"claim c0: its award was reversed already, by posting #\d+ at .* \(invoice voided\)",
    ):
        reverse_claim(store, "x", "c0", "again", "ann", T0)
    with pytest.raises(
        LedgerError, match="claim nope: no award posting to reverse for x"
    ):
        reverse_claim(store, "x", "nope", "again", "ann", T0)
    assert _post(store, awards, program) == (1, 0)  # the correction
    assert _post(store, awards, program) == (0, 1)  # ... posted once
    keys = [
        k for (k,) in store.db.execute("SELECT idempotency_key FROM ledger ORDER BY id")
    ]
    assert keys == ["x:c0:dealer-2026:0", "reversal:1", "x:c0:dealer-2026:1"]


def test_pending_points_become_available(store: Store) -> None:
    program = _program(pending=30)
    _post(store, _awards(program, 4), program)
    assert balance(store, "x", "R1", T0).to_dict() == {
        "participant_id": "R1",
        "total": 100,
        "available": 0,
        "pending": 100,
        "expired": 0,
        "merged_into": None,
        "merge": None,
        "survivor": None,
    }
    later = balance(store, "x", "R1", T0 + timedelta(days=30))
    assert (later.available, later.pending) == (100, 0)


def test_redemption_takes_the_oldest_expiring_lots_first(store: Store) -> None:
    program = _program(expiry={"policy": "fixed", "months": 12})
    _post(store, _awards(program, 2), program, T0)  # 50, expires 2027-11
    _post(
        store, _awards(program, 0, 4), program, T0 - timedelta(days=60)
    )  # 100, expires 2027-09
    with store.transaction():
        redeem(store, "x", "R1", 120, "ORDER-1", "ann", T0)
    allocations = store.db.execute(
        "SELECT l.expires_at, a.points FROM ledger_allocations a JOIN ledger l ON l.id = a.lot_id "
        "ORDER BY l.expires_at"
    ).fetchall()
    assert [points for _, points in allocations] == [100, 20]
    assert balance(store, "x", "R1", T0).available == 30
    with pytest.raises(
        LedgerError, match="^participant R1 has 30 points available; cannot redeem 31$"
    ):
        redeem(store, "x", "R1", 31, "ORDER-2", "ann", T0)
    with pytest.raises(
        LedgerError,
        match=r"reference 'ORDER-1' was used before: 120 points redeemed by "
        r"participant R1 at 2026",
    ):
        redeem(store, "x", "R1", 10, "ORDER-1", "ann", T0)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (5000, "participant 01234567 has 0 points available; cannot redeem 5,000"),
        (0, "participant 01234567: expected a positive number of points to "
            "redeem, found 0"),
        (-5, "participant 01234567: expected a positive number of points to "
             "redeem, found -5"),
    ],
)  # fmt: skip
def test_a_redemption_beyond_the_balance_says_what_is_available(
    store: Store, points: int, message: str
) -> None:
    """Trial 15 #9: "expected 1 to 0 points to redeem, found 5000"."""
    with pytest.raises(LedgerError) as caught:
        redeem(store, "x", "01234567", points, "RES-1", "ann", T0)
    assert str(caught.value) == message


@pytest.mark.parametrize("retry", ["res777", "RES-777", "Res 777", "res_777."])
def test_a_redemption_retried_with_the_reference_respelled_posts_nothing(
    store: Store, retry: str
) -> None:
    """Trial 15: `RES-777` then a clerk's retry `res777` posted twice and the
    participant lost the points; merge already compared references with case
    and punctuation ignored, and now redeem does too. Trial 36 #8: the same
    redemption again was an error (exit 2), so a service retrying could not
    tell "already done" from a conflict: it is now a no-op that says so, and
    another request under the reference is refused naming what differs."""
    program = _program()
    _post(store, _awards(program, 2, 4), program, T0)  # 50 + 100 = 150
    with store.transaction():
        assert redeem(store, "x", "R1", 100, "RES-777", "ann", T0) is False
    written = "" if retry == "RES-777" else " as 'RES-777'"
    for who, points, differ in (
        ("R1", 10, "points 10, not 100"),
        ("R2", 100, "participant R2, not R1"),  # the client's reference, not R1's
        ("R2", 10, "participant R2, not R1; points 10, not 100"),
    ):
        with pytest.raises(LedgerError) as caught:
            redeem(store, "x", who, points, retry, "ann", T0)
        assert str(caught.value) == (
            f"reference '{retry}' was used before{written}: 100 points redeemed by "
            f"participant R1 at 2026-11-01 12:00 UTC; this one asks {differ}; give "
            "each redemption its own"
        )
    with store.transaction():  # the retry: nothing posted, 50 left, not -50
        assert redeem(store, "x", "R1", 100, retry, "ann", T0) is True
    assert balance(store, "x", "R1", T0).available == 150 - 100
    with store.transaction():
        redeem(store, "x", "R1", 50, "RES-778", "ann", T0)  # another order spends
    assert balance(store, "x", "R1", T0).available == 0


def test_fixed_expiry_consumes_lots_due_and_is_idempotent(store: Store) -> None:
    program = _program(expiry={"policy": "fixed", "months": 12})
    _post(store, _awards(program, 2), program, T0)
    with store.transaction():
        assert expire(store, "x", program, T0 + timedelta(days=300), "job") == 0
        assert (
            expire(store, "x", program, datetime(2027, 11, 1, 12, tzinfo=UTC), "job")
            == 50
        )
        assert (
            expire(store, "x", program, datetime(2027, 11, 1, 12, tzinfo=UTC), "job")
            == 0
        )
    assert balance(store, "x", "R1", datetime(2027, 12, 1, tzinfo=UTC)).total == 0


def test_a_second_expiry_the_same_day_posts_the_lots_due_since(store: Store) -> None:
    """Found moving the ledger's SQL: lots posted at 08:00 and 14:00 expire a
    year later; expiry run at 10:00 and again at 15:00 reused the day's key
    and failed on the append-only trigger (a raw IntegrityError)."""
    program = _program(expiry={"policy": "fixed", "months": 12})
    morning, afternoon = T0.replace(hour=8), T0.replace(hour=14)
    _post(store, _awards(program, 2), program, morning)  # 50 points
    _post(store, _awards(program, 0, 1), program, afternoon)  # 25 points
    year = datetime(2027, 11, 1, tzinfo=UTC)
    with store.transaction():
        assert expire(store, "x", program, year.replace(hour=10), "job") == 50
        assert expire(store, "x", program, year.replace(hour=15), "job") == 25
        assert expire(store, "x", program, year.replace(hour=16), "job") == 0
    assert balance(store, "x", "R1", year.replace(hour=17)).total == 0


def test_inactivity_expiry(store: Store) -> None:
    program = _program(expiry={"policy": "inactivity", "months": 12})
    _post(store, _awards(program, 2), program, T0)
    with store.transaction():
        assert (
            expire(store, "x", program, datetime(2027, 10, 1, tzinfo=UTC), "job") == 0
        )
        assert (
            expire(store, "x", program, datetime(2027, 11, 2, tzinfo=UTC), "job") == 50
        )


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    quantities=st.lists(st.integers(1, 200), min_size=1, max_size=8),
    reverse=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_balances_are_derived_and_posting_twice_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, quantities: list[int], reverse: list[bool]
) -> None:
    program = _program()
    awards = _awards(program, *quantities)
    with Store.open(tmp_path_factory.mktemp("l") / "c.db") as store:
        _post(store, awards, program)
        before = balance(store, "x", "R1", T0).total
        _post(store, awards, program)
        assert (
            balance(store, "x", "R1", T0).total
            == before
            == sum(a.points for a in awards)
        )
        with store.transaction():
            reversed_points = sum(
                reverse_claim(store, "x", a.claim_id, "test", "ann", T0)
                for a, flag in zip(awards, reverse, strict=False)
                if flag
            )
        assert balance(store, "x", "R1", T0).total == before - reversed_points
        assert Decimal(before - reversed_points) >= 0


def test_a_refund_after_a_redemption_leaves_points_owed_not_spendable_twice(
    store: Store,
) -> None:
    program = _program()
    _post(store, _awards(program, 2, 4), program)  # c0: 2 x 25 = 50, c1: 4 x 25 = 100
    with store.transaction():
        redeem(store, "x", "R1", 50, "ORDER-1", "ann", T0)  # takes c0's lot
        reverse_claim(store, "x", "c0", "refund", "ann", T0)  # c0's 50 come back
    # 50 + 100 - 50 redeemed - 50 reversed = 50; c1's lot still holds 100,
    # but 50 of it is owed for the refunded sale.
    found = balance(store, "x", "R1", T0)
    assert (found.total, found.available) == (50, 50)
    with pytest.raises(
        LedgerError, match="^participant R1 has 50 points available; cannot redeem 51$"
    ):
        redeem(store, "x", "R1", 51, "ORDER-2", "ann", T0)
    with store.transaction():
        redeem(store, "x", "R1", 50, "ORDER-3", "ann", T0)
    assert balance(store, "x", "R1", T0).available == 0


def test_points_past_their_expiry_are_not_available_before_the_job_posts_it(
    store: Store,
) -> None:
    program = _program(expiry={"policy": "fixed", "months": 12})
    _post(store, _awards(program, 2), program, T0)  # 50, expiring 2027-11-01 12:00
    later = datetime(2027, 11, 2, tzinfo=UTC)
    found = balance(store, "x", "R1", later)
    assert (found.total, found.available, found.expired) == (50, 0, 50)
    with pytest.raises(LedgerError, match="has 0 points available; cannot redeem 1$"):
        redeem(store, "x", "R1", 1, "ORDER-1", "ann", later)
    with store.transaction():
        assert expire(store, "x", program, later, "job") == 50
    found = balance(store, "x", "R1", later)
    assert (found.total, found.available, found.expired) == (0, 0, 0)


def test_a_balance_at_an_earlier_instant_ignores_later_redemptions(
    store: Store,
) -> None:
    program = _program()
    _post(store, _awards(program, 4), program, T0)  # 100
    with store.transaction():
        redeem(store, "x", "R1", 60, "ORDER-1", "ann", T0 + timedelta(days=10))
    earlier = balance(store, "x", "R1", T0 + timedelta(days=5))
    assert (earlier.total, earlier.available) == (100, 100)
    assert balance(store, "x", "R1", T0 + timedelta(days=10)).available == 40


def test_an_as_of_in_another_offset_is_the_same_instant(store: Store) -> None:
    program = _program(pending=1)
    _post(store, _awards(program, 4), program, T0)  # available at T0 + 1 day
    paris = ZoneInfo("Europe/Paris")
    just_before = (T0 + timedelta(days=1) - timedelta(minutes=1)).astimezone(paris)
    assert balance(store, "x", "R1", just_before).available == 0
    assert (
        balance(store, "x", "R1", just_before + timedelta(minutes=1)).available == 100
    )


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["award", "redeem", "reverse", "expire"]),
            st.integers(1, 8),  # quantity, or a share of what is available
            st.integers(0, 200),  # days after T0
        ),
        min_size=1,
        max_size=12,
    )
)
def test_balance_available_is_exactly_what_redeem_allows(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[str, int, int]],
) -> None:
    """Whatever happened before (awards, redemptions, refunds, expiry), at any
    instant `balance` says N available and `redeem` takes N but not N + 1."""
    program = _program(pending=7, expiry={"policy": "fixed", "months": 3})
    posted: list[str] = []
    with Store.open(tmp_path_factory.mktemp("l") / "c.db") as store:
        for n, (kind, size, days) in enumerate(sorted(steps, key=lambda s: s[2])):
            at = T0 + timedelta(days=days)
            with store.transaction():
                if kind == "award":
                    claim = sale(f"k{n}", date(2026, 10, 1), ("DRL-200", size))
                    awards, _, _ = compute_awards([claim], program)
                    post_awards(store, awards, program, at, "ann")
                    posted.append(f"k{n}")
                elif kind == "reverse" and posted:
                    reverse_claim(store, "x", posted.pop(0), "refund", "ann", at)
                elif kind == "expire":
                    expire(store, "x", program, at, "job")
            found = balance(store, "x", "R1", at)
            assert 0 <= found.available <= max(found.total, 0)
            with pytest.raises(
                LedgerError,
                match=f"has {found.available:,} points available; cannot redeem",
            ):
                redeem(store, "x", "R1", found.available + 1, f"over{n}", "ann", at)
            if kind == "redeem" and found.available:
                take = max(1, found.available * size // 8)
                with store.transaction():
                    redeem(store, "x", "R1", take, f"r{n}", "ann", at)
                assert balance(store, "x", "R1", at).available == found.available - take


def test_ledger_rows_cannot_be_edited(tmp_path: Path) -> None:
    import sqlite3

    program = _program()
    with Store.open(tmp_path / "c.db") as store:
        _post(store, _awards(program, 1), program)
        with pytest.raises(sqlite3.IntegrityError, match="ledger is append-only"):
            store.db.execute("UPDATE ledger SET points = 1000")


def test_points_inactivity_expiry_would_take_are_not_available_before_it_runs(
    store: Store,
) -> None:
    """Trial 35 #10 (nordkok, `inactivity, months: 12`): SE10001's 1,435 points,
    awarded 2026-12-04 12:47 UTC with no activity since, showed `1 435
    available` as of 2028-01-15 while `ledger expire` took them: a member could
    redeem points already expired until someone ran expire."""
    program = _program(expiry={"policy": "inactivity", "months": 12})
    posted = datetime(2026, 12, 4, 12, 47, tzinfo=UTC)
    award = _awards(program, 1)[0].model_copy(
        update={"participant_id": "SE10001", "points": 1435}
    )
    _post(store, [award], program, posted)
    policy = program.expiry
    # 12 months after the last activity is 2027-12-04 12:47: a minute before,
    # everything is spendable; at that instant and on 2028-01-15, nothing is.
    before = datetime(2027, 12, 4, 12, 46, tzinfo=UTC)
    found = balance(store, "x", "SE10001", before, policy)
    assert (found.total, found.available, found.expired) == (1435, 1435, 0)
    for at in (datetime(2027, 12, 4, 12, 47, tzinfo=UTC), datetime(2028, 1, 15, tzinfo=UTC)):
        found = balance(store, "x", "SE10001", at, policy)
        assert (found.total, found.available, found.expired) == (1435, 0, 1435)
    later = datetime(2028, 1, 15, tzinfo=UTC)
    with pytest.raises(LedgerError, match="has 0 points available; cannot redeem 1$"):
        redeem(store, "x", "SE10001", 1, "ORDER-1", "ann", later, expiry=policy)
    with store.transaction():
        assert expire(store, "x", program, later, "job") == 1435
    found = balance(store, "x", "SE10001", later, policy)
    assert (found.total, found.available, found.expired) == (0, 0, 0)
