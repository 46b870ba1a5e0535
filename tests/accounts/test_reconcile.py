"""Reconciliation of partner statements: the sample's planted faults, xlsx, re-runs,
a later statement resolving a missing credit, and generated statements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook

from claimflow import ResolvedClient, Store
from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.accounts.reconcile import (
    PartnerReason,
    match_credits,
    reconcile_statement,
)
from claimflow.accounts.statement import CreditLine
from claimflow.errors import UnreadableInput
from claimflow.store.partners import TransferRow, discrepancies
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
        "row 4: expected 16,000 miles for transfer CAZ-VC-0003 (40,000 points: "
        "16,000 miles), found 20,000; 2 points per mile applied"
    )
    # 120,000 / 2.5 = 48,000 + 2 blocks of 60,000 x 5,000 = 58,000
    assert messages[PartnerReason.MISSING_CREDIT] == (
        "transfer CAZ-VC-0005: expected 58,000 miles credited to member VC10000005 "
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
            "row 2:miles: expected a whole number",
        ),
        (
            "Referencia;Nº socio;Millas;Fecha de abono\nR1;VC10000001;100;2026/31/11\n",
            "row 2:credited_on: expected a date as DD/MM/YYYY",
        ),
        (
            "Referencia;Nº socio;Millas;Fecha de abono\nR1;;100;06/11/2026\n",
            "row 2:member_number: expected a value, found none",
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


# Generated statements: each transfer is credited right, under a reference
# with a keying slip, with a wrong figure, twice, or not at all; the findings must be exactly the planted ones, with
# the miles worked out here by hand: points * 2 // 5 (2.5 points a mile,
# rounded down) + 5,000 per complete 60,000 points.
PARTNER = PartnerSettings.model_validate(
    {
        "name": "VuelaClub",
        "points_per_mile": "5/2",
        "bonus": {"miles": 5000, "per_points": 60000},
        "minimum_points": 10000,
        "member_number": r"^VC\d{8}$",
        "credit_days": 5,
    }
)
FATES = st.sampled_from(["credited", "slip", "wrong", "twice", "missing"])
DAY0 = date(2026, 11, 1)


@hsettings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(10_000, 500_000), FATES, st.integers(1, 200)),
        min_size=1,
        max_size=12,
    )
)
def test_generated_statements_against_hand_arithmetic(
    plan: list[tuple[int, str, int]],
) -> None:
    transfers, lines, expected = [], [], []
    row = 2
    for n, (points, fate, off) in enumerate(plan, start=1):
        hand = points * 2 // 5 + points // 60_000 * 5_000
        miles = PARTNER.miles(points)
        assert miles.total == hand
        ref, member = f"CAZ-VC-{n:04d}", f"VC{n:08d}"
        transfers.append(
            TransferRow(
                n,
                ref,
                f"P{n}",
                member,
                points,
                miles.base,
                miles.bonus,
                hand,
                f"{DAY0 + timedelta(days=n % 7)}T10:00:00+00:00",
            )
        )
        if fate == "missing":
            expected.append((None, "missing_credit", n))
            continue
        credited = hand + off if fate == "wrong" else hand
        keyed = ref + "X" if fate == "slip" else ref  # one keying slip: no fault
        lines.append(CreditLine(row, keyed, member, points, credited, DAY0))
        if fate == "wrong":
            expected.insert(0, (row, "wrong_ratio", n))
        row += 1
        if fate == "twice":
            lines.append(CreditLine(row, ref, member, points, hand, DAY0))
            expected.insert(0, (row, "duplicate_credit", n))
            row += 1
    _, findings = match_credits(
        lines, transfers, PARTNER, "vuelaclub", through=date(2026, 12, 31), zone=UTC
    )
    found = [(f.row, f.code.value, f.transfer_id) for f in findings]
    line_faults = sorted(e for e in expected if e[0] is not None)
    missing = [e for e in expected if e[0] is None]
    assert found == line_faults + missing


def test_readme_lists_every_partner_reason() -> None:
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for code in PartnerReason:
        assert f"| `{code.value}` | " in readme
        assert code.description


def _row(n: int, ref: str, member: str, points: int = 25_000) -> TransferRow:
    # 25,000 points at 5/2: 10,000 miles, no bonus block
    return TransferRow(n, ref, f"P{n}", member, points, 10_000, 0, 10_000,
                       "2026-11-02T10:00:00+00:00")  # fmt: skip


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            CreditLine(2, "CAZ-VC-0001", "VC10000009", 25_000, 10_000, DAY0),
            (
                "wrong_member",
                "row 2: expected transfer CAZ-VC-0001 credited to member VC10000001, "
                "found VC10000009",
            ),
        ),
        (
            CreditLine(2, "CAZ-VC-0001", "VC10000001", 20_000, 10_000, DAY0),
            (
                "points_mismatch",
                "row 2: expected 25,000 points for transfer CAZ-VC-0001, found 20,000",
            ),
        ),
        (
            # 0003 is one slip from both 0001 and 0002, both open, same member
            CreditLine(2, "CAZ-VC-0003", "VC10000001", None, 10_000, DAY0),
            (
                "ambiguous_credit",
                "row 2: expected one transfer for reference CAZ-VC-0003, found 2: "
                "CAZ-VC-0001, CAZ-VC-0002",
            ),
        ),
    ],
)
def test_member_points_and_ambiguity_faults(
    line: CreditLine, expected: tuple[str, str]
) -> None:
    transfers = [
        _row(1, "CAZ-VC-0001", "VC10000001"),
        _row(2, "CAZ-VC-0002", "VC10000001"),
    ]
    matches, findings = match_credits(
        [line], transfers, PARTNER, "vuelaclub", through=DAY0, zone=UTC
    )
    assert [(f.code.value, f.message) for f in findings] == [expected]
    assert matches[0].result == expected[0]


def test_a_line_without_reference_matches_the_members_open_transfer() -> None:
    transfers = [_row(1, "CAZ-VC-0001", "VC10000001")]
    line = CreditLine(2, None, "VC10000001", None, 10_000, DAY0)
    matches, findings = match_credits(
        [line], transfers, PARTNER, "vuelaclub", through=DAY0, zone=UTC
    )
    assert findings == []
    assert (matches[0].transfer_id, matches[0].result) == (1, "credited")


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
