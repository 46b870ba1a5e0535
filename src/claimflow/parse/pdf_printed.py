"""Claims from printed (or flattened) PDF pages.

Contract: `printed_records` reads an open pdfplumber PDF page by page and
returns one `RawRecord` per page with ``Label: value`` claim details, its
claim lines taken from the page's tables (header row matched like CSV
headers): ruled ones from their grid, then unruled ones from word positions
(`claimflow.parse.pdf_layout`). Pages are first turned upright
(`claimflow.parse.pdf_pages`). Nothing on a page that looks like claim data
is dropped: it is read, or the page is refused (`UnreadableInput`) naming it.

- A value ends where the next label starts (`pdf_layout.segments`: any
  ``Label :`` after a column gap); a value holding another ``Label :``
  with no gap before it, or a field printed twice with two values, refuses
  the page. Line fields printed as labels on a page without a line table
  are its one claim line.
- A page with claim lines and no labels continues the claim of the page
  before it (a line table running over); with no claim before it, it is
  refused.
- A table running over without repeating its header row is read with the
  columns of the table it continues when its grid has the same columns at
  the same places as that table's (the last claim table of the page
  before); a header-less ruled table on a page without labels after a claim
  table is otherwise refused, never skipped.
- A line table's total row (``Summe | 3 | | 25,00``, an ``Übertrag``) is no
  claim line: it is noted, and each claim's total rows are checked against
  its lines read (`claimflow.parse.pdf_totals.check_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord
from claimflow.parse.common import TOTAL, is_total
from claimflow.parse.pdf_layout import (
    LABEL_INSIDE,
    WORD_SETTINGS,
    Line,
    Word,
    labelled,
    page_words,
    segments,
    text_lines,
    unruled_tables,
)
from claimflow.parse.pdf_pages import turn_note, upright
from claimflow.parse.pdf_totals import TableRow, check_lines
from claimflow.values import ValueContext

#: Ruled cells are read as pdfplumber's ``extract_tables`` reads them, with
#: words split as on the rest of the page.
_CELL_TEXT = {"x_tolerance": 3, "y_tolerance": 3, **WORD_SETTINGS}
#: Column edges of two grids this close (points) are at the same place.
EDGE_TOLERANCE = 1.0

ClaimLines = list[tuple[Provenance, dict[str, Any]]]


@dataclass(frozen=True)
class Grid:
    """The columns of a ruled claim table, to read a continuation by.

    Attributes:
        edges: the x of each column edge, left to right.
        columns: column index -> canonical line field.
        page: the page it is printed on.
        head: its header row's cells as printed (a column's name).
    """

    edges: tuple[float, ...]
    columns: tuple[tuple[int, str], ...]
    page: int
    head: tuple[str, ...] = ()


def _edges(table: Any) -> tuple[float, ...]:
    xs = sorted({float(c[0]) for c in table.cells} | {float(c[2]) for c in table.cells})
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > EDGE_TOLERANCE:
            merged.append(x)
    return tuple(merged)


def _same_columns(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(
        abs(x - y) <= EDGE_TOLERANCE for x, y in zip(a, b, strict=True)
    )


@dataclass
class _Page:
    """One page being read: where its values go and what it learned."""

    client: ResolvedClient
    source: Provenance
    sources: dict[str, str]
    labelled: bool
    before: Grid | None
    lines: ClaimLines
    grid: Grid | None = None
    notes: list[str] | None = None
    #: the page's line-table rows, claim lines and total rows, in order
    table: list[TableRow] = field(default_factory=list)


def _table_lines(page: Any, words: list[Word], state: _Page) -> None:
    """Claim lines from the page's ruled tables, then from its unruled ones
    (text outside the ruled tables, columns found from word positions)."""
    client, source = state.client, state.source
    ruled = page.find_tables()
    for table in ruled:
        rows = table.extract(**_CELL_TEXT)
        if rows:
            _ruled_rows(rows, _edges(table), state)
    outside = text_lines(words, [table.bbox for table in ruled])
    for rows in unruled_tables(outside, client, source.file, source.page or 1):
        if rows:
            columns = _header_columns(rows[0], client)
            _add_rows(rows[1:], columns, rows[0], state)


def _header_columns(
    head: Sequence[str | None], client: ResolvedClient
) -> dict[int, str]:
    heads = [normalize_label(str(h or "")) for h in head]
    return {
        i: client.header_index[h]
        for i, h in enumerate(heads)
        if client.header_index.get(h) in client.fields.line
    }


def _ruled_rows(
    rows: list[list[str | None]], edges: tuple[float, ...], state: _Page
) -> None:
    """A ruled table's rows as claim lines: under a header naming line
    fields, or, on a page without labels, as the rest of the table before."""
    columns = _header_columns(rows[0], state.client)
    if columns:
        _add_rows(rows[1:], columns, rows[0], state)
        head = tuple(str(h or "") for h in rows[0])
        state.grid = Grid(edges, tuple(columns.items()), state.source.page or 1, head)
        return
    before = state.before
    if state.labelled or before is None:
        return  # not a claim table (and no claim table runs over into it)
    page = state.source.page
    if not _same_columns(edges, before.edges):
        raise UnreadableInput(
            state.source.file,
            f"a ruled table without a header row follows the claim table of "
            f"page {before.page}, but its {len(edges) - 1} columns are not that "
            f"table's {len(before.edges) - 1} at the same places; repeat the "
            "header row or key this page by hand",
            f"page {page}",
        )
    _add_rows(rows, dict(before.columns), None, state, before.head)
    state.grid = replace(before, page=page or before.page)


def _add_rows(
    rows: Sequence[Sequence[str | None]],
    columns: dict[int, str],
    head: Sequence[str | None] | None,
    state: _Page,
    continued: Sequence[str] = (),
) -> None:
    """Append rows as claim lines, each column read as the field it maps to;
    a total row is kept apart, to be checked against the lines
    (`claimflow.parse.pdf_totals`). `continued`: the header of the table a
    header-less one continues."""
    if not columns:
        return
    if head is not None:
        for i, canonical in columns.items():
            state.sources.setdefault(canonical, str(head[i]))
    names = [str(h or "").strip() for h in head] if head is not None else continued
    heads = {c: names[i] for i, c in columns.items() if i < len(names) and names[i]}
    page = state.source.page or 1
    for row in rows:
        cells = {c: (row[i] or "").strip() for i, c in columns.items() if i < len(row)}
        if not any(cells.values()):
            continue
        if is_total(cells, row):
            # the table's total (``Summe | 3 | | 25,00``) is no claim line: it
            # was read as SKU 'Summe' and the claim rejected (trial 40); its
            # figures are checked against the lines read (`check_lines`)
            shown = next(str(c).strip() for c in row if c and TOTAL.match(str(c)))
            note = None
            if state.notes is not None:
                state.notes.append(
                    f"page {page}: line table row {shown!r} is a total row: not a "
                    "claim line"
                )
                note = len(state.notes) - 1
            others = tuple(
                (names[i] if i < len(names) and names[i] else f"column {i + 1}", cell)
                for i, cell in enumerate(row)
                if i not in columns and cell
            )
            state.table.append(TableRow(page, cells, heads, None, shown, others, note))
            continue
        line = len(state.lines) + 1
        state.lines.append((state.source.at(None, line), cells))
        state.table.append(TableRow(page, cells, heads, line))


@dataclass
class _Labels:
    """A page's ``Label: value`` text: claim values, and line values (read
    as the claim's one line when the page has no line table)."""

    header: dict[str, Any]
    line: dict[str, Any]
    sources: dict[str, str]


