"""Record rules: each rule's (input, expected) pairs, with provenance and reason codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from claimflow import ReasonCode, ResolvedClient
from claimflow.parse import read_file
from claimflow.validate import build_claim, context_for

NOW = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)
HEADER = (
    "Rep #,Invoice No,Invoice Date,Product Code,Qty,Price,Amount,Serials,Received\n"
)
GOOD = [
    "104233",
    "INV-1001",
    "10/02/2026",
    "DRL-200",
    "2",
    "149.00",
    "298.00",
    "DR10000001 DR10000002",
    "2026-10-20",
]


def _row(**changes: str) -> str:
    columns = [
        "id",
        "inv",
        "date",
        "sku",
        "qty",
        "price",
        "amount",
        "serials",
        "received",
    ]
    values = dict(zip(columns, GOOD, strict=True)) | changes
    return ",".join(values[c] for c in columns) + "\n"


def _usd(amount: str) -> str:
    """An amount as acme's clerks read it (Babel, en_US): messages use it."""
    return str(format_currency(Decimal(amount), "USD", locale="en_US"))


@pytest.mark.parametrize(
    ("changes", "code", "where", "message"),
    [
        ({}, None, None, None),
        (
            {"inv": ""},
            ReasonCode.MISSING_FIELD,
            "row 2:Invoice No",
            "required, found nothing",
        ),
        (
            {"id": "10423"},
            ReasonCode.INVALID_FORMAT,
            "row 2:Rep #",
            "expected '^\\\\d{6}$', found '10423'",
        ),
        (
            {"date": "10/32/2026"},
            ReasonCode.INVALID_DATE,
            "row 2:Invoice Date",
            "expected a date as MM/DD/YYYY, found '10/32/2026' (no such day: October has 31)",
        ),
        (
            {"qty": "two"},
            ReasonCode.INVALID_NUMBER,
            "row 2:Qty",
            "expected a whole number like 1,234,567, found 'two' (not a number in this format)",
        ),
        (
            {"qty": "0", "amount": "0.00", "serials": ""},
            ReasonCode.NONPOSITIVE_QUANTITY,
            "row 2:Qty",
            "expected more than 0, found 0",
        ),
        (
            {"amount": "298.02"},
            ReasonCode.LINE_TOTAL_MISMATCH,
            "row 2:Amount",
            f"expected 2 x {_usd('149.00')} = {_usd('298.00')}, found {_usd('298.02')}",
        ),
        ({"amount": "298.01"}, None, None, None),
        (  # from the id_ID trial: a negative price passed and paid 0 points
            {"price": "-149.00", "amount": "-298.00"},
            ReasonCode.NEGATIVE_AMOUNT,
            "row 2:Price",
            f"expected an amount of 0 or more, found {_usd('-149.00')}",
        ),
        (
            {"serials": "DR10000001"},
            ReasonCode.SERIAL_COUNT_MISMATCH,
            "row 2:Serials",
            "expected 2 serial numbers, found 1",
        ),
        (  # one unit: "expected 1 serial numbers, found 0" before
            {"qty": "1", "amount": "149.00", "serials": ""},
            ReasonCode.SERIAL_COUNT_MISMATCH,
            "row 2:Serials",
            "expected 1 serial number, found 0",
        ),
        (
            {"qty": "1", "amount": "149.00"},
            ReasonCode.SERIAL_COUNT_MISMATCH,
            "row 2:Serials",
            "expected 1 serial number, found 2",
        ),
        (
            {"serials": "DR10000001 XX1"},
            ReasonCode.INVALID_FORMAT,
            "row 2:Serials",
            "expected a DRL-200 serial like '^DR\\\\d{8}$', found 'XX1'",
        ),
        (
            {"date": "10/25/2026", "received": "2026-10-20"},
            ReasonCode.DATE_AFTER_RECEIPT,
            "row 2:Invoice Date",
            "expected a date on or before receipt 2026-10-20, found 2026-10-25",
        ),
        (
            {"date": "07/21/2026"},
            ReasonCode.OUTSIDE_CLAIM_WINDOW,
            "row 2:Invoice Date",
            "expected a date on or after 2026-07-22 (90 days before receipt), found 2026-07-21",
        ),
        ({"date": "07/22/2026"}, None, None, None),
        (
            {"sku": "LMW-900", "serials": "LM1 LM2"},
            ReasonCode.INELIGIBLE_SKU,
            "row 2:Product Code",
            "expected a program product, found 'LMW-900'",
        ),
    ],
)
def test_sales_record_rules(
    acme: ResolvedClient,
    write: Callable[..., Path],
    changes: dict[str, str],
    code: ReasonCode | None,
    where: str | None,
    message: str | None,
) -> None:
    [raw] = read_file(write("claims.csv", HEADER + _row(**changes)), acme)
    _, problems = build_claim(raw, acme, context_for(acme, NOW))
    if code is None:
        assert problems == []
        return
    if code is ReasonCode.NEGATIVE_AMOUNT:  # the price, then the line total
        problems = problems[:1]
    assert [p.code for p in problems] == [code]
    assert problems[0].source.where().endswith(where)  # type: ignore[arg-type]
    assert problems[0].message == message
    assert problems[0].record_id == raw.content_hash[:12] + "-r2"


def test_received_time_defaults_to_the_batch_time(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    [raw] = read_file(write("claims.csv", HEADER + _row(received="")), acme)
    claim, problems = build_claim(raw, acme, context_for(acme, NOW))
    assert claim.received_at == NOW
    assert problems == []


def test_naive_received_time_is_local_to_the_client(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    [raw] = read_file(
        write("claims.csv", HEADER + _row(received="2026-10-20T09:30")), acme
    )
    claim, _ = build_claim(raw, acme, context_for(acme, NOW))
    assert claim.received_at.isoformat() == "2026-10-20T09:30:00-05:00"


STAY_HEADER = (
    "Nº socio;Hotel;Confirmación;Llegada;Salida;Importe;Canal;Recibido;Folio adjunto\n"
)


@pytest.mark.parametrize(
    ("row", "codes"),
    [
        (
            "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;412,50;Directo;20/10/2026;sí",
            [],
        ),
        (
            "300112457;CAZ-MAD;MD4471902;05/10/2026;05/10/2026;412,50;Directo;20/10/2026;sí",
            [ReasonCode.CHECKOUT_NOT_AFTER_CHECKIN],
        ),
        (
            "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;412,50;expedia;20/10/2026;sí",
            [ReasonCode.INELIGIBLE_CHANNEL],
        ),
        (
            "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;412,50;Directo;20/10/2026;no",
            [ReasonCode.NO_PROOF],
        ),
        (
            "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;4x2;Directo;20/10/2026;quizás",
            [ReasonCode.INVALID_NUMBER, ReasonCode.INVALID_FORMAT],
        ),
    ],
)
def test_stay_record_rules(
    costa: ResolvedClient, write: Callable[..., Path], row: str, codes: list[ReasonCode]
) -> None:
    [raw] = read_file(
        write("stays.csv", STAY_HEADER + row + "\n", encoding="cp1252"), costa
    )
    claim, problems = build_claim(raw, costa, context_for(costa, NOW))
    assert [p.code for p in problems] == codes
    if not codes:
        assert str(claim.qualifying_revenue) == "412.50"
