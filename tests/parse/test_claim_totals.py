"""A claim file's total rows are checked against the claim rows read above them.

Before, a CSV's or a workbook's ``Total`` row was left out with a note and
nothing more: a ``Subtotal`` saying 500 units under 1,000 claim rows of one
unit each (rows lost, hidden, misread) passed silently. Now each figure a
total row holds is compared with its column's sum over the claim rows of
its scope, read as the claims read them; a figure that differs refuses the
file, naming row, column, the figure and the sum.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from babel.numbers import format_decimal
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from claimflow import Store, check
from claimflow.cli import main
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.errors import UnreadableInput
from claimflow.parse import open_file
from tests.conftest import SAMPLES

ACME_CONFIG = str(SAMPLES / "clients/acme-tools.yaml")
ACME_HEADER = [
    "Rep #",
    "Invoice No",
    "Invoice Date",
    "Product Code",
    "Qty",
    "Line Amount",
]
GERMAN = """\
client: werkzeug-de
name: Werkzeug Prämien
kind: sales
locale: de_DE
date_order: DMY
currency: EUR
columns:
  participant_id: ["Partnernummer"]
  invoice_number: ["Rechnungsnummer"]
  invoice_date: ["Rechnungsdatum"]
  sku: ["Artikel"]
  quantity: ["Menge"]
  line_total: ["Betrag"]
