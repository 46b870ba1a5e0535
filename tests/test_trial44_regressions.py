"""Trial 44: a month of a Mexican dealer desk (es_MX, MXN, America/Mexico_City).

Three figures went wrong over the month, each taken here from the trial's
own example with the points worked out by hand:

- a member list could not be taken in ``--at`` a past instant, so a desk
  keying a past month had every back-dated award run of a program with a
  tier bonus wait (``not_enrolled``: "found first recorded at <today>");
- an adjustment's ``--reference`` was compared as typed: ``tck-0101`` with
  +250 after ``TCK-0101`` with +200 posted a second goodwill;
- a claim the batch rules sent to review (an invoice line split between two
  reps), accepted, was paid unverified where awards wait for a verified
  result: 2 units on top of 1 paid of a line of 2 invoiced.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from claimflow.cli import main

CLIENT = """\
schema_version: 1
client: mx-dealers
name: Programa Socios Distribuidores MX
kind: sales
locale: es_MX
language: es
date_order: DMY
currency: MXN
timezone: America/Mexico_City
claim_window_days: 90
columns:
  claim_ref: ["No. Reclamo"]
  participant_id: ["Socio"]
  invoice_number: ["Factura"]
  invoice_date: ["Fecha Factura"]
  sku: ["Producto"]
  quantity: ["Cantidad"]
  unit_price: ["Precio Unitario"]
  line_total: ["Importe"]
  received_at: ["Recibido"]
eligible_skus: [BOM-100, MOT-200]
verification: {required: true}
calendar: {country: MX}
accounts:
  point_value: "0.10"
  approval_limits: {clerk: 1000, supervisor: null}
  operators: {lupe: clerk, sofia: supervisor}
  tiers: [plata, oro]
award:
  activity_date: invoice_date
  currency: MXN
  rounding_mode: floor
  rounding_scope: claim
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: bomba, kind: per_unit, points: 12, scope: {skus: [BOM-100]}}
        - {id: motor, kind: per_unit, points: 25, scope: {skus: [MOT-200]}}
        - {id: oro, kind: tier_bonus, percent: {oro: 10}}
