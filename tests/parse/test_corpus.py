"""A corpus of real-world files, read by claimflow and by a reference library.

Every file in tests/corpus/ (sources and licences: tests/corpus/README.md),
and the PDF forms in tests/fixtures/forms/, is read twice: by claimflow,
with a generic client that maps the file's own column or form field names
to claim fields, and by the library its format is checked against: the
standard csv module with the dialect its Sniffer finds, openpyxl's cell
values, pypdf's form field values.

What must hold for every file: claimflow refuses it with one line naming
the file (and the CLI exits 2 with that line), or every value the reference
reads is in claimflow's records, unchanged, on the same row; a row the
reference has that claimflow left out is blank, or is named in the parsed
file's notes (a title row above the header, a total row, a sheet without a
header). No silent losses.

A file where claimflow differs is marked ``xfail(strict=True)`` with the
defect as the reason (`DEFECTS` for the library, `CLI_DEFECTS` for the
command line, `FILLED_DEFECTS` for a form filled in by pypdf), so that
fixing it turns the mark into a failure to remove.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
import warnings
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from claimflow import ClientConfig, RawRecord, ResolvedClient, UnreadableInput, resolve
from claimflow.fields import normalize_label
from claimflow.parse import open_file
from tests.conftest import FIXTURES
from tests.test_cli import run

#: openpyxl says so of a sheet's Excel-for-Mac extension, on every read here
#: (the CLI test shows it as the user sees it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:Unknown extension is not supported:UserWarning"
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.name != "README.md") + sorted(
    (FIXTURES / "forms").glob("*.pdf")
)

#: Text encodings of the CSV files that are neither UTF-8 nor marked by a
#: BOM, as their sources describe them.
ENCODINGS = {
    "csvkit-test_latin1.csv": "latin-1",
    "frictionless-issue-647.csv.txt": "latin-1",
    "frictionless-table-infer-iso-8859-7.csv": "iso-8859-7",
    "frictionless-table-with-accents.csv": "cp1252",
}

#: Files claimflow refuses, and a part of the one-line reason.
REFUSED = {
    "csvkit-bad.csv": "expected 3 fields as in the header, found 4",
    "csvkit-null_byte.csv": "binary file (NUL bytes)",
    "frictionless-implicit-zip.csv": "binary file (NUL bytes)",  # a ZIP archive
    # a quoted header cell holding a tab, vertical tab, form feed and CR
    "csvkit-test_header_newline.csv": "binary file (control bytes)",
    "frictionless-table-infer-iso-8859-7.csv": "set the client's encoding",
    # two columns of the same name, or of names that fold alike
    "frictionless-duplicate-headers.csv": "both map to",
    "frictionless-preserve-formatting.xlsx": "both map to",
    "xlsx2csv-namespace.xlsx": "both map to",
    "tablib-dates.xls": "unknown file type '.xls'",
    "xlsx2csv-formatted_inline_string.xlsx": "not a readable .xlsx workbook",
    "pypdf-encrypted-file.pdf": "encrypted PDF",
    "pypdf-imagemagick-images.pdf": "image-only page",
    "pypdf-crazyones.pdf": "no claim found",
    "pypdf-issue-297.pdf": "no claim found",
    "pypdf-SF424_page2.pdf": "no claim found",
    "pypdf-form.pdf": "no claim found",
    # two header rows and no row under them that names a claim
    "frictionless-multiline-headers.xlsx": "no claims in the file: nothing under its header",
}
#: Files the readers read as no claim at all, which check and ingest refuse
#: (an empty batch was stored, exit 0); the library's reader yields nothing.
NO_CLAIMS = {"frictionless-multiline-headers.xlsx"}

#: Files claimflow reads differently from the reference (none now).
DEFECTS: dict[str, str] = {}

#: Files the CLI reports differently from what the library reads (none now:
#: openpyxl's "Unknown extension" warning reached stderr for
#: frictionless-adjust-floating-point-error.xlsx).
CLI_DEFECTS: dict[str, str] = {}

#: Forms that, filled in by pypdf, claimflow reads differently (none now: an
#: editable combo box typed '2' in FormTestFromOo.pdf was read as its third
#: option, 'combo Line 3').
FILLED_DEFECTS: dict[str, str] = {}


def _cases(paths: list[Path], defects: dict[str, str]) -> list[Any]:
    return [
        pytest.param(
            p,
            id=p.name,
            marks=[pytest.mark.xfail(strict=True, reason=defects[p.name])]
            if p.name in defects
            else [],
        )
        for p in paths
    ]


CASES = _cases(FILES, DEFECTS)

# -- the generic client -------------------------------------------------------

#: Claim fields a file's columns are mapped to. The readers type nothing
#: (Excel cells come typed, the rest as text), so any field will do; the
#: claim ref is left out, as consecutive rows sharing one are one claim.
HEADER_SLOTS = (
    "participant_id",
    "participant_name",
    "dealer_id",
    "dealer_name",
    "invoice_number",
    "channel",
    "keyed_by",
    "invoice_date",
    "claim_total",
    "received_at",
    "proof_attached",
)
LINE_SLOTS = ("sku", "quantity", "unit_price", "line_total", "serial_numbers")
SLOTS = HEADER_SLOTS + LINE_SLOTS
BASE = {
    "client": "corpus",
    "name": "Corpus files",
    "kind": "sales",
    "date_order": "MDY",
    # the readers are compared, not the rules: a file is read whatever claim
    # fields its columns hold (a client's required column refuses a file)
    "required": [],
}
#: The kind's own header aliases: a column named like one maps anyway.
DEFAULT_ALIASES = resolve(ClientConfig.model_validate(BASE)).header_index
#: Rows searched for a header (a title or a logo's row may sit above it).
HEADER_ROWS = 20


def _config(
    columns: dict[str, list[str]] | None = None,
    form_fields: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {**BASE, "columns": columns or {}, "form_fields": form_fields or {}}


def _client(config: dict[str, Any]) -> ResolvedClient:
    return resolve(ClientConfig.model_validate(config), "corpus.yaml")


def column_configs(headers: list[list[Any]]) -> list[dict[str, Any]]:
    """Clients that between them map every header name of every table, one
    name per slot. A name a default alias maps is in each of them (it maps
    whether listed or not, so it needs a slot of its own); a name that folds
    to nothing cannot be an alias and stays unmapped."""
    names: dict[str, str] = {}
    for row in headers:
        for cell in row:
            folded = normalize_label(str(cell)) if cell is not None else ""
            if folded and folded not in names:
                names[folded] = str(cell)
    fixed = [f for f in names if f in DEFAULT_ALIASES][: len(SLOTS)]
    rest = [f for f in names if f not in DEFAULT_ALIASES]
    room = len(SLOTS) - len(fixed)
    groups = [rest[i : i + room] for i in range(0, len(rest), room)] if room else []
    return [
        _config(
            {slot: [names[f]] for slot, f in zip(SLOTS, fixed + group, strict=False)}
        )
        for group in groups or [[]]
    ]


def _mapping(header: list[Any], client: ResolvedClient) -> dict[int, str]:
    """Column -> claim field, as the client's aliases say (folded as claimflow does)."""
    index = client.header_index
    folded = [normalize_label(str(c)) if c is not None else "" for c in header]
    return {i: index[f] for i, f in enumerate(folded) if f in index}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank(row: list[Any]) -> bool:
    return all(_empty(c) for c in row)


