"""The same sales claims written as CSV, XLSX, JSON Lines and fillable PDFs.

Each writer takes the claims and a `cell` function that renders a value as
the file holds it: text in a locale (Babel), or the typed value itself (a
JSON number, an Excel numeric cell). Tests read the files back through
claimflow and hold the claims equal to what was written; the containers
are checked with other libraries (csv, openpyxl, pypdf), so a reader's
loss shows as a difference, not as agreement with itself.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from claimflow import ClientConfig, ResolvedClient, read_file, resolve, validate_chunk
from claimflow.models import Claim, Decision
from claimflow.validate import context_for

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
HEADERS = {
    "ref": "Claim ID",
    "participant": "Rep ID",
    "invoice": "Invoice No",
    "day": "Invoice Date",
    "sku": "Product Code",
    "quantity": "Qty",
    "price": "Unit Price",
    "total": "Line Amount",
}
PDF_FIELDS = {
    "ref": "claim_ref",
    "participant": "participant_id",
    "invoice": "invoice_number",
    "day": "invoice_date",
}
PDF_LINE_FIELDS = {
    "sku": "sku",
    "quantity": "quantity",
    "price": "unit_price",
    "total": "line_total",
}
AWARD = {
    "activity_date": "invoice_date",
    "currency": "EUR",
    "rounding_mode": "half_up",
    "rule_sets": [
        {
            "version": "1",
            "effective_from": "2026-01-01",
            "rules": [
                {
                    "id": "spend",
                    "kind": "per_currency",
                    "points": "1.5",
                    "per": "10",
                    "basis": "pro_rata",
                },
                {"id": "units", "kind": "per_unit", "points": 5},
            ],
        }
    ],
}


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    price: Decimal

    @property
    def total(self) -> Decimal:
        return self.quantity * self.price


@dataclass(frozen=True)
class SaleForm:
    ref: str
    participant: str
    invoice: str
    day: date
    lines: tuple[Line, ...]


Cell = Callable[[str, Any], Any]


def client_for(locale: str, **extra: Any) -> ResolvedClient:
    """A sales client whose clerks write numbers as `locale` does."""
    config = ClientConfig.model_validate(
        {
            "client": "numbers-" + locale.lower().replace("_", "-"),
            "name": f"Dealer program ({locale})",
            "kind": "sales",
            "locale": locale,
            "date_order": "YMD",
            "currency": "EUR",
            "award": AWARD,
            **extra,
        }
    )
    return resolve(config, f"{locale}.yaml")


def babel_number(value: Decimal | int, locale: str) -> str:
    """`value` as Babel writes it in `locale`: an amount (a Decimal) to the
    cent (``1.000,00``, as money is written), a count as a whole number.

    Babel 2.19 groups only the last three digits where the group symbol is
    an apostrophe (de_CH, fr_CH, it_CH: ``9837299'016.27``): its number
    patterns quote literals with ``'``. Those locales are written here with
    en_US's grouping and their own symbols, which is what CLDR prescribes
    (``9'837'299'016.27``).
    """
    pattern = Locale.parse(locale).decimal_formats[None].pattern
    if isinstance(value, Decimal):
        pattern = re.sub(r"\.#+", ".00", pattern)
    if get_group_symbol(locale) == "'":
        text = format_decimal(
            value,
            format="#,##0.00" if isinstance(value, Decimal) else "#,##0",
            locale="en_US",
        )
        decimal = get_decimal_symbol(locale)
        return text.replace(",", "\x00").replace(".", decimal).replace("\x00", "'")
    return format_decimal(value, format=pattern, locale=locale)


def ambiguous(text: str) -> bool:
    """``1.000`` or ``1,000``: the reader must refuse it (one thousand or one)."""
    return re.fullmatch(r"-?[1-9]\d{0,2}[.,]\d{3}", text) is not None


def text_cell(locale: str) -> Cell:
    """Numbers as the locale writes them (Babel), everything else as text."""

    def cell(field: str, value: Any) -> Any:
        if field in ("quantity", "price", "total"):
            return babel_number(value, locale)
        return value.isoformat() if isinstance(value, date) else str(value)

    return cell


def typed_cell(field: str, value: Any) -> Any:
    """Numbers as numbers (the format's own type), dates as ISO text."""
    if field in ("quantity", "price", "total"):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def _rows(forms: list[SaleForm], cell: Cell) -> list[dict[str, Any]]:
    rows = []
    for form in forms:
        for line in form.lines:
            row = {k: cell(k, getattr(form, k)) for k in PDF_FIELDS}
            row.update({k: cell(k, getattr(line, k)) for k in PDF_LINE_FIELDS})
            rows.append({HEADERS[k]: v for k, v in row.items()})
    return rows


def write_csv(path: Path, forms: list[SaleForm], cell: Cell, delimiter: str) -> Path:
    rows = _rows(forms, cell)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(HEADERS.values()), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, forms: list[SaleForm], cell: Cell) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(HEADERS.values()))
    for row in _rows(forms, cell):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row.values()])
    book.save(path)
    return path