"""

MEMBERS = """\
participant_id,first_name,last_name,tier,enrolled_on,status
MX10001,Ana,Torres,oro,01/05/2024,active
MX10002,Jorge,Ramírez,plata,15/02/2024,active
MX10004,Luis,Pérez,plata,20/06/2025,active
"""

HEADER = (
    "No. Reclamo,Socio,Factura,Fecha Factura,Producto,Cantidad,"
    "Precio Unitario,Importe,Recibido\n"
)


def _desk(tmp_path: Path) -> tuple[list[str], Path]:
    client = tmp_path / "mx-dealers.yaml"
    client.write_text(CLIENT, encoding="utf-8")
    (tmp_path / "socios.csv").write_text(MEMBERS, encoding="utf-8")
    return ["--client", str(client), "--db", str(tmp_path / "desk.db")], tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _points(opts: list[str], participant: str, at: str) -> int:
    code, out = _run("ledger", "balance", participant, *opts, "--as-of", at)
    assert code == 0, out
    found = re.match(rf"{participant}: ([\d,]+) points", out)
    assert found, out
    return int(found.group(1).replace(",", ""))


def test_member_list_taken_in_at_a_past_instant_is_read_by_a_later_back_dated_run(
    tmp_path: Path,
) -> None:
    opts, here = _desk(tmp_path)
    (here / "b1.csv").write_text(
        HEADER + 'C-1001,MX10001,F-1001,28/10/2026,MOT-200,2,"4,500.00","9,000.00",'
        "2026-11-02T09:30\n",
        encoding="utf-8",
    )
    (here / "ventas.csv").write_text(
        "invoice_number,invoice_date,dealer_id,sku,quantity,amount\n"
        "F-1001,2026-10-28,D-GDL-01,MOT-200,2,9000.00\n",
        encoding="utf-8",
    )
    code, out = _run(
        "participants", "import", str(here / "socios.csv"), *opts,
        "--at", "2026-11-01T08:00",
    )  # fmt: skip
    assert code == 0, out
    assert _run("ingest", str(here / "b1.csv"), *opts, "--at", "2026-11-02T11:00")[0] == 0
    assert _run("source", "import", str(here / "ventas.csv"), *opts,
                "--at", "2026-11-02T12:00")[0] == 0  # fmt: skip
    code, out = _run("award", *opts, "--at", "2026-11-02T13:00")
    # before: "expected on the member list recorded by 2026-11-02 13:00 CST
    # ..., found first recorded at <today>" (not_enrolled), nothing paid
    assert code == 0, out
    assert "not_enrolled" not in out
    # by hand: 2 x 25 = 50 base, oro 10% = 5 -> 55
    assert _points(opts, "MX10001", "2026-11-02T14:00") == 2 * 25 + 5
    # a list taken in at a later instant than now is refused, nothing written
    code, out = _run(
        "participants", "import", str(here / "socios.csv"), *opts, "--at", "2999-01-01"
    )
    assert code == 2 and "in the future" in out, out


def test_adjustment_reference_is_compared_as_redemption_references_are(
    tmp_path: Path,
) -> None:
    opts, here = _desk(tmp_path)
    assert _run("participants", "import", str(here / "socios.csv"), *opts)[0] == 0
    base = ["--reason", "goodwill", "--note", "retraso en captura", "--operator", "lupe"]
    code, out = _run("ledger", "adjust", "MX10002", "200", *base,
                     "--reference", "TCK-0101", *opts)  # fmt: skip
    assert code == 0 and "posted" in out, out
    # another request under the same ticket keyed in lower case: refused
    # (before: posted as adjustment #2, 450 points paid for one ticket)
    code, out = _run("ledger", "adjust", "MX10002", "250", *base,
                     "--reference", "tck-0101", *opts)  # fmt: skip
    assert code == 2, out
    assert "used before as 'TCK-0101'" in out and "points +250, not +200" in out, out
    # the same request retried with a space for the dash: nothing posted
    code, out = _run("ledger", "adjust", "MX10002", "200", *base,
                     "--reference", "TCK 0101", *opts)  # fmt: skip
    assert code == 0 and "requested before" in out, out
    # a reference of punctuation only would match every other such one
    code, out = _run("ledger", "adjust", "MX10002", "5", *base,
                     "--reference", "--", *opts)  # fmt: skip
    assert code == 2 and "letters or digits" in out, out
    assert _points(opts, "MX10002", "2999-01-01") == 200  # one goodwill of 200


def test_claim_accepted_in_review_before_any_verification_waits_for_it(
    tmp_path: Path,
) -> None:
    opts, here = _desk(tmp_path)
    assert _run("participants", "import", str(here / "socios.csv"), *opts,
                "--at", "2026-11-01")[0] == 0  # fmt: skip
    # invoice F-1010 holds 2 motors; Luis claims 1, Jorge 2 (the same line
    # in another quantity: review at ingest, never verified)
    (here / "b3.csv").write_text(
        HEADER
        + 'C-1010,MX10004,F-1010,30/10/2026,MOT-200,1,"4,500.00","4,500.00",'
        "2026-11-10T09:30\n"
        + 'C-1011,MX10002,F-1010,30/10/2026,MOT-200,2,"4,500.00","9,000.00",'
        "2026-11-10T09:40\n",
        encoding="utf-8",
    )
    (here / "ventas.csv").write_text(
        "invoice_number,invoice_date,dealer_id,sku,quantity,amount\n"
        "F-1010,2026-10-30,D-MTY-02,MOT-200,2,9000.00\n",
        encoding="utf-8",
    )
    code, out = _run("ingest", str(here / "b3.csv"), *opts, "--at", "2026-11-10T11:00")
    assert code == 1 and "possible_duplicate" in out, out
    assert _run("source", "import", str(here / "ventas.csv"), *opts,
                "--at", "2026-11-10T12:00")[0] == 0  # fmt: skip
    assert _run("award", *opts, "--at", "2026-11-10T13:00")[0] == 0
    assert _points(opts, "MX10004", "2026-11-10T14:00") == 25  # 1 x 25, plata
    code, out = _run("decide", "C-1011", "accept", "--reason", "venta dividida",
                     *opts, "--operator", "sofia", "--at", "2026-11-11T10:00")  # fmt: skip
    assert code == 0, out
    code, out = _run("award", *opts, "--at", "2026-11-11T10:30")
    # before: 2 x 25 = 50 paid: 3 motors paid of 2 invoiced
    assert _points(opts, "MX10002", "2026-11-11T11:00") == 0, out
    # and the run says why it paid nothing (it said only "nothing new to award")
    assert (
        "1 accepted claim waits for verify before an award can pay it "
        "(verification.required)"
    ) in out, out
    code, out = _run("verify", *opts, "--at", "2026-11-11T10:40")
    assert code == 1, out
    assert "quantity_above_invoiced" in out and "1 on claim C-1010" in out, out
    code, out = _run("decide", "C-1011", "reject", "--reason", "2 facturados",
                     *opts, "--operator", "sofia", "--at", "2026-11-11T10:45")  # fmt: skip
    assert code == 0, out
    assert _run("award", *opts, "--at", "2026-11-11T10:50")[0] == 0
    # paid on F-1010: Luis's 1 of the 2 invoiced, nothing to Jorge
    assert _points(opts, "MX10002", "2026-11-11T11:00") == 0
    assert _points(opts, "MX10004", "2026-11-11T11:00") == 25


def test_sla_definition_names_the_turnaround_day_as_an_english_ordinal(
    tmp_path: Path,
) -> None:
    from claimflow import load_client
    from claimflow.report.sla import sla_definitions

    path = tmp_path / "mx-dealers.yaml"
    path.write_text(CLIENT + "sla: {turnaround_days: 3}\n", encoding="utf-8")
    lines = sla_definitions(load_client(path), "Period: 2026-11.")
    turnaround = next(line for line in lines if line.startswith("Turnaround:"))
    # before: "on or before the 3th business day"
    assert "on or before the 3rd business day" in turnaround, turnaround
    # by hand, as English writes them
    for days, written in [(1, "1st"), (2, "2nd"), (7, "7th"), (11, "11th"),
                          (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd")]:  # fmt: skip
        path.write_text(CLIENT + f"sla: {{turnaround_days: {days}}}\n", encoding="utf-8")
        lines = sla_definitions(load_client(path), "Period: 2026-11.")
        assert f"on or before the {written} business day" in " ".join(lines), days
