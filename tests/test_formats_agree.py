"""The same claims in four formats and two number conventions: one set of claims.

CSV and PDF hold numbers as text in the client's locale; the workbook holds
them as numeric cells and the JSON Lines file as JSON numbers. Under a
decimal-comma client (de_DE) and a decimal-point one (en_US) every format
must give the same typed claims and the same award preview.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow.award import CapState, compute_award
from claimflow.award.run import settings_of
from claimflow.codes import Outcome
from tests.formats import (
    Line,
    SaleForm,
    client_for,
    decided,
    text_cell,
    typed,
    typed_cell,
    write_csv,
    write_jsonl,
    write_pdf,
    write_xlsx,
)

lines = st.lists(
    st.builds(
        Line,
        sku=st.sampled_from(["DRL-200", "SAW-310", "BAT-20V"]),
        quantity=st.integers(1, 999),  # 1.000 to 999.999 are refused as ambiguous
        price=st.decimals(
            min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2
        ),
    ),
    min_size=1,
    max_size=3,
    # One SKU per invoice: the same SKU twice on an invoice is a duplicate line.
    unique_by=lambda line: line.sku,
)


def _files(tmp_path: Path, forms: list[SaleForm], locale: str) -> list[Path]:
    text = text_cell(locale)
    delimiter = ";" if locale == "de_DE" else ","
    return [
        write_csv(tmp_path / f"{locale}.csv", forms, text, delimiter),
        write_xlsx(tmp_path / f"{locale}.xlsx", forms, typed_cell),
        write_jsonl(tmp_path / f"{locale}.jsonl", forms, typed_cell),
        *(
            write_pdf(tmp_path / f"{locale}-{n}.pdf", f, text)
            for n, f in enumerate(forms)
        ),
    ]


@pytest.mark.parametrize("locale", ["de_DE", "en_US"])
@hsettings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # Each example writes four files: report the failing one, never spend
    # minutes shrinking it.
    phases=[Phase.explicit, Phase.generate],
)
@given(first=lines, second=lines)
def test_every_format_gives_the_same_claims_and_awards(
    locale: str, first: list[Line], second: list[Line], tmp_path: Path
) -> None:
    forms = [
        SaleForm("F-1", "104233", "INV-1", date(2026, 10, 2), tuple(first)),
        SaleForm("F-2", "104876", "INV-2", date(2026, 10, 9), tuple(second)),
    ]
    client = client_for(locale)
    paths = _files(tmp_path, forms, locale)
    by_format: dict[str, list[tuple[dict[str, object], int | None]]] = {}
    for path in paths:
        kind = path.suffix
        for claim, decision in decided([path], client):
            assert decision.outcome is Outcome.ACCEPTED, decision.problems
            award, problem = compute_award(claim, settings_of(client), None, CapState())
            assert problem is None and award is not None
            by_format.setdefault(kind, []).append((typed(claim), award.points))
    csv_claims = by_format.pop(".csv")
    assert len(csv_claims) == 2
    for kind, claims in by_format.items():
        assert claims == csv_claims, kind
    # The award by hand: 1.5 points per 10 of spend (half up) + 5 per unit.
    for (data, points), form in zip(csv_claims, forms, strict=True):
        spend = sum(line.total for line in form.lines)
        units = sum(line.quantity for line in form.lines)
        exact = spend * Decimal("1.5") / 10 + 5 * units
        assert points == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        assert [line["unit_price"] for line in data["lines"]] == [  # type: ignore[index]
            line.price for line in form.lines
        ]


def test_both_conventions_give_the_same_claims(tmp_path: Path) -> None:
    forms = [
        SaleForm(
            "F-1",
            "104233",
            "INV-1",
            date(2026, 10, 2),
            (
                Line("DRL-200", 120, Decimal("1234.5")),
                Line("SAW-310", 3, Decimal("0.99")),
            ),
        )
    ]
    results = {}
    for locale in ("de_DE", "en_US"):
        client = client_for(locale)
        (tmp_path / locale).mkdir()
        claims = [
            typed(c)
            for p in _files(tmp_path / locale, forms, locale)
            for c, _ in decided([p], client)
        ]
        assert len(claims) == 4
        assert all(claim == claims[0] for claim in claims), locale
        results[locale] = claims
    assert results["de_DE"] == results["en_US"]
    assert results["de_DE"][0]["lines"][0]["quantity"] == 120  # type: ignore[index]
