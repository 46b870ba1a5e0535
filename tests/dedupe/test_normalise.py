"""Normalising people: each field folded the way matching relies on."""

from __future__ import annotations

import pandas as pd
import pytest

from claimflow.dedupe.normalise import _dob, _email, _house, _phone, fold, prepare


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("1956-04-09", None, "1956-04-09"),
        ("19560409", None, "1956-04-09"),
        ("1956/04/09", None, "1956-04-09"),
        ("1956-04-09T00:00:00", None, "1956-04-09"),
        ("19561340", None, "1956-13-40"),  # a slip is still evidence
        ("09/04/1956", None, ""),  # day or month first: never guessed
        ("09/04/1956", "DMY", "1956-04-09"),
        ("09/04/1956", "MDY", "1956-09-04"),
        ("09/04/1956", "YMD", ""),  # a year-first client reads year-first only
        ("31/02/1956", "DMY", ""),
        ("", None, ""),
    ],
)
def test_birth_dates(text: str, order: str | None, expected: str) -> None:
    assert _dob(text, order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (fold, "  José  NÚÑEZ-Peña ", "jose nunez pena"),
        (fold, None, ""),
        (_email, "Siti.R+promo@Mail.Example", "siti.r@mail.example"),
        (_email, "not an address", ""),
        (_phone, "+1 (312) 555-0101", "123125550101"[-9:]),
        (_phone, "555", ""),
        (_house, "12 oak st", 12),
        (_house, "flat 3 12 oak st", 3),
        (_house, "oak st", -1),
    ],
)
def test_fields(function: object, text: object, expected: object) -> None:
    assert function(text) == expected  # type: ignore[operator]


def test_prepare_folds_nicknames_and_keeps_python_strings() -> None:
    people = pd.DataFrame(
        {
            "participant_id": ["P1", "P2"],
            "first_name": ["Bill", "William"],
            "last_name": ["Turner", "TURNER"],
            "city": ["Chicago", "chicago"],
        }
    )
    prepared = prepare(people)
    assert list(prepared["first"]) == ["william", "william"]
    assert list(prepared["city"]) == ["chicago", "chicago"]
    assert {str(t) for t in prepared.dtypes} == {"object"}
