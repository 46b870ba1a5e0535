"""Regressions a new user found (trial 15, the Pousada Sol hotel desk, pt_BR).

1. ``PS-1006;...;-320,00;BRL;...`` (a refund keyed as the room revenue) was
   accepted and paid 250 points: the base line became ``0 x 2 -> +0``
   and the nights still paid. ``-R$ 320,00``, ``320,00-`` and ``(320,00)``
   too. A negative amount is pended naming the field, and the engine refuses
   one that reaches it rather than paying a base of 0.
2. ``Valor da diária`` = ``US$ 100,00`` (or ``€ 100,00``) with ``Moeda`` =
   BRL was read as 100.00 BRL and paid 400 points: the sign was stripped
   whatever currency it named. A sign or code must name the claim's currency
   in the client's locale (Babel's symbols), or the amount is refused.
12. ``1.234,56 R$`` was refused while ``R$1.234,56`` was read (both are read
   now: `tests/test_numbers.py` writes them with Babel); an unlabelled
   ``=SUM`` subtotal row between claims (a formula with no saved value,
   probe/soma.xlsx) vanished with no note: it is left out with a note naming
   its row, as ``Total`` rows are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from babel.numbers import format_currency

from claimflow import ReasonCode, UnreadableInput, load_client
from claimflow.award import CapState, compute_award
from claimflow.award.rules import AwardSettings
from claimflow.award.sets import LeanClaim, compute_lean, plan_for
from claimflow.models import ClaimLine, Participant, Provenance, SalesClaim, StayClaim
from claimflow.parse import open_file, read_file
from claimflow.validate import build_claim, context_for
from tests.conftest import FIXTURES

POUSADA = load_client(FIXTURES / "clients" / "pousada-noverify.yaml")
NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
HEADER = (
    "Protocolo;Número do membro;Nome do hóspede;Hotel;Nº da reserva;"
    "Data de entrada;Data de saída;Valor da diária;Moeda;Canal;Recebido em\n"
)


def _stay_row(revenue: str) -> str:
    """The trial's row PS-1006, with its revenue as keyed."""
    return (
        f"PS-1006;60891234;Luís Gonçalves;PSL-SSA;SSA22050;03/10/2026;05/10/2026;"
        f"{revenue};BRL;Direto;22/10/2026\n"
    )


@pytest.mark.parametrize("revenue", ["-320,00", "-R$ 320,00", "320,00-", "(320,00)"])
def test_a_negative_stay_revenue_is_refused_naming_the_field(
    write: Callable[..., Path], revenue: str
) -> None:
    [raw] = read_file(write("outubro.csv", HEADER + _stay_row(revenue)), POUSADA)
    claim, problems = build_claim(raw, POUSADA, context_for(POUSADA, NOW))
    assert isinstance(claim, StayClaim)
    assert claim.qualifying_revenue == Decimal("-320.00")
    assert [(p.code, p.field, p.source.where()) for p in problems] == [
        (
            ReasonCode.NEGATIVE_AMOUNT,
            "qualifying_revenue",
            f"{raw.source.file}:row 2:Valor da diária",
        )
    ]
    # people read the amount in the client's locale and currency (Babel's)
    shown = format_currency(Decimal("-320.00"), "BRL", locale="pt_BR")
    assert problems[0].message == f"expected an amount of 0 or more, found {shown}"


def _stay(revenue: str, **extra: object) -> StayClaim:
    return StayClaim(
        id="PS-1006",
        client="pousada-noverify",
        participant_id="60891234",
        received_at=datetime(2026, 10, 22, tzinfo=UTC),
        provenance=Provenance(file="outubro.csv", row=7),
        hotel_code="PSL-SSA",
        check_in=date(2026, 10, 3),
        check_out=date(2026, 10, 5),
        qualifying_revenue=Decimal(revenue),
        currency="BRL",
        **extra,
    )


def _settings(
    rules: list[dict[str, object]], activity: str = "check_out"
) -> AwardSettings:
    return AwardSettings.model_validate(
        {
            "activity_date": activity,
            "currency": "BRL",
            "rule_sets": [
                {"version": "2026", "effective_from": "2026-01-01", "rules": rules}
            ],
        }
    )


