"""Excel (.xlsx) reader: every sheet (or one named sheet), typed cells kept.

Dates stay dates. Text stays text, so a member number typed as ``004512``
keeps its zeros; a number shown with a zero-padded format (``000000``) is
padded back to the width the sheet shows, as the clerk saw it.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from functools import cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.currencies import currency_marks
from claimflow.errors import UnreadableInput
from claimflow.models import Provenance, RawRecord, ShownNumber, Unsaved
from claimflow.numbers import NumberFormat
from claimflow.parse.cells import (
    MergedFill,
    format_marks,
    is_percent,
    merged_ranges,
    shown_number,
    shown_percent,
)
from claimflow.parse.claim_totals import ClaimTotals, file_numbers
from claimflow.parse.common import (
    drop_trailers,
    field_sources,
    group_rows,
    is_blank,
    is_sparse,
    is_total,
    map_headers,
    pick_header,
    rows_word,
    unread_note,
)
from claimflow.sniff import HEADER_ROWS
from claimflow.values import ValueContext

_ZERO_PAD = re.compile(r"^0+$")


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", "") or ""
        if _ZERO_PAD.match(fmt) and float(value).is_integer():
            return str(int(value)).zfill(len(fmt))
        number = excel_decimal(value) if isinstance(value, float) else value
        if is_percent(fmt):
            # 0.5 under 0% is shown 50%: read as a person reads it (trial 40)
            return shown_percent(number)
        return number
    return value


def _other_currency(
    cells: tuple[Any, ...],
    mapping: dict[int, str],
    values: dict[str, Any],
    client: ResolvedClient,
) -> None:
    """An amount whose number format prints another currency than the
    claim's (``[$$-409]#,##0.00`` in a EUR program: ``$99.50`` on screen)
    becomes the text a person sees, ``$ 99.5``, which the claim's currency
    refuses by name (``currency mismatch: '$' is USD``); it was read as
    99.5 EUR (trial 40). The claim's currency is the row's, else the
    client's."""
    currency = values.get("currency")
    code = (currency if isinstance(currency, str) else client.config.currency).strip()
    locale = client.numbers.locale
    for i, canonical in mapping.items():
        value = values.get(canonical)
        if (
            client.fields.all.get(canonical) != "decimal"
            or i >= len(cells)
            or not isinstance(value, int | Decimal)
            or isinstance(value, bool)
        ):
            continue
        fmt = getattr(cells[i], "number_format", "") or ""
        ours = currency_marks(code.upper(), locale) if code else frozenset()
        foreign = [m for m in format_marks(fmt, locale) if m not in ours]
        if foreign:
            values[canonical] = f"{foreign[0]} {value}"


def _shown_numbers(
    cells: tuple[Any, ...],
    mapping: dict[int, str],
    values: dict[str, Any],
    client: ResolvedClient,
) -> None:
    """An amount cell whose format shows fewer decimals than it holds
    (1234.565 under ``#,##0.00``, shown ``1.234,57``) keeps the number and
    what it shows (`ShownNumber`), so that a refusal for its decimals names
    both (`claimflow.values`)."""
    for i, canonical in mapping.items():
        value = values.get(canonical)
        if (
            value.__class__ is not Decimal
            or i >= len(cells)
            or client.fields.all.get(canonical) != "decimal"
        ):
            continue
        fmt = getattr(cells[i], "number_format", "") or ""
        shown = shown_number(value, fmt, client.numbers.locale)
        if shown is not None:
            values[canonical] = ShownNumber(value, shown)


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


#: A lone cell like these signs the sheet, wherever it is (`is_sparse` rows
#: are footers only after the last claim).
_FOOTER = re.compile(
    r"^\s*(erstellt|created|generated|printed|prepared|exported|gedruckt|"
    r"creado|généré|gerado|dibuat|page|seite|página|end of report)\b",
    re.IGNORECASE,
)


def _row_number(cells: tuple[Any, ...], fallback: int) -> int:
    """The sheet's own row number (rows absent from the file are not counted)."""
    for cell in cells:
        row = getattr(cell, "row", None)
        if row is not None:
            return int(row)
    return fallback


