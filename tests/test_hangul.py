"""Hangul names: readings, and the surnames' passport spellings."""

from __future__ import annotations

import pytest

from claimflow.hangul import SURNAME_OF, SURNAMES, is_hangul, latin, readings


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("김민준", [("김", "kim", "minjun")]),
        ("이 서연", [("이", "lee", "seoyeon")]),
        ("최유-진", [("최", "choi", "yujin")]),
        ("남궁민", [("남궁", "namgung", "min"), ("남", "nam", "gungmin")]),
        ("남궁 민", [("남궁", "namgung", "min")]),
        ("Kim Minjun", []),
        ("김 Minjun", []),
    ],
)
def test_readings(name: str, expected: list[tuple[str, str, str]]) -> None:
    got = [(r.surname, r.spellings[0], r.given) for r in readings(name)]
    assert got == expected


def test_every_spelling_names_one_surname() -> None:
    """A Korean desk folds a spelling to its surname's most usual one, so a
    spelling shared by two surnames would join them."""
    spellings = [s for listed in SURNAMES.values() for s in listed]
    assert len(spellings) == len(set(spellings)) == len(SURNAME_OF)
    assert all(is_hangul(h) and listed for h, listed in SURNAMES.items())


def test_a_surname_not_listed_is_spelled_by_anyascii() -> None:
    assert readings("팽민준")[0].spellings == (latin("팽"),)
