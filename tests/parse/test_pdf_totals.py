"""A PDF claim's line-table total rows are checked against the lines read.

Before, a printed or fillable claim form's line-table total (``Summe | 3 |
| 25,00``, ``Total | 6 | | 1,974.00``, an ``Übertrag`` carried from page 1
to page 2) was only left out with a note: a total that disagrees with the
lines read (a line on page 2 not extracted, a digit lost) passed silently.
Now each figure is compared with the sum of the claim's lines above it, as
a CSV file's total rows are (`claimflow.parse.claim_totals`).

Each PDF is drawn here with reportlab; pdfplumber's table of the same page
is the oracle of what it prints, Babel writes and reads the de_DE amounts,
and the sums are worked by hand beside each case.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from babel.numbers import format_decimal, parse_decimal
from click.testing import CliRunner
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from claimflow import ReasonCode, Store, check
from claimflow.cli import main
from claimflow.config import ResolvedClient, load_client
from claimflow.errors import UnreadableInput
from claimflow.parse import open_file
from tests.test_trial40_documents import CLIENT

GERMAN_HEAD = ["Artikel", "Menge", "Einzelpreis", "Betrag"]
GERMAN_LABELS = [
    "Partnernummer: 100200",
    "Rechnungsnummer: RE-9901",
    "Rechnungsdatum: 03.11.2026",
]
ACME_HEAD = ["Product Code", "Qty", "Unit Price", "Line Amount"]
ACME_LABELS = ["Rep #: 104233", "Invoice No: INV-20418", "Invoice Date: 10/02/2026"]
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])

Rows = Sequence[Sequence[str]]


@pytest.fixture
def german(tmp_path: Path) -> ResolvedClient:
    path = tmp_path / "werkzeug-de.yaml"
    path.write_text(CLIENT, encoding="utf-8")
    return load_client(path)


def _claim(
    path: Path,
    pages: Sequence[Rows],
    *,
    ruled: bool = True,
    head: Sequence[str] = GERMAN_HEAD,
    labels: Sequence[str] = GERMAN_LABELS,
) -> Path:
    """One claim: its labels on page 1, then a line table on each page,
    its header row repeated."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for number, rows in enumerate(pages):
        if number == 0:
            for y, text in zip((800, 780, 760), labels, strict=True):
                c.drawString(40, y, text)
        table = Table([list(head), *map(list, rows)], colWidths=[100, 60, 80, 80])
        if ruled:
            table.setStyle(GRID)
        _, height = table.wrapOn(c, 400, 800)
        table.drawOn(c, 40, 700 - height)
        c.showPage()
    c.save()
    return path


def _printed(path: Path, page: int = 0) -> list[list[str]]:
    """The oracle: pdfplumber's table of a page, blank cells as ''."""
    with pdfplumber.open(path) as pdf:
        table = pdf.pages[page].extract_table()
    assert table is not None
    return [[cell or "" for cell in row] for row in table]


def _refused(path: Path, client: ResolvedClient) -> UnreadableInput:
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client).records)
    return caught.value


# --- en_US: 'Total | 6 | | 1,974.00' ----------------------------------------

ACME_LINES = [
    ["DRL-200", "2", "149.00", "298.00"],
    ["SAW-310", "1", "1,229.00", "1,229.00"],
    ["GRN-115", "3", "149.00", "447.00"],
]


@pytest.mark.parametrize("ruled", [True, False])
def test_an_en_us_total_that_adds_up_is_said_to_in_its_note(
    acme: ResolvedClient, tmp_path: Path, ruled: bool
) -> None:
    # 2 + 1 + 3 = 6 units; 298.00 + 1,229.00 + 447.00 = 1,974.00, by hand
    total = ["Total", "6", "", "1,974.00"]
    path = _claim(
        tmp_path / "claim.pdf",
        [[*ACME_LINES, total]],
        ruled=ruled,
        head=ACME_HEAD,
        labels=ACME_LABELS,
    )
    if ruled:
        assert _printed(path)[-1] == total
    assert "Total 6 1,974.00" in pdfplumber.open(path).pages[0].extract_text()
    parsed = open_file(path, acme)
    [record] = list(parsed.records)
    skus = [line["sku"] for _, line in record.lines]
    assert skus == ["DRL-200", "SAW-310", "GRN-115"]
    assert parsed.notes == [
        "page 1: line table row 'Total' is a total row: not a claim line; its Qty "
        "6 and Line Amount 1,974.00 equal the 3 claim lines above"
    ]