def _pick_header(rows: list[list[Any]]) -> int | None:
    """The first of the first rows with the most filled cells (None: all blank)."""
    counts = [sum(not _empty(c) for c in row) for row in rows[:HEADER_ROWS]]
    if not any(counts):
        return None
    return counts.index(max(counts))


# -- what the reference reads ---------------------------------------------------


class Expected:
    """What the reference reads, for one client.

    Attributes:
        config: the client configuration (as its YAML file holds it).
        client: the same, resolved.
        rows: (sheet, row) -> claim field -> value; for a filled form
            (None, page 1) -> field slot (``sku[2]`` for line 2) -> value.
        notes: text a note must contain (rows above a header, sheets skipped).
        page_text: for a PDF without form values: page -> its text.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.client = _client(config)
        self.rows: dict[tuple[str | None, int], dict[str, Any]] = {}
        self.notes: list[str] = []
        self.page_text: dict[int, str] | None = None


def _csv_encoding(raw: bytes, name: str) -> str:
    if name in ENCODINGS:
        return ENCODINGS[name]
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def csv_rows(path: Path) -> list[list[str]] | None:
    """The file's rows as the csv module reads them with a sniffed dialect
    (None: not text in its encoding)."""
    raw = path.read_bytes()
    try:
        text = raw.decode(_csv_encoding(raw, path.name))
    except UnicodeDecodeError:
        return None
    try:
        sniffed: Any = csv.Sniffer().sniff(text[: 64 * 1024], delimiters=",;\t|")
    except csv.Error:
        sniffed = csv.excel
    # The Sniffer's delimiter, quote character and spaces; quotes inside
    # quotes doubled, as RFC 4180 says (it guesses doublequote False for
    # frictionless-doublequote.csv, which doubles them).
    dialect = type(
        "Sniffed",
        (csv.excel,),
        {
            "delimiter": sniffed.delimiter,
            "quotechar": sniffed.quotechar or '"',
            "skipinitialspace": sniffed.skipinitialspace,
        },
    )
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


def expected_csv(path: Path) -> list[Expected] | None:
    rows = csv_rows(path)
    if rows is None:
        return None
    at = _pick_header(rows)
    assert at is not None, f"{path.name}: the reference finds no header"
    parts = []
    for config in column_configs([rows[at]]):
        expected = Expected(config)
        mapping = _mapping(rows[at], expected.client)
        if any(not _blank(row) for row in rows[:at]):
            expected.notes.append("above it skipped")
        for number, row in enumerate(rows[at + 1 :], start=at + 2):
            if not _blank(row):
                expected.rows[None, number] = {
                    field: row[i] if i < len(row) else None
                    for i, field in mapping.items()
                }
        parts.append(expected)
    return parts


_ZERO_PAD = re.compile(r"^0+$")


def excel_value(cell: Any) -> Any:
    """A cell's value as claimflow documents it: a date for a midnight
    datetime, 15 significant digits for a number, a zero-padded number as
    the text the sheet shows."""
    value = cell.value
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _ZERO_PAD.match(cell.number_format or "") and float(value).is_integer():
            return str(int(value)).zfill(len(cell.number_format))
        return Decimal(format(value, ".15g"))
    return value


def expected_xlsx(path: Path) -> list[Expected] | None:
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except KeyError:  # a part missing: openpyxl cannot read it either
        return None
    sheets = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows()]
        at = _pick_header([[c.value for c in row] for row in rows])
        header = [c.value for c in rows[at]] if at is not None else []
        sheets.append((sheet.title, rows, at, header))
    parts = []
    for config in column_configs([header for *_, header in sheets]):
        expected = Expected(config)
        for title, rows, at, header in sheets:
            mapping = _mapping(header, expected.client)
            if at is None or len(set(mapping.values())) < 2:
                expected.notes.append(f"sheet {title}: skipped")
                continue
            if any(not _blank([c.value for c in row]) for row in rows[:at]):
                expected.notes.append(f"sheet {title}: header on row {at + 1}")
            for row in rows[at + 1 :]:
                if not _blank([c.value for c in row]):
                    expected.rows[title, row[0].row] = {
                        field: excel_value(row[i]) if i < len(row) else None
                        for i, field in mapping.items()
                    }
        parts.append(expected)
    return parts


def pdf_value(value: Any, options: Any = None) -> Any:
    """A pypdf field value as claimflow documents it: check boxes as
    True/False, other names without their slash, a radio group's /Opt
    index as the option."""
    if isinstance(value, list):
        return [pdf_value(v) for v in value]
    if isinstance(value, NameObject):
        name = str(value)[1:]
        if name in {"Off", "Yes", "On"}:
            return name != "Off"
        if name.isdigit() and isinstance(options, list) and int(name) < len(options):
            option = options[int(name)]
            return str(option[0] if isinstance(option, list) else option)
        return name
    return str(value)


#: The slots of yes/no fields: a ticked lone check box reads as yes there.
BOOL_SLOTS = frozenset({"proof_attached"})
RADIO = 1 << 15


def lone_check_box_ticked(field: Any) -> bool:
    """A check box of its own (not a radio group, a push button or boxes
    sharing a name with /Opt) on any on-state (``/1``, ``/Choice1``), as
    pypdf sees it: a person sees it ticked."""
    flags = int(field.get("/Ff", 0))
    kids = [k.get_object() for k in field.get("/Kids", [])]
    return (
        field.get("/FT") == "/Btn"
        and isinstance(field.get("/V"), NameObject)
        and str(field["/V"]) != "/Off"
        and not flags & (RADIO | PUSH_BUTTON)
        and "/Opt" not in field
        and len([k for k in kids if "/T" not in k]) <= 1
    )


def _pdf_reader(path: Path) -> PdfReader | None:
    """The PDF opened by pypdf, or None without a password (an owner
    password alone restricts printing or editing, and hides nothing)."""
    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    return reader


def expected_pdf(path: Path) -> list[Expected] | None:
    """Every field mapped: the header fields, then line fields of lines 2 on."""
    reader = _pdf_reader(path)
    if reader is None:
        return None
    slots = iter(
        [*HEADER_SLOTS, *(f"{s}[{n}]" for n in range(2, 99) for s in LINE_SLOTS)]
    )
    form_fields: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, field in (reader.get_fields() or {}).items():
        form_fields[str(name)] = next(slots)
        value = field.get("/V")
        if value not in (None, "", []):
            slot = form_fields[str(name)]
            ticked = slot in BOOL_SLOTS and lone_check_box_ticked(field)
            values[slot] = True if ticked else pdf_value(value, field.get("/Opt"))
    expected = Expected(_config(form_fields=form_fields))
    if values:
        expected.rows[None, 1] = values
    else:  # read by its text: each value claimflow finds must be on its page
        expected.page_text = {
            n: page.extract_text() or "" for n, page in enumerate(reader.pages, start=1)
        }
    return [expected]


@functools.cache
def expected_for(path: Path) -> list[Expected] | None:
    """What the reference reads, per client (None: it cannot read the file);
    read once a session."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return expected_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        return expected_xlsx(path)
    if suffix == ".pdf":
        return expected_pdf(path)
    return None