def write_jsonl(path: Path, forms: list[SaleForm], cell: Cell) -> Path:
    def number(value: Any) -> Any:
        # A Decimal goes in as a JSON number literal, exactly as written.
        return _Raw(str(value)) if isinstance(value, Decimal) else value

    with path.open("w", encoding="utf-8") as fh:
        for form in forms:
            obj: dict[str, Any] = {
                HEADERS[k]: cell(k, getattr(form, k)) for k in PDF_FIELDS
            }
            obj["lines"] = [
                {HEADERS[k]: number(cell(k, getattr(line, k))) for k in PDF_LINE_FIELDS}
                for line in form.lines
            ]
            fh.write(_encode(obj) + "\n")
    return path


class _Raw(str):
    """A number literal json must not quote."""


def _encode(value: Any) -> str:
    """JSON with `_Raw` numbers as literals (json would quote them)."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(k)}:{_encode(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_pdf(path: Path, form: SaleForm, cell: Cell) -> Path:
    """One claim as a fillable form (reportlab AcroForm text fields)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), pagesize=A4)
    acro = page.acroForm
    y = 800
    fields = {name: cell(k, getattr(form, k)) for k, name in PDF_FIELDS.items()}
    for n, line in enumerate(form.lines, start=1):
        fields.update(
            {
                f"{name}_{n}": cell(k, getattr(line, k))
                for k, name in PDF_LINE_FIELDS.items()
            }
        )
    for name in fields:
        page.drawString(40, y + 4, name)
        acro.textfield(name=name, value="", x=200, y=y, width=300, height=16)
        y -= 22
    page.save()
    # Filled by pypdf, which writes any Unicode text (U+202F, ’) into /V.
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=path)
    writer.update_page_form_field_values(
        writer.pages[0], {k: str(v) for k, v in fields.items()}, auto_regenerate=False
    )
    writer.write(path)
    return path


def pdf_fields(path: Path) -> dict[str, str]:
    """The form's field values as pypdf reads them (the container's oracle)."""
    from pypdf import PdfReader

    return {
        name: str(field.get("/V", ""))
        for name, field in (PdfReader(path).get_fields() or {}).items()
    }


def decided(paths: list[Path], client: ResolvedClient) -> list[tuple[Claim, Decision]]:
    """Every file read and validated as `check` does, in order."""
    raws = [raw for path in paths for raw in read_file(path, client)]
    return validate_chunk(raws, client, context_for(client, NOW))


def typed(claim: Claim) -> dict[str, Any]:
    """What a claim says, without where it came from."""
    data = claim.model_dump(exclude={"id", "provenance", "client"})
    data["lines"] = [
        {k: v for k, v in line.items() if k != "provenance"}
        for line in data.get("lines", [])
    ]
    return data