@pytest.mark.parametrize("ruled", [True, False])
def test_a_total_one_line_short_of_its_lines_refuses_the_file(
    acme: ResolvedClient, tmp_path: Path, ruled: bool
) -> None:
    """The total counts GRN-115's line, which the page does not give (a line
    lost): 2 + 1 = 3 units read, not 6; nothing of the claim is taken."""
    path = _claim(
        tmp_path / "short.pdf",
        [[*ACME_LINES[:2], ["Total", "6", "", "1,974.00"]]],
        ruled=ruled,
        head=ACME_HEAD,
        labels=ACME_LABELS,
    )
    if ruled:
        lines = _printed(path)[1:-1]
        assert sum(int(row[1]) for row in lines) == 3  # the oracle's lines
    refused = _refused(path, acme)
    assert str(refused) == (
        f"{path}: page 1, line table row 'Total': the total row's Qty says '6', "
        "the 2 claim lines above add up to 3; a line may be missing or misread"
    )


def test_a_total_whose_amount_lost_a_digit_is_refused_naming_the_amount(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    # the units agree (6); 298.00 + 1,229.00 + 447.00 = 1,974.00, not 197.40
    path = _claim(
        tmp_path / "digit.pdf",
        [[*ACME_LINES, ["Total", "6", "", "197.40"]]],
        head=ACME_HEAD,
        labels=ACME_LABELS,
    )
    assert _refused(path, acme).detail == (
        "the total row's Line Amount says '197.40', the 3 claim lines above add "
        "up to 1974.00; a line may be missing or misread"
    )


def test_the_cli_refuses_in_one_line_and_ingest_writes_nothing(
    tmp_path: Path,
) -> None:
    from tests.conftest import SAMPLES

    config = str(SAMPLES / "clients" / "acme-tools.yaml")
    path = _claim(
        tmp_path / "short.pdf",
        [[*ACME_LINES[:2], ["Total", "6", "", "1,974.00"]]],
        head=ACME_HEAD,
        labels=ACME_LABELS,
    )
    db = tmp_path / "c.db"
    line = (
        f"claimflow: error: {path}: page 1, line table row 'Total': the total "
        "row's Qty says '6', the 2 claim lines above add up to 3; a line may be "
        "missing or misread\n"
    )
    for command in (["check"], ["ingest", "--db", str(db)]):
        result = CliRunner().invoke(
            main, [command[0], str(path), "--client", config, *command[1:]]
        )
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", line)
    with Store.open(db) as store:
        assert [store.count(t) for t in ("batches", "claims", "documents")] == [0, 0, 0]


# --- de_DE: amounts as Babel writes them --------------------------------------


def _de(amount: Decimal) -> str:
    return format_decimal(amount, "#,##0.00", locale="de_DE")


def test_a_de_de_total_is_read_in_the_clients_locale(
    german: ResolvedClient, tmp_path: Path
) -> None:
    prices = [(2, Decimal("617.25")), (4, Decimal("24.9975")), (1, Decimal("0.51"))]
    lines = [
        ["BOH-100", "2", _de(Decimal("617.25")), _de(Decimal("1234.50"))],
        ["SAE-200", "4", "24,9975", _de(Decimal("99.99"))],
        ["SCH-300", "1", _de(Decimal("0.51")), _de(Decimal("0.51"))],
    ]
    # 1.234,50 + 99,99 + 0,51 = 1.335,00; 2 + 4 + 1 = 7 units, by hand
    assert _de(sum((q * p for q, p in prices), Decimal(0))) == "1.335,00"
    path = _claim(tmp_path / "de.pdf", [[*lines, ["Summe", "7", "", "1.335,00"]]])
    printed = _printed(path)
    assert sum(parse_decimal(row[3], locale="de_DE") for row in printed[1:-1]) == (
        parse_decimal(printed[-1][3], locale="de_DE")
    )
    parsed = open_file(path, german)
    assert len(list(parsed.records)) == 1
    assert parsed.notes == [
        "page 1: line table row 'Summe' is a total row: not a claim line; its "
        "Menge 7 and Betrag 1.335,00 equal the 3 claim lines above"
    ]
    assert check([path], german).outcomes["accepted"] == 1
    wrong = _claim(tmp_path / "de2.pdf", [[*lines, ["Summe", "7", "", "1.336,00"]]])
    assert _refused(wrong, german).detail == (
        "the total row's Betrag says '1.336,00' (1336.00), the 3 claim lines "
        "above add up to 1335.00; a line may be missing or misread"
    )


def test_a_total_figure_that_is_no_number_refuses_the_file(
    german: ResolvedClient, tmp_path: Path
) -> None:
    path = _claim(
        tmp_path / "drei.pdf",
        [[["BOH-100", "2", "10,00", "20,00"], ["Summe", "drei", "", "20,00"]]],
    )
    refused = _refused(path, german)
    assert refused.where == "page 1, line table row 'Summe'"
    assert refused.detail.startswith("the total row's Menge: expected a whole number")
    assert "found 'drei'" in refused.detail


def test_a_total_row_with_no_figures_is_left_out_as_before(
    german: ResolvedClient, tmp_path: Path
) -> None:
    path = _claim(
        tmp_path / "leer.pdf",
        [[["BOH-100", "2", "10,00", "20,00"], ["Summe", "", "", ""]]],
    )
    assert _printed(path)[-1] == ["Summe", "", "", ""]
    parsed = open_file(path, german)
    [record] = list(parsed.records)
    assert [line["sku"] for _, line in record.lines] == ["BOH-100"]
    assert parsed.notes == [
        "page 1: line table row 'Summe' is a total row: not a claim line"
    ]


# --- an 'Übertrag' carried from page 1 to page 2 ----------------------------

PAGE1 = [["BOH-100", "2", "10,00", "20,00"], ["SAE-200", "1", "5,00", "5,00"]]
PAGE2_LINE = ["SCH-300", "1", "1.234,50", "1.234,50"]


@pytest.mark.parametrize("at_foot", [False, True])
def test_a_total_carried_to_the_next_page_is_a_running_total(
    german: ResolvedClient, tmp_path: Path, at_foot: bool
) -> None:
    """Page 1's lines add up to 25,00 (20,00 + 5,00), carried to page 2
    (and, `at_foot`, printed under page 1's table too); the grand total
    is 4 units and 1.259,50 (25,00 + 1.234,50), by hand."""
    carried = ["Übertrag", "", "", "25,00"]
    pages = [
        [*PAGE1, *([carried] if at_foot else [])],
        [carried, PAGE2_LINE, ["Summe", "4", "", "1.259,50"]],
    ]
    path = _claim(tmp_path / "uebertrag.pdf", pages)
    oracle = [row for page in (0, 1) for row in _printed(path, page)[1:]]
    lines = [row for row in oracle if row[0] not in ("Übertrag", "Summe")]
    assert sum(parse_decimal(r[3], locale="de_DE") for r in lines) == Decimal("1259.50")
    parsed = open_file(path, german)
    [record] = list(parsed.records)
    assert [src.page for src, _ in record.lines] == [1, 1, 2]
    page2 = [
        "page 2: line table row 'Übertrag' is a total row: not a claim line; its "
        "Betrag 25,00 equals the 2 claim lines above",
        "page 2: line table row 'Summe' is a total row: not a claim line; its "
        "Menge 4 and Betrag 1.259,50 equal the 3 claim lines above",
    ]
    page1 = [
        "page 1: line table row 'Übertrag' is a total row: not a claim line; its "
        "Betrag 25,00 equals the 2 claim lines above"
    ]
    assert parsed.notes == (page1 if at_foot else []) + page2
    assert check([path], german).outcomes["accepted"] == 1


def test_a_carried_total_that_page_ones_lines_do_not_make_is_refused(
    german: ResolvedClient, tmp_path: Path
) -> None:
    """Page 2 carries 35,00, page 1's lines read give 25,00 (a line of
    10,00 lost on page 1); refused naming page 2's row."""
    pages = [PAGE1, [["Übertrag", "", "", "35,00"], PAGE2_LINE]]
    path = _claim(tmp_path / "verloren.pdf", pages)
    assert _printed(path, 1)[1] == ["Übertrag", "", "", "35,00"]
    refused = _refused(path, german)
    assert str(refused) == (
        f"{path}: page 2, line table row 'Übertrag': the total row's Betrag says "
        "'35,00' (35.00), the 2 claim lines above add up to 25.00; a line may be "
        "missing or misread"
    )


def test_each_claim_of_a_pdf_is_totalled_on_its_own(
    german: ResolvedClient, tmp_path: Path
) -> None:
    """Two claims, one a page: each 'Summe' covers its own page's lines
    (20,00 and 5,00), never the claim before it (which would give 25,00)."""
    c = canvas.Canvas(str(tmp_path / "zwei.pdf"), pagesize=A4)
    for invoice, line, total in [
        ("RE-9901", PAGE1[0], "20,00"),
        ("RE-9902", PAGE1[1], "5,00"),
    ]:
        for y, text in zip(
            (800, 780, 760),
            ["Partnernummer: 100200", f"Rechnungsnummer: {invoice}",
             "Rechnungsdatum: 03.11.2026"],
            strict=True,
        ):  # fmt: skip
            c.drawString(40, y, text)
        table = Table([GERMAN_HEAD, line, ["Summe", "", "", total]])
        table.setStyle(GRID)
        _, height = table.wrapOn(c, 400, 800)
        table.drawOn(c, 40, 700 - height)
        c.showPage()
    c.save()
    parsed = open_file(tmp_path / "zwei.pdf", german)
    assert len(list(parsed.records)) == 2
    assert [note.split("; ")[-1] for note in parsed.notes] == [
        "its Betrag 20,00 equals the 1 claim line above",
        "its Betrag 5,00 equals the 1 claim line above",
    ]


# --- fillable forms -----------------------------------------------------------


def _fillable_with_printed_lines(path: Path, total: str) -> Path:
    """Page 1: the claim's details in form fields; page 2: its line table
    printed (flattened), with its total row."""
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 780
    for name, value in [
        ("partner_nr", "100200"),
        ("rechnung_nr", "RE-7001"),
        ("rechnung_datum", "03.11.2026"),
    ]:
        c.drawString(40, y, name)
        c.acroForm.textfield(
            name=name, value=value, x=200, y=y - 4, width=200, height=18
        )
        y -= 30
    c.showPage()
    table = Table([GERMAN_HEAD, *PAGE1, ["Summe", "3", "", total]])
    table.setStyle(GRID)
    _, height = table.wrapOn(c, 400, 800)
    table.drawOn(c, 40, 700 - height)
    c.showPage()
    c.save()
    return path


def test_a_forms_printed_line_table_total_is_checked(
    german: ResolvedClient, tmp_path: Path
) -> None:
    good = _fillable_with_printed_lines(tmp_path / "gut.pdf", "25,00")
    assert PdfReader(good).get_fields()["rechnung_nr"]["/V"] == "RE-7001"
    assert _printed(good, 1)[-1] == ["Summe", "3", "", "25,00"]
    parsed = open_file(good, german)
    [record] = list(parsed.records)
    assert record.values["invoice_number"] == "RE-7001"
    assert [line["sku"] for _, line in record.lines] == ["BOH-100", "SAE-200"]
    assert parsed.notes == [
        "page 2: line table row 'Summe' is a total row: not a claim line; its "
        "Menge 3 and Betrag 25,00 equal the 2 claim lines above"
    ]
    bad = _fillable_with_printed_lines(tmp_path / "falsch.pdf", "24,00")
    assert str(_refused(bad, german)) == (
        f"{bad}: page 2, line table row 'Summe': the total row's Betrag says "
        "'24,00' (24.00), the 2 claim lines above add up to 25.00; a line may be "
        "missing or misread"
    )


def test_a_forms_own_total_field_is_checked_by_the_batch_rule(
    german: ResolvedClient, tmp_path: Path
) -> None:
    """A form's 'total' field is its claim_total, no table row: the batch
    rule compares it with its lines (20,00 + 5,00 = 25,00, not 30,00) and
    pends the claim (claim_total_mismatch); 25,00 is accepted."""
    outcomes = []
    for total in ("25,00", "30,00"):
        form = tmp_path / f"summe-{total[:2]}.pdf"
        c = canvas.Canvas(str(form), pagesize=A4)
        y = 780
        for name, value in [
            ("partner_nr", "100200"),
            ("rechnung_nr", "RE-7001"),
            ("rechnung_datum", "03.11.2026"),
            ("sku_1", "BOH-100"),
            ("qty_1", "2"),
            ("Betrag_1", "20,00"),
            ("sku_2", "SAE-200"),
            ("qty_2", "1"),
            ("Betrag_2", "5,00"),
            ("total", total),
        ]:
            c.acroForm.textfield(
                name=name, value=value, x=200, y=y, width=200, height=18
            )
            y -= 30
        c.showPage()
        c.save()
        assert PdfReader(form).get_fields()["total"]["/V"] == total
        result = check([form], german)
        outcomes.append((dict(result.outcomes), dict(result.reasons)))
    assert outcomes[0][0]["accepted"] == 1
    assert outcomes[1][0]["pended"] == 1
    assert outcomes[1][1] == {ReasonCode.CLAIM_TOTAL_MISMATCH: 1}
