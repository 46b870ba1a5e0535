"""Total and footer rows after the claims: left out with a note, in any language.

Found by a new-user trial (a Brazilian client): ``Elaborado por: Marcos
Pereira`` below the claims of a workbook was stored as a pended claim with
no participant, got a notice and counted in the SLA; CSV files kept both
their ``Total`` row and their footer as claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from claimflow import check
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.parse import open_file
from claimflow.parse.common import FOOTER_ROWS, trailers

CLIENT = """\
client: vendas-br
name: Frio Sul Incentivo de Vendas
kind: sales
locale: pt_BR
date_order: DMY
columns:
  claim_ref: ["Nº Pedido"]
  participant_id: ["Matrícula"]
  participant_name: ["Nome do Vendedor"]
  invoice_number: ["Nota Fiscal"]
  invoice_date: ["Data da NF"]
  sku: ["Código do Produto"]
  quantity: ["Quantidade"]
  line_total: ["Valor Total"]
"""
HEADER = [
    "Nº Pedido",
    "Matrícula",
    "Nome do Vendedor",
    "Nota Fiscal",
    "Data da NF",
    "Código do Produto",
    "Quantidade",
    "Valor Total",
]
CLAIMS = [
    "BR-001;10001;Ana Souza;NF-000101;05/10/2026;REF-100;6;7407,36".split(";"),
    "BR-002;10002;Bruno Lima;NF-000201;09/10/2026;AC-900;2;7000,00".split(";"),
]
TOTAL = ["Total", "", "", "", "", "", "8", "14407,36"]
FOOTER = ["Elaborado por: Marcos Pereira", "", "", "", "", "", "", ""]


@pytest.fixture(scope="module")
def br() -> ResolvedClient:
    return resolve(ClientConfig.model_validate(yaml.safe_load(CLIENT)))


def _book(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Vendas"
    sheet.append(["Frio Sul – Pedidos de Novembro/2026"])
    sheet.append([])
    for row in rows:
        sheet.append([cell or None for cell in row])
    book.save(path)
    return path


def _csv(path: Path, rows: Sequence[Sequence[str]], title: bool = False) -> Path:
    lines = ["Relatório de vendas – Outubro/2026;;;;;;;", ""] if title else []
    lines += [";".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_workbook_footer_in_portuguese_is_not_a_claim(
    br: ResolvedClient, tmp_path: Path
) -> None:
    path = _book(tmp_path / "novembro.xlsx", [HEADER, *CLAIMS, TOTAL, [], FOOTER])
    parsed = open_file(path, br)
    records = list(parsed.records)
    assert [r.values["claim_ref"] for r in records] == ["BR-001", "BR-002"]
    assert parsed.notes == [
        "sheet Vendas: header on row 3; row 1 above it skipped",
        "sheet Vendas:row 6: total row 'Total' left out; its Quantidade 8 and "
        "Valor Total 14407,36 equal the 2 claim rows above",
        "sheet Vendas:row 8: footer row 'Elaborado por: Marcos Pereira' left out",
    ]


def test_the_footer_gets_no_notice_and_is_not_counted(
    br: ResolvedClient, tmp_path: Path
) -> None:
    """The trial's symptom: a pended claim 'member (unknown)' with a notice."""
    path = _book(tmp_path / "novembro.xlsx", [HEADER, *CLAIMS, FOOTER])
    result = check([path], br, workers=1)
    assert result.records == 2
    assert sum(result.outcomes.values()) == 2


@pytest.mark.parametrize(
    ("title", "workers"),
    [
        (False, 1),  # rows read in this process
        (False, 2),  # a file without quotes, cut into blocks for the workers
        (True, 2),  # a title above the header: rows read in this process
    ],
)
def test_csv_total_and_footer_rows_are_left_out_with_a_note(
    br: ResolvedClient, tmp_path: Path, title: bool, workers: int
) -> None:
    path = _csv(tmp_path / "outubro.csv", [HEADER, *CLAIMS, TOTAL, FOOTER], title)
    first = 4 if title else 2
    result = check([path], br, workers=workers)
    assert result.records == 2
    assert result.files[0].notes[-2:] == [
        f"row {first + 2}: total row 'Total' left out; its Quantidade 8 and Valor "
        "Total 14407,36 equal the 2 claim rows above",
        f"row {first + 3}: footer row 'Elaborado por: Marcos Pereira' left out",
    ]


@pytest.mark.parametrize(
    "sparse",
    [
        ["", "10003", "", "", "", "", "", ""],  # a participant
        ["", "", "", "NF-000301", "", "", "", ""],  # an invoice
        ["", "", "Carla Dias", "", "", "", "3", ""],  # a participant's name
        ["BR-003", "", "", "", "", "REF-100", "", ""],  # a product
    ],
)
def test_a_sparse_last_row_naming_who_or_what_is_a_claim(
    br: ResolvedClient, tmp_path: Path, sparse: list[str]
) -> None:
    """Never dropped: it is read, and pended for what it lacks."""
    for path in (
        _book(tmp_path / "c.xlsx", [HEADER, *CLAIMS, sparse]),
        _csv(tmp_path / "c.csv", [HEADER, *CLAIMS, sparse]),
    ):
        parsed = open_file(path, br)
        assert len(list(parsed.records)) == 3, path
        assert not any("left out" in note for note in parsed.notes)