def _find_header(
    rows: Iterator[tuple[Any, ...]], client: ResolvedClient, name: str, where: str
) -> tuple[list[Any], int, list[int], Iterator[tuple[Any, ...]]] | None:
    """The header among the first rows: the one that maps most fields (two or more).

    Returns (header cells, its row, the non-blank rows above it, the rows
    after it), or None when no row of the first `HEADER_ROWS` maps two fields.
    """
    scanned = list(islice(rows, HEADER_ROWS))
    index = pick_header([[c.value for c in cells] for cells in scanned], client)
    if index is None:
        return None
    cells = scanned[index]
    headers = [c.value for c in cells]
    number = _row_number(cells, index + 1)
    above = [
        _row_number(c, i + 1)
        for i, c in enumerate(scanned[:index])
        if not is_blank(x.value for x in c)
    ]
    try:
        map_headers(headers, client, name)  # two columns for one field: refused
    except UnreadableInput as exc:
        raise UnreadableInput(name, exc.detail, f"{where}:row {number}") from None
    return headers, number, above, chain(scanned[index + 1 :], rows)


#: Functions that sum the rows above: a row of nothing but these is a subtotal.
_AGGREGATE = re.compile(r"^=\s*(SUM|SUBTOTAL|AGGREGATE|SUMIFS?)\s*\(", re.IGNORECASE)


def _not_a_claim(values: dict[str, Any], cells: list[Any]) -> str | None:
    """``total`` or ``footer`` for a row that only sums or signs the sheet,
    wherever it is (a subtotal between claims, labelled or a bare ``=SUM``)."""
    texts = [str(c).strip() for c in cells if isinstance(c, str) and c.strip()]
    filled = [c for c in cells if c not in (None, "")]
    if len(filled) == 1 and texts and _FOOTER.match(texts[0]):
        return "footer"
    if all(isinstance(c, Unsaved) for c in filled) and any(
        _AGGREGATE.match(c) for c in filled
    ):
        return "total"
    return "total" if is_total(values, cells) else None


#: A data row: its number, canonical field -> value, and its cells.
_Row = tuple[int, dict[str, Any], list[Any]]


def _footer(row: _Row) -> str | None:
    """``footer`` for a sparse row, which is one if no claim follows it
    (totals are left out wherever they are, by `_not_a_claim`)."""
    return "footer" if is_sparse(row[1], row[2]) else None


def _shown(cells: list[Any]) -> str:
    """A left-out row's first filled cell, as its note quotes it (and that a
    formula's value was never saved, where none was)."""
    first = next(c for c in cells if c not in (None, ""))
    unsaved = " (a formula with no saved value)" if isinstance(first, Unsaved) else ""
    return repr(str(first)[:40]) + unsaved