def test_the_engine_refuses_a_negative_revenue_instead_of_a_base_of_0() -> None:
    """The trial's rules: 2 points per R$, 100 per night, prata +25%. Before,
    -320,00 paid 0 + 2 x 100 + 50 = 250; now nothing is paid."""
    config = POUSADA.config.award
    assert config is not None
    luis = Participant(
        id="60891234",
        client="pousada-noverify",
        tier="prata",
        enrolled_on=date(2025, 1, 10),
        provenance=Provenance(file="membros.csv", row=2),
    )
    award, problem = compute_award(_stay("-320.00"), config, luis, CapState())
    assert award is None and problem is not None
    assert problem.code is ReasonCode.NEGATIVE_AMOUNT
    assert (
        problem.message == "stay at PSL-SSA: amount: expected 0 or more, found -320.00"
    )
    # The same stay at +320,00 earns (2 x 320 + 2 nights x 100) x 1.25 = 1,050.
    award, problem = compute_award(_stay("320.00"), config, luis, CapState())
    assert problem is None and award is not None and award.points == 1050


def test_excluded_amounts_above_the_revenue_are_refused_not_clamped() -> None:
    settings = _settings(
        [
            {"id": "base", "kind": "per_currency", "points": 2, "per": 1, "basis": "pro_rata",
             "exclude": ["taxes"]},
            {"id": "noites", "kind": "per_unit", "unit": "nights", "points": 100},
        ]
    )  # fmt: skip
    claim = _stay("100.00", taxes=Decimal("150.00"))
    award, problem = compute_award(claim, settings, None, CapState())
    assert award is None and problem is not None
    assert problem.code is ReasonCode.NEGATIVE_AMOUNT
    assert problem.message == (
        "stay at PSL-SSA: expected an amount of 0 or more after excluding taxes, "
        "found 100.00 - 150.00 = -50.00"
    )


@pytest.mark.parametrize(
    ("quantity", "total", "found"),
    [(2, "-298.00", "amount: expected 0 or more, found -298.00"),
     (-2, "298.00", "quantity: expected 0 or more, found -2")],
)  # fmt: skip
def test_a_negative_sale_is_refused_by_the_engine_and_the_lean_path(
    quantity: int, total: str, found: str
) -> None:
    """A sales claim accepted another way (adjudicated, an earlier release):
    the set path hands it to the engine, which refuses it."""
    settings = _settings(
        [
            {
                "id": "base",
                "kind": "per_currency",
                "points": 1,
                "per": 1,
                "basis": "pro_rata",
            }
        ],
        "invoice_date",
    )
    sold = date(2026, 10, 2)
    claim = SalesClaim(
        id="c1",
        client="x",
        participant_id="R1",
        received_at=NOW,
        invoice_date=sold,
        provenance=Provenance(file="vendas.csv", row=2),
        lines=(
            ClaimLine(
                sku="DRL-200",
                quantity=quantity,
                line_total=Decimal(total),
                provenance=Provenance(file="vendas.csv", row=2),
            ),
        ),
    )
    award, problem = compute_award(claim, settings, None, CapState())
    assert award is None and problem is not None
    assert problem.code is ReasonCode.NEGATIVE_AMOUNT
    assert problem.message == f"{quantity} x DRL-200: {found}"
    plan = plan_for(settings.rule_sets[0], settings)
    assert plan is not None
    lean = LeanClaim(
        "c1",
        "x",
        "R1",
        NOW.isoformat(),
        sold,
        f'[["DRL-200", {quantity}, null, "{total}"]]',
    )
    with pytest.raises(ValueError):
        compute_lean(lean, plan, {}, 0)


