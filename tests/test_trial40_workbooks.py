"""Trial 40 (werkzeug-de: de_DE, EUR, DD.MM.YYYY): workbooks as other
software writes them, read against openpyxl (the oracle, full mode).

What was wrong before, each with its example:

- a dealer code merged over three claim rows (``B2:B4`` = ``H-77``, as
  openpyxl's ``merged_cells`` and a person see it) was read on row 2
  alone: rows 3 and 4 were accepted without a dealer; a claim reference
  merged over its three line rows made three claims, two without a member;
- ``0.5`` under the number format ``0%`` (shown ``50%``) was read as a
  price of 0.50 EUR and accepted;
- ``99.5`` under ``[$$-409]#,##0.00`` (shown ``$99.50``) in a EUR program
  was read as 99.50 EUR and accepted.

The rest pins what already read right: a formula with no saved value is
refused naming its cell; the 1904 date system; ``0.1+0.2`` and
``1234.565`` as typed floats; hidden rows and sheets noted; text dates in
the client's order; a serial number as text pended, never guessed.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from claimflow import check
from claimflow.config import ResolvedClient, load_client
from claimflow.errors import UnreadableInput
from claimflow.parse import open_file, read_file
from tests.test_trial40_documents import CLIENT

HEADER = [
    "Partnernummer",
    "Händlercode",
    "Rechnungsnummer",
    "Rechnungsdatum",
    "Artikel",
    "Menge",
    "Einzelpreis",
    "Betrag",
]


@pytest.fixture
def client(tmp_path: Path) -> ResolvedClient:
    path = tmp_path / "werkzeug-de.yaml"
    path.write_text(CLIENT, encoding="utf-8")
    return load_client(path)


def _book(path: Path, rows: list[list[object]], epoch: object = None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return book


def _sheet_xml(path: Path, old: bytes, new: bytes) -> None:
    """Replace bytes in the first sheet's XML, as another program wrote it."""
    with zipfile.ZipFile(path) as book:
        parts = {item: book.read(item) for item in book.namelist()}
    name = "xl/worksheets/sheet1.xml"
    assert old in parts[name]
    parts[name] = parts[name].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for item, data in parts.items():
            book.writestr(item, data)


def _row(invoice: str, **changes: object) -> list[object]:
    values: dict[str, object] = {
        "Partnernummer": "100200",
        "Händlercode": "H-77",
        "Rechnungsnummer": invoice,
        "Rechnungsdatum": dt.date(2026, 11, 3),
        "Artikel": "BOH-100",
        "Menge": 1,
        "Einzelpreis": 10,
        "Betrag": 10,
    }
    values.update(changes)
    return [values[h] for h in HEADER]


def test_a_dealer_code_merged_over_three_claims_is_each_claims(
    client: ResolvedClient, tmp_path: Path
) -> None:
    path = tmp_path / "merged.xlsx"
    rows = [_row("RE-2001"), _row("RE-2002"), _row("RE-2003")]
    rows[1][1] = rows[2][1] = None
    _book(path, rows)
    book = openpyxl.load_workbook(path)
    sheet = book["Claims"]
    sheet.merge_cells("B2:B4")
    book.save(path)
    oracle = openpyxl.load_workbook(path)["Claims"]
    assert [str(r) for r in oracle.merged_cells.ranges] == ["B2:B4"]
    assert oracle["B2"].value == "H-77"
    parsed = open_file(path, client)
    records = list(parsed.records)
    assert [r.values["dealer_id"] for r in records] == ["H-77", "H-77", "H-77"]
    assert [r.source.row for r in records] == [2, 3, 4]
    assert parsed.notes == [
        "sheet Claims: merged cells B2:B4 ('H-77') read on each of rows 2 to 4"
    ]


