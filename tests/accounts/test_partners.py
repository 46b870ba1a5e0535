"""Partner transfers: a ledger debit, the miles recorded, once per reference, audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from claimflow import ResolvedClient, Store
from claimflow.accounts.partners import PartnerError, Transfer, transfer_points
from claimflow.award.ledger import balance
from tests.accounts.helpers import fund

AT = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
WHO = "300112457"


def _transfer(
    store: Store, client: ResolvedClient, points: int = 60_000, **change: str
) -> Transfer:
    args = {"member": "VC10000001", "reference": "CAZ-VC-0001", "partner": "vuelaclub"}
    args.update(change)
    return transfer_points(
        store,
        client,
        args["partner"],
        change.get("who", WHO),
        points,
        args["member"],
        args["reference"],
        "ana",
        AT,
    )


def _counts(store: Store) -> tuple[int, int, int]:
    return (
        store.count("ledger"),
        store.count("partner_transfers"),
        store.count("audit_log"),
    )


def test_a_transfer_debits_the_ledger_and_records_the_miles(
    store: Store, costa: ResolvedClient
) -> None:
    fund(store, costa, WHO, 70_000)
    done = _transfer(store, costa)
    # 60,000 points at 5/2 points per mile = 24,000 miles, + 5,000 for the
    # one complete 60,000-point block
    assert done == Transfer(
        1,
        "vuelaclub",
        "CAZ-VC-0001",
        WHO,
        "VC10000001",
        60_000,
        24_000,
        5_000,
        29_000,
        AT.isoformat(),
    )
    assert balance(store, "costa-azul", WHO, AT).available == 10_000
    entry_type, points, reason = store.db.execute(
        "SELECT entry_type, points, reason FROM ledger ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (entry_type, points, reason) == ("redemption", -60_000, "vuelaclub CAZVC1")
    actor, action, detail = store.db.execute(
        "SELECT actor, action, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (actor, action) == ("ana", "partners transfer")
    assert json.loads(detail)["miles"] == 29_000


def test_the_same_transfer_again_is_a_no_op(
    store: Store, costa: ResolvedClient
) -> None:
    fund(store, costa, WHO, 70_000)
    first = _transfer(store, costa)
    before = _counts(store)
    again = _transfer(store, costa, reference="caz vc 0001")  # the same, normalised
    assert again.repeated and again.id == first.id
    assert _counts(store) == before
    assert balance(store, "costa-azul", WHO, AT).available == 10_000


@pytest.mark.parametrize(
    ("points", "change", "message"),
    [
        (
            60_000,
            {"reference": "CAZ-VC-0001", "member": "VC10000009"},
            # in the desk's figures and zone (es_ES, Madrid: 12:00 UTC is 13:00
            # CET), as redeem's refusal is (trial 22: raw UTC)
            "reference 'CAZ-VC-0001' was used before: transfer #1 of 60.000 points "
            f"by participant {WHO} to vuelaclub member VC10000001 at "
            "2026-11-03 13:00 CET; give each transfer its own",
        ),
        (
            9_999,
            {"reference": "R2"},
            "expected at least 10.000 points for a vuelaclub transfer, found 9.999",
        ),
        (
            10_001,
            {"reference": "R3"},
            f"participant {WHO}: expected at most 10.000 points (available), "
            "found 10.001 to transfer to vuelaclub",
        ),
        (
            10_000,
            {"reference": "R4", "member": "VC1234"},
            "member number 'VC1234': expected the vuelaclub format ^VC\\d{8}$, "
            "found something else",
        ),
        (
            10_000,
            {"reference": "R5", "partner": "iberia"},
            "samples/clients/costa-azul.yaml: partners: expected one of vuelaclub, "
            "found 'iberia'",
        ),
        (
            10_000,
            {"reference": "R6", "who": "999"},
            "participant 999: not on costa-azul's member list or ledger",
        ),
    ],
)
def test_refusals_name_the_problem_and_change_nothing(
    store: Store,
    costa: ResolvedClient,
    points: int,
    change: dict[str, str],
    message: str,
) -> None:
    fund(store, costa, WHO, 70_000)
    _transfer(store, costa)
    before = _counts(store)
    with pytest.raises(PartnerError) as caught:
        _transfer(store, costa, points, **change)
    assert str(caught.value).endswith(message)
    assert _counts(store) == before
    assert balance(store, "costa-azul", WHO, AT).available == 10_000


def test_a_transfer_under_a_plain_redemptions_reference_is_refused(
    store: Store, costa: ResolvedClient
) -> None:
    """A redemption's retry is now a no-op; a transfer whose ledger reference
    a plain redemption holds (the same points, the same member) must not take
    that for its own debit: the 60,000 points paid for the order, and would
    be credited as 29,000 miles too."""
    from claimflow.award.ledger import redeem

    fund(store, costa, WHO, 130_000)
    with store.transaction():
        redeem(store, "costa-azul", WHO, 60_000, "vuelaclub CAZVC1", "ana", AT)
    before = _counts(store)
    with pytest.raises(PartnerError) as caught:
        _transfer(store, costa)
    assert str(caught.value) == (
        "reference 'CAZ-VC-0001': redeemed as 'vuelaclub CAZVC1', not transferred; "
        "give the transfer its own"
    )
    assert _counts(store) == before
    assert balance(store, "costa-azul", WHO, AT).available == 70_000
