"""A claim keyed under a merged participant number ends in one clear outcome.

The story: Acme's October batch is awarded (104233: 60 points on r2; 104876:
30 on r3); a reviewer marks the two the same and 104876 is merged into
104233 (merge #1: 104233 then holds 60 + 30 = 90 points). A November claim
then arrives keyed with the closed number 104876: 2 x DRL-200 invoiced Nov 2
(rule set 2026.2: 30 points a drill = 60, doubled by the Q4 cordless
promotion = 120 points).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, explain_award, ingest, load_client
from claimflow.accounts.merge import AccountError, merge_accounts, unmerge_accounts
from claimflow.award.ledger import balance
from claimflow.award.run import award_claims
from claimflow.parse.participants import read_participants
from claimflow.replay import replay
from claimflow.store.dedupe_decisions import add_dedupe_decisions
from tests.conftest import SAMPLES
from tests.test_cli import run
from tests.test_replay import AWARDED, OCTOBER, PROCESSED

MERGED_AT = AWARDED + timedelta(days=1)  # 2026-11-06 20:00 UTC
LATE = MERGED_AT + timedelta(hours=2)
NOVEMBER = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Dealer Name,Invoice No,Invoice Date,"
    "Product Code,Qty,Unit Price,Line Amount,Serial Numbers,Received,"
    "Invoice Attached\n"
    "AC-2001,104876,James O'Neill,D-CHI-01,Midwest Supply Co,INV-30001,"
    "11/02/2026,DRL-200,2,149.00,298.00,DR10000917;DR10000918,"
    "2026-11-06T09:14:00,yes\n"
)


def _owner(store: Store, claim: str) -> str:
    (who,) = store.db.execute(
        "SELECT participant_id FROM claims WHERE id = ?", [claim]
    ).fetchone()
    return str(who)


@pytest.fixture
def merged(tmp_path: Path, acme: ResolvedClient) -> Iterator[tuple[Store, str]]:
    """The story's store after the merge, with the November claim ingested."""
    store = Store.open(tmp_path / "c.db")
    ingest([OCTOBER], acme, store, processed_at=PROCESSED)
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )
        add_dedupe_decisions(
            store, [("participant", "104233", "104876", "same")], "rita", "x"
        )
    award_claims(store, acme, now=AWARDED)
    merge_accounts(store, acme.key, "104233", "104876", "rita", MERGED_AT)
    november = tmp_path / "november.csv"
    november.write_text(NOVEMBER, encoding="utf-8")
    ingest([november], acme, store, processed_at=MERGED_AT + timedelta(hours=1))
    (claim,) = store.db.execute(
        "SELECT id FROM claims WHERE participant_id = '104876'"
    ).fetchone()
    yield store, str(claim)
    store.close()


def test_by_default_it_is_credited_to_the_survivor_naming_the_merge(
    merged: tuple[Store, str], acme: ResolvedClient
) -> None:
    store, claim = merged
    assert _owner(store, claim) == "104876"  # as keyed
    assert balance(store, acme.key, "104233", LATE).total == 90

    result = award_claims(store, acme, now=LATE, actor="ann")

    assert (result.posted, result.points, result.problems) == (1, 120, [])
    assert _owner(store, claim) == "104233"
    # 90 + 120 = 210 on the survivor (the new 120 pending 30 days); the
    # closed account stays at 0.
    held = balance(store, acme.key, "104233", LATE)
    assert (held.total, held.pending) == (210, 210)
    assert balance(store, acme.key, "104876", LATE).total == 0
    (posted_to,) = store.db.execute(
        "SELECT participant_id FROM ledger WHERE claim_id = ? AND entry_type = 'award'",
        [claim],
    ).fetchone()
    assert posted_to == "104233"
    text = explain_award(claim, acme, store).text
    assert (  # 20:00 UTC, as the Chicago desk reads it
        "Credited to 104233: filed under participant 104876, merged into 104233 by "
        "merge #1 at 2026-11-06 14:00 CST." in text
    )
    assert replay(store, acme, now=LATE).changes == []
    assert award_claims(store, acme, now=LATE).posted == 0  # once
    # The merge now holds a paid claim: an unmerge would not be exact.
    with pytest.raises(AccountError, match=rf"claim {claim} moved to 104233 has had"):
        unmerge_accounts(store, acme.key, "104876", "rita", LATE)


def test_a_preview_shows_it_and_changes_nothing(
    merged: tuple[Store, str], acme: ResolvedClient
) -> None:
    store, claim = merged
    audits = store.count("audit_log")
    result = award_claims(store, acme, now=LATE, preview=True)
    assert (result.computed, result.points, result.posted) == (1, 120, 0)
    assert result.awards[0].participant_id == "104233"
    assert _owner(store, claim) == "104876"
    assert store.count("audit_log") == audits


