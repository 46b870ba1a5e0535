"""When points expire as the ledger reads it (`claimflow.award.expiry`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claimflow import Store
from claimflow.award.expiry import add_months, expirable_lots, inactive
from claimflow.award.ledger import post_awards
from claimflow.award.rules import Expiry
from tests.award.test_ledger import _awards, _program

POSTED = datetime(2026, 12, 4, 12, 47, tzinfo=UTC)  # trial 35: SE10001's award


@pytest.mark.parametrize(
    ("policy", "at", "expected"),
    [
        (Expiry(policy="inactivity", months=12), datetime(2027, 12, 4, 12, 46, tzinfo=UTC), False),
        (Expiry(policy="inactivity", months=12), datetime(2027, 12, 4, 12, 47, tzinfo=UTC), True),
        (Expiry(policy="inactivity", months=12), datetime(2028, 1, 15, tzinfo=UTC), True),
        (Expiry(policy="fixed", months=12), datetime(2028, 1, 15, tzinfo=UTC), False),
        (Expiry(), datetime(2030, 1, 1, tzinfo=UTC), False),
        (None, datetime(2030, 1, 1, tzinfo=UTC), False),
    ],
)  # fmt: skip
def test_inactive_after_the_months_since_the_last_award(
    store: Store, policy: Expiry | None, at: datetime, expected: bool
) -> None:
    program = _program()
    with store.transaction():
        post_awards(store, _awards(program, 2), program, POSTED, "ann")  # 50 points
    assert inactive(store, "x", "R1", at, policy) is expected
    assert inactive(store, "x", "R2", at, policy) is False  # no activity: nothing
    assert [r for _, r, _ in expirable_lots(store, "x", "R1", at)] == [50]


def test_add_months_keeps_the_clock_and_clamps_the_day() -> None:
    assert add_months(POSTED, -12) == datetime(2025, 12, 4, 12, 47, tzinfo=UTC)
    assert add_months(datetime(2027, 1, 31, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, tzinfo=UTC
    )
