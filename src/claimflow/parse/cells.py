"""Workbook cells as a person sees them: number formats and merged cells.

Contract: what a sheet shows beyond a cell's stored value, for the Excel
reader (`claimflow.parse.excel`):

- `shown_percent`: a number under a percent format (``0%``) is shown a
  hundred times larger with a ``%`` (``0.5`` is ``50%``); it is read as
  that text, which no amount or quantity reads, never as ``0.5``.
- `format_marks`: the currency signs or codes a number format prints
  (``[$$-409]#,##0.00`` prints ``$``; ``#,##0.00 "€"`` prints ``€``); an
  amount shown in another currency than the claim's is read as the text a
  person sees (``$ 99.5``), which the claim's currency refuses by name.
- `shown_number`: a number under a format with fewer decimals than it
  holds (1234.565 under ``#,##0.00`` shows ``1.234,57``): what the clerk
  saw, named beside the value when an amount is refused for its decimals.
- `merged_ranges` and `MergedFill`: a cell merged down over several rows
  (a dealer code over three claim lines) shows its value on each of them;
  openpyxl's read-only reader gives it on the first row alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal

from claimflow.currencies import decimals_written, is_currency_mark

#: The parts of a number format that print no digit: ``[$€-407]``, a
#: quoted string, an escaped character, or a bracket (colour, condition).
_FORMAT_PART = re.compile(r'\[\$([^\]\-]*)(?:-[0-9A-Fa-f]+)?\]|"([^"]*)"|\\(.)|\[[^\]]*\]')


def _parts(number_format: str) -> tuple[list[str], str]:
    """The literal texts of a format, and the format without them."""
    texts: list[str] = []

    def keep(match: re.Match[str]) -> str:
        text = match[1] if match[1] is not None else match[2] or match[3] or ""
        if text.strip():
            texts.append(text.strip())
        return " "

    return texts, _FORMAT_PART.sub(keep, number_format)


@lru_cache(maxsize=512)
def is_percent(number_format: str) -> bool:
    """True when the format multiplies by 100 and prints ``%``.

    Example: ``is_percent("0.00%")``, not ``is_percent('0.00"%"')``
    """
    return "%" in _parts(number_format)[1]


def shown_percent(value: int | Decimal) -> str:
    """A number under a percent format, as a person reads it.

    Example: ``shown_percent(Decimal("0.5")) == "50%"``
    """
    return f"{(Decimal(value) * 100).normalize():f}%"


@lru_cache(maxsize=512)
def format_marks(number_format: str, locale: str) -> tuple[str, ...]:
    """The currency signs and codes a number format prints, in order.

    Example: ``format_marks("[$$-409]#,##0.00", "de_DE") == ("$",)``
    """
    texts, rest = _parts(number_format)
    marks = [t for t in texts if is_currency_mark(t, locale)]
    marks += [c for c in rest if unicodedata.category(c) == "Sc"]
    return tuple(dict.fromkeys(marks))


#: A number format's decimals (``0.00``, ``#,##0.0#``), after its point.
_SHOWN_DECIMALS = re.compile(r"\.([0#?]+)")


def shown_number(value: Decimal, number_format: str, locale: str) -> str | None:
    """How a number cell shows `value` under its format, where the format
    shows fewer decimals than the cell holds (None: it shows them all).

    Excel rounds half away from zero to the format's decimals, with digit
    groups where the format has them, in the symbols of the desk's locale:
    1234.565 under ``#,##0.00`` shows ``1.234,57`` at de_DE. Only the
    number is shown: the format's signs and texts are left out.

    Example: ``shown_number(Decimal("1234.565"), "#,##0.00", "de_DE") == "1.234,57"``
    """
    section = _parts(number_format)[1].split(";")[0]
    if "general" in section.casefold() or not any(c in section for c in "0#?"):
        return None  # General shows what the cell holds, to 11 characters
    places = _SHOWN_DECIMALS.search(section)
    decimals = len(places[1]) if places else 0
    if decimals_written(value) <= decimals:
        return None
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole = section.split(".")[0]
    pattern = ("#,##0" if "," in whole.rstrip(",") else "0") + (
        "." + "0" * decimals if decimals else ""
    )
    return format_decimal(
        rounded, format=pattern, locale="en" if locale == "C" else locale
    )


#: A merged range in a sheet's XML: ``<mergeCell ref="C2:C4"/>``.
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CHUNK = 1 << 20


def merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first column, first row, last column,
    last row), 1-based, read from its XML in chunks (openpyxl's read-only
    sheet keeps none; they follow the rows in the file).

    Example: ``merged_ranges(book["Claims"]) == [(3, 2, 3, 4)]``
    """
    from openpyxl.utils import column_index_from_string

    found: set[tuple[int, int, int, int]] = set()
    tail = b""
    with sheet._get_source() as source:
        while chunk := source.read(_CHUNK):
            data = tail + chunk
            for m in _MERGE.finditer(data):
                found.add(
                    (
                        column_index_from_string(m[1].decode()),
                        int(m[2]),
                        column_index_from_string(m[3].decode()),
                        int(m[4]),
                    )
                )
            tail = data[-256:]
    return sorted(found, key=lambda r: (r[1], r[0]))


@dataclass
class MergedFill:
    """Rows of cells with each merged range's value on every row it covers.

    Attributes:
        sheet: the read-only sheet (to make the filled cells).
        ranges: the ranges below the header (`merged_ranges`).
        notes: one line per range read on more than one row.
        tops: each range's first cell, as the rows pass it.
    """

    sheet: Any
    ranges: list[tuple[int, int, int, int]]
    notes: list[str] = field(default_factory=list)
    tops: dict[tuple[int, int, int, int], Any] = field(default_factory=dict)

    def rows(
        self, rows: Iterator[tuple[Any, ...]], row_number: Any
    ) -> Iterator[tuple[Any, ...]]:
        """`rows` with a merged range's first cell repeated in its column on
        each later row of the range that holds data (a range over several
        columns shows its value in its first column only, as it is stored;
        a blank row the box spans stays blank).

        Args:
            rows: the sheet's rows of cells, in order.
            row_number: the function giving a row's number.
        """
        from openpyxl.cell.read_only import EMPTY_CELL, ReadOnlyCell

        tops = self.tops
        for cells in rows:
            number = row_number(cells, 0)
            row = list(cells)
            if all(c.value in (None, "") for c in row):
                yield cells  # a blank row a merged box spans holds no data
                continue
            for merged in self.ranges:
                column, first, _, last = merged
                if number == first and column <= len(row):
                    tops[merged] = row[column - 1]
                top = tops.get(merged)
                if top is None or not first < number <= last:
                    continue
                row.extend([EMPTY_CELL] * (column - len(row)))
                if row[column - 1].value in (None, ""):
                    row[column - 1] = ReadOnlyCell(
                        self.sheet,
                        number,
                        column,
                        top.value,
                        top.data_type,
                        getattr(top, "_style_id", 0),
                    )
            yield tuple(row)

    def note(self, where: str) -> None:
        """Add the note of each range read on several rows."""
        from openpyxl.utils import get_column_letter

        for merged, top in self.tops.items():
            column, first, last_column, last = merged
            if top.value in (None, ""):
                continue
            cells = f"{get_column_letter(column)}{first}:"
            cells += f"{get_column_letter(last_column)}{last}"
            self.notes.append(
                f"{where}: merged cells {cells} ({str(top.value)[:40]!r}) read on "
                f"each of rows {first} to {last}"
            )
