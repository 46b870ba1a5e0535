"""Reconciliation of partner statements: the sample's planted faults, xlsx, re-runs,
a later statement resolving a missing credit, unreadable statements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from claimflow import ResolvedClient, Store
from claimflow.accounts.matching import PartnerReason
from claimflow.accounts.reconcile import reconcile_statement
from claimflow.errors import UnreadableInput
from claimflow.store.partners import discrepancies
from tests.accounts.helpers import sample_transfers
from tests.conftest import SAMPLES

STATEMENT = SAMPLES / "costa-azul" / "partners" / "vuelaclub_noviembre.csv"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
#: What each row of the sample statement is (see its README).
PLANTED = [
    (4, "wrong_ratio", 3),  # 40,000 points credited at 2 points per mile
    (6, "duplicate_credit", 1),  # CAZ-VC-0001 credited a second time
    (7, "unknown_member", None),  # VC99999999: never transferred to
    (8, "credit_without_transfer", None),  # VC10000002 is ours, CAZ-VC-0007 is not
    (None, "missing_credit", 5),  # CAZ-VC-0005 of 16 November: no credit
]


def _found(result: object) -> list[tuple[int | None, str, int | None]]:
    return [(f.row, f.code.value, f.transfer_id) for f in result.findings]  # type: ignore[attr-defined]


def test_the_sample_statement_finds_each_planted_fault(
    store: Store, costa: ResolvedClient
) -> None:
    sample_transfers(store, costa)
    result = reconcile_statement(store, costa, "vuelaclub", STATEMENT, "ana", NOW)
    assert _found(result) == PLANTED
    assert result.through == date(2026, 11, 22)  # the last credit day
    by_row = {m.line.row: (m.transfer_id, m.result, m.note) for m in result.lines}
    # rows 2, 3: credited as sent; row 5: CAZ-VC-0040 is a keying slip for 0004
    assert by_row[2] == (1, "credited", "")
    assert by_row[3] == (2, "credited", "")
    assert by_row[5] == (4, "credited", "keying slip: CAZ-VC-0040 for CAZ-VC-0004")
    assert result.credited == 3 and len(result.lines) == 7  # the total row is no line
    messages = {f.code: f.message for f in result.findings}
    # 40,000 / 2.5 = 16,000 expected; 20,000 found = 2 points per mile
    assert messages[PartnerReason.WRONG_RATIO] == (
        "row 4: expected 16.000 miles for transfer CAZ-VC-0003 (40.000 points: "
        "16.000 miles), found 20.000; 2 points per mile applied"
    )
    # 120,000 / 2.5 = 48,000 + 2 blocks of 60,000 x 5,000 = 58,000
    assert messages[PartnerReason.MISSING_CREDIT] == (
        "transfer CAZ-VC-0005: expected 58.000 miles credited to member VC10000005 "
        "within 5 days of 2026-11-16, found no credit by 2026-11-22"
    )
    stored = discrepancies(store, "costa-azul", "vuelaclub", "open")
    assert [(d.code, d.row_no, d.transfer_id) for d in stored] == [
        (code, row, transfer) for row, code, transfer in PLANTED
    ]
    assert result.opened == 5


def test_reconciling_the_same_statement_again_opens_nothing_new(
    store: Store, costa: ResolvedClient
) -> None:
    sample_transfers(store, costa)
    reconcile_statement(store, costa, "vuelaclub", STATEMENT, "ana", NOW)
    credits = store.count("partner_credits")
    again = reconcile_statement(store, costa, "vuelaclub", STATEMENT, "ana", NOW)
    assert _found(again) == PLANTED  # the same report, not duplicates of itself
    assert (again.opened, again.repeated) == (0, True)
    assert store.count("partner_credits") == credits == 7
    assert store.count("partner_discrepancies") == 5


def test_a_later_statement_resolves_the_missing_credit(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    sample_transfers(store, costa)
    reconcile_statement(store, costa, "vuelaclub", STATEMENT, "ana", NOW)
    december = write(
        "diciembre.csv",
        "Referencia;Nº socio;Millas;Fecha de abono\n"
        "CAZ-VC-0005;VC10000005;58000;02/12/2026\n"
        "CAZ-VC-0006;VC10000006;6000;02/12/2026\n"
        "CAZ-VC-0002;VC10000002;10000;03/12/2026\n",
    )
    later = reconcile_statement(store, costa, "vuelaclub", december, "ana", NOW)
    # 0002 was credited by November's row 3: crediting it again is a duplicate
    assert _found(later) == [(4, "duplicate_credit", 2)]
    assert later.resolved == 1
    statuses = {
        d.code: d.status for d in discrepancies(store, "costa-azul", "vuelaclub")
    }
    assert statuses["missing_credit"] == "resolved"


def test_through_a_later_day_makes_more_transfers_due(
    store: Store, costa: ResolvedClient
) -> None:
    sample_transfers(store, costa)
    # through 30 November: due by the 25th; CAZ-VC-0006 (28th) is not yet
    result = reconcile_statement(
        store, costa, "vuelaclub", STATEMENT, "ana", NOW, date(2026, 11, 30)
    )
    assert _found(result) == PLANTED
    # through 3 December: due by 28 November, and 0006 is missing too
    result = reconcile_statement(
        store, costa, "vuelaclub", STATEMENT, "ana", NOW, date(2026, 12, 3)
    )
    assert _found(result)[-1] == (None, "missing_credit", 6)


def test_an_xlsx_statement_reads_as_the_csv_one(
    store: Store, costa: ResolvedClient, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for n, line in enumerate(STATEMENT.read_text(encoding="utf-8").splitlines()):
        cells: list[object] = line.split(";")
        if n and cells[1]:  # typed cells, as a partner's export has them
            d, m, y = map(int, str(cells[4]).split("/"))
            cells = [cells[0], cells[1], int(cells[2]), int(cells[3]), date(y, m, d)]
        sheet.append(cells)
    path = tmp_path / "vuelaclub.xlsx"
    book.save(path)
    sample_transfers(store, costa)
    result = reconcile_statement(store, costa, "vuelaclub", path, "ana", NOW)
    assert _found(result) == PLANTED


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "Referencia;Nº socio;Millas;Fecha de abono\nR1;VC10000001;mil;06/11/2026\n",
            "row 2:Millas: expected a whole number",
        ),
        (
            "Referencia;Nº socio;Millas;Fecha de abono\nR1;VC10000001;100;2026/31/11\n",
            "row 2:Fecha de abono: expected a date as YYYY-MM-DD",
        ),
        (
            "Referencia;Nº socio;Millas;Fecha de abono\nR1;;100;06/11/2026\n",
            "row 2:Nº socio: expected a value, found none",
        ),
        (
            "Referencia;Nº socio;Fecha de abono\nR1;VC10000001;06/11/2026\n",
            "row 1: expected a column for miles",
        ),
    ],
)
def test_an_unreadable_statement_is_refused_naming_row_and_field(
    store: Store,
    costa: ResolvedClient,
    write: Callable[..., Path],
    text: str,
    where: str,
) -> None:
    sample_transfers(store, costa)
    path = write("bad.csv", text)
    before = (store.count("partner_credits"), store.count("partner_discrepancies"))
    with pytest.raises(UnreadableInput) as caught:
        reconcile_statement(store, costa, "vuelaclub", path, "ana", NOW)
    assert str(caught.value).startswith(f"{path}: {where}")
    assert (
        store.count("partner_credits"),
        store.count("partner_discrepancies"),
    ) == before


def test_a_credit_dated_before_its_transfer_is_no_unknown_member(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    sample_transfers(store, costa)  # CAZ-VC-0006 to VC10000006 on 28 November
    early = write(
        "early.csv",
        "Referencia;Nº socio;Millas;Fecha de abono\nCAZ-VC-0006;VC10000006;6000;20/11/2026\n",
    )
    result = reconcile_statement(store, costa, "vuelaclub", early, "ana", NOW)
    # through 20 November, 5 credit days: due by the 15th, so 0001-0004
    # (3-12 Nov) are missing and 0005 (16 Nov) is not yet
    assert _found(result) == [
        (2, "credit_without_transfer", None),
        (None, "missing_credit", 1),
        (None, "missing_credit", 2),
        (None, "missing_credit", 3),
        (None, "missing_credit", 4),
    ]


def test_a_statement_re_run_after_a_later_one_reports_what_it_first_did(
    store: Store, costa: ResolvedClient, write: Callable[..., Path], tmp_path: Path
) -> None:
    """Statement A, then B (A's credits again, as xlsx), then A again."""
    sample_transfers(store, costa)
    a = write(
        "a.csv",
        "Referencia;Nº socio;Puntos;Millas;Fecha de abono\n"
        "CAZ-VC-0001;VC10000001;60000;29000;06/11/2026\n"
        "CAZ-VC-0002;VC10000002;25000;10000;08/11/2026\n"
        "CAZ-VC-0003;VC10000003;40000;20000;12/11/2026\n",
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Referencia", "Nº socio", "Puntos", "Millas", "Fecha de abono"])
    sheet.append(["CAZ-VC-0001", "VC10000001", 60000, 29000, date(2026, 11, 6)])
    sheet.append(["CAZ-VC-0002", "VC10000002", 25000, 10000, date(2026, 11, 8)])
    b = tmp_path / "b.xlsx"
    book.save(b)
    first = reconcile_statement(store, costa, "vuelaclub", a, "ana", NOW)
    # 60,000 / 2.5 + 5,000 bonus = 29,000 and 25,000 / 2.5 = 10,000: credited;
    # 40,000 / 2.5 = 16,000, not 20,000. Through 12 Nov, due by the 7th: 0001
    # and 0002, both credited, so nothing is missing
    assert _found(first) == [(4, "wrong_ratio", 3)]
    assert (first.credited, first.opened, first.repeated) == (2, 1, False)
    later = reconcile_statement(store, costa, "vuelaclub", b, "ana", NOW)
    assert _found(later) == [(2, "duplicate_credit", 1), (3, "duplicate_credit", 2)]
    assert [f.message for f in later.findings] == [
        "row 2: expected transfer CAZ-VC-0001 credited once, found it credited "
        f"again (29.000 miles; first on {a} row 2)",
        "row 3: expected transfer CAZ-VC-0002 credited once, found it credited "
        f"again (10.000 miles; first on {a} row 3)",
    ]
    assert later.opened == 2
    stored = (store.count("partner_credits"), store.count("partner_discrepancies"))
    assert stored == (5, 3)
    again = reconcile_statement(store, costa, "vuelaclub", a, "ana", NOW)
    assert again.findings == first.findings and again.lines == first.lines
    assert (again.credited, again.opened, again.resolved) == (2, 0, 0)
    assert again.repeated
    b_again = reconcile_statement(store, costa, "vuelaclub", b, "ana", NOW)
    assert b_again.findings == later.findings  # A is still the first credit
    assert (b_again.opened, b_again.repeated) == (0, True)
    # append-only: the re-runs store no line and open no discrepancy
    assert (store.count("partner_credits"), store.count("partner_discrepancies")) == (
        stored
    )
