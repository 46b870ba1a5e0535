"""A people file for dedupe: its encoding, delimiter, header row and columns.

A CSV is sniffed as claims are (`claimflow.sniff`): the encoding (UTF-8,
cp1252, a BOM) and the delimiter (a German Excel's semicolons as well as
commas), the header found below a title line (only when it is unambiguous,
`claimflow.sniff.rows_above`), and each column named through the aliases of
`claimflow.fields.PEOPLE_COLUMNS` plus the client's
(`claimflow.config.ResolvedClient.people_index`). An xlsx file is read as
every reference table is (`claimflow.parse.tables`). Neither loads the
client configuration when none is given.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from claimflow.errors import UnreadableInput
from claimflow.fields import PEOPLE_COLUMNS, alias_index, normalize_label
from claimflow.sniff import HEADER_ROWS, csv_format, find_header, rows_above

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class PeopleCsv:
    """How to read a people CSV.

    Attributes:
        encoding: the text encoding.
        delimiter: the cell delimiter.
        skip: the lines above the header (a title, blank lines).
        header_row: the header's row number.
        columns: each header that names a column, as written -> the column.
    """

    encoding: str
    delimiter: str
    skip: int
    header_row: int
    columns: dict[str, str]


def people_index(index: Mapping[str, str] | None) -> Mapping[str, str]:
    """The folded header index: `index` (a client's), else the defaults."""
    return alias_index(PEOPLE_COLUMNS) if index is None else index


def people_csv(
    path: Path,
    index: Mapping[str, str] | None = None,
    encoding: str | None = None,
    encoding_by: str = "the client",
    language: str | None = None,
) -> PeopleCsv:
    """Sniff a people CSV: encoding (`encoding`, as `encoding_by` declared
    it, when given), delimiter, the header's row and columns. `language` is
    the client's (``vi``): the letters its names hold, so that a Vietnamese
    ``Đức`` in cp1258 is no garble (`claimflow.sniff.detect_encoding`).

    Raises:
        UnreadableInput: missing, empty, binary or undecodable; an ambiguous
            header; two columns for one field; no participant_id column.

    Example: ``people_csv(Path("teilnehmer.csv")).delimiter == ";"``
    """
    name, index = str(path), people_index(index)
    try:
        encoding, dialect = csv_format(path, name, encoding, encoding_by, language)
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, dialect)
            scanned = list(enumerate(islice(reader, HEADER_ROWS), start=1))
            at = find_header([cells for _, cells in scanned], index) or 0
            fh.seek(0)
            reader = csv.reader(fh, dialect)
            for _ in islice(reader, at):
                pass
            skip = reader.line_num
    except OSError as exc:
        raise UnreadableInput(name, f"not a readable people file ({exc})") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise UnreadableInput(name, f"not a readable people file ({exc})") from None
    if not scanned:
        raise UnreadableInput(name, "empty file: no header row")
    rows_above(name, scanned, at, index)
    row, header = scanned[at]
    return PeopleCsv(
        encoding, dialect.delimiter, skip, row, _columns(name, row, header, index)
    )


def refuse_total_row(
    path: Path, layout: PeopleCsv, chunk: pd.DataFrame, before: int
) -> None:
    """A people file sums nothing, so a total row (``Total`` or ``कुल`` with
    no participant id, after the last person) refuses it, as it refuses a
    workbook (`read_people_xlsx`), naming its row: read as a person it was
    one more record (trial 43: ``Total,,,,`` under 13 members made 14).

    Args:
        path: the file.
        layout: how it is read (`people_csv`).
        chunk: a chunk of its records as read, columns as headed.
        before: the records read in the chunks before this one.

    Raises:
        UnreadableInput: a total row, naming its row as a spreadsheet does.

    Example: ``refuse_total_row(path, layout, chunk, 0)``
    """
    header = next(h for h, t in layout.columns.items() if t == "participant_id")
    ids = chunk[header].astype(str).str.strip()
    # an id with no digit (blank, ``Total``, ``कुल``) is looked at closer
    suspects = (~ids.str.contains(r"\d", regex=True)).to_numpy()
    if not suspects.any():
        return
    # the total words (and the config the claim readers need) load only now
    from claimflow.parse.common import TOTAL

    for offset in suspects.nonzero()[0]:
        cells = chunk.iloc[int(offset)].astype(str)
        if cells.map(lambda cell: TOTAL.match(cell) is not None).any():
            raise UnreadableInput(
                str(path),
                "expected a person on every row, found a total row",
                f"row {_row_of(path, layout, before + int(offset))}",
            )


def _row_of(path: Path, layout: PeopleCsv, record: int) -> int:
    """The spreadsheet row of the `record`-th record under the header
    (counting from 0; blank lines count as rows but hold no record)."""
    with path.open(encoding=layout.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter)
        seen = -1
        for row, cells in enumerate(reader, start=1):
            if row > layout.header_row and any(c.strip() for c in cells):
                seen += 1
                if seen == record:
                    return row
    return layout.header_row + 1 + record


def _columns(
    name: str, row: int, header: list[str] | list[object], index: Mapping[str, str]
) -> dict[str, str]:
    columns: dict[str, str] = {}
    for cell in header:
        text = "" if cell is None else str(cell)
        target = index.get(normalize_label(text))
        if target is None:
            continue
        if target in columns.values():
            first = next(h for h, t in columns.items() if t == target)
            raise UnreadableInput(
                name,
                f"columns {first!r} and {text!r} both read as {target}: "
                "expected one column for it",
                f"row {row}",
            )
        columns[text] = target
    if "participant_id" not in columns.values():
        shown = ", ".join(repr(str(c)) for c in header if c is not None) or "none"
        raise UnreadableInput(
            name,
            "expected a participant_id column (a header such as 'participant_id', "
            f"or one of the client's participant_columns), found {shown}",
            f"row {row}",
        )
    return columns


def read_people_xlsx(
    path: Path, index: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A people workbook's first sheet as a frame of text, columns named.

    Example: ``read_people_xlsx(Path("people.xlsx"))["participant_id"]``
    """
    import pandas as pd

    from claimflow.parse.tables import read_table

    table = read_table(path, people_index(index), ("participant_id",))
    table.require(["participant_id"], {"participant_id": "participant_id"})
    if table.totals:  # a people file sums nothing: no row is left out
        raise UnreadableInput(
            str(path),
            "expected a person on every row, found a total row",
            f"row {table.totals[0][0]}",
        )
    fields = list(table.headers)
    return pd.DataFrame(
        [[_text(values.get(f)) for f in fields] for _, values in table.rows],
        columns=fields,
        dtype=object,
    )


def _text(value: object) -> str:
    """A cell as text (a date cell in ISO form, which every date order reads)."""
    return "" if value is None else str(value)
