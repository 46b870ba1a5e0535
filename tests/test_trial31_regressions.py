"""Trial 31 (a Polish dealer program, four clerks on one store): files that
hold no claim, and a file ingested under the wrong client."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = str(SAMPLES / "clients/acme-tools.yaml")
HEADER = "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
ROW = "F-1,104233,INV-1001,11/02/2026,DRL-200,1,DR10000001,2026-11-20T10:00\n"


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("batches", "documents", "claims", "audit_log")
        }


def test_a_file_with_a_header_and_no_claim_is_refused_and_makes_no_batch(
    tmp_path: Path,
) -> None:
    """A header-only file was stored as an empty batch, exit 0; with
    --keep-going a run whose every new file was refused made one too."""
    db = tmp_path / "store.db"
    empty = tmp_path / "header_only.csv"
    empty.write_text(HEADER, encoding="utf-8")
    good = tmp_path / "claims.csv"
    good.write_text(HEADER + ROW, encoding="utf-8")
    assert run("ingest", str(good), "--client", ACME, "--db", str(db))[0] == 0
    before = _counts(db)
    refusal = f"claimflow: error: {empty}: no claims in the file: nothing under its header\n"
    assert run("check", str(empty), "--client", ACME)[::2] == (2, refusal)
    assert run("ingest", str(empty), "--client", ACME, "--db", str(db))[::2] == (2, refusal)
    assert _counts(db) == before
    code, _, _ = run("ingest", str(empty), "--client", ACME, "--db", str(db), "--keep-going")
    assert code == 2
    after = _counts(db)
    assert (after["batches"], after["documents"], after["claims"]) == (
        before["batches"], before["documents"], before["claims"],
    )  # the run is audited, nothing else  # fmt: skip
