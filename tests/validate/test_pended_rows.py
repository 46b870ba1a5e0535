"""A claim pended for a fixable problem, and its correction, in one batch.

acme-tools sale INV-20417 (1 x DRL-200, serial DR10000017). A row keyed
with the line amount ``149,0O`` is pended (``invalid_number`` on
``line_total``); the rules of `claimflow.validate.pended_rows`, as
``dedupe claims`` applies them across batches: only the pended claim's own
participant corrects it, only with the pended field now readable, only
once; the sale's first claim stays the original of everyone else's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from claimflow import ResolvedClient, batch_run, check
from claimflow.codes import ReasonCode
from claimflow.models import Problem, Provenance
from claimflow.validate.pended_rows import Fixes

NOW = datetime(2026, 10, 28, 12, tzinfo=UTC)
HEADER = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Invoice No,Invoice Date,Product Code,"
    "Qty,Unit Price,Line Amount,Serial Numbers,Received\n"
)
ROW = "{rep},Rep,D-CHI-01,INV-20417,10/02/2026,DRL-200,1,149.00,{amount},DR10000017,{day}\n"
PENDED = ROW.format(rep="104233", amount='"149,0O"', day="2026-10-20")
FIXED = ROW.format(rep="104233", amount="149.00", day="2026-10-21")
OTHER = ROW.format(rep="104876", amount="149.00", day="2026-10-22")
STILL_BAD = ROW.format(rep="104233", amount='"149,0O"', day="2026-10-21")
# pended for its missing rep number (the row's Rep # left blank)
NO_REP = ROW.format(rep="", amount="149.00", day="2026-10-20")
SERIAL, LINE = "duplicate_serial_in_batch", "duplicate_invoice_line_in_batch"
BAD = "invalid_number"


def _csv(*rows: str) -> str:
    return HEADER + "".join(f"AC-{n},{row}" for n, row in enumerate(rows, 1))


def _codes(
    acme: ResolvedClient, path: Path, workers: int | None = None
) -> list[list[str]]:
    """Each row's reason codes, in row order (rows 2...)."""
    result = check([path], acme, received_at=NOW, workers=workers)
    found: dict[int, list[str]] = {}
    for problem in result.problems:
        found.setdefault(int(problem.source.row or 0), []).append(problem.code.value)
    return [sorted(found.get(row, [])) for row in range(2, 2 + result.records)]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the trial: the correction is clean (it resubmits row 2)
        ([PENDED, FIXED], [[BAD], []]),
        # the amount still unreadable: a repeat, not a correction
        ([PENDED, STILL_BAD], [[BAD], sorted([BAD, SERIAL, LINE])]),
        # corrected twice: the second repeats the first correction
        ([PENDED, FIXED, FIXED], [[BAD], [], sorted([SERIAL, LINE])]),
        # another rep's claim: the pended claim's duplicate, as before
        ([PENDED, OTHER], [[BAD], sorted([SERIAL, LINE])]),
        # ... and after the correction, the correction's duplicate
        ([PENDED, FIXED, OTHER], [[BAD], [], sorted([SERIAL, LINE])]),
        # another rep claimed the sale first: it stays the original of both
        (
            [OTHER.replace("2026-10-22", "2026-10-19"), PENDED, FIXED],
            [[], sorted([BAD, SERIAL, LINE]), sorted([SERIAL, LINE])],
        ),
    ],
)
@pytest.mark.parametrize(("chunk", "workers"), [(10_000, 1), (1, 1), (1, 2)])
def test_a_correction_in_the_batch(
    acme: ResolvedClient,
    write: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    rows: list[str],
    expected: list[list[str]],
    chunk: int,
    workers: int,
) -> None:
    """One row per chunk, in one process or two: the same codes."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    assert _codes(acme, write("a.csv", _csv(*rows)), workers) == expected


@pytest.mark.parametrize(
    ("rows", "told"),
    [
        # the correction came in the batch: nothing to ask for (before: row
        # 2's notice asked for the amount the correction had sent)
        ([PENDED, FIXED], []),
        ([PENDED, FIXED, OTHER], [4]),  # the other rep is told of the repeat
        ([PENDED, FIXED, FIXED], [4]),  # the correction sent twice
        ([NO_REP, FIXED], []),  # its blank rep number given (trial 18)
        # not corrected: the pended claim's notice still asks
        ([PENDED, STILL_BAD], [2, 3]),
        ([PENDED, OTHER], [2, 3]),
        # a pended claim that repeats another's sale is no one's to correct
        ([OTHER.replace("2026-10-22", "2026-10-19"), PENDED, FIXED], [3, 4]),
    ],
)
@pytest.mark.parametrize(("chunk", "workers"), [(10_000, 1), (1, 1), (1, 2)])
def test_a_claim_corrected_in_the_batch_is_in_no_notice(
    acme: ResolvedClient,
    write: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    rows: list[str],
    told: list[int],
    chunk: int,
    workers: int,
) -> None:
    """The rows the batch's notices name (claim ids end ``-r<row>``), in one
    chunk or one row per chunk, in one process or two."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    result = check([write("a.csv", _csv(*rows))], acme, received_at=NOW, workers=workers)
    named = [int(i.rpartition("-r")[2]) for n in result.notices for i in n.claim_ids]
    assert sorted(named) == told, [n.text for n in result.notices]


def test_a_claim_pended_for_its_missing_rep_number_is_corrected_by_one_giving_it(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """As ``dedupe claims`` takes it (trial 18): the pended claim had no
    participant, and was pended for it; the correction gives one."""
    codes = _codes(acme, write("a.csv", _csv(NO_REP, FIXED)))
    assert codes[1] == [] and codes[0] and SERIAL not in codes[0], codes


def _problem(code: ReasonCode, field: str) -> Problem:
    where = Provenance(file="a.csv", row=2, field=field)
    return Problem(source=where, code=code, message="m", record_id="c", field=field)


def test_fixes_read_the_fields_pended_claims_were_pended_for() -> None:
    """`Fixes.of`: a claim pended for its amount (index 0), one rejected for
    its SKU with a bad amount too (1: rejected, never pended), a clean one (2)."""
    claims = [
        SimpleNamespace(
            participant_id=who,
            id=f"c{n}",
            received_at=NOW,
            model_dump=lambda mode: {"kind": "sales", "invoice_number": "INV-1"},
        )
        for n, who in enumerate(("104233", "104233", None))
    ]
    found = [
        [_problem(ReasonCode.INVALID_NUMBER, "line_total")],
        [
            _problem(ReasonCode.INVALID_NUMBER, "line_total"),
            _problem(ReasonCode.INELIGIBLE_SKU, "sku"),
        ],
        [],
    ]
    fixes = Fixes.of(claims, found, set())  # type: ignore[arg-type]
    assert fixes.pended == {0: frozenset({"line_total"})}
    assert fixes.who == ("104233", "104233", "")
    assert fixes.ids == ("c0", "c1", "c2")
    assert fixes.resubmits(0, ("", frozenset({"participant_id"}), "x"))  # trial 18
    assert not fixes.resubmits(2, ("104233", frozenset({"line_total"}), "x"))  # no rep
    assert not fixes.resubmits(1, ("104233", frozenset({"line_total"}), "x"))  # still bad
    assert not fixes.resubmits(1, ("104876", frozenset({"sku"}), "x"))  # another rep
    unread = Fixes.of(claims, found, {0})  # type: ignore[arg-type]
    assert unread.pended == {}  # unread: handled apart
    assert unread.unread == {0: frozenset({"line_total"})}
    assert json.loads(unread.named[0])["invoice_number"] == "INV-1"
