"""PDF reading: fixture forms from other tools, a filled W-9, printed layouts, bad PDFs."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from claimflow import ClientConfig, ResolvedClient, UnreadableInput, resolve
from claimflow.parse import form_values, read_file
from tests.conftest import FIXTURES, SAMPLES

FORMS = FIXTURES / "forms"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("form_acrobatReader.pdf", {"foo": "Bar"}), ("form_evince.pdf", {"foo": "bar"})],
)
def test_forms_saved_by_different_programs(name: str, expected: dict[str, str]) -> None:
    with pdfplumber.open(FORMS / name) as pdf:
        assert form_values(pdf) == expected


def test_openoffice_form_with_every_field_type_reads_empty_values() -> None:
    with pdfplumber.open(FORMS / "FormTestFromOo.pdf") as pdf:
        values = form_values(pdf)
    assert values["CheckBox1"] is False
    assert values["RadioGroup1"] is False
    assert values["Text1"] == ""
    assert {"Combo1", "Liste1"} <= set(values)


def _w9_client() -> ResolvedClient:
    page = "topmostSubform[0].Page1[0]"
    config = ClientConfig(
        client="w9-desk",
        name="W-9 intake",
        kind="sales",
        date_order="MDY",
        form_fields={
            f"{page}.f1_1[0]": "participant_name",
            f"{page}.f1_2[0]": "dealer_name",
            f"{page}.EmployerID[0].f1_14[0]": "dealer_id",
            f"{page}.FederalClassification[0].c1_1[0]": "proof_attached",
        },
    )
    return resolve(config, "w9.yaml")


def test_w9_filled_with_pypdf_reads_back_through_the_mapping(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=FORMS / "fw9.pdf")
    writer.update_page_form_field_values(
        writer.pages[0],
        {"f1_1[0]": "Maria Lopez", "f1_2[0]": "Midwest Supply Co", "f1_14[0]": "12"},
        auto_regenerate=False,
    )
    writer.update_page_form_field_values(
        writer.pages[0], {"c1_1[0]": "/1"}, auto_regenerate=False
    )
    filled = tmp_path / "w9-filled.pdf"
    writer.write(filled)
    [record] = read_file(filled, _w9_client())
    assert record.values["participant_name"] == "Maria Lopez"
    assert record.values["dealer_name"] == "Midwest Supply Co"
    assert record.values["dealer_id"] == "12"
    # a lone check box ticked on its on-state /1 is a yes (trial 40; it was '1')
    assert record.values["proof_attached"] is True
    assert (
        record.field_sources["participant_name"] == "topmostSubform[0].Page1[0].f1_1[0]"
    )
    assert record.source.where() == f"{filled}:page 1"


def test_fillable_sample_maps_lines_and_checkbox(acme: ResolvedClient) -> None:
    [record] = read_file(SAMPLES / "acme-tools/claims/claim_form_fillable.pdf", acme)
    assert record.values["invoice_number"] == "INV-20460"
    assert record.values["proof_attached"] is True
    assert [line["sku"] for _, line in record.lines] == ["GRN-115", "BAT-20V"]
    assert [src.line for src, _ in record.lines] == [1, 2]


def test_each_line_of_a_form_is_named_by_its_own_fields(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Trial 19: line 2 of a fillable form was named with line 1's field
    names (sku_1 for the value of sku_2), in problems and in `show`. The
    oracle: pypdf's reading of the form's own fields and values."""
    from claimflow import Store, ingest
    from claimflow.report.story import claim_story
    from claimflow.validate.record import Sourcing

    path = SAMPLES / "acme-tools/claims/claim_form_fillable.pdf"
    fields = {k: v.get("/V") for k, v in (PdfReader(path).get_fields() or {}).items()}
    [record] = read_file(path, acme)
    for n, (_, line) in enumerate(record.lines, start=1):
        place = Sourcing(record, "c").where("sku", n)
        name = place.rsplit(":", 1)[1]
        assert fields[name] == line["sku"], (place, fields)
    assert Sourcing(record, "c").where("sku", 2).endswith("line 2:sku_2")
    with Store.open(tmp_path / "s.db") as store:
        ingest([path], acme, store)
        (claim_id,) = store.db.execute("SELECT id FROM claims").fetchone()
        lines = claim_story(store, claim_id)["received"]["lines"]
    assert [line.get("sku_1") or line.get("sku_2") for line in lines] == ["GRN-115", "BAT-20V"]
    assert "sku_2" in lines[1] and "sku_1" not in lines[1]


def test_printed_pdf_gives_one_claim_per_page_with_table_lines(
    acme: ResolvedClient,
) -> None:
    records = read_file(SAMPLES / "acme-tools/claims/claims_printed.pdf", acme)
    assert [r.source.page for r in records] == [1, 2, 3]
    assert records[0].values["invoice_number"] == "INV-15601"
    assert [line["serial_numbers"] for _, line in records[0].lines] == [
        "DR10000610",
        "BT30000601 BT30000602",
    ]


