"""Readers: files in, `RawRecord`s out, each value with its provenance.

Contract: ``read_file(path, client)`` returns a `ParsedFile` whose
``records`` iterator streams one `RawRecord` per claim (a CSV or Excel row,
or consecutive rows sharing a claim ref; a JSON object; a filled PDF form;
a printed PDF page). Unusable input raises `UnreadableInput` naming the file
and the row or page; bad *values* are left for `claimflow.validate`.
The reader is chosen by extension, and the bytes are checked to match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.models import RawRecord
from claimflow.parse.common import content_hash, map_headers
from claimflow.parse.csvfile import CsvCells, read_csv
from claimflow.parse.excel import read_excel
from claimflow.parse.jsonfile import read_json
from claimflow.parse.pdf import read_pdf
from claimflow.parse.pdf_form import form_values
from claimflow.sniff import detect_encoding
from claimflow.values import ValueContext

Reader = Callable[[Path, ResolvedClient, str, str], Iterator[RawRecord]]

READERS: dict[str, Reader] = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_excel,
    ".xlsm": read_excel,
    ".json": read_json,
    ".jsonl": read_json,
    ".ndjson": read_json,
    ".pdf": read_pdf,
}

#: Magic bytes a reader expects at the start of the file.
_MAGIC = {".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04"}


@dataclass(frozen=True)
class ParsedFile:
    """A file opened for reading.

    Attributes:
        path: the file.
        name: the name used in provenance and messages.
        content_hash: sha256 of its bytes.
        records: the records, streamed (iterate once).
        cells: for a CSV file, the same records as data rows of cells and
            the builder that turns them into records (iterate either this
            or `records`, not both): a large file's workers build records.
        notes: what the reader left out and why (a sheet without claims, a
            total row), filled in as the records are read.
    """

    path: Path
    name: str
    content_hash: str
    records: Iterator[RawRecord]
    cells: CsvCells | None = None
    notes: list[str] = field(default_factory=list)


def open_file(
    path: str | Path,
    client: ResolvedClient,
    sheet: str | None = None,
    encoding: str | None = None,
    values: ValueContext | None = None,
) -> ParsedFile:
    """Check a file is there and of a known kind, hash it, and open its records.

    Args:
        path: the input file.
        client: the resolved client.
        sheet: for a workbook, read only this sheet (default: every sheet).
        encoding: for a CSV file, its text encoding (default: the client's
            ``encoding``, else detected).
        values: how the batch reads values (its number locale), for the
            figures of a CSV file's, workbook's or PDF line table's total
            rows, which are checked against its claim rows; None: the
            client's.

    Returns:
        The parsed file, records not yet read.

    Raises:
        UnreadableInput: missing, empty, unknown extension, or wrong bytes.

    Example: ``sum(1 for _ in open_file("claims.csv", client).records)``
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise UnreadableInput(name, "no such file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise UnreadableInput(
            name, f"unknown file type {path.suffix!r}; expected {known}"
        )
    if path.stat().st_size == 0:
        raise UnreadableInput(name, "empty file (0 bytes)")
    magic = _MAGIC.get(path.suffix.lower())
    if magic is not None:
        with path.open("rb") as fh:
            if fh.read(len(magic)) != magic:
                raise UnreadableInput(
                    name, f"not a {path.suffix} workbook (wrong bytes)"
                )
    digest = content_hash(path)
    if reader is read_csv:
        cells = CsvCells(path, client, digest, name, encoding=encoding, values=values)
        return ParsedFile(path, name, digest, cells.records(), cells, cells.notes)
    if reader is read_excel:
        notes: list[str] = []
        records = read_excel(
            path, client, digest, name, sheet=sheet, notes=notes, values=values
        )
        return ParsedFile(path, name, digest, records, notes=notes)
    if reader is read_pdf:
        notes = []
        pdf_records = read_pdf(path, client, digest, name, notes=notes, values=values)
        return ParsedFile(path, name, digest, pdf_records, notes=notes)
    if reader is read_json:
        notes = []
        json_records = read_json(path, client, digest, name, notes)
        return ParsedFile(path, name, digest, json_records, notes=notes)
    return ParsedFile(path, name, digest, reader(path, client, digest, name))


def read_file(path: str | Path, client: ResolvedClient) -> list[RawRecord]:
    """Read every record of one file into a list (small files, tests, REPL).

    Args:
        path: the input file.
        client: the resolved client.

    Returns:
        The raw records.

    Example: ``read_file("samples/acme-tools/claims/october.csv", client)[0].values``
    """
    return list(open_file(path, client).records)


__all__ = [
    "READERS",
    "ParsedFile",
    "UnreadableInput",
    "content_hash",
    "detect_encoding",
    "form_values",
    "map_headers",
    "open_file",
    "read_file",
]
