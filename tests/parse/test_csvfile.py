"""CSV reading: encodings, delimiters, quoting, and unusable files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, UnreadableInput
from claimflow.parse import detect_encoding, read_file

HEADER = "Claim ID,Rep #,Rep Name,Invoice No,Invoice Date,Product Code,Qty\n"
ROW = "AC-1,104233,José Núñez,INV-1001,10/02/2026,DRL-200,1\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("cp1252", b""),
        ("latin-1", b""),
    ],
)
def test_encodings_are_detected(
    acme: ResolvedClient, write: Callable[..., Path], encoding: str, prefix: bytes
) -> None:
    path = write("claims.csv", prefix + (HEADER + ROW).encode(encoding))
    [record] = read_file(path, acme)
    assert record.values["participant_name"] == "José Núñez"
    assert record.field_sources["participant_name"] == "Rep Name"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(
    acme: ResolvedClient, write: Callable[..., Path], delimiter: str
) -> None:
    text = (HEADER + ROW).replace(",", delimiter)
    [record] = read_file(write("claims.csv", text), acme)
    assert record.values["invoice_number"] == "INV-1001"
    assert record.lines[0][1]["sku"] == "DRL-200"


def test_quoted_newlines_stay_in_one_field(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    text = 'Rep #,Product Code,Serials\n104233,DRL-200,"DR1\nDR2"\n104234,DRL-200,DR3\n'
    records = read_file(write("claims.csv", text), acme)
    assert [r.source.row for r in records] == [2, 3]
    assert records[0].lines[0][1]["serial_numbers"] == "DR1\nDR2"


def test_rows_sharing_a_claim_ref_are_lines_of_one_claim(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    text = (
        "Claim ID,Rep #,Product Code,Qty\nA,1,DRL-200,1\nA,1,BAT-20V,2\nB,2,DRL-200,1\n"
    )
    first, second = read_file(write("claims.csv", text), acme)
    assert [line["sku"] for _, line in first.lines] == ["DRL-200", "BAT-20V"]
    assert [src.row for src, _ in first.lines] == [2, 3]
    assert second.values["claim_ref"] == "B"


def test_header_matching_tolerates_case_spacing_punctuation(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    text = " INVOICE  no. ,rep #,PRODUCT-CODE\nINV-1,104233,DRL-200\n"
    [record] = read_file(write("claims.csv", text), acme)
    assert record.values == {"invoice_number": "INV-1", "participant_id": "104233"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (HEADER.encode() + b'AC-1,104233,"Maria', "not valid CSV"),
        (
            HEADER.encode() + b"AC-1,104233\n",
            "expected 7 fields as in the header, found 2",
        ),
        (bytes(range(256)) * 64, "binary file"),
        (b"A" * (50 * 1024 * 1024), "not valid CSV: field larger than field limit"),
        (b"colour,size\nred,4\n", "no column matches a sales claim field"),
        (b"Invoice No,Invoice\nINV-1,INV-2\n", "both map to invoice_number"),
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "short-row",
        "binary",
        "50MB-line",
        "no-match",
        "dup-map",
    ],
)
def test_unusable_csv_raises_a_one_line_error(
    acme: ResolvedClient, write: Callable[..., Path], content: bytes, message: str
) -> None:
    path = write("bad.csv", content)
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_detect_encoding_prefers_utf8() -> None:
    assert detect_encoding("naïve,1\n".encode(), "x.csv") == "utf-8"
    assert detect_encoding("naïve,1\n".encode("cp1252"), "x.csv") == "cp1252"


_cell = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"
    ),
    max_size=12,
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(_cell, _cell, _cell), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_csv_round_trip(
    acme: ResolvedClient,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str]],
    encoding: str,
    delimiter: str,
) -> None:
    """Whatever a spreadsheet writes, claimflow reads back the same values."""
    rows = [r for r in rows if any(r)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(["Invoice No", "Rep Name", "Product Code"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("rt") / "claims.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    records = read_file(path, acme) if rows else []
    assert [
        (r.values["invoice_number"], r.values["participant_name"], r.lines[0][1]["sku"])
        for r in records
    ] == rows
