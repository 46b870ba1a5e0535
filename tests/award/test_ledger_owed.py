"""Points owed after a refund of spent points: later lots pay the debt, and
expiry never takes the points that paid it (trial 36, finding 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import Store
from claimflow.award import compute_awards
from claimflow.award.ledger import (
    balance,
    expire,
    post_awards,
    redeem,
    reverse_claim,
)
from claimflow.award.rules import AwardSettings
from tests.award.programs import settings
from tests.award.test_engine import sale

T0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
#: 25 points a drill, no cap: a claim earns what the trial's stays earned.
DRILLS = """
activity_date: invoice_date
currency: USD
rule_sets:
  - version: drills
    effective_from: 2026-01-01
    rules:
      - {id: drill, kind: per_unit, points: 25, scope: {skus: [DRL-200]}}
"""


def _program(pending: int = 0, months: int = 18) -> AwardSettings:
    base = settings(DRILLS)
    return base.model_copy(
        update={
            "pending_days": pending,
            "expiry": base.expiry.model_validate({"policy": "fixed", "months": months}),
        }
    )


def _award(
    store: Store, program: AwardSettings, claim: str, units: int, at: datetime
) -> int:
    """Post one claim of `units` DRL-200 drills (25 points each)."""
    awards, _, _ = compute_awards(
        [sale(claim, date(2026, 10, 1), ("DRL-200", units))], program
    )
    with store.transaction():
        post_awards(store, awards, program, at, "ann")
    return awards[0].points


def test_points_that_pay_a_refund_debt_do_not_expire_again(store: Store) -> None:
    """The trial's member: D-1 earns 10,000, all redeemed, D-1 refunded
    (-10,000), D-2 earns 5,000 (-5,000). 18 months after D-2 nothing is
    left to expire: the 5,000 paid the debt. Before: 5,000 expired, -10,000."""
    program = _program()
    assert _award(store, program, "D-1", 400, T0) == 10_000  # 400 x 25
    with store.transaction():
        redeem(store, "x", "R1", 10_000, "SPEND-1", "kylie", T0 + timedelta(days=1))
        reverse_claim(store, "x", "D-1", "stay refunded", "kylie", T0 + timedelta(days=2))
    d2 = T0 + timedelta(days=21)
    assert _award(store, program, "D-2", 200, d2) == 5_000  # 200 x 25
    now = balance(store, "x", "R1", d2)
    # 10,000 - 10,000 redeemed - 10,000 reversed + 5,000 = -5,000
    assert (now.total, now.available, now.pending, now.expired) == (-5_000, 0, 0, 0)
    later = datetime(2028, 7, 5, tzinfo=UTC)  # D-2's lot was due 2028-06-01
    found = balance(store, "x", "R1", later)
    assert (found.total, found.available, found.expired) == (-5_000, 0, 0)
    with store.transaction():
        assert expire(store, "x", program, later, "job") == 0
    assert balance(store, "x", "R1", later).total == -5_000
    # A third stay of 8,000 pays the 5,000 still owed; 3,000 are spendable,
    # and only those 3,000 expire 18 months after it.
    d3 = T0 + timedelta(days=40)
    assert _award(store, program, "D-3", 320, d3) == 8_000
    assert balance(store, "x", "R1", d3).available == 3_000
    with store.transaction():
        assert expire(store, "x", program, datetime(2028, 7, 1, tzinfo=UTC), "job") == 3_000
    assert balance(store, "x", "R1", datetime(2028, 7, 2, tzinfo=UTC)).total == 0


def test_an_earlier_unspent_lot_still_expires_beside_a_paid_debt(store: Store) -> None:
    """The debt takes only what is owed: a refund of 100 spent points (lot A
    100, redeemed; A refunded: -100), then lot B 50 and lot C 100: B pays 50,
    C pays 50, and C's other 50 expire in their turn."""
    program = _program(months=12)
    _award(store, program, "A", 4, T0)  # 100
    with store.transaction():
        redeem(store, "x", "R1", 100, "ORDER-1", "ann", T0)
        reverse_claim(store, "x", "A", "refund", "ann", T0)
    _award(store, program, "B", 2, T0 + timedelta(days=10))  # 2 x 25 = 50
    _award(store, program, "C", 4, T0 + timedelta(days=20))  # 4 x 25 = 100
    # 100 - 100 redeemed - 100 reversed + 50 + 100 = 50, all in C's lot
    found = balance(store, "x", "R1", T0 + timedelta(days=20))
    assert (found.total, found.available) == (50, 50)
    year = T0 + relativedelta(months=12) + timedelta(days=30)
    assert balance(store, "x", "R1", year).expired == 50
    with store.transaction():
        assert expire(store, "x", program, year, "job") == 50
    assert balance(store, "x", "R1", year).total == 0


