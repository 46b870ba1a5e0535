"""A key a keying slip away is the claim's record only when the rest agrees.

A neighbouring invoice of another dealer for another product, or another
guest's folio on other dates, is not the claim's record: the claim waits for
its own (``source_not_found``, pended) and is re-checked on the next import.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from claimflow import ResolvedClient, Store, ingest
from tests.verify.test_verify import _import, _results

SALE_CLAIMS = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Invoice No,Invoice Date,Product Code,"
    "Qty,Unit Price,Line Amount,Serial Numbers,Received\n"
    # INV-50160 for INV-50106 (swapped digits), all else as invoiced
    "AC-9001,104233,Maria Lopez,D-MKE-02,INV-50160,11/03/2026,IMP-450,1,179.00,"
    "179.00,IM50000001,2026-11-10T09:00:00\n"
    # INV-83306: one slip from INV-83308, of another dealer, product and day
    "AC-9002,105540,Emily Nguyen,D-MKE-02,INV-83306,11/03/2026,IMP-450,1,179.00,"
    "179.00,IM50000002,2026-11-10T09:10:00\n"
    # INV-50160 again, same dealer and day, another product: the record, checked
    "AC-9003,105540,Emily Nguyen,D-MKE-02,INV-50160,11/03/2026,SAW-310,1,179.00,"
    "179.00,SW50000003,2026-11-10T09:20:00\n"
    # same dealer, but neither its product nor its day: another sale
    "AC-9004,104233,Maria Lopez,D-MKE-02,INV-50160,11/05/2026,GRN-115,1,89.00,"
    "89.00,GR50000004,2026-11-10T09:30:00\n"
)
SALES = (
    "invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers\n"
    "INV-50106,2026-11-03,D-MKE-02,IMP-450,1,179.00,IM50000001\n"
    "INV-83308,2026-11-04,D-CHI-01,DRL-200,4,596.00,"
    "DR50000011 DR50000012 DR50000013 DR50000014\n"
)


def _checks(store: Store, ref: str) -> tuple[list[int], dict[str, dict[str, object]]]:
    source_ids, details = store.db.execute(
        "SELECT v.source_ids, v.details FROM verifications v JOIN claims c "
        "ON c.id = v.claim_id WHERE json_extract(c.data, '$.claim_ref') = ? "
        "ORDER BY v.id DESC LIMIT 1",
        [ref],
    ).fetchone()
    checks = {c["field"]: c for c in json.loads(details)["checks"]}
    return json.loads(source_ids), checks


def _source_id(store: Store, number: str) -> int:
    """The id of the one source record of this invoice or confirmation."""
    (row,) = store.db.execute(
        "SELECT id FROM source_records WHERE ? IN "
        "(json_extract(data, '$.invoice_number'), "
        "json_extract(data, '$.confirmation_number'))",
        [number],
    ).fetchall()
    return int(row[0])


def test_sale_slip_matches_only_where_dealer_and_product_or_date_agree(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    ingest([write("claims.csv", SALE_CLAIMS)], acme, store)
    _import(store, acme, write("sales.csv", SALES))
    found = _results(store)
    near = _source_id(store, "INV-50106")

    # One slip, the dealer agreeing: matched to INV-50106 and compared.
    assert found["AC-9001"] == ("verified", "accepted", [])
    ids, checks = _checks(store, "AC-9001")
    assert ids == [near]
    assert checks["invoice_number"]["source"] == "INV-50106"
    assert checks["invoice_number"]["note"] == "keying slip"
    assert checks["dealer_id"]["ok"] is True
    assert found["AC-9003"] == ("discrepancy", "review", ["source_mismatch"])
    ids, checks = _checks(store, "AC-9003")
    assert ids == [near]
    assert checks["sku"] == {
        "field": "sku",
        "claimed": "SAW-310",
        "source": "IMP-450",
        "ok": False,
        "affects_award": True,
        "note": "",
    }

    # The same slip to another dealer's invoice of another product: not its
    # record, nothing compared, as when nothing is near.
    assert found["AC-9002"] == ("not_found", "pended", ["source_not_found"])
    assert _checks(store, "AC-9002") == ([], {})
    # The dealer agreeing, but neither product nor day: not its record either.
    assert found["AC-9004"] == ("not_found", "pended", ["source_not_found"])
    assert _checks(store, "AC-9004") == ([], {})
    matched = store.db.execute(
        "SELECT COUNT(*) FROM verification_matches WHERE source_id = ?",
        [_source_id(store, "INV-83308")],
    ).fetchone()[0]
    assert matched == 0

    # The seller's own record of INV-83306 arrives: re-checked and verified.
    _import(
        store,
        acme,
        write(
            "late.csv",
            "invoice_number,invoice_date,dealer_id,sku,quantity,amount,"
            "serial_numbers\n"
            "INV-83306,2026-11-03,D-MKE-02,IMP-450,1,179.00,IM50000002\n",
        ),
    )
    assert _results(store)["AC-9002"] == ("verified", "accepted", [])
    assert _checks(store, "AC-9002")[0] == [_source_id(store, "INV-83306")]


STAY_CLAIMS = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
    # MD5510010 for MD5510100 (swapped digits), all else as on the folio
    "CA-901;300131118;Ana María Güell;CAZ-MAD;MD5510010;04/11/2026;06/11/2026;"
    "390,00;EUR;BAR;Directo;F-1;10/11/2026;sí\n"
    # one slip from MD7720300: another guest's folio, on other dates
    "CA-902;300131118;Ana María Güell;CAZ-MAD;MD7720030;06/11/2026;07/11/2026;"
    "200,00;EUR;BAR;Directo;F-2;10/11/2026;sí\n"
    # the guest agreeing, another departure: the record, checked
    "CA-903;300170045;Pedro Alarcón;CAZ-MAD;MD8830400;12/11/2026;14/11/2026;"
    "250,00;EUR;BAR;Directo;F-3;15/11/2026;sí\n"
)
STAYS = (
    "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
    "currency,rate_code,booking_channel,folio_number\n"
    "CAZ-MAD,MD5510100,GUELL/ANA MARIA MS,2026-11-04,2026-11-06,390.00,EUR,BAR,"
    "DIRECT,F-1\n"
    "CAZ-MAD,MD7720300,PEREZ/JUAN MR,2026-11-08,2026-11-10,200.00,EUR,BAR,DIRECT,F-2\n"
    "CAZ-MAD,MD8830040,ALARCON/PEDRO MR,2026-11-12,2026-11-13,250.00,EUR,BAR,"
    "DIRECT,F-3\n"
)


def test_stay_slip_matches_only_where_guest_or_dates_agree(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    ingest([write("retro.csv", STAY_CLAIMS)], costa, store)
    _import(store, costa, write("stays.csv", STAYS))
    found = _results(store)

    assert found["CA-901"] == ("verified", "accepted", [])
    ids, checks = _checks(store, "CA-901")
    assert ids == [_source_id(store, "MD5510100")]
    assert checks["confirmation_number"]["note"] == "keying slip"
    assert found["CA-903"] == ("discrepancy", "review", ["source_mismatch"])
    ids, checks = _checks(store, "CA-903")
    assert ids == [_source_id(store, "MD8830040")]
    assert (checks["check_out"]["claimed"], checks["check_out"]["source"]) == (
        "2026-11-14",
        "2026-11-13",
    )

    # Juan Pérez's folio one slip away, on other dates: not her stay.
    assert found["CA-902"] == ("not_found", "pended", ["source_not_found"])
    assert _checks(store, "CA-902") == ([], {})