@pytest.mark.parametrize(
    ("written", "moeda", "why"),
    [
        ("US$ 100,00", "BRL", "currency mismatch: 'US$' is USD in pt_BR"),
        ("€ 100,00", "BRL", "currency mismatch: '€' is EUR in pt_BR"),
        ("USD 100", "BRL", "currency mismatch: the claim's currency is BRL"),
        ("$ 100,00", "BRL", "'$' does not say which currency in pt_BR"),
        ("R$ 100,00", "USD", "currency mismatch: 'R$' is BRL in pt_BR"),
    ],
)
def test_a_foreign_currency_sign_is_refused_not_read_as_the_claims(
    write: Callable[..., Path], written: str, moeda: str, why: str
) -> None:
    row = _stay_row(written).replace(";BRL;", f";{moeda};")
    [raw] = read_file(write("outubro.csv", HEADER + row), POUSADA)
    claim, problems = build_claim(raw, POUSADA, context_for(POUSADA, NOW))
    assert isinstance(claim, StayClaim) and claim.qualifying_revenue is None
    [problem] = problems
    assert (problem.code, problem.source.where()) == (
        ReasonCode.INVALID_NUMBER,
        f"{raw.source.file}:row 2:Valor da diária",
    )
    assert problem.message.startswith(
        f"expected an amount in {moeda}, found {written!r} ({why}"
    )


@pytest.mark.parametrize(("moeda", "currency"), [("BRL", "BRL"), ("USD", "USD")])
def test_the_claims_own_currency_sign_is_read(
    write: Callable[..., Path], moeda: str, currency: str
) -> None:
    """Babel writes 100 in the row's currency for pt_BR; it reads back."""
    written = format_currency(Decimal("100"), currency, locale="pt_BR")
    row = _stay_row(written).replace(";BRL;", f";{moeda};")
    [raw] = read_file(write("outubro.csv", HEADER + row), POUSADA)
    claim, problems = build_claim(raw, POUSADA, context_for(POUSADA, NOW))
    assert problems == []
    assert isinstance(claim, StayClaim)
    assert claim.qualifying_revenue == Decimal("100.00")


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    """The trial's probe/soma.xlsx shape, written by openpyxl, which saves
    formulas without a value (it does not calculate)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(";"))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _stay_cells(ref: str, revenue: object) -> list[object]:
    return [ref, "30567891", "Ana Beatriz Souza", "PSL-RIO", f"RIO{ref[-5:]}",
            "01/10/2026", "03/10/2026", revenue, "BRL", "Direto", "20/10/2026"]  # fmt: skip


UNSAVED = (
    "a formula with no saved value (the workbook was saved by a program that does "
    "not compute formulas: open it in Excel and save it to have it checked)"
)


def test_an_unlabelled_sum_row_between_claims_is_left_out_with_a_note(
    tmp_path: Path,
) -> None:
    subtotal = [None] * 7 + ["=SUM(H2:H3)"]
    path = _workbook(
        tmp_path / "soma.xlsx",
        [_stay_cells("PS-06001", 500), _stay_cells("PS-06002", 250), subtotal,
         _stay_cells("PS-06003", "1.234,56"), ["Soma", *subtotal[1:]]],
    )  # fmt: skip
    parsed = open_file(path, POUSADA)
    records = list(parsed.records)
    assert [r.source.row for r in records] == [2, 3, 5]
    assert parsed.notes == [
        "sheet Sheet:row 4: total row '=SUM(H2:H3)' (a formula with no saved "
        f"value) left out; '=SUM(H2:H3)' under 'Valor da diária' not checked: {UNSAVED}",
        "sheet Sheet:row 6: total row 'Soma' left out; '=SUM(H2:H3)' under 'Valor "
        f"da diária' not checked: {UNSAVED}",
    ]


def test_an_unsaved_formula_in_a_claims_amount_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    """A claim's amount held a formula the workbook never saved a value of:
    the claim was pended and its participant asked for a number they never
    wrote (trial 30). The file is refused, naming the cell and what the desk
    does (a new user's workbook written by openpyxl)."""
    path = _workbook(tmp_path / "f.xlsx", [_stay_cells("PS-06001", "=250*2")])
    with pytest.raises(UnreadableInput) as refused:
        read_file(path, POUSADA)
    assert str(refused.value) == (
        f"{path}: sheet Sheet:row 2:Valor da diária: a formula (=250*2) with no saved "
        "value: the workbook was saved by a program that does not compute formulas; "
        "open it in Excel and save it, or send its values"
    )
