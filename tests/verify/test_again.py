"""A claim in review on a record a keying slip away is checked again once its
own record arrives (`claimflow.verify.again`).

Trial (an Argentine dealer program, es_AR): claim PA-601 for invoice
``0004-00000300`` was verified before the dealer's export held that
invoice; verification took ``0004-00000200`` (the same dealer D03, part
FIL-01 and date, one digit away), which invoiced 1 unit, not 2, and sent
PA-601 to review (``quantity_above_invoiced: expected 1 as in source
record 0004-00000200 (ventas_1.csv:row 2, a keying slip from
0004-00000300), found 2``). The dealer's next export held ``0004-00000300`` (2 units,
$ 4.938,00), but ``source import`` re-checked only claims awaiting source
data: PA-601 stayed in review on another sale's invoice, its 2 units
counted against that invoice's line. Now it is checked again against its
own invoice: verified, accepted, its reasons gone, its units off the other
line; a replay under the same rules changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import Store, load_client
from claimflow.verify.run import verify_claims_per_claim
from tests.test_cli import run
from tests.test_trial39_argentina import CLIENT as ARGENTINA

# The Argentine dealer program of trial 39, verifying against its exports
CLIENT = ARGENTINA.replace(
    "eligible_skus: [FIL-01]\n",
    "eligible_skus: [FIL-01]\nverification:\n  source_date_order: DMY\n"
    "  source_number_locale: es_AR\n",
)
HEADER = (
    "Solicitud;Vendedor;Concesionario;Comprobante;Fecha factura;Producto;"
    "Cantidad;Precio unitario;Importe;Recibido\n"
)
PA601 = (
    "PA-601;V0004;D03;0004-00000300;23/11/2026;FIL-01;2;$ 2.469,00;$ 4.938,00;"
    "24/11/2026 10:00\n"
)
# Another rep's claim of the neighbouring invoice's one unit.
PA610 = (
    "PA-610;V0007;D03;0004-00000200;23/11/2026;FIL-01;1;$ 2.469,00;$ 2.469,00;"
    "27/11/2026 10:00\n"
)
EXPORT = "Comprobante;Fecha factura;Concesionario;Producto;Cantidad;Importe\n"
NEIGHBOUR = EXPORT + "0004-00000200;23/11/2026;D03;FIL-01;1;$ 2.469,00\n"
OWN = EXPORT + "0004-00000300;23/11/2026;D03;FIL-01;2;$ 4.938,00\n"


class Desk:
    """The trial's store, driven through the CLI at the desk's times."""

    def __init__(self, write: Callable[..., Path], tmp_path: Path) -> None:
        self.write = write
        self.client = str(write("pampa.yaml", CLIENT))
        self.db = str(tmp_path / "ar.db")

    def __call__(self, *args: str, ok: tuple[int, ...] = (0, 1)) -> tuple[int, str]:
        code, out, err = run(*args, "--client", self.client, "--db", self.db)
        assert code in ok, out + err
        return code, out

    def ingest(self, name: str, text: str, at: str) -> None:
        self("ingest", str(self.write(name, HEADER + text)), "--at", at)

    def source(self, name: str, text: str, at: str) -> tuple[int, str]:
        return self("source", "import", str(self.write(name, text)), "--at", at)

    def exported(self) -> dict[str, tuple[str, str]]:
        _, out = self("export", "claims", "--out", "-", ok=(0,))
        rows = [line.split(",") for line in out.splitlines()[1:]]
        return {r[1]: (r[8], r[9]) for r in rows}

    def verifications(self, claim_ref: str) -> list[tuple[str, str]]:
        with Store.open(self.db) as store:
            return [
                (str(r), str(s))
                for r, s in store.db.execute(
                    "SELECT v.result, v.source_ids FROM verifications v "
                    "JOIN claims c ON c.id = v.claim_id "
                    "WHERE json_extract(c.data, '$.claim_ref') = ? ORDER BY v.id",
                    [claim_ref],
                )
            ]


@pytest.fixture
def desk(write: Callable[..., Path], tmp_path: Path) -> Desk:
    desk = Desk(write, tmp_path)
    desk.ingest("uno.csv", PA601, "2026-11-24T12:00")
    code, out = desk.source("ventas_1.csv", NEIGHBOUR, "2026-11-25T12:00")
    assert code == 1  # as verify exits (it exited 0)
    assert "PA-601 (uno.csv:row 2): discrepancy -> review" in out
    # the record compared with is named, a keying slip from the claim's own
    assert (
        "quantity_above_invoiced: expected 1 as in source record 0004-00000200 "
        "(ventas_1.csv:row 2, a keying slip from 0004-00000300), found 2"
    ) in out
    assert desk.exported()["PA-601"] == ("review", "quantity_above_invoiced")
    _, out = desk("replay", ok=(0,))  # as the check saw the store: unchanged
    assert "1 claims replayed, 0 changed, +0 points" in out
    return desk


def test_the_own_invoice_arriving_verifies_the_claim(desk: Desk) -> None:
    code, out = desk.source("ventas_2.csv", OWN, "2026-11-26T12:00")
    assert (code, "pampa-dealers: 1 claim verified: verified 1" in out) == (0, True)
    # before: ("review", "quantity_above_invoiced") for good
    assert desk.exported()["PA-601"] == ("accepted", "")
    # source record 1 is 0004-00000200, 2 is 0004-00000300
    assert desk.verifications("PA-601") == [("discrepancy", "[1]"), ("verified", "[2]")]
    # paid on its own invoice: $ 4.938,00 at 1 point per $ 1.000 (floor) = 4
    _, out = desk("award", "--json", "--at", "2026-11-26T13:00")
    assert json.loads(out)["points"] == 4
    code, out = desk("replay", ok=(0,))
    assert "1 claims replayed, 0 changed, +0 points" in out
    # a later verify finds nothing more to do
    _, out = desk("verify", "--at", "2026-11-27T12:00", ok=(0,))
    assert "0 claims verified" in out


def test_its_units_no_longer_hold_the_neighbouring_invoice(desk: Desk) -> None:
    """Before: PA-601's 2 units stayed matched to 0004-00000200, and the
    claim of that invoice's one unit went to review as 3 units of 1."""
    desk.source("ventas_2.csv", OWN, "2026-11-26T12:00")
    desk.ingest("dos.csv", PA610, "2026-11-27T12:00")
    _, out = desk("verify", "--at", "2026-11-27T13:00", ok=(0,))
    assert "1 claim verified: verified 1" in out
    assert desk.exported() == {"PA-601": ("accepted", ""), "PA-610": ("accepted", "")}


