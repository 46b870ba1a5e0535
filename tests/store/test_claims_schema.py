"""Migrations 20 onward (`claimflow.store.claims_schema`): old stores read the same."""

from __future__ import annotations

from pathlib import Path

from claimflow import ClaimLine, Provenance, Store
from claimflow.store import migrations

from .test_store import _decided


def test_a_schema_19_store_reads_its_claim_lines_from_the_claims(
    tmp_path: Path,
) -> None:
    # migration 20: the claim_lines table goes, a view over claims.data
    # gives the same rows as the old code wrote into it
    from sqlite_utils import Database

    claim, _ = _decided("C1")
    two_lines = claim.model_copy(
        update={
            "id": "C2",
            "lines": (
                *claim.lines,
                ClaimLine(
                    sku="BAT-20V",
                    quantity=1,
                    provenance=Provenance(file="a.csv", row=3),
                ),
            ),
        }
    )
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m020_claim_lines_view")
    db.execute(
        "INSERT INTO batches (id, client, operator, started_at, config_path) "
        "VALUES (1, 'acme-tools', 'ann', '2026-10-20T00:00:00+00:00', 'c.yaml')"
    )
    written = []
    for c in (claim, two_lines):
        db.execute(
            "INSERT INTO claims (id, client, batch_id, document_hash, kind, "
            "received_at, outcome, source, data) VALUES "
            "(?, 'acme-tools', 1, 'h', 'sales', '2026-10-20', 'accepted', '', ?)",
            [c.id, c.model_dump_json(exclude_none=True)],
        )
        for n, ln in enumerate(c.lines, start=1):
            row = (
                c.id,
                n,
                ln.sku,
                ln.quantity,
                None if ln.unit_price is None else str(ln.unit_price),
                None if ln.line_total is None else str(ln.line_total),
                " ".join(ln.serial_numbers),
            )
            db.execute("INSERT INTO claim_lines VALUES (?,?,?,?,?,?,?)", row)
            written.append(row)
    db.conn.commit()
    before = db.execute("SELECT * FROM claim_lines ORDER BY 1, 2").fetchall()
    db.close()
    with Store.open(tmp_path / "old.db") as store:
        after = store.db.execute("SELECT * FROM claim_lines ORDER BY 1, 2").fetchall()
        assert "claim_lines" in store.db.view_names()
    assert before == written
    assert after == written
    assert after[0][-1] == "DR1 DR2" and after[-1][-1] == ""