def test_a_claim_reference_merged_over_its_lines_is_one_claim(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Antrag A-1 and the member merged over rows 2-4, one line a row."""
    path = tmp_path / "lines.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Antrag", *HEADER])
    for sku, qty in [("BOH-100", 2), ("SAE-200", 1), ("SCH-300", 3)]:
        sheet.append(["A-1", "100200", "H-77", "RE-1001", dt.date(2026, 11, 3), sku, qty, 10, 10 * qty])
    for column in "ABCDE":
        for row in (3, 4):
            sheet[f"{column}{row}"] = None
        sheet.merge_cells(f"{column}2:{column}4")
    book.save(path)
    [record] = read_file(path, client)
    assert record.values["claim_ref"] == "A-1"
    assert record.values["participant_id"] == "100200"
    assert [line["sku"] for _, line in record.lines] == ["BOH-100", "SAE-200", "SCH-300"]
    assert [source.row for source, _ in record.lines] == [2, 3, 4]
    assert check([path], client).outcomes["accepted"] == 1


def test_a_price_under_a_percent_format_is_refused_as_the_percentage_shown(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """0.5 under '0%' is '50%' on screen: pended naming the cell."""
    path = tmp_path / "prozent.xlsx"
    book = _book(path, [_row("RE-1004", Einzelpreis=0.5, Betrag=0.5)])
    book["Claims"]["G2"].number_format = "0%"
    book.save(path)
    oracle = openpyxl.load_workbook(path)["Claims"]["G2"]
    assert (oracle.value, oracle.number_format) == (0.5, "0%")
    result = check([path], client)
    [problem] = result.problems
    assert (problem.source.sheet, problem.source.row, problem.source.field) == (
        "Claims",
        2,
        "Einzelpreis",
    )
    assert problem.code == "invalid_number"
    assert "found '50%'" in problem.message


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("[$$-409]#,##0.00", "'$' is USD in de_DE, the claim's currency is EUR"),
        ('"$"#,##0.00', "'$' is USD in de_DE, the claim's currency is EUR"),
        ("[$USD] #,##0.00", "the claim's currency is EUR"),
        ("#,##0.00 [$€-407]", None),
        ('#,##0.00\\ "€"', None),
        ('_-* #,##0.00\\ "€"_-;\\-* #,##0.00\\ "€"_-;_-* "-"??\\ "€"_-;_-@_-', None),
        ('#,##0.00 "Stk"', None),
    ],
)
def test_an_amount_formatted_in_another_currency_is_refused_by_name(
    client: ResolvedClient, tmp_path: Path, number_format: str, expected: str | None
) -> None:
    """99.5 under '[$$-409]#,##0.00' is '$99.50' on screen: it was read
    as 99.50 EUR; in euros (or a unit) it is 99.50 EUR."""
    path = tmp_path / "waehrung.xlsx"
    book = _book(path, [_row("RE-1005", Einzelpreis=99.5, Betrag=99.5)])
    book["Claims"]["G2"].number_format = number_format
    book.save(path)
    assert openpyxl.load_workbook(path)["Claims"]["G2"].number_format == number_format
    result = check([path], client)
    if expected is None:
        assert result.problems == []
        [record] = read_file(path, client)
        assert record.lines[0][1]["unit_price"] == Decimal("99.5")
        return
    [problem] = result.problems
    assert (problem.source.row, problem.source.field) == (2, "Einzelpreis")
    assert expected in problem.message


def test_a_formula_without_its_value_is_refused_naming_the_cell(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """openpyxl writes '=F2*G2' and no value (data_only reads None)."""
    path = tmp_path / "formel.xlsx"
    _book(path, [_row("RE-4001", Menge=2, Betrag="=F2*G2")])
    assert openpyxl.load_workbook(path, data_only=True)["Claims"]["H2"].value is None
    with pytest.raises(UnreadableInput) as refused:
        read_file(path, client)
    assert str(refused.value).startswith(
        f"{path}: sheet Claims:row 2:Betrag: a formula (=F2*G2) with no saved value"
    )


def test_the_1904_date_system_reads_the_dates_written(
    client: ResolvedClient, tmp_path: Path
) -> None:
    path = tmp_path / "mac.xlsx"
    _book(path, [_row("RE-3001", Rechnungsdatum=dt.date(2026, 11, 3))], CALENDAR_MAC_1904)
    oracle = openpyxl.load_workbook(path)
    assert oracle.epoch == CALENDAR_MAC_1904
    assert oracle["Claims"]["D2"].value == dt.datetime(2026, 11, 3)
    [record] = read_file(path, client)
    assert record.values["invoice_date"] == dt.date(2026, 11, 3)


def test_typed_floats_text_and_dates_read_as_shown(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """0.1+0.2 (0.30000000000000004) is 0.3 as Excel shows 15 digits;
    1234.565 stays 1234.565 as read, never rounded (as a line total in EUR
    it is refused: three decimals where EUR has two; its unit price may
    have them); '1.234,50' as text is 1234.50 in de_DE; a text date is read
    day first; '46330' as text is pended, not guessed."""
    path = tmp_path / "werte.xlsx"
    _book(
        path,
        [
            _row("RE-1", Menge=2, Einzelpreis=0.1 + 0.2, Betrag=0.6),
            _row("RE-2", Einzelpreis=1234.565, Betrag=1234.565),
            _row("RE-3", Rechnungsdatum="04.11.2026", Einzelpreis="1.234,50", Betrag="1.234,50"),
            _row("RE-4", Rechnungsdatum="46330"),
        ],
    )
    # openpyxl writes 0.3; Excel writes the double's 17 digits: so written here
    _sheet_xml(path, b"<v>0.3</v>", b"<v>0.30000000000000004</v>")
    assert openpyxl.load_workbook(path)["Claims"]["G2"].value == 0.1 + 0.2
    records = read_file(path, client)
    assert records[0].lines[0][1]["unit_price"] == Decimal("0.3")
    assert records[1].lines[0][1]["unit_price"] == Decimal("1234.565")
    result = check([path], client)
    amount, date = result.problems
    assert (amount.source.row, amount.source.field, amount.code, amount.message) == (
        3, "Betrag", "invalid_number",
        "expected an amount with 2 decimals at most, found 1234.565 "
        "(3 decimals where EUR has 2)",
    )  # fmt: skip
    assert (date.source.row, date.source.field) == (5, "Rechnungsdatum")
    assert date.code == "invalid_date"
    assert result.outcomes["accepted"] == 2


def test_hidden_rows_and_sheets_are_read_and_said(
    client: ResolvedClient, tmp_path: Path
) -> None:
    path = tmp_path / "versteckt.xlsx"
    book = _book(path, [_row("RE-1"), _row("RE-2")])
    book["Claims"].row_dimensions[3].hidden = True
    book["Claims"].auto_filter.ref = "A1:H3"
    hidden = book.create_sheet("Alt")
    hidden.append(HEADER)
    hidden.append(_row("RE-3"))
    hidden.sheet_state = "hidden"
    book.save(path)
    oracle = openpyxl.load_workbook(path)
    assert oracle["Claims"].row_dimensions[3].hidden
    assert oracle["Alt"].sheet_state == "hidden"
    parsed = open_file(path, client)
    assert [r.values["invoice_number"] for r in parsed.records] == ["RE-1", "RE-2", "RE-3"]
    assert parsed.notes == [
        "sheet Claims: row 3 is hidden in the workbook; read like the others",
        "sheet Alt: the sheet is hidden in the workbook; its claims are read",
    ]


def test_a_claims_later_row_with_another_invoice_is_refused(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Rows 2 and 3 of claim A-1 say RE-1001 and RE-1002 (openpyxl reads
    both): row 3's invoice was dropped unsaid and A-1 accepted on RE-1001.
    A detail only a later row fills is the claim's; one that differs
    refuses the file naming the row and column. CSV files the same."""
    path = tmp_path / "zwei.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Antrag", *HEADER])
    sheet.append(["A-1", "100200", None, "RE-1001", dt.date(2026, 11, 3), "BOH-100", 2, 10, 20])
    sheet.append(["A-1", "100200", "H-77", "RE-1002", dt.date(2026, 11, 3), "SAE-200", 1, 10, 10])
    book.save(path)
    oracle = openpyxl.load_workbook(path).active
    assert oracle is not None
    assert [oracle["D2"].value, oracle["D3"].value] == ["RE-1001", "RE-1002"]
    with pytest.raises(UnreadableInput) as refused:
        read_file(path, client)
    assert str(refused.value) == (
        f"{path}: sheet Sheet:row 3:Rechnungsnummer: claim 'A-1': expected "
        "'RE-1001' as on row 2, found 'RE-1002': the rows of one claim share its "
        "details; give this line its own claim reference or correct it"
    )
    csv = tmp_path / "zwei.csv"
    csv.write_text(
        "Antrag;Partnernummer;Händlercode;Rechnungsnummer;Rechnungsdatum;Artikel;Menge\n"
        "A-1;100200;;RE-1001;03.11.2026;BOH-100;2\n"
        "A-1;;H-77;RE-1001 ;;SAE-200;1\n",
        encoding="utf-8",
    )
    [record] = read_file(csv, client)  # blanks and the same value, spaced: fine
    assert record.values["dealer_id"] == "H-77"  # only row 3 gives it
    assert record.values["invoice_number"] == "RE-1001"
    csv.write_text(csv.read_text(encoding="utf-8").replace("RE-1001 ", "RE-1009"))
    with pytest.raises(UnreadableInput, match=r"row 3:Rechnungsnummer: claim 'A-1'"):
        read_file(csv, client)


