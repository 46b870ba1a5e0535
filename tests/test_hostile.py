"""Hostile input and client files: refused in one line, quickly, never run.

Measured before: a 10-byte quantity ``1e9999999`` hung ``check`` for
minutes, a 5,000-deep JSON or YAML file gave a traceback, a template from a
client's folder ran code, and three backtracking format patterns hung
``check`` for over a minute.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from claimflow import ConfigError, UnreadableInput, check, load_client, read_file
from claimflow.codes import ReasonCode
from claimflow.patterns import BoundedPattern
from tests.conftest import SAMPLES
from tests.formats import client_for, decided
from tests.test_cli import run

ACME = SAMPLES / "clients/acme-tools.yaml"


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        (r"^[A-Z]{2,4}-\d{4,8}$", False),
        (r"^\d{9}$", False),
        (r"^([A-Z]{2}-)?\d+$", False),
        (r"^(INV|CN)-\d+$", False),
        (r"^(\d{3}-)+\d{3}$", False),
        (r"(a+)+$", True),
        (r"^(\w+\s?)+$", True),
        (r"^(a|aa)+$", True),
        (r"^[A-Z]+(-[A-Z0-9]+)*$", True),
    ],
)
def test_patterns_that_can_backtrack_are_found(pattern: str, risky: bool) -> None:
    assert BoundedPattern(pattern, "formats.x").risky is risky


def test_a_backtracking_format_stops_the_batch_naming_its_key(
    write: Callable[..., Path],
) -> None:
    client = client_for("en_US", formats={"invoice_number": r"^(a|aa)+$"})
    path = write(
        "c.csv",
        "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty\n"
        f"C-1,104233,{'a' * 40}b,2026-10-02,DRL-200,1\n",
    )
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        check([path], client, workers=1)
    assert time.perf_counter() - started < 5
    assert str(caught.value).startswith(
        "formats.invoice_number: the pattern '^(a|aa)+$' took over 0.25 s on 'aaaa"
    )
    # the same pattern on values it decides quickly works as a format
    fine = write("d.csv", "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty\n"
                 "C-2,104233,aaaa,2026-10-02,DRL-200,1\n")  # fmt: skip
    [(claim, decision)] = decided([fine], client)
    assert claim.invoice_number == "aaaa" and not decision.problems


def test_a_clients_template_cannot_reach_python(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "notice.en.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8"
    )
    config = tmp_path / "c.yaml"
    config.write_text(
        ACME.read_text(encoding="utf-8").replace(
            "notices:\n", "notices:\n  template_dir: templates\n", 1
        ),
        encoding="utf-8",
    )
    assert "template_dir: templates" in config.read_text(encoding="utf-8")
    code, out, err = run(
        "check", str(SAMPLES / "acme-tools/claims/october.csv"), "--client", str(config)
    )
    assert code == 2
    assert err.startswith("claimflow: error: notice.en.j2: the template failed: ")
    assert "access to attribute '__class__'" in err or "unsafe" in err
    assert "subclasses" not in out and err.count("\n") == 1


@pytest.mark.parametrize("suffix", [".yaml", ".toml"])
def test_a_client_file_nested_5000_deep_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    if suffix == ".yaml":
        path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    else:
        path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_json_nested_5000_deep_or_with_a_huge_number_is_refused(
    write: Callable[..., Path],
) -> None:
    client = load_client(ACME)
    deep = write("deep.json", "[" * 5000 + "]" * 5000)
    with pytest.raises(UnreadableInput, match="nested too deep"):
        read_file(deep, client)
    huge = write("huge.jsonl", '{"Qty": ' + "9" * 5000 + "}\n")
    with pytest.raises(UnreadableInput, match=r"huge.jsonl: line 1: not usable JSON"):
        read_file(huge, client)


@pytest.mark.parametrize("quantity", ["1e9999999", "1e5000", "1" + "0" * 30])
def test_absurd_numbers_are_invalid_number_at_once(
    write: Callable[..., Path], quantity: str
) -> None:
    """A 10-byte 1e9999999 hung check for minutes; 1e5000 gave a traceback."""
    path = write(
        "n.jsonl",
        json.dumps({"Claim ID": "N-1", "Rep ID": "104233", "Invoice No": "INV-1",
                    "Invoice Date": "2026-10-02", "Product Code": "DRL-200"}).rstrip("}")
        + f', "Qty": {quantity}, "Unit Price": {quantity}}}\n',
    )  # fmt: skip
    started = time.perf_counter()
    [(claim, decision)] = decided([path], client_for("en_US"))
    assert time.perf_counter() - started < 2
    codes = {(p.code, p.field) for p in decision.problems}
    assert (ReasonCode.INVALID_NUMBER, "quantity") in codes
    assert (ReasonCode.INVALID_NUMBER, "unit_price") in codes
    assert claim.lines[0].quantity is None


def test_a_workbook_with_an_xml_entity_is_refused(tmp_path: Path) -> None:
    """Entity expansion in a workbook's XML grew past 3 GiB in 86 s."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Rep #", "Invoice No", "Qty"])
    sheet.append(["104233", "INV-1", 1])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    bomb = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                entities = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = data.replace(b"?>", b"?>" + entities.encode(), 1).replace(
                    b"INV-1", b"&b;"
                )
            dst.writestr(item, data)
    started = time.perf_counter()
    with pytest.raises(UnreadableInput) as caught:
        read_file(bomb, load_client(ACME))
    assert time.perf_counter() - started < 10
    assert str(caught.value).startswith(f"{bomb}: ")
    assert "damaged workbook" in str(caught.value)


