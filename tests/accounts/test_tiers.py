"""A merge's tier history, worked by hand (tiers lowest first: silver, gold,
platinum).

S (the survivor): silver from the start, gold from 2026-06-01.
M (merged):       gold from the start, platinum from 2026-03-01, silver from
                  2026-09-01.

With ``higher``, day by day at each change of either history:

=============  ========  ========  =========  ===============================
from           S         M         survivor   fact appended (S's tier then)
=============  ========  ========  =========  ===============================
the start      silver    gold      gold       yes (silver)
2026-03-01     silver    platinum  platinum   yes (gold, appended before)
2026-06-01     gold      platinum  platinum   yes (S's own gold fact)
2026-09-01     gold      silver    gold       yes (platinum, appended before)
=============  ========  ========  =========  ===============================
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from claimflow import Store
from claimflow.accounts.merge import AccountError, merge_accounts, unmerge_accounts
from claimflow.models import Participant, Provenance
from claimflow.store.dedupe_decisions import add_dedupe_decisions

LISTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MERGED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
UNMERGED_AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
ORDER = ("silver", "gold", "platinum")
#: Days to read the tiers on: January, April, July, October 2026.
DAYS = [date(2026, 1, 15), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]


def _row(pid: str, tier: str, since: date | None) -> Participant:
    return Participant(
        id=pid,
        client="x",
        tier=tier,
        effective_from=since,
        provenance=Provenance(file="members.csv"),
    )


@pytest.fixture
def listed(store: Store) -> Store:
    rows = [
        _row("S", "silver", None),
        _row("M", "gold", None),
        _row("M", "platinum", date(2026, 3, 1)),
        _row("S", "gold", date(2026, 6, 1)),
        _row("M", "silver", date(2026, 9, 1)),
    ]
    with store.transaction():
        store.record_participants(rows, date(2026, 1, 5), "ann", LISTED)
        add_dedupe_decisions(store, [("participant", "M", "S", "same")], "rita", "x")
    return store


def _tiers(store: Store, who: str = "S") -> list[str | None]:
    person = store.participants("x")[who]
    return [person.on(day).tier for day in DAYS]


def test_the_survivor_holds_the_higher_tier_each_day_and_unmerge_restores_it(
    listed: Store,
) -> None:
    assert _tiers(listed) == ["silver", "silver", "gold", "gold"]
    facts = listed.count("participant_facts")

    merge_accounts(
        listed, "x", "S", "M", "ann", MERGED_AT, tier_policy=("higher", ORDER)
    )

    assert _tiers(listed) == ["gold", "platinum", "platinum", "gold"]
    assert listed.count("participant_facts") == facts + 4  # one per row above
    items = listed.db.execute(
        "SELECT item FROM account_merge_items WHERE kind = 'tier' ORDER BY id"
    ).fetchall()
    assert [i for (i,) in items] == [
        date.min.isoformat(),
        "2026-03-01",
        "2026-06-01",
        "2026-09-01",
    ]
    # What an award run before the merge read stays as it was (replay).
    before = listed.participants("x")["S"].known_at(LISTED)
    assert before is not None
    assert [before.on(d).tier for d in DAYS] == ["silver", "silver", "gold", "gold"]

    unmerge_accounts(listed, "x", "M", "ann", UNMERGED_AT)

    assert _tiers(listed) == ["silver", "silver", "gold", "gold"]
    assert _tiers(listed, "M") == ["gold", "platinum", "platinum", "silver"]


def test_the_survivor_policy_keeps_the_survivors_history(listed: Store) -> None:
    facts = listed.count("participant_facts")
    merge_accounts(
        listed, "x", "S", "M", "ann", MERGED_AT, tier_policy=("survivor", ORDER)
    )
    assert _tiers(listed) == ["silver", "silver", "gold", "gold"]
    assert listed.count("participant_facts") == facts


def test_tiers_the_list_does_not_rank_refuse_the_merge_and_write_nothing(
    listed: Store,
) -> None:
    counts = [
        listed.count(t) for t in ("participant_facts", "account_merges", "ledger")
    ]
    with pytest.raises(AccountError) as refused:
        merge_accounts(
            listed, "x", "S", "M", "ann", MERGED_AT, tier_policy=("higher", ("gold",))
        )
    assert str(refused.value) == (
        "participants S and M: tiers silver and gold from the start, not both in "
        "accounts.tiers (lowest first) to rank them; list the tiers, or set "
        "accounts.tier_on_merge: survivor"
    )
    assert [
        listed.count(t) for t in ("participant_facts", "account_merges", "ledger")
    ] == counts


def test_an_unmerge_after_the_survivors_record_changed_is_refused(
    listed: Store,
) -> None:
    merge_accounts(
        listed, "x", "S", "M", "ann", MERGED_AT, tier_policy=("higher", ORDER)
    )
    later = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    with listed.transaction():
        listed.record_participants(
            [_row("S", "platinum", date(2026, 11, 1))], date(2026, 11, 2), "ann", later
        )
    with pytest.raises(AccountError) as refused:
        unmerge_accounts(listed, "x", "M", "ann", UNMERGED_AT)
    assert str(refused.value) == (
        "merge #1: S's member record changed since (a fact from 2026-11-01 "
        "recorded at 2026-11-02 15:00 UTC); an unmerge would not restore "
        "its tiers exactly"
    )


TURKISH = ("gümüş", "altın", "platin")  # lowest first


@pytest.mark.parametrize(
    ("survivor", "merged", "held"),
    [
        ("gümüş", "ALTIN", "ALTIN"),  # ALTIN is altın in Turkish capitals
        ("ALTIN", "GÜMÜŞ", "ALTIN"),
        ("Altın", "PLATİN", "PLATİN"),
        ("ALTIN", "altın", "ALTIN"),  # one tier written two ways: no change
    ],
)
def test_tiers_are_ranked_in_any_case_as_the_clients_language_writes_capitals(
    store: Store, survivor: str, merged: str, held: str
) -> None:
    """Before, a member written ``ALTIN`` was refused: 'tiers gümüş and ALTIN
    from the start, not both in accounts.tiers'."""
    with store.transaction():
        store.record_participants(
            [_row("S", survivor, None), _row("M", merged, None)],
            date(2026, 1, 5), "ann", LISTED,
        )  # fmt: skip
        add_dedupe_decisions(store, [("participant", "M", "S", "same")], "rita", "x")
    facts = store.count("participant_facts")

    merge_accounts(
        store, "x", "S", "M", "ann", MERGED_AT,
        tier_policy=("higher", TURKISH), locale="tr_TR",
    )  # fmt: skip

    assert _tiers(store) == [held] * len(DAYS)
    assert store.count("participant_facts") == facts + (held != survivor)
