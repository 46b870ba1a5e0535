"""Report tables laid out for people: terminal, HTML rows, CSV files, workbooks.

Every output takes its headers and formats from `claimflow.report.columns`:

- terminal (rich): headers wrap instead of being cut; a table wider than
  the terminal is split into parts, each repeating the first column;
- HTML: formatted cells and a class per column (`html_table`);
- CSV: one table per file. A report of one table is written to the
  ``.csv`` asked for; a report of several to a folder of that name
  without the suffix (``qa.csv`` -> ``qa/``), one ``NN-<table>.csv`` per
  table plus ``definitions.csv`` (the notes and definitions); ``.zip`` puts
  the same files in one archive;
- xlsx: one sheet per table plus ``Definitions`` (title, notes,
  definitions) first; bold shaded header, widths from the content, the
  header row (and key column) frozen, real numbers and dates with formats.

Every text cell is neutralised (`claimflow.report.safe_cell`): CSV gets the
leading ``'``; a workbook stores formula-looking text as a text cell with
Excel's quote-prefix style, so it shows as typed and never runs.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from claimflow.report import safe_cell
from claimflow.report.columns import Column, columns, for_csv, shown, typed, xlsx_format

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet
    from rich.console import Console

    from claimflow.report.sla import Report


@dataclass(frozen=True)
class ShownTable:
    """A table as people read it: its columns and its cells, formatted."""

    columns: list[Column]
    rows: list[list[str]]


def shown_table(frame: pd.DataFrame, locale: str, currency: str = "USD") -> ShownTable:
    """A frame's cells formatted in a locale, with the columns' headers.

    Example: ``shown_table(frame, "de_DE").rows[0]``
    """
    cols = columns(frame)
    rows = [
        [shown(v, c, locale, currency) for v, c in zip(row, cols, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    return ShownTable(cols, rows)


# -- terminal ---------------------------------------------------------------


#: Per column on the terminal: a space each side and a border.
_EDGES = 3


def _width(table: ShownTable, i: int) -> int:
    """Room a column needs: its widest cell or its header's longest word
    (long text, an explanation, wraps at 40)."""
    words = [len(w) for w in table.columns[i].header.split()]
    cells = [len(row[i]) for row in table.rows]
    return min(max([*words, *cells, 1]), 40)


def _full(table: ShownTable, i: int) -> int:
    """Room a column takes with its header on one line."""
    cells = [len(row[i]) for row in table.rows]
    return min(max([len(table.columns[i].header), *cells, 1]), 40)


def _parts(table: ShownTable, room: int) -> list[list[int]]:
    """Column indexes per part so each part fits `room`, the first column in each."""
    if not table.columns:
        return []
    parts: list[list[int]] = [[0]]
    key = used = _width(table, 0) + _EDGES
    for i in range(1, len(table.columns)):
        need = _width(table, i) + _EDGES
        if used + need > room and len(parts[-1]) > 1:
            parts.append([0])
            used = key
        parts[-1].append(i)
        used += need
    return parts


def _widths(table: ShownTable, part: list[int], room: int) -> list[int]:
    """Each column's width in a part: what it needs, then the room left
    given to the headers that unwrap with the least of it."""
    widths = {i: _width(table, i) for i in part}
    spare = room - sum(widths.values()) - _EDGES * len(part)
    for i in sorted(part, key=lambda i: _full(table, i) - widths[i]):
        grow = min(_full(table, i) - widths[i], max(spare, 0))
        widths[i] += grow
        spare -= grow
    return [widths[i] for i in part]


def print_table(
    console: Console, title: str, table: ShownTable, width: int | None = None
) -> None:
    """Print a table on the terminal, split into parts if it is too wide.

    Headers wrap between words, never cut; each part repeats the first
    (key) column.

    Example: ``print_table(Console(), "By month", shown_table(frame, "en_US"))``
    """
    from rich.table import Table

    room = (width or console.width) - 1  # the table's left border
    parts = _parts(table, room)
    for n, part in enumerate(parts, start=1):
        name = title if len(parts) == 1 else f"{title} ({n}/{len(parts)})"
        out = Table(title=name, title_justify="left")
        for i, size in zip(part, _widths(table, part, room), strict=True):
            col = table.columns[i]
            out.add_column(
                col.header,
                justify="right" if col.numeric else "left",
                overflow="fold",
                width=size,
            )
        for row in table.rows:
            out.add_row(*(row[i] for i in part))
        console.print(out)


# -- HTML -------------------------------------------------------------------


def html_table(frame: pd.DataFrame, locale: str, currency: str = "USD") -> ShownTable:
    """The table the HTML template lays out (cells formatted, headers human).

    Example: ``html_table(frame, "pt_BR").columns[0].header``
    """
    return shown_table(frame, locale, currency)


# -- CSV --------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def _csv_text(header: Sequence[str], rows: Iterator[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _table_csv(frame: pd.DataFrame) -> str:
    cols = columns(frame)
    rows = (
        [for_csv(v, c) for v, c in zip(row, cols, strict=True)]
        for row in frame.itertuples(index=False)
    )
    return _csv_text([c.header for c in cols], rows)


def csv_files(report: Report) -> dict[str, str]:
    """File name -> CSV text: one file per table, then ``definitions.csv``.

    Example: ``list(csv_files(report)) == ["01-by-operator.csv", ..., "definitions.csv"]``
    """
    files = {
        f"{n:02d}-{_slug(name)}.csv": _table_csv(frame)
        for n, (name, frame) in enumerate(report.tables.items(), start=1)
    }
    files["definitions.csv"] = _csv_text(["Section", "Text"], iter(_front(report)))
    return files


def _front(report: Report) -> list[tuple[str, str]]:
    """The report's words as (section, text) rows: title, verdict, summary
    notes, definitions (the period's first)."""
    lines = [("Title", report.title)]
    lines += [("Verdict", report.verdict)] if report.verdict else []
    lines += [("Summary", note) for note in report.notes]
    lines += [("Definition", line) for line in report.definitions]
    return lines


def write_csv(report: Report, out: Path) -> Path:
    """Write a report's tables as CSV: one file, a folder, or a ``.zip``.

    Returns:
        The path written: `out` for a ``.zip`` or a report of one table,
        else the folder (`out` without its suffix).

    Example: ``write_csv(report, Path("qa.csv")) == Path("qa")``
    """
    # utf-8-sig: Excel reads the byte-order mark and opens accents right
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in csv_files(report).items():
                archive.writestr(name, text.encode("utf-8-sig"))
        return out
    if len(report.tables) == 1:
        frame = next(iter(report.tables.values()))
        out.write_text(_table_csv(frame), encoding="utf-8-sig", newline="")
        return out
    folder = out.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in csv_files(report).items():
        (folder / name).write_text(text, encoding="utf-8-sig", newline="")
    return folder


# -- xlsx -------------------------------------------------------------------

_HEADER_FILL = "DCE3EC"


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _put(sheet: Worksheet, row: int, col: int, value: Any, fmt: str | None) -> None:
    """Write one cell: a number or date with its format, or text kept as text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if safe_cell(value) != value:
            # a text cell, never a formula, shown without the quote
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    cell.value = value
    if fmt is not None and value is not None:
        cell.number_format = fmt


def _header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    line = Border(bottom=Side(style="thin", color="7F8FA6"))
    lines = 1
    for i, text in enumerate(headers, start=1):
        _put(sheet, 1, i, text, None)
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = line
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(lines, -(-len(text) // max(widths[i - 1] - 2, 1)))
    # openpyxl cannot ask the spreadsheet to fit the row: set its height
    sheet.row_dimensions[1].height = 15 * lines


def _table_sheet(sheet: Worksheet, frame: pd.DataFrame, shown_rows: ShownTable) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    cols = shown_rows.columns
    widths = [min(max(_width(shown_rows, i) + 2, 8), 50) for i in range(len(cols))]
    _header(sheet, [c.header for c in cols], widths)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        for i, (value, col) in enumerate(zip(row, cols, strict=True), start=1):
            _put(sheet, r, i, typed(value, col), xlsx_format(col))
            if not col.numeric and len(shown_rows.rows[r - 2][i - 1]) > widths[i - 1]:
                sheet.cell(row=r, column=i).alignment = wrap
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    key_column = bool(cols) and not cols[0].numeric and len(cols) > 1
    sheet.freeze_panes = "B2" if key_column else "A2"
    if frame.shape[0] and cols:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{frame.shape[0] + 1}"


def _definitions_sheet(sheet: Worksheet, report: Report) -> None:
    from openpyxl.styles import Alignment, Font

    _header(sheet, ["Section", "Text"], [12, 100])
    rows = _front(report)
    for r, (section, text) in enumerate(rows, start=2):
        _put(sheet, r, 1, section, None)
        _put(sheet, r, 2, text, None)
        sheet.cell(row=r, column=2).alignment = Alignment(wrap_text=True)
    sheet.cell(row=2, column=2).font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A2"


def write_xlsx(report: Report, out: Path) -> Path:
    """Write a report as a workbook: ``Definitions``, then a sheet per table.

    Example: ``write_xlsx(report, Path("qa.xlsx"))``
    """
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook has its sheet
    book.remove(first)
    used = {"definitions"}
    _definitions_sheet(book.create_sheet("Definitions"), report)
    for name, frame in report.tables.items():
        sheet = book.create_sheet(_sheet_name(name, used))
        _table_sheet(sheet, frame, shown_table(frame, report.locale, report.currency))
    book.save(out)
    return out
