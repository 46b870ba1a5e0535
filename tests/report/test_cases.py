"""The case figures in the report pack, against the hand-worked cases of
`tests.accounts.test_cases` (Acme's desk, America/Chicago, December 2026):

====  ======================  =========  =====================  ============
case  opened (local)          owner      escalated              linked points
====  ======================  =========  =====================  ============
A     Tue Dec 1 09:00         ann        no                     none
E     Wed Dec 2 09:00         ann        no                     none
B     Fri Dec 4 15:00         bob        L2 Mon Dec 7 11:00     +800 Dec 7 12:00
C     Mon Dec 7 16:30         ann        L2 Tue Dec 8 10:00,    -200, +333
                                         senior Wed Dec 9 10:00 Wed Dec 9 11:00
D     Tue Dec 8 09:00         bob        no                     none
====  ======================  =========  =====================  ============

A point costs USD 0.0125; the escalation limit is 20%.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd

from claimflow import ResolvedClient, Store
from claimflow.report.sla import build_report, to_html, write_report
from tests.accounts.test_cases import at, desk, worked_cases

__all__ = ["desk"]  # the fixture, shared with the case tests

#: After every event of the worked cases.
LATE = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
COLUMNS = [
    "cases", "closed", "within_sla", "within_sla_share", "escalated",
    "escalation_share", "over_limit", "escalation_cost", "cost_per_escalation",
    "repeat_escalations",
]  # fmt: skip


def _rows(frame: pd.DataFrame, key: str) -> dict[str, list[object]]:
    """Each row's figures by its key (a share with nothing to divide: None)."""
    return {
        row[key]: [None if pd.isna(row[c]) else row[c] for c in COLUMNS]
        for _, row in frame.iterrows()
    }


def test_the_monthly_report_carries_the_case_figures_with_their_cost(
    desk: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    worked_cases(desk, acme)
    report = build_report("monthly", desk, acme, "2026-12", LATE)

    by_owner = _rows(report.tables["Cases by owner"], "owner")
    # ann: A (within), E (0 follow-ups), C (closed after its due date;
    # escalated, a repeat of B's member): 1 of 3 within, 1 of 3 escalated.
    # C's cost: -200 x 0.0125 = -2.50, 333 x 0.0125 = 4.1625 -> 4.16: 1.66.
    assert by_owner["ann"] == [
        3, 3, 1, 1 / 3, 1, 1 / 3, True, Decimal("1.66"), Decimal("1.66"), 1,
    ]  # fmt: skip
    # bob: B (closed, cadence broken; 800 x 0.0125 = 10.00) and D (open).
    assert by_owner["bob"] == [
        2, 1, 0, 0.0, 1, 0.5, True, Decimal("10.00"), Decimal("10.00"), 0,
    ]  # fmt: skip
    # all: 1 of 4 closed within SLA; 2 of 5 escalated (40% > 20%);
    # (10.00 + 1.66) / 2 = 5.83 per escalation.
    assert by_owner["total"] == [
        5, 4, 1, 0.25, 2, 0.4, True, Decimal("11.66"), Decimal("5.83"), 1,
    ]  # fmt: skip
    by_category = _rows(report.tables["Cases by category"], "category")
    assert list(by_category) == ["points", "redemption", "tier", "total"]
    assert by_category["points"][:5] == [3, 3, 1, 1 / 3, 1]  # A, E, B
    assert by_category["redemption"][:4] == [1, 0, 0, None]  # D: none closed
    assert by_category["tier"][7:] == [Decimal("1.66"), Decimal("1.66"), 1]  # C

    assert (
        "Cases period: cases opened 2026-12-01 to 2026-12-31 (local days in "
        "America/Chicago), as they stood at 2027-01-04 06:00 CST." in report.definitions
    )
    assert any(d.startswith("Cost of an escalation:") for d in report.definitions)
    assert (
        "Cases: 5 opened, 1 of 4 closed within SLA (25.0%); 2 escalated (40.0%, "
        "over the 20% limit), $5.83 per escalation." in report.notes
    )
    page = to_html(report)
    assert "Cost per escalation" in page and "$5.83" in page
    book = write_report(report, tmp_path / "monthly.xlsx")
    sheet = openpyxl.load_workbook(book)["Cases by owner"]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][0] == "Owner" and cells[0][9] == "Cost per escalation"
    assert cells[-1][0] == "total" and cells[-1][9] == 5.83


