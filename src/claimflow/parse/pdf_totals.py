"""A PDF claim's line-table total rows, checked against the lines read.

Contract: the printed-page reader (`claimflow.parse.pdf_printed`) leaves a
line table's total row out of the claim lines (``Summe | 3 | | 25,00``, a
carried-forward ``Übertrag`` on the next page: a total word and no other
SKU) and keeps it, with every claim line it reads, as a `TableRow` in
reading order; `check_lines` then checks one claim's rows (a form, or a
page with claim details and the pages its table runs over onto) with
`claimflow.parse.claim_totals.ClaimTotals`, exactly as a CSV file's total
rows are checked:

- each figure under a column that adds up (quantity, line total; never a
  unit price) is read in the file's number locale (`read_figure`) and
  compared, in Decimal, with the sum of that column over the claim's lines
  since the total row before it (a subtotal), or over all its lines above
  it (a grand total, an ``Übertrag`` carrying page 1's lines to page 2);
- agreement completes the total row's note (``page 1: line table row
  'Summe' is a total row: not a claim line; its Menge 3 and Betrag 25,00
  equal the 2 claim lines above``);
- a figure that differs refuses the file in one line naming the page, the
  total row, the column, the figure as written and the sum of the lines
  read (``page 1, line table row 'Summe': the total row's Betrag says
  '24,00' (24.00), the 2 claim lines above add up to 25.00; a line may be
  missing or misread``), as does a figure that is no number;
- a total row with no figure stays as it was: left out, with its note.

A claim's own stated total (a form's ``total`` field, a printed ``Total:``
label: its ``claim_total``) is no table row: the batch rules compare it
with its lines (`claim_total_mismatch`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from claimflow.config import ResolvedClient
from claimflow.parse.claim_totals import ClaimTotals, file_numbers
from claimflow.values import ValueContext


@dataclass(frozen=True)
class TableRow:
    """One row of a claim's line table as read: a claim line or a total row.

    Attributes:
        page: the page it is printed on.
        values: line field -> its cell as read.
        heads: line field -> its column's header as printed.
        line: a claim line's number on its page (as its provenance says).
        label: a total row's total word (``Summe``); None for a claim line.
        others: a total row's cells under columns no field is read from:
            (header, cell).
        note: the index in the reader's notes of the note leaving a total
            row out.
    """

    page: int
    values: Mapping[str, object]
    heads: Mapping[str, str]
    line: int | None = None
    label: str | None = None
    others: tuple[tuple[str, object], ...] = ()
    note: int | None = None


def check_lines(
    rows: Sequence[TableRow],
    client: ResolvedClient,
    name: str,
    notes: list[str],
    values: ValueContext | None = None,
) -> None:
    """Check one claim's line-table total rows against its lines above them.

    Args:
        rows: the claim's table rows, in reading order.
        client: the resolved client (which fields add up).
        name: the file name, for messages.
        notes: the reader's notes (each total row's is completed).
        values: how the batch reads values (its number locale); None: the
            client's.

    Raises:
        UnreadableInput: a total row's figure differs from its lines' sum,
            or is no number (naming page, row, column, figure and sum).

    Example: ``check_lines(rows, client, "claim.pdf", notes)``
    """
    if not any(row.label is not None for row in rows):
        return
    fields: dict[str, str] = {}
    unread: list[str] = []
    for row in rows:
        for field, head in row.heads.items():
            fields.setdefault(field, head)
        for field in row.values:
            fields.setdefault(field, field)
        unread += [head for head, _ in row.others if head not in unread]
    order = list(fields)
    headers = [fields[f] for f in order] + unread
    named: dict[int, str] = {}
    totals = ClaimTotals(
        name,
        "",
        headers,
        dict(enumerate(order)),
        client,
        *file_numbers(client, name, values),
        notes,
        unit="claim line",
        name_row=named.__getitem__,
    )
    for number, row in enumerate(rows, start=1):
        if row.label is None:
            named[number] = f"page {row.page}, line {row.line}"
            totals.add(number, row.values)
            continue
        named[number] = f"page {row.page}, line table row {row.label!r}"
        others = dict(row.others)
        cells = [row.values.get(f) for f in order] + [others.get(h) for h in unread]
        totals.total(number, row.values, cells, row.note)
    totals.check()
