"""``claimflow partners transfer`` and ``reconcile``: messages, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from claimflow import ResolvedClient, Store
from claimflow.cli import main
from tests.accounts.helpers import fund, sample_transfers
from tests.conftest import SAMPLES

CLIENT = str(SAMPLES / "clients" / "costa-azul.yaml")
STATEMENT = str(SAMPLES / "costa-azul" / "partners" / "vuelaclub_noviembre.csv")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _transfer(db: Path, *extra: str) -> tuple[int, str, str]:
    return _run(
        "partners", "transfer", "300112457", "60000", "--partner", "vuelaclub",
        "--member-number", "VC10000001", "--reference", "CAZ-VC-0001",
        "--client", CLIENT, "--db", str(db), "--operator", "ana", *extra,
    )  # fmt: skip


def test_transfer_posts_once_and_says_so(tmp_path: Path, costa: ResolvedClient) -> None:
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        fund(store, costa, "300112457", 60_000)
    assert _transfer(db) == (
        0,
        "300112457: 60.000 points -> 29.000 vuelaclub miles incl. 5.000 bonus "
        "to VC10000001 (CAZ-VC-0001)\n",
        "",
    )
    code, out, _ = _transfer(db, "--json")
    assert code == 0
    assert json.loads(out) | {"transferred_at": None} == {
        "id": 1, "partner": "vuelaclub", "reference": "CAZ-VC-0001",
        "participant_id": "300112457", "member_number": "VC10000001",
        "points": 60000, "base_miles": 24000, "bonus_miles": 5000, "miles": 29000,
        "transferred_at": None, "repeated": True,
    }  # fmt: skip


def test_transfer_refusal_is_one_line_and_exit_2(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        fund(store, costa, "300112457", 10_000)
    assert _transfer(db) == (
        2,
        "",
        # in the es_ES desk's figures: 10,000 there reads as ten
        "claimflow: error: participant 300112457: expected at most 10.000 points "
        "(available), found 60.000 to transfer to vuelaclub\n",
    )


def test_reconcile_reports_each_fault_and_exits_1(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        sample_transfers(store, costa)
    args = ["partners", "reconcile", STATEMENT, "--partner", "vuelaclub"]
    code, out, err = _run(*args, "--client", CLIENT, "--db", str(db))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == (
        f"{STATEMENT}: 7 lines through 2026-11-22, 3 credited as expected, "
        "5 discrepancies (5 opened now, 0 resolved)"
    )
    # the statement's total row (228,333 points, 105,333 miles) is the sum
    # of its seven lines, checked and left out with a note
    assert lines[1] == (
        f"note: {STATEMENT}: row 9: total row, equals the rows' sum; not a record"
    )
    assert [line.split(":")[0].strip() for line in lines[2:]] == [
        "wrong_ratio",
        "duplicate_credit",
        "unknown_member",
        "credit_without_transfer",
        "missing_credit",
    ]
    code, out, _ = _run(*args, "--client", CLIENT, "--db", str(db))
    assert out.splitlines() == [
        f"{STATEMENT}: 7 lines through 2026-11-22, 3 credited as expected, "
        "5 discrepancies (reconciled before: nothing opened)",
        *lines[1:],
    ]
    code, out, _ = _run(*args, "--client", CLIENT, "--db", str(db), "--json")
    report = json.loads(out)
    assert code == 1
    assert (report["opened"], report["repeated"], len(report["findings"])) == (
        0,
        True,
        5,
    )


def test_reconcile_of_an_unknown_partner_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    Store.open(db).close()
    code, out, err = _run(
        "partners", "reconcile", STATEMENT, "--partner", "iberia",
        "--client", CLIENT, "--db", str(db),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"claimflow: error: {CLIENT}: partners: expected one of vuelaclub, "
        "found 'iberia'\n"
    )


def test_one_point_is_one_point_in_balance_expire_and_transfer(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    """Trial: `ledger balance`, `ledger expire` and `partners transfer` said
    "1 points" (and "1 vuelaclub miles"); one point is "1 point". Costa
    Azul's program with a 1-point minimum and 1 point per mile, so that one
    point can be transferred."""
    config = tmp_path / "costa-azul.yaml"
    config.write_text(
        Path(CLIENT)
        .read_text(encoding="utf-8")
        .replace('points_per_mile: "5/2"', 'points_per_mile: "1"')
        .replace("minimum_points: 10000", "minimum_points: 1"),
        encoding="utf-8",
    )
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        fund(store, costa, "300112457", 2)
    where = ("--client", str(config), "--db", str(db))
    # fixed expiry, 24 months: the lot posted 2026-10-01 expires 2028-10-01
    code, out, err = _run(
        "ledger", "expire", *where, "--as-of", "2028-10-02", "--preview"
    )
    assert (code, out, err) == (0, "2 points would expire (preview: nothing posted)\n", "")
    code, out, err = _run(
        "partners", "transfer", "300112457", "1", "--partner", "vuelaclub",
        "--member-number", "VC10000001", "--reference", "CAZ-VC-0001", *where,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("300112457: 1 point -> 1 vuelaclub mile to VC10000001")
    code, out, err = _run("ledger", "balance", "300112457", *where)
    assert (code, err) == (0, "")
    assert out.startswith("300112457: 1 point (1 available, 0 pending")
    code, out, err = _run(
        "ledger", "redeem", "300112457", "2", "--reference", "R-1", *where
    )
    assert code == 2 and "has 1 point available; cannot redeem 2\n" in err
    code, out, err = _run(
        "ledger", "expire", *where, "--as-of", "2028-10-02", "--preview"
    )
    assert (code, out, err) == (0, "1 point would expire (preview: nothing posted)\n", "")


def test_one_point_earning_no_mile_is_said_in_the_singular(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    """The refusal read "1 points earn 0 vuelaclub miles at 2 points per mile"."""
    config = tmp_path / "costa-azul.yaml"
    config.write_text(
        Path(CLIENT)
        .read_text(encoding="utf-8")
        .replace('points_per_mile: "5/2"', 'points_per_mile: "2"')
        .replace("minimum_points: 10000", "minimum_points: 1"),
        encoding="utf-8",
    )
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        fund(store, costa, "300112457", 5)
    code, out, err = _run(
        "partners", "transfer", "300112457", "1", "--partner", "vuelaclub",
        "--member-number", "VC10000001", "--reference", "CAZ-VC-0001",
        "--client", str(config), "--db", str(db),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: error: 1 point earns 0 vuelaclub miles at 2 points per mile\n"
    )