def test_a_zip_bomb_named_xlsx_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(
        UnreadableInput, match="unpack to 67,108,8.. bytes from .*zip bomb"
    ):
        read_file(bomb, load_client(ACME))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("  =1+2", "'  =1+2"),
        ("\u3000=1+2", "'\u3000=1+2"),
        ('＝HYPERLINK("x")', '\'＝HYPERLINK("x")'),
        ("＋1", "'＋1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-5", "'-5"),
        ("INV-1", "INV-1"),
        ("a = b", "a = b"),
        (-5, -5),
    ],
)
def test_every_formula_like_cell_is_neutralised(value: object, shown: object) -> None:
    """A leading space, or a full-width ＝, let a formula through."""
    from claimflow.report import safe_cell

    assert safe_cell(value) == shown


def test_review_out_xlsx_is_a_workbook(tmp_path: Path) -> None:
    """`dedupe participants --review-out X.xlsx` wrote CSV text into the file."""
    from openpyxl import load_workbook

    people = tmp_path / "people.csv"
    people.write_text(
        "participant_id,first_name,last_name,date_of_birth,postcode\n"
        "P1,William,Turner,1980-04-07,60601\n"
        "P2,Wiliam,Turner,1980-04-07,60601\n"
        "P3,=cmd,Turner,1980-04-07,60601\n",
        encoding="utf-8",
    )
    review = tmp_path / "review.xlsx"
    code, _, err = run(
        "dedupe", "participants", str(people), "--review-out", str(review)
    )
    assert code in (0, 1), err
    sheet = load_workbook(review).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("kind", "a", "b")
    assert not any(
        isinstance(v, str) and v.startswith("=") for row in rows for v in row
    )


def test_a_workbook_from_an_unknown_zip_version_is_refused(tmp_path: Path) -> None:
    """Found by fuzzing: zipfile raised NotImplementedError ('zip file version 15.9')."""
    book = Workbook()
    book.save(tmp_path / "plain.xlsx")
    data = bytearray((tmp_path / "plain.xlsx").read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 6 : central + 8] = (159).to_bytes(
        2, "little"
    )  # version needed: 15.9
    odd = tmp_path / "odd.xlsx"
    odd.write_bytes(bytes(data))
    code, out, err = run("check", str(odd), "--client", str(ACME))
    assert (code, out) == (2, "")
    assert err == (
        f"claimflow: error: {odd}: not a readable .xlsx workbook (zip file version 15.9)\n"
    )


