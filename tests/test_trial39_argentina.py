"""Trial 39, the Argentine dealer program (pampa-dealers: es_AR, ARS where
``$`` is the peso, invoices ``0004-00000300``: point of sale 4, number 300).

Two sales a rep made on one day, of the same part at the same quantity, on
the dealer's next invoice (``0004-00000301``) or the same number at its
other point of sale (``0005-00000300``), were closed by ``dedupe claims`` as
duplicates of ``0004-00000300`` ("same invoice and SKU for the same dealer
(1 keying slip)"): the zeros padding each number made the fold
``400000300`` 9 characters long, and one slip on a long number with the same
rep and date is taken for certain. As keyed, the number is as short as
``4-300``: one slip on it is a person's to judge (review), and never pays
nothing unseen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from claimflow import Store
from claimflow.dedupe.match_types import key_length
from claimflow.store.source import source_ids_between, source_rows
from tests.test_cli import run

CLIENT = """\
schema_version: 1
client: pampa-dealers
name: Pampa Agro Incentivos
kind: sales
locale: es_AR
language: es
date_order: DMY
currency: ARS
timezone: America/Argentina/Buenos_Aires
claim_window_days: 90
columns:
  claim_ref: ["Solicitud"]
  participant_id: ["Vendedor"]
  dealer_id: ["Concesionario"]
  invoice_number: ["Comprobante"]
  invoice_date: ["Fecha factura"]
  sku: ["Producto"]
  quantity: ["Cantidad"]
  unit_price: ["Precio unitario"]
  line_total: ["Importe"]
  received_at: ["Recibido"]
formats:
  invoice_number: '^\\d{4}-\\d{8}$'