def test_an_invoice_number_excel_kept_15_digits_of_is_refused(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """12345678901234567890 typed into a number cell is stored as Excel
    stores it, 1.2345678901234567E+19 (openpyxl reads the float); it was
    read as the invoice number '1.23456789012346E+19'."""
    path = tmp_path / "lang.xlsx"
    _book(path, [_row("RE-1"), _row(123456789012345)])
    _sheet_xml(
        path, b"<v>123456789012345</v>", b"<v>1.2345678901234567E+19</v>"
    )
    assert openpyxl.load_workbook(path)["Claims"]["C3"].value == 1.2345678901234567e19
    with pytest.raises(UnreadableInput) as refused:
        read_file(path, client)
    assert str(refused.value).startswith(
        f"{path}: sheet Claims:row 3:Rechnungsnummer: a number of more than 15 "
        "digits (1.23456789012346E+19): Excel keeps 15 digits"
    )
    _sheet_xml(path, b"<v>1.2345678901234567E+19</v>", b"<v>123456789012345</v>")
    assert read_file(path, client)[1].values["invoice_number"] == 123456789012345


def test_a_hidden_column_is_read_and_said(client: ResolvedClient, tmp_path: Path) -> None:
    """Betrag hidden (openpyxl's column_dimensions): its values were read
    with no word, as hidden rows are noted; now the column is named."""
    path = tmp_path / "spalte.xlsx"
    book = _book(path, [_row("RE-1")])
    book["Claims"].column_dimensions["H"].hidden = True
    book.save(path)
    assert openpyxl.load_workbook(path)["Claims"].column_dimensions["H"].hidden
    parsed = open_file(path, client)
    [record] = list(parsed.records)
    assert record.lines[0][1]["line_total"] == 10
    assert parsed.notes == ["sheet Claims: column 'Betrag' hidden in the workbook; read like the others"]


def test_a_merged_box_over_blank_rows_adds_no_rows(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Antrag A-1 merged over A2:A4 where rows 3-4 hold nothing else (styled
    rows a person sees blank), then B-1: one claim of one line, not three
    (two of them empty lines, pended for their SKU)."""
    path = tmp_path / "leer.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Antrag", *HEADER])
    sheet.append(["A-1", "100200", "H-77", "RE-1001", dt.date(2026, 11, 3), "BOH-100", 1, 10, 10])
    for row in (3, 4):
        sheet.cell(row=row, column=5).number_format = "DD.MM.YYYY"  # styled, empty
    sheet.append(["B-1", "100300", "H-78", "RE-1002", dt.date(2026, 11, 3), "SAE-200", 1, 10, 10])
    sheet.merge_cells("A2:A4")
    book.save(path)
    first, second = read_file(path, client)
    assert [source.row for source, _ in first.lines] == [2]
    assert second.values["claim_ref"] == "B-1"
    assert check([path], client).outcomes["accepted"] == 2
