"""Trial 34 (a Hungarian dealer program): a claim pended because the desk's
received date could not be read (the batch's time stood in), then corrected
and resubmitted with a date alone (00:00 at the desk, so "received" before
the stand-in time)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.test_cli import run

CLIENT = """\
schema_version: 1
client: hu-dealer
name: Hűtő és Klíma Partnerprogram
kind: sales
locale: hu_HU
language: en
date_order: YMD
currency: HUF
timezone: Europe/Budapest
claim_window_days: 90
columns:
  claim_ref: ["Igénylés"]
  participant_id: ["Értékesítő"]
  participant_name: ["Név"]
  dealer_id: ["Kereskedő kód"]
  invoice_number: ["Számlaszám"]
  invoice_date: ["Számla kelte"]
  sku: ["Cikkszám"]
  quantity: ["Mennyiség"]
  unit_price: ["Egységár"]
  line_total: ["Összeg"]
  serial_numbers: ["Gyári számok"]
  received_at: ["Beérkezett"]
participant_columns:
  first_name: ["Utónév"]
  last_name: ["Vezetéknév"]
  tier: ["Szint"]
  enrolled_on: ["Belépés"]
eligible_skus: [HUT-300]
sla: {turnaround_days: 8, first_response_hours: 8, on_time_target: 0.9,
      max_error_rate: 0.005}
calendar: {country: HU}
verification:
  required: true
  source_number_locale: hu_HU
  source_date_order: YMD
  source_columns:
    invoice_number: ["Számlaszám"]
    invoice_date: ["Kelt"]
    dealer_id: ["Vevő"]
    sku: ["Cikkszám"]
    quantity: ["Mennyiség"]
    amount: ["Nettó összeg"]
    serial_numbers: ["Gyári számok"]
award:
  activity_date: invoice_date
  currency: HUF
  rounding_mode: floor
  rounding_scope: claim
  pending_days: 0
  expiry: {policy: none}
  products:
    HUT-300: {group: hutok}
  rule_sets:
    - version: "2026-H2"
      effective_from: 2026-07-01
      rules:
        - {id: hutok-ft, kind: per_currency, points: 1, per: 1000, basis: pro_rata,
           scope: {groups: [hutok]}}
accounts:
  point_value: "1"
  tiers: [ezüst, arany]
"""
HEADER = (
    "Igénylés;Értékesítő;Név;Kereskedő kód;Számlaszám;Számla kelte;Cikkszám;"
    "Mennyiség;Egységár;Összeg;Gyári számok;Beérkezett\n"
)
SALE = "R-9;HU10004;Nagy Ödön;K-GY-03;SZ-2026-007001;2026.10.13;HUT-300;1;189 990;189 990 Ft;HT30007;"
SOURCE = (
    "Számlaszám;Kelt;Vevő;Cikkszám;Mennyiség;Nettó összeg;Gyári számok\n"
    "SZ-2026-007001;2026-10-13;K-GY-03;HUT-300;1;189 990,00;HT30007\n"
)
MEMBERS = "Vezetéknév;Utónév;Értékesítő;Szint;Belépés\nNagy;Ödön;HU10004;ezüst;2022.09.09\n"


def _files(tmp_path: Path) -> tuple[list[str], Path, Path, Path]:
    client = tmp_path / "hu-dealer.yaml"
    client.write_text(CLIENT, encoding="utf-8")
    first, fixed = tmp_path / "elso.csv", tmp_path / "javitott.csv"
    # '2026. 10. 41.' (no such day; the trial's '2026. 10. 14.' is read now): pended
    # invalid_date, the batch's time (13:22 at the desk) standing in.
    first.write_text(HEADER + SALE + "2026. 10. 41.\n", encoding="utf-8")
    # the correction: a date alone, 00:00 at the desk, before 13:22
    fixed.write_text(HEADER + SALE + "2026.10.14\n", encoding="utf-8")
    db = tmp_path / "store.db"
    return ["--client", str(client), "--db", str(db)], first, fixed, db


def _outcomes(opts: list[str]) -> list[tuple[str, str, str]]:
    code, out, err = run("export", "claims", *opts, "--out", "-")
    assert code == 0, err
    rows = csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    return [(r["source"], r["outcome"], r["reason_codes"]) for r in rows]


def test_a_corrected_resubmission_received_earlier_than_a_stand_in_time_supersedes(
    tmp_path: Path,
) -> None:
    """The pended original was made a duplicate of its correction (the
    correction's 00:00 was earlier than the stand-in 13:22), then the
    correction a duplicate of the original at verification: 189 points went
    unpaid, exit 0. The stand-in time is not evidence of order: the
    correction supersedes the pended claim and is paid 189 points
    (189 990 Ft x 1 per 1 000, floor)."""
    opts, first, fixed, _ = _files(tmp_path)
    code, _, err = run("ingest", str(first), *opts, "--at", "2026-10-14T13:22")
    assert code == 1, err
    code, _, err = run("ingest", str(fixed), *opts, "--at", "2026-10-14T14:05")
    assert code == 0, err
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0, (out, err)
    found = json.loads(out)
    assert found["duplicates"] == 0 and found["matches"] == []
    assert len(found["superseded"]) == 1
    members, source = tmp_path / "tag.csv", tmp_path / "forgalom.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    source.write_text(SOURCE, encoding="utf-8")
    assert run("participants", "import", str(members), *opts)[0] == 0
    code, out, err = run("source", "import", str(source), *opts)
    assert code == 0, (out, err)
    code, out, err = run("award", *opts, "--json")
    assert code == 0, (out, err)
    outcomes = _outcomes(opts)
    assert [(o, r) for _, o, r in outcomes] == [
        ("superseded", "invalid_date"),
        ("accepted", ""),
    ], outcomes
    code, out, err = run("ledger", "balance", "HU10004", *opts, "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 189


def test_a_claim_is_never_the_duplicate_of_its_own_duplicate_at_verification(
    tmp_path: Path,
) -> None:
    """The sale keyed first (received 15:00) and again in a later batch from
    the paper form received at 09:00: dedupe makes the first keyed the
    duplicate (the earliest received is the original), and verification
    then made the original a duplicate of it ('serial_claimed_before ... by
    claim R-9'): neither was paid. A duplicate is never an original: the
    original is paid 189 points (189 990 Ft x 1 per 1 000, floor)."""
    opts, first, fixed, _ = _files(tmp_path)
    first.write_text(HEADER + SALE + "2026.10.14 15:00\n", encoding="utf-8")
    fixed.write_text(HEADER + SALE + "2026.10.14 09:00\n", encoding="utf-8")
    assert run("ingest", str(first), *opts, "--at", "2026-10-14T16:00")[0] == 0
    assert run("ingest", str(fixed), *opts, "--at", "2026-10-15T10:00")[0] == 0
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 1, (out, err)
    assert json.loads(out)["duplicates"] == 1
    members, source = tmp_path / "tag.csv", tmp_path / "forgalom.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    source.write_text(SOURCE, encoding="utf-8")
    assert run("participants", "import", str(members), *opts)[0] == 0
    code, out, err = run("source", "import", str(source), *opts)
    assert code == 0, (out, err)
    assert run("award", *opts)[0] == 0
    outcomes = _outcomes(opts)
    assert [(o, r) for _, o, r in outcomes] == [
        ("duplicate", "serial_claimed_before,duplicate_claim"),
        ("accepted", ""),
    ], outcomes
    code, out, err = run("ledger", "balance", "HU10004", *opts, "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 189
