"""CSV reading: encodings, delimiters, quoting, and unusable files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, UnreadableInput
from claimflow.parse import detect_encoding, read_file
from claimflow.parse.csvfile import MIN_CHUNK_ROWS, CsvCells

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
    acme_any_columns: ResolvedClient, write: Callable[..., Path]
) -> None:
    acme = acme_any_columns
    text = 'Rep #,Product Code,Serials\n104233,DRL-200,"DR1\nDR2"\n104234,DRL-200,DR3\n'
    records = read_file(write("claims.csv", text), acme)
    assert [r.source.row for r in records] == [2, 3]
    assert records[0].lines[0][1]["serial_numbers"] == "DR1\nDR2"


def test_rows_sharing_a_claim_ref_are_lines_of_one_claim(
    acme_any_columns: ResolvedClient, write: Callable[..., Path]
) -> None:
    acme = acme_any_columns
    text = (
        "Claim ID,Rep #,Product Code,Qty\nA,1,DRL-200,1\nA,1,BAT-20V,2\nB,2,DRL-200,1\n"
    )
    first, second = read_file(write("claims.csv", text), acme)
    assert [line["sku"] for _, line in first.lines] == ["DRL-200", "BAT-20V"]
    assert [src.row for src, _ in first.lines] == [2, 3]
    assert second.values["claim_ref"] == "B"


def test_header_matching_tolerates_case_spacing_punctuation(
    acme_any_columns: ResolvedClient, write: Callable[..., Path]
) -> None:
    acme = acme_any_columns
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
    acme_any_columns: ResolvedClient,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str]],
    encoding: str,
    delimiter: str,
) -> None:
    """Whatever a spreadsheet writes, claimflow reads back the same values."""
    acme = acme_any_columns
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


def _cells(path: Path, client: ResolvedClient) -> CsvCells:
    return CsvCells(path, client, "h" * 64, path.name)


_BLOCK_ROW = st.one_of(
    st.just(""),  # a blank line
    st.just(",,,,,,"),  # a row of empty cells
    st.tuples(st.sampled_from(["A", "B", "C", ""]), st.sampled_from(["1", "2"])),
)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(_BLOCK_ROW, max_size=25),
    per_block=st.integers(min_value=1, max_value=6),
    newline=st.sampled_from(["\n", "\r\n"]),
    last_newline=st.booleans(),
    bom=st.booleans(),
)
def test_blocks_parse_to_the_same_rows_and_never_cut_a_claim(
    tmp_path_factory: pytest.TempPathFactory,
    acme: ResolvedClient,
    rows: list[str | tuple[str, str]],
    per_block: int,
    newline: str,
    last_newline: bool,
    bom: bool,
) -> None:
    # workers parse byte blocks of a quote-free file: they must see exactly
    # the rows (numbers included) one reader sees, and a claim's rows (a run
    # sharing a claim ref, blank rows between) must sit in one block
    lines = [HEADER.rstrip("\n")]
    for row in rows:
        if isinstance(row, tuple):
            ref, qty = row
            lines.append(f"{ref},104233,Ann,INV-1,10/02/2026,DRL-200,{qty}")
        else:
            lines.append(row)
    text = newline.join(lines) + (newline if last_newline else "")
    path = tmp_path_factory.mktemp("blocks") / "claims.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    expected = list(_cells(path, acme).rows)
    cells = _cells(path, acme)
    blocks = cells.blocks(per_block)
    assert blocks is not None
    parsed = [list(cells.parse(block)) for block in blocks]
    assert [row for block in parsed for row in block] == expected
    for before, after in zip(parsed, parsed[1:], strict=False):
        if before and after:
            assert not before[-1][1][0] or before[-1][1][0] != after[0][1][0]


@pytest.mark.parametrize(
    ("claims", "least", "expected"),
    [
        (5_000, 4, [1_250] * 4),  # a small file: a block for each of 4 turns
        (2_000, 4, [MIN_CHUNK_ROWS] * 2),  # never below the smallest block
        (1_500, 4, [MIN_CHUNK_ROWS, 500]),  # the rest, in a block of its own
        (5_000, 1, [5_000]),  # a block's usual rows: one block
    ],
)
def test_a_small_file_is_cut_into_enough_blocks_for_every_worker(
    acme: ResolvedClient,
    write: Callable[..., Path],
    claims: int,
    least: int,
    expected: list[int],
) -> None:
    # a batch of many small files would otherwise run each file on one core
    rows = "".join(ROW.replace("AC-1,", f"AC-{n:05d},") for n in range(claims))
    path = write("claims.csv", HEADER + rows)
    cells = _cells(path, acme)
    blocks = cells.blocks(cells.chunk_rows(10_000, least))
    assert blocks is not None
    sizes = [len(list(cells.parse(block))) for block in blocks]
    # block edges move to the next row boundary: each within a row or two
    assert sum(sizes) == claims
    assert len(sizes) == len(expected)
    assert all(abs(a - b) <= 2 for a, b in zip(sizes, expected, strict=True))


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize(
    ("claims", "least", "expected"),
    [(5_000, 4, 1_250), (1_500, 4, MIN_CHUNK_ROWS), (50_000, 4, 10_000)],
)
def test_chunk_rows_cut_a_small_file_finer_quoted_or_not(
    acme: ResolvedClient,
    write: Callable[..., Path],
    quoted: bool,
    claims: int,
    least: int,
    expected: int,
) -> None:
    # a quoted file is read as cells, in chunks of the same size as blocks
    row = ROW.replace("José Núñez", '"Núñez, José"') if quoted else ROW
    rows = "".join(row.replace("AC-1,", f"AC-{n:05d},") for n in range(claims))
    cells = _cells(write("claims.csv", HEADER + rows), acme)
    assert abs(cells.chunk_rows(10_000, least) - expected) <= 2


@pytest.mark.parametrize(
    "content",
    [
        (HEADER + 'AC-1,104233,"Núñez, José",INV-1001,10/02/2026,DRL-200,1\n').encode(),
        (HEADER + ROW).replace("\n", "\r").encode(),  # old Mac line ends
        (HEADER + ROW).encode("utf-16"),
    ],
    ids=["quoted", "lone-cr", "utf-16"],
)
def test_files_that_cannot_be_cut_as_bytes_are_read_as_cells(
    acme: ResolvedClient, write: Callable[..., Path], content: bytes
) -> None:
    path = write("claims.csv", content)
    assert _cells(path, acme).blocks(10) is None
    assert len(read_file(path, acme)) == 1


def test_a_bad_row_in_a_block_names_its_row_as_the_reader_does(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write("claims.csv", HEADER + ROW * 5 + "AC-9,104233\n" + ROW)
    with pytest.raises(UnreadableInput) as whole:
        list(_cells(path, acme).rows)
    cells = _cells(path, acme)
    blocks = cells.blocks(2)
    assert blocks is not None
    with pytest.raises(UnreadableInput) as block:
        for b in blocks:
            list(cells.parse(b))
    assert str(block.value) == str(whole.value)
    assert "row 7" in str(block.value)


def test_undecodable_bytes_at_a_block_edge_are_named_by_the_worker(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    # the main process reads a block's last row for its claim ref only: bytes
    # that do not decode there (past the encoding sniff) are left for the
    # worker, which names the row
    bad = ROW.encode().replace("Núñez".encode(), b"N\xff\xfez")
    good = ROW.encode() * 1500
    path = write("claims.csv", HEADER.encode() + good + bad + ROW.encode())
    cells = _cells(path, acme)
    blocks = cells.blocks(1)
    assert blocks is not None
    with pytest.raises(UnreadableInput, match="row 1502: cannot decode as utf-8"):
        for block in blocks:
            list(cells.parse(block))


@pytest.mark.parametrize("above", ["\n\n\n", ";;;;\n\n", "\r\n \r\n"])
@pytest.mark.parametrize("workers", [1, 2])
def test_blank_lines_above_the_header_are_skipped(
    acme: ResolvedClient, write: Callable[..., Path], above: str, workers: int
) -> None:
    """They made the file unreadable ("no column matches"); workbooks skipped them."""
    from claimflow import check

    body = "Claim ID;Rep #;Invoice No;Invoice Date;Product Code;Qty\n"
    body += "A-1;104233;INV-1;10/02/2026;DRL-200;1\nA-2;;INV-2;10/02/2026;DRL-200;1\n"
    path = write(
        "blank.csv", above + body.replace("\n", "\r\n" if "\r" in above else "\n")
    )
    records = read_file(path, acme)
    first = above.count("\n") + 2
    assert [r.source.row for r in records] == [first, first + 1]
    assert records[1].values["invoice_number"] == "INV-2"
    result = check([path], acme, workers=workers)
    assert result.records == 2
    assert {p.source.row for p in result.problems} <= {first, first + 1}


@pytest.mark.parametrize("workers", [1, 2])
def test_title_rows_above_the_header_are_skipped_with_a_note(
    acme: ResolvedClient, write: Callable[..., Path], workers: int
) -> None:
    """A clerk's export with a title line was refused whole ("no column matches")."""
    from claimflow import check
    from claimflow.parse import open_file

    text = (
        "Werkzeug Müller GmbH – Prämienanträge, Oktober 2026\n"
        "Stand: 02.11.2026\n"
        "\n"
        "Claim ID;Rep #;Invoice No;Invoice Date;Product Code;Qty\n"
        "A-1;104233;INV-1;10/02/2026;DRL-200;1\n"
        "A-2;104876;INV-2;10/02/2026;DRL-200;1\n"
    )
    path = write("titled.csv", text, encoding="cp1252")
    parsed = open_file(path, acme)
    records = list(parsed.records)
    assert [r.source.row for r in records] == [5, 6]
    assert [r.values["invoice_number"] for r in records] == ["INV-1", "INV-2"]
    assert parsed.notes == ["header on row 4; rows 1, 2 above it skipped"]
    result = check([path], acme, workers=workers)
    assert result.records == 2
    assert result.files[0].notes == parsed.notes