# -- claimflow against the reference --------------------------------------------


def _flat(record: RawRecord) -> tuple[tuple[str | None, int], dict[str, Any]]:
    """A record's values keyed like the reference's: by sheet and row, or
    for a PDF by page, line fields of line 2 on as ``sku[2]``."""
    source = record.source
    values = dict(record.values)
    for line_source, line in record.lines:
        n = line_source.line or 1
        values.update({k if n == 1 else f"{k}[{n}]": v for k, v in line.items()})
    if source.page is not None:
        return (None, source.page), values
    assert source.row is not None
    return (source.sheet, source.row), values


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def differences(
    expected: Expected, records: list[RawRecord], notes: list[str]
) -> list[str]:
    """Every way claimflow's records differ from what the reference reads."""
    found = dict(_flat(record) for record in records)
    problems = [] if len(found) == len(records) else ["two records on one row"]
    if expected.page_text is not None:
        for (_, page), values in found.items():
            text = _squeeze(expected.page_text.get(page, ""))
            for field, value in values.items():
                if not _empty(value) and _squeeze(str(value)) not in text:
                    problems.append(
                        f"page {page}: {field}={value!r} is not on the page"
                    )
        return problems
    for (sheet, row), want in expected.rows.items():
        where = f"sheet {sheet}:row {row}" if sheet else f"row {row}"
        got = found.pop((sheet, row), None)
        if got is None:
            if not any(f"{where}:" in note for note in notes):
                problems.append(f"{where}: left out without a note: {want!r}")
            continue
        for field in sorted(set(want) | set(got)):
            value, read = want.get(field), got.get(field)
            if value != read and not (_empty(value) and _empty(read)):
                problems.append(
                    f"{where}: {field}: reference {value!r}, claimflow {read!r}"
                )
    problems.extend(
        f"{key}: a record the reference has not: {v!r}" for key, v in found.items()
    )
    problems.extend(
        f"no note saying {text!r} (notes: {notes!r})"
        for text in expected.notes
        if not any(text in note for note in notes)
    )
    return problems