eligible_skus: [FIL-01]
award:
  activity_date: invoice_date
  currency: ARS
  rounding_mode: floor
  pending_days: 0
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: ventas, kind: per_currency, points: 1, per: 1000, basis: pro_rata}
"""
HEADER = (
    "Solicitud;Vendedor;Concesionario;Comprobante;Fecha factura;Producto;"
    "Cantidad;Precio unitario;Importe;Recibido\n"
)
FIRST = HEADER + (
    "PA-601;V0004;D03;0004-00000300;23/11/2026;FIL-01;2;$ 2.469,00;$ 4.938,00;"
    "24/11/2026 10:00\n"
)
LATER = HEADER + (
    "PA-602;V0004;D03;0004-00000301;23/11/2026;FIL-01;2;$ 2.469,00;$ 4.938,00;"
    "25/11/2026 10:00\n"
    "PA-603;V0004;D03;0005-00000300;23/11/2026;FIL-01;2;$ 2.469,00;$ 4.938,00;"
    "25/11/2026 10:05\n"
)


@pytest.mark.parametrize(
    ("keyed", "length"),
    [("0004-00000300", 4), ("0001-00012345", 6), ("INV-20417", 8), ("FV/2026/301", 9)],
)
def test_key_length_leaves_out_the_padding(keyed: str, length: int) -> None:
    assert key_length(keyed) == length


def test_next_invoice_and_other_point_of_sale_are_reviewed_not_closed(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    client = write("pampa.yaml", CLIENT)
    db = str(tmp_path / "ar.db")
    for name, text in (("uno.csv", FIRST), ("dos.csv", LATER)):
        code, _, err = run("ingest", str(write(name, text)), "--client", str(client), "--db", db)
        assert code == 0, err
    code, out, _ = run("dedupe", "claims", "--client", str(client), "--db", db, "--json")
    matches = json.loads(out)["matches"]
    invoice = [m for m in matches if m["rule"].startswith("same invoice and SKU")]
    assert {(m["claim_id"][-2:], m["decision"]) for m in invoice} == {
        ("r2", "review"),
        ("r3", "review"),
    }
    assert all(m["decision"] == "review" for m in matches)
    code, out, _ = run("export", "claims", "--client", str(client), "--db", db, "--out", "-")
    outcomes = {line.split(",")[1]: line.split(",")[8] for line in out.splitlines()[1:]}
    assert outcomes == {"PA-601": "accepted", "PA-602": "review", "PA-603": "review"}


SOURCE = """\
Comprobante;Fecha factura;Concesionario;Producto;Cantidad;Importe
0009-00000001;4 de diciembre de 2026;D09;FIL-01;1;$ 1.234,56
0009-00000002;04/12/2026;D09;FIL-01;2;{amount}
"""
SOURCE_SETTINGS = "verification:\n  source_date_order: DMY\n  source_number_locale: es_AR\n"


@pytest.mark.parametrize("amount", ["US$ 1.234,56", "U$S 1.234,56", "USD 1.234,56"])
def test_a_dealer_export_in_dollars_is_refused_not_read_as_pesos(
    write: Callable[..., Path], tmp_path: Path, amount: str
) -> None:
    """A dealer's export with 'US$ 1.234,56' under Importe was imported as
    1234.56 (the source reader took any currency sign), to be compared with
    claims in pesos. It is refused, naming row and column, nothing stored."""
    client = write("pampa.yaml", CLIENT + SOURCE_SETTINGS)
    export = write("ventas.csv", SOURCE.format(amount=amount))
    db = str(tmp_path / "ar.db")
    code, out, err = run("source", "import", str(export), "--client", str(client), "--db", db)
    assert code == 2, out
    assert f"ventas.csv: row 3:Importe: expected an amount in ARS, found '{amount}'" in err
    assert "currency mismatch" in err


def test_a_dealer_export_in_pesos_with_a_named_month(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """'4 de diciembre de 2026' in an export was refused ("expected a date as
    DD/MM/YYYY"), though claims and member lists read it; '$ 1.234,56' is
    pesos."""
    client = write("pampa.yaml", CLIENT + SOURCE_SETTINGS)
    export = write("ventas.csv", SOURCE.format(amount="$ 2.469,12"))
    db = str(tmp_path / "ar.db")
    code, out, err = run(
        "source", "import", str(export), "--client", str(client), "--db", db, "--json"
    )
    assert code == 0, err
    with Store.open(db) as store:
        ids = source_ids_between(store, "pampa-dealers", date(2026, 12, 4), date(2026, 12, 4))
        rows = source_rows(store, ids)
    records = sorted((json.loads(data) for _, _, data in rows), key=lambda r: r["invoice_number"])
    assert [(r["invoice_number"], r["invoice_date"], r["amount"]) for r in records] == [
        ("0009-00000001", "2026-12-04", "1234.56"),
        ("0009-00000002", "2026-12-04", "2469.12"),
    ]


def test_queue_as_of_lists_a_claim_closed_as_a_duplicate_only_later(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """`queue --as-of` before a `dedupe claims` run left out PA-702, which
    that run closed as a duplicate of PA-701 only afterwards: the queue
    took the claims closed now as closed then. As of then it was work."""
    client = write("pampa.yaml", CLIENT)
    db = str(tmp_path / "ar.db")
    first = HEADER + (
        "PA-701;V0004;D03;0004-00000700;23/11/2026;FIL-01;1;$ 2.469,00;$ 2.469,00;"
        "24/11/2026 10:00\n"
    )
    again = first.replace("PA-701", "PA-702").replace("24/11/2026 10:00", "25/11/2026 10:00")
    for name, text in (("uno.csv", first), ("dos.csv", again)):
        code, _, err = run("ingest", str(write(name, text)), "--client", str(client), "--db", db)
        assert code == 0, err
    then = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    while datetime.now(UTC) <= then:
        time.sleep(0.05)
    code, out, _ = run("dedupe", "claims", "--client", str(client), "--db", db)
    assert code == 1 and "PA-702" in out and "duplicate of PA-701" in out
    queue = ("queue", "--client", str(client), "--db", db, "--csv")
    code, out, err = run(*queue, "--as-of", then.isoformat())
    assert code == 0, err
    assert [line.rsplit(",", 1)[1].split(" ")[0] for line in out.splitlines()[1:]] == [
        "PA-701",
        "PA-702",
    ]
    code, out, _ = run(*queue)
    assert [line.rsplit(",", 1)[1].split(" ")[0] for line in out.splitlines()[1:]] == [
        "PA-701"
    ]