def test_a_report_as_of_a_past_instant_counts_the_case_events_recorded_by_then(
    desk: Store, acme: ResolvedClient
) -> None:
    worked_cases(desk, acme)
    # Wed Dec 9 10:30 at the desk: B closed at 08:30 (not within SLA); C
    # raised to senior at 10:00 but its postings come at 11:00 (cost 0);
    # D's contact was made but it is open; A and E closed as before.
    report = build_report("monthly", desk, acme, "2026-12", at(9, 10, 30))
    total = _rows(report.tables["Cases by owner"], "owner")["total"]
    # 5 opened, 3 closed (A, E, B), 1 within SLA; B and C escalated (2 of
    # 5); cost 10.00 + 0.00 = 10.00, per escalation 5.00; C a repeat.
    assert total == [
        5, 3, 1, 1 / 3, 2, 0.4, True, Decimal("10.00"), Decimal("5.00"), 1,
    ]  # fmt: skip

    # Tue Dec 8 09:45: B open (its closing comes later), C not yet escalated,
    # D opened at 09:00: 2 closed (A, E), 1 within; 1 of 5 escalated: 20%
    # is the limit, not over it.
    early = build_report("monthly", desk, acme, "2026-12", at(8, 9, 45))
    total = _rows(early.tables["Cases by owner"], "owner")["total"]
    assert total == [
        5, 2, 1, 0.5, 1, 0.2, False, Decimal("10.00"), Decimal("10.00"), 0,
    ]  # fmt: skip
    # Mon Dec 7 10:30: before B's escalation and goodwill, C and D not opened.
    first = build_report("monthly", desk, acme, "2026-12", at(7, 10, 30))
    total = _rows(first.tables["Cases by owner"], "owner")["total"]
    assert total == [3, 2, 1, 0.5, 0, 0.0, False, Decimal("0"), None, 0]


def test_the_daily_and_weekly_reports_take_the_cases_opened_in_their_period(
    desk: Store, acme: ResolvedClient
) -> None:
    worked_cases(desk, acme)
    # the day Tue Dec 8, as of its close: D only (opened 09:00, open, L1)
    daily = build_report("daily", desk, acme, "2026-12-08", LATE)
    rows = _rows(daily.tables["Cases by owner"], "owner")
    assert rows == {
        "bob": [1, 0, 0, None, 0, 0.0, False, Decimal("0"), None, 0],
        "total": [1, 0, 0, None, 0, 0.0, False, Decimal("0"), None, 0],
    }
    assert daily.definitions[-6].startswith(
        "Cases period: cases opened 2026-12-08 (local days in America/Chicago), "
        "as they stood at 2026-12-08 23:59 CST."
    )
    # the week ending Fri Dec 4 (Nov 30 to Dec 4): A, E and B; B escalated
    # (1 of 3, over 20%), its 800 points USD 10.00.
    weekly = build_report("weekly", desk, acme, "2026-12-04", LATE)
    total = _rows(weekly.tables["Cases by owner"], "owner")["total"]
    assert total == [
        3, 3, 1, 1 / 3, 1, 1 / 3, True, Decimal("10.00"), Decimal("10.00"), 0,
    ]  # fmt: skip


def test_a_client_without_accounts_has_no_case_tables(
    store: Store, costa: ResolvedClient
) -> None:
    assert costa.config.accounts is None
    report = build_report("daily", store, costa, "2026-12-08", LATE)
    assert not any(name.startswith("Cases") for name in report.tables)
    assert not any(d.startswith("Cases period") for d in report.definitions)
