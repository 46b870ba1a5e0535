"""Trial 35 (an Indian dealer program, bharat-pumps): a paid invoice line
claimed again with another quantity was paid again.

IN-105 (rep 5004, dealer D03, invoice INV/26/0005: 2 x MOTOR-5 for
₹25,000 and 4 x VALVE-2 for ₹3,999.96; the dealer's export invoices 2 and 4)
is verified and paid 389 points. IN-302, the same rep, dealer, invoice, date
and SKU for 1 x MOTOR-5 (₹12,500), was no duplicate ("0 duplicates, 0 to
review": the quantity was part of the invoice key), verified ("verified 1")
and paid 175 points: 3 units paid against 2 invoiced.

Points by hand (rules FY26: 1 point per ₹100 pro rata, +50 a MOTOR-5,
floor per claim): IN-105 250 + 39.9996 + 2 x 50 = 389.9996 -> 389; IN-302
125 + 50 = 175.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import Store
from tests.test_cli import run

CLIENT = """\
schema_version: 1
client: bharat-pumps
name: Bharat Pumps Dealer Rewards
kind: sales
locale: en_IN
language: en
date_order: DMY
currency: INR
timezone: Asia/Kolkata
claim_window_days: 90
columns:
  claim_ref: ["Claim No"]
  participant_id: ["Rep ID"]
  dealer_id: ["Dealer ID"]
  invoice_number: ["Invoice No"]
  invoice_date: ["Invoice Date"]
  sku: ["Product"]
  quantity: ["Qty"]
  unit_price: ["Unit Price"]
  line_total: ["Amount"]
  received_at: ["Received"]
eligible_skus: [PUMP-1, MOTOR-5, VALVE-2]
verification:
  required: true
  source_date_order: DMY
  source_number_locale: en_IN
award:
  activity_date: invoice_date
  currency: INR
  rounding_mode: floor
  rounding_scope: claim
  pending_days: 0
  expiry: {policy: none}
  products:
    MOTOR-5: {group: motors}
    VALVE-2: {group: valves}
  rule_sets:
    - version: "FY26"
      effective_from: 2026-04-01
      rules:
        - {id: spend, kind: per_currency, points: 1, per: 100, basis: pro_rata}
        - {id: motor-bonus, kind: per_unit, points: 50, scope: {groups: [motors]}}
