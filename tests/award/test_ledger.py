"""The ledger: post once, reverse exactly, pending and available, FIFO lots, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

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
        LedgerError, match="expected 1 to 30 points to redeem, found 31"
    ):
        redeem(store, "x", "R1", 31, "ORDER-2", "ann", T0)
    with pytest.raises(
        LedgerError,
        match=r"reference 'ORDER-1' was used before: 120 points redeemed by "
        r"participant R1 at 2026",
    ):
        redeem(store, "x", "R1", 10, "ORDER-1", "ann", T0)


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


def test_ledger_rows_cannot_be_edited(tmp_path: Path) -> None:
    import sqlite3

    program = _program()
    with Store.open(tmp_path / "c.db") as store:
        _post(store, _awards(program, 1), program)
        with pytest.raises(sqlite3.IntegrityError, match="ledger is append-only"):
            store.db.execute("UPDATE ledger SET points = 1000")
