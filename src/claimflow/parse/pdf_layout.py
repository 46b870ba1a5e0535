"""Printed-page layout: text lines, labelled values and unruled item tables.

Contract: each function reads the words of one pdfplumber page (or one of
its text lines) and returns text exactly as printed; nothing is corrected,
completed or inferred. Inputs are a page's words and the resolved client's
aliases; outputs are plain strings keyed by canonical field, or tables in
pdfplumber's ``extract_tables`` shape (header row, then one row per claim
line) so that ruled and unruled tables are mapped by the same code.

- `page_words` splits letters into words where the gap between them is
  wider than `WORD_GAP` of the font size: a form set small or tightly
  kerned keeps its spaces (a fixed 3 pt tolerance ran ``My Name`` together).
- `labelled` splits a line at every known label, an alias of a claim field
  followed by ``:``: ``Invoice No: INV-1 Invoice Date: 10/02/2026`` gives
  two values, not one swallowing the other.
- `segments` cuts a line at a column gap before ``Label :`` text, known
  label or not: ``N° de demande : EP-4001`` and ``Ville : Aix`` printed in
  two columns are two segments, so a value never swallows the label beside
  it.
- `unruled_tables` finds item tables drawn without ruling lines: a line
  whose column names (set apart by more than a space, so a sentence is
  none) name two or more of the client's line fields, and the lines under
  it down to a blank gap, a ``Label:`` line or the next such header.
  Columns are cut at the widest white channel between header cells. Each
  line with a value in the key column (``sku``, else the first mapped one)
  is one claim line; a line without one joins a neighbouring row (its text
  after a newline, as in a ruled cell) only when the rows are visibly
  spaced wider than the lines inside a cell, else it stays a claim line of
  its own (its missing value is then asked for, not guessed). A word
  printed across two columns, one of them a claim field, refuses the page
  (`UnreadableInput`); at the foot of the table such a line is text under
  the table and ends it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label

#: A gap between letters wider than this share of the font size starts a
#: new word. Spaces are 0.25-0.6 em wide, kerning moves letters by a few
#: hundredths: 0.15 em tells them apart at any size (pdfplumber's own
#: default is 3 pt, a space and a half at 8 pt).
WORD_GAP = 0.15
WORD_SETTINGS: dict[str, Any] = {"x_tolerance_ratio": WORD_GAP}
#: Words whose tops differ by at most this many points share a line.
LINE_TOLERANCE = 3.0
#: Header words closer than this share of the font size may be one cell.
CELL_GAP = 0.7
MAX_LABEL = 48
#: A gap between words wider than this share of the font size may part
#: two columns (a space is at most 0.6 em).
COLUMN_GAP = 1.5
#: Text starting with a label: a few words, then a colon apart from a time's.
_LABEL_START = re.compile(rf"^[^:\d][^:]{{0,{MAX_LABEL}}}?\s*:(?:\s|$)")
#: A colon after a word and before a space: a label inside a value.
LABEL_INSIDE = re.compile(r"\S\s*:\s+\S")
#: The column that starts a claim line: each value in it is a line of its own.
KEY_FIELD = "sku"
MAX_HEADER_WORDS = 4

Word = dict[str, Any]
Box = tuple[float, float, float, float]

_COLON = re.compile(r"\s*:")
_WORD = re.compile(r"\S+")
_RULE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Line:
    """One printed line: its words left to right.

    Attributes:
        words: pdfplumber words (``text``, ``x0``, ``x1``, ``top``, ``bottom``).
    """

    words: tuple[Word, ...]

    @property
    def top(self) -> float:
        """The top of the line's highest word."""
        return min(float(w["top"]) for w in self.words)

    @property
    def bottom(self) -> float:
        """The bottom of the line's lowest word."""
        return max(float(w["bottom"]) for w in self.words)

    @property
    def size(self) -> float:
        """The height of the line's tallest word: its font size."""
        return max(float(w["bottom"]) - float(w["top"]) for w in self.words)

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(str(w["text"]) for w in self.words)


@dataclass(frozen=True)
class Cell:
    """A header cell of an unruled table.

    Attributes:
        text: the header as printed.
        x0: left edge.
        x1: right edge.
        known: whether the text is an alias of a claim field.
        field: the canonical line field it names, if any.
    """

    text: str
    x0: float
    x1: float
    known: bool
    field: str | None


