"""Printed PDF layouts found on real forms: unruled item tables, labels run
together on one line, spaces dropped by tight kerning.

Each test draws its PDF with reportlab and checks claimflow's reading against
an independent one of the same file: pypdf's ``extract_text`` (its layout
mode keeps columns apart with spaces) or pdfplumber's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from claimflow import ClientConfig, ResolvedClient, UnreadableInput, check, resolve
from claimflow.parse import read_file
from claimflow.parse.pdf_layout import labelled
from tests.conftest import NOW

Draw = Callable[[canvas.Canvas], None]
HEAD = ["Product Code", "Qty", "Serial Numbers"]
#: Left edges of the columns; Qty is right-aligned on QTY_RIGHT.
X_SKU, QTY_RIGHT, X_SERIAL = 72.0, 250.0, 280.0


def _pdf(tmp_path: Path, draw: Draw) -> Path:
    """A one-page PDF drawn in 10 pt Helvetica unless `draw` says otherwise."""
    path = tmp_path / "claim.pdf"
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    c.setFont("Helvetica", 10)
    draw(c)
    c.showPage()
    c.save()
    return path


def _labels(c: canvas.Canvas, y: float = 720) -> None:
    c.drawString(72, y, "Rep Number: 104233")
    c.drawString(72, y - 14, "Rep Name: Maria Lopez")
    c.drawString(72, y - 28, "Invoice No: INV-20001")
    c.drawString(72, y - 42, "Invoice Date: 10/02/2026")


def _columns(c: canvas.Canvas, rows: Sequence[Sequence[str]], y: float = 650) -> float:
    """Print rows as text columns, without a single ruling line."""
    for row in rows:
        sku, qty, serials = row
        c.drawString(X_SKU, y, sku)
        c.drawRightString(QTY_RIGHT, y, qty)
        c.drawString(X_SERIAL, y, serials)
        y -= 14
    return y


def _layout_cells(path: Path, page: int = 0) -> list[list[str]]:
    """pypdf's reading: its layout text, each line split at runs of 2+ spaces."""
    text = PdfReader(path).pages[page].extract_text(extraction_mode="layout")
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line]


def _table_rows(path: Path, page: int = 0) -> list[list[str]]:
    """pypdf's rows under the HEAD line, up to the first line of another shape."""
    cells = _layout_cells(path, page)
    start = cells.index(HEAD) + 1
    rows: list[list[str]] = []
    for row in cells[start:]:
        if len(row) != len(HEAD):
            break
        rows.append(row)
    return rows


def _lines(path: Path, client: ResolvedClient) -> list[dict[str, str]]:
    [record] = read_file(path, client)
    return [line for _, line in record.lines]


def _as_rows(lines: list[dict[str, str]]) -> list[list[str]]:
    return [[ln["sku"], ln["quantity"], ln["serial_numbers"]] for ln in lines]


ROWS = [
    ["DRL-200", "1", "DR10000610"],
    ["BAT-20V", "2", "BT30000601 BT30000602"],
    ["GRN-115", "1", "GR40000410"],
]


def test_an_unruled_table_gives_its_printed_lines(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """The participant was asked for a product code and quantity printed
    on the form: the table had no ruling lines, and only ruled ones were read."""
    path = _pdf(tmp_path, lambda c: (_labels(c), _columns(c, [HEAD, *ROWS])))
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].extract_tables() == []  # the old reading: nothing
    lines = _lines(path, acme)
    assert _as_rows(lines) == _table_rows(path) == ROWS
    [record] = read_file(path, acme)
    assert record.field_sources["sku"] == "Product Code"
    assert [src.where() for src, _ in record.lines] == [
        f"{path}:page 1:line {n}" for n in (1, 2, 3)
    ]


