"""A pended claim's correction in the same batch as the claim it corrects.

Trial (an Argentine dealer program): the desk ingested the participant's
file and their corrected file together (``claimflow ingest orig.csv
fix.csv``). The correction was closed as ``duplicate`` of the pended
original (``duplicate_serial_in_batch``, ``duplicate_invoice_line_in_batch``),
``dedupe claims`` found nothing to do, ``award`` paid 0 points, and the
participant was told the sale was "already claimed". Now the correction is
the original's resubmission, as across batches: accepted at ingest, then
``dedupe claims`` supersedes the pended claim; 30 points are paid once.

Hand-worked award (acme-tools rule set 2026.2): 1 x DRL-200 at 30 points
(``drill``); the invoice date 10/02/2026 is before the ``q4-cordless``
window (from 2026-10-15), so no multiplier: 30 points.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from claimflow import batch_run
from tests.conftest import SAMPLES
from tests.test_cli import ACME_CONFIG, run

HEADER = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Dealer Name,Invoice No,Invoice Date,"
    "Product Code,Qty,Unit Price,Line Amount,Serial Numbers,Received,Invoice Attached\n"
)
SALE = (
    "{ref},{rep},Maria Lopez,D-CHI-01,Midwest Supply Co,INV-20417,10/02/2026,"
    "DRL-200,1,149.00,{amount},DR10000017,{received},yes\n"
)
# the line amount keyed with a letter O: pended (invalid_number)
PENDED = SALE.format(
    ref="AC-7001", rep="104233", amount='"149,0O"', received="2026-10-20T09:14:00"
)
FIXED = SALE.format(
    ref="AC-7001", rep="104233", amount="149.00", received="2026-10-21T10:00:00"
)
SOURCE = (
    "invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers\n"
    "INV-20417,2026-10-02,D-CHI-01,DRL-200,1,149.00,DR10000017\n"
)
AT = "2026-10-21T11:00"


def _opts(tmp_path: Path) -> list[str]:
    return ["--client", ACME_CONFIG, "--db", str(tmp_path / "store.db")]


def _outcomes(opts: list[str]) -> list[tuple[str, str, str]]:
    code, out, err = run("export", "claims", *opts, "--out", "-")
    assert code == 0, err
    rows = csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    return [(Path(r["source"]).name, r["outcome"], r["reason_codes"]) for r in rows]


def _award(tmp_path: Path, opts: list[str]) -> int:
    source = tmp_path / "dealer_sales.csv"
    source.write_text(SOURCE, encoding="utf-8")
    members = str(SAMPLES / "acme-tools" / "participants.csv")
    assert run("participants", "import", members, *opts)[0] == 0
    assert run("source", "import", str(source), *opts)[0] in (0, 1)
    code, out, err = run("award", *opts, "--json")
    assert code in (0, 1), (out, err)
    code, out, err = run("ledger", "balance", "104233", *opts, "--json")
    assert code == 0, err
    return int(json.loads(out)["total"])


def _superseded(found: dict[str, Any]) -> str:
    """The id of the one claim a `dedupe claims --json` run superseded."""
    [pair] = found["superseded"]
    return str(pair["supersedes"])


def _check_superseded_and_paid(tmp_path: Path, opts: list[str]) -> None:
    """`dedupe claims`, award, replay and the SLA events after an ingest that
    left the original pended and its correction accepted."""
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0, (out, err)
    found = json.loads(out)
    assert found["duplicates"] == 0 and found["matches"] == [], found
    assert len(found["superseded"]) == 1, found
    assert _award(tmp_path, opts) == 30  # 1 x DRL-200 at 30 points, once
    code, out, err = run("replay", *opts, "--json")
    assert code == 0, (out, err)
    assert json.loads(out)["changed"] == 0, out
    code, out, err = run("dedupe", "claims", *opts, "--json")  # a re-run: no-op
    assert code == 0 and json.loads(out)["superseded"] == [], (out, err)
    code, out, err = run("show", _superseded(found), "--json", *opts)
    assert code == 0, err
    story = json.loads(out)
    assert story["notices"] == [], story["notices"]  # never asked to send it again
    events = [
        (e["event"], e["at"])
        for e in story["events"]
        if e["event"] in ("pended", "resubmitted", "decided")
    ]
    # pended at the batch's time, then decided once, as superseded, when the
    # correction arrived (21 Oct 10:00 at the desk, Chicago: -05:00)
    assert events == [
        ("pended", "2026-10-21T11:00:00-05:00"),
        ("resubmitted", "2026-10-21T10:00:00-05:00"),
        ("decided", "2026-10-21T10:00:00-05:00"),
    ], events


def _notices(folder: Path) -> dict[str, str]:
    """The .txt notices written to `folder` (none when it was not made)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def test_a_correction_in_a_second_file_of_the_same_ingest_supersedes(
    tmp_path: Path,
) -> None:
    """Before: pended + duplicate at ingest, dedupe 0 superseded, 0 points.
    After: pended + accepted, then superseded + accepted, 30 points.

    The participant gets no notice for the pended claim: its correction came
    in the same ingest. Before, ``ingest --notices`` wrote 104233 a notice
    asking for the line amount again (``we read: 149,0O``), and ``notices
    write`` wrote it again from the store, after the correction was paid."""
    opts = _opts(tmp_path)
    orig, fix = tmp_path / "orig.csv", tmp_path / "fix.csv"
    orig.write_text(HEADER + PENDED, encoding="utf-8")
    fix.write_text(HEADER + FIXED, encoding="utf-8")
    code, out, err = run("check", str(orig), str(fix), "--client", ACME_CONFIG,
                         "--at", AT, "--json")  # fmt: skip
    assert code == 1 and json.loads(out)["notices"] == [], (out, err)
    notices = tmp_path / "notices"
    code, out, err = run(
        "ingest", str(orig), str(fix), *opts, "--at", AT, "--notices", str(notices)
    )
    assert code == 1, (out, err)  # one claim pended
    assert _notices(notices) == {}, _notices(notices)
    assert _outcomes(opts) == [
        ("orig.csv:row 2", "pended", "invalid_number"),
        ("fix.csv:row 2", "accepted", ""),
    ]
    _check_superseded_and_paid(tmp_path, opts)
    assert _outcomes(opts) == [
        ("orig.csv:row 2", "superseded", "invalid_number"),
        ("fix.csv:row 2", "accepted", ""),
    ]
    later = tmp_path / "later"
    assert run("dedupe", "claims", *opts, "--notices", str(later))[0] == 0
    store = ["--db", str(tmp_path / "store.db")]
    assert run("notices", "write", "--batch", "1", "--out", str(later), *store)[0] == 0
    assert _notices(later) == {}, _notices(later)


