"""Within one batch, an invoice line claimed again in another quantity goes to review.

IN-105 (rep 5004) claims 1 of the 2 MOTOR-5 that dealer D03 invoiced on
INV/26/0005. In the same file, IN-302 (rep 5005) claims 1 (the same
quantity: a duplicate, as before), IN-303 (rep 5005) claims 2 and IN-304
(rep 5005) 2 again. Before, the batch rule keyed the line without its
quantity and closed IN-303 as a duplicate, while ``dedupe claims`` sends
the same two claims filed in two batches to review ("the line's units split
between claims, or claimed again"): now the batch does the same. IN-304
repeats IN-303's quantity: its duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import Outcome, ReasonCode, ResolvedClient, batch_run, check, load_client
from tests.test_trial35_regressions import CLIENT, HEADER, _cf, _outcomes

NOW = datetime(2026, 11, 28, tzinfo=UTC)
IN_105 = "IN-105,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,1,12500,12500,21/11/2026\n"
IN_302 = "IN-302,D03,5005,INV/26/0005,10/11/2026,MOTOR-5,1,12500,12500,21/11/2026\n"
IN_303 = "IN-303,D03,5005,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,21/11/2026\n"
IN_304 = "IN-304,D03,5005,INV/26/0005,10/11/2026,MOTOR-5,2,12500,25000,21/11/2026\n"


@pytest.mark.parametrize("chunk", [10_000, 1])
def test_another_quantity_of_a_line_in_one_batch_goes_to_review(
    write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The same figures with every claim in a chunk of its own (the batch's
    key index carries the first claim of each line and quantity)."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    client = load_client(write("bharat.yaml", CLIENT))
    path = write("claims.csv", HEADER + IN_105 + IN_302 + IN_303 + IN_304)
    result = check([path], client, received_at=NOW)
    assert result.outcomes == {Outcome.ACCEPTED: 1, Outcome.DUPLICATE: 2, Outcome.REVIEW: 1}
    found = {p.source.where(): (p.code, p.message) for p in result.problems}
    earlier = "already claimed on claim"
    assert found == {
        f"{path}:row 3:Invoice No": (
            ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH,
            f"'INV/26/0005 / MOTOR-5' {earlier} IN-105 (participant 5004, received "
            f"2026-11-21) at {path}:row 2:Invoice No",
        ),
        f"{path}:row 4:Invoice No": (
            ReasonCode.POSSIBLE_DUPLICATE,
            f"'INV/26/0005 / MOTOR-5' {earlier} IN-105 (participant 5004, received "
            f"2026-11-21) at {path}:row 2:Invoice No, with another quantity (2 here): "
            "the line's units split between claims, or claimed again",
        ),
        f"{path}:row 5:Invoice No": (
            ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH,
            f"'INV/26/0005 / MOTOR-5' {earlier} IN-303 (participant 5005, received "
            f"2026-11-21) at {path}:row 4:Invoice No",
        ),
    }


def test_one_batch_and_two_batches_end_alike(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """IN-105 and IN-303 in one file, or in two batches with ``dedupe
    claims`` run: IN-303 in review both ways, and ``dedupe claims`` names both
    quantities (2 vs 1) for the person."""
    client = write("bharat.yaml", CLIENT)
    one = tmp_path / "one.db"
    _cf(one, client, "ingest", str(write("both.csv", HEADER + IN_105 + IN_303)))
    _, out = _cf(one, client, "dedupe", "claims", "--json")
    (match,) = json.loads(out)["matches"]
    assert match["compared"] == (
        "invoice INV/26/0005 vs INV/26/0005, SKU MOTOR-5, quantity 2 vs 1"
    )
    two = tmp_path / "two.db"
    _cf(two, client, "ingest", str(write("first.csv", HEADER + IN_105)))
    _cf(two, client, "ingest", str(write("second.csv", HEADER + IN_303)))
    _, out = _cf(two, client, "dedupe", "claims", "--json")
    (match,) = json.loads(out)["matches"]
    assert match["compared"] == (
        "invoice INV/26/0005 vs INV/26/0005, SKU MOTOR-5, quantity 2 vs 1"
    )
    expected = {"IN-105": "accepted", "IN-303": "review"}
    assert _outcomes(one) == _outcomes(two) == expected


@pytest.mark.parametrize(
    ("second", "code", "tail"),
    [
        # one of the first claim's lines has this quantity: its duplicate,
        # as `dedupe claims` keys a claim's lines
        ("T-2,104876,INV-7001,10/02/2026,DRL-200,1,DR10000103\n",
         ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH, ""),
        # none has: a person decides
        ("T-2,104876,INV-7001,10/02/2026,DRL-200,2,DR10000103 DR10000104\n",
         ReasonCode.POSSIBLE_DUPLICATE,
         ", with another quantity (2 here): the line's units split between claims, "
         "or claimed again"),
    ],
)  # fmt: skip
def test_a_claim_of_two_lines_of_the_sku_is_compared_line_by_line(
    acme: ResolvedClient, write: Callable[..., Path], second: str, code: ReasonCode, tail: str
) -> None:
    """T-1 keys 2 x DRL-200 of INV-7001 on two lines of 1 (two prices)."""
    path = write(
        "two.csv",
        "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serial Numbers\n"
        "T-1,104233,INV-7001,10/02/2026,DRL-200,1,DR10000101\n"
        "T-1,104233,INV-7001,10/02/2026,DRL-200,1,DR10000102\n" + second,
    )
    result = check([path], acme, received_at=datetime(2026, 10, 20, tzinfo=UTC))
    [problem] = result.problems
    assert (problem.code, problem.source.where()) == (code, f"{path}:row 4:Invoice No")
    assert problem.message == (
        "'INV-7001 / DRL-200' already claimed on claim T-1 (participant 104233, "
        f"received 2026-10-20) at {path}:row 2:line 1:Invoice No{tail}"
    )