def test_the_claim_from_an_unruled_table_is_accepted(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    path = _pdf(tmp_path, lambda c: (_labels(c), _columns(c, [HEAD, *ROWS])))
    result = check([path], acme, received_at=NOW).to_dict()
    assert result["outcomes"]["accepted"] == 1, result["problems"]
    assert result["problems"] == []


THIRTY = [[f"DRL-{200 + i}", str(i + 1), f"DR{10000000 + i}"] for i in range(30)]


def _banded(c: canvas.Canvas) -> None:
    """Rows in bands of five, a little apart: two kinds of gap, no cell on
    two lines."""
    _labels(c)
    y = 640.0
    for i, row in enumerate([HEAD, *THIRTY]):
        _columns(c, [row], y=y)
        y -= 14 + (5 if i % 5 == 0 else 0)


def _grid_free(c: canvas.Canvas) -> None:
    """reportlab's Table without a grid: padded rows."""
    _labels(c)
    table = Table([HEAD, *THIRTY])
    _, height = table.wrapOn(c, 460, 600)
    table.drawOn(c, 72, 640 - height)


@pytest.mark.parametrize(
    "draw",
    [lambda c: (_labels(c), _columns(c, [HEAD, *THIRTY], y=640)), _banded, _grid_free],
    ids=["even", "banded", "padded"],
)
def test_thirty_unruled_rows_give_thirty_lines(
    acme: ResolvedClient, tmp_path: Path, draw: Draw
) -> None:
    """30 item rows came back as 2 claim lines."""
    path = _pdf(tmp_path, draw)
    pypdf_rows = _table_rows(path)
    assert len(pypdf_rows) == 30
    assert _as_rows(_lines(path, acme)) == pypdf_rows == THIRTY


def test_a_row_without_a_product_stays_a_line_of_its_own(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Evenly spaced rows give no sign of a cell on two lines: a row without a
    product code is not folded into the one above (its code is asked for)."""
    rows = [["DRL-200", "1", "DR10000610"], ["", "2", "DR10000611"]]
    path = _pdf(tmp_path, lambda c: (_labels(c), _columns(c, [HEAD, *rows])))
    assert _as_rows(_lines(path, acme)) == rows
    assert ["2", "DR10000611"] in _layout_cells(path)  # pypdf: a line of its own


def _grid_free_table(rows: list[list[str]], valign: str) -> Draw:
    """A reportlab Table with its default padding and no grid: rows are set
    further apart than the lines inside a cell."""

    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        table = Table(rows)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), valign)]))
        _, height = table.wrapOn(c, 460, 400)
        table.drawOn(c, 72, 640 - height)

    return draw


@pytest.mark.parametrize("valign", ["TOP", "MIDDLE", "BOTTOM"])
def test_a_cell_on_several_lines_stays_in_its_row(
    acme: ResolvedClient, tmp_path: Path, valign: str
) -> None:
    rows = [
        [*HEAD, "Description"],
        ["DRL-200", "3", "DR10000610\nDR10000611\nDR10000612", "Drill"],
        ["BAT-20V", "1", "BT30000601", "Battery\npack"],
    ]
    path = _pdf(tmp_path, _grid_free_table(rows, valign))
    lines = _lines(path, acme)
    assert _as_rows(lines) == [row[:3] for row in rows[1:]]
    # pypdf sets the same serials, one per layout line, in the serial column
    column = _layout_cells(path)
    serials = [cell for row in column for cell in row if cell.startswith("DR1")]
    assert serials == lines[0]["serial_numbers"].split("\n")


def test_text_under_the_table_is_not_a_line(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        y = _columns(c, [HEAD, *ROWS])
        c.drawString(72, y, "Thank you for your business and for choosing Acme tools")
        c.drawString(200, y - 14, "Total: 268.00")

    path = _pdf(tmp_path, draw)
    assert _as_rows(_lines(path, acme)) == ROWS


def test_a_column_headed_by_an_alias_and_more_words_is_not_that_field(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """``Item Description`` starts with ``Item``, an alias of the product
    code: its words are a description, not the code."""

    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        for y, (desc, qty, sku) in zip(
            (650, 636, 622),
            [
                ("Item Description", "Qty", "Product Code"),
                ("Cordless drill kit", "1", "DRL-200"),
                ("Battery pack", "2", "BAT-20V"),
            ],
            strict=True,
        ):
            c.drawString(72, y, desc)
            c.drawRightString(230, y, qty)
            c.drawString(250, y, sku)

    path = _pdf(tmp_path, draw)
    assert _layout_cells(path)[-2:] == [
        ["Cordless drill kit", "1", "DRL-200"],
        ["Battery pack", "2", "BAT-20V"],
    ]
    assert _lines(path, acme) == [
        {"quantity": "1", "sku": "DRL-200"},
        {"quantity": "2", "sku": "BAT-20V"},
    ]


def test_rule_lines_of_dashes_and_two_tables_on_a_page(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        y = _columns(c, [HEAD, ["-----------", "---", "-------------"], ROWS[0]])
        c.drawString(72, y - 20, "Returned with this claim")
        _columns(c, [["Item", "Units", "Serial"], ROWS[1]], y=y - 50)

    path = _pdf(tmp_path, draw)
    assert _as_rows(_lines(path, acme)) == ROWS[:2]


def test_a_word_printed_across_two_columns_refuses_the_page(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Which column the word belongs to would be a guess."""

    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        y = 650
        for sku, qty, serials, note in [
            [*HEAD, "Notes"],
            ["DRL-200", "1", "DR10000610", "ok"],
            ["BAT-20V", "3", "BT30000601 BT30000602 BT30000603", ""],
            ["GRN-115", "1", "GR40000410", "ok"],
        ]:
            c.drawString(X_SKU, y, sku)
            c.drawRightString(QTY_RIGHT, y, qty)
            c.drawString(X_SERIAL, y, serials)
            c.drawString(370, y, note)
            y -= 14

    path = _pdf(tmp_path, draw)
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    assert str(caught.value) == (
        f"{path}: page 1: item table line 2: 'BT30000602' is printed across the "
        "'Serial Numbers' and 'Notes' columns; key this page by hand"
    )


def test_a_ruled_table_is_read_from_its_grid_once(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        table = Table([HEAD, *ROWS])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
        _, height = table.wrapOn(c, 460, 400)
        table.drawOn(c, 72, 640 - height)

    path = _pdf(tmp_path, draw)
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].extract_tables() == [[HEAD, *ROWS]]
    assert _as_rows(_lines(path, acme)) == ROWS


def _client(**columns: list[str]) -> ResolvedClient:
    config = ClientConfig(
        client="printed",
        name="Printed",
        kind="sales",
        date_order="MDY",
        columns=columns,
    )
    return resolve(config, "printed.yaml")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Invoice No: INV-1  Invoice Date: 10/02/2026",
            [("invoice_number", "INV-1"), ("invoice_date", "10/02/2026")],
        ),
        (
            "Name: Prof. van Marmot Date: January 17, 2019",
            [
                ("participant_name", "Prof. van Marmot"),
                ("invoice_date", "January 17, 2019"),
            ],
        ),
        (
            "Prof. van Marmot Date: January 17, 2019",
            [("invoice_date", "January 17, 2019")],
        ),
        ("Received: 2026-10-27 10:30", [("received_at", "2026-10-27 10:30")]),
        ("Remarks: see Invoice No.: INV-9", [("invoice_number", "INV-9")]),
        ("Dealer Code: D-1 Remarks: none", [("dealer_id", "D-1 Remarks: none")]),
        ("Rep Name: Invoice No: INV-9", [("invoice_number", "INV-9")]),
        ("Claim ID : AC-1 Qty: 2", [("claim_ref", "AC-1"), ("quantity", "2")]),
    ],
    ids=[
        "two-labels",
        "name-and-date",
        "unlabelled-text-first",
        "colon-in-value",
        "unknown-label-first",
        "unknown-label-is-value",
        "empty-value",
        "line-field-label",
    ],
)
def test_a_line_is_split_at_every_known_label(
    line: str, expected: list[tuple[str, str]]
) -> None:
    index = _client(invoice_date=["Date"]).header_index
    assert [(field, value) for field, _, value in labelled(line, index)] == expected