def test_a_correction_later_in_the_same_file_supersedes(tmp_path: Path) -> None:
    """The two rows in one file, another claim between them: row 4 corrects
    row 2. (Rows of one reference next to each other are one claim's lines:
    with other details they are refused, as before, naming the row.)"""
    opts = _opts(tmp_path)
    both = tmp_path / "both.csv"
    both.write_text(HEADER + PENDED + FIXED, encoding="utf-8")
    code, _, err = run("ingest", str(both), *opts, "--at", AT)
    assert code == 2 and "row 3:Received: claim 'AC-7001'" in err, err
    both.write_text(HEADER + PENDED + _filler(1, 100) + FIXED, encoding="utf-8")
    notices = tmp_path / "notices"
    assert run("ingest", str(both), *opts, "--at", AT, "--notices", str(notices))[0] == 1
    assert _notices(notices) == {}, _notices(notices)
    assert _outcomes(opts) == [
        ("both.csv:row 2", "pended", "invalid_number"),
        ("both.csv:row 3", "accepted", ""),
        ("both.csv:row 4", "accepted", ""),
    ]
    _check_superseded_and_paid(tmp_path, opts)
    outcomes = _outcomes(opts)
    assert (outcomes[0][1], outcomes[2][1]) == ("superseded", "accepted"), outcomes


def _filler(n: int, start: int) -> str:
    """`n` unrelated accepted claims (own serials and invoices)."""
    return "".join(
        f"AC-{start + i},104876,James O'Neill,D-CHI-01,Midwest Supply Co,"
        f"INV-{30000 + start + i},10/05/2026,SAW-310,1,229.00,229.00,"
        f"SW{20000000 + start + i},2026-10-20T09:20:00,yes\n"
        for i in range(n)
    )


