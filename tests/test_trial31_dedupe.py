"""Trial 31 (a Polish client): two wrong duplicates.

1. Polish invoices are numbered in sequence, so FV/2026/301 and FV/2026/401
   are one keying slip apart: `dedupe claims` closed another rep's sale of
   another day as a certain duplicate. A look-alike invoice is certain only
   when the rest agrees (the same rep, the same invoice date, besides the
   dealer, SKU and quantity of its block); one disagreement sends it to
   review, two drop it.
2. Within a batch the earlier-received claim was closed as the duplicate of
   its own later resubmission, because it came in a later file. It now goes
   to review, `dedupe review` lists the pair, and `--reopen` takes an
   in-batch duplicate too.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import Store
from tests.dedupe.test_claims import ACME, _ingest_batches
from tests.test_cli import run

# claim, rep, dealer, invoice, invoice date, SKU, quantity, serial, received
FIRST = "A1,104233,D-MKE-02,INV-2026301,10/01/2026,GRN-115,1,,2026-10-02\n"


def _outcomes(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        return dict(
            store.db.execute(
                "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
            )
        )


@pytest.mark.parametrize(
    ("later", "summary", "outcome"),
    [
        # another rep, another invoice date: the dealer's next invoice
        ("A2,104234,D-MKE-02,INV-2026401,10/03/2026,GRN-115,1,,2026-10-03\n",
         "0 duplicates, 0 to review", "pended"),
        # another rep the same day: a person decides
        ("A2,104234,D-MKE-02,INV-2026401,10/01/2026,GRN-115,1,,2026-10-03\n",
         "0 duplicates, 1 to review", "review"),
        # the same rep on another day: a person decides
        ("A2,104233,D-MKE-02,INV-2026401,10/03/2026,GRN-115,1,,2026-10-03\n",
         "0 duplicates, 1 to review", "review"),
        # a true repeat: the same rep, date, dealer, SKU and quantity, one
        # slip (a wrong digit; two swapped digits) on the invoice
        ("A2,104233,D-MKE-02,INV-2026401,10/01/2026,GRN-115,1,,2026-10-03\n",
         "1 duplicate, 0 to review", "duplicate"),
        ("A2,104233,D-MKE-02,INV-2026310,10/01/2026,GRN-115,1,,2026-10-03\n",
         "1 duplicate, 0 to review", "duplicate"),
    ],
)  # fmt: skip
def test_a_look_alike_invoice_is_certain_only_when_the_rest_agrees(
    tmp_path: Path, write: Callable[..., Path], later: str, summary: str, outcome: str
) -> None:
    db = tmp_path / "c.db"
    _ingest_batches(db, write, FIRST + later)
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db))
    assert summary in out, out
    assert _outcomes(db)["A2"] == outcome  # (A1 is pended: no serial)
    if outcome == "review":
        assert "same invoice and SKU for the same dealer (1 keying slip), but another" in out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _mark(path: Path, decision: str) -> None:
    rows = _rows(path)
    for row in rows:
        row["decision"] = decision
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# B9: the resubmission (received 4 December) in the file named first;
# B1: the original (received 10 November), the same rep, in the next file.
RESENT = "B9,104233,D-MKE-02,INV-2026901,11/04/2026,GRN-115,1,,2026-12-04\n"
ORIGINAL = "B1,104233,D-MKE-02,INV-2026901,11/04/2026,GRN-115,1,,2026-11-10\n"


def test_the_earlier_received_claim_of_a_batch_is_not_closed_by_its_resubmission(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = tmp_path / "c.db"
    header = "Claim ID,Participant,Dealer,Invoice,Invoice Date,SKU,Qty,Serials,Received\n"
    files = [str(write(name, header + row)) for name, row in
             (("a_resent.csv", RESENT), ("b_original.csv", ORIGINAL))]  # fmt: skip
    code, _, _ = run("ingest", *files, "--client", ACME, "--db", str(db))
    assert _outcomes(db) == {"B9": "pended", "B1": "review"}  # pended: no serial
    with Store.open(db) as store:
        messages = [m for (m,) in store.db.execute(
            "SELECT p.message FROM problems p JOIN claims c ON c.id = p.claim_id "
            "WHERE json_extract(c.data, '$.claim_ref') = 'B1'"
        )]  # fmt: skip
    assert any(m.endswith(", though received before it") for m in messages)
    review = tmp_path / "review.csv"
    code, out, _ = run("dedupe", "review", "--client", ACME, "--db", str(db),
                       "--out", str(review))  # fmt: skip
    assert code == 0 and "1 claim pairs to review" in out
    (row,) = _rows(review)
    assert (row["a_ref"], row["b_ref"], row["found"]) == ("B1", "B9", "review")
    _mark(review, "different")
    code, out, _ = run("dedupe", "apply", str(review), "--db", str(db))
    assert code == 0 and "1 back to their earlier outcome" in out
    assert _outcomes(db) == {"B9": "pended", "B1": "pended"}
    code, out, _ = run("replay", "--client", ACME, "--db", str(db))
    assert (code, out) == (0, "acme-tools: 2 claims replayed, 0 changed, +0 points\n")


def test_reopen_takes_a_duplicate_closed_within_its_batch(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = tmp_path / "c.db"
    # the same day, file order: A9 is closed as A1's duplicate at ingest
    _ingest_batches(db, write, FIRST + FIRST.replace("A1,104233", "A9,104299"))
    assert _outcomes(db) == {"A1": "pended", "A9": "duplicate"}  # no serial
    review = tmp_path / "review.csv"
    code, out, _ = run("dedupe", "review", "--client", ACME, "--db", str(db),
                       "--out", str(review))  # fmt: skip
    assert code == 0 and "0 claim pairs to review" in out  # a certain one: not listed
    code, out, err = run("dedupe", "review", "--client", ACME, "--db", str(db),
                         "--out", str(review), "--reopen", "A9")  # fmt: skip
    assert code == 0 and "1 claim pairs to review" in out, err
    (row,) = _rows(review)
    assert (row["a_ref"], row["b_ref"], row["found"]) == ("A9", "A1", "duplicate")
    _mark(review, "different")
    code, out, _ = run("dedupe", "apply", str(review), "--db", str(db))
    assert code == 0 and "1 back to their earlier outcome" in out
    assert _outcomes(db) == {"A1": "pended", "A9": "pended"}
    code, out, _ = run("replay", "--client", ACME, "--db", str(db))
    assert (code, out) == (0, "acme-tools: 2 claims replayed, 0 changed, +0 points\n")
