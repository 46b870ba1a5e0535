"""Corrected resubmissions of claims pended for a value that could not be read.

From the pt_BR new-user trial (trial 23, client ``vendas-br``): a quantity
``1.000`` (ambiguous), a date ``31/09/2026`` and a fraction ``2,5`` were
pended; the participants' corrections were never linked to them, so the
pended claims stayed open forever and their references were ambiguous. The
rows are the trial's (outubro.csv, novembro.xlsx, r1.csv, r2.csv), the
names left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.dedupe.claims import dedupe_claims, repeats_pended
from tests.conftest import FIXTURES

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)
FIRST = "2026-10-25T10:00:00-03:00"
AGAIN = "2026-11-03T10:00:00-03:00"


@pytest.fixture(scope="module")
def br() -> ResolvedClient:
    return load_client(FIXTURES / "clients" / "vendas-br.yaml")


def _outcomes(store: Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for ref, outcome in store.db.execute(
        "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims ORDER BY rowid"
    ):
        found.setdefault(ref, []).append(outcome)
    return found


CASES = [
    pytest.param(
        "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56",
        "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1;1.234,56;1.234,56",
        ("invalid_number", "quantity"),
        id="quantity 1.000 -> 1",
    ),
    pytest.param(
        "BR-101;10001;R-SP-01;NF-000501;31/09/2026;REF-100;2;1.234,56;2.469,12",
        "BR-101;10001;R-SP-01;NF-000501;30/09/2026;REF-100;2;1.234,56;2.469,12",
        ("invalid_date", "invoice_date"),
        id="date 31/09 -> 30/09",
    ),
    pytest.param(
        "BR-103;10002;R-SP-01;NF-000503;12/10/2026;REF-100;2,5;1.234,56;2.469,12",
        "BR-103;10002;R-SP-01;NF-000503;12/10/2026;REF-100;2;1.234,56;2.469,12",
        ("invalid_number", "quantity"),
        id="fraction 2,5 -> 2",
    ),
]


@pytest.mark.parametrize("batch", [None, 2])
@pytest.mark.parametrize(("pended", "fixed", "reason"), CASES)
def test_a_fixed_unreadable_value_supersedes_the_pended_claim(
    store: Store,
    br: ResolvedClient,
    write: Callable[..., Path],
    pended: str,
    fixed: str,
    reason: tuple[str, str],
    batch: int | None,
) -> None:
    # an accepted claim of the same participant, and one of another: untouched
    other = "BR-001;10001;R-SP-01;NF-000101;05/10/2026;REF-100;6;1.234,56;7.407,36"
    ingest(
        [write("a.csv", HEADER + f"{pended};{FIRST};sim\n{other};{FIRST};sim\n")],
        br,
        store,
    )
    ingest([write("b.csv", HEADER + f"{fixed};{AGAIN};sim\n")], br, store)
    (old,), (new,) = store.db.execute("SELECT id FROM claims WHERE rowid IN (1, 3)")
    assert store.db.execute(
        "SELECT code, field FROM problems WHERE claim_id = ?", [old]
    ).fetchall() == [reason]
    result = dedupe_claims(store, br, batch_id=batch, now=NOW)
    assert (result.superseded, result.matches) == ([(new, old)], [])
    ref = pended.split(";", maxsplit=1)[0]
    assert _outcomes(store) == {ref: ["superseded", "accepted"], "BR-001": ["accepted"]}
    assert store.db.execute(
        "SELECT claim_id, supersedes FROM claim_links"
    ).fetchall() == [(new, old)]
    # a second run changes nothing
    again = dedupe_claims(store, br, batch_id=batch, now=NOW)
    assert (again.superseded, again.matches) == ([], [])


def test_the_trial_batches_supersede_br_006(
    store: Store, br: ResolvedClient, write: Callable[..., Path]
) -> None:
    """The trial's October file (BR-006 keyed ``1.000``) then November's fix."""
    october = (
        f"BR-001;10001;R-SP-01;NF-000101;05/10/2026;REF-100;6;1.234,56;7.407,36;"
        "2026-10-20T10:00:00-03:00;sim\n"
        f"BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56;{FIRST};sim\n"
        "BR-007;10004;R-CPS-02;NF-000402;27/10/2026;REF-100;2;1.234,56;2.469,12;"
        "2026-10-30T09:00:00-03:00;sim\n"
    )
    november = (
        f"BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1;1.234,56;1.234,56;{AGAIN};sim\n"
        "BR-013;10001;R-SP-01;NF-000104;04/11/2026;AC-900;1;3.500,00;3.500,00;"
        "2026-11-12T10:00:00-03:00;sim\n"
    )
    ingest([write("outubro.csv", HEADER + october)], br, store)
    ingest([write("novembro.csv", HEADER + november)], br, store)
    dedupe_claims(store, br, now=NOW)
    assert _outcomes(store) == {
        "BR-001": ["accepted"],
        "BR-006": ["superseded", "accepted"],
        "BR-007": ["pended"],  # too early, not for a field's value: nothing to fix
        "BR-013": ["accepted"],
    }
    [(new, old)] = store.db.execute("SELECT claim_id, supersedes FROM claim_links")
    # The reference the participant quotes names the live claim, not both.
    assert store.resolve_claim("BR-006") == new
    events = store.db.execute(
        "SELECT event, at FROM claim_events WHERE claim_id = ? ORDER BY id", [old]
    ).fetchall()
    assert events == [
        ("pended", events[0][1]),
        ("resubmitted", AGAIN),
        ("decided", AGAIN),
    ]


@pytest.mark.parametrize(
    ("later", "why"),
    [
        (
            "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56",
            "still unreadable",
        ),
        (
            "BR-009;10001;R-SP-01;NF-000109;15/10/2026;REF-100;1;1.234,56;1.234,56",
            "another invoice: another sale",
        ),
        (
            "BR-009;10001;R-SP-01;NF-000103;15/10/2026;REF-200;1;899,90;899,90",
            "another product of the invoice",
        ),
        (
            "BR-009;10002;R-SP-01;NF-000103;15/10/2026;REF-100;1;1.234,56;1.234,56",
            "another participant",
        ),
    ],
)
def test_a_claim_that_is_not_the_fix_leaves_the_pended_claim_pended(
    store: Store, br: ResolvedClient, write: Callable[..., Path], later: str, why: str
) -> None:
    pended = "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56"
    ingest([write("a.csv", HEADER + f"{pended};{FIRST};sim\n")], br, store)
    ingest([write("b.csv", HEADER + f"{later};{AGAIN};sim\n")], br, store)
    result = dedupe_claims(store, br, now=NOW)
    assert result.superseded == [], why
    assert _outcomes(store)["BR-006"][0] == "pended", why


SALE: dict[str, Any] = {
    "dealer_id": "R-SP-01",
    "invoice_number": "NF-000103",
    "invoice_date": "2026-10-15",
    "lines": [{"sku": "REF-100", "quantity": 1}],
}


def _without(data: dict[str, Any], name: str) -> dict[str, Any]:
    if name == "quantity":
        return {**data, "lines": [{"sku": line["sku"]} for line in data["lines"]]}
    return {k: v for k, v in data.items() if k != name}


def _lines(*lines: dict[str, Any]) -> dict[str, Any]:
    return {**SALE, "lines": list(lines)}


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        # what could not be read is what the fix supplies
        (SALE, _without(SALE, "quantity"), True),
        (SALE, _without(SALE, "invoice_date"), True),
        ({**SALE, "invoice_number": "nf 000103"}, _without(SALE, "quantity"), True),
        # a value both have must agree
        (SALE, {**SALE, "invoice_date": "2026-01-15"}, False),
        (SALE, {**SALE, "invoice_number": "NF-000109"}, False),
        (SALE, {**SALE, "dealer_id": "R-CPS-02"}, False),
        (SALE, _lines({"sku": "REF-200"}), False),
        # nothing left that names the sale: neither the invoice nor its date
        (SALE, _without(_without(SALE, "invoice_number"), "invoice_date"), False),
        # lines pair up in any order, one to one
        (
            _lines({"sku": "AC-900", "quantity": 2}, {"sku": "REF-100", "quantity": 1}),
            _lines({"sku": "REF-100"}, {"sku": "AC-900", "quantity": 2}),
            True,
        ),
        (_lines(*SALE["lines"] * 2), SALE, False),
        # serial numbers: other units are another sale
        (
            _lines({"sku": "REF-100", "quantity": 1, "serial_numbers": ["RF-1"]}),
            _lines({"sku": "REF-100", "serial_numbers": ["rf 1"]}),
            True,
        ),
        (
            _lines({"sku": "REF-100", "quantity": 1, "serial_numbers": ["RF-1"]}),
            _lines({"sku": "REF-100", "serial_numbers": ["RF-2"]}),
            False,
        ),
        (
            _lines({"sku": "REF-100", "quantity": 1, "serial_numbers": ["RF-1"]}),
            _lines({"sku": "REF-100", "serial_numbers": []}),
            True,
        ),
    ],
)
def test_repeats_pended(
    new: dict[str, Any], old: dict[str, Any], expected: bool
) -> None:
    assert repeats_pended(new, old, "sales") is expected


def test_repeats_pended_stays() -> None:
    stay = {
        "hotel_code": "CA-MAD",
        "confirmation_number": "84512",
        "check_in": "2026-10-01",
        "check_out": "2026-10-03",
    }
    unread = {k: v for k, v in stay.items() if k != "check_out"}
    assert repeats_pended(stay, unread, "stay")
    other = {**stay, "confirmation_number": "99999"}
    assert not repeats_pended(other, unread, "stay")


def test_a_pended_claim_and_its_fix_in_one_batch(
    store: Store, br: ResolvedClient, write: Callable[..., Path]
) -> None:
    """``ingest outubro.csv novembro.xlsx`` as one batch: the fix is accepted
    (no duplicate of the unreadable row), and supersedes it."""
    pended = "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56"
    fixed = "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1;1.234,56;1.234,56"
    october = write("outubro.csv", HEADER + f"{pended};{FIRST};sim\n")
    november = write("novembro.csv", HEADER + f"{fixed};{AGAIN};sim\n")
    ingest([october, november], br, store)
    assert _outcomes(store) == {"BR-006": ["pended", "accepted"]}
    result = dedupe_claims(store, br, batch_id=1, now=NOW)
    assert (len(result.superseded), result.matches) == (1, [])
    assert _outcomes(store) == {"BR-006": ["superseded", "accepted"]}


def test_another_sale_on_the_day_is_no_fix_of_a_pended_claim(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A claim pended for a value it has (an invoice number out of format)
    is not corrected by the rep's next sale of the same product that day,
    with its own invoice and serial: the values both have must agree."""
    header = (
        "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,"
        "Serials,Received\n"
    )
    pended = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
    )
    other = "B1,104233,D-CHI-01,INV-20999,10/02/2026,DRL-200,1,DR10000099,2026-11-10\n"
    ingest([write("a.csv", header + pended)], acme, store)
    ingest([write("b.csv", header + other)], acme, store)
    result = dedupe_claims(store, acme, now=NOW)
    assert (result.superseded, result.matches) == ([], [])
    assert _outcomes(store) == {"A1": ["pended"], "B1": ["accepted"]}


def test_a_superseded_claim_pended_again_is_closed_again(
    store: Store, br: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A superseded claim set back to pended (as verify does to a claim it
    found no source for) made the next run insert its link again, which the
    append-only table refused: ``dedupe claims`` failed."""
    pended = "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1.000;1.234,56;1.234,56"
    fixed = "BR-006;10001;R-SP-01;NF-000103;15/10/2026;REF-100;1;1.234,56;1.234,56"
    ingest([write("a.csv", HEADER + f"{pended};{FIRST};sim\n")], br, store)
    ingest([write("b.csv", HEADER + f"{fixed};{AGAIN};sim\n")], br, store)
    [link] = dedupe_claims(store, br, now=NOW).superseded
    store.db.execute("UPDATE claims SET outcome = 'pended' WHERE id = ?", [link[1]])
    assert dedupe_claims(store, br, now=NOW).superseded == []
    assert _outcomes(store) == {"BR-006": ["superseded", "accepted"]}
    assert store.count("claim_links") == 1