GREEK = (
    "Claim ID;Rep #;Όνομα;Invoice No;Invoice Date;Product Code;Qty\n"
    "G-1;104233;Γιώργος Παπαδόπουλος;INV-1;10/02/2026;DRL-200;1\n"
    "G-2;104876;Ελένη Κωνσταντίνου;INV-2;10/02/2026;DRL-200;1\n"
)


def test_a_greek_code_page_is_not_read_as_western(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A cp1253 CSV was decoded as cp1252 and every name garbled, silently."""
    path = write("greek.csv", GREEK, encoding="cp1253")
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    message = str(caught.value)
    assert message.startswith(f"{path}: not UTF-8, and read as cp1252 ")
    assert (
        "set the client's encoding (encoding: cp1253)" in message
    )


def test_a_declared_encoding_is_used(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    from claimflow import ClientConfig, resolve

    data = acme.config.model_dump(exclude_unset=True, by_alias=True)
    data["columns"] = {**data.get("columns", {}), "participant_name": ["Όνομα"]}
    greek = resolve(
        ClientConfig.model_validate({**data, "encoding": "cp1253"}), "gr.yaml"
    )
    path = write("greek.csv", GREEK, encoding="cp1253")
    records = read_file(path, greek)
    assert [r.values["participant_name"] for r in records] == [
        "Γιώργος Παπαδόπουλος",
        "Ελένη Κωνσταντίνου",
    ]
    # The same bytes checked with Python's own codec: the oracle.
    with path.open(encoding="cp1253", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert [r[2] for r in rows[1:]] == [r.values["participant_name"] for r in records]


def test_western_text_in_cp1252_is_still_read(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    text = (
        GREEK.replace("Γιώργος Παπαδόπουλος", "José Núñez Peña")
        .replace("Ελένη Κωνσταντίνου", "Françoise Müller")
        .replace("Όνομα", "Rep Name")
    )
    records = read_file(write("west.csv", text, encoding="cp1252"), acme)
    assert [r.values["participant_name"] for r in records] == [
        "José Núñez Peña",
        "Françoise Müller",
    ]


def test_one_files_encoding_can_be_given_on_the_command_line(
    write: Callable[..., Path],
) -> None:
    """Per file: a Greek export for a client whose files are otherwise Western."""
    import json

    from tests.test_cli import ACME_CONFIG, run

    path = write("greek.csv", GREEK, encoding="cp1253")
    code, _, err = run("check", str(path), "--client", ACME_CONFIG)
    assert code == 2 and "set the client's encoding" in err
    code, out, _ = run(
        "check", str(path), "--client", ACME_CONFIG, "--encoding", "cp1253", "--json"
    )
    assert code in (0, 1) and json.loads(out)["records"] == 2
    code, _, err = run(
        "check", str(path), "--client", ACME_CONFIG, "--encoding", "klingon"
    )
    assert code == 2 and "unknown text encoding 'klingon'" in err


#: Western European words as cp1252 writes them, the signs they may hold inside
#: (Catalan middle dot, apostrophes, ordinal indicators) included.
WESTERN = [
    "José Núñez Peña", "Françoise Müller", "Crème & Cœur", "col·legi Sant Jordi",
    "Nº socio", "1ª planta", "don´t", "O’Brien", "Straße", "Ångström", "¿Qué tal?",
    "Müller–Schmidt", "wait…what",
]  # fmt: skip


@pytest.mark.parametrize("name", WESTERN)
def test_western_words_in_cp1252_are_read_as_written(name: str) -> None:
    head = f"Claim ID,Rep Name\nA-1,{name}\nA-2,{name}\n".encode("cp1252")
    assert detect_encoding(head, "w.csv") == "cp1252"


def test_a_polish_file_in_cp1250_is_refused_not_read_as_cp1252(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Trial 18: a Polish desk's cp1250 CSV was decoded as cp1252 without a
    word: ł, ą, ż read as ³, ¹, ¿, every header with them unread (the member
    number 'missing' on every row) and 'Małgorzata' stored as 'Ma³gorzata'.
    Read in its own code page (the oracle: Python's cp1250 codec) it is
    exactly what was written."""
    text = (
        "Claim ID,Rep #,Rep Name,Invoice No,Invoice Date,Product Code,Qty,Serials\n"
        "PL-1,104233,Małgorzata Wiśniewska,INV-1,10/02/2026,DRL-200,1,DR10000001\n"
        "PL-2,104234,Łukasz Żółkiewski,INV-2,10/02/2026,DRL-200,1,DR10000002\n"
    )
    path = write("zgloszenia.csv", text, encoding="cp1250")
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    assert str(caught.value) == (
        f"{path}: row 2:Rep Name: read as cp1252 (not UTF-8), the word 'Ma³gorzata' "
        "holds a symbol (³) in it: another code page? in cp1250 it reads "
        "'Małgorzata': give --encoding cp1250, or set the client's encoding "
        "(encoding: cp1250); --encoding cp1252 if 'Ma³gorzata' is right"
    )
    from tests.test_cli import ACME_CONFIG, run

    code, out, _ = run(
        "check", str(path), "--client", ACME_CONFIG, "--encoding", "cp1250", "--json"
    )
    assert json.loads(out)["records"] == 2
    from claimflow import ClientConfig, resolve

    data = acme.config.model_dump(exclude_unset=True, by_alias=True)
    declared = resolve(ClientConfig.model_validate({**data, "encoding": "cp1250"}), "pl.yaml")
    names = [r.values["participant_name"] for r in read_file(path, declared)]
    assert names == ["Małgorzata Wiśniewska", "Łukasz Żółkiewski"]


def test_one_polish_name_in_cp1250_is_enough_to_refuse_cp1252() -> None:
    head = "id,name\n1,WIŚNIEWSKA/MAŁGORZATA MRS\n".encode("cp1250")
    with pytest.raises(UnreadableInput, match=r"'WIŒNIEWSKA/MA£GORZATA'.*encoding: cp1250"):
        detect_encoding(head, "stays.csv")


def test_a_utf8_export_is_read_as_utf8_beside_a_declared_single_byte_code_page() -> None:
    """Trial 18: a client declaring cp1250 for its clerks' files had its
    hotel system's UTF-8 export read as cp1250 (Ż as Å») or refused. Valid
    UTF-8 beyond ASCII is UTF-8; the clerks' cp1250 files still read as
    declared, and a declared multi-byte encoding is left alone."""
    text = "Nr członkowski;Nazwisko\n51000101;Żółkiewski\n"
    assert detect_encoding(text.encode(), "pms.csv", "cp1250") == "utf-8"
    assert detect_encoding(text.encode("cp1250"), "desk.csv", "cp1250") == "cp1250"
    assert detect_encoding(b"id;name\n1;abc\n", "ascii.csv", "cp1250") == "cp1250"
    assert detect_encoding("会員;名前\n".encode("shift_jis"), "j.csv", "shift_jis") == "shift_jis"


def test_a_member_list_is_read_in_the_clients_encoding_or_the_one_given(
    tmp_path: Path,
) -> None:
    """Trial 18: `participants import` read a cp1250 member list as cp1252
    whatever the client declared, and said the id column was missing."""
    from tests.test_cli import ACME_CONFIG, run

    path = tmp_path / "czlonkowie.csv"
    path.write_bytes(
        "Numer członka;Imię;Nazwisko;Poziom\n104233;Małgorzata;Wiśniewska;gold\n".encode(
            "cp1250"
        )
    )
    db = str(tmp_path / "s.db")
    code, _, err = run("participants", "import", str(path), "--client", ACME_CONFIG, "--db", db)
    assert code == 2 and "cp1250" in err  # refused, naming the likely code page
    config = tmp_path / "acme-pl.yaml"
    config.write_text(
        Path(ACME_CONFIG).read_text(encoding="utf-8").replace(
            "locale: en_US", "locale: en_US\nencoding: cp1250", 1
        )
        + "participant_columns:\n  participant_id: [Numer członka]\n"
        "  first_name: [Imię]\n  last_name: [Nazwisko]\n  tier: [Poziom]\n",
        encoding="utf-8",
    )
    for client, extra in ((str(config), []), (ACME_CONFIG, ["--encoding", "cp1250"])):
        code, out, err = run(
            "participants", "import", str(path), "--client", client,
            "--db", str(tmp_path / f"{len(extra)}.db"), "--json", *extra,
        )  # fmt: skip
        if client == ACME_CONFIG:  # the sample client has no Polish aliases
            assert code == 2 and "Numer członka" in err, err
            continue
        assert code == 0, err
        assert json.loads(out)["participants"] == 1
    from claimflow import Store

    with Store.open(str(tmp_path / "0.db")) as store:
        row = store.db.execute("SELECT first_name, last_name, tier FROM participants").fetchone()
    assert tuple(row) == ("Małgorzata", "Wiśniewska", "gold")


def test_a_refused_declared_encoding_names_what_declared_it(
    acme: ResolvedClient, write: Callable[..., Path], tmp_path: Path
) -> None:
    """Trial 20: ``check retro_outubro_cp1252.csv --encoding utf-8`` said
    'not utf-8 text as the client declares' when the command line had
    declared it. The refusal names the option, or the client file, that
    declared the encoding; the same for claims, source exports and member
    lists."""
    from tests.test_cli import ACME_CONFIG, run

    # the trial's cp1252 retro file, cut to its header and one row
    path = write("retro_outubro_cp1252.csv", HEADER + ROW, encoding="cp1252")
    code, _, err = run("check", str(path), "--client", ACME_CONFIG, "--encoding", "utf-8")
    assert (code, err) == (
        2,
        f"claimflow: error: {path}: not utf-8 text as --encoding declares "
        "(invalid continuation byte)\n",
    )
    yaml_text = Path(ACME_CONFIG).read_text(encoding="utf-8")
    config = write("utf8-client.yaml", yaml_text + "encoding: utf-8\n")
    code, _, err = run("check", str(path), "--client", str(config))
    assert (code, err) == (
        2,
        f"claimflow: error: {path}: not utf-8 text as the client file {config} "
        "declares (invalid continuation byte)\n",
    )
    source = write(
        "sales_cp1252.csv",
        "invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers\n"
        "INV-1,2026-10-02,D-Peña,DRL-200,1,10.00,\n",
        encoding="cp1252",
    )
    db = str(tmp_path / "s.db")
    for args, by in (
        (["--client", ACME_CONFIG, "--encoding", "utf-8"], "--encoding"),
        (["--client", str(config)], f"the client file {config}"),
    ):
        code, _, err = run("source", "import", str(source), "--db", db, *args)
        assert (code, err) == (
            2,
            f"claimflow: error: {source}: not utf-8 text as {by} declares "
            "(invalid continuation byte)\n",
        )
        members = write("members.csv", "participant_id,name\n1,Peña\n", encoding="cp1252")
        code, _, err = run("participants", "import", str(members), "--db", db, *args)
        assert (code, err) == (
            2,
            f"claimflow: error: {members}: not utf-8 text as {by} declares "
            "(invalid continuation byte)\n",
        )
