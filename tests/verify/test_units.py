"""`units_refusal`: when a person's decision would pay units its verification did not count.

The store of `tests.test_line_units_in_review`: invoice INV/26/0005 invoices
2 x MOTOR-5; IN-201 (2 units, in review for its price) and IN-202 (2 units,
in review for the units IN-201 holds, IN-201 named).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from claimflow import Store, decide_claim, load_client
from claimflow.verify.units import units_refusal
from tests.test_line_units_in_review import _both_in_review

IN_201_OVER = (
    "expected at most 0 more MOTOR-5 of invoice INV/26/0005 (2 invoiced, 2 on "
    "accepted claims: 2 on claim IN-202 (second.csv:row 2)), found 2: accepted, "
    "4 would be paid"
)


def test_only_units_the_check_counted_may_be_paid_over_the_invoice(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db, client_path = _both_in_review(tmp_path, write)
    with Store.open(db) as store:
        ids = dict(store.db.execute("SELECT json_extract(data, '$.claim_ref'), id FROM claims"))
        # nothing accepted on the line yet: 2 of 2 fit, whoever asks
        for claim in ("IN-201", "IN-202"):
            for shown in (False, True):
                assert units_refusal(store, ids[claim], shown) is None
        decide_claim("IN-202", "accept", load_client(client_path), store, reason="checked")
        # IN-201 + IN-202 = 4 of 2; IN-201's check never counted IN-202
        # (matched after it), so even a claim in review for its units is refused
        for shown in (False, True):
            assert units_refusal(store, ids["IN-201"], shown) == (IN_201_OVER, True)


def test_units_its_check_counted_and_showed_are_the_persons_call(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-201 accepted first; IN-202's check counted IN-201's 2 units (its
    message named them): shown, the person may pay them; not shown (IN-202
    in review for something else), it is refused."""
    db, client_path = _both_in_review(tmp_path, write)
    with Store.open(db) as store:
        ids = dict(store.db.execute("SELECT json_extract(data, '$.claim_ref'), id FROM claims"))
        decide_claim("IN-201", "accept", load_client(client_path), store, reason="checked")
        assert units_refusal(store, ids["IN-202"], True) is None
        assert units_refusal(store, ids["IN-202"], False) == (
            "expected at most 0 more MOTOR-5 of invoice INV/26/0005 (2 invoiced, 2 on "
            "accepted claims: 2 on claim IN-201 (first.csv:row 2)), found 2: accepted, "
            "4 would be paid",
            True,
        )
