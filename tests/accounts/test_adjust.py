"""Adjustments: reason codes, cost at the point value, maker-checker limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from claimflow import ResolvedClient, Store
from claimflow.accounts.adjust import (
    AdjustmentReason,
    adjustments,
    approve_adjustment,
    request_adjustment,
)
from claimflow.accounts.merge import AccountError
from claimflow.accounts.settings import AccountSettings
from claimflow.award.ledger import LedgerError, balance
from claimflow.parse.participants import read_participants
from tests.conftest import SAMPLES

AT = datetime(2026, 12, 1, 15, tzinfo=UTC)
GOODWILL = AdjustmentReason.GOODWILL


@pytest.fixture
def members(store: Store, acme: ResolvedClient) -> Store:
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )
    return store


def _total(store: Store, who: str = "104233") -> tuple[int, int]:
    found = balance(store, "acme-tools", who, AT)
    return found.total, found.available


def test_a_clerk_within_the_limit_posts_at_once_with_its_cost(
    members: Store, acme: ResolvedClient
) -> None:
    done = request_adjustment(
        members, acme, "104233", 2500, GOODWILL, "parcel lost", "ann", AT
    )
    # 2,500 points x USD 0.0125 = USD 31.25
    assert (done.status, done.decided_by, done.cost) == (
        "posted",
        "ann",
        Decimal("31.25"),
    )
    assert _total(members) == (2500, 2500)
    (entry_type, reason) = members.db.execute(
        "SELECT entry_type, reason FROM ledger WHERE id = ?", [done.posting_id]
    ).fetchone()
    assert (entry_type, reason) == ("adjustment", "goodwill")


def test_above_the_limit_it_waits_for_a_different_person_who_may_approve_it(
    members: Store, acme: ResolvedClient
) -> None:
    asked = request_adjustment(
        members,
        acme,
        "104233",
        3000,
        AdjustmentReason.MISSING_CREDIT,
        "March invoice never credited",
        "ann",
        AT,
    )
    assert (asked.status, asked.posting_id, asked.cost) == (
        "pending",
        None,
        Decimal("37.50"),
    )
    assert _total(members) == (0, 0)
    assert [a.id for a in adjustments(members, acme, pending=True)] == [asked.id]
    with pytest.raises(AccountError) as mine:
        approve_adjustment(members, acme, asked.id, "ann", AT)
    assert str(mine.value) == (
        f"adjustment {asked.id}: requested by ann; another person must approve it "
        "(maker-checker)"
    )
    with pytest.raises(AccountError) as clerk:
        approve_adjustment(members, acme, asked.id, "bob", AT)
    assert str(clerk.value) == (
        f"adjustment {asked.id}: 3,000 points is above bob's approval limit "
        "(2,500); a supervisor must approve it"
    )
    assert _total(members) == (0, 0)  # still nothing posted

    done = approve_adjustment(members, acme, asked.id, "sam", AT)

    assert (done.status, done.decided_by) == ("posted", "sam")
    assert _total(members) == (3000, 3000)
    assert adjustments(members, acme, pending=True) == []
    actions = [
        (a, actor)
        for a, actor in members.db.execute(
            "SELECT action, actor FROM audit_log ORDER BY id"
        )
    ]
    assert actions == [("ledger adjust", "ann"), ("ledger approve", "sam")]
    with pytest.raises(AccountError, match=r"already posted by sam$"):
        approve_adjustment(members, acme, asked.id, "bob", AT)
    # sam's retry (a lost connection) is no error and posts nothing again;
    # rejecting it now is still refused (trial 44: the retry exited 2)
    again = approve_adjustment(members, acme, asked.id, "sam", AT)
    assert (again.status, again.decided_by) == ("posted", "sam")
    assert _total(members) == (3000, 3000)
    assert [a for (a,) in members.db.execute("SELECT action FROM audit_log")].count(
        "ledger approve"
    ) == 1
    with pytest.raises(AccountError, match=r"already posted by sam$"):
        approve_adjustment(members, acme, asked.id, "sam", AT, reject=True)


def test_an_operator_with_no_role_waits_and_a_rejection_posts_nothing(
    members: Store, acme: ResolvedClient
) -> None:
    asked = request_adjustment(
        members, acme, "104233", 10, GOODWILL, "sorry", "temp", AT
    )
    assert asked.status == "pending"
    done = approve_adjustment(members, acme, asked.id, "bob", AT, reject=True)
    assert (done.status, done.posting_id) == ("rejected", None)
    assert _total(members) == (0, 0)


def test_a_debit_takes_available_points_and_is_refused_beyond_them(
    members: Store, acme: ResolvedClient
) -> None:
    request_adjustment(members, acme, "104233", 500, GOODWILL, "late", "ann", AT)
    correction = AdjustmentReason.CORRECTION
    done = request_adjustment(
        members, acme, "104233", -200, correction, "typo", "ann", AT
    )
    assert (done.status, done.cost) == ("posted", Decimal("-2.50"))
    assert _total(members) == (300, 300)
    rows = members.count("adjustments")
    with pytest.raises(
        LedgerError, match="expected 1 to 300 points to take, found 301"
    ):
        request_adjustment(members, acme, "104233", -301, correction, "typo", "ann", AT)
    assert (members.count("adjustments"), _total(members)) == (rows, (300, 300))


@pytest.mark.parametrize(
    ("value", "points", "currency", "cost"),
    [
        ("0.0125", 333, "EUR", "4.16"),  # 4.1625 -> 4.16
        ("0.0125", 334, "EUR", "4.18"),  # 4.175: half up
        ("0.0125", -334, "EUR", "-4.18"),  # a debit rounds the same way, away from 0
        ("0.01", 1, "USD", "0.01"),
        ("0.007", 5, "USD", "0.04"),  # 0.035: half up
        # trial 22 (Hotel Sakura Group): a yen has no sen; 1,001 x 0.5 = 500.5
        ("0.5", 1001, "JPY", "501"),
        ("0.5", 8000, "JPY", "4000"),
        ("0.5", -1001, "JPY", "-501"),
        ("0.0125", 333, "KWD", "4.163"),  # three minor digits: 4.1625 -> 4.163
    ],
)
def test_cost_is_points_times_value_rounded_half_up_to_the_minor_unit(
    value: str, points: int, currency: str, cost: str
) -> None:
    found = AccountSettings(point_value=Decimal(value)).cost(points, currency)
    assert found == Decimal(cost) and str(found) == cost


@pytest.mark.parametrize(
    ("points", "note", "who", "message"),
    [
        (0, "x", "104233", "expected a number of points other than 0, found 0"),
        (
            5,
            " ",
            "104233",
            "--note: expected why the points are adjusted, found nothing",
        ),
        (
            5,
            "x",
            "999999",
            "participant 999999: not on acme-tools's member list or ledger",
        ),
    ],
)
def test_bad_requests_are_refused_with_one_line(
    members: Store, acme: ResolvedClient, points: int, note: str, who: str, message: str
) -> None:
    with pytest.raises(AccountError) as caught:
        request_adjustment(members, acme, who, points, GOODWILL, note, "ann", AT)
    assert str(caught.value) == message
    assert members.count("adjustments") == 0


def test_a_reference_is_used_once_so_a_rerun_adjusts_nothing(
    members: Store, acme: ResolvedClient
) -> None:
    """Trial 36 #8: the same adjustment again under its reference was an
    error (exit 2): a retry now returns the first one, repeated, adjusting
    nothing; another request under the reference is refused naming what
    differs."""
    first = request_adjustment(
        members, acme, "104233", 100, GOODWILL, "n", "ann", AT, reference="T-7"
    )
    again = request_adjustment(
        members, acme, "104233", 100, GOODWILL, "n", "sam", AT, reference="T-7"
    )
    assert again == replace(first, repeated=True)
    assert (first.repeated, again.to_dict()["repeated"]) == (False, True)
    with pytest.raises(AccountError) as caught:
        request_adjustment(
            members, acme, "104233", -100, GOODWILL, "m", "ann", AT, reference="T-7"
        )
    assert str(caught.value) == (
        # at the desk (Chicago): 15:00 UTC is 09:00 CST, never the stored UTC
        f"reference 'T-7' was used before: adjustment #{first.id} requested by ann "
        "at 2026-12-01 09:00 CST; this one asks points -100, not +100; note 'm', "
        "not 'n'; give each adjustment its own"
    )
    assert members.count("adjustments") == 1
    assert _total(members) == (100, 100)


def test_a_pending_adjustment_of_an_account_merged_since_is_not_posted(
    members: Store, acme: ResolvedClient
) -> None:
    from claimflow.accounts.merge import merge_accounts
    from claimflow.store.dedupe_decisions import add_dedupe_decisions

    asked = request_adjustment(members, acme, "104876", 3000, GOODWILL, "n", "ann", AT)
    with members.transaction():
        add_dedupe_decisions(
            members, [("participant", "104233", "104876", "same")], "r", "x"
        )
    merge_accounts(members, acme.key, "104233", "104876", "rita", AT)
    with pytest.raises(AccountError) as caught:
        approve_adjustment(members, acme, asked.id, "sam", AT)
    assert str(caught.value) == (
        f"adjustment {asked.id}: participant 104876 was merged into 104233 since; "
        "reject it and adjust 104233"
    )
    assert approve_adjustment(
        members, acme, asked.id, "sam", AT, reject=True
    ).status == ("rejected")
