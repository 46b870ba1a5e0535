"""Matching statement lines to transfers: generated statements against hand
arithmetic, and the faults the sample does not plant."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow.accounts.matching import PartnerReason, match_credits
from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.accounts.statement import CreditLine
from claimflow.store.partners import TransferRow
from tests.conftest import SAMPLES

# Generated statements: each transfer is credited right, under a reference
# with a keying slip, with a wrong figure, twice, or not at all; the
# findings must be exactly the planted ones, with the miles worked out here by hand: points * 2 // 5 (2.5 points a mile,
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
