"""A pended claim and its fix in the same batch: the fix is no duplicate of it.

From the pt_BR new-user trial (trial 23, client ``vendas-br``):
``claimflow check outubro.csv novembro.xlsx`` marked the corrected BR-006
``duplicate_invoice_line_in_batch`` against the October row whose quantity
``1.000`` could not be read, so neither could be paid. A row with a value
that could not be read is pended; it still repeats any earlier row, but it
is never the original of a readable one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import Outcome, ResolvedClient, batch_run, check, load_client
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 20, tzinfo=UTC)
HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)
SALE = "10001;R-SP-01;{nf};{day};REF-100;{qty};1.234,56;{total};{received};sim\n"
#: The trial's BR-006: quantity ``1.000`` (ambiguous), then fixed; BR-101
#: dated ``31/09/2026`` (no such day), then fixed. Each row is given its own
#: reference (`_csv`): rows of one reference in a file are one claim's lines.
UNREAD = SALE.format(
    nf="NF-000103",
    day="15/10/2026",
    qty="1.000",
    total="1.234,56",
    received="2026-10-25T10:00-03:00",
)
FIXED = SALE.format(
    nf="NF-000103",
    day="15/10/2026",
    qty="1",
    total="1.234,56",
    received="2026-11-03T10:00-03:00",
)
UNREAD_LATER = UNREAD.replace("2026-10-25T", "2026-11-05T")
NO_DAY = SALE.format(
    nf="NF-000501",
    day="31/09/2026",
    qty="1",
    total="1.234,56",
    received="2026-10-20T10:00-03:00",
)
DAY_FIXED = SALE.format(
    nf="NF-000501",
    day="30/09/2026",
    qty="1",
    total="1.234,56",
    received="2026-10-27T10:00-03:00",
)
DUP = "duplicate_invoice_line_in_batch"


def _csv(*rows: str, first: int = 1) -> str:
    return HEADER + "".join(f"BR-{n:03d};{row}" for n, row in enumerate(rows, first))


@pytest.fixture(scope="module")
def br() -> ResolvedClient:
    return load_client(FIXTURES / "clients" / "vendas-br.yaml")


def _codes(
    br: ResolvedClient, *files: Path, workers: int | None = None
) -> dict[str, list[str]]:
    """Each claim's reason codes, by file and row (``a.csv:4``)."""
    result = check(files, br, received_at=NOW, workers=workers)
    found: dict[str, list[str]] = {}
    for problem in result.problems:
        source = problem.source
        found.setdefault(f"{Path(source.file).name}:{source.row}", []).append(
            problem.code.value
        )
    assert result.records == sum(result.outcomes.values())
    return found


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the trial: the pended row, then its fix; the fix is clean
        ([UNREAD, FIXED], {"a.csv:2": ["invalid_number"]}),
        ([NO_DAY, DAY_FIXED], {"a.csv:2": ["invalid_date"]}),
        # the fix first, the unreadable row (received 25 Oct, before the
        # fix's 3 Nov) after it: the fix corrects it, as in file order
        # (before: its duplicate, and `dedupe claims` closed the fix)
        ([FIXED, UNREAD], {"a.csv:3": ["invalid_number"]}),
        # received after the fix: the unreadable row repeats it
        ([FIXED, UNREAD_LATER], {"a.csv:3": ["invalid_number", DUP]}),
        # the same unreadable row twice repeats itself; the fix is clean
        (
            [UNREAD, UNREAD, FIXED],
            {"a.csv:2": ["invalid_number"], "a.csv:3": ["invalid_number", DUP]},
        ),
        # the fix sent twice: the second repeats the first fix
        ([UNREAD, FIXED, FIXED], {"a.csv:2": ["invalid_number"], "a.csv:4": [DUP]}),
    ],
)
def test_a_fix_in_the_same_file(
    br: ResolvedClient,
    write: Callable[..., Path],
    rows: list[str],
    expected: dict[str, list[str]],
) -> None:
    assert _codes(br, write("a.csv", _csv(*rows))) == expected


def test_the_fix_repeated_names_the_fix_as_the_original(
    br: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write("a.csv", _csv(UNREAD, FIXED, FIXED))
    result = check([path], br, received_at=NOW)
    [message] = [p.message for p in result.problems if p.code.value == DUP]
    assert message == (
        "'NF-000103 / REF-100' already claimed on claim BR-002 (participant 10001, "
        f"received 2026-11-03) at {path}:row 3:Nota Fiscal"
    )
    assert result.outcomes == {
        Outcome.PENDED: 1,
        Outcome.ACCEPTED: 1,
        Outcome.DUPLICATE: 1,
    }


@pytest.mark.parametrize("chunk", [1, 2, 10_000])
def test_a_fix_in_another_file_or_chunk(
    br: ResolvedClient,
    write: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    """``check outubro.csv novembro.xlsx``: the files share the batch's key
    index, chunk after chunk (one process: its chunks are `CHUNK` rows)."""
    monkeypatch.setattr(batch_run, "CHUNK", chunk)
    october = write("outubro.csv", _csv(UNREAD, NO_DAY, UNREAD))
    november = write("novembro.csv", _csv(FIXED, DAY_FIXED, FIXED, UNREAD, first=4))
    assert _codes(br, october, november, workers=1) == {
        "outubro.csv:2": ["invalid_number"],
        "outubro.csv:3": ["invalid_date"],
        "outubro.csv:4": ["invalid_number", DUP],  # the unreadable row again
        "novembro.csv:4": [DUP],  # the fix again
        "novembro.csv:5": ["invalid_number", DUP],  # unreadable after the fix
    }