def test_labels_on_one_printed_line_each_get_their_value(tmp_path: Path) -> None:
    """``Invoice No`` took ``INV-1  Invoice Date: 10/02/2026`` as its value."""

    def draw(c: canvas.Canvas) -> None:
        c.drawString(72, 720, "Rep ID: 104233    Name: Prof. van Marmot")
        c.drawString(72, 706, "Invoice No: INV-20001    Date: January 17, 2019")

    path = _pdf(tmp_path, draw)
    printed = PdfReader(path).pages[0].extract_text()
    assert "Invoice No: INV-20001    Date: January 17, 2019" in printed
    [record] = read_file(path, _client(invoice_date=["Date"]))
    assert record.values == {
        "participant_id": "104233",
        "participant_name": "Prof. van Marmot",
        "invoice_number": "INV-20001",
        "invoice_date": "January 17, 2019",
    }
    assert record.field_sources["invoice_date"] == "Date"


def _tight(words: list[str], size: float, gap: float, char_space: float = 0.0) -> Draw:
    """Words set one by one (as TeX and many layout engines do: no space
    character), `gap` em apart, letters `char_space` em apart."""

    def draw(c: canvas.Canvas) -> None:
        x = 72.0
        for word in words:
            text = c.beginText(x, 700)
            text.setFont("Helvetica", size)
            text.setCharSpace(char_space * size)
            text.textOut(word)
            c.drawText(text)
            width = c.stringWidth(word, "Helvetica", size)
            x += width + len(word) * char_space * size + gap * size

    return draw


def test_tightly_kerned_words_keep_their_spaces(tmp_path: Path) -> None:
    """``My Name`` came back as ``MyName``: at 7 pt a 0.2 em gap is 1.4 pt,
    under pdfplumber's fixed 3 pt tolerance."""
    words = ["Rep", "Name:", "Maria", "van", "Lopez"]
    path = _pdf(tmp_path, _tight(words, size=7, gap=0.2))
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].extract_text() == "RepName:MariavanLopez"  # the bug
    assert PdfReader(path).pages[0].extract_text().split() == words
    [record] = read_file(path, _client())
    assert record.values == {"participant_name": "Maria van Lopez"}