def _pdf_bytes(draw: Callable[[canvas.Canvas], None]) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_scanned_image_only_pdf_is_reported_not_skipped(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    from PIL import Image

    image = Image.new("RGB", (60, 40), "white")

    def draw(c: canvas.Canvas) -> None:
        c.drawImage(ImageReader(image), 72, 500, width=300, height=200)

    path = write("scan.pdf", _pdf_bytes(draw))
    with pytest.raises(UnreadableInput, match="page 1: image-only page"):
        read_file(path, acme)


def test_encrypted_pdf_is_refused_with_its_reason(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    writer = PdfWriter(clone_from=SAMPLES / "acme-tools/claims/claims_printed.pdf")
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert PdfReader(path).is_encrypted
    with pytest.raises(UnreadableInput, match="encrypted PDF"):
        read_file(path, acme)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 40, "not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "not a readable PDF"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
    ],
    ids=["random", "random-with-header", "truncated"],
)
def test_corrupt_pdf_raises_a_one_line_error(
    acme: ResolvedClient, write: Callable[..., Path], content: bytes, message: str
) -> None:
    path = write("claim.pdf", content)
    with pytest.raises(UnreadableInput, match=message):
        read_file(path, acme)


def test_pdf_without_claim_text_says_so(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write(
        "letter.pdf", _pdf_bytes(lambda c: c.drawString(72, 700, "Hello there"))
    )
    with pytest.raises(UnreadableInput, match="no claim found"):
        read_file(path, acme)


def _form_pdf(path: Path, fields: dict[str, object]) -> Path:
    """A one-page PDF whose AcroForm holds `fields`: name -> text value, or
    (export state, option labels) for a radio group with an /Opt array."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    refs = ArrayObject()
    for name, value in fields.items():
        field = DictionaryObject({NameObject("/T"): TextStringObject(name)})
        if isinstance(value, tuple):
            state, options = value
            field[NameObject("/FT")] = NameObject("/Btn")
            field[NameObject("/Ff")] = NumberObject(49152)  # radio, no toggle off
            field[NameObject("/V")] = NameObject(state)
            field[NameObject("/Opt")] = ArrayObject(
                TextStringObject(o) for o in options
            )
        else:
            field[NameObject("/FT")] = NameObject("/Tx")
            field[NameObject("/V")] = TextStringObject(str(value))
        refs.append(writer._add_object(field))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): refs}
    )
    writer.write(path)
    return path


def _form_client(**extra: object) -> ResolvedClient:
    return resolve(
        ClientConfig.model_validate(
            {
                "client": "forms",
                "name": "Forms",
                "kind": "sales",
                "date_order": "MDY",
                **extra,
            }
        ),
        "forms.yaml",
    )


BASE = {"participant_id": "104233", "invoice_number": "INV-1", "sku_1": "DRL-200"}


def test_fields_whose_names_fold_alike_stay_apart(tmp_path: Path) -> None:
    """On a real form the claimant's city replaced the veteran's: the two
    names folded to one and the provenance named the other field."""
    path = _form_pdf(
        tmp_path / "f.pdf",
        {
            **BASE,
            "MailingAddress_City[0]": "Springfield",
            "Mailing_Address_City[0]": "Shelbyville",
        },
    )
    assert (
        PdfReader(path).get_fields()["Mailing_Address_City[0]"]["/V"] == "Shelbyville"
    )
    client = _form_client(form_fields={"MailingAddress_City[0]": "dealer_name"})
    [record] = read_file(path, client)
    assert record.values["dealer_name"] == "Springfield"
    assert record.field_sources["dealer_name"] == "MailingAddress_City[0]"


def test_an_alias_matching_two_fields_is_refused_naming_both(tmp_path: Path) -> None:
    path = _form_pdf(
        tmp_path / "f.pdf",
        {
            **BASE,
            "MailingAddress_City[0]": "Springfield",
            "Mailing_Address_City[0]": "Shelbyville",
        },
    )
    client = _form_client(columns={"dealer_name": ["Mailing Address City[0]"]})
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, client)
    assert str(caught.value) == (
        f"{path}: page 1: form fields 'MailingAddress_City[0]' and "
        "'Mailing_Address_City[0]' both match dealer_name; name the right one in "
        "the client's form_fields"
    )


def test_two_fields_filling_one_line_value_are_refused(tmp_path: Path) -> None:
    """Two fields mapped to one line field overwrote each other: a line was lost."""
    path = _form_pdf(tmp_path / "f.pdf", {**BASE, "Qty A": "2", "Qty B": "5"})
    client = _form_client(form_fields={"Qty A": "quantity[1]", "Qty B": "quantity[1]"})
    with pytest.raises(
        UnreadableInput,
        match=r"form fields 'Qty A' and 'Qty B' both fill quantity \('2' and '5'\)",
    ):
        read_file(path, client)


def test_a_radio_group_gives_the_chosen_options_label(tmp_path: Path) -> None:
    """It came back as the index: 0 instead of Bär."""
    path = _form_pdf(tmp_path / "f.pdf", {**BASE, "Animal": ("/0", ["Bär", "Löwe"])})
    field = PdfReader(path).get_fields()["Animal"]
    assert (field["/V"], list(field["/Opt"])) == ("/0", ["Bär", "Löwe"])
    [record] = read_file(path, _form_client(form_fields={"Animal": "dealer_name"}))
    assert record.values["dealer_name"] == "Bär"


def test_a_page_without_mediabox_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """It gave a traceback and exit 1 (pdfplumber raised again while closing),
    with pdfminer's warnings on stderr beside it."""
    from pypdf.generic import NameObject

    from tests.test_cli import ACME_CONFIG, run

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    del writer.pages[0][NameObject("/MediaBox")]
    path = tmp_path / "nomedia.pdf"
    writer.write(path)
    code, out, err = run("check", str(path), "--client", ACME_CONFIG)
    assert code == 2
    assert err == f"claimflow: error: {path}: damaged PDF (TypeError)\n"
    assert out == ""
