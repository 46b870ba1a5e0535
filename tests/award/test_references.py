"""`claimflow.award.references`: whole points a ledger can hold, and order
references compared with case and punctuation ignored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow.award.references import MAX_POINTS, not_whole_points, reference_key


@given(st.integers(min_value=-MAX_POINTS, max_value=MAX_POINTS))
def test_every_whole_number_a_ledger_holds_is_points(points: int) -> None:
    assert not_whole_points(points) is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (10.5, "expected a whole number of points, found 10.5"),
        (10.0, "expected a whole number of points, found 10.0"),
        (Decimal("10"), "expected a whole number of points, found Decimal('10')"),
        (True, "expected a whole number of points, found True"),
        ("10", "expected a whole number of points, found '10'"),
        (None, "expected a whole number of points, found None"),
        (MAX_POINTS + 1, "expected at most 1,000,000,000,000,000 points, "
                         "found 1,000,000,000,000,001"),
    ],
)  # fmt: skip
def test_anything_else_is_refused_saying_what_it_was(value: object, why: str) -> None:
    assert not_whole_points(value) == why


@given(st.text(alphabet=st.characters(categories=("Ll", "Lu", "Nd")), min_size=1))
def test_a_reference_is_the_same_whatever_its_case_and_punctuation(text: str) -> None:
    """Oracle: the reference written upper, lower, and with dashes and
    spaces between its characters. Upper then lower case is the same text
    only where the letters round-trip (a Turkish dotless ı comes back a
    dotted i: another letter, as a code is compared)."""
    dashed = "-".join(text)
    spaced = " ".join(text)
    assert reference_key(text) == reference_key(dashed) == reference_key(spaced)
    if text.upper().lower() == text.lower():
        assert reference_key(" ".join(text.upper())) == reference_key(text.lower())
