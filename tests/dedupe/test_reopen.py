"""A claim closed as a certain duplicate can be reopened by a person.

Trials 17-19 left this open: `dedupe claims` closes a claim whose serial
an earlier claim holds, and a coordinator who then sees on the invoice that
the serial was misread (another unit, another sale) had no way back:
`dedupe review` listed only doubtful pairs. `dedupe review --reopen CLAIM`
lists the pair that closed it; marked *different*, the claim gets back its
outcome before dedupe, is paid by the next award, is never flagged again
for that pair, and replay under unchanged rules reports no change.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from claimflow import Store
from tests.dedupe.test_claims import ACME, _ingest_batches
from tests.test_cli import run

OCTOBER = "A1,104233,D-CHI-01,INV-20417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
# B1: another rep's sale, its serial misread as A1's (DR10000071 on the invoice)
NOVEMBER = (
    "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
    "B2,104877,D-IND-03,INV-30002,11/02/2026,IMP-450,1,IM30000001,2026-11-10\n"
)


def _closed(tmp_path: Path, write: Callable[..., Path]) -> Path:
    db = tmp_path / "c.db"
    _ingest_batches(db, write, OCTOBER, NOVEMBER)
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db))
    assert code == 1 and "1 duplicate, 0 to review" in out
    return db


def _outcomes(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        return dict(
            store.db.execute(
                "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
            )
        )


def _review(db: Path, out: Path, *reopen: str) -> tuple[int, str, str]:
    flags = [a for ref in reopen for a in ("--reopen", ref)]
    return run("dedupe", "review", "--client", ACME, "--db", str(db),
               "--out", str(out), *flags)  # fmt: skip


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_wrongly_closed_duplicate_marked_different_is_reopened_and_paid(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = _closed(tmp_path, write)
    assert _outcomes(db)["B1"] == "duplicate"
    review = tmp_path / "review.csv"
    # without --reopen the certain pair is not listed: nothing is doubtful
    code, out, _ = _review(db, review)
    assert code == 0 and "0 claim pairs to review" in out
    code, out, _ = _review(db, review, "B1")
    assert code == 0 and "1 claim pairs to review" in out
    (row,) = _rows(review)
    assert (row["a_ref"], row["b_ref"], row["found"]) == ("B1", "A1", "duplicate")
    assert row["decision"] == ""
    row["decision"] = "different"
    _write(review, [row])
    code, out, _ = run("dedupe", "apply", str(review), "--db", str(db),
                       "--operator", "ann")  # fmt: skip
    assert (code, out) == (
        0,
        "1 decision stored: 0 claims now duplicates, 1 back to their earlier outcome\n",
    )
    assert _outcomes(db) == {"A1": "accepted", "B1": "accepted", "B2": "accepted"}
    with Store.open(db) as store:
        stages = store.db.execute(
            "SELECT o.stage, o.outcome FROM outcomes o JOIN claims c ON c.id = o.claim_id "
            "WHERE json_extract(c.data, '$.claim_ref') = 'B1' ORDER BY o.id"
        ).fetchall()
    assert stages == [
        ("validate", "accepted"),
        ("dedupe", "duplicate"),
        ("dedupe review", "accepted"),
    ]
    # never flagged again for that pair
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db))
    assert code == 0 and "0 duplicates, 0 to review" in out
    # paid: one DRL-200 sold on 2 November, version 2026.2 pays 30 a drill,
    # doubled by the q4-cordless promotion (15 October to 31 December): 60
    code, _, _ = run("award", "--client", ACME, "--db", str(db))
    assert code == 0
    with Store.open(db) as store:
        points = dict(
            store.db.execute(
                "SELECT json_extract(c.data, '$.claim_ref'), a.points FROM awards a "
                "JOIN claims c ON c.id = a.claim_id"
            )
        )
    assert points["B1"] == 60
    # its export and story no longer give it a duplicate's reason (trial 27:
    # an accepted, paid claim exported with serial_claimed_before)
    export = tmp_path / "claims.csv"
    code, _, _ = run("export", "claims", "--client", ACME, "--db", str(db),
                     "--out", str(export))  # fmt: skip
    assert code == 0
    exported = {r["claim_ref"]: r for r in _rows(export)}
    assert exported["B1"]["outcome"] == "accepted"
    assert "serial_claimed_before" not in exported["B1"]["reason_codes"]
    code, out, _ = run("show", "B1", "--client", ACME, "--db", str(db), "--json")
    assert code == 0 and "serial_claimed_before" not in json.loads(out)["problems"].__repr__()
    assert "serial_claimed_before" in json.loads(out)["matches"].__repr__()  # on record
    # replay under unchanged rules: the reviewer's mark stands, nothing changed
    code, out, _ = run("replay", "--client", ACME, "--db", str(db))
    assert (code, out) == (0, "acme-tools: 3 claims replayed, 0 changed, +0 points\n")


def test_a_reopened_row_left_blank_leaves_the_finding_standing(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = _closed(tmp_path, write)
    review = tmp_path / "review.csv"
    _review(db, review, "B1")
    code, out, _ = run("dedupe", "apply", str(review), "--db", str(db))
    assert (code, out) == (0, "0 decisions stored\n")
    assert _outcomes(db)["B1"] == "duplicate"
    # marked same: it stays a duplicate, no new outcome row
    (row,) = _rows(review)
    row["decision"] = "same"
    _write(review, [row])
    code, out, _ = run("dedupe", "apply", str(review), "--db", str(db))
    assert code == 0 and "0 claims now duplicates" in out
    assert _outcomes(db)["B1"] == "duplicate"


def test_reopening_a_claim_no_dedupe_run_closed_is_refused_in_one_line(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = _closed(tmp_path, write)
    review = tmp_path / "review.csv"
    code, out, err = _review(db, review, "B2")
    assert code == 2 and out == ""
    assert err.strip().endswith(
        "claim B2: not a duplicate (its outcome is accepted): "
        "no duplicate pair to review"
    )
    assert len(err.strip().splitlines()) == 1 and not review.exists()
    code, _, err = _review(db, review, "NO-SUCH")
    assert code == 2 and "no claim with the id or reference 'NO-SUCH'" in err
    # a repeat within one batch closed at ingest is reopened too (trial 31):
    # tests/test_trial31_regressions.py