def _read(path: Path, client: ResolvedClient) -> tuple[list[RawRecord], list[str]]:
    parsed = open_file(path, client)
    return list(parsed.records), parsed.notes


def _parts(path: Path) -> list[Expected]:
    return expected_for(path) or [Expected(_config())]


@functools.cache
def _read_part(path: Path, part: int) -> tuple[list[RawRecord], list[str]]:
    """The file read with the client of the reference's `part`, once a session."""
    return _read(path, _parts(path)[part].client)


def _check_refusal(path: Path, error: UnreadableInput) -> None:
    message = str(error)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    assert path.name in REFUSED, f"refused: {message}"
    assert REFUSED[path.name] in message


@pytest.mark.parametrize("path", CASES)
def test_claimflow_reads_what_the_reference_reads(path: Path) -> None:
    refused = 0
    for part, expected in enumerate(_parts(path)):
        try:
            records, notes = _read_part(path, part)
        except UnreadableInput as error:
            _check_refusal(path, error)
            refused += 1
            continue
        assert expected_for(path), "claimflow reads what the reference cannot"
        assert differences(expected, records, notes) == []
    assert bool(refused) == (path.name in REFUSED.keys() - NO_CLAIMS), "expected a refusal"


def cli(*args: str) -> tuple[int, str, str]:
    """The CLI run as its process runs: with Python's default warning
    filters, a warning printed on stderr (pytest would catch it)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for quiet in (DeprecationWarning, PendingDeprecationWarning, ResourceWarning):
            warnings.simplefilter("ignore", quiet)
        code, out, err = run(*args)
    shown = "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
        for w in caught
    )
    return code, out, shown + err


@pytest.mark.parametrize("path", _cases(FILES, CLI_DEFECTS))
def test_cli_check_reads_as_many_claims_or_exits_2_with_one_line(
    path: Path, tmp_path: Path
) -> None:
    config = _parts(path)[0].config
    config_file = tmp_path / "corpus.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    code, out, err = cli(
        "check", str(path), "--client", str(config_file), "--json", "--workers", "2"
    )
    assert "Traceback" not in err
    if path.name in REFUSED:
        assert code == 2, err
        assert err.count("\n") == 1 and err.startswith(f"claimflow: error: {path}: ")
        assert REFUSED[path.name] in err
        return
    assert (code, err) in {(0, ""), (1, "")}, err
    assert json.loads(out)["records"] == len(_read_part(path, 0)[0])


TEXT = [c for c in CASES if c.values[0].suffix in {".csv", ".tsv", ".txt"}]


@pytest.mark.parametrize("path", TEXT)
def test_csv_cut_into_blocks_for_workers_reads_like_the_reference(path: Path) -> None:
    """A CSV file without quotes is cut into blocks of whole rows that the
    pipeline's workers parse (`CsvCells.blocks`): cut small here, the
    blocks must read as the reference does too."""
    for expected in expected_for(path) or []:
        try:
            parsed = open_file(path, expected.client)
            assert parsed.cells is not None
            blocks = parsed.cells.blocks(3)
        except UnreadableInput as error:
            _check_refusal(path, error)
            continue
        if blocks is None:  # quotes, or rows above the header: read as rows
            continue
        builder, cells = parsed.cells.builder, parsed.cells
        assert builder is not None
        records = [r for block in blocks for r in builder.records(cells.parse(block))]
        assert differences(expected, records, parsed.notes) == []


# -- the forms, filled in --------------------------------------------------------

MULTILINE, PUSH_BUTTON, EDITABLE = 1 << 12, 1 << 16, 1 << 18


def fill_values(path: Path) -> dict[str, Any]:
    """What a person might fill each field of a form with: text in text
    fields (every other one beyond PDFDocEncoding, so stored as UTF-16; two
    lines in a multi-line one), the last on-state of a check box or radio
    group, a number typed into an editable combo box, the last option of a
    list."""
    reader = _pdf_reader(path) if path.suffix.lower() == ".pdf" else None
    values: dict[str, Any] = {}
    fields = (reader.get_fields() or {}) if reader is not None else {}
    for i, (name, field) in enumerate(fields.items(), start=1):
        kind, flags = field.get("/FT"), int(field.get("/Ff", 0))
        options = field.get("/Opt") or []
        if kind == "/Tx":
            text = f"Wert {i}: Ünïcødé € – ’ & <{str(name)[-12:]}>"
            text += " 王芳" if i % 2 else ""
            values[str(name)] = text + ("\nZeile 2" if flags & MULTILINE else "")
        elif kind == "/Btn" and not flags & PUSH_BUTTON:
            states = [s for s in field.get("/_States_", []) if s not in ("/Off", "/")]
            if states:
                values[str(name)] = states[-1]
        elif kind == "/Ch" and flags & EDITABLE:
            values[str(name)] = "2"
        elif kind == "/Ch" and options:
            last = options[-1]
            values[str(name)] = str(last[0] if isinstance(last, list) else last)
    return values


def _names_as_names(fields: Any, prefix: str, values: dict[str, Any]) -> None:
    """Store a button's state as a name, as a viewer does (pypdf writes a
    radio group's as a text string)."""
    for ref in fields:
        field = ref.get_object()
        name = ".".join(p for p in (prefix, str(field.get("/T", ""))) if p)
        value = values.get(name)
        if field.get("/FT") == "/Btn" and isinstance(value, str) and "/V" in field:
            field[NameObject("/V")] = NameObject(value)
        _names_as_names(field.get("/Kids", []), name, values)