def test_a_pdf_decompression_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A 950 KB PDF used 2 GiB and 120 s: pdfminer inflated its stream whole."""
    import resource
    import zlib as zlib_module

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf (x) Tj ET " + b" " * (300 << 20))
    content = content.flate_encode()
    page[NameObject("/Contents")] = writer._add_object(content)
    bomb = tmp_path / "bomb.pdf"
    writer.write(bomb)
    assert bomb.stat().st_size < 2_000_000
    assert len(zlib_module.decompress(content._data)) > 300 << 20  # the oracle
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code, out, err = run("check", str(bomb), "--client", str(ACME), "--workers", "1")
    assert time.perf_counter() - started < 10
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500 << 10
    )  # KiB
    assert (code, out) == (2, "")
    assert err == (
        f"claimflow: error: {bomb}: a stream inflates to more than 67,108,864 "
        "bytes: a decompression bomb?\n"
    )


def test_a_pdf_declaring_a_million_pages_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(
        10**6
    )
    path = tmp_path / "many.pdf"
    writer.write(path)
    with pytest.raises(
        UnreadableInput,
        match=r"1,000,000 pages declared: more than a claims PDF has \(2,000\)",
    ):
        read_file(path, load_client(ACME))


def test_a_50_mb_line_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    path.write_bytes(b"Rep #,Invoice No,Qty\n104233,INV-" + b"9" * (50 << 20) + b",1\n")
    started = time.perf_counter()
    code, out, err = run("check", str(path), "--client", str(ACME))
    assert time.perf_counter() - started < 10
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"claimflow: error: {path}: ")


def test_a_chart_sheet_is_skipped_with_a_note(tmp_path: Path) -> None:
    """A workbook with a chart sheet was refused as 'damaged workbook (AttributeError)'."""
    from openpyxl.chart import BarChart, Reference

    from claimflow.parse import open_file

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    sheet.append(["Rep #", "Invoice No", "Invoice Date", "Product", "Qty"])
    sheet.append(["104233", "INV-1", "10/02/2026", "DRL-200", 2])
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=5, min_row=1, max_row=2))
    book.create_chartsheet("Chart").add_chart(chart)
    book.save(tmp_path / "chart.xlsx")
    parsed = open_file(tmp_path / "chart.xlsx", load_client(ACME))
    assert len(list(parsed.records)) == 1
    assert parsed.notes == ["sheet Chart: skipped, a chart sheet"]


def test_a_pdf_that_takes_too_long_is_refused_as_a_runaway_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 950 KB PDF took 120 s: a time budget per file turns that into a refusal."""
    import pdfplumber

    slow = pdfplumber.open

    def sleepy(*args: object, **kwargs: object) -> object:
        pdf = slow(*args, **kwargs)  # type: ignore[arg-type]
        original = type(pdf).pages
        calls = []

        def pages(self: object) -> object:
            calls.append(1)
            if len(calls) == 1:
                time.sleep(5)  # a page that takes long to lay out
            return original.fget(self)  # type: ignore[attr-defined]

        monkeypatch.setattr(type(pdf), "pages", property(pages))
        return pdf

    monkeypatch.setattr(pdfplumber, "open", sleepy)
    monkeypatch.setenv("CLAIMFLOW_PDF_SECONDS", "0.2")
    started = time.perf_counter()
    with pytest.raises(UnreadableInput) as caught:
        read_file(SAMPLES / "acme-tools/claims/claims_printed.pdf", load_client(ACME))
    assert time.perf_counter() - started < 1
    assert str(caught.value).endswith(": reading took over 0.2 s: a runaway parse?")
