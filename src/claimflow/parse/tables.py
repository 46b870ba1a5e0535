"""Reference tables (a partner's statement, an export) as CSV or xlsx, one reader.

`read_table` maps the header through folded aliases, as `mapped_table`
does for CSV, and reads an xlsx workbook's first sheet the same way with
its cells typed as the claim reader types them (`claimflow.parse.excel`:
dates stay dates, a number shown with zero padding keeps its zeros,
numbers as Excel shows them). Text values are left for the caller to read
in the client's locale (`claimflow.values`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.parse.common import is_blank
from claimflow.parse.csvfile import mapped_table
from claimflow.parse.excel import _cell_value, _row_number, open_workbook

#: One row: its number in the file, and field -> value (text, or a typed cell).
TableRow = tuple[int, dict[str, object]]


def read_table(path: Path, index: dict[str, str]) -> tuple[set[str], list[TableRow]]:
    """A CSV or xlsx table mapped through header aliases.

    Args:
        path: the file (``.xlsx``: its first sheet, header on row 1).
        index: folded header -> field name.

    Returns:
        The fields the header maps to, and the rows (blank rows skipped) as
        (row number, field -> value); CSV values are stripped text.

    Raises:
        UnreadableInput: missing, empty, binary, undecodable or not a workbook.

    Example: ``fields, rows = read_table(Path("statement.xlsx"), {"miles": "miles"})``
    """
    if path.suffix.lower() != ".xlsx":
        fields, rows = mapped_table(path, index)
        return fields, [(n, dict(values)) for n, values in rows]
    if not path.is_file():
        raise UnreadableInput(str(path), "no such file")
    book = open_workbook(path, str(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _sheet(book.worksheets[0], index)
    finally:
        book.close()


def _sheet(sheet: Any, index: dict[str, str]) -> tuple[set[str], list[TableRow]]:
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows()
    header = [c.value for c in next(rows, ())]
    mapping = {
        i: index[normalize_label(str(value))]
        for i, value in enumerate(header)
        if value is not None and normalize_label(str(value)) in index
    }
    table: list[TableRow] = []
    for fallback, cells in enumerate(rows, start=2):
        values = [_cell_value(c) for c in cells]
        if is_blank(values):
            continue
        table.append(
            (
                _row_number(cells, fallback),
                {
                    field: values[i]
                    for i, field in mapping.items()
                    if i < len(values) and values[i] is not None
                },
            )
        )
    return set(mapping.values()), table