def test_a_decided_claim_stays_decided(desk: Desk) -> None:
    desk("decide", "PA-601", "reject", "--reason", "no such sale", "--at",
         "2026-11-25T15:00", ok=(0,))  # fmt: skip
    _, out = desk.source("ventas_2.csv", OWN, "2026-11-26T12:00")
    assert "0 claims verified" in out
    assert desk.exported()["PA-601"][0] == "rejected"
    assert desk.verifications("PA-601") == [("discrepancy", "[1]")]


def test_a_claim_in_review_on_its_own_invoice_keeps_its_reasons(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """Matched exactly and in review for its quantity: another export (a
    re-sent file of the same invoice) checks nothing again."""
    desk = Desk(write, tmp_path)
    desk.ingest("uno.csv", PA601, "2026-11-24T12:00")
    one_unit = EXPORT + "0004-00000300;23/11/2026;D03;FIL-01;1;$ 2.469,00\n"
    desk.source("ventas_1.csv", one_unit, "2026-11-25T12:00")
    assert desk.exported()["PA-601"] == ("review", "quantity_above_invoiced")
    _, out = desk.source("ventas_2.csv", OWN + "\n", "2026-11-26T12:00")
    assert "0 claims verified" in out
    assert desk.exported()["PA-601"] == ("review", "quantity_above_invoiced")
    assert desk.verifications("PA-601") == [("discrepancy", "[1]")]


def test_claim_by_claim_checks_it_again_too(desk: Desk) -> None:
    """The reference path (`verify_claims_per_claim`) the sets are held to."""
    with Store.open(desk.db) as store:
        from claimflow.verify.source import import_source

        client = load_client(desk.client)
        at = datetime(2026, 11, 26, 15, tzinfo=UTC)
        with store.transaction():
            import_source(store, client, desk.write("ventas_2.csv", OWN), at)
        result = verify_claims_per_claim(store, client, now=at)
    assert (result.verified, dict(result.results)) == (1, {"verified": 1})
    assert desk.exported()["PA-601"] == ("accepted", "")



def test_source_import_exits_as_verify_does(desk: Desk) -> None:
    """``source import`` exited 0 when the re-check it ran sent PA-601 to
    review (the fixture's import: ``discrepancy -> review``), where
    ``verify`` exits 1. Now it exits 1 while a claim it checked is not
    verified, and 0 when every one is or it checked none."""
    code, out = desk.source("ventas_1.csv", NEIGHBOUR, "2026-11-25T13:00")
    assert (code, "already imported" in out) == (0, True)  # checked none
    desk.ingest("dos.csv", PA610.replace("0004-00000200", "0004-00007777"),
                "2026-11-27T12:00")  # fmt: skip
    code, out = desk.source("ventas_2.csv", OWN, "2026-11-28T12:00")
    assert "2 claims verified: not_found 1, verified 1" in out
    assert "PA-610 (dos.csv:row 2): not_found -> pended" in out
    assert code == 1
    assert desk("verify", "--at", "2026-11-28T13:00")[0] == 1
