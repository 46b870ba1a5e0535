"""Chunks validated in forked workers give exactly what one process gives."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claimflow import ResolvedClient, Store, batch_run, check, ingest
from claimflow.parallel import ChunkRunner
from claimflow.validate.batch import SeenKeys

from .conftest import NOW

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

HEADER = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Invoice No,Invoice Date,Product Code,"
    "Qty,Unit Price,Line Amount,Serial Numbers,Received\n"
)


def _rows(n: int) -> str:
    """`n` one-line claims; some repeat an earlier serial or invoice far apart."""
    rows = []
    for i in range(1, n + 1):
        serial = f"DR{i:08d}"
        invoice = f"INV-{1000 + i}"
        if i % 9 == 0:
            serial = f"DR{i - 8:08d}"  # another chunk's serial
        if i % 13 == 0:
            invoice = f"INV-{1000 + i - 11}"  # another chunk's invoice
        date = "13/40/2026" if i % 17 == 0 else "10/02/2026"  # some do not type
        rows.append(
            f"C-{i},{100000 + i % 7},Rep {i},D-1,{invoice},{date},DRL-200,1,"
            f"149.00,149.00,{serial},2026-10-20\n"
        )
    return HEADER + "".join(rows)


def _plain(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.to_dict()
    data.pop("timings")
    return data


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_run, "CHUNK", 7)


def test_forked_check_equals_one_process(
    small_chunks: None, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    path = write("claims.csv", _rows(60))
    one = check([path], acme, received_at=NOW, workers=1)
    two = check([path], acme, received_at=NOW, workers=2)
    assert _plain(two) == _plain(one)
    # the repeats across chunks were caught, not just inside one chunk
    assert one.reasons["duplicate_serial_in_batch"] == 6
    assert one.reasons["duplicate_invoice_line_in_batch"] == 4
    assert one.records == 60


def _tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    queries = {
        "claims": "SELECT id, outcome, source, data, raw FROM claims ORDER BY id",
        "problems": "SELECT claim_id, code, field, source, message FROM problems "
        "ORDER BY id",
        "outcomes": "SELECT claim_id, stage, outcome FROM outcomes ORDER BY rowid",
        "serials": "SELECT * FROM claim_serials ORDER BY claim_id, serial",
        "keys": "SELECT * FROM claim_keys ORDER BY claim_id, block, day, value",
        "events": "SELECT claim_id, event FROM claim_events ORDER BY id",
    }
    return {k: store.db.execute(q).fetchall() for k, q in queries.items()}


def test_forked_ingest_stores_the_same_rows(
    small_chunks: None,
    acme: ResolvedClient,
    write: Callable[..., Path],
    tmp_path: Path,
) -> None:
    first = write("a.csv", _rows(40))
    second = write("b.csv", _rows(45).replace("INV-", "INV-9"))
    stored = []
    for workers in (1, 2):
        with Store.open(tmp_path / f"w{workers}.db") as store:
            result = ingest(
                [first, second], acme, store, received_at=NOW, workers=workers
            )
            stored.append((_plain(result), _tables(store)))
    assert stored[1][0] == stored[0][0]
    assert stored[1][1] == stored[0][1]
    # b.csv repeats a.csv's serials: caught across files and across workers
    assert stored[0][0]["reasons"]["duplicate_serial_in_batch"] > 40


def _fail_on_second(chunk: list[int], seen: SeenKeys) -> int:
    if chunk == [2]:
        raise ValueError("boom in chunk 2")
    return sum(chunk)


@pytest.mark.parametrize("pooled", [False, True])
def test_a_failing_worker_is_reported_with_its_traceback(pooled: bool) -> None:
    with ChunkRunner(2) as runner:
        results = runner.map([[1], [2], [3]], _fail_on_second, pooled=pooled)
        assert next(results) == 1
        with pytest.raises(RuntimeError, match="boom in chunk 2"):
            next(results)


def _keys_in_turn(chunk: list[str], seen: SeenKeys) -> list[str]:
    earlier = seen.earlier("k", chunk)
    seen.add("k", [(key, f"chunk with {chunk[0]}") for key in chunk])
    return sorted(earlier)


def _keys_unless_empty(chunk: list[str], seen: SeenKeys) -> list[str]:
    # a chunk with no keys never opens the index, but still takes its turn
    return _keys_in_turn(chunk, seen) if chunk else []


@pytest.mark.parametrize("pooled", [False, True])
def test_workers_take_turns_with_the_key_index(pooled: bool) -> None:
    chunks = [["a", "b"], ["b", "c"], [], ["c", "a", "d"], [], ["d"], ["e", "a"]]
    with ChunkRunner(3) as runner:
        forked = list(runner.map(chunks, _keys_unless_empty, pooled=pooled))
    with ChunkRunner(1) as runner:
        local = list(runner.map(chunks, _keys_unless_empty))
    assert forked == local == [[], ["b"], [], ["a", "c"], [], ["d"], ["a"]]


def _multi_line(n: int) -> str:
    """`n` claims of one to three rows each (rows sharing a claim ID)."""
    rows = []
    for i in range(1, n + 1):
        for line in range(1 + i % 3):
            serial = f"DR{i:06d}{line:02d}" if i % 11 else "DR00000100"
            rows.append(
                f"C-{i},{100000 + i % 5},Rep {i},D-1,INV-{5000 + i},10/02/2026,"
                f"DRL-200,1,149.00,149.00,{serial},2026-10-20\n"
            )
    return HEADER + "".join(rows)


def test_a_claim_of_several_rows_is_never_split_between_workers(
    small_chunks: None, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    # 7-row chunks cut through claims of 1-3 rows; the reader extends a
    # chunk to the claim's last row, so every claim keeps all its lines.
    path = write("lines.csv", _multi_line(40))
    one = check([path], acme, received_at=NOW, workers=1)
    two = check([path], acme, received_at=NOW, workers=2)
    assert _plain(two) == _plain(one)
    assert one.records == 40  # a claim split in two would count twice
    # claim 1's first serial, repeated on every line of claims 11, 22 and 33
    assert one.reasons["duplicate_serial_in_batch"] == 3 + 2 + 1


def test_json_chunks_run_in_a_child_per_chunk(
    small_chunks: None, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    claims = [
        {
            "Claim ID": f"C-{i}",
            "Rep #": str(100000 + i),
            "Dealer Code": "D-1",
            "Invoice No": f"INV-{i}",
            "Invoice Date": "10/02/2026",
            "Product Code": "DRL-200",
            "Qty": "1",
            "Unit Price": "149.00",
            "Line Amount": "149.00",
            "Serial Numbers": f"DR{i % 20:08d}",  # repeats after 20
            "Received": "2026-10-20",
        }
        for i in range(30)
    ]
    path = write("claims.json", json.dumps(claims))
    one = check([path], acme, received_at=NOW, workers=1)
    two = check([path], acme, received_at=NOW, workers=2)
    assert _plain(two) == _plain(one)
    assert one.reasons["duplicate_serial_in_batch"] == 10


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("broken_first", [True, False])
def test_a_file_rolled_back_halfway_leaves_no_keys_behind(
    small_chunks: None,
    acme: ResolvedClient,
    write: Callable[..., Path],
    tmp_path: Path,
    workers: int,
    broken_first: bool,
) -> None:
    # a.csv breaks at its last row, after two chunks were validated; b.csv
    # repeats a.csv's serials, which were never stored: nothing to repeat.
    # The batch's keys are indexed once all files are in: whichever comes
    # first, the broken file's staged keys go with its rows.
    broken = write("a.csv", _rows(20) + "C-99,100001\n")
    clean = write("b.csv", _rows(8).replace("INV-", "INV-7"))
    files = [broken, clean] if broken_first else [clean, broken]
    with Store.open(tmp_path / "claims.db") as store:
        result = ingest(
            files,
            acme,
            store,
            received_at=NOW,
            keep_going=True,
            workers=workers,
        )
        statuses = {Path(f.name).name: f.status for f in result.files}
        assert statuses == {"a.csv": "unreadable", "b.csv": "stored"}
        (error,) = [f.error for f in result.files if f.status == "unreadable"]
        assert "row 22" in (error or "")
        assert result.records == 8
        assert "duplicate_serial_in_batch" not in result.to_dict()["reasons"]
        assert store.count("claims") == 8
        # the dedupe indexes hold b.csv's claims alone, every one of them
        for table in ("claim_keys", "claim_serials"):
            indexed = store.db.execute(
                f"SELECT count(DISTINCT claim_id), count(*) FILTER "
                f"(WHERE claim_id NOT IN (SELECT id FROM claims)) FROM {table}"
            ).fetchone()
            assert indexed == (8, 0)
