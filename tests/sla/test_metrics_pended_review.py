"""A pended claim a later stage sends to review is the desk's again.

From trial 35 (Nordkok): NK-103 was pended at ingest (its price unreadable,
the participant asked to send it again); ``dedupe claims`` then moved it to
``review`` as a look-alike of another claim. ``report sla`` went on counting
it as "Waiting on participant", its clock paused, though a person of the
desk must now decide it. The move out of ``pended`` resumes the clock, at
the time of the move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from claimflow import Store, ingest, load_client
from claimflow.dedupe.claims import dedupe_claims
from claimflow.sla.metrics import Window, claim_facts, claim_facts_reference, summarize
from claimflow.sla.queue import work_queue
from tests.conftest import FIXTURES

HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)
OCTOBER = (
    "BR-004;10003;R-CPS-02;NF-000301;20/10/2026;AC-900;3;3.500,00;10.500,00;"
    "2026-10-28T14:00:00-03:00;sim\n"
)
# the price written 3500.00 in a pt_BR file: pended, the participant asked
# again; its invoice NF-000310 looks like October's NF-000301: review
NOVEMBER = (
    "BR-010;10003;R-CPS-02;NF-000310;20/10/2026;AC-900;3;3500.00;10.500,00;"
    "2026-11-05T10:00:00-03:00;sim\n"
)
#: São Paulo time is UTC-3: ingest Thu 5 Nov 11:00, dedupe Tue 10 Nov 11:00,
#: the report Mon 16 Nov 12:00.
INGESTED = datetime(2026, 11, 5, 14, 0, tzinfo=UTC)
DEDUPED = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
REPORT = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def test_a_pended_claim_moved_to_review_is_no_longer_waiting(
    store: Store, write: Callable[..., Path]
) -> None:
    client = load_client(FIXTURES / "clients" / "vendas-br.yaml")
    ingest(
        [write("outubro.csv", HEADER + OCTOBER)],
        client,
        store,
        processed_at=datetime(2026, 10, 28, 18, 0, tzinfo=UTC),
    )
    ingest([write("novembro.csv", HEADER + NOVEMBER)], client, store, processed_at=INGESTED)
    [(pended, outcome)] = store.db.execute(
        "SELECT id, outcome FROM claims WHERE outcome <> 'accepted'"
    ).fetchall()
    assert outcome == "pended"
    dedupe_claims(store, client, now=DEDUPED, actor="ana")
    assert store.db.execute(
        "SELECT outcome FROM claims WHERE id = ?", [pended]
    ).fetchone() == ("review",)

    facts = claim_facts(store, client, Window(), REPORT, until=REPORT)
    reference = claim_facts_reference(store, client, Window(), REPORT, until=REPORT)
    assert facts.equals(reference)
    row = facts.set_index("claim_id").loc[pended]
    # Paused from Thu 5 Nov (pended) to Tue 10 Nov (moved to review): Thu 5,
    # Fri 6, Mon 9 = 3 business days (Nov 15, a holiday, is a Sunday).
    assert (row["status"], row["paused_days"]) == ("open", 3)
    # Due 5 + 3 = 8 business days after Thu 5 Nov: Fri 6, Mon 9, Tue 10,
    # Wed 11, Thu 12, Fri 13, Mon 16, Tue 17.
    assert row["due_date"] == pd.Timestamp(date(2026, 11, 17))
    # Mon 16 Nov 12:00-17:00 (5 h) + Tue 17 Nov 08:00-17:00 (9 h) = 14 h.
    assert row["remaining_hours"] == 14.0
    total = summarize(facts).iloc[-1]
    # before: backlog 1, waiting on participant 1
    assert (total["backlog"], total["waiting_on_participant"]) == (2, 0)
    queue = work_queue(store, [client], REPORT).set_index("claim_id")
    assert queue.loc[pended, "remaining_hours"] == 14.0
