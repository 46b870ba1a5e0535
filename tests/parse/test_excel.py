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
    acme_any_columns: ResolvedClient, tmp_path: Path
) -> None:
    acme = acme_any_columns
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


def test_one_named_sheet(acme_any_columns: ResolvedClient, tmp_path: Path) -> None:
    acme = acme_any_columns
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


def _declared(path: Path, dimension: str) -> Path:
    """The same workbook with its sheets' <dimension> rewritten (as some
    exporters write it: one cell, or the whole grid)."""
    import re
    import zipfile

    out = path.with_name(f"declared-{path.name}")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>',
                    f'<dimension ref="{dimension}"/>'.encode(),
                    data,
                )
                assert f'ref="{dimension}"'.encode() in data
            dst.writestr(item, data)
    return out


def _claims_book(path: Path, claims: int) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    sheet.append(["Dealer claims, October 2026"])
    sheet.append(["Printed 2026-11-02 by the dealer portal"])
    sheet.append([])
    sheet.append(["Rep #", "Invoice No", "Invoice Date", "Product", "Qty", "Price"])
    for n in range(claims):
        sheet.append(
            [f"{100000 + n}", f"INV-{n}", date(2026, 10, 2), "DRL-200", 1, 149]
        )
    sheet.append(["Subtotal", None, None, None, claims, None])
    sheet.append(["Summe", None, None, None, claims, 149 * claims])
    sheet.append([])
    sheet.append(["Erstellt von: Max Mustermann, 02.11.2026"])
    notes = book.create_sheet("Notes")
    notes.append(["Remember to attach invoices"])
    lookup = book.create_sheet("SKUs")
    lookup.append(["code", "description"])
    lookup.append(["DRL-200", "Drill"])
    book.save(path)
    return path


def test_title_rows_totals_footers_and_other_sheets_are_left_out_with_notes(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    parsed = open_file(_claims_book(tmp_path / "claims.xlsx", 1000), acme)
    records = list(parsed.records)
    assert len(records) == 1000
    assert records[0].source.where() == f"{tmp_path}/claims.xlsx:sheet Claims:row 5"
    assert records[-1].values["invoice_number"] == "INV-999"
    assert parsed.notes == [
        "sheet Claims: header on row 4; rows 1, 2 above it skipped",
        "sheet Claims:row 1005: total row 'Subtotal' left out; its Qty 1000 equals "
        "the 1000 claim rows above",
        "sheet Claims:row 1006: total row 'Summe' left out; its Qty 1000 equals the "
        "1000 claim rows above; 149000 under 'Price' not checked: a column that "
        "does not add up",
        "sheet Claims:row 1008: footer row 'Erstellt von: Max Mustermann, 02.11.2026' left out",
        "sheet Notes: skipped, no claims header in its first 20 rows",
        "sheet SKUs: skipped, no claims header in its first 20 rows",
    ]


def test_a_claim_missing_its_identifiers_is_still_a_claim(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Only a row naming a total (or signing the sheet) is left out: a row
    with a quantity but no rep or invoice is a claim to pend, not to drop."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Rep #", "Invoice No", "Invoice Date", "Product", "Qty"])
    sheet.append([None, None, date(2026, 10, 2), None, 3])
    sheet.append(["Total units", None, None, None, 3])
    book.save(tmp_path / "b.xlsx")
    parsed = open_file(tmp_path / "b.xlsx", acme)
    [record] = list(parsed.records)
    assert record.lines[0][1]["quantity"] == 3
    assert parsed.notes == [
        "sheet Sheet:row 3: total row 'Total units' left out; its Qty 3 equals the "
        "1 claim row above"
    ]


@pytest.mark.parametrize("dimension", ["A1", "A1:AMJ1048576"])
def test_a_sheets_declared_size_is_not_believed(
    acme: ResolvedClient, tmp_path: Path, dimension: str
) -> None:
    """One cell declared: 0 of 2,746 rows were read, exit 0. The whole grid
    declared: 84 s of CPU for 3 rows."""
    import time

    path = _declared(_claims_book(tmp_path / "claims.xlsx", 2746), dimension)
    started = time.perf_counter()
    assert len(read_file(path, acme)) == 2746
    assert time.perf_counter() - started < 10  # 84 s before; ~1 s here


def test_a_workbook_without_any_claims_sheet_suggests_what_to_check(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet.append(["Nothing but notes"])
    book.save(tmp_path / "n.xlsx")
    with pytest.raises(UnreadableInput) as caught:
        read_file(tmp_path / "n.xlsx", acme)
    assert str(caught.value) == (
        f"{tmp_path}/n.xlsx: no sheet has a sales claims header in its first 20 "
        "rows (sheets: Notes); is this the right client, or are the columns "
        "named differently?"
    )


def test_notes_reach_the_batch_result(acme: ResolvedClient, tmp_path: Path) -> None:
    from claimflow import check

    result = check([_claims_book(tmp_path / "c.xlsx", 3)], acme, workers=1)
    assert result.records == 3
    assert (
        result.files[0].notes[1]
        == "sheet Claims:row 8: total row 'Subtotal' left out; its Qty 3 equals the "
        "3 claim rows above"
    )
    assert result.to_dict()["files"][0]["notes"] == result.files[0].notes


def test_hidden_rows_are_read_and_reported(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Rep #", "Invoice No", "Invoice Date", "Product", "Qty"])
    for n in range(4):
        sheet.append([f"10423{n}", f"INV-{n}", date(2026, 10, 2), "DRL-200", 1])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    book.save(tmp_path / "h.xlsx")
    parsed = open_file(tmp_path / "h.xlsx", acme)
    assert [r.values["invoice_number"] for r in parsed.records] == [
        f"INV-{n}" for n in range(4)
    ]
    assert parsed.notes == [
        "sheet Sheet: rows 3, 5 are hidden in the workbook; read like the others"
    ]
    # openpyxl (writing, not read-only) agrees on which rows are hidden
    from openpyxl import load_workbook

    again = load_workbook(tmp_path / "h.xlsx").active
    assert again is not None
    assert sorted(n for n, d in again.row_dimensions.items() if d.hidden) == [3, 5]


def test_a_sheet_declaring_the_whole_grid_for_three_rows_reads_at_once(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Declared 1,048,576 x 1,024, it took 84 s of CPU for 3 rows."""
    import time

    path = _declared(_claims_book(tmp_path / "claims.xlsx", 3), "A1:AMJ1048576")
    started = time.perf_counter()
    assert len(read_file(path, acme)) == 3
    assert time.perf_counter() - started < 2
