"""Trial 40 (a German dealer program, werkzeug-de: de_DE, EUR, DD.MM.YYYY):
PDFs as other software writes them, read against pypdf and pdfplumber.

Each file is written here with reportlab and edited with pypdf (the one
that needs a font is `tests/fixtures/trial40/`, see its README). What was
wrong before, each with its example:

- an Acrobat number field (``AFNumber_Format(2, 2, ...)``) shows
  ``1.234,50`` and stores the JavaScript number ``1234.5`` (pypdf's /V):
  it was read as de_DE text and pended, "found '1234.5' ('.' groups
  digits in de_DE)", the participant asked again for what they typed;
- a field whose value is only drawn (no /V; pypdf reads None, the page
  shows ``H-77``) was dropped without a word: the claim was accepted
  without its dealer;
- a check box ticked on Acrobat's on-state ``/Choice1`` read ``Choice1``,
  which no yes/no field reads: the claim was pended;
- a form flattened on page 1 (``Partnernummer: 100200`` now page text,
  pdfplumber's) and fillable on page 2 was read from page 2 alone: the
  printed member, invoice and date were dropped unnoted and the claim
  pended for them;
- a page in a font without a Unicode map (pdfplumber reads ``(cid:80)``)
  was skipped as a page without labels, or, alone, refused as "no claim
  found", not naming the page or why.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from claimflow import check
from claimflow.config import ResolvedClient, load_client
from claimflow.errors import UnreadableInput
from claimflow.parse import content_hash, open_file, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "trial40"

CLIENT = """\
schema_version: 1
client: werkzeug-de
name: Werkzeug Partner Bonus
kind: sales
locale: de_DE
language: de
date_order: DMY
currency: EUR
timezone: Europe/Berlin
claim_window_days: 3650
columns:
  participant_id: ["Partnernummer"]
  invoice_number: ["Rechnungsnummer"]
  invoice_date: ["Rechnungsdatum"]
  dealer_id: ["Händlercode"]
  sku: ["Artikel"]
  quantity: ["Menge"]
  unit_price: ["Einzelpreis"]
  line_total: ["Betrag"]
  claim_ref: ["Antrag"]
form_fields:
  partner_nr: participant_id
  rechnung_nr: invoice_number
  rechnung_datum: invoice_date
  haendler: dealer_id
  beleg: proof_attached
eligible_skus: [BOH-100, SAE-200, SCH-300, AKK-18V]
"""


@pytest.fixture
def client(tmp_path: Path) -> ResolvedClient:
    path = tmp_path / "werkzeug-de.yaml"
    path.write_text(CLIENT, encoding="utf-8")
    return load_client(path)


def _form(path: Path, fields: list[tuple[str, str]], printed: list[str] = ()) -> None:  # type: ignore[assignment]
    """A one-page form of text fields (reportlab), labels printed beside."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    y = 780
    for text in printed:
        c.drawString(40, y, text)
        y -= 20
    for name, value in fields:
        c.drawString(40, y, name)
        c.acroForm.textfield(name=name, value=value, x=200, y=y - 4, width=200, height=18)
        y -= 30
    c.showPage()
    c.save()


def _edit(path: Path, out: Path, change: dict[str, Any]) -> None:
    """Set keys of the widgets named in `change` (pypdf); None deletes."""
    writer = PdfWriter(clone_from=PdfReader(path))
    for annot in writer.pages[0]["/Annots"]:
        widget = annot.get_object()
        for key, value in change.get(str(widget["/T"]), {}).items():
            if value is None:
                del widget[key]
            else:
                widget[NameObject(key)] = value
    writer.write(out)


def _script(js: str) -> DictionaryObject:
    """A format action (``/AA /F``) running `js`."""
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(js),
        }
    )
    return DictionaryObject({NameObject("/F"): action})


HEADER = [
    ("partner_nr", "100200"),
    ("rechnung_nr", "RE-6001"),
    ("rechnung_datum", "03.11.2026"),
]


