"""Verification's name comparison: Hangul names and passport spellings."""

from __future__ import annotations

import pytest

from claimflow.hangul import SURNAMES
from claimflow.verify.candidates import guest_fits, name_similarity
from claimflow.verify.settings import VerificationSettings

SETTINGS = VerificationSettings(name_threshold=0.85)


@pytest.mark.parametrize(
    ("claimed", "folio"),
    [
        # trial 35 (Hanbit Rewards, ko_KR): anyascii's gim/i/choe/bag
        ("김민준", "KIM/MINJUN MR"),
        ("이서연", "LEE/SEOYEON MS"),
        ("최유진", "CHOI/YUJIN MS"),
        ("박지훈", "PARK/JIHOON MR"),
        ("김민준", "GIM/MINJUN MR"),
        # syllables joined, hyphened or spaced; either order; either side
        ("김민준", "Kim Min-jun"),
        ("김민준", "Min Jun Kim"),
        ("김 민준", "KIM/MINJUN"),
        ("KIM/MINJUN MR", "김민준"),
        ("김민준", "김 민준"),
        ("남궁민", "NAMKUNG/MIN MR"),
    ],
)
def test_a_hangul_name_meets_its_passport_spelling(claimed: str, folio: str) -> None:
    assert name_similarity(claimed, folio) == 1.0
    assert guest_fits(claimed, folio, SETTINGS)


@pytest.mark.parametrize(
    ("claimed", "folio"),
    [
        ("김민준", "PARK/MINJUN MR"),
        ("김민준", "PARK/JIHOON MR"),
        ("이서연", "KIM/SEOYEON MS"),
        ("김민준", "KIM/SEOYEON MS"),
    ],
)
def test_another_person_still_mismatches(claimed: str, folio: str) -> None:
    assert not guest_fits(claimed, folio, SETTINGS)


SPELLED = [(h, s) for h, listed in SURNAMES.items() for s in listed]


@pytest.mark.parametrize(("hangul", "spelling"), SPELLED)
def test_every_listed_spelling_meets_its_surname_both_ways(
    hangul: str, spelling: str
) -> None:
    korean, folio = f"{hangul}민준", f"{spelling.upper()}/MIN-JUN MR"
    assert name_similarity(korean, folio) == 1.0
    assert name_similarity(folio, korean) == 1.0


@pytest.mark.parametrize("hangul", list(SURNAMES))
def test_no_other_surnames_spelling_meets_it(hangul: str) -> None:
    others = [s for h, listed in SURNAMES.items() if h != hangul for s in listed]
    for other in others:
        # the other surname's spelling may be near in letters (Kang, Kwon)
        # but never the same: the name must not score as one person's
        assert name_similarity(f"{hangul}민준", f"{other.upper()}/MINJUN") < 1.0


def test_names_in_latin_compare_as_before() -> None:
    assert name_similarity("José Núñez Peña", "NUNEZ PENA/JOSE MR") == 1.0
    assert name_similarity("Yu Min", "YOO/MIN") < 1.0
