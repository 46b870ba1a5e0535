"""The ``accounts`` section: validated with the key path named; limits by role."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from claimflow import ConfigError, ResolvedClient, Store, load_client
from claimflow.accounts.adjust import AdjustmentReason, request_adjustment
from claimflow.accounts.cases import open_case
from claimflow.accounts.merge import merge_accounts
from claimflow.accounts.settings import AccountSettings
from claimflow.parse.participants import read_participants
from claimflow.store.dedupe_decisions import add_dedupe_decisions
from tests.conftest import SAMPLES
from tests.test_config import BASE


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "accounts: {point_value: 0}\n",
            "accounts.point_value: Input should be greater than 0",
        ),
        (
            "accounts:\n  point_value: '0.01'\n  cases: {complaint: {first_response_hours: 4}}\n",
            "accounts.cases.complaint.resolution_days: Field required",
        ),
        (
            "accounts:\n  point_value: '0.01'\n  cases: {grumble: {first_response_hours: 4, resolution_days: 1}}\n",
            "accounts.cases.grumble",
        ),
    ],
)
def test_bad_accounts_sections_name_the_key_path(
    write: Callable[..., Path], extra: str, message: str
) -> None:
    path = write("demo.yaml", BASE + extra)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert f"{path}: {message}" in str(caught.value)


def test_limits_come_from_the_operators_role() -> None:
    settings = AccountSettings(
        point_value=Decimal("0.01"),
        approval_limits={"clerk": 2500, "supervisor": None},
        operators={"ann": "clerk", "sam": "supervisor", "kim": "intern"},
    )
    limits = {who: settings.limit_of(who) for who in ("ann", "sam", "kim", "nobody")}
    assert limits == {"ann": 2500, "sam": None, "kim": 0, "nobody": 0}


@pytest.mark.parametrize(
    "table",
    [
        "account_merges",
        "account_merge_items",
        "adjustments",
        "adjustment_decisions",
        "cases",
        "case_events",
    ],
)
@pytest.mark.parametrize("verb", ["UPDATE {} SET id = id", "DELETE FROM {}"])
def test_the_account_tables_are_append_only(
    store: Store, acme: ResolvedClient, table: str, verb: str
) -> None:
    at = datetime(2026, 12, 1, 15, tzinfo=UTC)
    members = SAMPLES / "acme-tools/participants.csv"
    with store.transaction():
        store.upsert_participants(list(read_participants(members, acme.key)))
        add_dedupe_decisions(
            store, [("participant", "104233", "104876", "same")], "r", "x"
        )
    case = open_case(store, acme.key, "complaint", "104876", "ann", "ann", at)
    reason = AdjustmentReason.GOODWILL
    request_adjustment(store, acme, "104876", 100, reason, "n", "sam", at, case_id=case)
    merge_accounts(store, acme.key, "104233", "104876", "ann", at)
    assert store.count(table) > 0
    with pytest.raises(sqlite3.DatabaseError, match=f"{table} is append-only"):
        store.db.execute(verb.format(table))
