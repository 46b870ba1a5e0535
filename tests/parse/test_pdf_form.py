"""Fillable forms: line fields named with a space, filled fields that map to
nothing, and the page and field each line is read from.

The forms are drawn here with reportlab's AcroForm (after trial 23's
``make_form.py``); pypdf's reading of the fields is the oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfReader

from claimflow import check
from claimflow.parse import open_file
from claimflow.validate.record import Sourcing
from tests.conftest import NOW
from tests.parse.french_pdfs import client, new_canvas

CLAIM = {
    "N° de demande": "EP-1001",
    "N° adhérent": "204511",
    "N° de facture": "F-40412",
    "Date de facture": "12/10/2026",
}


def _form(path: Path, pages: Sequence[dict[str, str]]) -> Path:
    """A form with one text field per (name, value), page by page."""
    c = new_canvas(path)
    for fields in pages:
        y = 770
        for name, value in fields.items():
            c.setFont("Helvetica", 9)
            c.drawString(50, y + 4, name)
            c.acroForm.textfield(
                name=name, value=value, x=220, y=y, width=250, height=16
            )
            y -= 22
        c.showPage()
    c.save()
    return path


def _pypdf_fields(path: Path) -> dict[str, str]:
    return {k: v.get("/V") for k, v in (PdfReader(path).get_fields() or {}).items()}


def test_line_fields_named_with_a_space_are_read_as_their_line(
    tmp_path: Path,
) -> None:
    """Trial 23: `Quantité 2`, `Référence produit 2` (a space, not `_`) were
    dropped with line 2's serials, and the claim accepted."""
    line1 = {"Référence produit_1": "LV-500", "Quantité_1": "1"}
    line2 = {
        "Référence produit 2": "FR-300",
        "Quantité 2": "2",
        "Numéros de série 2": "FR111111 FR222222",
    }
    path = _form(tmp_path / "spaced.pdf", [{**CLAIM, **line1, **line2}])
    fields = _pypdf_fields(path)
    parsed = open_file(path, client())
    [record] = parsed.records
    assert [line for _, line in record.lines] == [
        {"sku": fields["Référence produit_1"], "quantity": fields["Quantité_1"]},
        {
            "sku": fields["Référence produit 2"],
            "quantity": fields["Quantité 2"],
            "serial_numbers": fields["Numéros de série 2"],
        },
    ]
    assert Sourcing(record, "c").where("quantity", 2).endswith("line 2:Quantité 2")
    assert parsed.notes == []


def test_a_filled_field_that_maps_to_nothing_is_a_note(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "extra.pdf",
        [
            {**CLAIM, "Référence produit_1": "LV-500", "Quantité_1": "1"},
            {"Commentaire": "deux unités livrées", "Vide": ""},
        ],
    )
    assert _pypdf_fields(path)["Commentaire"] == "deux unités livrées"
    parsed = open_file(path, client())
    [record] = parsed.records
    assert parsed.notes == [
        "page 2: form field 'Commentaire' ('deux unités livrées') maps to no "
        "claim field: left out; map it in the client's form_fields if it is one"
    ]
    result = check([path], client(), received_at=NOW).to_dict()
    assert result["files"][0]["notes"] == parsed.notes


def test_each_form_line_is_placed_on_its_page_and_named_by_its_field(
    tmp_path: Path,
) -> None:
    """Trial 23: line 3's fields were on page 2 but `show` said page 1; with
    line 2 left blank, a repeat of MO000003 on line 3 was placed at
    `line 2:Numéros de série_1` (the claim's second line, line 1's field)."""
    path = _form(
        tmp_path / "two_pages.pdf",
        [
            {
                **CLAIM,
                "Référence produit_1": "MO-120",
                "Quantité_1": "1",
                "Numéros de série_1": "MO000003",
            },
            {
                "Référence produit_3": "MO-120",
                "Quantité_3": "1",
                "Numéros de série_3": "MO000003",
            },
        ],
    )
    reader = PdfReader(path)
    on_page2 = {a.get_object()["/T"] for a in reader.pages[1]["/Annots"]}
    assert "Numéros de série_3" in on_page2
    [record] = open_file(path, client()).records
    assert [(src.page, src.line) for src, _ in record.lines] == [(1, 1), (2, 3)]
    place = Sourcing(record, "c").where("serial_numbers", 2)
    assert place == f"{path}:page 2:line 3:Numéros de série_3"
    result = check([path], client(), received_at=NOW).to_dict()
    twice = [p for p in result["problems"] if "listed twice" in p["message"]]
    assert [(p["source"]["page"], p["source"]["line"], p["source"]["field"])
            for p in twice] == [(2, 3, "Numéros de série_3")]