FORMS = _cases([p for p in FILES if fill_values(p)], FILLED_DEFECTS)


@pytest.mark.parametrize("path", FORMS)
def test_form_filled_in_by_pypdf_reads_like_pypdf(path: Path, tmp_path: Path) -> None:
    reader = _pdf_reader(path)
    writer = PdfWriter(clone_from=reader)
    values = fill_values(path)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    form: Any = writer.root_object["/AcroForm"]
    _names_as_names(form["/Fields"], "", values)
    filled = tmp_path / path.name
    writer.write(filled)
    [expected] = expected_pdf(filled) or []
    assert expected.rows, "pypdf filled nothing"
    assert differences(expected, *_read(filled, expected.client)) == []


def test_the_comparison_catches_a_changed_value_and_a_dropped_row() -> None:
    path = CORPUS / "csvkit-FY09_EDU_Recipients_by_State.csv"
    [expected] = expected_csv(path) or []
    records, notes = _read(path, expected.client)
    first = records[0]
    field, value = next(iter(first.values.items()))
    changed = RawRecord(first.source, {**first.values, field: f"{value} "}, first.lines)
    problems = differences(expected, [changed, *records[2:]], notes)
    assert problems == [
        f"row 2: {field}: reference {value!r}, claimflow {value + ' '!r}",
        f"row 3: left out without a note: {expected.rows[None, 3]!r}",
    ]
