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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, Store, batch_run, ingest
from claimflow.store.pg_ingest import copy_text
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
    monkeypatch.setattr(batch_run, "CHUNK", 23)  # several chunks a file
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
    monkeypatch.setattr(batch_run, "CHUNK", 23)
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


# --------------------------------------------------------------------------
# The COPY text a worker makes, against psycopg's own formatter and the server

#: Values as the store's rows hold them: text (with the characters COPY's
#: text format escapes, a literal backslash-N and non-ASCII), whole numbers
#: and NULL. NUL is left out: PostgreSQL text cannot hold it.
_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.text(
        alphabet=st.one_of(
            st.sampled_from(["\\", "\t", "\n", "\r", "N", "é", "€", "'", '"']),
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        ),
        max_size=12,
    ),
)


def _psycopg_text(rows: list[tuple[Any, ...]]) -> bytes:
    from psycopg._copy_base import TextFormatter
    from psycopg.adapt import Transformer

    formatter = TextFormatter(Transformer())
    out = b"".join(bytes(formatter.write_row(row)) for row in rows)
    return out + bytes(formatter.end())


#: psycopg also escapes backspace, form feed and vertical tab, which COPY
#: reads as well written as they are (only backslash, tab, newline and
#: carriage return must be escaped): the server's round trip covers those.
_PSYCOPG_SAME = _VALUES.filter(
    lambda v: not isinstance(v, str) or not set(v) & set("\b\f\v")
)


@given(
    st.integers(1, 5).flatmap(
        lambda w: st.lists(st.tuples(*[_PSYCOPG_SAME] * w), max_size=8)
    )
)
def test_copy_text_is_what_psycopg_writes_for_the_same_rows(
    rows: list[tuple[Any, ...]],
) -> None:
    width = len(rows[0]) if rows else 1
    assert copy_text(rows, width) == _psycopg_text(rows)


def test_copy_text_escapes_only_when_a_value_needs_it() -> None:
    # the fast path: nothing to escape, NULL as \N
    assert copy_text([("a", 1, None), ("b", 2, "c")], 3) == b"a\t1\t\\N\nb\t2\tc\n"
    # a Windows path with a literal \N, and a value holding a tab: every value escaped
    assert copy_text([("C:\\New", None), ("x\ty", "z")], 2) == (
        b"C:\\\\New\t\\N\nx\\ty\tz\n"
    )
    assert copy_text([], 3) == b""


_TEXTS = st.one_of(st.none(), _VALUES.filter(lambda v: not isinstance(v, int)))


@pytest.mark.own_backends
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    examples=st.lists(st.tuples(_TEXTS, _TEXTS, _TEXTS), max_size=6).map(
        lambda rows: [
            ("plain", "C:\\New\\file.csv", None),
            ("tab\there", "line\nbreak\r\n", "\\N"),
            ("€ and é", "", "back\\slash"),
            ("json", '{"a":"q\\"uote"}', None),
            *rows,
        ]
    )
)
def test_copy_text_reads_back_from_postgresql_as_written(
    pg_cluster: Cluster, examples: list[tuple[str | None, ...]]
) -> None:
    import psycopg

    with psycopg.connect(pg_cluster.url()) as conn:
        conn.execute("CREATE TEMP TABLE t (a text, b text, c text, n serial)")
        with conn.cursor().copy("COPY t (a, b, c) FROM STDIN") as copy:
            copy.write(copy_text(examples, 3))
        back = conn.execute("SELECT a, b, c FROM t ORDER BY n").fetchall()
    assert back == examples


@pytest.mark.own_backends
def test_a_claim_with_values_to_escape_is_stored_as_sqlite_stores_it(
    acme: ResolvedClient, write: Callable[..., Path], tmp_path: Path, pg_cluster: Cluster
) -> None:
    # a name with a backslash, a quote and a tab inside a quoted cell, a serial
    # with a backslash: the chunk takes the escaping path
    text = HEADER + (
        'C-1,100001,"O\'Brien \\ Sons\tLtd",D-1,INV-5001,10/01/2026,DRL-200,1,149.00,'
        "149.00,SN\\1,2026-10-20\n"
        "C-2,100002,Rep 2,D-2,INV-5002,10/02/2026,SAW-310,1,229.00,229.00,SN2,2026-10-20\n"
    )
    path = write("odd.csv", text)
    tables = {}
    for backend, target in (
        ("sqlite", str(tmp_path / "lite.db")),
        ("postgresql", new_pg_store_url(pg_cluster)),
    ):
        with Store.open(target) as store:
            ingest([path], acme, store, received_at=NOW, workers=1)
            tables[backend] = _tables(store)
    assert tables["postgresql"] == tables["sqlite"]
    pg = tables["postgresql"]
    assert [row[1] for row in pg["claim_serials"]] == ["SN2", "SN\\1"]
    assert json.loads(pg["claims"][0][10])["participant_name"] == "O'Brien \\ Sons\tLtd"