@dataclass
class _Lot:
    claim: str
    left: int
    available_at: datetime
    expires_at: datetime


class _FifoModel:
    """An independent model: lots oldest-expiring first, a debt that is paid
    by the next lots earned, a reversal that takes its own lot first."""

    def __init__(self, pending: int, months: int) -> None:
        self.lots: list[_Lot] = []
        self.debt = 0
        self.pending, self.months = pending, months

    def award(self, claim: str, points: int, at: datetime) -> None:
        pay = min(self.debt, points)
        self.debt -= pay
        self.lots.append(
            _Lot(
                claim,
                points - pay,
                at + timedelta(days=self.pending),
                at + relativedelta(months=self.months),
            )
        )

    def _take(self, lots: list[_Lot], points: int) -> int:
        for lot in sorted(lots, key=lambda lot: lot.expires_at):
            take = min(points, lot.left)
            lot.left -= take
            points -= take
        return points

    def available(self, at: datetime) -> int:
        return sum(lot.left for lot in self._open(at))

    def _open(self, at: datetime) -> list[_Lot]:
        return [lot for lot in self.lots if lot.available_at <= at < lot.expires_at]

    def redeem(self, points: int, at: datetime) -> None:
        assert self._take(self._open(at), points) == 0

    def reverse(self, claim: str, points: int) -> None:
        own = next(lot for lot in self.lots if lot.claim == claim)
        rest = self._take([own], points)
        self.debt += self._take([lot for lot in self.lots if lot is not own], rest)

    def expired(self, at: datetime) -> int:
        return sum(lot.left for lot in self.lots if lot.expires_at <= at)

    def expire(self, at: datetime) -> int:
        due = self.expired(at)
        for lot in self.lots:
            if lot.expires_at <= at:
                lot.left = 0
        return due

    def total(self) -> int:
        return sum(lot.left for lot in self.lots) - self.debt


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["award", "award", "redeem", "reverse", "expire"]),
            st.integers(1, 8),  # units, or a share of what is available
            st.integers(0, 40),  # days after the step before
        ),
        min_size=1,
        max_size=14,
    )
)
def test_the_ledger_agrees_with_a_fifo_lot_model(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    """Awards, redemptions, refunds and expiry in any order: total, available,
    points past their date and what expiry posts are the model's, now and
    long after (when every lot is past its date)."""
    program = _program(pending=3, months=3)
    model = _FifoModel(pending=3, months=3)
    live: list[tuple[str, int]] = []
    at = T0
    with Store.open(tmp_path_factory.mktemp("o") / "c.db") as store:
        for n, (kind, size, days) in enumerate(steps):
            at += timedelta(days=days, minutes=1)
            if kind == "award":
                points = _award(store, program, f"k{n}", size * 10, at)
                model.award(f"k{n}", points, at)
                live.append((f"k{n}", points))
            elif kind == "reverse" and live:
                claim, points = live.pop(size % len(live))
                with store.transaction():
                    assert reverse_claim(store, "x", claim, "refund", "ann", at) == points
                model.reverse(claim, points)
            elif kind == "expire":
                with store.transaction():
                    assert expire(store, "x", program, at, "job") == model.expire(at)
            elif kind == "redeem" and model.available(at):
                take = max(1, model.available(at) * size // 8)
                with store.transaction():
                    redeem(store, "x", "R1", take, f"r{n}", "ann", at)
                model.redeem(take, at)
            found = balance(store, "x", "R1", at)
            assert (found.total, found.available, found.expired) == (
                model.total(),
                model.available(at),
                model.expired(at),
            )
        end = at + relativedelta(months=4)
        found = balance(store, "x", "R1", end)
        assert (found.total, found.expired) == (model.total(), model.expired(end))
        with store.transaction():
            assert expire(store, "x", program, end, "job") == model.expire(end)
        assert balance(store, "x", "R1", end).total == model.total()
