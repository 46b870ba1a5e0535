"""CSV reader: streaming, strict about shape.

The encoding and the delimiter are detected by `claimflow.sniff`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord
from claimflow.parse.claim_totals import ClaimTotals, file_numbers
from claimflow.parse.common import (
    FOOTER_ROWS,
    check_width,
    drop_trailers,
    field_sources,
    group_split,
    header_fields,
    is_blank,
    map_headers,
    pick_header,
    rows_word,
    trailer_kind,
    trailers,
    unread_note,
)
from claimflow.sniff import (
    HEADER_ROWS,
    SNIFF_BYTES,
    ExcelDialect,
    detect_encoding,
    encoding_origin,
)
from claimflow.sniff import sniff_dialect as _dialect
from claimflow.values import ValueContext

Cells = tuple[int, list[str]]


class RowBuilder:
    """Turns runs of a CSV file's data rows into raw records.

    Reading cells is the C csv module's job and cheap; building records (a
    dict, a provenance, a record per row) is Python's and costs several
    times more. Kept apart so that a large file's parent process only reads
    cells and its workers build the records (`claimflow.parallel`).

    Attributes:
        ref_index: the column of the claim ref (consecutive rows sharing one
            are one claim), if mapped.
    """

    def __init__(
        self,
        mapping: dict[int, str],
        name: str,
        sources: dict[str, str],
        digest: str,
        client: ResolvedClient,
    ) -> None:
        self.mapping = mapping
        self.name = name
        self.sources = sources
        self.digest = digest
        self.client = client
        self.ref_index = next((i for i, c in mapping.items() if c == "claim_ref"), None)

    def records(self, rows: Iterable[Cells]) -> Iterator[RawRecord]:
        """The raw records of consecutive data rows (row number, cells)."""
        line_fields = self.client.fields.line
        header = [(i, c) for i, c in self.mapping.items() if c not in line_fields]
        line = [(i, c) for i, c in self.mapping.items() if c in line_fields]
        name, at = self.name, Provenance.of_row
        split = (
            (
                at(name, row_no),
                {canonical: cells[i] for i, canonical in header},
                {canonical: cells[i] for i, canonical in line},
            )
            for row_no, cells in rows
        )
        return group_split(split, bool(line_fields), self.sources, self.digest)


#: Encodings in which a newline, a quote and a delimiter are single ASCII
#: bytes, so that a file's bytes can be cut into rows without decoding.
_BYTE_SPLITTABLE = {"utf-8", "utf-8-sig", "cp1252", "latin-1"}
#: Bytes a `Block` holds at most, ahead of the usual `CHUNK` rows' worth.
_MAX_BLOCK = 16 << 20
#: Rows a chunk holds at least when a file is cut finer to reach `least`
#: chunks: below this, a chunk's work is less than what sending it costs.
MIN_CHUNK_ROWS = 1_000


@dataclass(frozen=True)
class Block:
    """Whole data rows of a CSV file as its bytes, for a worker to parse.

    Attributes:
        first_row: the row number of the first line.
        data: the lines, undecoded.
    """

    first_row: int
    data: bytes


class CsvCells:
    """A CSV file's data rows as cells, streamed, with its `RowBuilder`.

    Iterating `rows` opens the file, reads the header (after which
    `builder` is set) and yields (row number, cells) per data row; blank
    rows are skipped and a row of the wrong width stops with
    `UnreadableInput` naming it. `blocks` reads a file with no quotes as
    runs of whole rows, undecoded, for workers to `parse`. Either way, the
    total and footer rows after the last claim (`drop_trailers`) are left
    out with a note, and a total row's figures are checked against the
    claim rows (`claimflow.parse.claim_totals`); those are read here, so
    the notes stay in this process.
    """

    def __init__(
        self,
        path: Path,
        client: ResolvedClient,
        digest: str,
        name: str,
        notes: list[str] | None = None,
        encoding: str | None = None,
        values: ValueContext | None = None,
    ) -> None:
        self.path, self.client, self.digest, self.name = path, client, digest, name
        self.notes = [] if notes is None else notes
        self.values = values
        #: (row, index of its note) of each total row after the last claim.
        self._totals: list[tuple[Cells, int]] = []
        self._trailing = 0  # the first row after the last claim
        self._headers: list[str] = []
        self._data = (1, 2)  # csv rows before the first data row, its number
        self.declared = encoding or client.config.encoding
        self.declared_by = encoding_origin(encoding, client.source_path)
        self.builder: RowBuilder | None = None
        self.rows: Iterator[Cells] = self._rows()
        self._encoding = ""
        self._dialect: type[csv.Dialect] = ExcelDialect
        self._width = 0
        self._per_row = 0.0  # bytes a data row takes, from the first bytes

    def _detect(self) -> str:
        """The file's encoding (and delimiter), from its first bytes, once."""
        if not self._encoding:
            with self.path.open("rb") as raw:
                head = raw.read(SNIFF_BYTES)
            self._encoding = detect_encoding(
                head, self.name, self.declared, self.declared_by,
                self.client.config.locale,
            )  # fmt: skip
            # (a character cut at the sniff's end is no delimiter)
            self._dialect = _dialect(head.decode(self._encoding, "ignore"))
            body = head[head.find(b"\n") + 1 :]
            self._per_row = len(body) / max(1, body.count(b"\n"))
        return self._encoding

    def chunk_rows(self, rows: int, least: int) -> int:
        """Rows per chunk: `rows`, or fewer for a file too small to make
        `least` chunks of them (but `MIN_CHUNK_ROWS` at least), so that a
        small file still reaches every worker.

        Example: ``cells.chunk_rows(10_000, 4)`` is 1,250 for 5,000 rows
        """
        self._detect()
        estimate = self.path.stat().st_size / max(1.0, self._per_row)
        return max(1, min(rows, max(MIN_CHUNK_ROWS, -(-int(estimate) // least))))

    def _header(self, headers: list[str]) -> None:
        mapping = map_headers(headers, self.client, self.name)
        unread = unread_note(headers, mapping)
        if unread is not None:
            self.notes.append(unread)
        self.builder = RowBuilder(
            mapping,
            self.name,
            field_sources(headers, mapping),
            self.digest,
            self.client,
        )
        self._width = len(headers)
        self._headers = headers

    def _trailer(self, row: Cells) -> str | None:
        """``total``, ``footer`` or None (`trailer_kind`) for a data row."""
        assert self.builder is not None
        cells = row[1]
        values = {c: cells[i] for i, c in self.builder.mapping.items()}
        return trailer_kind(values, cells)

    def _left_out(self, row: Cells, kind: str) -> None:
        text = next(c.strip() for c in row[1] if c.strip())
        self.notes.append(f"row {row[0]}: {kind} row {text[:40]!r} left out")
        self._trailing = self._trailing or row[0]
        if kind == "total":
            self._totals.append((row, len(self.notes) - 1))

    def _check_totals(self) -> None:
        """Check the total rows after the last claim against the claim rows
        (`claimflow.parse.claim_totals`). The rows are summed in a second
        reading of the file, only when a total holds a figure: a large
        file's rows are read by the workers, and most files have none."""
        if not self._totals:
            return
        assert self.builder is not None
        mapping = self.builder.mapping
        numbers = file_numbers(self.client, self.name, self.values)
        totals = ClaimTotals(
            self.name, "", self._headers, mapping, self.client, *numbers, self.notes
        )
        for (row_no, cells), note in self._totals:
            totals.total(row_no, {c: cells[i] for i, c in mapping.items()}, cells, note)
        if totals.figured:
            skip, first = self._data
            with self.path.open(encoding=self._encoding, newline="") as fh:
                reader = islice(csv.reader(fh, self._dialect, strict=True), skip, None)
                for row_no, cells in self._checked(reader, first):
                    if row_no >= self._trailing:
                        break
                    totals.add(row_no, {c: cells[i] for i, c in mapping.items()})
        totals.check()

    def _rows(self) -> Iterator[Cells]:
        name = self.name
        encoding = self._detect()
        with self.path.open(encoding=encoding, newline="") as fh:
            reader: Any = None
            try:
                reader = csv.reader(fh, self._dialect, strict=True)
                scanned = []
                for cells in islice(reader, HEADER_ROWS):
                    scanned.append((reader.line_num, cells))
                if not any(cells for _, cells in scanned):
                    raise UnreadableInput(name, "empty file: no header row")
                index = pick_header([cells for _, cells in scanned], self.client)
                if index is None:  # no header: the first row's mapping says why
                    index = next(
                        i for i, (_, c) in enumerate(scanned) if not is_blank(c)
                    )
                line, headers = scanned[index]
                self._header(headers)
                above = [n for n, cells in scanned[:index] if not is_blank(cells)]
                if above:
                    shown = ", ".join(str(n) for n in above[:5])
                    self.notes.append(
                        f"header on row {line}; {rows_word(above)} {shown} above it skipped"
                    )
                rest = chain((c for _, c in scanned[index + 1 :]), reader)
                self._data = (index + 1, line + 1)
                checked = self._checked(rest, line + 1)
                yield from drop_trailers(checked, self._trailer, self._left_out)
                self._check_totals()
            except csv.Error as exc:
                # csv's own limit (128 KiB a field) stops a 50 MB one-line file here.
                where = f"row {reader.line_num}" if reader and reader.line_num else None
                raise UnreadableInput(name, f"not valid CSV: {exc}", where) from None
            except StopIteration:
                raise UnreadableInput(name, "empty file: no header row") from None
            except UnicodeDecodeError as exc:
                row = reader.line_num + 1 if reader else 1
                raise UnreadableInput(
                    name,
                    f"cannot decode as {encoding} ({exc.reason})",
                    f"near row {row}",
                ) from None

    def _checked(self, reader: Iterator[list[str]], first_row: int) -> Iterator[Cells]:
        """Rows of the header's width, numbered from `first_row`; blank ones skipped."""
        width = self._width
        for row_no, cells in enumerate(reader, start=first_row):
            if len(cells) != width:
                if not cells or is_blank(cells):
                    continue
                check_width(self.name, row_no, cells, width)
            if not cells[0].strip() and is_blank(cells):
                continue
            yield row_no, cells

    def blocks(self, rows: int) -> Iterator[Block] | None:
        """The data rows as blocks of about `rows` lines each, or None.

        Only for a file without quote characters or lone carriage returns, in
        an encoding where lines can be cut as bytes: every newline then ends
        a row, and a worker parsing a block (`parse`) sees exactly the cells
        `rows` would give, so this process need not read them. A claim whose
        rows share a claim ref is never cut between blocks (`chunk_rows`
        sizes them for a small file). None means: read `rows` instead. The
        header is read (and `builder` set) here.
        """
        encoding = self._detect()
        if encoding not in _BYTE_SPLITTABLE or not self._quote_free():
            return None
        with self.path.open("rb") as fh:
            head = fh.readline()
        try:
            header = head.decode(encoding).rstrip("\r\n")
            headers = next(csv.reader([header], self._dialect, strict=True), None)
        except (UnicodeDecodeError, csv.Error):
            headers = None
        if headers is None or header_fields(headers, self.client) < 2:
            # bad input, which `rows` names, or title or blank lines above
            # the header, which `rows` skips
            return None
        self._header(headers)
        return self._blocks(len(head), rows)

    def _quote_free(self) -> bool:
        quote, cr, crlf = self._dialect.quotechar or '"', b"\r", b"\r\n"
        mark = quote.encode()
        carry = b""
        with self.path.open("rb") as fh:
            while piece := fh.read(1 << 22):
                piece = carry + piece
                carry = piece[-1:] if piece.endswith(cr) else b""
                body = piece[: len(piece) - len(carry)]
                if mark in body or body.count(cr) != body.count(crlf):
                    return False
        return not carry

    def _blocks(self, start: int, rows: int) -> Iterator[Block]:
        row, pending = 2, b""
        previous: Block | None = None  # held until the last one is known
        size = min(_MAX_BLOCK, max(1, int(self._per_row * rows)))
        end = self.path.stat().st_size
        with self.path.open("rb") as fh:
            fh.seek(start)
            while True:
                piece = fh.read(size)
                data = pending + piece
                if not piece or fh.tell() >= end:
                    # the end of the file: the last claim is whole (and a
                    # file that grew since it was measured is read to its end)
                    data += fh.read()
                    yield from self._last_blocks(previous, Block(row, data))
                    return
                cut = self._claim_start(data, data.rfind(b"\n") + 1)
                if cut == 0:
                    pending = data  # one claim longer than a block: read on
                    continue
                pending = data[cut:]
                if previous is not None:
                    yield previous
                previous = Block(row, data[:cut])
                row += data.count(b"\n", 0, cut)

    def _last_blocks(self, previous: Block | None, last: Block) -> Iterator[Block]:
        """The file's last two blocks, without the totals and footers after
        its last claim (noted, as `rows` does). Its last ``FOOTER_ROWS + 1``
        rows are looked for in the block before the last too if need be."""
        found = self._last_rows(last)
        if found is not None and len(found) <= FOOTER_ROWS and previous is not None:
            last, previous = Block(previous.first_row, previous.data + last.data), None
            found = self._last_rows(last)
        if previous is not None:
            yield previous
        left_out = trailers(found or [], lambda row: self._trailer(row[1]))
        for (_, row), kind in left_out:
            self._left_out(row, kind)
        self._check_totals()
        if left_out:
            last = Block(last.first_row, last.data[: left_out[0][0][0]])
        if last.data:
            yield last

    def _last_rows(self, block: Block) -> list[tuple[int, Cells]] | None:
        """The last ``FOOTER_ROWS + 1`` non-blank rows of `block`, each with
        where it starts in its bytes, in order; None if one has the wrong
        width (the worker parsing the block names it).

        The rows are cut as `blocks` cuts them: every newline ends one.
        """
        encoding = "utf-8" if self._encoding == "utf-8-sig" else self._encoding
        data, found = block.data, list[tuple[int, Cells]]()
        end, number = len(data), data.count(b"\n")  # the last line's index
        while end >= 0 and len(found) <= FOOTER_ROWS:
            start = data.rfind(b"\n", 0, end) + 1
            text = data[start:end].decode(encoding, "replace").rstrip("\r")
            cells = text.split(self._dialect.delimiter)
            if not is_blank(cells):
                if len(cells) != self._width:
                    return None
                found.append((start, (block.first_row + number, cells)))
            end, number = start - 1, number - 1
        return found[::-1]

    def _claim_start(self, data: bytes, end: int) -> int:
        """Where the claim of the last row before `end` starts: its rows share
        a claim ref (blank rows between them do not part them, as in `rows`)."""
        index = self.builder.ref_index if self.builder is not None else None
        if index is None:
            return end
        delimiter, encoding = self._dialect.delimiter, self._encoding

        def cells(line: bytes) -> list[str]:
            # (undecodable bytes: the worker parsing the block names the row)
            return line.decode(encoding, "replace").rstrip("\r").split(delimiter)

        last, start = "", end
        while start > 0:
            before = data.rfind(b"\n", 0, start - 1) + 1
            row = cells(data[before : start - 1])
            if not is_blank(row):
                ref = row[index] if len(row) > index else ""
                if last and ref != last:
                    break
                if not ref:  # the last row, without a ref: a claim of its own
                    return end
                last = ref
            start = before
        return start

    def parse(self, block: Block) -> Iterator[Cells]:
        """A block's rows as `rows` would give them (run in a worker)."""
        name = self.name
        encoding = "utf-8" if self._encoding == "utf-8-sig" else self._encoding
        try:
            text = block.data.decode(encoding)
        except UnicodeDecodeError as exc:
            row = block.first_row + block.data.count(b"\n", 0, exc.start)
            raise UnreadableInput(
                name, f"cannot decode as {self._encoding} ({exc.reason})", f"row {row}"
            ) from None
        reader = csv.reader(io.StringIO(text, newline=""), self._dialect, strict=True)
        try:
            yield from self._checked(reader, block.first_row)
        except csv.Error as exc:
            row = block.first_row + reader.line_num - 1
            raise UnreadableInput(name, f"not valid CSV: {exc}", f"row {row}") from None

    def joins(self, previous: Cells, row: Cells) -> bool:
        """Whether `row` continues the claim of the row before (same claim ref),
        so that a chunk of rows must not end between them."""
        i = self.builder.ref_index if self.builder is not None else None
        return i is not None and bool(row[1][i]) and row[1][i] == previous[1][i]

    def records(self) -> Iterator[RawRecord]:
        """Every raw record of the file, streamed."""
        rows = self.rows
        first = next(rows, None)
        if first is None:
            return
        assert self.builder is not None
        yield from self.builder.records(chain([first], rows))


def read_csv(
    path: Path, client: ResolvedClient, digest: str, name: str
) -> Iterator[RawRecord]:
    """Stream claims from a CSV file.

    Total and footer rows after the last claim (``Total;;19``, ``Emitido
    por: ...``) are left out with a note naming the row (`drop_trailers`).

    Args:
        path: the file.
        client: the resolved client (header aliases).
        digest: the file's content hash.
        name: the file name to show in provenance.

    Yields:
        One raw record per claim.

    Raises:
        UnreadableInput: binary, empty, undecodable, truncated or misaligned.

    Example: ``next(read_csv(Path("claims.csv"), client, h, "claims.csv"))``
    """
    return CsvCells(path, client, digest, name).records()


def mapped_table(
    path: Path, index: dict[str, str]
) -> tuple[set[str], Iterator[tuple[int, dict[str, str]]]]:
    """A reference CSV (member lists, source exports) mapped through header aliases.

    Args:
        path: the file.
        index: folded header -> field name.

    Returns:
        The fields the header maps to, and the rows as (row number, field ->
        stripped text), blank rows skipped, streamed.

    Raises:
        UnreadableInput: missing, empty, binary or undecodable; or, as the
            rows are read, a row with more or fewer fields than the header
            (`check_width`: a file cut short read its missing counts as
            empty).

    Example: ``fields, rows = mapped_table(Path("people.csv"), {"participantid": "id"})``
    """
    name = str(path)
    if not path.is_file():
        raise UnreadableInput(name, "no such file")
    with path.open("rb") as raw:
        encoding = detect_encoding(raw.read(SNIFF_BYTES), name)
    with path.open(encoding=encoding, newline="") as fh:
        dialect = _dialect(fh.read(SNIFF_BYTES))
        fh.seek(0)
        headers = next(csv.reader(fh, dialect), [])
    mapping = {
        i: index[normalize_label(h)]
        for i, h in enumerate(headers)
        if normalize_label(h) in index
    }

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, dialect)
            next(reader, None)
            for row_no, cells in enumerate(reader, start=2):
                if any(c.strip() for c in cells):
                    check_width(name, row_no, cells, len(headers))
                    yield (
                        row_no,
                        {field: cells[i].strip() for i, field in mapping.items()},
                    )

    return set(mapping.values()), rows()
