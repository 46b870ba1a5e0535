"""Possible twins: held for review whatever they score, never called duplicates."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.dedupe.normalise import NICKNAMES
from claimflow.dedupe.people import dedupe_people
from claimflow.dedupe.twins import POSSIBLE_TWINS, _other_first_name, _slipped_tax_id
from tests.test_cli import ROOT, run

# As the desk sent it: twins at one address, a re-enrolment with a new first
# name spelling, and two people whose only shared contact would say one.
TWINS = """\
participant_id,first_name,last_name,email,phone,birth_date,address,city,postcode,company,tier,enrolled_on,status
500001,Anna,Kowalski,anna.kowalski@mail.example,+1 312 555 0101,1990-04-12,12 Elm St,Chicago,60601,D-CHI-01,gold,2024-03-11,active
500002,Hanna,Kowalski,hanna.kowalski@mail.example,+1 312 555 0102,1990-04-12,12 Elm St,Chicago,60601,D-CHI-01,gold,2024-03-11,active
500003,Jon,Smith,jsmith@mail.example,+1 312 555 0200,1985-01-02,4 Oak Ave,Chicago,60602,D-CHI-02,silver,2024-01-01,active
500004,John,Smith,jsmith@mail.example,+1 312 555 0200,1985-01-02,4 Oak Ave,Chicago,60602,D-CHI-02,silver,2024-01-01,active
500005,Mark,Lee,mark.lee@mail.example,,1979-03-03,9 Pine Rd,Chicago,60603,D-CHI-03,,2024-01-01,active
500006,Marc,Lee,marc.lee@mail.example,,1979-03-03,9 Pine Rd,Chicago,60603,D-CHI-03,,2024-01-01,active
"""


def test_twins_at_one_address_go_to_review_with_the_reason(tmp_path: Path) -> None:
    people, review = tmp_path / "twins.csv", tmp_path / "r.csv"
    people.write_text(TWINS, encoding="utf-8")
    acme = str(ROOT / "samples" / "clients" / "acme-tools.yaml")
    code, out, _ = run(
        "dedupe", "participants", str(people), "--client", acme,
        "--review-out", str(review),
    )  # fmt: skip
    assert code == 1
    assert out.splitlines()[1:3] == [
        "6 people, 3 candidate pairs: 1 duplicate pairs in 1 clusters, "
        "2 to review, 2 of them possible twins; hand-set weights: too few "
        "people to estimate them",
        "  500003 <- 500004",
    ]
    rows = pd.read_csv(review, dtype=str, keep_default_na=False)
    found = {(a, b): f for a, b, f in zip(rows.a, rows.b, rows.found, strict=True)}
    assert found == {
        ("500001", "500002"): "review",
        ("500003", "500004"): "duplicate",  # same e-mail and phone: one person
        ("500005", "500006"): "review",  # the one contact both have differs
    }
    anna = rows[rows.a == "500001"].iloc[0]
    assert anna.explanation == (
        "possible twins: same birth date and address, different first names and "
        "contacts; dob exact (+8.81); address same (+6.13); postcode exact (+5.41); "
        "name close (+4.91); city same (+3.00); email different (-2.00); "
        "phone different (-1.74); not compared (missing): tax_id"
    )
    assert not rows[rows.a == "500003"].iloc[0].explanation.startswith("possible")


PAIR_HEADER = (
    "participant_id,first_name,last_name,date_of_birth,email,phone,"
    "address_line1,city,postcode,tax_id\n"
)
# (case, the first record's first name, the second's first name, e-mail and
# phone, the two tax ids, held as possible twins); both records share the
# family name, birth date and address, and the first has an e-mail and phone.
TABLE = [
    ("twins", "Anna", ("Hanna", "hanna.k@mail.example", "+1 312 555 0102"), "", "", True),
    ("a shared e-mail", "Anna", ("Hanna", "anna.k@mail.example", ""), "", "", False),
    ("a shared phone", "Anna", ("Hanna", "h@mail.example", "+1 312 555 0101"), "", "", False),
    ("no contact on one side", "Anna", ("Hanna", "", ""), "", "", False),
    ("the same first name", "Anna", ("Anna", "other@mail.example", ""), "", "", False),
    ("an initial", "Anna", ("A", "other@mail.example", ""), "", "", False),
    ("a nickname", "Elizabeth", ("Liz", "other@mail.example", ""), "", "", False),
    ("a double first name", "Anna", ("Anna Maria", "other@mail.example", ""), "", "", False),
    ("two tax ids", "Anna", ("Hanna", "", ""), "123456789", "987654321", True),
    ("a tax id in sequence", "Anna", ("Hanna", "", ""), "123456789", "123456790", True),
    ("a tax id keyed with a swap", "Anna", ("Hanna", "", ""), "123456789", "123456798", False),
    ("the same tax id", "Anna", ("Hanna", "", ""), "123456789", "123456789", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "first", "second", "tax_a", "tax_b", "held"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_what_holds_a_pair_as_possible_twins(
    case: str,
    first: str,
    second: tuple[str, str, str],
    tax_a: str,
    tax_b: str,
    held: bool,
) -> None:
    name, email, phone = second
    rows = (
        f"A,{first},Kowalski,1990-04-12,anna.k@mail.example,+1 312 555 0101,"
        f"12 Elm St,Chicago,60601,{tax_a}\n"
        f"B,{name},Kowalski,1990-04-12,{email},{phone},12 Elm St,Chicago,60601,{tax_b}\n"
    )
    frame = pd.read_csv(
        io.StringIO(PAIR_HEADER + rows), dtype=str, keep_default_na=False
    )
    pair = dedupe_people(frame).pairs.iloc[0]
    assert (pair["held"] == POSSIBLE_TWINS) is held
    assert pair["decision"] == ("review" if held else "duplicate")


@pytest.mark.parametrize(
    ("a", "b", "other"),
    [
        ("anna", "hanna", True),
        ("mark", "marc", True),
        ("anna", "anna", False),
        ("a", "anna", False),
        ("jose", "jose maria", False),
        ("", "anna", False),
    ],
)
def test_other_first_names(a: str, b: str, other: bool) -> None:
    assert _other_first_name(a, b) is other


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        ("8982317", "8982137", True),  # two digits swapped
        ("2428295", "2438295", True),  # one digit, numbers far apart
        ("2583901", "2583902", False),  # the next number: a sibling's
        ("7348094", "3150586", False),  # another number
    ],
)
def test_a_tax_id_keyed_with_a_slip(a: str, b: str, slip: bool) -> None:
    assert _slipped_tax_id(a, b) is slip


def _two_names(pair: tuple[str, str]) -> bool:
    """Not one name once nicknames are folded (Bill and William are one)."""
    a, b = pair
    return NICKNAMES.get(a, a) != NICKNAMES.get(b, b)


@settings(max_examples=30, deadline=None)
@given(
    names=st.tuples(
        st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9),
        st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9),
    ).filter(_two_names),
    surname=st.sampled_from(["kowalski", "nguyen", "garcia", "o'brien", "muller"]),
    born=st.dates(date(1920, 1, 1), date(2010, 12, 31)),
    phones=st.lists(
        st.integers(10**8, 10**9 - 1), min_size=2, max_size=2, unique=True
    ),
    house=st.integers(1, 999),
)
def test_generated_twins_are_never_called_duplicates(
    names: tuple[str, str], surname: str, born: date, phones: list[int], house: int
) -> None:
    rows = [
        f"T{k},{name},{surname},{born},{name}.{surname}@mail.example,"
        f"+1 {phone},{house} Elm St,Chicago,60601,"
        for k, (name, phone) in enumerate(zip(names, phones, strict=True))
    ]
    frame = pd.read_csv(
        io.StringIO(PAIR_HEADER + "\n".join(rows) + "\n"),
        dtype=str,
        keep_default_na=False,
    )
    result = dedupe_people(frame)
    assert result.clusters == []
    assert set(result.pairs["decision"]) <= {"review"}
    assert set(result.pairs["held"]) <= {POSSIBLE_TWINS}