def test_a_sparse_row_between_claims_is_a_claim(
    br: ResolvedClient, tmp_path: Path
) -> None:
    """Only rows after the last claim can be footers."""
    odd = ["BR-009", "", "", "", "", "", "4", ""]
    for path in (
        _book(tmp_path / "c.xlsx", [HEADER, CLAIMS[0], odd, CLAIMS[1], FOOTER]),
        _csv(tmp_path / "c.csv", [HEADER, CLAIMS[0], odd, CLAIMS[1], FOOTER]),
    ):
        parsed = open_file(path, br)
        refs = [r.values["claim_ref"] for r in parsed.records]
        assert refs == ["BR-001", "BR-009", "BR-002"], path
        assert [n for n in parsed.notes if "left out" in n] == [
            f"{'sheet Vendas:' if path.suffix == '.xlsx' else ''}row "
            f"{7 if path.suffix == '.xlsx' else 5}: footer row "
            "'Elaborado por: Marcos Pereira' left out"
        ]


def test_a_file_of_sparse_rows_only_is_read_as_claims(
    br: ResolvedClient, tmp_path: Path
) -> None:
    """No claim above them: nothing for them to be the footer of."""
    odd = [[f"BR-00{n}", "", "", "", "", "", "4", ""] for n in (8, 9)]
    parsed = open_file(_csv(tmp_path / "c.csv", [HEADER, *odd]), br)
    assert len(list(parsed.records)) == 2
    assert parsed.notes == []


def test_the_blocks_cut_for_workers_leave_out_what_the_rows_do(
    br: ResolvedClient, tmp_path: Path
) -> None:
    """However small the blocks, even a last block holding only the footer."""
    claims = [
        [f"BR-{n:03}", "10001", "Ana", f"NF-{n:06}", "05/10/2026", "REF-100", "1", "1"]
        for n in range(40)
    ]
    total = ["Total", "", "", "", "", "", "40", "40"]  # the 40 claims' sums
    path = _csv(tmp_path / "c.csv", [HEADER, *claims, total, [""] * 8, FOOTER])
    serial = open_file(path, br)
    expected = list(serial.cells.rows) if serial.cells else []
    assert len(expected) == 40
    for size in range(1, 45):
        cells = open_file(path, br).cells
        assert cells is not None
        blocks = cells.blocks(size)
        assert blocks is not None
        rows = list(chain.from_iterable(cells.parse(b) for b in list(blocks)))
        assert rows == expected, size
        assert cells.notes == serial.notes, size


def _kind(row: str) -> str | None:
    return None if row.startswith("claim") else row


@pytest.mark.parametrize(
    ("rows", "left_out"),
    [
        (["claim", "total", "footer"], ["total", "footer"]),
        (["claim", "footer", "claim"], []),
        (["footer", "footer"], []),
        (["claim"], []),
        ([], []),
        (["claim", *["footer"] * FOOTER_ROWS], ["footer"] * FOOTER_ROWS),
        (["footer"] * (FOOTER_ROWS + 1), []),
    ],
)
def test_trailers_are_the_named_rows_after_the_last_claim(
    rows: list[str], left_out: list[str]
) -> None:
    assert [kind for _, kind in trailers(rows, _kind)] == left_out


def test_a_run_longer_than_a_footer_is_data(br: ResolvedClient, tmp_path: Path) -> None:
    many = [[f"BR-{n}", "", "", "", "", "", "4", ""] for n in range(FOOTER_ROWS + 1)]
    for path in (
        _book(tmp_path / "c.xlsx", [HEADER, *CLAIMS, *many]),
        _csv(tmp_path / "c.csv", [HEADER, *CLAIMS, *many]),
    ):
        parsed = open_file(path, br)
        assert len(list(parsed.records)) == 2 + FOOTER_ROWS + 1
        assert not any("left out" in note for note in parsed.notes)


@pytest.mark.parametrize("word", ["合計", "小計", "Razem", "Итого", "합계", "Summa", "Toplam"])
def test_a_total_row_in_other_languages_is_not_a_claim(
    br: ResolvedClient, tmp_path: Path, word: str
) -> None:
    """Trial 19: a Japanese workbook's 合計 row (the quantity and amount
    summed, no claim identifier) was stored as a pended claim with no
    participant, counted in the figures; a total between claims too."""
    subtotal = [word, "", "", "", "", "", "6", "7407,36"]  # BR-001's
    total = [word, "", "", "", "", "", "8", "14407,36"]  # both claims'
    path = _book(
        tmp_path / "sheet.xlsx", [HEADER, CLAIMS[0], subtotal, CLAIMS[1], total]
    )
    parsed = open_file(path, br)
    assert [r.values["claim_ref"] for r in parsed.records] == ["BR-001", "BR-002"]
    assert parsed.notes[1:] == [
        f"sheet Vendas:row 5: total row '{word}' left out; its Quantidade 6 and "
        "Valor Total 7407,36 equal the 1 claim row above",
        f"sheet Vendas:row 7: total row '{word}' left out; its Quantidade 8 and "
        "Valor Total 14407,36 equal the 2 claim rows above",
    ]
