"""Reference tables (member lists, source exports, partner statements), one reader.

`read_table` reads a CSV (encoding and delimiter detected as for claims,
`claimflow.sniff`) or an xlsx workbook's first sheet (cells typed as the
claim reader types them, `claimflow.parse.excel`: dates stay dates, a
number shown with zero padding keeps its zeros) into a `Table`:

- the header is found as the claim readers find it (`find_header`: the row
  among the first that names most fields of the caller's folded alias
  index); a title line above it (one or two cells) is skipped with a note,
  a fuller row above it, or a second row naming as many columns, refuses
  the file: the header must be unambiguous;
- every row is numbered as a spreadsheet numbers it (blank and title rows
  count); a row with a value under no header refuses the file, and so does
  a CSV row with more or fewer fields than the header (a file cut short
  mid-row), as in claim files (`claimflow.parse.common.check_width`);
- total rows after the last record (``Summe;;;;1.234,50``, no key field
  filled) are set apart for `Table.check_totals`, which skips them with a
  note only when their figures equal the records' sums, and refuses the
  file naming the row and both figures otherwise. A figure under a read
  column that is not summed refuses the file too (a row with a value there
  may be a record); one under a column the table does not read is no
  record's (nobody reads it): the note names it, unchecked. A total row
  with records below it refuses the file. Nothing is left out unseen.

Text values are stripped text, left for the caller to read in the client's
locale (`claimflow.values`).
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from claimflow.bidi import trimmed
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.numbers import NumberError, NumberFormat
from claimflow.parse.claim_totals import (
    mixed_currencies,
    read_figure,
    row_currency,
    total_figures,
)
from claimflow.parse.common import TOTAL, check_width, is_blank, rows_word
from claimflow.parse.excel import _cell_value, _row_number, open_workbook
from claimflow.sniff import HEADER_ROWS, csv_format, find_header, rows_above

#: One row: its number in the file, and field -> value (text, or a typed cell).
TableRow = tuple[int, dict[str, object]]


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def expected(message: str, found: object) -> str:
    """A record model's complaint about a cell, with the cell as found
    (pydantic's ``Field required`` said as the readers say it).

    Example: ``expected("Field required", None) == "expected a value, found none"``
    """
    if message == "Field required":
        return "expected a value, found none"
    return (
        message
        if found is None or str(found) in message
        else f"{message}, found {_shown(found)}"
    )


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class Table:
    """A reference table as read: its header, its records, its totals.

    Attributes:
        file: the file name, for messages.
        header_row: the header's row number.
        headers: field -> its column's header as written.
        rows: (row number, field -> value) per record, in file order;
            blank cells are absent.
        totals: the total rows after the last record, for `check_totals`.
        notes: what was skipped and why, one line each (``header on row 3;
            row 1 above it skipped``).
        columns: column position -> field.
        unread: the headers that name no field, as written.
        unread_columns: column position -> the header naming no field.
        unread_totals: total row -> (header, value) of each figure under a
            column not read, named unchecked in the total's note.
    """

    file: str
    header_row: int
    headers: dict[str, str]
    rows: list[TableRow]
    totals: list[TableRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: dict[int, str] = field(default_factory=dict, repr=False)
    unread: list[str] = field(default_factory=list)
    unread_columns: dict[int, str] = field(default_factory=dict, repr=False)
    unread_totals: dict[int, list[tuple[str, object]]] = field(default_factory=dict)

    @property
    def fields(self) -> set[str]:
        """The fields the header maps to."""
        return set(self.headers)

    def where(self, row: int, name: str) -> str:
        """``row 7:Menge``: a row and a field's column as the file heads it."""
        return f"row {row}:{self.headers.get(name, name)}"

    def require(self, fields: Sequence[str], examples: Mapping[str, str]) -> None:
        """Refuse the table unless the header maps every one of `fields`.

        Args:
            fields: the fields a record needs a column for.
            examples: field -> a header that would name it, for the message.

        Raises:
            UnreadableInput: naming the header's row, the fields without a
                column and the headers found.

        Example: ``table.require(["id"], {"id": "participant_id"})``
        """
        missing = [f for f in fields if f not in self.headers]
        if not missing:
            return
        wanted = "; ".join(f"{f} (a header such as {examples[f]!r})" for f in missing)
        found = ", ".join(repr(h) for h in self.headers.values()) or "none"
        unread = ", ".join(map(repr, self.unread)) or "none"
        raise UnreadableInput(
            self.file,
            f"expected a column for {wanted}; columns read: {found}; not known: "
            f"{unread} (the client's column aliases may name them)",
            f"row {self.header_row}",
        )

    def check_totals(
        self,
        sums: Mapping[str, Decimal],
        numbers: NumberFormat,
        currency: str | None = None,
        by_currency: Mapping[str, Mapping[str, Decimal]] | None = None,
    ) -> None:
        """Check each total row's figures against the records' sums.

        A total row whose every figure equals its column's sum is noted as
        ``row 14: total row, equals the rows' sum; not a record``; one with
        no figure at all (a label alone) is noted too, and a figure under a
        column the table does not read is named in the note, unchecked
        (``'123' under 'Observação' not checked: a column not read``).

        An amount whose records each name their currency (a stay's revenue,
        `by_currency`) is checked against the records in the currency the
        total row names in its ``currency`` cell (``Total;;;;412,50;EUR``:
        ``equals the rows' sum in EUR``), else, when they are all in one, in
        that one; a total of records in two currencies, naming none, adds
        euros to dollars and is named unchecked in the note, as a claim
        file's is (`claimflow.parse.claim_totals.mixed_currencies`).

        Args:
            sums: field -> the sum of the records' values (Decimal
                arithmetic), for every field a total may sum.
            numbers: how the figures written as text are read.
            currency: the currency the figures are amounts in, if one
                (`NumberFormat.read`: ``NT$51,800`` is one reading in TWD).
            by_currency: field -> currency -> the sum of the records'
                amounts in it, for the amounts in each record's own
                currency (these fields' `sums` are not used).

        Raises:
            UnreadableInput: a figure differs from its sum (both named), is
                not a number, or stands under a column that is not summed.

        Example: ``table.check_totals({"amount": Decimal("199.00")}, numbers)``
        """
        for row, values in self.totals:
            figures = total_figures(values)
            named = row_currency(values, None) if by_currency else None
            if named is not None:
                figures.pop("currency", None)  # the total's currency, no figure
            checked, said = False, []
            for name, value in figures.items():
                why = self._check_figure(
                    row, name, value, sums, numbers,
                    (currency, named), (by_currency or {}).get(name),
                )  # fmt: skip
                if why is None:
                    checked = True
                else:
                    said.append(
                        f"{_shown(value)} under {self.headers[name]!r} not checked: {why}"
                    )
            if checked:
                said.insert(0, "equals the rows' sum" + (f" in {named}" if named else ""))
            said += [
                f"{_shown(value)} under {header!r} not checked: a column not read"
                for header, value in self.unread_totals.get(row, [])
            ]
            self.notes.append(
                f"row {row}: total row, {'; '.join(said)}; not a record"
                if said
                else f"row {row}: total row with no figures; not a record"
            )

    def _check_figure(
        self,
        row: int,
        name: str,
        value: object,
        sums: Mapping[str, Decimal],
        numbers: NumberFormat,
        currencies: tuple[str | None, str | None] = (None, None),
        amounts: Mapping[str, Decimal] | None = None,
    ) -> str | None:
        """Check one figure; None when it equals its sum, else why it is
        not checked (its records' amounts in two currencies).

        `currencies` is (the figures' currency, the total row's own);
        `amounts`, the field's sums by currency where each record names its.
        """
        where = self.where(row, name)
        if name not in sums:
            summed = ", ".join(repr(self.headers[f]) for f in sums if f in self.headers)
            raise UnreadableInput(
                self.file,
                f"total row: expected figures only under the summed columns "
                f"({summed or 'none'}), found {_shown(value)}",
                where,
            )
        currency, named = currencies
        total, in_currency = sums[name], ""
        if amounts is not None:
            if named is None and (mixed := mixed_currencies(amounts)) is not None:
                return mixed
            currency = named or next(iter(amounts), currency)
            total = amounts.get(currency or "", Decimal(0))
            in_currency = f" in {named}" if named else ""
        try:
            figure = read_figure(value, numbers, currency)
        except (NumberError, ArithmeticError) as exc:
            raise UnreadableInput(
                self.file, f"total row: {exc}, found {_shown(value)}", where
            ) from None
        if figure != total:
            raise UnreadableInput(
                self.file,
                f"total row says {figure} ({_shown(value)}), but the rows above"
                f"{in_currency} sum to {total}: a row missing or changed?",
                where,
            )
        return None


def read_table(
    path: Path,
    index: Mapping[str, str],
    keys: Sequence[str] = (),
    encoding: str | None = None,
    declared_by: str = "the client",
    locale: str | None = None,
) -> Table:
    """A CSV or xlsx reference table mapped through folded header aliases.

    Args:
        path: the file (``.xlsx``: its first sheet).
        index: folded header -> field name.
        keys: the fields that make a row a record: a row with none of them
            filled but with a total's label (``Summe``, ``Total``) is a total.
        encoding: the CSV's encoding when one is declared.
        declared_by: who declared it (`claimflow.sniff.encoding_origin`).
        locale: the client's locale: the letters its words hold
            (`claimflow.sniff.detect_encoding`).

    Returns:
        The table; its totals still to be checked (`Table.check_totals`).

    Raises:
        UnreadableInput: missing, empty, binary, undecodable, not a workbook,
            an ambiguous header, a value outside the header's columns, a
            CSV row of another width than the header, a total row with
            records below it (each naming the row).

    Example: ``read_table(Path("statement.xlsx"), {"miles": "miles"}).rows``
    """
    name = str(path)
    if not path.is_file():
        raise UnreadableInput(name, "no such file")
    if path.suffix.lower() != ".xlsx":
        return _csv_table(path, name, index, keys, (encoding, declared_by, locale))
    book = open_workbook(path, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _table(name, _sheet_rows(book.worksheets[0]), index, keys)
    finally:
        book.close()


def _csv_table(
    path: Path,
    name: str,
    index: Mapping[str, str],
    keys: Sequence[str],
    declared: tuple[str | None, str, str | None],
) -> Table:
    encoding, dialect = csv_format(path, name, *declared)
    with path.open(encoding=encoding, newline="") as fh:
        return _table(
            name,
            _csv_rows(csv.reader(fh, dialect, strict=True), name, encoding),
            index,
            keys,
            fixed_width=True,
        )


def _csv_rows(
    reader: Iterator[list[str]], name: str, encoding: str
) -> Iterator[tuple[int, list[object]]]:
    """(row number, stripped cells): rows are counted, not lines, as a
    spreadsheet shows them (a quoted cell may hold a line break); direction
    marks at a cell's ends are stripped with its spaces (`trimmed`)."""
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [trimmed(c) for c in cells]
    except csv.Error as exc:
        raise UnreadableInput(
            name, f"not valid CSV: {exc}", f"row {number + 1}"
        ) from None
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            name,
            f"cannot decode as {encoding} ({exc.reason})",
            f"near row {number + 1}",
        ) from None


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[object]]]:
    for fallback, cells in enumerate(sheet.iter_rows(), start=1):
        values = [_cell_value(c) for c in cells]
        yield (
            _row_number(cells, fallback),
            [trimmed(v) if isinstance(v, str) else v for v in values],
        )


