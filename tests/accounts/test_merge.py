"""Account merge and unmerge: balances, lots, claims and audit rows, by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from claimflow import ResolvedClient, Store, ingest
from claimflow.accounts.merge import (
    AccountError,
    merge_accounts,
    merged_into,
    unmerge_accounts,
)
from claimflow.award import compute_awards
from claimflow.award.ledger import balance, post_awards, redeem, reverse_claim
from claimflow.award.rules import AwardSettings
from claimflow.award.run import award_claims
from claimflow.models import Participant, Provenance
from claimflow.parse.participants import read_participants
from claimflow.replay import replay
from claimflow.shown import Desk
from claimflow.store.dedupe_decisions import add_dedupe_decisions
from claimflow.store.instants import utc_text
from claimflow.store.ledger import add_debit, award_lots
from tests.award.programs import DEALER, settings
from tests.award.test_engine import sale
from tests.conftest import SAMPLES

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MERGE_AT = T0 + timedelta(days=25)


def _program() -> AwardSettings:
    base = settings(DEALER)  # DRL-200: 25 points a unit
    return base.model_copy(
        update={
            "pending_days": 10,
            "expiry": base.expiry.model_validate({"policy": "fixed", "months": 12}),
        }
    )


def _post(store: Store, cid: str, qty: int, who: str, at: datetime) -> None:
    program = _program()
    awards, _, _ = compute_awards(
        [sale(cid, date(2026, 10, 1), ("DRL-200", qty), who=who)], program
    )
    with store.transaction():
        post_awards(store, awards, program, at, "ann")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _lots(store: Store, who: str, at: datetime) -> list[tuple[int, str, str | None]]:
    """(points left, available at, expires at) of a participant's lots with
    points, the instants as UTC text."""
    return sorted(
        (left, utc_text(available), None if expires is None else utc_text(expires))
        for _, left, available, expires in award_lots(
            store, "x", who, at.astimezone(UTC).isoformat()
        )
        if left > 0
    )


def _same(store: Store, a: str, b: str, decision: str = "same") -> None:
    with store.transaction():
        add_dedupe_decisions(
            store, [("participant", *sorted((a, b)), decision)], "rita", _iso(T0)
        )


def _members(store: Store, **tax_ids: str) -> None:
    src = Provenance(file="members.csv")
    with store.transaction():
        store.upsert_participants(
            [
                Participant(id=pid, client="x", tax_id=tax, provenance=src)
                for pid, tax in tax_ids.items()
            ]
        )


@pytest.fixture
def accounts(store: Store) -> Store:
    """M: 100 points (T0, 40 redeemed), 50 points (T0+20d, pending at the
    merge); S: 25 points (T0). 10 pending days, expiry 12 months after posting."""
    _members(store, S="12-345", M="12345")  # the same tax id, written twice
    _post(store, "m1", 4, "M", T0)
    _post(store, "m2", 2, "M", T0 + timedelta(days=20))
    _post(store, "s1", 1, "S", T0)
    with store.transaction():
        redeem(store, "x", "M", 40, "ORDER-1", "ann", T0 + timedelta(days=15))
    _same(store, "S", "M")
    return store


def _figures(store: Store, who: str, at: datetime) -> tuple[int, int, int]:
    found = balance(store, "x", who, at)
    return found.total, found.available, found.pending


def _audit(store: Store) -> list[tuple[str, dict[str, object]]]:
    return [
        (action, json.loads(detail))
        for action, detail in store.db.execute(
            "SELECT action, detail FROM audit_log ORDER BY id"
        )
    ]


def test_merge_moves_every_lot_with_its_dates_and_unmerge_puts_them_back(
    accounts: Store,
) -> None:
    store = accounts
    m1_available, m2_posted = T0 + timedelta(days=10), T0 + timedelta(days=20)
    m1_lot = (60, _iso(m1_available), _iso(T0 + relativedelta(months=12)))
    m2_lot = (
        50,
        _iso(m2_posted + timedelta(days=10)),
        _iso(m2_posted + relativedelta(months=12)),
    )
    s1_lot = (25, _iso(m1_available), _iso(T0 + relativedelta(months=12)))
    # Before: M has 100 - 40 + 50 = 110, of which m2's 50 is pending (until
    # T0+30d); S has 25.
    assert _figures(store, "M", MERGE_AT) == (110, 60, 50)
    assert _figures(store, "S", MERGE_AT) == (25, 25, 0)
    assert _lots(store, "M", MERGE_AT) == sorted([m1_lot, m2_lot])
    postings = store.count("ledger")

    result = merge_accounts(store, "x", "S", "M", "ann", MERGE_AT, "one member")

    assert (result.points, result.lots, result.claims) == (110, 2, [])
    assert store.count("ledger") == postings + 4  # a transfer out and in per lot
    assert _figures(store, "M", MERGE_AT) == (0, 0, 0)
    assert _figures(store, "S", MERGE_AT) == (135, 85, 50)
    assert _lots(store, "S", MERGE_AT) == sorted([s1_lot, m1_lot, m2_lot])
    assert _lots(store, "M", MERGE_AT) == []
    # The pending 50 become available to S on m2's own day, not before.
    assert _figures(store, "S", T0 + timedelta(days=30)) == (135, 135, 0)
    assert merged_into(store, "x", "M") == "S"
    assert store.participants("x")["M"].status == "closed"

    undo = unmerge_accounts(store, "x", "M", "ann", MERGE_AT + timedelta(hours=1))

    later = MERGE_AT + timedelta(hours=1)
    assert (undo.points, undo.lots, undo.action) == (110, 2, "unmerge")
    assert _figures(store, "M", later) == (110, 60, 50)
    assert _figures(store, "S", later) == (25, 25, 0)
    assert _lots(store, "M", later) == sorted([m1_lot, m2_lot])
    assert _lots(store, "S", later) == [s1_lot]
    assert merged_into(store, "x", "M") is None
    assert store.participants("x")["M"].status == "active"
    actions = [a for a, _ in _audit(store)]
    assert actions == ["participants merge", "participants unmerge"]
    merge_detail = _audit(store)[0][1]
    assert (merge_detail["survivor"], merge_detail["merged"]) == ("S", "M")
    assert (merge_detail["points"], merge_detail["note"]) == (110, "one member")
    # Nothing was updated or deleted: every earlier posting is still there.
    assert store.count("ledger") == postings + 8


def test_a_claim_reversed_after_the_merge_takes_the_points_from_the_survivor(
    accounts: Store,
) -> None:
    store = accounts
    merge_accounts(store, "x", "S", "M", "ann", MERGE_AT)
    with store.transaction():
        assert reverse_claim(store, "x", "m1", "refund", "ann", MERGE_AT) == 100
    # S held m1's 60 left (40 were redeemed by M): the reversal takes all
    # 100 from S (135 - 100); M, closed, stays at 0. The 40 already spent
    # come from S's other lots, oldest expiring first: s1's 25, then 15 of
    # m2's 50 pending (it showed 50 pending beside a total of 35, and those
    # points would have been spent twice).
    assert _figures(store, "S", MERGE_AT) == (35, 0, 35)
    assert _figures(store, "M", MERGE_AT) == (0, 0, 0)
    with pytest.raises(
        AccountError,
        match=r"merge #1: points it moved to S were used since \(posting #\d+, reversal of lot #\d+\)",
    ):
        unmerge_accounts(store, "x", "M", "ann", MERGE_AT)


def test_a_debt_beyond_the_lots_moves_too(store: Store) -> None:
    _post(store, "m1", 4, "M", T0)  # 100 points
    with store.transaction():
        redeem(store, "x", "M", 100, "ORDER-9", "ann", T0 + timedelta(days=11))
        reverse_claim(store, "x", "m1", "refund", "ann", T0 + timedelta(days=12))
    _post(store, "s1", 1, "S", T0)
    _same(store, "M", "S")
    assert _figures(store, "M", MERGE_AT) == (-100, 0, 0)
    merge_accounts(store, "x", "S", "M", "ann", MERGE_AT)
    assert _figures(store, "M", MERGE_AT) == (0, 0, 0)
    assert _figures(store, "S", MERGE_AT) == (-75, 0, 0)
    unmerge_accounts(store, "x", "M", "ann", MERGE_AT)
    assert _figures(store, "M", MERGE_AT) == (-100, 0, 0)
    assert _figures(store, "S", MERGE_AT) == (25, 25, 0)


def _unchanged(store: Store) -> tuple[int, ...]:
    return tuple(
        store.count(t) for t in ("ledger", "account_merges", "audit_log", "case_events")
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda s: _same(s, "S", "M", "different"),
            "participants S and M: no reviewer marked them the same; mark the pair "
            "same in a review file and run `dedupe apply` first",
        ),
        (
            lambda s: _members(s, S="12-345", M="99-999"),
            "participants S and M: different tax ids (12-345 and 99-999); a person "
            "must settle which is right",
        ),
    ],
)
def test_conflicting_facts_refuse_the_merge_and_write_nothing(
    accounts: Store, setup: object, message: str
) -> None:
    setup(accounts)  # type: ignore[operator]
    before = _unchanged(accounts)
    with pytest.raises(AccountError) as caught:
        merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT)
    assert str(caught.value) == message
    assert _unchanged(accounts) == before


def test_both_redeeming_one_reference_refuses_the_merge(accounts: Store) -> None:
    _post(accounts, "s2", 4, "S", T0)
    # redeem now refuses a reference used before (`ORDER-1`, folded); a store
    # written before it did may hold both, and the merge still refuses them
    at = (T0 + timedelta(days=16)).isoformat()
    with accounts.transaction():
        add_debit(accounts, "x", "S", "redemption", -30, "redemption:x:order 1",
                  at, "order 1", "ann")  # fmt: skip
    before = _unchanged(accounts)
    with pytest.raises(AccountError) as caught:
        merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT)
    assert str(caught.value) == (
        "participants S and M: both redeemed reference 'order 1' (postings #6 and "
        "#4): a possible double redemption; settle it before merging"
    )
    assert _unchanged(accounts) == before


def test_a_merged_account_cannot_be_merged_again_or_into(accounts: Store) -> None:
    merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT)
    with pytest.raises(
        AccountError, match=r"^participant M: closed, merged into S by merge #1 at "
    ):
        merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT)
    with pytest.raises(
        AccountError, match="^participant S: not merged into another account$"
    ):
        unmerge_accounts(accounts, "x", "S", "ann", MERGE_AT)


def test_a_merged_account_is_named_with_the_merges_desk_time(accounts: Store) -> None:
    """MERGE_AT is 2026-11-26 12:00 UTC: 06:00 at a Chicago desk, as the
    refusal now says (it said 2026-11-26T12:00:00+00:00)."""
    merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT)
    chicago = Desk("en_US", ZoneInfo("America/Chicago"))
    with pytest.raises(AccountError) as refused:
        merge_accounts(accounts, "x", "S", "M", "ann", MERGE_AT, desk=chicago)
    assert str(refused.value) == (
        "participant M: closed, merged into S by merge #1 at 2026-11-26 06:00 CST"
    )


def test_a_merge_of_ingested_accounts_moves_claims_and_replays_faithfully(
    tmp_path: object, acme: ResolvedClient
) -> None:
    from tests.test_replay import AWARDED, OCTOBER, PROCESSED

    store = Store.open(tmp_path / "c.db")  # type: ignore[operator]
    ingest([OCTOBER], acme, store, processed_at=PROCESSED)
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )
    award_claims(store, acme, now=AWARDED)
    # 104233: claim r2 (60 points, accepted) and r6 (pended); 104876: r3 (30).
    _same(store, "104233", "104876")
    at = AWARDED + timedelta(days=1)
    assert replay(store, acme, now=at).changes == []

    result = merge_accounts(store, acme.key, "104233", "104876", "rita", at)

    assert (result.points, result.claims) == (30, ["7b0be037608e-r3"])
    owners = dict(store.db.execute("SELECT id, participant_id FROM claims"))
    assert owners["7b0be037608e-r3"] == "104233"
    held = balance(store, acme.key, "104233", at)
    assert (held.total, held.pending) == (90, 90)  # available on Dec 5
    assert balance(store, acme.key, "104876", at).total == 0
    merged = replay(store, acme, now=at)
    assert (merged.claims, merged.changes) == (9, [])
    # The moved claim is not paid again to its new holder.
    assert award_claims(store, acme, now=at).posted == 0
    assert balance(store, acme.key, "104233", at).total == 90

    unmerge_accounts(store, acme.key, "104876", "rita", at)

    owners = dict(store.db.execute("SELECT id, participant_id FROM claims"))
    assert owners["7b0be037608e-r3"] == "104876"
    assert balance(store, acme.key, "104233", at).total == 60
    assert balance(store, acme.key, "104876", at).total == 30
    assert replay(store, acme, now=at).changes == []
    store.close()


def test_open_cases_follow_the_merge_and_come_back_closed_ones_stay(
    accounts: Store,
) -> None:
    from claimflow.accounts.cases import case_event, cases, open_case

    store = accounts
    live = open_case(store, "x", "complaint", "M", "ann", "ann", T0)
    done = open_case(store, "x", "inquiry", "M", "ann", "ann", T0)
    case_event(store, "x", done, "closed", "ann", T0, value="answered")

    result = merge_accounts(store, "x", "S", "M", "ann", MERGE_AT)

    assert result.cases == [live]
    assert [(c.id, c.participant) for c in cases(store, "x")] == [
        (live, "S"),
        (done, "M"),
    ]
    unmerge_accounts(store, "x", "M", "ann", MERGE_AT)
    assert [(c.id, c.participant) for c in cases(store, "x")] == [
        (live, "M"),
        (done, "M"),
    ]


def test_a_merge_moves_a_legacy_offset_lot_as_the_same_instants(store: Store) -> None:
    """A lot an earlier release wrote with the desk's offset (+07:00) moves
    with its instants, written in UTC, and becomes available at its instant."""
    from claimflow.store.awards import post_award_rows

    with store.transaction():
        post_award_rows(
            store,
            [("x", "m1", "M", "1", 100, 100, "{}")],
            "2026-11-20T10:00:00+07:00",
            "2026-11-30T10:00:00+07:00",  # 03:00Z
            "2027-11-20T10:00:00+07:00",
            "ann",
        )
    _post(store, "s1", 1, "S", T0)  # 25 points, available T0 + 10 days
    _same(store, "M", "S")
    merge_accounts(store, "x", "S", "M", "ann", MERGE_AT)
    ready = datetime(2026, 11, 30, 3, tzinfo=UTC)
    assert _lots(store, "S", ready) == [
        (25, _iso(T0 + timedelta(days=10)), _iso(T0 + relativedelta(months=12))),
        (100, "2026-11-30T03:00:00+00:00", "2027-11-20T03:00:00+00:00"),
    ]
    before = balance(store, "x", "S", ready - timedelta(seconds=1))
    assert (before.total, before.available, before.pending) == (125, 25, 100)
    at = balance(store, "x", "S", ready)
    assert (at.total, at.available, at.pending) == (125, 125, 0)


def test_a_refund_of_points_already_spent_closes_the_other_lots_so_expiry_takes_nothing_twice(
    store: Store,
) -> None:
    """Trial 17: 267 points (a 217-point claim, a 50-point one), 200
    redeemed from the older lot, then the 217-point claim refunded: the
    balance is -150, but the reversal took all 217 from its own lot (17
    left there) and the 50-point lot stayed open, so expiry later took it
    too (-150 -> -200). The 200 already spent come from the other lot:
    nothing is left to expire, and the debt stays -150."""
    from claimflow.award.ledger import expire

    _post(store, "big", 8, "P", T0)  # 200 points
    _post(store, "small", 2, "P", T0 + timedelta(days=1))  # 50 points
    with store.transaction():
        redeem(store, "x", "P", 200, "ORDER-7", "ann", T0 + timedelta(days=12))
        assert reverse_claim(store, "x", "big", "refund", "ann", T0 + timedelta(days=13)) == 200
    later = T0 + timedelta(days=14)
    assert _figures(store, "P", later) == (-150, 0, 0)
    assert _lots(store, "P", later) == []  # no lot with points left
    year_after = T0 + relativedelta(months=13)
    with store.transaction():
        assert expire(store, "x", _program(), year_after, "nightly") == 0
    assert balance(store, "x", "P", year_after).total == -150