@pytest.fixture
def pending_acme(tmp_path: Path) -> ResolvedClient:
    """Acme with ``accounts.merged_claims: pend``."""
    text = (SAMPLES / "clients" / "acme-tools.yaml").read_text(encoding="utf-8")
    assert "accounts:\n  point_value" in text
    path = tmp_path / "acme-tools.yaml"
    path.write_text(
        text.replace("accounts:\n", "accounts:\n  merged_claims: pend\n", 1),
        encoding="utf-8",
    )
    return load_client(path)


def test_a_client_that_pends_them_gets_a_pended_claim_with_its_reason(
    merged: tuple[Store, str], pending_acme: ResolvedClient
) -> None:
    store, claim = merged
    preview = award_claims(store, pending_acme, now=LATE, preview=True)
    assert [p.code.value for p in preview.problems] == ["merged_participant"]
    (outcome,) = store.db.execute(
        "SELECT outcome FROM claims WHERE id = ?", [claim]
    ).fetchone()
    assert outcome == "accepted"  # the preview changed nothing

    result = award_claims(store, pending_acme, now=LATE, actor="ann")

    assert (result.posted, result.points) == (0, 0)
    assert [(p.code.value, p.message) for p in result.problems] == [
        (
            "merged_participant",
            "participant 104876: closed, merged into 104233 by merge #1; claims "
            "keyed under a merged number are pended (accounts.merged_claims: "
            "pend): send it again under 104233",
        )
    ]
    rows = store.db.execute(
        "SELECT c.outcome, c.participant_id, p.code FROM claims c "
        "JOIN problems p ON p.claim_id = c.id WHERE c.id = ?",
        [claim],
    ).fetchall()
    assert [tuple(r) for r in rows] == [("pended", "104876", "merged_participant")]
    assert balance(store, pending_acme.key, "104233", LATE).total == 90
    with pytest.raises(Exception, match="is pended: only accepted claims"):
        explain_award(claim, store=store)
    assert replay(store, pending_acme, now=LATE).changes == []
    again = award_claims(store, pending_acme, now=LATE)
    assert (again.posted, again.problems) == (0, [])  # pended once


def test_redeem_and_adjust_on_a_merged_member_name_the_survivor(
    merged: tuple[Store, str], tmp_path: Path
) -> None:
    store, _ = merged
    db, client = str(tmp_path / "c.db"), str(SAMPLES / "clients/acme-tools.yaml")
    before = store.count("ledger")
    closed = (
        "claimflow: error: participant 104876: closed, merged into 104233 by "
        "merge #1 at 2026-11-06 14:00 CST; "
    )
    code, out, err = run(
        "ledger", "redeem", "104876", "10", "--reference", "ORD-9",
        "--client", client, "--db", db,
    )  # fmt: skip
    assert (code, out, err) == (2, "", closed + "redeem from 104233 instead\n")
    code, out, err = run(
        "ledger", "adjust", "104876", "10", "--reason", "goodwill", "--note", "x",
        "--client", client, "--db", db,
    )  # fmt: skip
    assert (code, out, err) == (2, "", closed + "adjust 104233 instead\n")
    assert store.count("ledger") == before


def test_balance_of_a_merged_member_names_the_merge_and_the_survivors_points(
    merged: tuple[Store, str], tmp_path: Path
) -> None:
    """`ledger balance 104876` after merge #1 said "104876: 0 points (0
    available, 0 pending)" and exit 0, as if the member had nothing: its 30
    points moved to 104233 (60 + 30 = 90). It still exits 0 (the 0 is
    true), and says the merge and the survivor's balance, which is the
    member's figure a clerk reads out."""
    store, _ = merged
    db, client = str(tmp_path / "c.db"), str(SAMPLES / "clients/acme-tools.yaml")
    code, out, err = run(
        "ledger", "balance", "104876", "--as-of", "2026-11-06T22:00:00+00:00",
        "--client", client, "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "104876: 0 points (0 available, 0 pending)\n"
        "  closed, merged into 104233 by merge #1 at 2026-11-06 14:00 CST: "
        "its points are 104233's\n"
        "104233: 90 points (0 available, 90 pending)\n"  # not yet available
    )
    code, out, err = run(
        "ledger", "balance", "104876", "--as-of", "2026-11-06T22:00:00+00:00",
        "--client", client, "--db", db, "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert (data["total"], data["merged_into"], data["survivor"]["total"]) == (
        0, "104233", 90,
    )  # fmt: skip
    assert data["merge"] == "merge #1 at 2026-11-06 14:00 CST"
    assert data["survivor"]["merged_into"] is None