def _sheet_rows(
    sheet: Any,
    client: ResolvedClient,
    name: str,
    digest: str,
    notes: list[str],
    numbers: tuple[NumberFormat, str | None],
) -> Iterator[RawRecord] | None:
    where = f"sheet {sheet.title}"
    hidden: list[int] = []
    hidden_columns: set[int] = set()
    found = _find_header(_cell_rows(sheet, hidden, hidden_columns), client, name, where)
    if found is None:
        return None
    headers, header_row, above, rows = found
    state = getattr(sheet, "sheet_state", "visible")
    if state != "visible":
        # read like any sheet (a clerk may hide one that is done), but said:
        # a hidden draft's claims were taken in with nothing shown (trial 30)
        very = "very hidden (only a macro shows it)" if state == "veryHidden" else "hidden"
        notes.append(f"{where}: the sheet is {very} in the workbook; its claims are read")
    if above:
        shown = ", ".join(str(r) for r in above[:5])
        notes.append(
            f"{where}: header on row {header_row}; {rows_word(above)} {shown} above it skipped"
        )
    mapping = map_headers(headers, client, name)
    unread = unread_note(headers, mapping)
    if unread is not None:
        notes.append(f"{where}: {unread}")
    unseen = [repr(str(headers[i])) for i in sorted(mapping) if i + 1 in hidden_columns]
    if unseen:
        # read like any column, but said: a person reading the sheet does
        # not see these values (trial 40)
        notes.append(
            f"{where}: {'columns' if len(unseen) > 1 else 'column'} "
            f"{', '.join(unseen)} hidden in the workbook; read like the others"
        )

    totals = ClaimTotals(name, f"{where}:", headers, mapping, client, *numbers, notes)
    totals.hide(hidden)
    left_out = _left_out(where, notes, totals)

    sources = field_sources(headers, mapping)
    # a cell merged down over claim rows shows its value on each (trial 40)
    below = [r for r in merged_ranges(sheet) if r[1] > header_row and r[3] > r[1]]
    merged = MergedFill(sheet, below)

    def typed() -> Iterator[tuple[Provenance, dict[str, Any]]]:
        data = _data_rows(merged.rows(rows, _row_number), mapping, header_row, left_out, client)
        for row_no, values, _ in drop_trailers(data, _footer, left_out):
            _refuse_unsaved(values, name, f"{where}:row {row_no}", sources)
            _refuse_lost_digits(values, name, f"{where}:row {row_no}", client, sources)
            totals.add(row_no, values)
            yield Provenance(file=name, sheet=sheet.title, row=row_no), values
        totals.check()  # the sheet's total rows against its claim rows
        read = [r for r in hidden if r > header_row]
        if read:
            notes.append(f"{where}: {_hidden_note(read)}")
        merged.note(where)
        notes.extend(merged.notes)

    return group_rows(typed(), client, field_sources(headers, mapping), digest)


def _left_out(
    where: str, notes: list[str], totals: ClaimTotals
) -> Callable[[_Row, str], None]:
    """What notes a row left out of the claims (and takes a total row's
    figures, to check once the sheet is read)."""

    def left_out(row: _Row, kind: str) -> None:
        notes.append(f"{where}:row {row[0]}: {kind} row {_shown(row[2])} left out")
        if kind == "total":
            totals.total(row[0], row[1], row[2], len(notes) - 1)

    return left_out


def _refuse_unsaved(
    values: dict[str, Any], name: str, where: str, sources: dict[str, str]
) -> None:
    """A claim's cell holding a formula whose value the workbook never saved
    refuses the file: the program that wrote it computes no formulas (a
    script's openpyxl), so every such cell is unread, and the fix is the
    desk's (open the workbook in Excel and save it), not the participant's,
    whom a notice asked for a number they never wrote (trial 30)."""
    for field, value in values.items():
        if isinstance(value, Unsaved):
            raise UnreadableInput(
                name,
                f"a formula ({value}) with no saved value: the workbook was saved by a "
                "program that does not compute formulas; open it in Excel and save "
                "it, or send its values",
                f"{where}:{sources.get(field, field)}",
            )


def _refuse_lost_digits(
    values: dict[str, Any],
    name: str,
    where: str,
    client: ResolvedClient,
    sources: dict[str, str],
) -> None:
    """An identifier (an invoice or member number) typed as a number of
    more than 15 digits lost its last ones: Excel keeps 15 significant
    digits of a number (``12345678901234567890`` is stored
    ``1.2345678901234567E+19``). It was read as the text
    ``1.23456789012346E+19``, a number nobody wrote (trial 40); the file
    is refused naming the cell, the fix being the desk's."""
    for field, value in values.items():
        if (
            isinstance(value, Decimal)
            and value.adjusted() >= _DIGITS
            and client.fields.all.get(field) == "text"
        ):
            raise UnreadableInput(
                name,
                f"a number of more than {_DIGITS} digits ({value}): Excel keeps "
                f"{_DIGITS} digits of a number, so the last ones of this "
                f"{field} are lost; format the column as text and key it again",
                f"{where}:{sources.get(field, field)}",
            )


#: The significant digits Excel keeps of a number.
_DIGITS = 15


