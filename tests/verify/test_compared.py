"""The comparisons run alike on typed records and on the fields read from rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from claimflow import ResolvedClient, Store
from claimflow.codes import Outcome
from claimflow.models import ClaimLine, Decision, Provenance, SaleRecord, SalesClaim
from claimflow.verify.match import compare_sale
from claimflow.verify.rows import read_claim
from claimflow.verify.run import StoreLookup

NOW = datetime(2026, 11, 12, tzinfo=UTC)


def test_compare_sale_on_a_model_and_on_its_row_agree(
    store: Store, acme: ResolvedClient
) -> None:
    where = Provenance(file="claims.csv", row=4)
    claim = SalesClaim(
        id="c1",
        client="acme-tools",
        participant_id="104233",
        received_at=NOW,
        provenance=where,
        invoice_number="INV-20417",
        invoice_date=date(2026, 10, 3),
        dealer_id="d-chi-01",
        lines=(
            ClaimLine(
                sku="drl-200",
                quantity=3,
                line_total=Decimal("447.00"),
                serial_numbers=("DR-0017", "DR99"),
                provenance=where,
            ),
        ),
    )
    record = SaleRecord(
        invoice_number="INV-20417",
        invoice_date=date(2026, 10, 2),
        dealer_id="D-CHI-01",
        sku="DRL-200",
        quantity=2,
        amount=Decimal("298.00"),
        serial_numbers=("DR17", "DR18"),
        provenance=Provenance(file="sales.csv", row=2),
    )
    with store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "acme.yaml", NOW)
        decided = [(claim, Decision(claim_id="c1", outcome=Outcome.ACCEPTED))]
        store.add_claims(batch, "doc", decided, "validate")
        rows = next(store.claims_to_verify("acme-tools", None, 10))
        fields = store.claim_fields([int(str(rows[0][0]))])
    read = read_claim(rows[0], fields[int(str(rows[0][0]))])
    assert read is not None
    lookup = StoreLookup(store, "acme-tools")
    settings = acme.config.verification
    typed = compare_sale(claim, [(9, record)], lookup, settings)
    assert typed.problems  # a date, a quantity and a serial that differ
    assert compare_sale(read, [(9, record)], lookup, settings) == typed
