"""`claimflow.keys`: how invoice, serial and confirmation numbers are folded
for comparison, and member numbers' digits written 0-9.

Trials 25 and 26: a key keyed on another script's layout did not meet its
twin (a Cyrillic С in ``СN1001``, Arabic-Indic digits in ``TV1000000١``, a
Turkish İ from upper-casing ``i``, a decomposed İ), so a serial was paid
twice; a member number in Arabic-Indic digits opened an account of its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow import Store, ingest, load_client
from claimflow.keys import ascii_digits, normalize_key
from tests.conftest import SAMPLES

#: Every script's ten digits Unicode knows, from its own database (the oracle).
DIGIT_SETS = sorted(
    {
        "".join(chr(c + i) for i in range(10))
        for c in range(0x80, 0x10000)
        if unicodedata.category(chr(c)) == "Nd" and unicodedata.decimal(chr(c)) == 0
    }
)


@pytest.mark.parametrize(
    ("keyed", "twin"),
    [
        ("СN1001", "CN1001"),  # a Cyrillic С
        ("РН-2026-17", "PH-2026-17"),  # Cyrillic Р and Н
        ("ΑΒ-7", "AB-7"),  # Greek
        ("TV1000000١", "TV10000001"),  # an Arabic-Indic one
        ("INV-١٠٠٩", "INV-1009"),
        ("SN-İ001", "sn-i001"),  # Turkish upper case of i
        ("SN-I\u0307001", "SN-İ001"),  # a decomposed İ (NFD)
        ("sn-ı001", "SN-I001"),  # Turkish dotless ı
        ("ＦＴ－２０２６", "FT-2026"),  # full width
    ],
)
def test_a_key_keyed_on_another_layout_meets_its_twin(keyed: str, twin: str) -> None:
    assert normalize_key(keyed) == normalize_key(twin)


@pytest.mark.parametrize(
    ("one", "other"),
    [("CN1001", "CN1002"), ("PH-2026-17", "PH-2026-71"), ("AB-7", "AD-7")],
)
def test_different_keys_stay_apart(one: str, other: str) -> None:
    assert normalize_key(one) != normalize_key(other)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(DIGIT_SETS))
def test_digits_of_every_script_are_their_values(number: int, digits: str) -> None:
    """Oracle: the number written in each script's digits by translation
    from Python's own decimal text; a member number and a key both read it
    back as the number."""
    written = str(number).translate(str.maketrans("0123456789", digits))
    assert ascii_digits(written) == str(number)
    assert normalize_key(f"TV{written}") == normalize_key(f"TV{number}")


def test_a_member_number_in_arabic_indic_digits_is_the_same_account(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """Trial 25: ``١٠٤٢٣٣`` was paid into an account of its own beside
    104233, and the member list's ``١٠٤٢٩٩`` matched no claim."""
    from claimflow.parse.participants import read_participants

    client = load_client(SAMPLES / "clients/acme-tools.yaml")
    head = "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
    rows = (
        "A1,١٠٤٢٣٣,D-CHI-01,INV-20417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
        # the same serial in Arabic-Indic digits: a repeat in the batch
        "A2,104299,D-CHI-01,INV-20418,10/02/2026,DRL-200,1,DR1000001٧,2026-10-20\n"
    )
    with Store.open(tmp_path / "c.db") as store:
        result = ingest([write("a.csv", head + rows)], client, store)
        ids = [r for (r,) in store.db.execute("SELECT participant_id FROM claims ORDER BY id")]
    assert sorted(ids) == ["104233", "104299"]
    assert result.outcomes["duplicate"] == 1
    [member] = read_participants(write("m.csv", "participant_id\n١٠٤٢٩٩\n"), "acme-tools")
    assert member.id == "104299"
