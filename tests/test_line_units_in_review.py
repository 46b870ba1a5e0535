"""The units of an invoice line that a claim in review holds count.

Invoice INV/26/0005 of dealer D03 invoices 2 x MOTOR-5 (₹25,000). IN-201
(rep 5004) claims the 2 units at ₹12,000 (₹24,000): verification sends it to
review for the price (``source_mismatch``). IN-202 (rep 5005) claims the same
2 units at ₹12,500. Before, verification counted only the units of accepted
claims: IN-202 verified and was paid 350 points, and once a person accepted
IN-201 for its price (``claimflow decide``), ``award`` paid it 340: 4 units
paid against 2 invoiced.

Now a claim in review holds its units of the line (a person may accept it):
IN-202 goes to review (``quantity_above_invoiced``, naming IN-201), and a
person's acceptance that would pay units its verification did not count is
refused, naming the line and the claims that took its units.

Points by hand (rules FY26: 1 point per ₹100 pro rata, +50 a MOTOR-5, floor
per claim): IN-202 25,000 / 100 + 2 x 50 = 250 + 100 = 350; IN-201
24,000 / 100 + 2 x 50 = 240 + 100 = 340.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import ClaimflowError, Store, decide_claim, load_client
from tests.test_cli import run
from tests.test_trial35_regressions import (
    CLIENT,
    HEADER,
    MEMBERS,
    SOURCE,
    _cf,
    _outcomes,
    _points,
)

IN_201 = "IN-201,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,2,12000,24000,21/11/2026\n"
IN_202 = "IN-202,D03,5005,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,22/11/2026\n"
REFUSED = (
    "claim IN-201 (first.csv:row 2): accept refused: expected at most 0 more "
    "MOTOR-5 of invoice INV/26/0005 (2 invoiced, 2 on accepted claims: 2 on claim IN-202 "
    "(second.csv:row 2)), found 2: accepted, 4 would be paid; reject it, or "
    "reverse the other claim's award (ledger reverse) first"
)


def _both_in_review(tmp_path: Path, write: Callable[..., Path]) -> tuple[Path, Path]:
    """IN-201 in review for its price, then IN-202 of the same units: in review
    too, for the units IN-201 holds. Nothing paid."""
    db, client = tmp_path / "bharat.db", write("bharat.yaml", CLIENT)
    _cf(db, client, "participants", "import", str(write("members.csv", MEMBERS)))
    _cf(db, client, "source", "import", str(write("dealer_sales.csv", SOURCE)))
    _cf(db, client, "ingest", str(write("first.csv", HEADER + IN_201)))
    _, out = _cf(db, client, "verify", "--json")
    (first,) = json.loads(out)["details"]
    assert first["problems"] == [
        "source_mismatch: expected 25000.00 as in the source record, found 24000"
    ]
    _cf(db, client, "ingest", str(write("second.csv", HEADER + IN_202)))
    _, out = _cf(db, client, "verify", "--json")
    (second,) = json.loads(out)["details"]
    assert second["outcome"] == "review"
    assert second["problems"] == [
        "quantity_above_invoiced: expected at most 0 more MOTOR-5 as in the source "
        "record (2 invoiced, 2 already claimed: 2 on claim IN-201 (first.csv:row 2)), "
        "found 2"
    ]
    _cf(db, client, "award")
    assert _points(db) == {}
    return db, client


def _decide(db: Path, client: Path, claim: str, decision: str) -> tuple[int, str]:
    code, out, err = run("decide", claim, decision, "--reason", "invoice copy checked",
                         "--client", str(client), "--db", str(db), "--operator", "ann")  # fmt: skip
    return code, out + err


def _decisions(db: Path) -> int:
    with Store.open(db) as store:
        return store.count("review_decisions")


def test_a_claim_in_review_holds_its_units_and_an_unshown_acceptance_is_refused(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db, client = _both_in_review(tmp_path, write)
    # The person accepts IN-202, shown IN-201's units: nothing else is
    # accepted on the line, so 2 of 2 are paid.
    assert _decide(db, client, "IN-202", "accept")[0] == 0
    _cf(db, client, "award")
    assert _points(db) == {"IN-202": 350}
    # Accepting IN-201 for its price would pay 2 more of the 2 invoiced:
    # refused in one line, nothing written.
    code, out = _decide(db, client, "IN-201", "accept")
    assert code == 2
    assert " ".join(out.split()) == f"claimflow: error: {REFUSED}", out
    assert "Traceback" not in out
    assert _outcomes(db) == {"IN-201": "review", "IN-202": "accepted"}
    assert _decisions(db) == 1
    _cf(db, client, "award")
    assert _points(db) == {"IN-202": 350}  # 2 units paid of 2 invoiced
    # Rejecting it stays open to the person, and the same rules replay it.
    assert _decide(db, client, "IN-201", "reject")[0] == 0
    code, out = _cf(db, client, "replay")
    assert code == 0 and "0 changed" in out, out


def test_the_library_refuses_the_acceptance_too(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db, client_path = _both_in_review(tmp_path, write)
    client = load_client(client_path)
    with Store.open(db) as store:
        decide_claim("IN-202", "accept", client, store, reason="checked")
        with pytest.raises(ClaimflowError) as refused:
            decide_claim("IN-201", "accept", client, store, reason="price checked")
        assert str(refused.value) == REFUSED
        assert store.count("review_decisions") == 1


def test_once_the_other_claim_is_refunded_the_units_are_free_again(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-202 paid, then refunded (``ledger reverse``: void): its units no
    longer count, and IN-201 may be accepted and paid 340."""
    db, client = _both_in_review(tmp_path, write)
    _decide(db, client, "IN-202", "accept")
    _cf(db, client, "award")
    _cf(db, client, "ledger", "reverse", "IN-202", "--reason", "sale cancelled")
    assert _decide(db, client, "IN-201", "accept")[0] == 0
    _cf(db, client, "award")
    assert _points(db) == {"IN-202": 0, "IN-201": 340}  # 350 - 350, and 340