def _table(
    name: str,
    rows: Iterator[tuple[int, list[object]]],
    index: Mapping[str, str],
    keys: Sequence[str],
    fixed_width: bool = False,
) -> Table:
    """The table of `rows`; with `fixed_width` (a CSV: a sheet's rows end at
    their last cell) every data row must have the header's width."""
    scanned = list(islice(rows, HEADER_ROWS))
    if all(is_blank(cells) for _, cells in scanned):
        raise UnreadableInput(name, "empty file: no header row")
    at = find_header([cells for _, cells in scanned], index)
    if at is None:  # no row names two fields: the first row is the header
        at = next(i for i, (_, cells) in enumerate(scanned) if not is_blank(cells))
    table = _header(name, scanned, at, index)
    headed = [_filled(cell) for cell in scanned[at][1]]
    for row, cells in chain(scanned[at + 1 :], rows):
        if is_blank(cells):
            continue
        unheaded = next(
            (c for i, c in enumerate(cells) if _filled(c) and not _headed(headed, i)),
            None,
        )
        if unheaded is not None:
            raise UnreadableInput(
                name,
                "expected values only under the header's columns (row "
                f"{table.header_row}), found {_shown(unheaded)} under none",
                f"row {row}",
            )
        if fixed_width:
            check_width(name, row, cells, len(scanned[at][1]))
        _add(table, row, cells, keys)
    return table


