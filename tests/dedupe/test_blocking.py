"""Blocking: every key says what it fixes, and each pair knows its keys."""

from __future__ import annotations

import io
from itertools import combinations

import pandas as pd

from claimflow.dedupe.blocking import FIXES, block_pairs, blocking_keys
from claimflow.dedupe.normalise import prepare
from claimflow.dedupe.people import COMPARISONS

PEOPLE = """\
participant_id,first_name,last_name,date_of_birth,email,address_line1,city,postcode
P1,Ann,Lee,1980-01-02,ann@x.example,1 High St,Leeds,LS1
P2,Ann,Lee,1980-01-02,,9 Low Rd,York,YO1
P3,Bob,Kay,1980-01-02,ann@x.example,1 High St,Leeds,LS1
P4,Ann,Leigh,1979-05-06,,,Leeds,
"""


def test_every_key_names_the_comparisons_it_fixes() -> None:
    prepared = prepare(pd.read_csv(io.StringIO(PEOPLE), dtype=str))
    names = [name for name, _ in blocking_keys(prepared)]
    # The estimation leaves a key's fixed comparisons out of its EM: a key
    # missing here would have its own agreement counted as evidence.
    assert sorted(names) == sorted(FIXES)
    assert all(fixed <= set(COMPARISONS) for fixed in FIXES.values())


def test_each_pair_is_listed_once_with_every_key_that_found_it() -> None:
    prepared = prepare(pd.read_csv(io.StringIO(PEOPLE), dtype=str))
    keys = list(blocking_keys(prepared))
    i, j, found_by, names = block_pairs(prepared, max_block=100)
    assert names == [name for name, _ in keys]
    # Brute force: a pair is found by a key when both rows have it, equal.
    expected = {}
    for a, b in combinations(range(len(prepared)), 2):
        mask = sum(
            1 << k
            for k, (_, key) in enumerate(keys)
            if key[a] >= 0 and key[a] == key[b]
        )
        if mask:
            expected[(a, b)] = mask
    got = dict(
        zip(zip(i.tolist(), j.tolist(), strict=True), found_by.tolist(), strict=True)
    )
    assert got == expected
    assert (0, 1) in got and (0, 2) in got  # names + birth date; e-mail and door
