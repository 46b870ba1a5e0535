"""Claims from printed pages: line tables running over onto the next page.

Each PDF is drawn here (after the trial 23 generators, `tests.parse.
french_pdfs`); pdfplumber's tables are the oracle of what each page holds.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from reportlab.platypus import Table

from claimflow import UnreadableInput
from claimflow.parse import open_file
from tests.parse.french_pdfs import GRID, HEAD, client, head, labels, new_canvas


def _run_over(path: Path, page2_columns: int | None = None) -> Path:
    """Claim EP-2003 with 45 ruled lines split over two pages, its header
    row not repeated on page 2 (trial 23's ``p_runover`` generator); with
    `page2_columns`, page 2's grid has that many columns instead."""
    rows = [["MO-120", "1", "10,00", "10,00", f"MO1000{i:02d}"] for i in range(1, 46)]
    c = new_canvas(path)
    y = head(c, labels("EP-2003", "F-40414"))
    table = Table([HEAD, *rows])
    table.setStyle(GRID)
    first, rest = table.split(500, y - 60)
    _, height = first.wrapOn(c, 500, y - 60)
    first.drawOn(c, 50, y - 20 - height)
    c.showPage()
    if page2_columns is not None:
        rest = Table([r[:page2_columns] for r in rows[len(first._cellvalues) - 1 :]])
        rest.setStyle(GRID)
    _, height = rest.wrapOn(c, 500, 780)
    rest.drawOn(c, 50, 800 - height)
    c.showPage()
    c.save()
    return path


def test_a_table_running_over_without_its_header_keeps_every_line(
    tmp_path: Path,
) -> None:
    """Trial 23: the 10 lines on page 2 (no header row repeated) were
    dropped and the claim accepted with 35 of its 45 lines."""
    path = _run_over(tmp_path / "runover.pdf")
    with pdfplumber.open(path) as pdf:
        tables = [page.extract_tables() for page in pdf.pages]
    assert tables[0][0][0] == HEAD and tables[1][0][0][0] == "MO-120"
    oracle = [row for page in tables for row in page[0] if row != HEAD]
    assert len(oracle) == 45
    [record] = open_file(path, client()).records
    assert [list(line.values()) for _, line in record.lines] == oracle
    on_page2 = len(tables[1][0])
    assert on_page2 >= 5
    assert [src.page for src, _ in record.lines] == [1] * (45 - on_page2) + [
        2
    ] * on_page2
    assert record.lines[-1][1]["serial_numbers"] == "MO100045"


def test_a_header_less_table_of_other_columns_after_a_claim_is_refused(
    tmp_path: Path,
) -> None:
    path = _run_over(tmp_path / "runover4.pdf", page2_columns=4)
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, client()).records)
    assert str(caught.value) == (
        f"{path}: page 2: a ruled table without a header row follows the claim "
        "table of page 1, but its 4 columns are not that table's 5 at the same "
        "places; repeat the header row or key this page by hand"
    )
