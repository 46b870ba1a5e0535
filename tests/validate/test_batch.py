"""Batch rules: duplicates inside a batch (across files and chunks), claim totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from claimflow import Outcome, ReasonCode, ResolvedClient, batch_run, check
from claimflow.validate import SeenKeys, normalize_key

NOW = datetime(2026, 10, 28, tzinfo=UTC)
HEADER = "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Price,Amount,Total,Serials\n"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (" inv-000123 ", "INV123"),
        ("INV 123", "INV123"),
        ("dr/0001.2", "DR12"),
        ("A0B", "A0B"),
    ],
)
def test_normalize_key(raw: str, key: str) -> None:
    assert normalize_key(raw) == key


def _check(
    client: ResolvedClient, *paths: Path
) -> dict[str, tuple[Outcome, list[str]]]:
    result = check(paths, client, received_at=NOW)
    by_row: dict[str, list[str]] = {}
    for problem in result.problems:
        by_row.setdefault(
            problem.source.where().split(":row ")[1].split(":")[0], []
        ).append(f"{problem.code.value}: {problem.message}")
    assert result.records == sum(result.outcomes.values())
    return {"outcomes": dict(result.outcomes), **by_row}  # type: ignore[dict-item]


def test_duplicates_in_one_file(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write(
        "c.csv",
        HEADER
        + "A,104233,INV-1001,10/02/2026,DRL-200,1,149,149,,DR10000001\n"
        + "B,104234,INV-01001,10/03/2026,DRL-200,1,149,149,,DR10000001\n"
        + "C,104235,INV-1002,10/03/2026,DRL-200,1,149,149,,DR10000003\n",
    )
    found = _check(acme, path)
    assert found["outcomes"] == {Outcome.ACCEPTED: 2, Outcome.DUPLICATE: 1}
    assert found["3"] == [
        "duplicate_serial_in_batch: 'DR10000001' already claimed on claim A "
        f"(participant 104233, received 2026-10-28) at {path}:row 2:Serials",
        "duplicate_invoice_line_in_batch: 'INV-01001 / DRL-200' already claimed on "
        f"claim A (participant 104233, received 2026-10-28) at {path}:row 2:Invoice No",
    ]


def test_duplicates_across_files_and_chunks(
    acme: ResolvedClient, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_run, "CHUNK", 2)
    rows = [
        f"C{i},10423{i},INV-100{i},10/02/2026,DRL-200,1,149,149,,DR1000000{i}\n"
        for i in range(5)
    ]
    first = write("a.csv", HEADER + "".join(rows))
    second = write("b.csv", HEADER + rows[1].replace("INV-1001", "INV-9001"))
    result = check([first, second], acme, received_at=NOW)
    assert result.outcomes == {Outcome.ACCEPTED: 5, Outcome.DUPLICATE: 1}
    [problem] = result.problems
    assert problem.source.where() == f"{second}:row 2:Serials"
    assert problem.message == (
        "'DR10000001' already claimed on claim C1 (participant 104231, received "
        f"2026-10-28) at {first}:row 3:Serials"
    )


def test_claim_total_must_match_its_lines(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write(
        "c.csv",
        HEADER
        + "A,104233,INV-1001,10/02/2026,DRL-200,1,149,149,208.50,DR10000001\n"
        + "A,104233,INV-1001,10/02/2026,BAT-20V,1,59.50,59.50,208.50,BT10000001\n"
        + "B,104234,INV-1002,10/02/2026,DRL-200,1,149,149,150.00,DR10000002\n",
    )
    result = check([path], acme, received_at=NOW)
    assert result.outcomes == {Outcome.ACCEPTED: 1, Outcome.PENDED: 1}
    [problem] = result.problems
    assert problem.code is ReasonCode.CLAIM_TOTAL_MISMATCH
    # amounts as the client's locale writes them (Babel, en_US for acme)
    lines, stated = (
        format_currency(Decimal(v), "USD", locale="en_US") for v in ("149", "150")
    )
    assert problem.message == f"expected the sum of the lines {lines}, found {stated}"
    assert problem.source.where() == f"{path}:row 4:Total"


def test_same_stay_claimed_twice(
    costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    header = "Nº socio;Hotel;Confirmación;Llegada;Salida;Recibido;Folio adjunto\n"
    path = write(
        "s.csv",
        header
        + "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;20/10/2026;sí\n"
        + "300999999;caz-mad;md-4471902;02/10/2026;05/10/2026;21/10/2026;sí\n",
    )
    result = check([path], costa, received_at=NOW)
    assert result.outcomes == {Outcome.ACCEPTED: 1, Outcome.DUPLICATE: 1}
    assert [p.code for p in result.problems] == [
        ReasonCode.INVALID_FORMAT,
        ReasonCode.DUPLICATE_STAY_IN_BATCH,
    ]


def test_key_index_names_the_first_place_of_keys_seen_in_earlier_chunks() -> None:
    seen = SeenKeys()
    try:
        assert (
            seen.add("serial", [("DR1", "a.csv:row 2"), ("DR2", "a.csv:row 3")]) == {}
        )
        # a later chunk: one key new, one already seen; the first place stays
        again = seen.add("serial", [("DR2", "b.csv:row 2"), ("DR3", "b.csv:row 3")])
        assert again == {"DR2": "a.csv:row 3"}
        assert seen.add("invoice_line", [("DR2", "c.csv:row 2")]) == {}  # per kind
        assert seen.earlier("serial", ["DR1", "DR2", "DR3", "DR4"]) == {
            "DR1": "a.csv:row 2",
            "DR2": "a.csv:row 3",
            "DR3": "b.csv:row 3",
        }
    finally:
        seen.close()


def test_a_sku_on_two_lines_of_one_invoice_is_not_a_duplicate_of_itself(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A model keyed on two lines of one invoice (two prices) was flagged
    duplicate_invoice_line_in_batch against its own first line and earned nothing;
    another claim with the same invoice and SKU still is a duplicate."""
    from claimflow import read_file, validate_chunk
    from claimflow.validate import context_for

    path = write(
        "two.csv",
        "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serial Numbers\n"
        "T-1,104233,INV-7001,10/02/2026,DRL-200,1,DR10000101\n"
        "T-1,104233,INV-7001,10/02/2026,DRL-200,1,DR10000102\n"
        "T-2,104876,INV-7001,10/02/2026,DRL-200,1,DR10000103\n",
    )
    now = datetime(2026, 10, 20, tzinfo=UTC)
    decided = validate_chunk(read_file(path, acme), acme, context_for(acme, now))
    codes = [[p.code.value for p in d.problems] for _, d in decided]
    assert "duplicate_invoice_line_in_batch" not in codes[0]
    assert len(decided[0][0].lines) == 2
    assert "duplicate_invoice_line_in_batch" in codes[1]


