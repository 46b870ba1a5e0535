"""Normalising people: each field folded the way matching relies on."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow.dedupe.normalise import (
    _address,
    _addresses,
    _code,
    _dob,
    _email,
    _house,
    _phone,
    fold,
    prepare,
)
from claimflow.keys import ascii_digits


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
        # trial 25: any script's digits are their values, as in a claim's dates
        ("١٩٩٠-٠٧-٠١", None, "1990-07-01"),
        ("۱۹۹۰۰۷۰۱", None, "1990-07-01"),
        ("٠١/٠٧/١٩٩٠", "DMY", "1990-07-01"),
        ("１９９０－０７－０１", None, "1990-07-01"),
        ("\u200f01\u200f/07\u200f/1990", "DMY", "1990-07-01"),
        ("1990-0\u200f7-01", None, ""),  # a mark splitting the month: unread
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
        # trial 26: a Turkish keyboard's capitals meet the lower case
        (_email, "İSİK.DEMİR@FİRMA.COM.TR", "isik.demir@firma.com.tr"),
        (_email, "I\u0307SIK@FIRMA.COM.TR", "isik@firma.com.tr"),  # decomposed
        (_email, "ＳＩＴＩ＠ＭＡＩＬ．ＥＸＡＭＰＬＥ", "siti@mail.example"),  # NFKC
        (fold, "İSİK DEMİR", "isik demir"),  # names and addresses: no dot left
        (_address, "İSTİKLAL CADDESİ 5", "istiklal caddesi 5"),
        (_phone, "+1 (312) 555-0101", "123125550101"[-9:]),
        (_phone, "555", ""),
        (_phone, "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "501234567"),
        (_code, "١٢٣٤٥", "12345"),
        (_house, "12 oak st", 12),
        (_house, "flat 3 12 oak st", 3),
        (_house, "oak st", -1),
        (_house, "oak st 12b 7", 7),
        (_house, "123456789012345678 oak st", 123456789012345),
        (_code, " ab-12 3 ", "AB123"),
        (_code, "sw1a 1aa", "SW1A1AA"),
        (_code, "ñ-12", "Ñ12"),
        (_code, float("nan"), ""),
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


#: Text that folds in unusual ways: accents, letters that fold to two, scripts
#: transliterated, spaces of other kinds, punctuation, tabs.
ODD = st.text(
    st.sampled_from(list("aZ9 .-#\t\u00a0\u3000ßŞøÑé王芳Иван²٣_,/'")), max_size=24
)


@given(ODD)
def test_an_address_folds_piece_by_piece_as_it_folds_whole(text: str) -> None:
    # `_addresses` folds each space-separated piece once and joins them.
    fold_address = _addresses()
    assert fold_address(text) == _address(text)
    assert fold_address(text) == _address(text)  # from its memory


@pytest.mark.parametrize("text", ["Calle  Mayor 5", " 3 rue des Lilas ", "Straße 9"])
def test_addresses_keep_their_abbreviations(text: str) -> None:
    assert _addresses()(text) == _address(text)


@given(ODD)
def test_phones_and_codes_drop_what_the_regular_expressions_drop(text: str) -> None:
    # any script's digits are the ASCII ones (``٣`` is 3; ``²`` is no digit)
    digits = ascii_digits(re.sub(r"\D", "", text))
    assert _phone(text) == (digits[-9:] if len(digits) >= 7 else "")
    assert _code(text) == ascii_digits(re.sub(r"\W", "", text)).upper()


@given(st.text(st.sampled_from(list("ab09 ")), max_size=20))
def test_the_house_number_is_the_first_all_digit_word(address: str) -> None:
    number = next((w for w in address.split() if w.isdigit()), "")
    assert _house(address) == (int(number[:15]) if number else -1)
