"""Reference tables as a German client writes them: member lists, source
exports and partner statements with German headers, a title line above the
header and a ``Summe`` row below the records (trial 14, client Kraftwerk).

The files are written by independent writers (Python's csv module with
``delimiter=';'`` in cp1252 or UTF-8 with a BOM, openpyxl for workbooks),
plus the trial's own files (tests/fixtures/trial14). Every sum a test
expects is hand arithmetic, written out beside it.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from claimflow import Store, load_client
from claimflow.api.claims import import_participants
from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.models import SaleRecord
from claimflow.parse.participants import read_participants
from claimflow.verify.source import read_source
from tests.formats import babel_number
from tests.test_cli import run

TRIAL = Path(__file__).parents[1] / "fixtures" / "trial14"
HEADER = ["Rechnungsnummer", "Rechnungsdatum", "Händlernummer", "Artikel",
          "Menge", "Betrag", "Seriennummer"]  # fmt: skip
ROWS = [
    ["RE-100301", "02.10.2026", "H-MUC-01", "KW-AS36", "1", "199,00", "AS4000101"],
    ["RE-100302", "05.10.2026", "H-BER-02", "KW-KS65", "3", "1.035,50",
     "KS2000001 KS2000002 KS2000003"],
]  # fmt: skip
TITLE = "Händlerliste Kraftwerk – Stand 01.12.2026"


def _client(tmp_path: Path, **extra: object) -> ResolvedClient:
    """The trial's own configuration, plus the keys a test adds."""
    config = yaml.safe_load((TRIAL / "kraftwerk.yaml").read_text(encoding="utf-8"))
    config.update(extra)
    path = tmp_path / "kraftwerk.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_client(path)


#: ``Händlernummer``, ``Rechnungsnummer``, ``Seriennummer``: the source
#: aliases the client adds; ``Menge``, ``Betrag`` come from its claim columns.
SOURCE_COLUMNS = {
    "verification": {
        "source_number_locale": "de_DE",
        "source_date_order": "DMY",
        "source_columns": {
            "dealer_id": ["Händlernummer"],
            "serial_numbers": ["Seriennummer"],
        },
    }
}


def _csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_a_german_export_with_a_title_and_a_sum_row_reads_every_record(
    tmp_path: Path, encoding: str
) -> None:
    client = _client(tmp_path, **SOURCE_COLUMNS)
    # 199,00 + 1.035,50 = 1234.50; 1 + 3 = 4 units
    rows = [[TITLE], [], HEADER, *ROWS, ["Summe", "", "", "", "4", "1.234,50", ""]]
    path = _csv(tmp_path / "verkaeufe.csv", rows, encoding)
    notes: list[str] = []
    records = list(read_source(path, client, notes))
    assert [
        (r.provenance.row, r.invoice_number, r.invoice_date, r.dealer_id, r.quantity,
         r.amount, r.serial_numbers)
        for r in records
        if isinstance(r, SaleRecord)
    ] == [
        (4, "RE-100301", date(2026, 10, 2), "H-MUC-01", 1, Decimal("199.00"),
         ("AS4000101",)),
        (5, "RE-100302", date(2026, 10, 5), "H-BER-02", 3, Decimal("1035.50"),
         ("KS2000001", "KS2000002", "KS2000003")),
    ]  # fmt: skip
    assert notes == [
        "header on row 3; row 1 above it skipped",
        "row 6: total row, equals the rows' sum; not a record",
    ]


def test_a_workbook_export_reads_as_the_csv_does(tmp_path: Path) -> None:
    client = _client(tmp_path, **SOURCE_COLUMNS)
    typed = [
        ["RE-100301", date(2026, 10, 2), "H-MUC-01", "KW-AS36", 1, 199, "AS4000101"],
        ["RE-100302", date(2026, 10, 5), "H-BER-02", "KW-KS65", 3, 1035.5, "KS2000001"],
    ]
    rows = [[TITLE], [], HEADER, *typed, ["Summe", None, None, None, 4, 1234.5]]
    notes: list[str] = []
    records = list(read_source(_xlsx(tmp_path / "v.xlsx", rows), client, notes))
    assert [(r.provenance.row, getattr(r, "amount", None)) for r in records] == [
        (4, Decimal("199")),
        (5, Decimal("1035.5")),
    ]
    assert notes[-1] == "row 6: total row, equals the rows' sum; not a record"