def _headed(headed: list[bool], i: int) -> bool:
    return i < len(headed) and headed[i]


def _header(
    name: str,
    scanned: list[tuple[int, list[object]]],
    at: int,
    index: Mapping[str, str],
) -> Table:
    """The table's header (row `at` of `scanned`), the rows above it checked."""
    row, cells = scanned[at]
    above = rows_above(name, scanned, at, index)
    table = Table(name, row, {}, [])
    for i, cell in enumerate(cells):
        target = index.get(normalize_label(str(cell))) if _filled(cell) else None
        if target is None:
            if _filled(cell):
                table.unread.append(str(cell))
                table.unread_columns[i] = str(cell)
            continue
        if target in table.headers:
            raise UnreadableInput(
                name,
                f"columns {table.headers[target]!r} and {str(cell)!r} both read "
                f"as {target}: expected one column for it",
                f"row {row}",
            )
        table.headers[target] = str(cell)
        table.columns[i] = target
    if above:
        shown = ", ".join(str(n) for n in above)
        table.notes.append(
            f"header on row {row}; {rows_word(above)} {shown} above it skipped"
        )
    if table.unread:
        table.notes.append(
            f"{'column' if len(table.unread) == 1 else 'columns'} "
            f"{', '.join(map(repr, table.unread))} not read (no field of this table)"
        )
    return table


def _add(table: Table, row: int, cells: list[object], keys: Sequence[str]) -> None:
    """Add a row to the table's records, or to its totals."""
    values = {
        f: cells[i]
        for i, f in table.columns.items()
        if i < len(cells) and _filled(cells[i])
    }
    label = next((c for c in cells if isinstance(c, str) and TOTAL.match(c)), None)
    total = label is not None and not any(
        _filled(values.get(k)) and not TOTAL.match(str(values[k])) for k in keys
    )
    if total:
        table.totals.append((row, values))
        unread = [
            (header, cells[i])
            for i, header in table.unread_columns.items()
            if i < len(cells) and _filled(cells[i]) and not TOTAL.match(str(cells[i]))
        ]
        if unread:
            table.unread_totals[row] = unread
        return
    if table.totals:
        first = table.totals[0][0]
        raise UnreadableInput(
            table.file,
            f"a total row with records below it (row {row}): expected totals "
            "only after the last record",
            f"row {first}",
        )
    table.rows.append((row, values))