"""
HEADER = "Claim No,Dealer ID,Rep ID,Invoice No,Invoice Date,Product,Qty,Unit Price,Amount,Received\n"
NOVEMBER = HEADER + (
    "IN-105,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,21/11/2026\n"
    "IN-105,D03,5004,INV/26/0005,10/11/2026,VALVE-2,4,999.99,3999.96,21/11/2026\n"
)
SOURCE = """\
Invoice No,Invoice Date,Dealer ID,Product,Qty,Amount
INV/26/0005,10/11/2026,D03,MOTOR-5,2,"25,000.00"
INV/26/0005,10/11/2026,D03,VALVE-2,4,"3,999.96"
"""
MEMBERS = """\
participant_id,first_name,last_name,email,company,tier,enrolled_on,status
5004,Meera,Iyer,m@x.in,D03,,01/04/2025,active
5005,Ravi,Kumar,r@x.in,D03,,01/04/2025,active
"""


def _cf(db: Path, client: Path, *args: str) -> tuple[int, str]:
    code, out, err = run(*args, "--client", str(client), "--db", str(db))
    assert code in (0, 1), err
    return code, out


def _paid_in105(tmp_path: Path, write: Callable[..., Path]) -> tuple[Path, Path]:
    """A store where IN-105 is verified and paid 389 points."""
    db, client = tmp_path / "bharat.db", write("bharat.yaml", CLIENT)
    _cf(db, client, "ingest", str(write("november.csv", NOVEMBER)))
    _cf(db, client, "participants", "import", str(write("members.csv", MEMBERS)))
    _cf(db, client, "source", "import", str(write("dealer_sales.csv", SOURCE)))
    _cf(db, client, "verify")
    _cf(db, client, "award")
    assert _points(db) == {"IN-105": 389}
    return db, client


def _points(db: Path) -> dict[str, int]:
    with Store.open(db) as store:
        return {
            ref: int(points)
            for ref, points in store.db.execute(
                "SELECT json_extract(c.data, '$.claim_ref'), sum(l.points) "
                "FROM ledger l JOIN claims c ON c.id = l.claim_id GROUP BY c.id"
            )
        }


def _outcomes(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        return dict(
            store.db.execute(
                "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
            )
        )


def _again(quantity: int, rep: str = "5004") -> str:
    amount = 12500 * quantity
    return HEADER + (
        f"IN-302,D03,{rep},INV/26/0005,10/11/2026,MOTOR-5,{quantity},12500,{amount},"
        "03/12/2026\n"
    )


@pytest.mark.parametrize(
    ("quantity", "summary", "outcome", "compared"),
    [
        # the trial's claim: the same invoice line, 1 unit after 2 paid
        (1, "0 duplicates, 1 to review", "review",
         "invoice INV/26/0005 vs INV/26/0005, SKU MOTOR-5, quantity 1 vs 2"),
        # a larger quantity than the paid claim's is no less the same line
        (3, "0 duplicates, 1 to review", "review",
         "invoice INV/26/0005 vs INV/26/0005, SKU MOTOR-5, quantity 3 vs 2"),
        # the same quantity stays a certain duplicate, as before
        (2, "1 duplicate, 0 to review", "duplicate",
         "invoice INV/26/0005 vs INV/26/0005, SKU MOTOR-5"),
    ],
)  # fmt: skip
def test_a_paid_invoice_line_claimed_again_with_another_quantity_is_held(
    tmp_path: Path,
    write: Callable[..., Path],
    quantity: int,
    summary: str,
    outcome: str,
    compared: str,
) -> None:
    db, client = _paid_in105(tmp_path, write)
    _cf(db, client, "ingest", str(write("again.csv", _again(quantity))))
    code, out = _cf(db, client, "dedupe", "claims", "--json")
    found = json.loads(out)
    assert code == 1
    assert f"{found['duplicates']} duplicate" in summary
    assert f"{found['to_review']} to review" in summary
    # the invoice rule's match first (the same rep, SKU and quantity within
    # 3 days, without serials, adds a review to a duplicate, as before)
    match = found["matches"][0]
    assert (match["decision"], match["compared"]) == (outcome, compared)
    assert _outcomes(db)["IN-302"] == outcome
    _cf(db, client, "verify")
    _cf(db, client, "award")
    assert _points(db) == {"IN-105": 389}  # IN-302 is never paid


def test_the_summary_names_the_review_and_both_quantities(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db, client = _paid_in105(tmp_path, write)
    _cf(db, client, "ingest", str(write("again.csv", _again(1))))
    code, out = _cf(db, client, "dedupe", "claims")
    assert code == 1
    assert "0 duplicates, 1 to review" in out
    assert (
        "same invoice and SKU for the same dealer, another quantity: the line's "
        "units split between claims, or claimed again (invoice INV/26/0005 vs "
        "INV/26/0005, SKU MOTOR-5, quantity 1 vs 2)"
    ) in " ".join(out.split())


@pytest.mark.sqlite_only(reason="makes an earlier release's store with SQLite's own DDL")
def test_a_store_of_an_earlier_release_meets_the_line_on_its_stored_keys(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """The stored keys do not change: migration 35 only indexes them by
    invoice line, and a store made before it finds IN-302 once migrated."""
    import sqlite3

    db, client = _paid_in105(tmp_path, write)
    old = sqlite3.connect(db)
    old.executescript(
        "DROP INDEX claim_keys_line;"
        "DELETE FROM _sqlite_migrations WHERE name = 'm035_invoice_line_index';"
    )
    old.close()
    _cf(db, client, "ingest", str(write("again.csv", _again(1))))
    code, out = _cf(db, client, "dedupe", "claims")
    assert code == 1 and "0 duplicates, 1 to review" in out
    with Store.open(db) as store:
        assert store.db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'claim_keys_line'"
        ).fetchone()


def _verify_json(db: Path, client: Path) -> dict[str, object]:
    _, out = _cf(db, client, "verify", "--json")
    found: dict[str, object] = json.loads(out)
    return found


@pytest.mark.parametrize(
    ("quantity", "rep", "result", "points"),
    [
        # the trial's claim, verified before dedupe ran: 2 + 1 > 2 invoiced
        (1, "5004", "discrepancy", {"IN-105": 389}),
        # another rep's claim of the same line, no less
        (1, "5005", "discrepancy", {"IN-105": 389}),
    ],
)
def test_verify_counts_the_units_other_accepted_claims_took_of_the_line(
    tmp_path: Path,
    write: Callable[..., Path],
    quantity: int,
    rep: str,
    result: str,
    points: dict[str, int],
) -> None:
    db, client = _paid_in105(tmp_path, write)
    _cf(db, client, "ingest", str(write("again.csv", _again(quantity, rep))))
    found = _verify_json(db, client)
    assert found["results"] == {result: 1}
    (detail,) = found["details"]  # type: ignore[misc]
    assert detail["outcome"] == "review"
    (problem,) = detail["problems"]
    assert problem.startswith(
        "quantity_above_invoiced: expected at most 0 more MOTOR-5 as in the source "
        "record (2 invoiced, 2 already claimed: 2 on claim IN-105 ("
    ), problem
    assert problem.endswith("), found 1")
    _cf(db, client, "award")
    assert _points(db) == points


def test_a_line_split_between_two_claims_verifies_within_what_was_invoiced(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """1 + 1 of 2 invoiced: both verified and paid. By hand: 125 + 50 = 175
    each; IN-105 then claims only its valves: 3,999.96 / 100 -> 39."""
    db, client = tmp_path / "bharat.db", write("bharat.yaml", CLIENT)
    first = HEADER + (
        "IN-105,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,1,12500,12500,21/11/2026\n"
        "IN-105,D03,5004,INV/26/0005,10/11/2026,VALVE-2,4,999.99,3999.96,21/11/2026\n"
    )
    _cf(db, client, "ingest", str(write("november.csv", first)))
    _cf(db, client, "participants", "import", str(write("members.csv", MEMBERS)))
    _cf(db, client, "source", "import", str(write("dealer_sales.csv", SOURCE)))
    _cf(db, client, "verify")
    _cf(db, client, "ingest", str(write("again.csv", _again(1, "5005"))))
    found = _verify_json(db, client)
    assert found["results"] == {"verified": 1}
    _cf(db, client, "award")
    assert _points(db) == {"IN-105": 214, "IN-302": 175}
    # a third unit is one more than invoiced
    third = _again(1, "5005").replace("IN-302", "IN-303")
    _cf(db, client, "ingest", str(write("third.csv", third)))
    found = _verify_json(db, client)
    assert found["results"] == {"discrepancy": 1}
    _cf(db, client, "award")
    assert _points(db) == {"IN-105": 214, "IN-302": 175}


def test_replay_is_told_the_units_the_live_check_counted(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-302 verified as 1 + 1 of 2: its verification records IN-105's
    unit (`verifications.knew`), and a replay under the same rules changes
    nothing, even once IN-105 is no longer accepted (a later fact)."""
    db, client = tmp_path / "bharat.db", write("bharat.yaml", CLIENT)
    first = NOVEMBER.replace(",MOTOR-5,2,12500,25000,", ",MOTOR-5,1,12500,12500,")
    _cf(db, client, "ingest", str(write("november.csv", first)))
    _cf(db, client, "participants", "import", str(write("members.csv", MEMBERS)))
    _cf(db, client, "source", "import", str(write("dealer_sales.csv", SOURCE)))
    _cf(db, client, "verify")
    _cf(db, client, "ingest", str(write("again.csv", _again(1, "5005"))))
    _cf(db, client, "verify")
    _cf(db, client, "award")
    with Store.open(db) as store:
        ids = dict(store.db.execute("SELECT json_extract(data, '$.claim_ref'), id FROM claims"))
        (knew,) = store.db.execute(
            "SELECT knew FROM verifications WHERE claim_id = ?", [ids["IN-302"]]
        ).fetchone()
        (units,) = json.loads(knew)["units"].values()
        assert units == [[ids["IN-105"], 1]]
    code, out = _cf(db, client, "replay")
    assert code == 0, out
