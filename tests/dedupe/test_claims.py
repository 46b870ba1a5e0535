"""Claim duplicates against history: each kind, explained, never self-flagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from claimflow import ResolvedClient, Store, ingest
from claimflow.dedupe.claims import dedupe_claims

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SALES = "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
STAYS = "Nº socio;Hotel;Confirmación;Llegada;Salida;Recibido;Folio adjunto\n"


def _run(
    store: Store,
    client: ResolvedClient,
    write: Callable[..., Path],
    *batches: tuple[str, str],
) -> dict[str, list[tuple[str, str, str]]]:
    for n, (header, rows) in enumerate(batches):
        ingest([write(f"b{n}.csv", header + rows)], client, store)
    result = dedupe_claims(store, client, now=NOW)
    refs = dict(
        store.db.execute("SELECT id, json_extract(data, '$.claim_ref') FROM claims")
    )
    found: dict[str, list[tuple[str, str, str]]] = {}
    for m in result.matches:
        found.setdefault(refs[m.claim_id], []).append(
            (m.decision, m.code.value, refs[m.original])
        )
    return found


def test_sales_duplicates_of_each_kind(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    october = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
        "A2,104234,D-CHI-01,INV-2026000500,10/05/2026,SAW-310,1,SW20000001,2026-10-20\n"
        "A3,104235,D-MKE-02,INV-20600,10/06/2026,GRN-115,1,GR40000001,2026-10-20\n"
    )
    november = (
        "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
        "B2,104233,D-CHI-01,INV-2026000471,10/02/2026,DRL-200,1,DR10000999,2026-11-10\n"
        "B3,104234,D-STL-04,INV-88888,10/07/2026,SAW-310,1,SW20000002,2026-11-10\n"
        "B4,104236,D-MKE-02,INV-20601,10/06/2026,GRN-115,1,GR40000002,2026-11-10\n"
    )
    found = _run(store, acme, write, (SALES, october), (SALES, november))
    assert found["B1"] == [("duplicate", "serial_claimed_before", "A1")]
    # Two digits swapped in the invoice; the same rep, SKU, date and quantity too.
    assert found["B2"] == [
        ("duplicate", "duplicate_claim", "A1"),
        ("review", "possible_duplicate", "A1"),
    ]
    assert found["B3"] == [
        ("review", "possible_duplicate", "A2")
    ]  # same rep, SKU, 2 days
    # One digit off on a short invoice, same dealer, SKU and date: a person decides.
    assert found["B4"] == [("review", "possible_duplicate", "A3")]
    assert {"A1", "A2", "A3"}.isdisjoint(found)  # originals stay clean


def test_stay_duplicates_of_each_kind(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    first = (
        "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;20/10/2026;sí\n"
        "300120031;CAZ-VLC;VL3390017;10/10/2026;12/10/2026;20/10/2026;sí\n"
    )
    later = (
        "300112457;CAZ-MAD;MD4471920;02/10/2026;05/10/2026;10/11/2026;sí\n"
        "300999001;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;10/11/2026;sí\n"
        "300120031;CAZ-VLC;VL3399999;11/10/2026;13/10/2026;10/11/2026;sí\n"
    )
    for n, rows in enumerate((first, later)):
        ingest([write(f"s{n}.csv", STAYS + rows, encoding="cp1252")], costa, store)
    result = dedupe_claims(store, costa, now=NOW)
    rows = dict(
        store.db.execute(
            "SELECT id, participant_id || ':' || json_extract(data, "
            "'$.confirmation_number') FROM claims"
        )
    )
    found = {
        (rows[m.claim_id], m.decision, m.code.value, rows[m.original])
        for m in result.matches
    }
    assert found == {
        ("300112457:MD4471920", "duplicate", "duplicate_claim", "300112457:MD4471902"),
        ("300112457:MD4471920", "duplicate", "duplicate_claim", "300112457:MD4471902"),
        (
            "300999001:MD4471902",
            "duplicate",
            "claimed_by_other_account",
            "300112457:MD4471902",
        ),
        ("300120031:VL3399999", "review", "overlapping_stay", "300120031:VL3390017"),
    }


def test_running_twice_flags_nothing_new_and_different_pairs_stay_apart(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    rows = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n",
        "B2,104233,D-CHI-01,INV-2026000471,10/02/2026,DRL-200,1,DR10000999,2026-11-10\n",
    )
    ingest([write("a.csv", SALES + rows[0])], acme, store)
    ingest([write("b.csv", SALES + rows[1])], acme, store)
    ids = [i for (i,) in store.db.execute("SELECT id FROM claims ORDER BY rowid")]
    with store.transaction():
        store.db.execute(
            "INSERT INTO dedupe_decisions (kind, a, b, decision, decided_by, "
            "decided_at) VALUES ('claim', ?, ?, 'different', 'ann', 'x')",
            sorted(ids),
        )
    assert dedupe_claims(store, acme, now=NOW).matches == []
    assert dedupe_claims(store, acme, now=NOW).matches == []
