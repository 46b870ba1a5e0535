"""Duplicates found by ``dedupe claims`` count as decided in the SLA figures.

From the pt_BR new-user trial (trial 23, client ``vendas-br``): November's
BR-010 repeated October's BR-004 (invoice NF-000301); ``dedupe claims``
marked it a duplicate without a ``decided`` event, so ``report sla`` showed
it in the backlog and as a breach while ``queue`` showed no open claim.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.dedupe.claims import dedupe_claims
from claimflow.sla.metrics import Window, claim_facts, summarize
from claimflow.sla.queue import work_queue
from tests.conftest import FIXTURES

#: The dedupe run, and the report a month later (every claim long due).
RUN = datetime(2026, 11, 6, 14, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)
OCTOBER = (
    "BR-004;10003;R-CPS-02;NF-000301;20/10/2026;AC-900;3;3.500,00;10.500,00;"
    "2026-10-28T14:00:00-03:00;sim\n"
)
NOVEMBER = (
    "BR-010;10003;R-CPS-02;NF-000301;20/10/2026;AC-900;3;3.500,00;10.500,00;"
    "2026-11-05T10:00:00-03:00;sim\n"
)


def _deduped(store: Store, write: Callable[..., Path]) -> tuple[ResolvedClient, str]:
    client = load_client(FIXTURES / "clients" / "vendas-br.yaml")
    ingest([write("outubro.csv", HEADER + OCTOBER)], client, store)
    ingest([write("novembro.csv", HEADER + NOVEMBER)], client, store)
    result = dedupe_claims(store, client, now=RUN, actor="ana")
    [duplicate] = {m.claim_id for m in result.matches if m.decision == "duplicate"}
    return client, duplicate


def test_a_duplicate_is_decided_when_dedupe_finds_it(
    store: Store, write: Callable[..., Path]
) -> None:
    client, duplicate = _deduped(store, write)
    assert store.db.execute(
        "SELECT event, at, operator FROM claim_events WHERE claim_id = ?", [duplicate]
    ).fetchall() == [("decided", RUN.isoformat(), "ana")]
    facts = claim_facts(store, client, Window(), LATER).set_index("claim_id")
    assert facts.loc[duplicate, "status"] == "decided"
    assert facts.loc[duplicate, "decided"] == RUN
    assert not facts.loc[duplicate, "breached"]
    # the accepted original waits for its award: the only open claim, as queued
    total = summarize(facts.reset_index()).iloc[-1]
    assert (total["backlog"], total["decided"]) == (1, 1)
    assert list(work_queue(store, [client], LATER)["claim_id"]) == list(
        facts.index[facts["status"] == "open"]
    )


def test_a_duplicate_found_before_the_event_was_recorded_is_decided_too(
    store: Store, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stores ``dedupe claims`` ran on before it recorded the event (such as
    the trial's): the decision is the time of the outcome it recorded."""
    monkeypatch.setattr(Store, "add_events", lambda self, rows: None)
    client, duplicate = _deduped(store, write)
    monkeypatch.undo()
    assert store.db.execute(
        "SELECT count(*) FROM claim_events WHERE claim_id = ?", [duplicate]
    ).fetchone() == (0,)
    facts = claim_facts(store, client, Window(), LATER).set_index("claim_id")
    assert facts.loc[duplicate, "status"] == "decided"
    assert facts.loc[duplicate, "decided"] == RUN
