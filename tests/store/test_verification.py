"""The store's verification queries over sets of claims."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from claimflow import ResolvedClient, Store
from claimflow.codes import Outcome
from claimflow.models import ClaimLine, Decision, Provenance, SalesClaim
from claimflow.store import VerificationRows
from claimflow.verify.rows import claim_key
from claimflow.verify.source import import_source

NOW = datetime(2026, 11, 12, tzinfo=UTC)
SOURCE = '''invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers
INV-1,2026-10-02,D-1,DRL-200,1,149.00,DR1
INV-2,2026-10-02,"D ""2""",DRL-200,1,149.00,DR2
INV-3,2026-10-02,Dé-3,DRL-200,1,149.00,DR3
INV-4,2026-10-02,D-1,DRL-200,1,149.00,DR4
INV-5,2026-10-02,D-1,DRL-200,1,149.00,DR5
INV-6,2026-10-02,D-1,DRL-200,1,149.00,DR6
INV-6,2026-10-02,D-1,SAW-310,1,229.00,SW6
INV-7,2026-10-02,d-1,drl-200,2,298.00,DR7 DR8
'''


def _sale(n: int, dealer: str, total: str = "149.00", serial: str = "") -> SalesClaim:
    where = Provenance(file="claims.csv", row=n + 1)
    line = ClaimLine(
        sku="DRL-200",
        quantity=1,
        line_total=total,
        serial_numbers=(serial or f"DR{n}",),
        provenance=where,
    )
    return SalesClaim(
        id=f"c{n}",
        client="acme-tools",
        participant_id="P1",
        received_at=NOW,
        provenance=where,
        invoice_number=f"INV-{n}",
        invoice_date="2026-10-02",
        dealer_id=dealer,
        lines=(line,),
    )


def _store(store: Store, acme: ResolvedClient, tmp_path: Path) -> None:
    earlier = _sale(9, "D-1", serial="DR4")  # claims INV-4's serial first
    claims = [
        _sale(1, "D-1"),  # agrees as written
        _sale(2, 'D "2"'),  # a quote: its checks need escaping
        _sale(3, "Dé-3"),  # not ASCII: its checks need escaping
        _sale(4, "D-1"),  # its serial was claimed by an earlier batch
        _sale(5, "D-1", total="149.01"),  # within tolerance, not equal
        _sale(6, "D-1"),  # two source lines under its key
        _sale(7, "D-1", total="298.00"),  # case aside, one unit of two
    ]
    export = tmp_path / "sales.csv"
    export.write_text(SOURCE, encoding="utf-8")
    with store.transaction():
        for batch_claims in ([earlier], claims):
            batch = store.begin_batch("acme-tools", "ann", "acme.yaml", NOW)
            decided = [
                (c, Decision(claim_id=c.id, outcome=Outcome.ACCEPTED))
                for c in batch_claims
            ]
            store.add_claims(batch, "doc", decided, "validate")
        import_source(store, acme, export, NOW)


def test_plain_sales_are_those_every_check_passes_as_written(
    store: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    _store(store, acme, tmp_path)
    with store.transaction():
        # one claim a chunk: the statements run while the claims are read
        chunks = store.claims_to_verify("acme-tools", 2, 1)
        plain = []
        for rows in chunks:
            keys = [(0, int(str(rows[0][0])), claim_key(rows[0]))]
            if store.plain_sales(keys):
                plain.append(rows[0][1])
            store.record_verifications(
                "acme-tools", NOW.isoformat(), VerificationRows()
            )
    assert plain == ["c1", "c7"]
    details = store.db.execute(
        "SELECT details FROM verifications WHERE claim_id = 'c7'"
    ).fetchone()[0]
    assert details == (
        '{"checks": [{"field": "invoice_date", "claimed": "2026-10-02", '
        '"source": "2026-10-02", "ok": true, "affects_award": false, "note": ""}, '
        '{"field": "dealer_id", "claimed": "D-1", "source": "d-1", "ok": true, '
        '"affects_award": false, "note": ""}, {"field": "quantity", "claimed": "1", '
        '"source": "2", "ok": true, "affects_award": true, "note": ""}], '
        '"problems": []}'
    )


def test_results_are_written_in_claim_order(
    store: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    _store(store, acme, tmp_path)
    with store.transaction():
        rows = next(store.claims_to_verify("acme-tools", 2, 100))
        keys = [(pos, int(str(row[0])), claim_key(row)) for pos, row in enumerate(rows)]
        # each with its invoice line and the units it claims of it
        assert set(store.plain_sales(keys)) == {0, 6}
        out = VerificationRows()
        for pos in range(1, 6):
            claim = str(rows[pos][1])
            out.verifications.append((pos, claim, "not_found", "[]", "{}", "[]"))
        out.matches.append((3, 0, 99, "c4", "P1", "discrepancy"))
        store.record_verifications("acme-tools", NOW.isoformat(), out)
    written = store.db.execute(
        "SELECT claim_id, result FROM verifications ORDER BY id"
    ).fetchall()
    assert [c for c, _ in written] == [f"c{n}" for n in range(1, 8)]
    assert written[0][1] == written[6][1] == "verified"
    matches = store.db.execute(
        "SELECT claim_id, source_id FROM verification_matches ORDER BY rowid"
    ).fetchall()
    assert [c for c, _ in matches] == ["c1", "c4", "c7"]
