"""Claims and source lines read from store rows for verification in sets."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from claimflow.codes import ReasonCode
from claimflow.models import Problem, Provenance, SaleRecord, StayRecord
from claimflow.verify.match import FieldCheck, Verification
from claimflow.verify.rows import (
    claim_key,
    details_json,
    one_invoice,
    one_stay,
    read_claim,
)
from claimflow.verify.source import source_key

WHERE = Provenance(file="claims.csv", row=7)


@pytest.mark.parametrize(
    "text",
    ["D-CHI-01", "Dé-3 Ñandú", 'say "hi"', "back\\slash", "tab\there", "", "☃"],
)
def test_details_are_written_as_json_dumps_writes_them(text: str) -> None:
    verification = Verification(
        "c1",
        "discrepancy",
        (4,),
        (
            FieldCheck("dealer_id", text, text.upper(), False, False),
            FieldCheck("quantity", "2", "2", True, True, "keying slip"),
        ),
        (
            Problem(
                source=WHERE.at("dealer_id"),
                code=ReasonCode.SOURCE_MISMATCH,
                message=f"expected {text.upper()} as in the source record, found {text}",
                record_id="c1",
                field="dealer_id",
            ),
        ),
    )
    assert details_json(verification) == json.dumps(
        {
            "checks": [c.__dict__ for c in verification.checks],
            "problems": [p.model_dump(mode="json") for p in verification.problems],
        }
    )


def _row(kind: str, invoice: object = None, hotel: object = None) -> tuple[object, ...]:
    confirmation = "md-0100" if kind == "stay" else None
    return (1, "c1", kind, 1, "accepted", "P1", invoice, hotel, confirmation)


def test_claim_keys_are_the_source_records_keys() -> None:
    sale = SaleRecord(
        invoice_number="INV-0020417",
        invoice_date=date(2026, 10, 2),
        dealer_id="D-1",
        sku="DRL-200",
        quantity=1,
        amount=Decimal("149.00"),
        provenance=WHERE,
    )
    stay = StayRecord(
        hotel_code="caz-mad",
        confirmation_number="MD100",
        guest_name="RUIZ/ANA",
        arrival=date(2026, 10, 2),
        departure=date(2026, 10, 4),
        room_revenue=Decimal("100.00"),
        currency="EUR",
        provenance=WHERE,
    )
    assert claim_key(_row("sales", " inv 20417 ")) == source_key(sale)
    assert claim_key(_row("stay", hotel="CAZ-MAD")) == source_key(stay)


def _fields(**values: object) -> tuple[object, ...]:
    fields = {
        "invoice_number": "INV-1",
        "invoice_date": "2026-10-02",
        "dealer_id": "D-1",
        "lines": json.dumps([{"sku": "DRL-200", "quantity": 2, "line_total": "2.50"}]),
    } | values
    return (
        1,
        WHERE.model_dump_json(),
        *(fields.get(name) for name in ("invoice_number", "invoice_date")),
        fields.get("dealer_id"),
        fields.get("lines"),
        *(None,) * 7,
    )


def test_a_claim_is_read_as_its_model_types_it() -> None:
    claim = read_claim(_row("sales", "INV-1"), _fields())
    assert claim is not None
    assert claim.invoice_date == date(2026, 10, 2)
    assert claim.lines[0].quantity == 2
    assert claim.lines[0].line_total == Decimal("2.50")
    assert claim.provenance == WHERE


@pytest.mark.parametrize(
    "odd",
    [
        {"invoice_number": 17},  # a number where text is stored
        {"invoice_date": "02/10/2026"},  # not ISO
        {"lines": json.dumps([{"sku": "DRL-200", "quantity": "2"}])},
        {"lines": json.dumps([{"sku": "DRL-200", "line_total": 2.5}])},
        {"lines": json.dumps({"sku": "DRL-200"})},
    ],
)
def test_a_value_not_stored_as_this_release_stores_it_is_left_to_the_model(
    odd: dict[str, object],
) -> None:
    assert read_claim(_row("sales", "INV-1"), _fields(**odd)) is None


def _sale_line(dealer: str, sku: str = "DRL-200") -> tuple[object, ...]:
    return (7, "sales", "INV-1", "2026-10-02", dealer, sku, 1, "149.00", '["DR1"]')


def test_one_invoice_is_its_lines_of_one_dealer() -> None:
    lines = one_invoice([_sale_line("D-1"), _sale_line("d-1", "SAW-310")])
    assert lines is not None
    assert [r.sku for _, r in lines] == ["DRL-200", "SAW-310"]
    assert lines[0][1].amount == Decimal("149.00")
    assert lines[0][1].serial_numbers == ("DR1",)
    # two dealers under one key: ambiguous, verified one at a time
    assert one_invoice([_sale_line("D-1"), _sale_line("D-2")]) is None


def test_one_stay_is_one_record() -> None:
    stay = (3, "stay", "CAZ-MAD", "MD100", "RUIZ/ANA", "2026-10-02", "2026-10-04")
    found = one_stay([(*stay, "100.00", None, "EUR")])
    assert found is not None and found[1].room_revenue == Decimal("100.00")
    assert found[1].currency == "EUR"
    assert one_stay([(*stay, "100.00", None, "EUR")] * 2) is None