def _data_rows(
    rows: Iterator[tuple[Any, ...]],
    mapping: dict[int, str],
    header_row: int,
    left_out: Callable[[_Row, str], None],
    client: ResolvedClient,
) -> Iterator[_Row]:
    """A sheet's rows below the header, blank ones skipped and totals (and
    lone footer lines) left out wherever they are."""
    last = header_row
    for cells in rows:
        row_no = _row_number(cells, last + 1)
        last = row_no
        raw = [c.value for c in cells]
        if is_blank(raw):
            continue
        values = {
            canonical: _cell_value(cells[i]) if i < len(cells) else None
            for i, canonical in mapping.items()
        }
        _other_currency(cells, mapping, values, client)
        _shown_numbers(cells, mapping, values, client)
        kind = _not_a_claim(values, raw)
        if kind is not None:
            left_out((row_no, values, raw), kind)
            continue
        yield row_no, values, raw


def _hidden_note(read: list[int]) -> str:
    """``rows 4, 9 are hidden in the workbook; read like the others``."""
    shown = ", ".join(str(r) for r in read[:10])
    more = f" and {len(read) - 10:,} more" if len(read) > 10 else ""
    return (
        f"{rows_word(read)} {shown}{more} "
        f"{'is' if len(read) == 1 else 'are'} hidden in the workbook; "
        "read like the others"
    )


