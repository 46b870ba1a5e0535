"""Several clerks on one store: every writer waits its turn, none crashes.

Each writer is a separate process (forked from the test, so that it need
not import claimflow again) running a CLI command on its own connection,
as clerks' terminals do. Measured before: 88 of 120 such runs died with
``sqlite3.OperationalError: database is locked`` and a traceback; two
``award`` runs on one batch crashed one of them every time.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import sys
import traceback
from pathlib import Path

import pytest

from claimflow.cli import EXIT_BUSY, main
from tests.conftest import SAMPLES
from tests.test_cli import run

SAMPLE_CONFIG = SAMPLES / "clients/acme-tools.yaml"
CONFIG = str(SAMPLE_CONFIG)
ROUNDS = 20
SALE = (
    "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,Serial Numbers,"
    "Received,Invoice Attached\n"
    "R{n}-{k},104233,D-CHI-01,INV-{n}{k:04d},10/{day:02d}/2026,DRL-200,1,"
    "DR9{n}{k:06d},2026-10-20,yes\n"
)


def _writer(args: list[str], log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    # pytest's capture stands in for sys.stdout/stderr: write to the log
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    try:
        main.main(args=args, prog_name="claimflow", standalone_mode=True)
    except SystemExit as exc:
        sys.stdout.flush()  # os._exit leaves buffers unwritten
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        traceback.print_exc()
        os._exit(99)
    os._exit(0)


def _config(tmp: Path) -> str:
    """The sample client with points available at once (redeemable)."""
    path = tmp / "acme.yaml"
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    assert "pending_days: 30" in text
    path.write_text(
        text.replace("pending_days: 30", "pending_days: 0"), encoding="utf-8"
    )
    return str(path)


def _round(
    tmp: Path, db: str, n: int, claim: str, config: str,
    extra: list[list[str]] | None = None,
) -> list[tuple[list[str], int, str]]:
    sale = tmp / f"sale-{n}.csv"
    header, row = SALE.split("\n", 1)
    sale.write_text(
        header + "\n" + "".join(row.format(n=n, k=k, day=k + 1) for k in range(3))
    )
    commands = [
        ["ingest", str(sale), "--client", config, "--db", db, "--operator", f"clerk{n}"],
        ["award", "--client", config, "--db", db],
        ["award", "--client", config, "--db", db],
        ["source", "import", str(SAMPLES / "acme-tools/source/dealer_sales.csv"),
         "--client", config, "--db", db],
        ["ledger", "redeem", "104233", "1", "--reference", f"R-{n}",
         "--client", config, "--db", db],
        ["participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
         "--client", config, "--db", db],
        ["dedupe", "claims", "--client", config, "--db", db],
        ["event", claim, "escalated", "--db", db],
        *(extra or []),
    ]  # fmt: skip
    context = multiprocessing.get_context("fork")
    procs = []
    for k, args in enumerate(commands):
        log = str(tmp / f"r{n}-{k}.log")
        proc = context.Process(target=_writer, args=(args, log))
        proc.start()
        procs.append((args, proc, log))
    done = []
    for args, proc, log in procs:
        proc.join(120)
        done.append((args, proc.exitcode or 0, Path(log).read_text()))
    return done


def _first_claim(db: str) -> str:
    with sqlite3.connect(db) as conn:
        return str(
            conn.execute("SELECT id FROM claims ORDER BY rowid LIMIT 1").fetchone()[0]
        )


@pytest.mark.slow
def test_eight_concurrent_writers_wait_their_turn(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    config = _config(tmp_path)
    run(
        "ingest",
        str(SAMPLES / "acme-tools/claims/october.csv"),
        "--client",
        config,
        "--db",
        db,
    )
    run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
        "--client", config, "--db", db)  # fmt: skip
    run("source", "import", str(SAMPLES / "acme-tools/source/dealer_sales.csv"),
        "--client", config, "--db", db)  # fmt: skip
    run("award", "--client", config, "--db", db)
    claim = _first_claim(db)
    for n in range(ROUNDS):
        for args, code, log in _round(tmp_path, db, n, claim, config):
            assert "Traceback" not in log, (args, log)
            assert code in (0, 1), (args, code, log)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every round's claims were stored: no writer lost its batch
        assert (
            conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 9 + 3 * ROUNDS
        )
        # each award posted once, however many award runs met it
        doubled = conn.execute(
            "SELECT claim_id FROM ledger l WHERE entry_type = 'award' AND NOT EXISTS "
            "(SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
            "GROUP BY claim_id HAVING count(*) > 1"
        ).fetchall()
        assert doubled == []
        redeemed = conn.execute(
            "SELECT count(*) FROM ledger WHERE entry_type = 'redemption'"
        ).fetchone()[0]
        assert redeemed == ROUNDS


def test_a_writer_that_waits_too_long_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "c.db"
    run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
        "--client", CONFIG, "--db", str(db))  # fmt: skip
    monkeypatch.setenv("CLAIMFLOW_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(
            "participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
            "--client", CONFIG, "--db", str(db),
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == EXIT_BUSY
    assert err == (
        f"claimflow: error: {db}: the store is busy: another claimflow command has "
        "held it for 0.2 s; try again when it finishes (CLAIMFLOW_BUSY_TIMEOUT sets "
        "the wait)\n"
    )
