"""Printed pages read as a viewer shows them: turned upright.

Each PDF is drawn here (after the trial 23 generators, `tests.parse.
french_pdfs`); pdfplumber's characters and pypdf's text are the oracle of
what each page holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter

from claimflow import UnreadableInput
from claimflow.parse import open_file
from tests.parse.french_pdfs import (
    HEAD,
    LINE,
    client,
    head,
    labels,
    new_canvas,
    ruled,
)


def _pypdf_labels(path: Path, page: int) -> dict[str, str]:
    """pypdf's reading of a page's ``Label : value`` lines."""
    text = PdfReader(path).pages[page].extract_text()
    return dict(re.findall(r"^(.+?) : (.+)$", text, re.MULTILINE))


def _rotated_claims(path: Path) -> Path:
    """Page 1: claim EP-2005 drawn turned a quarter (``c.rotate(90)``), as
    a landscape form printed sideways; page 2: claim EP-2006 upright."""
    c = new_canvas(path)
    c.saveState()
    c.translate(560, 50)
    c.rotate(90)
    y = head(c, labels("EP-2005", "F-40416"), y=480)
    ruled(c, [HEAD, LINE], y)
    c.restoreState()
    c.showPage()
    y = head(c, labels("EP-2006", "F-40417"))
    ruled(c, [HEAD, LINE], y)
    c.showPage()
    c.save()
    return path


def test_a_page_printed_sideways_is_read_turned_upright(tmp_path: Path) -> None:
    """Trial 23: the sideways page's claim was dropped, exit 0, no note (its
    text was taken for a margin note)."""
    path = _rotated_claims(tmp_path / "rot.pdf")
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].chars
        assert not any(ch["upright"] for ch in pdf.pages[0].chars)
    parsed = open_file(path, client())
    first, second = list(parsed.records)
    printed = _pypdf_labels(path, 0)
    assert printed["N° de demande"] == "EP-2005"
    assert first.values["claim_ref"] == printed["N° de demande"]
    assert first.values["invoice_number"] == printed["N° de facture"]
    assert first.source.page == 1
    assert [line for _, line in first.lines] == [dict(zip(
        ["sku", "quantity", "unit_price", "line_total", "serial_numbers"],
        LINE,
        strict=True,
    ))]
    assert second.values["claim_ref"] == "EP-2006"
    assert parsed.notes == [
        "page 1: text printed running bottom to top; read turned upright"
    ]


def test_a_page_turned_by_its_rotate_attribute_is_read_upright(
    tmp_path: Path,
) -> None:
    """Trial 23: a page with /Rotate 90 was refused as 'claim lines with no
    claim details' (its labels, sideways, were not seen)."""
    drawn = _rotated_claims(tmp_path / "drawn.pdf")
    writer = PdfWriter(clone_from=drawn)
    writer.pages[1].rotate(90)
    path = tmp_path / "rot_attr.pdf"
    writer.write(path)
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[1].rotation == 90
        assert not any(ch["upright"] for ch in pdf.pages[1].chars)
    parsed = open_file(path, client())
    records = list(parsed.records)
    assert [r.values["claim_ref"] for r in records] == ["EP-2005", "EP-2006"]
    assert records[1].values["invoice_number"] == _pypdf_labels(path, 1)[
        "N° de facture"
    ]
    assert parsed.notes == [
        "page 1: text printed running bottom to top; read turned upright",
        "page 2: text printed running top to bottom; read turned upright",
    ]


def test_claim_labels_printed_in_two_directions_refuse_the_page(
    tmp_path: Path,
) -> None:
    path = tmp_path / "two.pdf"
    c = new_canvas(path)
    y = head(c, labels("EP-2007"))
    ruled(c, [HEAD, LINE], y)
    c.saveState()
    c.translate(560, 50)
    c.rotate(90)
    head(c, labels("EP-2008"), y=10)
    c.restoreState()
    c.showPage()
    c.save()
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client()).records)
    assert str(caught.value) == (
        f"{path}: page 1: text printed in two directions (left to right and "
        "bottom to top), both with claim labels; key this page by hand"
    )

