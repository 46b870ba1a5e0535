"""Excel reading: every sheet or one, typed cells, leading zeros, bad workbooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from claimflow import ResolvedClient, UnreadableInput
from claimflow.parse import open_file, read_file
from tests.conftest import SAMPLES


def _book(path: Path) -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "North"
    first.append(["Rep #", "Invoice No", "Invoice Date", "Product", "Qty", "Price"])
    first.append(["000123", "INV-1", date(2026, 10, 2), "DRL-200", 2, 19.99])
    first.append([None, None, None, None, None, None])
    first.append([456, "INV-2", date(2026, 10, 3), "SAW-310", 1, 229])
    first["A4"].number_format = "000000"
    second = book.create_sheet("South")
    second.append([])
    second.append(["Rep Number", "Invoice", "Product Code"])
    second.append(["000789", "INV-3", "GRN-115"])
    book.save(path)
    return path


def test_every_sheet_is_read_with_typed_cells(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    records = read_file(_book(tmp_path / "claims.xlsx"), acme)
    assert [r.source.where() for r in records] == [
        f"{tmp_path}/claims.xlsx:sheet North:row 2",
        f"{tmp_path}/claims.xlsx:sheet North:row 4",
        f"{tmp_path}/claims.xlsx:sheet South:row 3",
    ]
    first = records[0]
    assert first.values["participant_id"] == "000123"
    assert first.values["invoice_date"] == date(2026, 10, 2)
    assert first.lines[0][1]["unit_price"] == Decimal("19.99")
    assert records[1].values["participant_id"] == "000456"
    assert records[2].values["participant_id"] == "000789"


def test_one_named_sheet(acme: ResolvedClient, tmp_path: Path) -> None:
    from claimflow.parse.excel import read_excel

    path = _book(tmp_path / "claims.xlsx")
    records = list(read_excel(path, acme, "h", "claims.xlsx", sheet="South"))
    assert [r.values["invoice_number"] for r in records] == ["INV-3"]
    with pytest.raises(UnreadableInput, match="no sheet 'West'; sheets: North, South"):
        list(read_excel(path, acme, "h", "claims.xlsx", sheet="West"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"just text, not a workbook", "wrong bytes"),
        (b"PK\x03\x04" + bytes(200), "not a readable .xlsx workbook"),
    ],
)
def test_bad_workbooks(
    acme: ResolvedClient, write: Callable[..., Path], content: bytes, message: str
) -> None:
    with pytest.raises(UnreadableInput, match=message):
        read_file(write("claims.xlsx", content), acme)


def test_sample_workbook_hash_is_stable(acme: ResolvedClient) -> None:
    parsed = open_file(SAMPLES / "acme-tools/claims/dealer_north.xlsx", acme)
    assert len(parsed.content_hash) == 64
