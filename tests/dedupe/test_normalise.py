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
    ukrainian_latin,
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


# The examples of Ukraine's national romanisation table (Cabinet of Ministers
# resolution 55 of 27 January 2010), as the resolution writes them: the oracle.
OFFICIAL = [
    ("Алушта", "alushta"), ("Борщагівка", "borshchahivka"), ("Вінниця", "vinnytsia"),
    ("Гадяч", "hadiach"), ("Згорани", "zghorany"), ("Ґалаґан", "galagan"),
    ("Дон", "don"), ("Рівне", "rivne"), ("Єнакієве", "yenakiieve"),
    ("Наєнко", "naienko"), ("Житомир", "zhytomyr"), ("Закарпаття", "zakarpattia"),
    ("Медвин", "medvyn"), ("Іванків", "ivankiv"), ("Їжакевич", "yizhakevych"),
    ("Кадиївка", "kadyivka"), ("Йосипівка", "yosypivka"), ("Стрий", "stryi"),
    ("Олексій", "oleksii"), ("Київ", "kyiv"), ("Лебедин", "lebedyn"),
    ("Миколаїв", "mykolaiv"), ("Ніжин", "nizhyn"), ("Одеса", "odesa"),
    ("Полтава", "poltava"), ("Ромни", "romny"), ("Суми", "sumy"),
    ("Тетерів", "teteriv"), ("Ужгород", "uzhhorod"), ("Фастів", "fastiv"),
    ("Харків", "kharkiv"), ("Біла Церква", "bila tserkva"), ("Чернівці", "chernivtsi"),
    ("Шостка", "shostka"), ("Гоща", "hoshcha"), ("Русь", "rus"),
    ("Юрій", "yurii"), ("Корюківка", "koriukivka"), ("Яготин", "yahotyn"),
    ("Ічня", "ichnia"), ("Знам'янка", "znamianka"),
]  # fmt: skip


@pytest.mark.parametrize(("cyrillic", "latin"), OFFICIAL)
def test_ukrainian_names_read_in_the_national_romanisation(
    cyrillic: str, latin: str
) -> None:
    assert ukrainian_latin(cyrillic) == latin


def test_a_ukrainian_desk_meets_passport_spellings_of_cyrillic_names() -> None:
    """Trial 26 (Kyiv Tech Rewards, uk_UA): anyascii spells Cyrillic the
    Russian way, so Гнатюк never met Hnatiuk (4 of 5 such pairs unscored)."""
    from claimflow.dedupe.people import dedupe_people

    people = pd.DataFrame(
        {
            "participant_id": ["U1", "U2", "U3", "U4"],
            "first_name": ["Олександр", "Oleksandr", "Юлія", "Yuliia"],
            "last_name": ["Гнатюк", "Hnatiuk", "Гуменюк", "Humeniuk"],
            "date_of_birth": ["1980-02-03", "1980-02-03", "1991-07-08", "1991-07-08"],
            "city": ["Київ", "Kyiv", "Вінниця", "Vinnytsia"],
        }
    )  # fmt: skip
    found = dedupe_people(people, language="uk")
    pairs = {tuple(sorted(c["participant_ids"])) for c in found.clusters}
    assert ("U1", "U2") in pairs and ("U3", "U4") in pairs


def test_a_korean_desk_meets_passport_spellings_of_hangul_names() -> None:
    """Trial 35 (Hanbit Rewards, ko_KR): anyascii spells 김 gim and 이 i,
    where passports write KIM and LEE (or YI), and given names' syllables
    are joined, hyphened or spaced."""
    from claimflow.dedupe.people import dedupe_people

    people = pd.DataFrame(
        {
            "participant_id": ["K1", "K2", "K3", "K4", "K5"],
            "first_name": ["민준", "Min-jun", "서연", "Seo Yeon", "민준"],
            "last_name": ["김", "KIM", "이", "Yi", "박"],
            "date_of_birth": ["1988-03-04", "1988-03-04", "1992-05-06",
                              "1992-05-06", "1990-01-02"],
            "city": ["서울", "Seoul", "부산", "Busan", "대구"],
        }
    )  # fmt: skip
    prepared = prepare(people, language="ko")
    assert prepared["last"].tolist() == ["kim", "kim", "lee", "lee", "park"]
    assert prepared["first"].tolist()[:4] == ["minjun", "minjun", "seoyeon", "seoyeon"]
    found = dedupe_people(people, language="ko")
    pairs = {tuple(sorted(c["participant_ids"])) for c in found.clusters}
    assert ("K1", "K2") in pairs and ("K3", "K4") in pairs
    assert not any("K5" in p for p in pairs)


@pytest.mark.parametrize(
    ("language", "last_names", "expected"),
    [
        # Hangul surnames are Korean for any client
        (None, ["김", "이", "최"], ["kim", "lee", "choi"]),
        # a Latin Yu or An may be Chinese or Vietnamese outside Korea
        (None, ["Yu", "An", "Rhee"], ["yu", "an", "rhee"]),
        ("ko", ["Yu", "An", "Rhee"], ["yoo", "ahn", "lee"]),
    ],
)
def test_korean_surnames_fold_by_desk(
    language: str | None, last_names: list[str], expected: list[str]
) -> None:
    people = pd.DataFrame({"last_name": last_names})
    assert prepare(people, language=language)["last"].tolist() == expected