def _labels(lines: list[Line], client: ResolvedClient, source: Provenance) -> _Labels:
    """The values of the page's known labels, each line cut at its column
    gaps first (`segments`).

    Raises:
        UnreadableInput: a field printed twice with two values, or a value
            holding another ``Label :`` where no column gap parts them.
    """
    found = _Labels({}, {}, {})
    for line in lines:
        for text in segments(line):
            for canonical, label, value in labelled(text, client.header_index):
                _label_value(found, client, source, canonical, label, value)
    return found


def _label_value(
    found: _Labels,
    client: ResolvedClient,
    source: Provenance,
    canonical: str,
    label: str,
    value: str,
) -> None:
    is_line = canonical in client.fields.line
    values = found.line if is_line else found.header
    where = f"page {source.page}"
    if not is_line and LABEL_INSIDE.search(value):
        raise UnreadableInput(
            source.file,
            f"{label}: {value!r} holds another 'Label :' with no column gap "
            "before it; which part is the value is a guess: key this page by hand",
            where,
        )
    before = values.get(canonical)
    if before is None:
        values[canonical] = value
        found.sources.setdefault(canonical, label)
    elif before != value:
        first = found.sources.get(canonical, label)
        raise UnreadableInput(
            source.file,
            f"{first}: printed twice with two values, {before!r} and {value!r}; "
            "which one the claim means is a guess: key this page by hand",
            where,
        )