def _cell_rows(
    sheet: Any, hidden: list[int], hidden_columns: set[int] | None = None
) -> Iterator[tuple[Any, ...]]:
    """A read-only sheet's rows of cells, read by content, noting hidden rows
    (and hidden columns, 1-based, into `hidden_columns`).

    openpyxl's ``iter_rows`` believes the sheet's declared size (one cell
    for a sheet of thousands of rows, or a million rows for three) and
    drops the rows' ``hidden`` flag; its own row parser gives both.
    """
    from openpyxl.cell.read_only import EMPTY_CELL, ReadOnlyCell

    book = sheet.parent
    with sheet._get_source() as source:
        parser = _parser_class()(
            source,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            if hidden_columns is not None:
                # the <cols> element precedes the rows: known by the first
                hidden_columns.update(_hidden_columns(parser.column_dimensions))
                hidden_columns = None
            if parser.row_dimensions.get(str(number), {}).get("hidden") in (
                "1",
                "true",
            ):
                hidden.append(number)
            width = max((c["column"] for c in cells), default=0)
            row: list[Any] = [EMPTY_CELL] * width
            for cell in cells:
                row[cell["column"] - 1] = ReadOnlyCell(sheet, **cell)
            yield tuple(row)


def _hidden_columns(dimensions: dict[str, dict[str, str]]) -> set[int]:
    """The 1-based columns a sheet's ``<col hidden="1">`` elements hide."""
    hidden: set[int] = set()
    for attrs in dimensions.values():
        if attrs.get("hidden") in ("1", "true"):
            low, high = int(attrs.get("min", 0)), int(attrs.get("max", 0))
            hidden.update(range(low, min(high, low + 16_384) + 1))
    return hidden


@cache
def _parser_class() -> Any:
    """openpyxl's row parser keeping unsaved formulas (imported on first use,
    as openpyxl is)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's row parser, keeping a formula that has no saved value
        (`Unsaved`): with cached values only, openpyxl reads it as an empty
        cell, and a bare ``=SUM`` row between claims vanished unnoted."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and self.data_only:
                formula = element.find(FORMULA_TAG)
                if formula is not None and formula.text:
                    cell["value"] = Unsaved(f"={formula.text}")
                    cell["data_type"] = "s"
            return cell

    return Parser


#: Bytes a workbook's parts may unpack to, in all (a zip bomb stops here).
MAX_UNPACKED = 1 << 30
#: How many times larger than its packed size a workbook may unpack to.
MAX_RATIO = 200


def open_workbook(path: Path, name: str) -> Any:
    """Open a workbook read-only with cached values.

    Its XML is parsed through defusedxml (openpyxl does so when it is
    installed): an entity declaration is refused, never expanded.

    Raises:
        UnreadableInput: not a workbook, corrupt, or unpacking to more than
            `MAX_UNPACKED` bytes or `MAX_RATIO` times its size (named by `name`).
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError) as exc:
        raise UnreadableInput(name, f"not a readable .xlsx workbook ({exc})") from None
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(1, path.stat().st_size):
        raise UnreadableInput(
            name,
            f"its parts unpack to {unpacked:,} bytes from {path.stat().st_size:,}: "
            "a zip bomb, or not a claims workbook",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Unknown extension" and the like
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise UnreadableInput(name, f"not a readable .xlsx workbook ({exc})") from None
    except Exception as exc:  # the XML parser's own errors, entities refused
        raise UnreadableInput(
            name, f"damaged workbook ({type(exc).__name__})"
        ) from None


def read_excel(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    sheet: str | None = None,
    notes: list[str] | None = None,
    values: ValueContext | None = None,
) -> Iterator[RawRecord]:
    """Stream claims from every sheet of a workbook, or from one named sheet.

    Each sheet is read by content, whatever size it declares. Its header is
    the row among the first `HEADER_ROWS` that maps most claim fields (at
    least two); rows above it are skipped with a note. A sheet without such
    a row (notes, a lookup table) is skipped with a note; total, subtotal
    and footer rows (a ``Summe`` or ``Erstellt von:`` row with no claim
    identifier, and after the last claim any row filling one or two cells
    and no identifying field, `is_sparse`) are left out with a note naming
    the row; each total row's figures are checked against the claim rows
    above it once the sheet is read (`claimflow.parse.claim_totals`).

    Args:
        path: the .xlsx file.
        client: the resolved client.
        digest: the file's content hash.
        name: the file name for provenance.
        sheet: read only this sheet.
        notes: where the notes go (``sheet Notes: skipped, ...``).
        values: how the batch reads values (its number locale), for the
            total rows' figures; None: the client's.

    Yields:
        One raw record per claim.

    Raises:
        UnreadableInput: not a workbook, corrupt, the sheet is missing, or
            no sheet has a claims header, or a total row differs from the
            claim rows it sums.

    Example: ``list(read_excel(Path("claims.xlsx"), client, h, "claims.xlsx"))``
    """
    notes = [] if notes is None else notes
    book = open_workbook(path, name)
    try:
        # openpyxl's warnings about parts it drops (a page layout extension)
        # are not the clerk's business: what was read is in the records.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            numbers = file_numbers(client, name, values)
            yield from _book_records(book, client, digest, name, sheet, notes, numbers)
    finally:
        book.close()


def _book_records(
    book: Any,
    client: ResolvedClient,
    digest: str,
    name: str,
    sheet: str | None,
    notes: list[str],
    numbers: tuple[NumberFormat, str | None],
) -> Iterator[RawRecord]:
    """`read_excel` of an open workbook."""
    if sheet is not None and sheet not in book.sheetnames:
        raise UnreadableInput(
            name, f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
        )
    names = [sheet] if sheet is not None else book.sheetnames
    mapped = 0
    for title in names:
        if not hasattr(book[title], "iter_rows"):
            notes.append(f"sheet {title}: skipped, a chart sheet")
            continue
        try:
            records = _sheet_rows(book[title], client, name, digest, notes, numbers)
            if records is None:
                notes.append(
                    f"sheet {title}: skipped, no claims header in its first "
                    f"{HEADER_ROWS} rows"
                )
                continue
            mapped += 1
            yield from records
        except UnreadableInput:
            raise
        except Exception as exc:  # damaged XML deep in a sheet, entities
            raise UnreadableInput(
                name, f"damaged workbook ({type(exc).__name__})", f"sheet {title}"
            ) from None
    if not mapped:
        raise UnreadableInput(
            name,
            f"no sheet has a {client.config.kind} claims header in its first "
            f"{HEADER_ROWS} rows (sheets: {', '.join(names)}); is this the "
            "right client, or are the columns named differently?",
        )
