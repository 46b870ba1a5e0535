"""The SLA report's top reasons count claims, and a period must run forward.

From the pt_BR new-user trial (trial 23, client ``vendas-br``): one claim
missing five fields showed as ``missing_field ... claims 5``; and
``report sla --period 2026-12-31..2026-01-01`` was accepted with exit 0.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from claimflow import Store, ingest, load_client
from claimflow.errors import ClaimflowError
from claimflow.report.sla import build_report
from claimflow.sla.metrics import Window
from tests.conftest import FIXTURES
from tests.test_cli import run

CONFIG = FIXTURES / "clients" / "vendas-br.yaml"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)
RECEIVED = "2026-10-25T10:00:00-03:00"


def test_top_reasons_count_each_claim_once(
    store: Store, write: Callable[..., Path]
) -> None:
    client = load_client(CONFIG)
    rows = (
        # four fields missing on one claim, one on another
        f"BR-020;10001;R-SP-01;;;;;1.234,56;1.234,56;{RECEIVED};sim\n"
        f"BR-021;10002;R-SP-01;;15/10/2026;REF-100;1;1.234,56;1.234,56;{RECEIVED};sim\n"
        # and a quantity that cannot be read
        f"BR-022;10002;R-SP-01;NF-000104;15/10/2026;REF-100;1.000;1.234,56;1.234,56;"
        f"{RECEIVED};sim\n"
    )
    ingest([write("outubro.csv", HEADER + rows)], client, store)
    report = build_report("sla", store, client, "2026-10", NOW)
    # all pended: no share to judge and no chart to draw (it raised before)
    # none decided, and all three open past their due date (the table's breaches)
    assert report.verdict == (
        "On time: no claim received in the period is decided yet (target 90%), but "
        "3 open claims are already past the due date: at most 0,0% once decided: "
        # as of 3 December none of them was answered, received in October:
        # each has missed the 8 business hours already
        "missed. First response within 8 business hours: 0,0% of 3 due claims "
        "(0 answered, 3 not answered and already past it) (target 90%): missed."
    )
    assert report.tables["By month"].iloc[-1]["breaches"] == 3
    assert report.charts == {}
    top = report.tables["Top reasons for pending and rejection"]
    assert top.to_dict("records") == [
        {"outcome": "pended", "code": "missing_field", "claims": 2, "problems": 5},
        {"outcome": "pended", "code": "invalid_number", "claims": 1, "problems": 1},
    ]


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("2026-10-01..2026-10-31", Window(date(2026, 10, 1), date(2026, 11, 1))),
        ("2026-10-01..2026-10-01", Window(date(2026, 10, 1), date(2026, 10, 2))),
        ("2026-10", Window(date(2026, 10, 1), date(2026, 11, 1))),
        (None, Window()),
    ],
)
def test_periods(text: str | None, window: Window) -> None:
    assert Window.parse(text) == window


def test_a_period_ending_before_it_starts_is_refused(store: Store) -> None:
    with pytest.raises(ClaimflowError, match="ending on or after its start"):
        Window.parse("2026-12-31..2026-01-01")
    code, out, err = run(
        "report", "sla", "--client", str(CONFIG), "--db", store.location,
        "--period", "2026-12-31..2026-01-01",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: error: expected a period ending on or after its start "
        "(2026-12-31), found '2026-12-31..2026-01-01'\n"
    )
