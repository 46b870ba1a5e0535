"""Double entry: every planted slip found and named, none invented; adjudication audited."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import ClaimflowError, ResolvedClient, Store, ingest
from claimflow.verify.double_entry import (
    adjudicate,
    classify,
    compare,
    sample,
    write_decisions,
)
from tests.conftest import SAMPLES

FOLDER = SAMPLES / "acme-tools/double-entry"
ANA, BEN = FOLDER / "keying_ana.csv", FOLDER / "keying_ben.csv"
COLUMN_FIELD = {
    "Invoice No": "invoice_number",
    "Serial Numbers": "serial_numbers",
    "Rep #": "participant_id",
    "Invoice Date": "invoice_date",
    "Line Amount": "line_total",
    "Qty": "quantity",
}


def test_compare_finds_every_planted_slip_and_nothing_else(
    acme: ResolvedClient,
) -> None:
    planted = json.loads((FOLDER / "planted.json").read_text())
    found = compare(ANA, BEN, acme)
    assert sorted((d.key, d.field, d.first, d.second, d.slip) for d in found) == sorted(
        (p["claim"], COLUMN_FIELD[p["column"]], p["first"], p["second"], p["slip"])
        for p in planted
    )


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        ("INV-20417", "INV-20471", "transposition"),
        ("DR0010", "DRO010", "O/0 or I/1 swap"),
        ("104233", "10433", "dropped character"),
        ("03/04/2026", "04/03/2026", "day/month swap"),
        ("149.00", "149.00", "other"),
        # trial 33: an amount as Babel writes it in fr_CA, the mark slipped
        ("1\u00a0234,56\u00a0$", "1\u00a0234.56\u00a0$", "decimal mark"),
        ("CAD 5,00", "CAD 5.00", "decimal mark"),
        ("1 234,56 $", "1 234.56 €", "other"),
        ("5", "7", "other"),
    ],
)
def test_classify(a: str, b: str, slip: str) -> None:
    assert (
        classify(a, b, {"unit_price": "149.00"} if slip == "x" else {}, "MDY") == slip
    )


def test_adjudication_writes_final_values_and_an_audit_trail(
    acme: ResolvedClient, store: Store, tmp_path: Path
) -> None:
    decisions = tmp_path / "decisions.csv"
    write_decisions(compare(ANA, BEN, acme), decisions)
    rows = list(csv.DictReader(decisions.open(encoding="utf-8-sig")))
    choice = {
        "DE-003": ("first", ""),
        "DE-005": ("source", ""),
        "DE-007": ("first", ""),
        "DE-011": ("first", ""),
        "DE-015": ("other", "104216"),
        "DE-023": ("first", ""),
        "DE-027": ("first", ""),
        "DE-031": ("first", ""),
    }
    for row in rows:
        row["decision"], row["value"] = choice[row["key"]]
    with decisions.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    final = tmp_path / "final.csv"
    with store.transaction():
        done = adjudicate(
            decisions,
            ANA,
            BEN,
            acme,
            store,
            operators=("ana", "ben"),
            actor="lead",
            final=final,
            now=datetime(2026, 11, 2, tzinfo=UTC),
        )
    assert done.corrections == 8
    assert done.document_faults == ["DE-005:invoice_date"]
    # ben was overruled 6 times; both were wrong on the "other" value.
    assert done.errors == {"ben": 7, "ana": 1}
    final_rows = {
        r["Claim ID"]: r for r in csv.DictReader(final.open(encoding="utf-8"))
    }
    assert final_rows["DE-005"]["Invoice Date"] == "10/06/2026"
    assert final_rows["DE-027"]["Qty"] == "2"
    assert final_rows["DE-015"]["Rep #"] == "104216"
    assert final_rows["DE-003"]["Invoice No"] == "INV-200003"
    audit = [
        json.loads(d)
        for (d,) in store.db.execute(
            "SELECT detail FROM audit_log WHERE action = 'entry adjudicate' ORDER BY id"
        )
    ]
    assert {a["key"]: (a["old"], a["new"], a["decision"]) for a in audit}["DE-015"] == (
        "104215",
        "104216",
        "other",
    )
    checks = store.db.execute(
        "SELECT operator, field, checked, errors FROM entry_checks WHERE errors > 0 "
        "ORDER BY operator, field"
    ).fetchall()
    assert checks == [
        ("ana", "participant_id", 50, 1),
        ("ben", "invoice_number", 50, 2),
        ("ben", "line_total", 50, 1),
        ("ben", "participant_id", 50, 1),
        ("ben", "quantity", 50, 1),
        ("ben", "serial_numbers", 50, 2),
    ]
    # both keyings are on record, the overruled one too (trial 33)
    assert {a["key"]: a["keyed"] for a in audit}["DE-015"] == {"ana": "104215", "ben": "10415"}
    # run again, the same decisions on the same keyings count nothing twice
    with pytest.raises(ClaimflowError, match="were adjudicated already"), store.transaction():
        adjudicate(decisions, ANA, BEN, acme, store, operators=("ana", "ben"), actor="lead",
                   final=final, now=datetime(2026, 11, 3, tzinfo=UTC))  # fmt: skip
    assert store.db.execute("SELECT sum(errors) FROM entry_checks").fetchone() == (8,)
    total = store.db.execute(
        "SELECT sum(checked) FROM entry_checks WHERE operator = 'ana'"
    )
    assert (
        total.fetchone()[0] == done.checked["ana"] == 50 * 12
    )  # 12 keyed fields a form
    stakes = dict(
        store.db.execute(
            "SELECT claim_key || ':' || field || ':' || operator, points_at_stake "
            "FROM entry_errors"
        ).fetchall()
    )
    # What each error puts at stake (trial 33: an error that would pend the
    # claim, or send its points to another member, staked 0), by hand from
    # rule set 2026.2: a drill 30, doubled from 15 October (q4-cordless):
    assert stakes == {
        "DE-003:invoice_number:ben": 0,  # a valid number: the same points
        "DE-031:serial_numbers:ben": 0,  # a valid serial: the same points
        "DE-007:serial_numbers:ben": 30,  # DRO...: no serial format, pended
        "DE-011:invoice_number:ben": 30,  # INV-2000I1: no invoice format, pended
        "DE-027:quantity:ben": 60,  # 3 x 149.00 is not 298.00: pended
        "DE-023:line_total:ben": 120,  # 2 x 149.00 is not 149.00: pended (Oct 24: x2)
        "DE-015:participant_id:ana": 60,  # another member's number: all of it (x2)
        "DE-015:participant_id:ben": 60,
    }
    from claimflow.report.sla import build_report

    report = build_report("qa", store, acme, None, datetime(2026, 11, 2, tzinfo=UTC))
    weighted = report.tables["Errors weighted by consequence"].set_index("operator")
    assert weighted.loc["ben", "errors"] == 7 and weighted.loc["ana", "errors"] == 1
    assert weighted.loc["ben", "points_at_stake"] == 0 + 0 + 30 + 30 + 60 + 120 + 60
    ingested = ingest([final], acme, store)
    assert ingested.records == 50


def test_sample_is_sized_by_the_limit_and_reproducible(
    acme: ResolvedClient, store: Store
) -> None:
    ingest([ANA], acme, store)
    needed, picked = sample(store, 1, 0.005, 0.95, seed=4)
    again = sample(store, 1, 0.005, 0.95, seed=4)[1]
    assert needed == 598 and len(picked) == 598 and picked == again
    assert sample(store, 1, 0.005, 0.95, seed=5)[1] != picked


def test_adjudication_needs_two_keyers_and_a_third_to_decide(
    acme: ResolvedClient, store: Store, tmp_path: Path
) -> None:
    """'--keyed-by julie julie' was taken (errors doubled onto one clerk),
    and a clerk adjudicated her own keying (trial 33)."""
    from claimflow import adjudicate_keyings

    decisions = tmp_path / "decisions.csv"
    write_decisions(compare(ANA, BEN, acme), decisions)
    for keyed_by, actor, why in [
        (("julie", "julie"), "lead", "keyed by julie and julie: double entry is two"),
        (("julie", "marc"), "julie", "julie keyed one of these keyings: another operator"),
    ]:
        with pytest.raises(ClaimflowError, match=why):
            adjudicate_keyings(decisions, (ANA, BEN), acme, store, final=tmp_path / "f.csv",
                               keyed_by=keyed_by, operator=actor)  # fmt: skip
    assert store.count("entry_checks") == 0


def test_a_sample_of_a_batch_the_store_lacks_is_refused(store: Store) -> None:
    """'entry sample --batch 99' printed '0 picked', exit 0 (trial 33)."""
    from claimflow import StoreError, sample_fields

    with pytest.raises(StoreError, match="no batch 99"):
        sample_fields(99, store, max_error_rate=0.01)
