"""Claims from printed pages: line tables running over onto the next page,
labels in two columns, printed twice, or given for the one claim line.

Each PDF is drawn here (after the trial 23 generators, `tests.parse.
french_pdfs`); pdfplumber's tables and text are the oracle of what each page holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from reportlab.platypus import Table

from claimflow import UnreadableInput
from claimflow.parse import open_file
from tests.parse.french_pdfs import (
    GRID,
    HEAD,
    LINE,
    client,
    head,
    labels,
    new_canvas,
    ruled,
)


def _run_over(path: Path, page2_columns: int | None = None) -> Path:
    """Claim EP-2003 with 45 ruled lines split over two pages, its header
    row not repeated on page 2 (trial 23's ``p_runover`` generator); with
    `page2_columns`, page 2's grid has that many columns instead."""
    rows = [["MO-120", "1", "10,00", "10,00", f"MO1000{i:02d}"] for i in range(1, 46)]
    c = new_canvas(path)
    y = head(c, labels("EP-2003", "F-40414"))
    table = Table([HEAD, *rows])
    table.setStyle(GRID)
    first, rest = table.split(500, y - 60)
    _, height = first.wrapOn(c, 500, y - 60)
    first.drawOn(c, 50, y - 20 - height)
    c.showPage()
    if page2_columns is not None:
        rest = Table([r[:page2_columns] for r in rows[len(first._cellvalues) - 1 :]])
        rest.setStyle(GRID)
    _, height = rest.wrapOn(c, 500, 780)
    rest.drawOn(c, 50, 800 - height)
    c.showPage()
    c.save()
    return path


def test_a_table_running_over_without_its_header_keeps_every_line(
    tmp_path: Path,
) -> None:
    """Trial 23: the 10 lines on page 2 (no header row repeated) were
    dropped and the claim accepted with 35 of its 45 lines."""
    path = _run_over(tmp_path / "runover.pdf")
    with pdfplumber.open(path) as pdf:
        tables = [page.extract_tables() for page in pdf.pages]
    assert tables[0][0][0] == HEAD and tables[1][0][0][0] == "MO-120"
    oracle = [row for page in tables for row in page[0] if row != HEAD]
    assert len(oracle) == 45
    [record] = open_file(path, client()).records
    assert [list(line.values()) for _, line in record.lines] == oracle
    on_page2 = len(tables[1][0])
    assert on_page2 >= 5
    assert [src.page for src, _ in record.lines] == [1] * (45 - on_page2) + [
        2
    ] * on_page2
    assert record.lines[-1][1]["serial_numbers"] == "MO100045"


def test_a_header_less_table_of_other_columns_after_a_claim_is_refused(
    tmp_path: Path,
) -> None:
    path = _run_over(tmp_path / "runover4.pdf", page2_columns=4)
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client()).records)
    assert str(caught.value) == (
        f"{path}: page 2: a ruled table without a header row follows the claim "
        "table of page 1, but its 4 columns are not that table's 5 at the same "
        "places; repeat the header row or key this page by hand"
    )


