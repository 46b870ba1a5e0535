"""`claimflow.sniff`: a table's delimiter and header row, found before any
reader (claims, reference tables, people files) maps a column."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.errors import UnreadableInput
from claimflow.fields import PEOPLE_COLUMNS, alias_index
from claimflow.sniff import find_header, rows_above, sniff_dialect

INDEX = alias_index(PEOPLE_COLUMNS)


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_the_delimiter_is_the_headers_not_the_titles(delimiter: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    # a title with commas in it, as a German title line often has
    writer.writerows([["Liste, Stand 01.12.2026, Kraftwerk"], [],
                      ["participant_id", "first_name", "last_name", "email"],
                      ["1", "Ann", "Lee", "a@x.example"]])  # fmt: skip
    assert sniff_dialect(out.getvalue()).delimiter == delimiter


def test_the_header_is_the_row_naming_most_columns() -> None:
    rows = [["Teilnehmer"], [], ["participant_id", "email"], ["1", "a@x.example"]]
    assert find_header(rows, INDEX) == 2
    assert rows_above("p.csv", list(enumerate(rows, start=1)), 2, INDEX) == [1]
    assert find_header([["Teilnehmer"], ["1", "a@x.example"]], INDEX) is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["a", "b", "c"], ["participant_id", "email"]],
            "p.csv: row 1: expected a title line (one or two cells) above the "
            "header on row 2, found 3 values: is the header the first row?",
        ),
        (
            [
                ["participant_id", "email"],
                ["1", "a@x.example"],
                ["participant_id", "email"],
            ],  # fmt: skip
            "p.csv: row 3: rows 1 and 3 both read as the header: expected one "
            "header row",
        ),
    ],
)
def test_an_ambiguous_header_is_refused(rows: list[list[str]], message: str) -> None:
    at = find_header(rows, INDEX)
    assert at is not None
    with pytest.raises(UnreadableInput) as caught:
        rows_above("p.csv", list(enumerate(rows, start=1)), at, INDEX)
    assert str(caught.value) == message


def test_serials_joined_by_semicolons_in_a_comma_file_leave_it_a_comma_file() -> None:
    """Trial 20 (Bharat Power Tools): one line listing 20 serials joined by
    ``;`` made ``;`` the delimiter (the most of one mark on a line), and the
    comma file was refused as "no column matches: is this the right client?"."""
    serials = ";".join(f"BC{n:08d}" for n in range(101, 121))
    sample = (
        "Claim ID,Rep #,Invoice No,Product Code,Qty,Serial Numbers\n"
        "B-101,201001,INV-7001,BC-18V,1,BC00000001\n"
        f"B-102,201002,INV-7002,BC-18V,20,{serials}\n"
        "B-103,201003,INV-7003,BC-18V,1,BC00000200\n"
    )
    assert sniff_dialect(sample).delimiter == ","


_CELL = st.text(
    alphabet=st.sampled_from("abcXYZ019 .-,;|\t\"'€ßé"), min_size=0, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    width=st.integers(min_value=2, max_value=9),
    data=st.data(),
)
def test_the_delimiter_a_csv_writer_used_is_found(
    delimiter: str, width: int, data: st.DataObject
) -> None:
    """Oracle: Python's csv writer (Excel's quoting) wrote the table with a
    known delimiter; cells hold the other marks (a serial list, a decimal
    comma, a pipe), quotes and spaces. A header of distinct names, then
    rows of the same width."""
    header = [f"col {n}" for n in range(width)]
    rows = data.draw(
        st.lists(st.lists(_CELL, min_size=width, max_size=width), min_size=1, max_size=8)
    )
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    assert sniff_dialect(out.getvalue()).delimiter == delimiter