def test_letter_spaced_words_stay_whole(tmp_path: Path) -> None:
    """Letters set 0.06 em apart are still one word; words 0.25 em apart are two."""
    words = ["Rep", "Name:", "Maria", "Lopez"]
    path = _pdf(tmp_path, _tight(words, size=10, gap=0.25, char_space=0.06))
    assert PdfReader(path).pages[0].extract_text().split() == words
    [record] = read_file(path, _client())
    assert record.values == {"participant_name": "Maria Lopez"}


def test_tight_words_in_an_unruled_table_cell(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        _columns(c, [HEAD])
        c.drawString(X_SKU, 636, "DRL-200")
        c.drawRightString(QTY_RIGHT, 636, "2")
        x = X_SERIAL
        for serial in ("DR10000610", "DR10000611"):
            c.drawString(x, 636, serial)
            x += c.stringWidth(serial, "Helvetica", 10) + 2.0  # 0.2 em

    path = _pdf(tmp_path, draw)
    assert _lines(path, acme) == [
        {"sku": "DRL-200", "quantity": "2", "serial_numbers": "DR10000610 DR10000611"}
    ]


def test_a_sentence_naming_the_fields_is_no_table_header(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Instructions name a product code, a quantity and serial numbers, as a
    header does, but as a sentence: the lines under them are no rows."""

    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        c.drawString(72, 650, "Enter the product code, quantity and serial numbers.")
        c.drawString(72, 636, "Claims must reach us within 90 days of the sale.")
        _columns(c, [HEAD, ROWS[0]], y=610)

    path = _pdf(tmp_path, draw)
    assert _as_rows(_lines(path, acme)) == [ROWS[0]]


def test_a_label_inside_a_cell_is_its_value(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """A ``Label:`` starting a line ends the table; one inside a cell is
    read with the cell, and the rows under it still count."""
    rows = [["DRL-200", "1", "S/N: DR10000610"], ["BAT-20V", "1", "Serial: BT30000601"]]
    path = _pdf(tmp_path, lambda c: (_labels(c), _columns(c, [HEAD, *rows])))
    assert _as_rows(_lines(path, acme)) == _table_rows(path) == rows


def test_tight_words_in_a_ruled_cell_keep_their_space(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    def draw(c: canvas.Canvas) -> None:
        _labels(c)
        c.grid([72, 200, 250, 450], [660, 640, 620])
        for x, y, word in [
            (76, 646, "Product Code"),
            (204, 646, "Qty"),
            (254, 646, "Serial Numbers"),
            (76, 626, "DRL-200"),
            (204, 626, "2"),
        ]:
            c.drawString(x, y, word)
        c.setFont("Helvetica", 8)
        x = 254.0
        for serial in ("DR10000610", "DR10000611"):
            c.drawString(x, 626, serial)
            x += c.stringWidth(serial, "Helvetica", 8) + 2.0  # 0.25 em
        c.setFont("Helvetica", 10)

    path = _pdf(tmp_path, draw)
    with pdfplumber.open(path) as pdf:  # the old reading ran them together
        assert pdf.pages[0].extract_tables()[0][1][2] == "DR10000610DR10000611"
    assert _lines(path, acme) == [
        {"sku": "DRL-200", "quantity": "2", "serial_numbers": "DR10000610 DR10000611"}
    ]


def _pages(tmp_path: Path, *draws: Draw) -> Path:
    path = tmp_path / "pages.pdf"
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    for draw in draws:
        c.setFont("Helvetica", 10)
        draw(c)
        c.showPage()
    c.save()
    return path


MORE = [["SAW-310", "1", "SW20000777"], ["IMP-450", "3", "IM3 IM4 IM5"]]


@pytest.mark.parametrize("first_page_rows", [ROWS, []])
def test_a_line_table_running_over_a_page_stays_one_claim(
    acme: ResolvedClient, tmp_path: Path, first_page_rows: list[list[str]]
) -> None:
    """A page with item rows and no 'Label: value' text was dropped without a word."""
    path = _pages(
        tmp_path,
        lambda c: (
            _labels(c),
            _columns(c, [HEAD, *first_page_rows]) if first_page_rows else None,
        ),
        lambda c: _columns(c, [HEAD, *MORE], y=720),
    )
    [record] = read_file(path, acme)
    assert _as_rows([line for _, line in record.lines]) == first_page_rows + MORE
    assert _table_rows(path, 1) == MORE  # pypdf reads page 2's rows the same
    assert [src.page for src, _ in record.lines] == [1] * len(first_page_rows) + [2, 2]


def test_claim_lines_before_any_claim_details_are_refused(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    path = _pages(tmp_path, lambda c: _columns(c, [HEAD, *MORE], y=720), _labels)
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    assert str(caught.value) == (
        f"{path}: page 1: claim lines with no claim details ('Label: value') before them"
    )