def _left_column(path: Path, right: float) -> dict[str, str]:
    """pdfplumber's text left of `right`, as ``Label : value`` lines."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        text = page.crop((0, 0, right, page.height)).extract_text()
    return dict(re.findall(r"^(.+?) : (.+)$", text, re.MULTILINE))


def test_a_value_ends_where_an_unknown_label_of_the_next_column_starts(
    tmp_path: Path,
) -> None:
    """Trial 23: claim_ref was read 'EP-4001 Ville : Aix-en-Provence' and
    dealer_id 'MAG-13 Responsable : Mme Roux' (labels the client has not)."""
    path = tmp_path / "twocol.pdf"
    c = new_canvas(path)
    c.setFont("Helvetica", 10)
    rows = [
        ("N° de demande : EP-4001", "Ville : Aix-en-Provence"),
        ("N° adhérent : 204513", "Téléphone : 04 42 00 00 00"),
        ("Nom du vendeur : Marc Olivier", "Vendeur depuis : 2019"),
        ("Code magasin : MAG-13", "Responsable : Mme Roux"),
        ("N° de facture : F-40430", "Date de facture : 05/10/2026"),
    ]
    y = 790.0
    for left, right in rows:
        c.drawString(50, y, left)
        c.drawString(310, y, right)
        y -= 16
    ruled(c, [HEAD, LINE], y)
    c.showPage()
    c.save()
    left = _left_column(path, 300)
    [record] = open_file(path, client()).records
    assert record.values == {
        "claim_ref": left["N° de demande"],
        "participant_id": left["N° adhérent"],
        "participant_name": left["Nom du vendeur"],
        "dealer_id": left["Code magasin"],
        "invoice_number": left["N° de facture"],
        "invoice_date": "05/10/2026",
    }
    assert record.values["dealer_id"] == "MAG-13"


def test_a_value_holding_a_label_without_a_gap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run_on.pdf"
    c = new_canvas(path)
    y = head(c, labels("EP-4001")[1:])
    c.drawString(50, y, "N° de demande : EP-4001 Ville : Aix-en-Provence")
    ruled(c, [HEAD, LINE], y - 16)
    c.showPage()
    c.save()
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client()).records)
    assert str(caught.value) == (
        f"{path}: page 1: N° de demande: 'EP-4001 Ville : Aix-en-Provence' holds "
        "another 'Label :' with no column gap before it; which part is the value "
        "is a guess: key this page by hand"
    )


def _reminder(path: Path, invoice: str) -> Path:
    """Trial 23's ``p_label_twice``: a reminder line at the foot of the page
    repeats the invoice number."""
    c = new_canvas(path)
    y = head(c, labels("EP-4002", "F-40431"))
    ruled(c, [HEAD, LINE], y)
    c.setFont("Helvetica", 9)
    c.drawString(50, 120, f"Rappel - N° de facture : {invoice}   N° adhérent : 204511")
    c.showPage()
    c.save()
    return path


def test_a_label_printed_twice_with_two_values_is_refused(tmp_path: Path) -> None:
    """Trial 23: the second invoice number (F-40999) was silently ignored."""
    path = _reminder(tmp_path / "twice.pdf", "F-40999")
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[0].extract_text()
    assert re.findall(r"N° de facture : (\S+)", text) == ["F-40431", "F-40999"]
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client()).records)
    assert str(caught.value) == (
        f"{path}: page 1: N° de facture: printed twice with two values, "
        "'F-40431' and 'F-40999'; which one the claim means is a guess: key "
        "this page by hand"
    )


def test_a_label_printed_twice_with_one_value_is_read(tmp_path: Path) -> None:
    path = _reminder(tmp_path / "same.pdf", "F-40431")
    [record] = open_file(path, client()).records
    assert record.values["invoice_number"] == "F-40431"


def test_line_fields_printed_as_labels_without_a_table_are_the_line(
    tmp_path: Path,
) -> None:
    """Trial 23: `Référence produit : LV-500` and `Quantité : 1` printed as
    labels (no table) were pended as 'sku: required, found nothing'."""
    path = tmp_path / "line_labels.pdf"
    c = new_canvas(path)
    head(
        c,
        [
            *labels("EP-4003", "F-40432"),
            ("Référence produit", "LV-500"),
            ("Quantité", "1"),
            ("Numéros de série", "LV123456"),
        ],
    )
    c.showPage()
    c.save()
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].find_tables() == []
        text = pdf.pages[0].extract_text()
    printed = dict(re.findall(r"^(.+?) : (.+)$", text, re.MULTILINE))
    [record] = open_file(path, client()).records
    assert [line for _, line in record.lines] == [
        {
            "sku": printed["Référence produit"],
            "quantity": printed["Quantité"],
            "serial_numbers": printed["Numéros de série"],
        }
    ]
