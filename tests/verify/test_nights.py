"""claimflow.verify.nights: a member's nights are paid once.

Member 300120031 (no tier) at Costa Azul; points by hand (rules 2026,
whole 10 EUR brackets): CAZ-MAD and CAZ-BCN (brand costa-azul) 25 per
bracket, CAZ-VLC (azul-urban) 12.5 per bracket.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from claimflow.verify.nights import nights_named
from tests.test_stay_nights_in_review import (
    CA_101,
    CA_102,
    HEADER,
    MEMBERS,
    SOURCE,
    _cf,
    _decide,
    _outcomes,
    _points,
)

# CA-106: CAZ-BCN, 14-16 Nov (nights of 14 and 15 Nov), 180.00 EUR: 18 x 25 = 450.
CA_106 = (
    "CA-106;300120031;François Dupré;CAZ-BCN;BC5560006;14/11/2026;16/11/2026;"
    "180,00;EUR;22/11/2026;si\n"
)
# CA-107: CAZ-MAD, 14-16 Nov, checks in the day CA-101 checks out; claimed
# at 250.00 EUR where the folio says 200.00 (review for the amount).
CA_107 = (
    "CA-107;300120031;François Dupré;CAZ-MAD;MD5570007;14/11/2026;16/11/2026;"
    "250,00;EUR;22/11/2026;si\n"
)
MORE = (
    "CAZ-BCN,BC5560006,DUPRE/FRANCOIS MR,2026-11-14,2026-11-16,180.00,EUR,BAR,DIRECT,F-106\n"
    "CAZ-MAD,MD5570007,DUPRE/FRANCOIS MR,2026-11-14,2026-11-16,200.00,EUR,BAR,DIRECT,F-107\n"
)


@pytest.mark.parametrize(
    ("first", "last", "named"),
    [
        (date(2026, 11, 14), date(2026, 11, 14), "the night of 2026-11-14"),
        (date(2026, 11, 12), date(2026, 11, 13), "the nights of 2026-11-12 and 2026-11-13"),
        (date(2026, 12, 30), date(2027, 1, 2), "the 4 nights of 2026-12-30 to 2027-01-02"),
    ],
)
def test_nights_named(first: date, last: date, named: str) -> None:
    assert nights_named(first, last) == named


def _store(tmp_path: Path, write: Callable[..., Path], *claims: str) -> Path:
    db = tmp_path / "costa.db"
    _cf(db, "participants", "import", MEMBERS)
    _cf(db, "source", "import", str(write("pms.csv", SOURCE + MORE)))
    _cf(db, "ingest", str(write("noviembre.csv", HEADER + "".join(claims))))
    _cf(db, "verify")
    return db


def test_nights_held_by_two_claims_at_two_hotels_are_named_each(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """CA-102 (CAZ-VLC, 12-15 Nov) overlaps CA-101 (CAZ-MAD, 10-14 Nov) on
    the nights of 12 and 13 Nov, and CA-106 (CAZ-BCN, 14-16 Nov) on the
    night of 14 Nov; CA-101 and CA-106 do not overlap. All three in review;
    CA-101 and CA-106 accepted and paid 1,025 + 450 = 1,475: CA-102 is
    refused, naming both."""
    db = _store(tmp_path, write, CA_101, CA_102, CA_106)
    assert set(_outcomes(db).values()) == {"review"}
    assert _decide(db, "CA-101", "accept")[0] == 0
    assert _decide(db, "CA-106", "accept")[0] == 0
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025, "CA-106": 450}
    code, out = _decide(db, "CA-102", "accept")
    assert code == 2
    assert " ".join(out.split()) == (
        "claimflow: error: claim CA-102 (noviembre.csv:row 3): accept refused: expected "
        "none of its "
        "nights on another accepted claim of member 300120031, found the nights of "
        "2026-11-12 and 2026-11-13 on claim CA-101 (noviembre.csv:row 2) (CAZ-MAD, "
        "2026-11-10 to 2026-11-14, paid); and the night of 2026-11-14 on claim CA-106 "
        "(noviembre.csv:row 4) (CAZ-BCN, 2026-11-14 to 2026-11-16, paid): accepted, "
        "they would be paid twice; reject it, or reverse the other claims' awards "
        "(ledger reverse) first"
    ), out
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025, "CA-106": 450}


def test_a_stay_that_checks_in_the_day_another_checks_out_shares_no_night(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """CA-107 checks in on 14 Nov at CAZ-MAD, the day CA-101 (paid 1,025)
    checks out: no night in common. In review for its amount (250.00
    claimed, 200.00 on the folio), a person may accept it: paid
    25 x 25 = 625 on the amount claimed."""
    db = _store(tmp_path, write, CA_101, CA_107)
    assert _outcomes(db) == {"CA-101": "accepted", "CA-107": "review"}
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025}
    assert _decide(db, "CA-107", "accept")[0] == 0
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025, "CA-107": 625}


def test_the_query_counts_a_paid_claim_whatever_its_outcome(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """`accepted_stays_beside`: CA-101 paid (1,025) holds its nights even
    once its outcome is moved off accepted (its award stands); an id the
    store lacks has no member or dates."""
    from claimflow import Store
    from claimflow.store.verify_claim import (
        accepted_stays_beside,
        claim_outcome_and_batch,
        move_outcome,
    )

    db = _store(tmp_path, write, CA_101, CA_102)
    assert _decide(db, "CA-101", "accept")[0] == 0
    _cf(db, "award")
    with Store.open(db) as store:
        a, b = (store.resolve_claim(ref) for ref in ("CA-101", "CA-102"))
        held = (("300120031", "2026-11-12", "2026-11-15"),
                [(a, "CAZ-MAD", "2026-11-10", "2026-11-14", True)])  # fmt: skip
        assert accepted_stays_beside(store, b) == held
        with store.transaction():
            _, batch = claim_outcome_and_batch(store, a)
            move_outcome(store, a, batch, "test", "duplicate", "2026-12-01T10:00:00+01:00")
        assert accepted_stays_beside(store, b) == held
        assert accepted_stays_beside(store, "no-such-claim") == (None, [])