"""
GERMAN_HEADER = ["Partnernummer", "Rechnungsnummer", "Rechnungsdatum", "Artikel",
                 "Menge", "Betrag"]  # fmt: skip


@pytest.fixture(scope="module")
def german() -> ResolvedClient:
    return resolve(ClientConfig.model_validate(yaml.safe_load(GERMAN)))


def _csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _acme_rows(lines: Sequence[tuple[int, str]]) -> list[list[object]]:
    return [
        [f"{104000 + n}", f"INV-{1000 + n}", "10/02/2026", "DRL-200", qty, amount]
        for n, (qty, amount) in enumerate(lines)
    ]


def _german_rows(lines: Sequence[tuple[int, Decimal]]) -> list[list[object]]:
    return [
        [f"{200000 + n}", f"RE-{1000 + n}", "02.10.2026", "BOH-100", qty,
         format_decimal(amount, "#,##0.00", locale="de_DE")]
        for n, (qty, amount) in enumerate(lines)
    ]  # fmt: skip


# --- CSV --------------------------------------------------------------------

LINES = [(2, "298.00"), (1, "1,229.00"), (3, "447.00")]  # 6 units, 1,974.00


def test_an_en_us_total_that_adds_up_is_said_to_in_its_note(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    # 298.00 + 1,229.00 + 447.00 = 1,974.00 and 2 + 1 + 3 = 6, by hand
    path = _csv(
        tmp_path / "claims.csv",
        [ACME_HEADER, *_acme_rows(LINES), ["Total", "", "", "", "6", "1,974.00"]],
    )
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 3
    assert parsed.notes == [
        "row 5: total row 'Total' left out; its Qty 6 and Line Amount 1,974.00 "
        "equal the 3 claim rows above"
    ]


@pytest.mark.parametrize(
    ("total", "message"),
    [
        (["Total", "", "", "", "5", "1,974.00"],
         "the total row's Qty says '5', the 3 claim rows above add up to 6"),
        (["Total", "", "", "", "6", "1,974.50"],
         "the total row's Line Amount says '1,974.50' (1974.50), the 3 claim rows "
         "above add up to 1974.00"),
    ],
)  # fmt: skip
def test_an_en_us_total_that_does_not_add_up_refuses_the_file(
    acme: ResolvedClient, tmp_path: Path, total: list[str], message: str
) -> None:
    path = _csv(tmp_path / "claims.csv", [ACME_HEADER, *_acme_rows(LINES), total])
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, acme).records)
    assert str(caught.value) == (
        f"{path}: row 5: {message}; a row may be missing or misread"
    )


def test_a_de_de_total_is_read_in_the_files_locale(
    german: ResolvedClient, tmp_path: Path
) -> None:
    """Babel writes the amounts and their total as a German desk does."""
    lines = [(2, Decimal("1234.50")), (4, Decimal("99.99")), (1, Decimal("0.51"))]
    total = format_decimal(sum(a for _, a in lines), "#,##0.00", locale="de_DE")
    assert total == "1.335,00"
    rows = [GERMAN_HEADER, *_german_rows(lines), ["Summe", "", "", "", "7", total]]
    parsed = open_file(_csv(tmp_path / "b.csv", rows, ";"), german)
    assert len(list(parsed.records)) == 3
    assert parsed.notes[-1] == (
        "row 5: total row 'Summe' left out; its Menge 7 and Betrag 1.335,00 equal "
        "the 3 claim rows above"
    )
    rows[-1][-1] = "1.336,00"
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(_csv(tmp_path / "c.csv", rows, ";"), german).records)
    assert caught.value.detail == (
        "the total row's Betrag says '1.336,00' (1336.00), the 3 claim rows above "
        "add up to 1335.00; a row may be missing or misread"
    )
    # a total the locale reads two ways is no figure: refused, naming both
    rows[-1][-1] = "1.335"
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(_csv(tmp_path / "d.csv", rows, ";"), german).records)
    assert caught.value.detail.startswith(
        "the total row's Betrag: expected an amount like 1.234,56, found '1.335' "
        "(ambiguous: 1335 where '.' groups digits, 1.335 where it is a decimal point"
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_the_workers_blocks_are_checked_as_the_rows_are(
    acme: ResolvedClient, tmp_path: Path, workers: int
) -> None:
    """A file without quotes is cut into blocks the workers read: its total
    is checked all the same (the rows summed in a second reading)."""
    lines = [(1, "10.00")] * 40
    rows = [ACME_HEADER, *_acme_rows(lines)]
    good = _csv(tmp_path / "good.csv", [*rows, ["Total", "", "", "", "40", "400.00"]])
    result = check([good], acme, workers=workers)
    assert result.records == 40
    assert result.files[0].notes[-1] == (
        "row 42: total row 'Total' left out; its Qty 40 and Line Amount 400.00 "
        "equal the 40 claim rows above"
    )
    bad = _csv(tmp_path / "bad.csv", [*rows, ["Total", "", "", "", "41", "400.00"]])
    with pytest.raises(UnreadableInput) as caught:
        check([bad], acme, workers=workers)
    assert caught.value.detail == (
        "the total row's Qty says '41', the 40 claim rows above add up to 40; "
        "a row may be missing or misread"
    )


def test_a_batchs_number_locale_reads_the_total(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """``ingest --number-locale de_DE``: the rows and the total are read so."""
    lines = [(2, Decimal("1234.50")), (1, Decimal("0.50"))]
    rows = [ACME_HEADER, *_german_rows(lines), ["Summe", "", "", "", "3", "1.235,00"]]
    path = _csv(tmp_path / "de.csv", rows, ";")
    result = check([path], acme, workers=1, number_locale="de_DE")
    assert (
        result.files[0]
        .notes[-1]
        .endswith("its Qty 3 and Line Amount 1.235,00 equal the 2 claim rows above")
    )


def test_a_row_whose_value_is_no_number_leaves_the_figure_unchecked(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """Its claim is pended for it; the total cannot be compared, and says so."""
    rows = [ACME_HEADER, *_acme_rows([(2, "298.00"), (1, "2O9.00")])]
    path = _csv(tmp_path / "c.csv", [*rows, ["Total", "", "", "", "3", "507.00"]])
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 2
    assert parsed.notes == [
        "row 4: total row 'Total' left out; its Qty 3 equals the 2 claim rows "
        "above; '507.00' under 'Line Amount' not checked: row 3's '2O9.00' is no "
        "number (its claim is pended)"
    ]


def test_a_total_figure_that_is_no_number_refuses_the_file(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    rows = [ACME_HEADER, *_acme_rows(LINES), ["Total", "", "", "", "six", ""]]
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(_csv(tmp_path / "c.csv", rows), acme).records)
    assert caught.value.where == "row 5"
    assert caught.value.detail.startswith(
        "the total row's Qty: expected a whole number"
    )
    assert "found 'six'" in caught.value.detail


def test_a_total_row_with_no_figures_is_left_out_as_before(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    rows = [ACME_HEADER, *_acme_rows(LINES), ["Total", "", "", "", "", ""]]
    parsed = open_file(_csv(tmp_path / "c.csv", rows), acme)
    assert len(list(parsed.records)) == 3
    assert parsed.notes == ["row 5: total row 'Total' left out"]


def test_the_cli_refuses_in_one_line_and_ingest_writes_nothing(
    tmp_path: Path,
) -> None:
    path = _csv(
        tmp_path / "claims.csv",
        [ACME_HEADER, *_acme_rows(LINES), ["Total", "", "", "", "7", "1,974.00"]],
    )
    db = tmp_path / "c.db"
    line = (
        f"claimflow: error: {path}: row 5: the total row's Qty says '7', the 3 claim "
        "rows above add up to 6; a row may be missing or misread\n"
    )
    for command in (["check"], ["ingest", "--db", str(db)]):
        result = CliRunner().invoke(
            main, [command[0], str(path), "--client", ACME_CONFIG, *command[1:]]
        )
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", line)
    with Store.open(db) as store:
        assert [store.count(t) for t in ("batches", "claims", "documents")] == [0, 0, 0]


# --- hypothesis: generated lines and their true total ------------------------

_LINE = st.tuples(
    st.integers(min_value=1, max_value=500),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
)


def _generated(
    german: ResolvedClient,
    acme: ResolvedClient,
    lines: list[tuple[int, Decimal]],
    locale: str,
    total: tuple[int, Decimal],
) -> tuple[ResolvedClient, Callable[[Path], Path]]:
    """The client of `locale` and a writer of its file of `lines` and
    `total`, every amount written by Babel as the locale writes it."""

    def amount(value: Decimal) -> str:
        return format_decimal(value, "#,##0.00", locale=locale)

    if locale == "de_DE":
        rows = [GERMAN_HEADER, *_german_rows(lines)]
        rows.append(["Summe", "", "", "", str(total[0]), amount(total[1])])
        return german, lambda d: _csv(d / "g.csv", rows, ";")
    acme_lines = [(q, amount(a)) for q, a in lines]
    rows = [ACME_HEADER, *_acme_rows(acme_lines)]
    rows.append(["Total", "", "", "", str(total[0]), amount(total[1])])
    return acme, lambda d: _csv(d / "a.csv", rows)


@given(
    lines=st.lists(_LINE, min_size=1, max_size=30),
    locale=st.sampled_from(["en_US", "de_DE"]),
)
def test_generated_lines_with_their_true_total_are_read(
    german: ResolvedClient,
    acme: ResolvedClient,
    lines: list[tuple[int, Decimal]],
    locale: str,
) -> None:
    total = (sum(q for q, _ in lines), sum((a for _, a in lines), Decimal(0)))
    client, write = _generated(german, acme, lines, locale, total)
    with tempfile.TemporaryDirectory() as folder:
        parsed = open_file(write(Path(folder)), client)
        assert len(list(parsed.records)) == len(lines)
    rows = "claim row" if len(lines) == 1 else "claim rows"
    assert parsed.notes[-1].endswith(f"equal the {len(lines)} {rows} above")


@given(
    lines=st.lists(_LINE, min_size=1, max_size=30),
    locale=st.sampled_from(["en_US", "de_DE"]),
    units=st.integers(min_value=-3, max_value=3),
    cents=st.integers(min_value=-300, max_value=300),
)
def test_generated_lines_with_a_perturbed_total_are_refused(
    german: ResolvedClient,
    acme: ResolvedClient,
    lines: list[tuple[int, Decimal]],
    locale: str,
    units: int,
    cents: int,
) -> None:
    if units == 0 and cents == 0:
        cents = 1
    quantity = sum(q for q, _ in lines)
    amount = sum((a for _, a in lines), Decimal(0))
    wrong = (quantity + units, amount + Decimal(cents) / 100)
    client, write = _generated(german, acme, lines, locale, wrong)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder))
        with pytest.raises(UnreadableInput) as caught:
            list(open_file(path, client).records)
    assert caught.value.where == f"row {len(lines) + 2}"
    column, figure = (
        ("Qty" if locale == "en_US" else "Menge", quantity)
        if units
        else ("Line Amount" if locale == "en_US" else "Betrag", amount)
    )
    assert caught.value.detail.startswith(f"the total row's {column} says ")
    verb = "adds" if len(lines) == 1 else "add"
    assert f"above {verb} up to {figure}; a row may be missing" in caught.value.detail


# --- workbooks --------------------------------------------------------------


def _book(
    path: Path, rows: Sequence[Sequence[object]], hidden: Sequence[int] = ()
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Claims"
    for row in rows:
        sheet.append(list(row))
    for row_no in hidden:
        sheet.row_dimensions[row_no].hidden = True
    book.save(path)
    return path


def _cached(path: Path, value: str) -> None:
    """Give the formula the value Excel would have saved with it (openpyxl
    writes a formula with an empty value, as a script's workbook has)."""
    with zipfile.ZipFile(path) as book:
        parts = {item: book.read(item) for item in book.namelist()}
    name = "xl/worksheets/sheet1.xml"
    assert parts[name].count(b"<v />") == 1
    parts[name] = parts[name].replace(b"<v />", f"<v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for item, data in parts.items():
            book.writestr(item, data)


BOOK_LINES = [(2, Decimal("298.00")), (1, Decimal("229.00")), (3, Decimal("447.00"))]


def _book_rows() -> list[list[object]]:
    return [
        [f"{104000 + n}", f"INV-{1000 + n}", "10/02/2026", "DRL-200", qty, amount]
        for n, (qty, amount) in enumerate(BOOK_LINES)
    ]


def test_a_workbooks_hidden_row_is_summed_as_it_is_read(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    path = _book(
        tmp_path / "claims.xlsx",
        [ACME_HEADER, *_book_rows(), ["Total", None, None, None, 6, Decimal("974.00")]],
        hidden=[3],
    )
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 3
    assert parsed.notes == [
        "sheet Claims:row 5: total row 'Total' left out; its Qty 6 and Line Amount "
        "974 equal the 3 claim rows above",
        "sheet Claims: row 3 is hidden in the workbook; read like the others",
    ]


def test_a_total_that_leaves_out_a_hidden_row_is_refused_saying_so(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """A filter hid row 3 and the total (``SUBTOTAL(109, ...)``) counts only
    what is shown: the hidden claim is read, so the file is refused."""
    path = _book(
        tmp_path / "claims.xlsx",
        [ACME_HEADER, *_book_rows(), ["Total", None, None, None, 5, Decimal("745.00")]],
        hidden=[3],
    )
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, acme).records)
    assert str(caught.value) == (
        f"{path}: sheet Claims:row 5: the total row's Qty says 5, the 3 claim rows "
        "above add up to 6; the total leaves out the rows hidden in the workbook "
        "(3), which are read as claims: unhide them and check whether they are claims"
    )


@pytest.mark.parametrize(("cached", "refused"), [("6", False), ("5", True)])
def test_a_sum_formulas_saved_value_is_checked(
    acme: ResolvedClient, tmp_path: Path, cached: str, refused: bool
) -> None:
    path = _book(
        tmp_path / "claims.xlsx",
        [ACME_HEADER, *_book_rows(), ["Total", None, None, None, "=SUM(E2:E4)", None]],
    )
    _cached(path, cached)
    # openpyxl reads the same saved value (the workbook as Excel left it)
    sheet = load_workbook(path, data_only=True).active
    assert sheet is not None
    assert sheet["E5"].value == int(cached)
    if refused:
        with pytest.raises(UnreadableInput) as caught:
            list(open_file(path, acme).records)
        assert caught.value.detail == (
            "the total row's Qty says 5, the 3 claim rows above add up to 6; a row "
            "may be missing or misread"
        )
        return
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 3
    assert parsed.notes == [
        "sheet Claims:row 5: total row 'Total' left out; its Qty 6 equals the 3 "
        "claim rows above"
    ]


def test_a_sum_formula_without_a_saved_value_is_said_unchecked(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    """A script's workbook: nobody computed the total, so it proves nothing
    about the rows; the claims are read and the note says so."""
    path = _book(
        tmp_path / "claims.xlsx",
        [ACME_HEADER, *_book_rows(), ["Total", None, None, None, "=SUM(E2:E4)", None]],
    )
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 3
    assert parsed.notes == [
        "sheet Claims:row 5: total row 'Total' left out; '=SUM(E2:E4)' under 'Qty' "
        "not checked: a formula with no saved value (the workbook was saved by a "
        "program that does not compute formulas: open it in Excel and save it to "
        "have it checked)"
    ]


def _grouped(first: int, second: int, grand: int) -> list[list[object]]:
    """Two groups of two claims (3 and 4 units), each with its subtotal, and
    a grand total."""
    rows = _book_rows() + _book_rows()[:1]  # 2, 1, 3, 2 units
    return [
        ACME_HEADER,
        rows[0], rows[1], ["Subtotal", None, None, None, first, None],
        rows[2], rows[3], ["Subtotal", None, None, None, second, None],
        ["Grand total", None, None, None, grand, None],
    ]  # fmt: skip


def test_subtotals_sum_their_group_and_a_grand_total_every_row(
    acme: ResolvedClient, tmp_path: Path
) -> None:
    parsed = open_file(_book(tmp_path / "g.xlsx", _grouped(3, 5, 8)), acme)
    assert len(list(parsed.records)) == 4
    assert parsed.notes == [
        "sheet Claims:row 4: total row 'Subtotal' left out; its Qty 3 equals the 2 "
        "claim rows above",
        "sheet Claims:row 7: total row 'Subtotal' left out; its Qty 5 equals the 2 "
        "claim rows since the total on row 4",
        "sheet Claims:row 8: total row 'Grand total' left out; its Qty 8 equals the "
        "4 claim rows above",
    ]


@pytest.mark.parametrize(
    ("sums", "where", "message"),
    [
        ((4, 5, 9), "row 4", "says 4, the 2 claim rows above add up to 3"),
        ((3, 4, 7), "row 7",
         "says 4, the 2 claim rows since the total on row 4 add up to 5"),
        ((3, 5, 9), "row 8",
         "says 9, the 4 claim rows above add up to 8"),
    ],
)  # fmt: skip
def test_a_subtotal_or_grand_total_that_does_not_add_up_is_refused(
    acme: ResolvedClient,
    tmp_path: Path,
    sums: tuple[int, int, int],
    where: str,
    message: str,
) -> None:
    path = _book(tmp_path / "g.xlsx", _grouped(*sums))
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(path, acme).records)
    assert caught.value.where == f"sheet Claims:{where}"
    assert caught.value.detail == (
        f"the total row's Qty {message}; a row may be missing or misread"
    )


@pytest.mark.parametrize(
    ("total", "how"),
    [("700.00", "each line row"), ("400.00", "each claim once")],
)
def test_a_claims_own_amount_repeated_on_its_lines_may_be_summed_either_way(
    acme: ResolvedClient, tmp_path: Path, total: str, how: str
) -> None:
    """A claim's total repeated on each of its line rows: a spreadsheet's SUM
    counts it per row (300 + 300 + 100 = 700), a desk's total per claim
    (300 + 100 = 400). Before, only the first was taken and a file totalled
    per claim was refused; both are the rows read. 500.00 is neither."""
    header = ["Claim Ref", *ACME_HEADER, "Claim Total"]
    rows = [
        ["C-1", "104001", "INV-1001", "10/02/2026", "DRL-200", "1", "149.00", "300.00"],
        ["C-1", "104001", "INV-1001", "10/02/2026", "SAW-310", "1", "151.00", "300.00"],
        ["C-2", "104002", "INV-1002", "10/02/2026", "DRL-200", "1", "100.00", "100.00"],
    ]
    path = _csv(tmp_path / "claims.csv", [header, *rows, ["Total", "", "", "", "", "", "", total]])
    parsed = open_file(path, acme)
    assert len(list(parsed.records)) == 2, how
    assert parsed.notes == [
        f"row 5: total row 'Total' left out; its Claim Total {total} equals the 3 "
        "claim rows above"
    ]
    wrong = _csv(tmp_path / "wrong.csv", [header, *rows, ["Total", "", "", "", "", "", "", "500.00"]])
    with pytest.raises(UnreadableInput) as caught:
        list(open_file(wrong, acme).records)
    assert str(caught.value) == (
        f"{wrong}: row 5: the total row's Claim Total says '500.00', the 3 claim rows "
        "above add up to 700.00 (400.00 counting each claim once); a row may be "
        "missing or misread"
    )