def test_a_sum_row_that_differs_from_the_rows_is_refused_naming_both(
    tmp_path: Path,
) -> None:
    client = _client(tmp_path, **SOURCE_COLUMNS)
    # the rows sum to 199,00 + 1.035,50 = 1234.50, the total says 1.234,00
    rows = [HEADER, *ROWS, ["Summe", "", "", "", "4", "1.234,00", ""]]
    path = _csv(tmp_path / "v.csv", rows, "utf-8")
    with pytest.raises(UnreadableInput) as caught:
        list(read_source(path, client))
    assert str(caught.value) == (
        f"{path}: row 4:Betrag: total row says 1234.00 ('1.234,00'), but the "
        "rows above sum to 1234.50: a row missing or changed?"
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (  # a total with a record below it: not a trailer
            [HEADER, ROWS[0], ["Summe", "", "", "", "1", "199,00", ""], ROWS[1]],
            "row 3: a total row with records below it (row 4): expected totals "
            "only after the last record",
        ),
        (  # a fuller row above the header: data, or no title
            [["Stand", "01.12.2026", "Kraftwerk"], HEADER, ROWS[0]],
            "row 1: expected a title line (one or two cells) above the header on "
            "row 2, found 3 values: is the header the first row?",
        ),
        (  # the header twice: which one?
            [HEADER, ROWS[0], HEADER, ROWS[1]],
            "row 3: rows 1 and 3 both read as the header: expected one header row",
        ),
        (  # a value under no header: never dropped unseen
            [HEADER, [*ROWS[0], "Notiz"]],
            "row 2: expected values only under the header's columns (row 1), "
            "found 'Notiz' under none",
        ),
        (  # 2.500 in de_DE: 2500 units or 2.5? Refused, never guessed
            [HEADER, [*ROWS[0][:4], "2.500", *ROWS[0][5:]]],
            "row 2:Menge: expected a whole number like 1.234.567, found '2.500' "
            "(ambiguous: 2500 where '.' groups digits, 2.500 where it is a "
            "decimal point; write 2500, or the decimals to the cent); the "
            "exports' number locale is verification.source_number_locale (de_DE)",
        ),
        (  # a required value missing: the column as headed
            [HEADER, [*ROWS[0][:2], "", *ROWS[0][3:]]],
            "row 2:Händlernummer: expected a value, found none",
        ),
    ],
)
def test_an_export_that_cannot_be_read_whole_is_refused_in_one_line(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    client = _client(tmp_path, **SOURCE_COLUMNS)
    path = _csv(tmp_path / "v.csv", rows, "utf-8")
    with pytest.raises(UnreadableInput) as caught:
        list(read_source(path, client))
    assert str(caught.value) == f"{path}: {message}"


def test_a_missing_column_names_the_header_row_and_what_is_known(
    tmp_path: Path,
) -> None:
    client = _client(tmp_path)  # no source_columns: "Datum" is no alias
    path = _csv(tmp_path / "v.csv", [["Rechnungsnr", "Datum"], ["RE-1", "1.1.26"]],
                "utf-8")  # fmt: skip
    with pytest.raises(UnreadableInput, match=r"row 1: expected a column for "
                       r"invoice_date .*columns read: 'Rechnungsnr'; not known: "
                       r"'Datum'"):  # fmt: skip
        list(read_source(path, client))


PEOPLE_COLUMNS = {
    "participant_columns": {
        "first_name": ["Vorname"],
        "last_name": ["Nachname"],
        "company": ["Händler"],
        "tier": ["Stufe"],
        "enrolled_on": ["Angemeldet am"],
    }
}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_a_german_member_list_imports_through_the_clients_aliases(
    tmp_path: Path, encoding: str
) -> None:
    client = _client(tmp_path, **PEOPLE_COLUMNS)
    rows = [
        ["Teilnehmerliste Kraftwerk – Stand 01.12.2026"],
        [],
        ["Verkäufer-Nr.", "Vorname", "Nachname", "Händler", "Stufe",
         "Angemeldet am"],
        ["10006", "Heike", "Braun", "H-MUC-01", "gold", "01.03.2024"],
        ["10007", "Jürgen", "Weiß", "H-BER-02", "", "15.01.2025"],
        ["Summe: 2 Teilnehmer", "", "", "", "", ""],
    ]  # fmt: skip
    path = _csv(tmp_path / "teilnehmer.csv", rows, encoding)
    with Store.open(tmp_path / "k.db") as store:
        done = import_participants(path, client, store, as_of=date(2026, 12, 1))
    assert done.participants == 2
    assert done.notes == [
        "header on row 3; row 1 above it skipped",
        "row 6: total row with no figures; not a record",
    ]
    people = list(read_participants(path, "kraftwerk", "DMY", client.people_index()))
    assert [
        (p.provenance.row, p.id, p.first_name, p.last_name, p.company, p.tier,
         p.enrolled_on)
        for p in people
    ] == [
        (4, "10006", "Heike", "Braun", "H-MUC-01", "gold", date(2024, 3, 1)),
        (5, "10007", "Jürgen", "Weiß", "H-BER-02", None, date(2025, 1, 15)),
    ]  # fmt: skip


def test_a_bad_member_row_names_row_and_column_and_stores_nothing(
    tmp_path: Path,
) -> None:
    config = _client(tmp_path, **PEOPLE_COLUMNS).source_path
    rows = [
        ["Verkäufer-Nr.", "Vorname", "Angemeldet am"],
        ["10006", "Heike", "01.03.2024"],
        ["10007", "Jürgen", "31.02.2025"],
    ]
    path = _csv(tmp_path / "t.csv", rows, "cp1252")
    db = str(tmp_path / "k.db")
    code, out, err = run(
        "participants", "import", str(path), "--client", config, "--db", db
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"claimflow: error: {path}: row 3:Angemeldet am: ")
    assert "'31.02.2025'" in err and len(err.splitlines()) == 1
    with Store.open(db) as store:
        assert store.count("participants") == 0


def test_the_trials_export_with_a_title_and_a_sum_imports_with_notes(
    tmp_path: Path,
) -> None:
    client = load_client(TRIAL / "kraftwerk.yaml")
    path = TRIAL / "verkaeufe_summe.csv"
    db = str(tmp_path / "k.db")
    code, out, err = run(
        "source", "import", str(path), "--client", client.source_path, "--db", db
    )
    assert (code, err) == (0, "")
    # trial 20: '1 source records imported' and, with no claim waiting,
    # 'kraftwerk: 0 claims verified: ' (a colon before nothing)
    assert out.splitlines() == [
        f"note: {path}: header on row 2; row 1 above it skipped",
        # Summe;;;;1;199,00; against the one row: 1 unit, 199,00
        f"note: {path}: row 4: total row, equals the rows' sum; not a record",
        f"{path}: 1 source record imported",
        "kraftwerk: 0 claims verified",
    ]
    code, out, err = run(
        "source", "import", str(path), "--client", client.source_path, "--db", db
    )
    assert out.splitlines()[-2:] == [
        f"{path}: already imported (1 record)",
        "kraftwerk: 0 claims verified",
    ]


def test_the_trials_statements_read_their_title_and_check_their_sum(
    tmp_path: Path,
) -> None:
    config = str(TRIAL / "kraftwerk.yaml")
    db = str(tmp_path / "k.db")
    Store.open(db).close()  # a store with no transfers yet
    args = ["partners", "reconcile", "--partner", "adlerflug", "--client", config,
            "--db", db]  # fmt: skip
    code, out, _ = run(*args[:2], str(TRIAL / "adlerflug_dez.xlsx"), *args[2:])
    assert code == 1  # no transfers yet: every line is a discrepancy
    # Summe: 1500 + 1001 = 2501 points, 750 + 500 = 1250 miles
    assert out.splitlines()[1:3] == [
        f"note: {TRIAL / 'adlerflug_dez.xlsx'}: header on row 2; row 1 above it "
        "skipped",
        f"note: {TRIAL / 'adlerflug_dez.xlsx'}: row 5: total row, equals the rows' "
        "sum; not a record",
    ]
    # 1.500 points in de_DE: 1500 or 1.5? Refused, never read as 1500
    code, out, err = run(*args[:2], str(TRIAL / "adlerflug_dez.csv"), *args[2:])
    assert (code, out) == (2, "")
    assert err.startswith(
        f"claimflow: error: {TRIAL / 'adlerflug_dez.csv'}: row 3:Punkte: expected a "
        "whole number like 1.234.567, found '1.500' (ambiguous"
    )


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> ResolvedClient:
    return _client(tmp_path_factory.mktemp("kraftwerk"), **SOURCE_COLUMNS)


@settings(max_examples=25, deadline=None)
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        min_size=1,
        max_size=6,
    ),
    off=st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("-1.00")]),
)
def test_a_babel_written_sum_row_is_left_out_only_when_it_is_the_sum(
    german: ResolvedClient, amounts: list[Decimal], off: Decimal
) -> None:
    """Amounts as Babel writes them in de_DE (``12.345,60``); the total row
    is the Decimal sum of the amounts, plus `off`."""
    client = german
    with tempfile.TemporaryDirectory() as folder:
        tmp_path = Path(folder)
        rows = [HEADER] + [
            [f"RE-{n:06d}", "02.10.2026", "H-MUC-01", "KW-AS36", "1",
             babel_number(amount, "de_DE"), ""]
            for n, amount in enumerate(amounts, start=1)
        ]  # fmt: skip
        total = sum(amounts, Decimal(0)) + off
        last = len(rows) + 1
        rows.append(["Summe", "", "", "", str(len(amounts)),
                     babel_number(total, "de_DE"), ""])  # fmt: skip
        path = _csv(tmp_path / "v.csv", rows, "cp1252")
        notes: list[str] = []
        if off:
            with pytest.raises(UnreadableInput, match=rf"row {last}:Betrag: total"):
                list(read_source(path, client, notes))
            return
        records = list(read_source(path, client, notes))
    assert [getattr(r, "amount", None) for r in records] == amounts
    assert notes == [f"row {last}: total row, equals the rows' sum; not a record"]


