"""Excel (.xlsx) reader: every sheet (or one named sheet), typed cells kept.

Dates stay dates. Text stays text, so a member number typed as ``004512``
keeps its zeros; a number shown with a zero-padded format (``000000``) is
padded back to the width the sheet shows, as the clerk saw it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.models import Provenance, RawRecord
from claimflow.parse.common import field_sources, group_rows, is_blank, map_headers

_ZERO_PAD = re.compile(r"^0+$")


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", "") or ""
        if _ZERO_PAD.match(fmt) and float(value).is_integer():
            return str(int(value)).zfill(len(fmt))
        if isinstance(value, float):
            return excel_decimal(value)
    return value


def excel_decimal(value: float) -> Decimal | int:
    """A numeric cell as Excel shows it: 15 significant digits, as a number.

    Excel keeps numbers as binary doubles and shows at most 15 significant
    digits, so a cell shown as 274.66 holds 274.65999999999997; the digits
    beyond the 15th are the double's, not the clerk's. The value stays a
    number (never text read again in a locale).

    Example: ``excel_decimal(274.65999999999997) == Decimal("274.66")``
    """
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return Decimal(f"{value:.15g}")


def _sheet_rows(
    sheet: Any, client: ResolvedClient, name: str, digest: str
) -> Iterator[RawRecord]:
    rows = sheet.iter_rows()
    headers: list[Any] | None = None
    header_row = 0
    for header_row, cells in enumerate(rows, start=1):  # noqa: B007
        values = [c.value for c in cells]
        if not is_blank(values):
            headers = values
            break
    if headers is None:
        return
    where = f"sheet {sheet.title}"
    try:
        mapping = map_headers(headers, client, name)
    except UnreadableInput as exc:
        raise UnreadableInput(name, exc.detail, where) from None

    def typed() -> Iterator[tuple[Provenance, dict[str, Any]]]:
        for row_no, cells in enumerate(rows, start=header_row + 1):
            if is_blank(c.value for c in cells):
                continue
            values = {
                canonical: _cell_value(cells[i]) if i < len(cells) else None
                for i, canonical in mapping.items()
            }
            yield Provenance(file=name, sheet=sheet.title, row=row_no), values

    yield from group_rows(typed(), client, field_sources(headers, mapping), digest)


def open_workbook(path: Path, name: str) -> Any:
    """Open a workbook read-only with cached values.

    Raises:
        UnreadableInput: not a workbook, or corrupt (named by `name`).
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise UnreadableInput(name, f"not a readable .xlsx workbook ({exc})") from None


def read_excel(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    sheet: str | None = None,
) -> Iterator[RawRecord]:
    """Stream claims from every sheet of a workbook, or from one named sheet.

    Args:
        path: the .xlsx file.
        client: the resolved client.
        digest: the file's content hash.
        name: the file name for provenance.
        sheet: read only this sheet.

    Yields:
        One raw record per claim.

    Raises:
        UnreadableInput: not a workbook, corrupt, or the sheet is missing.

    Example: ``list(read_excel(Path("claims.xlsx"), client, h, "claims.xlsx"))``
    """
    book = open_workbook(path, name)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableInput(
                name, f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
            )
        names = [sheet] if sheet is not None else book.sheetnames
        for title in names:
            yield from _sheet_rows(book[title], client, name, digest)
    finally:
        book.close()
