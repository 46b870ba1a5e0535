"""Clerks racing with the writers added since the first concurrency test:
decisions on claims in review, reversals, goodwill adjustments retried,
case contacts, expiry, beside award, verify and redemption.

Each writer is a process of its own running a CLI command (as clerks'
terminals do), ten at once, 20 rounds, on one store: SQLite here, a
PostgreSQL schema under ``--backend postgresql``. Every round races:

- ``decide M-n accept`` against ``decide M-n reject`` (one must win, the
  other be refused in one line), while ``award`` may pay M-n;
- ``ledger reverse L-n`` (a paid claim refunded) against ``ledger redeem``
  of the same member's points;
- the same goodwill adjustment twice (a clerk's retry: posted once);
- a case contact, ``verify`` and ``ledger expire``.

Setup, by hand: 20 claims L-n (1 drill each, 30 points, member 104233)
verified and paid, 600 points; 20 claims M-n (2 drills of the same
invoice line, member 104876) in review for the line claimed with another
quantity (the source invoices hold 3 units: both fit).
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from claimflow import Store
from tests.conftest import SAMPLES
from tests.store.test_concurrency import _config, _writer
from tests.test_cli import run

ROUNDS = 20
HEADER = (
    "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,"
    "Serial Numbers,Received,Invoice Attached\n"
)
REDEEM = 25  # 20 x 25 = 500 of the 600 points, while refunds take 30 a round


def _setup(tmp: Path, db: str, config: str) -> int:
    """The store of the module docstring; returns the case the rounds contact."""
    paid, review = tmp / "paid.csv", tmp / "review.csv"
    paid.write_text(HEADER + "".join(
        f"L-{n},104233,D-CHI-01,INV-7{n:04d},10/05/2026,DRL-200,1,DR71{n:06d},2026-10-20,yes\n"
        for n in range(ROUNDS)
    ))  # fmt: skip
    review.write_text(HEADER + "".join(
        f"M-{n},104876,D-CHI-01,INV-7{n:04d},10/05/2026,DRL-200,2,"
        f"DR61{n:06d} DR51{n:06d},2026-10-21,yes\n"
        for n in range(ROUNDS)
    ))  # fmt: skip
    sales = tmp / "sales.csv"
    sales.write_text(
        "invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers\n"
        + "".join(
            f"INV-7{n:04d},2026-10-05,D-CHI-01,DRL-200,3,447.00,"
            f"DR71{n:06d} DR61{n:06d} DR51{n:06d}\n"
            for n in range(ROUNDS)
        )
    )
    members = str(SAMPLES / "acme-tools/participants.csv")
    steps = [
        ["participants", "import", members],
        ["ingest", str(paid)],
        ["source", "import", str(sales)],
        ["award"],
        ["ingest", str(review)],
        ["dedupe", "claims"],
    ]
    for step in steps:
        code, out, err = run(*step, "--client", config, "--db", db)
        assert code in (0, 1), (step, out, err)
    code, out, err = run(
        "cases", "open", "104233", "--type", "inquiry", "--owner", "ann",
        "--at", "2026-11-02T09:00", "--client", config, "--db", db, "--json",
    )  # fmt: skip
    assert code == 0, err
    import json

    case_id: int = json.loads(out)["id"]
    with Store.open(db) as store:
        outcomes = dict(
            store.db.execute(
                "SELECT outcome, count(*) FROM claims GROUP BY outcome"
            ).fetchall()
        )
        assert outcomes == {"accepted": ROUNDS, "review": ROUNDS}
        (points,) = store.db.execute("SELECT sum(points) FROM ledger").fetchone()
        assert points == 30 * ROUNDS
    return case_id


def _round(
    tmp: Path, db: str, config: str, n: int, case_id: int
) -> list[tuple[list[str], int, str]]:
    where = ["--client", config, "--db", db]
    commands = [
        ["award", *where],
        ["verify", *where],
        ["decide", f"M-{n}", "accept", "--reason", "the line's units split", *where],
        ["decide", f"M-{n}", "reject", "--reason", "claimed again", *where],
        ["ledger", "reverse", f"L-{n}", "--reason", "refunded", *where],
        ["ledger", "redeem", "104233", str(REDEEM), "--reference", f"BIG-{n}", *where],
        *[
            ["ledger", "adjust", "104233", "7", "--reason", "goodwill", "--note",
             f"round {n}", "--reference", f"ADJ-{n}", "--operator", "ann", *where]
            for _ in range(2)
        ],
        ["cases", "respond", str(case_id), "--at", f"2026-11-03T{8 + n // 4:02d}:"
         f"{(n % 4) * 15:02d}", "--operator", "ann", *where],
        ["ledger", "expire", *where],
    ]  # fmt: skip
    context = multiprocessing.get_context("fork")
    procs = []
    for k, args in enumerate(commands):
        log = str(tmp / f"k{n}-{k}.log")
        proc = context.Process(target=_writer, args=(args, log))
        proc.start()
        procs.append((args, proc, log))
    done = []
    for args, proc, log in procs:
        proc.join(180)
        done.append((args, proc.exitcode or 0, Path(log).read_text()))
    return done


@pytest.mark.slow
def test_ten_writers_of_the_newer_kinds_for_20_rounds_decide_once_post_once(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "c.db")
    config = _config(tmp_path)
    case_id = _setup(tmp_path, db, config)
    won: dict[int, str] = {}
    redeemed = 0
    for n in range(ROUNDS):
        for args, code, log in _round(tmp_path, db, config, n, case_id):
            assert "Traceback" not in log, (args, log)
            assert code in (0, 1, 2), (args, code, log)
            if code == 2:
                # a refusal is one line that says why
                assert log.count("claimflow: error:") == 1, (args, log)
            if args[0] == "decide" and code == 0:
                assert n not in won, ("both decisions took", n, log)
                won[n] = args[2]
            if args[:2] == ["ledger", "redeem"] and code == 0:
                redeemed += 1
    # every claim in review was decided exactly once: one process won the race
    assert sorted(won) == list(range(ROUNDS))
    assert run("award", "--client", config, "--db", db)[0] == 0  # pays the rest
    with Store.open(db) as store:
        db_ = store.db
        decisions = dict(
            db_.execute(
                "SELECT claim_id, count(*) FROM review_decisions GROUP BY claim_id"
            ).fetchall()
        )
        assert sorted(decisions.values()) == [1] * ROUNDS
        refs = dict(
            db_.execute(
                "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
            ).fetchall()
        )
        for n, decision in won.items():
            assert refs[f"M-{n}"] == ("accepted" if decision == "accept" else "rejected")
        # each award posted once; each accepted M-n paid, no rejected one
        doubled = db_.execute(
            "SELECT claim_id FROM ledger l WHERE entry_type = 'award' AND NOT EXISTS "
            "(SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
            "GROUP BY claim_id HAVING count(*) > 1"
        ).fetchall()
        assert doubled == []
        paid_m = {
            ref
            for (ref,) in db_.execute(
                "SELECT json_extract(c.data, '$.claim_ref') FROM ledger l "
                "JOIN claims c ON c.id = l.claim_id "
                "WHERE l.entry_type = 'award' AND l.participant_id = '104876'"
            ).fetchall()
        }
        assert paid_m == {f"M-{n}" for n, d in won.items() if d == "accept"}
        # each paid L-n refunded exactly once
        reversed_ = db_.execute(
            "SELECT l.claim_id, count(r.id) FROM ledger l JOIN ledger r "
            "ON r.reverses = l.id WHERE l.participant_id = '104233' "
            "AND l.entry_type = 'award' GROUP BY l.claim_id"
        ).fetchall()
        assert len(reversed_) == ROUNDS and {c for _, c in reversed_} == {1}
        # the retried goodwill posted once a round
        posted = db_.execute(
            "SELECT count(*) FROM ledger WHERE entry_type = 'adjustment'"
        ).fetchone()[0]
        adjustments = db_.execute("SELECT count(*) FROM adjustments").fetchone()[0]
        assert posted == adjustments == ROUNDS
        # no lot gave more than it held; every redemption taken whole from lots
        over = db_.execute(
            "SELECT a.lot_id FROM ledger_allocations a JOIN ledger l ON l.id = a.lot_id "
            "GROUP BY a.lot_id, l.points HAVING sum(a.points) > l.points"
        ).fetchall()
        assert over == []
        short = db_.execute(
            "SELECT l.id FROM ledger l LEFT JOIN ledger_allocations a ON a.debit_id = l.id "
            "WHERE l.entry_type = 'redemption' GROUP BY l.id, l.points "
            "HAVING coalesce(sum(a.points), 0) != -l.points"
        ).fetchall()
        assert short == []
        assert db_.execute(
            "SELECT count(*) FROM ledger WHERE entry_type = 'redemption'"
        ).fetchone()[0] == redeemed
        contacts = db_.execute(
            "SELECT count(*) FROM case_events WHERE case_id = ? AND event = 'contact'",
            (case_id,),
        ).fetchone()[0]
        assert contacts == ROUNDS


def _costa_with_accounts(tmp: Path) -> str:
    """Costa Azul with an ``accounts`` section: a supervisor seeds points."""
    path = tmp / "costa.yaml"
    text = (SAMPLES / "clients/costa-azul.yaml").read_text(encoding="utf-8")
    assert "\naccounts:" not in text
    path.write_text(
        text + "accounts:\n  point_value: '0.01'\n"
        "  approval_limits: {clerk: 2500, supervisor: null}\n"
        "  operators: {ana: clerk, sam: supervisor}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.slow
def test_partner_transfers_racing_redemptions_never_spend_a_point_twice(
    tmp_path: Path,
) -> None:
    """Member 300112457 holds 100,000 points (a supervisor's correction).
    Each of 20 rounds, at once: a transfer of 10,000 points to VuelaClub
    and its retry (the same reference: one transfer), and two redemptions
    of 10,000, racing for what is left: 30,000 asked a round, so from the
    fourth round on all are refused. By hand: the 100,000 points left in
    exactly ten debits of 10,000, each one transfer or one redemption."""
    db = str(tmp_path / "c.db")
    config = _costa_with_accounts(tmp_path)
    where = ["--client", config, "--db", db]
    members = str(SAMPLES / "costa-azul/participants.csv")
    assert run("participants", "import", members, *where)[0] == 0
    code, _, err = run(
        "ledger", "adjust", "300112457", "100000", "--reason", "correction",
        "--note", "seed", "--operator", "sam", *where,
    )  # fmt: skip
    assert code == 0, err
    context = multiprocessing.get_context("fork")
    for n in range(ROUNDS):
        commands = [
            *[
                ["partners", "transfer", "300112457", "10000", "--partner", "vuelaclub",
                 "--member-number", "VC00001234", "--reference", f"T-{n}", *where]
                for _ in range(2)
            ],
            *[
                ["ledger", "redeem", "300112457", "10000", "--reference", f"R-{n}-{k}",
                 *where]
                for k in range(2)
            ],
        ]  # fmt: skip
        procs = []
        for k, args in enumerate(commands):
            log = str(tmp_path / f"t{n}-{k}.log")
            proc = context.Process(target=_writer, args=(args, log))
            proc.start()
            procs.append((args, proc, log))
        for args, proc, log in procs:
            proc.join(180)
            text = Path(log).read_text()
            assert "Traceback" not in text, (args, text)
            assert proc.exitcode in (0, 1, 2), (args, proc.exitcode, text)
            if proc.exitcode == 2:
                assert text.count("claimflow: error:") == 1, (args, text)
                assert "point" in text, (args, text)  # says why: the points
    with Store.open(db) as store:
        db_ = store.db
        # a transfer is a redemption of the points (its reference the
        # partner's and the transfer's) and a record of the miles
        (debits, points) = db_.execute(
            "SELECT count(*), -sum(points) FROM ledger WHERE points < 0"
        ).fetchone()
        assert db_.execute(
            "SELECT DISTINCT entry_type FROM ledger WHERE points < 0"
        ).fetchall() == [("redemption",)]
        assert (debits, points) == (10, 100_000)  # all 100,000 went, none twice
        transfers = db_.execute(
            "SELECT t.reference, l.points FROM partner_transfers t "
            "JOIN ledger l ON l.id = t.ledger_id"
        ).fetchall()
        # one transfer per reference, however many clerks sent it, each its own debit
        assert len({ref for ref, _ in transfers}) == len(transfers) >= 1
        assert {p for _, p in transfers} == {-10_000}
        over = db_.execute(
            "SELECT a.lot_id FROM ledger_allocations a JOIN ledger l ON l.id = a.lot_id "
            "GROUP BY a.lot_id, l.points HAVING sum(a.points) > l.points"
        ).fetchall()
        assert over == []
        (balance,) = db_.execute(
            "SELECT sum(points) FROM ledger WHERE participant_id = '300112457'"
        ).fetchone()
        assert balance == 0