def test_a_person_shown_the_units_may_still_pay_them(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-201 accepted first (no other claim accepted on the line: 2 of 2),
    then IN-202, in review for exactly these units with IN-201 named: the
    person's call (a dealer export short of the paper invoice), paid as
    decided and replayed unchanged."""
    db, client = _both_in_review(tmp_path, write)
    assert _decide(db, client, "IN-201", "accept")[0] == 0
    assert _decide(db, client, "IN-202", "accept")[0] == 0
    _cf(db, client, "award")
    assert _points(db) == {"IN-201": 340, "IN-202": 350}
    code, out = _cf(db, client, "replay")
    assert code == 0 and "0 changed" in out, out


IN_501 = "IN-501,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,25/11/2026\n"
IN_502 = "IN-502,D03,5005,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,21/11/2026\n"


def _marked_different(tmp_path: Path, db: Path, client: Path) -> Path:
    """``dedupe review --reopen IN-501``, its pair marked different."""
    out = tmp_path / "reviewed.csv"
    _cf(db, client, "dedupe", "review", "--out", str(out), "--reopen", "IN-501")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["a_ref"], r["b_ref"]) for r in rows] == [("IN-501", "IN-502")]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "decision": "different"} for r in rows)
    return out


def test_a_duplicate_marked_different_is_not_paid_units_another_claim_was_paid(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-501 (rep 5004, received 25 Nov) is verified first: 2 of the 2
    MOTOR-5. IN-502 (rep 5005) arrives later but was received on 21 Nov:
    ``dedupe claims`` takes it as the original and closes IN-501 as its
    duplicate; IN-502 verifies (IN-501 closed holds none) and is paid 350.
    Before, a reviewer marking the pair different gave IN-501 back its
    accepted outcome and ``award`` paid it 350 more: 4 units against 2.
    Now the marks are refused, naming the line, and nothing is stored."""
    db, client = tmp_path / "bharat.db", write("bharat.yaml", CLIENT)
    _cf(db, client, "participants", "import", str(write("members.csv", MEMBERS)))
    _cf(db, client, "source", "import", str(write("dealer_sales.csv", SOURCE)))
    _cf(db, client, "ingest", str(write("first.csv", HEADER + IN_501)))
    _cf(db, client, "verify")
    _cf(db, client, "ingest", str(write("second.csv", HEADER + IN_502)))
    _cf(db, client, "dedupe", "claims")
    _cf(db, client, "verify")
    _cf(db, client, "award")
    assert (_outcomes(db), _points(db)) == (
        {"IN-501": "duplicate", "IN-502": "accepted"}, {"IN-502": 350}
    )
    reviewed = _marked_different(tmp_path, db, client)
    code, out, err = run("dedupe", "apply", str(reviewed), "--db", str(db))
    assert code == 2
    assert " ".join(err.split()) == (
        f"claimflow: error: {reviewed}: row 2: claim IN-501 (first.csv:row 2): marked "
        "different, it would be accepted again: expected at most 0 more MOTOR-5 of "
        "invoice INV/26/0005 (2 invoiced, 2 on accepted claims: 2 on claim IN-502 "
        "(second.csv:row 2)), found 2: accepted, 4 would be paid; mark it same, or "
        "reverse the other claim's award (ledger reverse) first"
    ), err
    with Store.open(db) as store:
        assert store.count("dedupe_decisions") == 0
    _cf(db, client, "award")
    assert (_outcomes(db), _points(db)) == (
        {"IN-501": "duplicate", "IN-502": "accepted"}, {"IN-502": 350}
    )
    # IN-502's sale cancelled (refunded, void): its units are free, and the
    # same marks give IN-501 back its outcome; award pays it 350.
    _cf(db, client, "ledger", "reverse", "IN-502", "--reason", "sale cancelled")
    code, out, err = run("dedupe", "apply", str(reviewed), "--db", str(db))
    assert code == 0, err
    _cf(db, client, "award")
    assert _points(db) == {"IN-502": 0, "IN-501": 350}