def page_words(page: Any) -> list[Word]:
    """The page's words, split at gaps relative to the font size.

    Example: ``[w["text"] for w in page_words(page)] == ["Rep", "Name:", ...]``
    """
    return list(page.extract_words(**WORD_SETTINGS))


def text_lines(words: Iterable[Word], skip: Sequence[Box] = ()) -> list[Line]:
    """Upright words grouped into lines, top to bottom, leaving out those in
    `skip` (rotated text, such as a margin note, is no label or table).

    Args:
        words: pdfplumber words.
        skip: boxes (``x0, top, x1, bottom``) whose words are left out.

    Returns:
        The lines, each with its words left to right.

    Example: ``text_lines(page_words(page))[0].text == "Claim ID: AC-2001"``
    """
    from pdfplumber.utils.clustering import cluster_objects

    kept = [
        w
        for w in words
        if w.get("upright", True) and not any(_inside(w, box) for box in skip)
    ]
    # clustered as pdfplumber's extract_text clusters them: chained tops
    groups = cluster_objects(kept, "top", LINE_TOLERANCE)
    return [Line(tuple(sorted(g, key=lambda w: float(w["x0"])))) for g in groups]


def _inside(word: Word, box: Box) -> bool:
    x = (float(word["x0"]) + float(word["x1"])) / 2
    y = (float(word["top"]) + float(word["bottom"])) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def segments(line: Line) -> list[str]:
    """The line's text cut at each column gap followed by ``Label :`` text.

    A gap wider than `COLUMN_GAP` of the font size parts two columns when
    the text after it starts with a label (a known one or not): its value
    then ends at the gap. A wide gap between a label and its value (a
    tab) is no cut, as the text after it is no label.

    Example: ``segments(line) == ["N° de demande : EP-4001", "Ville : Aix"]``
    """
    words = line.words
    cuts = [0]
    for i in range(1, len(words)):
        gap = float(words[i]["x0"]) - float(words[i - 1]["x1"])
        if gap > COLUMN_GAP * line.size:
            rest = " ".join(str(w["text"]) for w in words[i:])
            if _LABEL_START.match(rest):
                cuts.append(i)
    cuts.append(len(words))
    return [
        " ".join(str(w["text"]) for w in words[a:b]) for a, b in pairwise(cuts) if b > a
    ]


