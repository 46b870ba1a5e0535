"""PostgreSQL's COPY path for ingest stores exactly what SQLite's statements store.

A generated batch (several chunks, forked workers and one process) with
repeated serials and invoices, a claim listing the same line twice, and
rows that fail their checks is ingested into SQLite and into PostgreSQL;
every table the ingest writes must hold the same rows, and the dedupe
index rows must be the ones the CSV itself gives.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimflow import ResolvedClient, Store, ingest, pipeline
from tests.conftest import NOW, new_pg_store_url
from tests.pg import Cluster

HEADER = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Invoice No,Invoice Date,Product Code,"
    "Qty,Unit Price,Line Amount,Serial Numbers,Received\n"
)
PRICES = {"DRL-200": "149.00", "SAW-310": "229.00"}


def _batch(seed: int, first: int, n: int) -> tuple[str, dict[str, set[str]]]:
    """`n` claims from claim number `first`, and each claim's serials.

    Serials come from a small pool (so claims and batches share them),
    invoices repeat now and then, one claim in 11 lists its line twice (the
    same dedupe key twice in one claim), one in 13 has a wrong line total.
    """
    rng = random.Random(seed)
    rows, serials = [], {}
    for i in range(first, first + n):
        claim = f"C-{i}"
        sku = rng.choice(list(PRICES))
        qty = rng.choice((1, 1, 2))
        picked = [f"SN{rng.randrange(1, 400)}" for _ in range(qty)]
        serials[claim] = set(picked)
        invoice = f"INV-{rng.randrange(5000, 5300)}"
        amount = f"{qty * float(PRICES[sku]) + (7 if i % 13 == 0 else 0):.2f}"
        line = (
            f"{claim},{100000 + i % 9},Rep {i % 9},D-{i % 3},{invoice},10/0{1 + i % 8}/2026,"
            f"{sku},{qty},{PRICES[sku]},{amount},{' '.join(picked)},2026-10-20\n"
        )
        rows.append(line * (2 if i % 11 == 0 else 1))
    return HEADER + "".join(rows), serials


_TABLES = {
    "claims": "SELECT id, client, batch_id, document_hash, kind, participant_id, "
    "received_at, activity_date, outcome, source, data, raw, keys, serials "
    "FROM claims ORDER BY rowid",
    "problems": "SELECT claim_id, batch_id, code, field, source, message "
    "FROM problems ORDER BY id",
    "outcomes": "SELECT claim_id, batch_id, stage, outcome FROM outcomes ORDER BY id",
    "claim_keys": "SELECT client, block, day, claim_id, value FROM claim_keys",
    "claim_serials": "SELECT client, serial, claim_id FROM claim_serials",
    "claim_events": "SELECT client, claim_id, batch_id, event, operator "
    "FROM claim_events ORDER BY id",
    "documents": "SELECT hash, client, file_name, size, batch_id, records "
    "FROM documents ORDER BY batch_id, file_name",
    "raw_headers": "SELECT digest, field_sources FROM raw_headers",
}
#: Rows of these have no order of their own: compared as sorted lists.
_UNORDERED = {"claim_keys", "claim_serials", "raw_headers"}


def _tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, sql in _TABLES.items():
        rows = [tuple(r) for r in store.db.execute(sql)]
        out[name] = sorted(rows) if name in _UNORDERED else rows
    return out


def _plain(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.to_dict()
    data.pop("timings")
    return data


@pytest.mark.own_backends
@pytest.mark.parametrize("workers", [1, 2])
def test_copy_path_stores_what_sqlite_stores(
    workers: int,
    acme: ResolvedClient,
    write: Callable[..., Path],
    tmp_path: Path,
    pg_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK", 23)  # several chunks a file
    a_text, a_serials = _batch(1, 1, 90)
    b_text, b_serials = _batch(2, 91, 60)  # shares a's serial pool and invoices
    a, b = write("a.csv", a_text), write("b.csv", b_text)
    stores = {
        "sqlite": str(tmp_path / "lite.db"),
        "postgresql": new_pg_store_url(pg_cluster),
    }
    results: dict[str, list[dict[str, Any]]] = {}
    tables = {}
    for backend, target in stores.items():
        with Store.open(target) as store:
            results[backend] = [
                _plain(ingest(files, acme, store, received_at=NOW, workers=workers))
                for files in ([a], [a], [b])  # a again: a no-op by content hash
            ]
            tables[backend] = _tables(store)
    assert results["postgresql"] == results["sqlite"]
    lite, pg = tables["sqlite"], tables["postgresql"]
    for name in _TABLES:
        assert pg[name] == lite[name], name
    # what the batch holds, as its own figures say
    first, again, second = results["sqlite"]
    assert first["files"][0]["status"] == "stored"
    assert again["files"][0]["status"].startswith("already ingested")
    assert first["reasons"]["duplicate_serial_in_batch"] > 5
    assert second["reasons"]["duplicate_serial_in_batch"] > 5
    assert first["records"] + second["records"] == len(lite["claims"]) == 150
    # the serial index, against the CSV itself: every claim's serials, once each
    expected = {
        ("acme-tools", serial, claim)
        for claim, picked in (a_serials | b_serials).items()
        for serial in picked
    }
    ref = {row[0]: json.loads(row[10])["claim_ref"] for row in pg["claims"]}
    assert {
        (c, serial, ref[claim]) for c, serial, claim in pg["claim_serials"]
    } == expected
    assert len(pg["claim_serials"]) == len(expected)
    # a serial shared by claims of both batches is indexed for each claim
    assert any(a_serials[x] & b_serials[y] for x in a_serials for y in b_serials)
    # the claims listing their line twice have the key once (INSERT OR IGNORE)
    twice = {claim for claim in ref if int(ref[claim][2:]) % 11 == 0}
    assert len(twice) == 13
    for claim in twice:
        keys = [k for k in pg["claim_keys"] if k[3] == claim]
        assert len(keys) == 2  # the invoice's key and the rep's, once each


@pytest.mark.own_backends
def test_a_failure_halfway_leaves_the_postgresql_store_as_it_was(
    acme: ResolvedClient,
    write: Callable[..., Path],
    pg_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK", 23)
    url = new_pg_store_url(pg_cluster)
    a = write("a.csv", _batch(1, 1, 90)[0])
    b = write("b.csv", _batch(2, 91, 60)[0])
    with Store.open(url) as store:
        ingest([a], acme, store, received_at=NOW, workers=1)
        before = _tables(store)
        calls = []
        real = Store.add_events

        def fail_on_third(self: Store, rows: Any) -> None:
            calls.append(1)
            if len(calls) == 3:  # two chunks of b are in
                raise RuntimeError("the disk is full")
            real(self, rows)

        monkeypatch.setattr(Store, "add_events", fail_on_third)
        with pytest.raises(RuntimeError, match="the disk is full"):
            ingest([b], acme, store, received_at=NOW, workers=1)
        assert _tables(store) == before
