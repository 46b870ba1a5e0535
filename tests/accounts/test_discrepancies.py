"""Partner discrepancies listed and closed: the sample statement's five planted
faults (see `tests.accounts.test_reconcile`) open discrepancies 1-5; each is
closed once, with the posted adjustment or the transfer that settled it, or
no action with a note."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, load_client
from claimflow.accounts.adjust import AdjustmentReason, request_adjustment
from claimflow.accounts.discrepancies import close_discrepancy, list_discrepancies
from claimflow.accounts.merge import AccountError
from claimflow.accounts.reconcile import reconcile_statement
from tests.accounts.helpers import sample_transfers
from tests.accounts.test_reconcile import STATEMENT
from tests.conftest import SAMPLES
from tests.test_cli import run

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
#: The discrepancies the sample statement opens, by id: code, row, transfer.
OPENED = {
    1: ("wrong_ratio", 4, 3),
    2: ("duplicate_credit", 6, 1),
    3: ("unknown_member", 7, None),
    4: ("credit_without_transfer", 8, None),
    5: ("missing_credit", None, 5),
}


def _audits(store: Store) -> list[tuple[str, dict[str, object]]]:
    return [
        (action, json.loads(detail))
        for action, detail in store.db.execute(
            "SELECT action, detail FROM audit_log ORDER BY id"
        )
    ]


@pytest.fixture
def costa_desk(tmp_path: Path) -> ResolvedClient:
    """Costa Azul with an accounts section (a point costs EUR 0.008; ana, a
    clerk, posts up to 5,000 points), so that an adjustment can settle."""
    text = (SAMPLES / "clients" / "costa-azul.yaml").read_text(encoding="utf-8")
    path = tmp_path / "costa-azul.yaml"
    path.write_text(
        text + "accounts:\n  point_value: '0.008'\n"
        "  approval_limits: {clerk: 5000}\n  operators: {ana: clerk}\n",
        encoding="utf-8",
    )
    return load_client(path)


@pytest.fixture
def found(store: Store, costa_desk: ResolvedClient) -> Store:
    sample_transfers(store, costa_desk)
    reconcile_statement(store, costa_desk, "vuelaclub", STATEMENT, "ana", NOW)
    return store


def test_reconciliation_opens_them_and_the_filters_pick_them(found: Store) -> None:
    every = list_discrepancies(found, "costa-azul")
    assert {d.id: (d.code, d.row, d.transfer_id) for d in every} == OPENED
    assert {d.status for d in every} == {"open"}
    # the statement's lines raised 1-4; a missing credit is no line of it
    by_name = list_discrepancies(
        found, "costa-azul", statement="vuelaclub_noviembre.csv"
    )
    assert [d.id for d in by_name] == [1, 2, 3, 4]
    assert list_discrepancies(found, "costa-azul", statement="other.csv") == []
    assert len(list_discrepancies(found, "costa-azul", partner="vuelaclub")) == 5
    assert list_discrepancies(found, "costa-azul", partner="skyclub") == []
    assert list_discrepancies(found, "costa-azul", state="closed") == []


def test_each_is_closed_once_with_what_settled_it_and_audited(
    found: Store, costa_desk: ResolvedClient
) -> None:
    # 1: the partner applied 2 points per mile to 40,000 points (20,000 miles
    # for 16,000): no points move on our side; the partner reverses 4,000.
    one = close_discrepancy(
        found,
        "costa-azul",
        1,
        "ana",
        LATER,
        no_action=True,
        note="VuelaClub reversed 4,000",
    )
    assert (one.status, one.resolution, one.settled_by, one.note) == (
        "closed",
        "no action",
        None,
        "VuelaClub reversed 4,000",
    )
    assert (one.closed_by, one.closed_at) == ("ana", "2026-12-02T10:00:00+00:00")
    # 5: CAZ-VC-0005 never credited: settled by transfer 5 itself (re-sent)
    five = close_discrepancy(found, "costa-azul", 5, "ana", LATER, transfer=5)
    assert (five.resolution, five.settled_by) == (
        "transfer #5 (CAZ-VC-0005)",
        "transfer:5",
    )
    # 3: goodwill of 1,000 points to the member, posted at once (ana's limit
    # is 5,000), settles it
    adjustment = request_adjustment(
        found,
        costa_desk,
        "300112457",
        1000,
        AdjustmentReason.PARTNER_DISCREPANCY,
        "credit lost at VuelaClub",
        "ana",
        LATER,
    )
    assert adjustment.status == "posted"
    three = close_discrepancy(
        found, "costa-azul", 3, "ana", LATER, adjustment=adjustment.id
    )
    assert (
        three.resolution
        == f"adjustment #{adjustment.id} (posting #{adjustment.posting_id})"
    )
    assert three.settled_by == f"adjustment:{adjustment.id}"

    assert [d.id for d in list_discrepancies(found, "costa-azul", state="closed")] == [
        1,
        3,
        5,
    ]
    assert [d.id for d in list_discrepancies(found, "costa-azul", state="open")] == [
        2,
        4,
    ]
    audited = [
        (a, d["id"], d["resolution"])
        for a, d in _audits(found)
        if a == "partners close"
    ]
    assert audited == [
        ("partners close", 1, "no action"),
        ("partners close", 5, "transfer #5 (CAZ-VC-0005)"),
        ("partners close", 3, three.resolution),
    ]
    with pytest.raises(AccountError) as twice:
        close_discrepancy(
            found, "costa-azul", 5, "bob", LATER, no_action=True, note="x"
        )
    # the library's own call names no desk: UTC, said so
    assert str(twice.value) == (
        "discrepancy 5: closed already by ana at 2026-12-02 10:00 UTC "
        "(transfer #5 (CAZ-VC-0005))"
    )


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ({}, "discrepancy 2: expected one settlement (an adjustment, a transfer, "
         "or no action), found 0"),
        ({"transfer": 1, "no_action": True}, "discrepancy 2: expected one "
         "settlement (an adjustment, a transfer, or no action), found 2"),
        ({"no_action": True, "note": "  "}, "discrepancy 2: no action needs a "
         "note saying why"),
        ({"transfer": 99}, "transfer 99: no such transfer for costa-azul"),
        ({"adjustment": 7}, "adjustment 7: no such adjustment for costa-azul"),
    ],
)  # fmt: skip
def test_a_bad_close_is_refused_and_changes_nothing(
    found: Store, how: dict[str, object], message: str
) -> None:
    before = list_discrepancies(found, "costa-azul")
    audits = len(_audits(found))
    with pytest.raises(AccountError) as refused:
        close_discrepancy(found, "costa-azul", 2, "ana", LATER, **how)  # type: ignore[arg-type]
    assert str(refused.value) == message
    assert list_discrepancies(found, "costa-azul") == before
    assert len(_audits(found)) == audits


def test_an_adjustment_waiting_for_approval_settles_nothing(
    found: Store, costa_desk: ResolvedClient
) -> None:
    # 6,000 points is above ana's 5,000: it waits for a supervisor
    waiting = request_adjustment(
        found,
        costa_desk,
        "300112457",
        6000,
        AdjustmentReason.PARTNER_DISCREPANCY,
        "lost credit",
        "ana",
        LATER,
    )
    with pytest.raises(AccountError) as refused:
        close_discrepancy(found, "costa-azul", 2, "ana", LATER, adjustment=waiting.id)
    assert str(refused.value) == (
        f"adjustment {waiting.id}: pending, not posted; only a posted adjustment "
        "settles a discrepancy"
    )


def test_the_cli_lists_and_closes(costa_desk: ResolvedClient, tmp_path: Path) -> None:
    db, client = str(tmp_path / "c.db"), str(costa_desk.source_path)
    with Store.open(db) as store:
        sample_transfers(store, costa_desk)
        reconcile_statement(store, costa_desk, "vuelaclub", STATEMENT, "ana", NOW)
    code, out, err = run(
        "partners", "close", "4", "--no-action", "--note", "ours, keyed by VuelaClub",
        "--client", client, "--db", db, "--operator", "ana", "--at", "2026-12-02 11:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("#4 vuelaclub credit_without_transfer (")
    # at the desk (Madrid), as the --at was given (trial 22: raw UTC)
    assert out.rstrip().endswith(
        "[closed by ana at 2026-12-02 11:00 CET: no action "
        "(ours, keyed by VuelaClub)]"
    )
    code, out, err = run(
        "partners", "close", "4", "--transfer", "2", "--client", client, "--db", db
    )
    assert code == 2
    assert err.strip().endswith(
        "discrepancy 4: closed already by ana at 2026-12-02 11:00 CET (no action)"
    )
    code, out, _ = run(
        "partners", "discrepancies", "--state", "open", "--partner", "vuelaclub",
        "--client", client, "--db", db,
    )  # fmt: skip
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["#1", "#2", "#3", "#5"]
    code, _, err = run(
        "partners",
        "discrepancies",
        "--partner",
        "skyclub",
        "--client",
        client,
        "--db",
        db,
    )
    assert code == 2 and "skyclub" in err