def labelled(text: str, index: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Each known label on a line with the value printed after it.

    A label is an alias of a claim field (a key of `index`) followed by
    ``:``; the value runs to the next label or the end of the line. Text
    before the first label belongs to none and is left out, as is a label
    with nothing after it.

    Args:
        text: one printed line.
        index: folded alias -> canonical field (``client.header_index``).

    Returns:
        (canonical field, label as printed, value as printed) in line order.

    Example: ``labelled("Invoice No: INV-1 Invoice Date: 10/02/2026", index)
    == [("invoice_number", "Invoice No", "INV-1"), ("invoice_date",
    "Invoice Date", "10/02/2026")]``
    """
    marks: list[tuple[int, int, str, str]] = []
    start = 0
    for colon in _COLON.finditer(text):
        found = _label_ending(text, start, colon.start(), index)
        if found is not None:
            at, canonical = found
            marks.append((at, colon.end(), canonical, text[at : colon.start()]))
            start = colon.end()
    out: list[tuple[str, str, str]] = []
    for i, (_, value_at, canonical, label) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        value = text[value_at:end].strip()
        if value:
            out.append((canonical, label, value))
    return out


def _label_ending(
    text: str, start: int, end: int, index: Mapping[str, str]
) -> tuple[int, str] | None:
    """The longest run of whole words ending at `end` that is a known label."""
    for word in _WORD.finditer(text, start, end):
        label = text[word.start() : end]
        canonical = index.get(normalize_label(label))
        if canonical and 2 <= len(label) <= MAX_LABEL:
            return word.start(), canonical
    return None


def unruled_tables(
    lines: Sequence[Line], client: ResolvedClient, name: str, page: int
) -> list[list[list[str]]]:
    """Item tables printed as columns of text, without ruling lines.

    Args:
        lines: the page's lines outside ruled tables (`text_lines`).
        client: the resolved client (its line fields and their aliases).
        name: the file name, for an error.
        page: the 1-based page number, for an error.

    Returns:
        Tables as pdfplumber's ``extract_tables`` gives them: the header
        cells, then one row per claim line (a cell's lines joined by
        newlines).

    Raises:
        UnreadableInput: a word inside a table runs across two columns,
            one of them a claim field: which column it belongs to is a guess.

    Example: ``unruled_tables(lines, client, "c.pdf", 1)[0][0] == ["Product
    Code", "Qty"]``
    """
    tables: list[list[list[str]]] = []
    at = 0
    while at < len(lines):
        cells = _header_cells(lines[at], client)
        if cells is None:
            at += 1
            continue
        header = lines[at]
        body = _checked(cells, _body(lines, at, client), header.size, name, page)
        tables.append(_table(header, cells, body))
        at += 1  # the body holds no header: the next table starts below it
    return tables


def _header_cells(line: Line, client: ResolvedClient) -> list[Cell] | None:
    """The line's cells if it names two or more line fields, else None.

    Words are taken as the longest run that is a known alias (``Product
    Code``, and ``Unit Price`` in ``Qty Unit Price``). A word closer than
    a column gap to other words is in their cell: ``Item Description`` is
    one cell and no product code, and a sentence (``list each product and
    its serial``) is no header.
    """
    if any(str(w["text"]).endswith(":") for w in line.words):
        return None
    cells: list[Cell] = []
    for cell in _runs(line.words, line.size, client):
        last = cells[-1] if cells else None
        close = last is not None and cell.x0 - last.x1 < CELL_GAP * line.size
        if last and close and not (last.known and cell.known):
            cells[-1] = _joined(last, cell, client)
        else:
            cells.append(cell)
    fields = {c.field for c in cells if c.field is not None}
    return cells if len(fields) >= 2 else None


def _runs(words: Sequence[Word], size: float, client: ResolvedClient) -> list[Cell]:
    """Words as the longest runs that are known aliases (a space apart at
    most), or one by one."""
    out: list[Cell] = []
    at = 0
    while at < len(words):
        for run in range(min(MAX_HEADER_WORDS, len(words) - at), 0, -1):
            part = words[at : at + run]
            cell = _cell(part, client)
            spaced = all(b["x0"] - a["x1"] < CELL_GAP * size for a, b in pairwise(part))
            if (cell.known and spaced) or run == 1:
                out.append(cell)
                at += run
                break
    return out


def _cell(words: Sequence[Word], client: ResolvedClient) -> Cell:
    text = " ".join(str(w["text"]) for w in words)
    return _named(text, float(words[0]["x0"]), float(words[-1]["x1"]), client)


def _joined(left: Cell, right: Cell, client: ResolvedClient) -> Cell:
    return _named(f"{left.text} {right.text}", left.x0, right.x1, client)


def _named(text: str, x0: float, x1: float, client: ResolvedClient) -> Cell:
    field = client.header_index.get(normalize_label(text))
    line_field = field if field in client.fields.line else None
    return Cell(text, x0, x1, field is not None, line_field)


def _body(lines: Sequence[Line], at: int, client: ResolvedClient) -> list[Line]:
    """The lines under a header down to a blank gap, a label or a new header.

    The first line may sit up to a blank line below the header; after it,
    a gap wider than a line and half the narrowest gap so far ends it.
    Lines of rule characters (``-----``) are skipped.
    """
    header = lines[at]
    body: list[Line] = []
    previous, narrowest = header, None
    for line in lines[at + 1 :]:
        gap = line.top - previous.bottom
        limit = (
            2.5 * header.size
            if narrowest is None
            else max(1.2 * header.size, 1.5 * narrowest)
        )
        if gap > limit or _ends_table(line, client):
            break
        narrowest = gap if narrowest is None else min(narrowest, gap)
        previous = line
        if not _RULE.fullmatch(line.text.replace(" ", "")):
            body.append(line)
    return body


def _ends_table(line: Line, client: ResolvedClient) -> bool:
    """Whether a line is no row: it starts with a label (``Total:``,
    ``Signature:``), has a claim-level one, or heads a table itself. A
    label inside a cell (``S/N: DR1``, ``Serial: DR1``) is a value."""
    if str(line.words[0]["text"]).endswith(":"):
        return True
    found = labelled(line.text, client.header_index)
    if any(field not in client.fields.line for field, _, _ in found):
        return True
    return _header_cells(line, client) is not None


def _checked(
    cells: Sequence[Cell], body: list[Line], size: float, name: str, page: int
) -> list[Line]:
    """The body without its trailing lines printed across a column edge
    (text under the table, not rows of it).

    Raises:
        UnreadableInput: a line above them is printed across one.
    """
    while body and _crossing(body[-1], cells, _bounds(cells, body[:-1]), size):
        body = body[:-1]
    bounds = _bounds(cells, body)
    for row, line in enumerate(body, start=1):
        found = _crossing(line, cells, bounds, size)
        if found is not None:
            text, edge = found
            raise UnreadableInput(
                name,
                f"item table line {row}: {text!r} is printed across the "
                f"{cells[edge].text!r} and {cells[edge + 1].text!r} columns; "
                "key this page by hand",
                f"page {page}",
            )
    return body


def _bounds(cells: Sequence[Cell], body: Sequence[Line]) -> list[float]:
    """Where each column ends: in the widest white channel between two header
    cells (the least printed-over one, if every row prints across)."""
    return [_channel(a.x1, b.x0, body) for a, b in pairwise(cells)]


def _channel(lo: float, hi: float, body: Sequence[Line]) -> float:
    if hi <= lo:
        return lo
    spans = [
        (max(lo, float(w["x0"])), min(hi, float(w["x1"])))
        for line in body
        for w in line.words
        if w["x0"] < hi and w["x1"] > lo
    ]
    points = sorted({lo, hi, *(x for span in spans for x in span)})
    best = min(
        pairwise(points),
        key=lambda p: (sum(a < p[1] and b > p[0] for a, b in spans), p[0] - p[1]),
    )
    return (best[0] + best[1]) / 2


def _crossing(
    line: Line, cells: Sequence[Cell], bounds: Sequence[float], size: float
) -> tuple[str, int] | None:
    """Text of `line` printed across the edge of a claim-field column, and
    the edge: a word over it, or two words on either side closer than a
    space and than the two header cells are."""
    for i, edge in enumerate(bounds):
        left, right = cells[i], cells[i + 1]
        if left.field is None and right.field is None:
            continue
        close = min(CELL_GAP * size, right.x0 - left.x1)
        for word in line.words:
            if float(word["x0"]) < edge < float(word["x1"]):
                return str(word["text"]), i
        for a, b in pairwise(line.words):
            if a["x1"] <= edge <= b["x0"] and b["x0"] - a["x1"] < close:
                return f"{a['text']} {b['text']}", i
    return None


def _table(
    header: Line, cells: Sequence[Cell], body: Sequence[Line]
) -> list[list[str]]:
    rows = [[c.text for c in cells]]
    mapped = [i for i, c in enumerate(cells) if c.field is not None]
    if not body or not mapped:
        return rows
    bounds = _bounds(cells, body)
    split = [_columns(line, bounds) for line in body]
    key = next((i for i, c in enumerate(cells) if c.field == KEY_FIELD), mapped[0])
    for group in _rows(header, body, [key in s for s in split]):
        rows.append(
            [
                "\n".join(split[j][i] for j in group if i in split[j])
                for i in range(len(cells))
            ]
        )
    return rows


def _columns(line: Line, bounds: Sequence[float]) -> dict[int, str]:
    """The line's text per column index."""
    out: dict[int, list[str]] = {}
    for word in line.words:
        middle = (float(word["x0"]) + float(word["x1"])) / 2
        out.setdefault(bisect_left(bounds, middle), []).append(str(word["text"]))
    return {i: " ".join(words) for i, words in out.items()}


def _rows(header: Line, body: Sequence[Line], keyed: Sequence[bool]) -> list[list[int]]:
    """Group body lines (by index) into rows.

    A row break is a gap at least as wide as the narrowest gap between two
    rows known to be apart (the header and the first line, two keyed
    lines), less a quarter of the font size. A group with exactly one keyed
    line is a row; any other group is one row per line, never one merged row.
    """
    above = [header, *body]
    gaps = [line.top - above[j].bottom for j, line in enumerate(body)]
    apart = [gaps[0]] + [
        gaps[j] for j in range(1, len(body)) if keyed[j] and keyed[j - 1]
    ]
    row_gap = min(apart) - 0.25 * header.size
    groups: list[list[int]] = []
    for j, gap in enumerate(gaps):
        if groups and gap < row_gap:
            groups[-1].append(j)
        else:
            groups.append([j])
    rows: list[list[int]] = []
    for group in groups:
        if sum(keyed[j] for j in group) == 1:
            rows.append(group)
        else:
            rows.extend([j] for j in group)
    return rows