def test_a_figure_under_a_column_not_read_on_a_total_row_is_named_unchecked(
    tmp_path: Path,
) -> None:
    """Trial 20 (pousada/bad_pms_total_unread_col.csv): ``Total;;...;123``
    with 123 under ``Observação``, a column the client does not read, was
    noted as 'total row with no figures' while the README said it was
    refused. Nobody reads the column, so the row is no record and is left
    out, but its note names the figure it did not check; a figure under a
    read column that is not summed is still refused (it may be a record)."""
    client = _client(tmp_path, **SOURCE_COLUMNS)
    header = [*HEADER, "Bemerkung"]
    rows = [header, *[[*r, ""] for r in ROWS]]
    total = ["Summe", "", "", "", "4", "1.234,50", "", "123"]
    notes: list[str] = []
    path = _csv(tmp_path / "v.csv", [*rows, total], "utf-8")
    assert len(list(read_source(path, client, notes))) == 2
    assert notes == [
        "column 'Bemerkung' not read (no field of this table)",
        "row 4: total row, equals the rows' sum; '123' under 'Bemerkung' not "
        "checked: a column not read; not a record",
    ]
    notes.clear()
    bare = ["Summe", "", "", "", "", "", "", "123"]
    path = _csv(tmp_path / "w.csv", [*rows, bare], "utf-8")
    assert len(list(read_source(path, client, notes))) == 2
    assert notes[-1] == (
        "row 4: total row, '123' under 'Bemerkung' not checked: a column not read; "
        "not a record"
    )
    under_read = ["Summe", "02.10.2026", "", "", "4", "1.234,50", "", ""]
    path = _csv(tmp_path / "x.csv", [*rows, under_read], "utf-8")
    with pytest.raises(UnreadableInput) as caught:
        list(read_source(path, client))
    assert str(caught.value) == (
        f"{path}: row 4:Rechnungsdatum: total row: expected figures only under the "
        "summed columns ('Menge', 'Betrag'), found '02.10.2026'"
    )
