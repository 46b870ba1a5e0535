"""Notices a later stage owes participants are stored with their batches.

Trial 20 (Bharat Power Tools): `dedupe claims` run without `--notices`, as
the README's table shows it, found B-201's serial claimed before; its
notice was never written, `notices write --batch 2` did not have it, and a
second `dedupe claims --notices DIR` found nothing more to say: the
participant was never told. Now dedupe and verification store the notices
they owe with the batch of their claims, in the same transaction as the
outcomes, and `notices write --batch` writes them, beside (never over) the
batch's ingest notice to the same participant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import Store, load_client
from claimflow.dedupe.claims import dedupe_claims
from tests.dedupe.test_claims import ACME, _ingest_batches
from tests.test_cli import run

OCTOBER = "A1,104233,D-CHI-01,INV-20417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
NOVEMBER = (
    # B1 repeats A1's serial (another rep): a duplicate dedupe finds
    "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
    # B2, the same rep, pended at ingest (a serial unlike an IMP-450's)
    "B2,104876,D-IND-03,INV-30002,11/02/2026,IMP-450,1,XX1,2026-11-10\n"
)


def test_a_duplicates_notice_found_without_a_folder_is_written_later(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = tmp_path / "c.db"
    _ingest_batches(db, write, OCTOBER, NOVEMBER)
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db))
    assert code == 1 and "1 duplicate," in out
    folder = tmp_path / "later"
    code, out, _ = run("notices", "write", "--batch", "2", "--db", str(db),
                       "--out", str(folder))  # fmt: skip
    assert code == 0
    files = sorted(p.name for p in folder.glob("*.txt"))
    # the ingest notice (B2 pended) and dedupe's (B1 a duplicate), apart
    assert len(files) == 2, files
    ingest_file = "acme-tools-2-104876.txt"
    (dedupe_file,) = [f for f in files if f != ingest_file]
    assert dedupe_file.startswith("acme-tools-2-dedupe-") and dedupe_file.endswith(
        "-104876.txt"
    )
    ingest_text = (folder / ingest_file).read_text(encoding="utf-8")
    dedupe_text = (folder / dedupe_file).read_text(encoding="utf-8")
    assert "B2" in ingest_text and "B1" not in ingest_text
    assert "B1" in dedupe_text and "DR10000017" in dedupe_text
    # a second run finds nothing new, and the notice is still there to write
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db))
    assert code == 0 and "0 duplicates" in out
    with Store.open(db) as store:
        _, stored = store.batch_notices(2)
    assert [(stem is None, n.participant_id) for stem, n in stored] == [
        (True, "104876"),
        (False, "104876"),
    ]


def test_the_notices_a_stage_writes_are_the_ones_it_stored(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = tmp_path / "c.db"
    _ingest_batches(db, write, OCTOBER, NOVEMBER)
    now_folder, later_folder = tmp_path / "now", tmp_path / "later"
    code, out, _ = run("dedupe", "claims", "--client", ACME, "--db", str(db),
                       "--notices", str(now_folder))  # fmt: skip
    assert code == 1 and "1 notice written to" in out
    (written,) = now_folder.glob("*.txt")
    assert written.with_suffix(".eml").is_file()
    run("notices", "write", "--batch", "2", "--db", str(db), "--out", str(later_folder))
    again = later_folder / written.name
    assert again.read_text(encoding="utf-8") == written.read_text(encoding="utf-8")


def test_a_failed_dedupe_run_stores_no_notice(
    tmp_path: Path, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "c.db"
    _ingest_batches(db, write, OCTOBER, NOVEMBER)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # the run fails after its notices are stored, at its audit row
    monkeypatch.setattr(Store, "audit", disk_full)
    with Store.open(db) as store, pytest.raises(RuntimeError):
        dedupe_claims(store, load_client(ACME), now=datetime.now(UTC))
    monkeypatch.undo()
    with Store.open(db) as store:
        _, stored = store.batch_notices(2)
        outcomes = dict(
            store.db.execute("SELECT json_extract(data, '$.claim_ref'), outcome FROM claims")
        )
    assert [stem for stem, _ in stored] == [None]  # the ingest notice alone
    assert outcomes["B1"] == "accepted"


def test_verifications_notices_are_stored_with_the_batch(tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    db, config = str(tmp_path / "c.db"), str(SAMPLES / "clients/costa-azul.yaml")
    claims = SAMPLES / "costa-azul/verification/retro_noviembre.csv"
    stays = SAMPLES / "costa-azul/verification/stays_noviembre.csv"
    run("ingest", str(claims), "--client", config, "--db", db)
    code, _, _ = run("source", "import", str(stays), "--client", config, "--db", db)
    folder = tmp_path / "later"
    run("notices", "write", "--batch", "1", "--db", db, "--out", str(folder))
    verify_files = sorted(folder.glob("costa-azul-1-verify-*.txt"))
    assert len(verify_files) == 4  # as `source import --notices` writes them
    [ota] = [p for p in verify_files if p.name.endswith("-300162210.txt")]
    assert "Solicitud CA-701" in ota.read_text(encoding="utf-8")