def test_acrobat_number_field_is_read_as_the_number_it_stores(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """/V '1234.5' under AFNumber_Format(2, 2, ...) (shown 1.234,50) is
    1234.50 EUR; it was pended as '1234.5' read in de_DE."""
    base, form = tmp_path / "base.pdf", tmp_path / "betrag.pdf"
    _form(base, [*HEADER, ("sku_1", "BOH-100"), ("qty_1", "2"), ("Betrag_1", "1234.5")])
    _edit(base, form, {"Betrag_1": {"/AA": _script('AFNumber_Format(2, 2, 0, 0, "", true);')}})
    assert PdfReader(form).get_fields()["Betrag_1"]["/V"] == "1234.5"  # the oracle
    [record] = read_file(form, client)
    assert record.lines[0][1]["line_total"] == Decimal("1234.5")
    result = check([form], client)
    assert result.problems == []
    assert result.outcomes["accepted"] == 1


def test_acrobat_percent_field_is_refused_as_the_percentage_shown(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """/V '0.5' under AFPercent_Format (shown 50.00%) in a quantity field
    is no quantity: pended naming the field, never read as 0.5 or 50."""
    base, form = tmp_path / "base.pdf", tmp_path / "menge.pdf"
    _form(base, [*HEADER, ("sku_1", "BOH-100"), ("qty_1", "0.5")])
    _edit(base, form, {"qty_1": {"/AA": _script("AFPercent_Format(2, 0);")}})
    assert PdfReader(form).get_fields()["qty_1"]["/V"] == "0.5"
    result = check([form], client)
    [problem] = result.problems
    assert problem.source.field == "qty_1"
    assert problem.code == "invalid_number"
    assert "'50%'" in problem.message


def test_a_value_only_drawn_is_refused_naming_its_page_and_field(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """haendler shows H-77 on the page (its appearance), but holds no /V
    (pypdf: None): the claim was accepted without its dealer."""
    base, form = tmp_path / "base.pdf", tmp_path / "drawn.pdf"
    _form(base, [*HEADER, ("haendler", "H-77"), ("sku_1", "BOH-100"), ("qty_1", "1")])
    _edit(base, form, {"haendler": {"/V": None}})
    assert PdfReader(form).get_fields()["haendler"].get("/V") is None
    with pytest.raises(UnreadableInput) as refused:
        read_file(form, client)
    assert str(refused.value).startswith(
        f"{form}: page 1: form field 'haendler' (dealer_id) shows a value on the "
        "page but holds none"
    )


def test_an_empty_field_drawing_nothing_is_still_empty(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """The other side: an unfilled field (its appearance draws no text)
    is no value and no refusal."""
    form = tmp_path / "empty.pdf"
    _form(form, [*HEADER, ("haendler", ""), ("sku_1", "BOH-100"), ("qty_1", "1")])
    [record] = read_file(form, client)
    assert "dealer_id" not in record.values


@pytest.mark.parametrize("state", ["/Choice1", "/1", "/Ja", "/Yes"])
def test_a_lone_check_box_ticked_on_any_state_is_yes(
    client: ResolvedClient, tmp_path: Path, state: str
) -> None:
    """beleg ticked on /Choice1 (Acrobat's name) read 'Choice1' and was
    pended as no yes/no; any on-state of a lone box is a tick."""
    base, form = tmp_path / "base.pdf", tmp_path / "beleg.pdf"
    _form(base, [*HEADER, ("beleg", ""), ("sku_1", "BOH-100"), ("qty_1", "1")])
    on = NameObject(state)
    _edit(base, form, {"beleg": {"/FT": NameObject("/Btn"), "/V": on, "/AS": on}})
    assert PdfReader(form).get_fields()["beleg"]["/V"] == state
    [record] = read_file(form, client)
    assert record.values["proof_attached"] is True
    assert check([form], client).outcomes["accepted"] == 1


def _flattened_then_fillable(path: Path, partner_field: str | None = None) -> None:
    """Page 1 printed (a flattened form), page 2 fillable."""
    base = path.with_suffix(".base.pdf")
    c = canvas.Canvas(str(base), pagesize=A4)
    c.setFont("Helvetica", 11)
    for y, text in [
        (780, "Partnernummer: 100200"),
        (760, "Rechnungsnummer: RE-7001"),
        (740, "Rechnungsdatum: 03.11.2026"),
    ]:
        c.drawString(40, y, text)
    c.showPage()
    c.setFont("Helvetica", 11)
    fields = [("sku_1", "BOH-100"), ("qty_1", "2"), ("beleg", "ja")]
    if partner_field is not None:
        fields.append(("partner_nr", partner_field))
    y = 780
    for name, value in fields:
        c.drawString(40, y, name)
        c.acroForm.textfield(name=name, value=value, x=200, y=y - 4, width=200, height=18)
        y -= 30
    c.showPage()
    c.save()
    shutil.copy(base, path)


def test_a_form_flattened_on_one_page_and_fillable_on_another_is_one_claim(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Page 1's printed details (pdfplumber) and page 2's fields (pypdf)
    make the claim; page 1 was left out unnoted and the claim pended."""
    form = tmp_path / "halb.pdf"
    _flattened_then_fillable(form)
    printed = pdfplumber.open(form).pages[0].extract_text()
    assert "Partnernummer: 100200" in printed
    assert PdfReader(form).get_fields()["sku_1"]["/V"] == "BOH-100"
    [record] = read_file(form, client)
    assert record.values["participant_id"] == "100200"
    assert record.values["invoice_number"] == "RE-7001"
    assert record.values["invoice_date"] == "03.11.2026"
    assert record.field_sources["participant_id"] == "Partnernummer"
    assert record.source.page == 1
    assert record.lines[0][1] == {"sku": "BOH-100", "quantity": "2"}
    assert record.lines[0][0].page == 2
    assert check([form], client).outcomes["accepted"] == 1


def test_a_printed_value_the_form_contradicts_is_refused(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Page 1 prints Partnernummer 100200, page 2's field says 100300."""
    form = tmp_path / "widerspruch.pdf"
    _flattened_then_fillable(form, partner_field="100300")
    with pytest.raises(UnreadableInput) as refused:
        read_file(form, client)
    assert str(refused.value) == (
        f"{form}: page 1: Partnernummer: printed '100200', but form field "
        "'partner_nr' holds '100300'; which one the claim means is a guess: key "
        "this claim by hand"
    )


def test_a_page_in_a_font_without_a_unicode_map_is_refused_naming_it(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """type0_no_tounicode.pdf: an Identity-H font with no /ToUnicode;
    pdfplumber reads '(cid:80)(cid:97)...'. Behind a readable page 1 it was
    skipped unnoted; alone, refused as 'no claim found'."""
    alone = FIXTURES / "type0_no_tounicode.pdf"
    assert pdfplumber.open(alone).pages[0].extract_text().startswith("(cid:80)")
    with pytest.raises(UnreadableInput) as refused:
        read_file(alone, client)
    assert str(refused.value).startswith(
        f"{alone}: page 1: text in a font without a Unicode map "
        "(AAAAAA+DejaVuSans, read as '(cid:80)')"
    )
    readable = tmp_path / "readable.pdf"
    c = canvas.Canvas(str(readable), pagesize=A4)
    for y, text in [
        (780, "Partnernummer: 100200"),
        (760, "Rechnungsnummer: RE-9001"),
        (740, "Rechnungsdatum: 03.11.2026"),
        (720, "Artikel: BOH-100"),
        (700, "Menge: 1"),
    ]:
        c.drawString(40, y, text)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(readable))
    writer.append(PdfReader(alone))
    both = tmp_path / "both.pdf"
    writer.write(both)
    with pytest.raises(UnreadableInput, match=r"both\.pdf: page 2: text in a font"):
        read_file(both, client)


def _hierarchical(path: Path) -> None:
    """Acrobat's copies of a field: Lines > SKU > 0, 1 (with /Kids)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for y, text in [(780, "Partnernummer: 100200"), (760, "Rechnungsnummer: RE-7002")]:
        c.drawString(40, y, text)
    c.drawString(40, 740, "Rechnungsdatum: 03.11.2026")
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(path))
    page = writer.pages[0]
    annots = page.setdefault(NameObject("/Annots"), ArrayObject())

    def node(partial: str, parent: DictionaryObject | None) -> DictionaryObject:
        made = DictionaryObject(
            {NameObject("/T"): TextStringObject(partial), NameObject("/Kids"): ArrayObject()}
        )
        writer._add_object(made)
        if parent is not None:
            made[NameObject("/Parent")] = parent.indirect_reference
            parent["/Kids"].append(made.indirect_reference)
        return made

    lines = node("Lines", None)
    for x, (field, values) in enumerate([("SKU", ["BOH-100", "SAE-200"]), ("Qty", ["2", "1"])]):
        parent = node(field, lines)
        for i, value in enumerate(values):
            widget = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/T"): TextStringObject(str(i)),
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/V"): TextStringObject(value),
                    NameObject("/Rect"): ArrayObject(
                        [FloatObject(v) for v in (40 + 100 * x, 600 - 30 * i, 130 + 100 * x, 618 - 30 * i)]
                    ),
                    NameObject("/P"): page.indirect_reference,
                    NameObject("/Parent"): parent.indirect_reference,
                }
            )
            ref = writer._add_object(widget)
            parent["/Kids"].append(ref)
            annots.append(ref)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([lines.indirect_reference])}
    )
    writer.write(path)


def test_hierarchical_line_fields_map_by_their_full_names(tmp_path: Path) -> None:
    """Lines.SKU.0 (pypdf's full name) is noted as mapping to nothing
    unless the client maps it: then it is line 1, on its page."""
    form = tmp_path / "kids.pdf"
    _hierarchical(form)
    fields = PdfReader(form).get_fields()
    assert fields["Lines.SKU.1"]["/V"] == "SAE-200"
    path = tmp_path / "kids.yaml"
    path.write_text(
        CLIENT.replace(
            "  beleg: proof_attached\n",
            "  beleg: proof_attached\n"
            '  "Lines.SKU.0": sku[1]\n  "Lines.Qty.0": quantity[1]\n'
            '  "Lines.SKU.1": sku[2]\n  "Lines.Qty.1": quantity[2]\n',
        ),
        encoding="utf-8",
    )
    [record] = read_file(form, load_client(path))
    assert [line for _, line in record.lines] == [
        {"sku": "BOH-100", "quantity": "2"},
        {"sku": "SAE-200", "quantity": "1"},
    ]
    assert record.field_sources["sku@2"] == "Lines.SKU.1"


def test_a_list_box_with_two_choices_in_a_one_value_field_is_refused(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Artikel_2, a multi-select list, holds AKK-18V and SAE-200 (pypdf's
    /V is the list): the claim was rejected for the SKU
    "['AKK-18V', 'SAE-200']", a Python list's text. One choice is the SKU."""
    form = tmp_path / "liste.pdf"
    c = canvas.Canvas(str(form), pagesize=A4)
    y = 780
    for name, value in [*HEADER, ("sku_1", "BOH-100"), ("qty_1", "1"), ("Menge_2", "1")]:
        c.acroForm.textfield(name=name, value=value, x=200, y=y, width=200, height=18)
        y -= 30
    c.acroForm.listbox(
        name="Artikel_2",
        options=["BOH-100", "AKK-18V", "SAE-200"],
        value=["AKK-18V", "SAE-200"],
        fieldFlags="multiSelect",
        x=40,
        y=200,
        width=100,
        height=60,
    )
    c.showPage()
    c.save()
    assert PdfReader(form).get_fields()["Artikel_2"]["/V"] == ["AKK-18V", "SAE-200"]
    with pytest.raises(UnreadableInput) as refused:
        read_file(form, client)
    assert str(refused.value) == (
        f"{form}: page 1: form field 'Artikel_2' has 2 options chosen ('AKK-18V', "
        "'SAE-200'), but sku takes one: key this claim by hand"
    )
    one = tmp_path / "eins.pdf"
    writer = PdfWriter(clone_from=PdfReader(form))
    for annot in writer.pages[0]["/Annots"]:
        widget = annot.get_object()
        if widget["/T"] == "Artikel_2":
            widget[NameObject("/V")] = ArrayObject([TextStringObject("SAE-200")])
    writer.write(one)
    [record] = read_file(one, client)
    assert record.lines[1][1]["sku"] == "SAE-200"


@pytest.mark.parametrize("ruled", [True, False])
def test_a_printed_line_tables_total_row_is_no_claim_line(
    client: ResolvedClient, tmp_path: Path, ruled: bool
) -> None:
    """'Summe | 3 | | 25,00' under the lines (pdfplumber reads it as the
    table's last row) was read as a line of SKU 'Summe' and the whole
    claim rejected (ineligible_sku); it is left out with a note."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    path = tmp_path / "summe.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for y, text in [
        (800, "Partnernummer: 100200"),
        (780, "Rechnungsnummer: RE-9901"),
        (760, "Rechnungsdatum: 03.11.2026"),
    ]:
        c.drawString(40, y, text)
    rows = [
        ["Artikel", "Menge", "Einzelpreis", "Betrag"],
        ["BOH-100", "2", "10,00", "20,00"],
        ["SAE-200", "1", "5,00", "5,00"],
        ["Summe", "3", "", "25,00"],
    ]
    table = Table(rows, colWidths=[100, 60, 80, 80])
    if ruled:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    _, height = table.wrapOn(c, 400, 800)
    table.drawOn(c, 40, 700 - height)
    c.showPage()
    c.save()
    assert "Summe 3 25,00" in pdfplumber.open(path).pages[0].extract_text()
    parsed = open_file(path, client)
    [record] = list(parsed.records)
    assert [line["sku"] for _, line in record.lines] == ["BOH-100", "SAE-200"]
    # 2 + 1 = 3 units and 20,00 + 5,00 = 25,00 (pdf_totals checks them)
    assert parsed.notes == [
        "page 1: line table row 'Summe' is a total row: not a claim line; its "
        "Menge 3 and Betrag 25,00 equal the 2 claim lines above"
    ]
    assert check([path], client).outcomes["accepted"] == 1


def test_show_quotes_a_value_received_with_a_space_or_line_break(
    tmp_path: Path,
) -> None:
    """rechnung_nr 'RE-5001 ' and rechnung_datum '03.11.2026\\n' (pypdf's
    /V, as filled) printed as 'RE-5001' and a line break under 'As
    received'; the claim is read as RE-5001 on 3 November 2026."""
    from tests.test_cli import run

    config = tmp_path / "werkzeug-de.yaml"
    config.write_text(CLIENT, encoding="utf-8")
    form = tmp_path / "leer.pdf"
    _form(
        form,
        [
            ("partner_nr", "100200"),
            ("rechnung_nr", "RE-5001 "),
            ("rechnung_datum", "03.11.2026\n"),
            ("sku_1", "BOH-100"),
            ("qty_1", "1"),
        ],
    )
    fields = PdfReader(form).get_fields()
    assert fields["rechnung_nr"]["/V"] == "RE-5001 "
    assert fields["rechnung_datum"]["/V"] == "03.11.2026\n"
    db = str(tmp_path / "t.db")
    code, _, err = run("ingest", str(form), "--client", str(config), "--db", db)
    assert code == 0, err
    claim = f"{content_hash(form)[:12]}-p1"  # a form's claim id: its hash, its page
    code, out, err = run("show", claim, "--client", str(config), "--db", db)
    assert code == 0, err
    received = out.split("As received:\n")[1].split("\nOutcomes:")[0]
    assert "  rechnung_nr: 'RE-5001 '\n" in received
    assert "  rechnung_datum: '03.11.2026\\n'\n" in received


@pytest.mark.parametrize("stored", [None, "/Off"])
def test_a_check_box_drawn_ticked_that_holds_no_tick_is_refused(
    client: ResolvedClient, tmp_path: Path, stored: str | None
) -> None:
    """beleg's widget is drawn on /Yes (its /AS: a person sees a tick) while
    its /V is absent or /Off (pypdf): it was read as not ticked, unnoted."""
    base, form = tmp_path / "base.pdf", tmp_path / "haken.pdf"
    c = canvas.Canvas(str(base), pagesize=A4)
    y = 780
    for name, value in [*HEADER, ("sku_1", "BOH-100"), ("qty_1", "1")]:
        c.acroForm.textfield(name=name, value=value, x=200, y=y, width=200, height=18)
        y -= 30
    c.acroForm.checkbox(name="beleg", checked=True, x=200, y=y, size=14)
    c.showPage()
    c.save()
    change: dict[str, Any] = {"/AS": NameObject("/Yes")}
    change["/V"] = None if stored is None else NameObject(stored)
    _edit(base, form, {"beleg": change})
    oracle = PdfReader(form).get_fields()["beleg"]
    assert oracle.get("/V") == stored
    with pytest.raises(UnreadableInput) as refused:
        read_file(form, client)
    assert str(refused.value).startswith(
        f"{form}: page 1: form field 'beleg' (proof_attached) shows a value on the "
        "page but holds none"
    )


def test_a_carried_forward_row_on_a_tables_second_page_is_no_line(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """Page 2 of a line table repeats its header, then 'Übertrag | | |
    20,00' (the total carried from page 1, as German invoices print it):
    it was read as a line of SKU 'Übertrag' and the claim rejected."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    path = tmp_path / "uebertrag.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    head = ["Artikel", "Menge", "Einzelpreis", "Betrag"]
    for page, rows in enumerate(
        [
            [head, ["BOH-100", "2", "10,00", "20,00"]],
            [head, ["Übertrag", "", "", "20,00"], ["SAE-200", "1", "5,00", "5,00"]],
        ]
    ):
        if page == 0:
            for y, text in [
                (800, "Partnernummer: 100200"),
                (780, "Rechnungsnummer: RE-9902"),
                (760, "Rechnungsdatum: 03.11.2026"),
            ]:
                c.drawString(40, y, text)
        table = Table(rows, colWidths=[100, 60, 80, 80])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        _, height = table.wrapOn(c, 400, 800)
        table.drawOn(c, 40, 700 - height)
        c.showPage()
    c.save()
    assert "Übertrag 20,00" in pdfplumber.open(path).pages[1].extract_text()
    parsed = open_file(path, client)
    [record] = list(parsed.records)
    assert [line["sku"] for _, line in record.lines] == ["BOH-100", "SAE-200"]
    assert [source.page for source, _ in record.lines] == [1, 2]
    # the 20,00 carried to page 2 is page 1's one line
    assert parsed.notes == [
        "page 2: line table row 'Übertrag' is a total row: not a claim line; its "
        "Betrag 20,00 equals the 1 claim line above"
    ]


def test_a_fillable_pages_blank_lines_and_hints_are_no_values(
    client: ResolvedClient, tmp_path: Path
) -> None:
    """A form printing 'Rechnungsnummer: ____________' and 'Rechnungsdatum:
    TT.MM.JJJJ' under its filled fields: the page's text is no claim
    value (only pages without fields are read as printed)."""
    form = tmp_path / "linien.pdf"
    c = canvas.Canvas(str(form), pagesize=A4)
    c.setFont("Helvetica", 11)
    y = 780
    for label, hint, (name, value) in [
        ("Partnernummer:", "____________", HEADER[0]),
        ("Rechnungsnummer:", "____________", HEADER[1]),
        ("Rechnungsdatum:", "TT.MM.JJJJ", HEADER[2]),
    ]:
        c.drawString(40, y, f"{label} {hint}")
        c.acroForm.textfield(name=name, value=value, x=250, y=y - 4, width=150, height=18)
        y -= 30
    for name, value in [("sku_1", "BOH-100"), ("qty_1", "1")]:
        c.acroForm.textfield(name=name, value=value, x=250, y=y - 4, width=150, height=18)
        y -= 30
    c.showPage()
    c.save()
    assert "Rechnungsnummer: ____________" in pdfplumber.open(form).pages[0].extract_text()
    [record] = read_file(form, client)
    assert record.values["invoice_number"] == "RE-6001"
    assert record.values["invoice_date"] == "03.11.2026"
    assert record.field_sources["invoice_number"] == "rechnung_nr"