# a third claim of the sale, by another rep, after the correction
OTHER = SALE.format(
    ref="AC-7002", rep="104876", amount="149.00", received="2026-10-21T10:30:00"
)


@pytest.mark.parametrize(("chunk", "workers"), [(10_000, 1), (3, 1), (3, 2)])
def test_chunks_and_workers_give_the_same_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, workers: int
) -> None:
    """The pended claim, its correction and another rep's claim of the same
    sale, several chunks apart (chunks of 3 rows): the correction is
    accepted and the other rep's claim is the correction's duplicate (the
    superseded claim is no one's original), in one chunk or many."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    opts = _opts(tmp_path)
    path = tmp_path / "many.csv"
    body = PENDED + _filler(4, 100) + FIXED + _filler(4, 200) + OTHER
    path.write_text(HEADER + body, encoding="utf-8")
    notices = tmp_path / "notices"
    code, out, err = run("ingest", str(path), *opts, "--at", AT,
                         "--workers", str(workers), "--notices", str(notices))  # fmt: skip
    assert code == 1, (out, err)
    # 104876's duplicate is told; 104233's pended claim, corrected rows
    # later (another chunk), asks for nothing
    assert list(_notices(notices)) == ["acme-tools-1-104876.txt"], _notices(notices)
    outcomes = _outcomes(opts)
    assert outcomes[0] == ("many.csv:row 2", "pended", "invalid_number")
    assert outcomes[5] == ("many.csv:row 7", "accepted", "")
    assert outcomes[10] == (
        "many.csv:row 12",
        "duplicate",
        "duplicate_serial_in_batch,duplicate_invoice_line_in_batch",
    )
    assert [o for _, o, _ in outcomes].count("accepted") == 9  # 8 fillers + the fix
    code, out, err = run("show", "AC-7002", *opts, "--json")
    assert code == 0, err
    said = " ".join(p["message"] for p in json.loads(out)["problems"])
    # the duplicate names the correction (row 7, received 21 Oct), not row 2
    assert "received 2026-10-21" in said and "row 7" in said, said
    assert "row 2" not in said, said
    _check_superseded_and_paid(tmp_path, opts)


def test_another_reps_claim_of_a_pended_sale_is_still_its_duplicate(
    tmp_path: Path,
) -> None:
    """Only the pended claim's own participant corrects it: another rep's
    claim of the same sale in the batch stays a duplicate (nothing paid)."""
    opts = _opts(tmp_path)
    path = tmp_path / "two.csv"
    path.write_text(HEADER + PENDED + OTHER, encoding="utf-8")
    notices = tmp_path / "notices"
    assert run("ingest", str(path), *opts, "--at", AT, "--notices", str(notices))[0] == 1
    assert [o for _, o, _ in _outcomes(opts)] == ["pended", "duplicate"]
    # nothing corrected the pended claim: its participant is still asked
    asked = _notices(notices)["acme-tools-1-104233.txt"]
    assert "line amount" in asked and "(we read: 149,0O)" in asked, asked


def test_a_replay_window_holding_the_correction_alone_changes_nothing(
    tmp_path: Path,
) -> None:
    """`replay --since 2026-10-21` decides the correction (received 21 Oct)
    and takes the original (20 Oct) as recorded: it showed 1 changed,
    accepted -> duplicate, -30 points. The recorded original is still read
    for what it was pended for: 0 changed."""
    opts = _opts(tmp_path)
    orig, fix = tmp_path / "orig.csv", tmp_path / "fix.csv"
    orig.write_text(HEADER + PENDED, encoding="utf-8")
    fix.write_text(HEADER + FIXED, encoding="utf-8")
    assert run("ingest", str(orig), str(fix), *opts, "--at", AT)[0] == 1
    _check_superseded_and_paid(tmp_path, opts)
    code, out, err = run("replay", *opts, "--since", "2026-10-21", "--json")
    assert code == 0, (out, err)
    assert json.loads(out)["changed"] == 0, out


def test_a_stays_correction_in_the_same_file_supersedes(tmp_path: Path) -> None:
    """costa-azul: CA-501's room revenue keyed ``412,5O`` (pended
    invalid_number), another member's claim, then CA-501 again with
    ``412,50``. Before: the correction was ``duplicate_stay_in_batch``. Now
    it is accepted and ``dedupe claims`` supersedes the pended claim."""
    sample = SAMPLES / "costa-azul" / "claims" / "octubre.csv"
    header, first, second = sample.read_text(encoding="latin-1").splitlines()[:3]
    assert ";412,50;" in first and ";20/10/2026;" in first
    pended = first.replace(";412,50;", ";412,5O;")
    fixed = first.replace(";20/10/2026;", ";21/10/2026;")
    path = tmp_path / "estancias.csv"
    path.write_text("\n".join([header, pended, second, fixed]) + "\n", encoding="latin-1")
    client = str(SAMPLES / "clients" / "costa-azul.yaml")
    opts = ["--client", client, "--db", str(tmp_path / "store.db")]
    assert run("ingest", str(path), *opts, "--at", "2026-10-21T11:00")[0] == 1
    outcomes = _outcomes(opts)
    assert (outcomes[0][1:], outcomes[2][1:]) == (
        ("pended", "invalid_number"),
        ("accepted", ""),
    ), outcomes
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0, (out, err)
    assert len(json.loads(out)["superseded"]) == 1, out
    assert _outcomes(opts)[0][1] == "superseded"


# AC-7001 with its quantity keyed '1.000' (one, or one thousand?): pended
# (invalid_number) for a value naming its sale; the correction keys 1
UNREAD = PENDED.replace('"149,0O"', "149.00").replace(",DRL-200,1,", ",DRL-200,1.000,")


@pytest.mark.parametrize("order", ["orig fix", "fix orig"])
def test_an_unread_quantity_corrected_in_the_same_ingest_asks_for_nothing(
    tmp_path: Path, order: str
) -> None:
    """Before: the correction was accepted, ``dedupe claims`` superseded the
    pended claim and 30 points were paid, but 104233 was still written
    'quantity: we could not read this number of units: please send it
    again ... (we read: 1.000)'. The batch now takes the correction
    for its resubmission, as ``dedupe claims`` does: no notice; and in
    either order of the files (the fix first: before, the pended claim was
    closed as the fix's duplicate)."""
    opts = _opts(tmp_path)
    orig, fix = tmp_path / "orig.csv", tmp_path / "fix.csv"
    orig.write_text(HEADER + UNREAD, encoding="utf-8")
    fix.write_text(HEADER + FIXED, encoding="utf-8")
    files = [str(orig), str(fix)] if order == "orig fix" else [str(fix), str(orig)]
    code, out, err = run("check", *files, "--client", ACME_CONFIG, "--at", AT, "--json")
    assert code == 1 and json.loads(out)["notices"] == [], (out, err)
    notices = tmp_path / "notices"
    code, out, err = run("ingest", *files, *opts, "--at", AT, "--notices", str(notices))
    assert code == 1, (out, err)
    assert _notices(notices) == {}, _notices(notices)
    assert sorted(_outcomes(opts)) == [
        ("fix.csv:row 2", "accepted", ""),
        ("orig.csv:row 2", "pended", "invalid_number"),
    ]
    _check_superseded_and_paid(tmp_path, opts)
    assert ("orig.csv:row 2", "superseded", "invalid_number") in _outcomes(opts)


@pytest.mark.parametrize(("chunk", "workers"), [(10_000, 1), (3, 1), (3, 2)])
def test_an_unread_claim_and_its_correction_chunks_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, workers: int
) -> None:
    """The unread claim, fillers, its correction (rows 2 and 7): the notice
    leaves the claim out in one chunk or many, on one worker or two."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    opts = _opts(tmp_path)
    path = tmp_path / "many.csv"
    path.write_text(HEADER + UNREAD + _filler(4, 100) + FIXED, encoding="utf-8")
    notices = tmp_path / "notices"
    code, out, err = run("ingest", str(path), *opts, "--at", AT,
                         "--workers", str(workers), "--notices", str(notices))  # fmt: skip
    assert code == 1, (out, err)
    assert _notices(notices) == {}, _notices(notices)
    _check_superseded_and_paid(tmp_path, opts)


def test_an_unread_claim_another_rep_repeats_is_still_asked(tmp_path: Path) -> None:
    """Another rep's claim of the sale corrects nothing: 104233 is asked for
    the quantity (nothing dropped), and ``dedupe claims`` supersedes nothing."""
    opts = _opts(tmp_path)
    path = tmp_path / "two.csv"
    path.write_text(HEADER + UNREAD + OTHER, encoding="utf-8")
    notices = tmp_path / "notices"
    assert run("ingest", str(path), *opts, "--at", AT, "--notices", str(notices))[0] == 1
    asked = _notices(notices)["acme-tools-1-104233.txt"]
    assert "quantity" in asked and "(we read: 1.000)" in asked, asked
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code in (0, 1) and json.loads(out)["superseded"] == [], (out, err)


@pytest.mark.parametrize("rows", ["two files", "one file"])
def test_a_pended_claim_after_its_correction_is_superseded_once_paid(
    tmp_path: Path, rows: str
) -> None:
    """The correction (received 21 Oct) before the claim it corrects
    (received 20 Oct, line amount '149,0O'): ``ingest fix.csv orig.csv``,
    or one file with the rows out of order. Before: the pended claim was
    held in review as a possible duplicate of its own correction, 104233
    was asked to send the amount again, and ``dedupe claims`` closed the
    correction as the pended claim's duplicate: 0 points. Now it is handled
    as in file order: no notice, the correction supersedes it, 30 points."""
    opts = _opts(tmp_path)
    if rows == "two files":
        fix, orig = tmp_path / "fix.csv", tmp_path / "orig.csv"
        fix.write_text(HEADER + FIXED, encoding="utf-8")
        orig.write_text(HEADER + PENDED, encoding="utf-8")
        files = [str(fix), str(orig)]
    else:
        both = tmp_path / "both.csv"
        both.write_text(HEADER + FIXED + _filler(1, 100) + PENDED, encoding="utf-8")
        files = [str(both)]
    notices = tmp_path / "notices"
    code, out, err = run("ingest", *files, *opts, "--at", AT, "--notices", str(notices))
    assert code == 1, (out, err)
    assert _notices(notices) == {}, _notices(notices)
    outcomes = [(o, r) for _, o, r in _outcomes(opts)]
    assert outcomes[0] == ("accepted", "") and outcomes[-1] == ("pended", "invalid_number")
    _check_superseded_and_paid(tmp_path, opts)
    assert _outcomes(opts)[-1][1] == "superseded"


def test_one_correction_of_two_unread_claims_supersedes_both(tmp_path: Path) -> None:
    """AC-7001 (DRL-200) and AC-7002 (SAW-310) of invoice INV-20417, each
    with quantity '1.000', then AC-7003 with both lines keyed 1: the batch
    leaves both out of the notice exactly when ``dedupe claims`` supersedes
    both (by their serials and invoice lines), so the notice and the outcome
    agree."""
    saw = UNREAD.replace("AC-7001", "AC-7002").replace("DRL-200,1.000,149.00,149.00,DR10000017",
                                                       "SAW-310,1.000,229.00,229.00,SW20000001")  # fmt: skip
    both = FIXED.replace("AC-7001", "AC-7003")
    second = both.replace("DRL-200,1,149.00,149.00,DR10000017", "SAW-310,1,229.00,229.00,SW20000001")  # fmt: skip
    opts = _opts(tmp_path)
    orig, fix = tmp_path / "orig.csv", tmp_path / "fix.csv"
    orig.write_text(HEADER + UNREAD + saw, encoding="utf-8")
    fix.write_text(HEADER + both + second, encoding="utf-8")
    notices = tmp_path / "notices"
    code, out, err = run("ingest", str(orig), str(fix), *opts, "--at", AT, "--notices", str(notices))  # fmt: skip
    assert code == 1, (out, err)
    assert _notices(notices) == {}, _notices(notices)
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0, (out, err)
    assert len(json.loads(out)["superseded"]) == 2, out
    assert [o for _, o, _ in _outcomes(opts)] == ["superseded", "superseded", "accepted"]