def test_a_serial_twice_in_one_claim_is_pended_never_paid_nor_its_own_duplicate(
    acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Trial 17 (a Swiss client's refund line repeating its sale's serial):
    a serial on two lines of one claim was flagged duplicate_serial_in_batch
    against the claim itself ("already claimed on claim AK-2004" to claim
    AK-2004), and one serial written twice on a line of quantity 2 was
    accepted: two units paid on one serial. Both are the claim's own data
    fault, pended for the participant to fix; a later claim with the serial
    is still a duplicate of the first."""
    path = write(
        "twice.csv",
        HEADER
        # one line, quantity 2, the same serial twice
        + "A,104233,INV-1001,10/02/2026,DRL-200,2,149,298,,DR10000001 DR10000001\n"
        # two lines of one claim, the second a refund of the first
        + "B,104234,INV-1002,10/03/2026,DRL-200,1,149,149,,DR10000002\n"
        + "B,104234,INV-1002,10/03/2026,DRL-200,-1,149,-149,,DR10000002\n"
        # another claim with B's serial: a duplicate of B
        + "C,104235,INV-1003,10/03/2026,DRL-200,1,149,149,,DR10000002\n"
        + "D,104236,INV-1004,10/03/2026,DRL-200,1,149,149,,DR10000004\n",
    )
    found = _check(acme, path)
    assert found["outcomes"] == {
        Outcome.PENDED: 2,
        Outcome.DUPLICATE: 1,
        Outcome.ACCEPTED: 1,
    }
    assert found["2"] == [
        "serial_count_mismatch: 'DR10000001' is listed twice on this line: "
        "one serial number for each unit"
    ]
    assert "3" not in found  # B's sale line itself is fine
    assert "serial_count_mismatch: 'DR10000002' is listed twice (also on line 1): " \
        "one serial number for each unit" in found["4"]
    assert not [p for p in found["4"] if "duplicate" in p]
    assert found["5"] == [
        "duplicate_serial_in_batch: 'DR10000002' already claimed on claim B "
        f"(participant 104234, received 2026-10-28) at {path}:row 3:line 1:Serials",
    ]


@pytest.mark.parametrize("chunk", [10_000, 1])
def test_a_repeat_received_before_the_claim_taken_as_its_original_goes_to_a_person(
    acme: ResolvedClient, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Trials 17 and 19: within a batch the first claim of a key in the
    batch's order (its files as named) is the original; SJ-001, received two
    days before BM-001 but in a file named after it, was closed as BM-001's
    duplicate and the genuine sale lost. A repeat received on an earlier day
    than its original is not closed: it goes to review (a person decides
    which is the sale); one received the same day or later is a duplicate."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)  # across chunks, by the key index
    header = HEADER.rstrip("\n") + ",Received\n"
    later = write(
        "a_bm.csv",
        header + "BM-001,104234,INV-2001,10/02/2026,DRL-200,1,149,149,,DR10000001,2026-10-12\n",
    )
    earlier = write(
        "b_sj.csv",
        header
        + "SJ-001,104233,INV-1001,10/02/2026,DRL-200,1,149,149,,DR10000001,2026-10-10\n"
        + "SJ-002,104235,INV-1002,10/02/2026,DRL-200,1,149,149,,DR10000001,2026-10-12\n"
        # BM-001's own participant, earlier: their own two claims, paid once either way
        + "SJ-003,104234,INV-1003,10/02/2026,DRL-200,1,149,149,,DR10000001,2026-10-11\n",
    )
    result = check([later, earlier], acme, received_at=NOW)
    codes = {
        p.source.where().split(":")[0]
        + ":"
        + p.source.where().split(":row ")[1].split(":")[0]: p.code.value
        for p in result.problems
    }
    assert codes == {
        f"{earlier}:2": "possible_duplicate",  # SJ-001, received 10/10: a person decides
        f"{earlier}:3": "duplicate_serial_in_batch",  # SJ-002, the same day as BM-001
        # SJ-003, BM-001's own participant, received before it (trial 31: the
        # earlier claim is never closed as its resubmission's duplicate)
        f"{earlier}:4": "possible_duplicate",
    }
    assert result.outcomes == {Outcome.ACCEPTED: 1, Outcome.REVIEW: 2, Outcome.DUPLICATE: 1}
    doubts = [p for p in result.problems if p.code.value == "possible_duplicate"]
    assert doubts[0].message.endswith(", though received before it")
