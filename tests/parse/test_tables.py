"""`read_table`: CSV and xlsx reference tables mapped through header aliases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from claimflow.errors import UnreadableInput
from claimflow.parse.tables import read_table

INDEX = {"member": "member_number", "miles": "miles", "fecha": "credited_on"}


def test_xlsx_cells_keep_their_types_rows_and_zeros(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Member", "Miles", "Fecha", "Note"])
    sheet.append([4512, 29000, date(2026, 11, 6), "x"])
    sheet.append([None, None, None, None])  # a spacer row: skipped
    sheet.append(["VC10000002", 10000.0, date(2026, 11, 8), None])
    sheet["A2"].number_format = "00000000"  # shown as 00004512
    path = tmp_path / "t.xlsx"
    book.save(path)
    table = read_table(path, INDEX)
    assert table.fields == {"member_number", "miles", "credited_on"}
    assert table.rows == [
        (2, {"member_number": "00004512", "miles": 29000, "credited_on": date(2026, 11, 6)}),
        (4, {"member_number": "VC10000002", "miles": 10000, "credited_on": date(2026, 11, 8)}),
    ]  # fmt: skip


def test_csv_values_stay_text(write: Callable[..., Path]) -> None:
    path = write("t.csv", "Member;Miles;Fecha\nVC1;29000;06/11/2026\n\n")
    table = read_table(path, INDEX)
    assert table.fields == {"member_number", "miles", "credited_on"}
    assert table.rows == [
        (2, {"member_number": "VC1", "miles": "29000", "credited_on": "06/11/2026"})
    ]


def test_a_file_that_is_no_workbook_is_refused(write: Callable[..., Path]) -> None:
    path = write("t.xlsx", b"not a zip")
    with pytest.raises(
        UnreadableInput, match=r"t\.xlsx: not a readable \.xlsx workbook"
    ):
        read_table(path, INDEX)