def _page_record(
    page: Any,
    number: int,
    client: ResolvedClient,
    name: str,
    digest: str,
    before: Grid | None,
    notes: list[str] | None = None,
) -> tuple[RawRecord | None, Grid | None, list[TableRow]]:
    """The page's claim (or its run-over lines), its last claim table, and
    its line-table rows (claim lines and total rows, in order)."""
    words = page_words(page)
    if not words:
        if page.images:
            raise UnreadableInput(
                name,
                "image-only page (a scan?): OCR is not supported yet; key it by hand",
                f"page {number}",
            )
        return None, None, []
    source = Provenance(file=name, page=number)
    found = _labels(text_lines(words), client, source)
    header, sources = found.header, found.sources
    state = _Page(client, source, sources, bool(header), before, [], notes=notes)
    if client.fields.line:
        _table_lines(page, words, state)
    lines = state.lines
    if not header and not lines:
        return None, state.grid, state.table
    if header and client.fields.line and not lines:
        # no line table: the line fields printed as labels are the one line
        lines = [(source, dict(found.line))]
    # no header but lines: a continuation page (see `printed_records`)
    record = RawRecord(source, header, tuple(lines), sources, digest)
    return record, state.grid, state.table


#: How pdfminer writes a glyph it has no Unicode for: its code.
_CID = re.compile(r"^\(cid:\d+\)$")


def _refuse_undecodable(page: Any, name: str, number: int) -> None:
    """Refuse a page with text whose letters cannot be known: a font with
    no Unicode map (no ``/ToUnicode``, an ``Identity-H`` encoding) makes
    pdfminer read ``(cid:80)(cid:97)...``. Whether a claim value is among
    them is unknowable, so the page is refused naming its font, never
    skipped (it had no labels to read) or stored as ``(cid:49)``.
    """
    for char in page.chars:
        if _CID.match(str(char.get("text", ""))):
            font = str(char.get("fontname", "?"))
            raise UnreadableInput(
                name,
                f"text in a font without a Unicode map ({font}, read as "
                f"{char['text']!r}): its letters cannot be read; key this page "
                "by hand or ask for a PDF with searchable text",
                f"page {number}",
            )


def printed_records(
    pdf: Any,
    client: ResolvedClient,
    name: str,
    digest: str,
    notes: list[str],
    values: ValueContext | None = None,
) -> list[RawRecord]:
    """One claim per page with claim details; a page with claim lines and
    no details continues the claim before it (a line table running over).
    A page printed sideways is read turned upright (`upright`), noted.
    Each claim's line-table total rows are checked against its lines
    (`claimflow.parse.pdf_totals.check_lines`).

    Args:
        pdf: an open pdfplumber PDF.
        client: the resolved client.
        name: the file name for provenance.
        digest: the file's content hash.
        notes: where to add what was read specially.
        values: how the batch reads values (its number locale), for the
            total rows' figures; None: the client's.

    Returns:
        The page claims, in page order.

    Raises:
        UnreadableInput: a page that cannot be read exactly (see the module),
            or a line table's total row that its lines do not add up to.

    Example: ``printed_records(pdf, client, "c.pdf", h, [])[0].source.page == 1``
    """
    records: list[RawRecord] = []
    tables: list[list[TableRow]] = []
    grid: Grid | None = None
    for number, printed in enumerate(pdf.pages, start=1):
        _refuse_undecodable(printed, name, number)
        page, turn = upright(printed, client, name, number)
        if turn:
            notes.append(turn_note(number, turn))
        record, grid, table = _page_record(
            page, number, client, name, digest, grid, notes
        )
        if record is None:
            if tables:  # a total row alone on a page: the claim before it's
                tables[-1] += table
            continue
        if record.values:
            records.append(record)
            tables.append(table)
            continue
        if not records:
            raise UnreadableInput(
                name,
                "claim lines with no claim details ('Label: value') before them",
                f"page {number}",
            )
        before = records[-1]
        kept = tuple(line for line in before.lines if line[1])  # not the placeholder
        records[-1] = replace(
            before,
            lines=kept + record.lines,
            field_sources={**record.field_sources, **before.field_sources},
        )
        tables[-1] += table
    for table in tables:
        check_lines(table, client, name, notes, values)
    return records


