"""Trial 30 (a Thai hotel group's retro-stay desk, a Swiss dealer program):
Buddhist Era years, the baht written after an amount, Thai digits.

Thai forms write the Buddhist Era year (2569 for 2026). Read as written, a
stay dated 2569 was judged "after its receipt" with a notice quoting the
date back as correct to a Thai reader, and an enrolment date of 2563 in the
member list made every stay of that member earn 0 points (not enrolled yet),
exit 0. Each such year is now refused, naming the Gregorian year it may be.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from claimflow import check, load_client
from claimflow.codes import ReasonCode
from claimflow.numbers import NumberError, number_format
from claimflow.values import parse_date, parse_datetime
from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = SAMPLES / "clients/acme-tools.yaml"
NOW = datetime(2026, 11, 30, 15, tzinfo=UTC)
BE = "looks like a Buddhist Era year, {} in the Gregorian calendar: the desk reads Gregorian years"


@pytest.mark.parametrize(
    ("text", "order", "gregorian"),
    [("05/11/2569", "DMY", 2026), ("2563-03-15", "DMY", 2020), ("11/05/2569", "MDY", 2026),
     ("2569.11.05", "YMD", 2026), ("01/01/2400", "DMY", 1857), ("31/12/2799", "DMY", 2256)],
)  # fmt: skip
def test_a_buddhist_era_year_is_refused_naming_the_gregorian_one(
    text: str, order: str, gregorian: int
) -> None:
    year = re.findall(r"\d{4}", text)[0]
    found = parse_date(text, order)  # type: ignore[arg-type]
    assert found == (
        f"expected a date as {'YYYY-MM-DD' if '-' in text else 'DD/MM/YYYY'}, found "
        f"{text!r} ({year} {BE.format(gregorian)})"
    ) or order != "DMY"
    assert isinstance(found, str) and found.endswith(f"({year} {BE.format(gregorian)})")
    timed = parse_datetime(f"{text} 10:00", order)  # type: ignore[arg-type]
    assert isinstance(timed, str) and BE.format(gregorian) in timed


@pytest.mark.parametrize("text", ["05/11/2026", "31/12/2399", "01/01/2800", "01/01/1857"])
def test_years_outside_the_buddhist_era_range_read_as_written(text: str) -> None:
    found = parse_date(text, "DMY")
    assert isinstance(found, date) and found.year == int(text[-4:])


def _claims(tmp_path: Path, invoice_date: object, received: object) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Claim ID", "Rep #", "Invoice No", "Invoice Date", "Product Code",
                  "Qty", "Serials", "Received"])  # fmt: skip
    sheet.append(["F-1", "104233", "INV-1001", invoice_date, "DRL-200", 1, "DR10000001",
                  received])  # fmt: skip
    path = tmp_path / "claims.xlsx"
    book.save(path)
    # the cells are typed dates, as a Thai clerk's Excel keeps them (openpyxl)
    cells = openpyxl.load_workbook(path).active[2]
    assert isinstance(cells[3].value, datetime) and isinstance(cells[7].value, datetime)
    return path


def test_typed_excel_dates_in_a_buddhist_era_year_are_refused(tmp_path: Path) -> None:
    path = _claims(tmp_path, datetime(2569, 11, 5), datetime(2569, 11, 20, 9, 30))
    result = check([path], load_client(ACME), received_at=NOW, workers=1)
    said = {p.field: (p.code, p.message) for p in result.problems}
    assert said["invoice_date"] == (
        ReasonCode.INVALID_DATE,
        f"expected a Gregorian date, found 2569-11-05 (2569 {BE.format(2026)})",
    )
    assert said["received_at"] == (
        ReasonCode.INVALID_DATE,
        "expected a date and time in a Gregorian year, found 2569-11-20 09:30:00 "
        f"(2569 {BE.format(2026)}); the batch's time 2026-11-30 09:00 CST stands "
        "in until the desk corrects it",
    )
    assert result.outcomes["pended"] == 1


def test_a_member_list_enrolment_in_a_buddhist_era_year_refuses_the_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store.db"
    members = tmp_path / "members.csv"
    members.write_text(
        "participant_id,first_name,last_name,tier,enrolled_on,status\n"
        "104233,Somchai,Jaidee,gold,2024-03-11,active\n"
        "104234,Malee,Srisuk,silver,2563-03-15,active\n",
        encoding="utf-8",
    )
    code, _, err = run("participants", "import", str(members), "--client", str(ACME),
                       "--db", str(db))  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert "members.csv" in err and "row 3" in err and "enrolled_on" in err
    assert BE.format(2020) in err
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM participants").fetchone() == (0,)
    # typed in a workbook, the same
    book = openpyxl.Workbook()
    book.active.append(["participant_id", "enrolled_on"])
    book.active.append(["104234", datetime(2563, 3, 15)])
    book.save(tmp_path / "members.xlsx")
    code, _, err = run("participants", "import", str(tmp_path / "members.xlsx"),
                       "--client", str(ACME), "--db", str(db))  # fmt: skip
    assert code == 2 and BE.format(2020) in err


def test_the_baht_written_after_an_amount_and_thai_digits_are_read() -> None:
    thai = number_format("th_TH")
    assert thai.read("1234.5 บาท", currency="THB") == Decimal("1234.5")
    assert thai.read("1,234.50บาท", currency="THB") == Decimal("1234.50")
    assert thai.read("๒,๔๐๐.๐๐ บาท", currency="THB") == Decimal("2400.00")
    with pytest.raises(NumberError, match="'บาท' is THB in th_TH, the claim's currency is USD"):
        thai.read("1234.5 บาท", currency="USD")


def test_a_hidden_sheets_claims_are_read_and_said(tmp_path: Path) -> None:
    """A hidden 'draft' sheet's claim was ingested with no note (trial 30)."""
    book = openpyxl.Workbook()
    visible = book.active
    header = ["Claim ID", "Rep #", "Invoice No", "Invoice Date", "Product Code", "Qty",
              "Serials"]  # fmt: skip
    visible.append(header)
    visible.append(["F-1", "104233", "INV-1001", "2026-11-02", "DRL-200", 1, "DR10000001"])
    draft = book.create_sheet("ร่าง")
    draft.append(header)
    draft.append(["F-2", "104234", "INV-1002", "2026-11-03", "DRL-200", 1, "DR10000002"])
    draft.sheet_state = "hidden"
    path = tmp_path / "retro.xlsx"
    book.save(path)
    assert openpyxl.load_workbook(path).worksheets[1].sheet_state == "hidden"
    result = check([path], load_client(ACME), received_at=NOW, workers=1)
    assert result.records == 2
    assert result.files[0].notes == [
        "sheet ร่าง: the sheet is hidden in the workbook; its claims are read"
    ]


def test_columns_no_claim_field_reads_are_named_in_a_note(tmp_path: Path) -> None:
    """A stay file's nights and nightly rate (and a Swiss form's Bemerkung)
    were dropped with nothing said, while member lists and PDF forms named
    what they left out (trial 30)."""
    path = tmp_path / "claims.csv"
    path.write_text(
        "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Nights,Bemerkung\n"
        "F-1,104233,INV-1001,11/02/2026,DRL-200,1,DR10000001,2,bitte rasch\n",
        encoding="utf-8",
    )
    result = check([path], load_client(ACME), received_at=NOW, workers=1)
    note = (
        "columns 'Nights', 'Bemerkung' not read (no claim field: the client's "
        "columns section can name one)"
    )
    assert result.files[0].notes == [note]
    book = openpyxl.Workbook()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            book.active.append(line.rstrip("\n").split(","))
    book.save(tmp_path / "claims.xlsx")
    result = check([tmp_path / "claims.xlsx"], load_client(ACME), received_at=NOW, workers=1)
    assert result.files[0].notes == [f"sheet Sheet: {note}"]
