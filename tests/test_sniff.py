"""`claimflow.sniff`: a table's delimiter and header row, found before any
reader (claims, reference tables, people files) maps a column."""

from __future__ import annotations

import csv
import io

import pytest

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