def with_printed(
    form: RawRecord,
    pdf: Any,
    client: ResolvedClient,
    name: str,
    notes: list[str],
    values: ValueContext | None = None,
) -> RawRecord:
    """A form's claim with what its pages print: a form flattened on one
    page (its values now page text, ``Partnernummer: 100200``) and fillable
    on another is one claim, never the fillable page's alone.

    A printed value the form's fields do not fill is taken, named by its
    label; one they fill must say the same, and printed claim lines are
    taken when the fields fill none. Only pages without a field of the form
    are read (a fillable page's text is its labels, hints and blank lines:
    ``Rechnungsnummer: ________`` under the field); a page whose text
    cannot be decoded is noted, not read (the form's fields hold the claim),
    and pages without text are skipped. A printed line table's total rows
    are checked against the form's lines, printed or filled in
    (`claimflow.parse.pdf_totals.check_lines`; `values`: the batch's number
    locale).

    Raises:
        UnreadableInput: a printed value differs from the field's, claim
            lines are both printed and filled in (naming the page), or a
            printed total row differs from the lines' sum.

    Example: ``with_printed(form, pdf, client, "f.pdf", notes).values``
    """
    header, sources = dict(form.values), dict(form.field_sources)
    lines = [line for line in form.lines if line[1]]
    # the form's own lines first: a printed total row sums them too
    table = [TableRow(src.page or 1, line, {}, src.line) for src, line in lines]
    page_no = form.source.page or 1
    for number, printed in enumerate(pdf.pages, start=1):
        record, rows = _flattened_page(printed, number, client, name, form, notes)
        table += rows
        if record is None:
            continue
        if _printed_into(record, header, sources, name):
            page_no = min(page_no, number)
        printed_lines = [line for line in record.lines if line[1]]
        if printed_lines and lines:
            raise UnreadableInput(
                name,
                "claim lines printed on this page and filled in the form's fields; "
                "which are the claim's is a guess: key this claim by hand",
                f"page {number}",
            )
        if printed_lines:
            lines.extend(printed_lines)
            for key, label in record.field_sources.items():
                sources.setdefault(key, label)
    check_lines(table, client, name, notes, values)
    if header == form.values and len(lines) == len([x for x in form.lines if x[1]]):
        return form
    source = form.source.model_copy(update={"page": page_no})
    kept = tuple(lines) or form.lines
    return replace(form, source=source, values=header, lines=kept, field_sources=sources)


def _flattened_page(
    printed: Any,
    number: int,
    client: ResolvedClient,
    name: str,
    form: RawRecord,
    notes: list[str],
) -> tuple[RawRecord | None, list[TableRow]]:
    """What a page of a form prints as claim details, if it carries none of
    the form's fields (`with_printed`), and its line-table rows."""
    if _has_widgets(printed):
        return None, []  # a fillable page: its text is labels, hints, blank lines
    if any(_CID.match(str(c.get("text", ""))) for c in printed.chars):
        notes.append(
            f"page {number}: printed text in a font without a Unicode map not "
            "read; the claim is its form fields'"
        )
        return None, []
    page, _ = upright(printed, client, name, number)
    if not page_words(page):
        return None, []
    record, _, rows = _page_record(
        page, number, client, name, form.content_hash, None, notes
    )
    return record, rows


def _has_widgets(page: Any) -> bool:
    """True for a page that carries form fields (widget annotations)."""
    from pdfplumber.utils.pdfinternals import resolve

    for ref in resolve(page.page_obj.attrs.get("Annots")) or []:
        annot = resolve(ref)
        subtype = annot.get("Subtype") if isinstance(annot, dict) else None
        if getattr(subtype, "name", None) == "Widget":
            return True
    return False


def _printed_into(
    record: RawRecord, header: dict[str, Any], sources: dict[str, str], name: str
) -> bool:
    """Add a page's printed claim details to a form's (`with_printed`);
    True when one was added.

    Raises:
        UnreadableInput: a printed value differs from the form field's.
    """
    added = False
    for field_name, value in record.values.items():
        label = record.field_sources.get(field_name, field_name)
        held = header.get(field_name)
        if held in (None, ""):
            header[field_name], sources[field_name], added = value, label, True
        elif str(held).strip() != str(value).strip():
            raise UnreadableInput(
                name,
                f"{label}: printed {value!r}, but form field "
                f"{sources.get(field_name, field_name)!r} holds {held!r}; which "
                "one the claim means is a guess: key this claim by hand",
                f"page {record.source.page}",
            )
    return added
